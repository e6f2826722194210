"""The index follows every change, in the same transaction, and can be rebuilt.

Runs on SQLite and on PostgreSQL (scripts/with_postgres.py).
"""

import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from testimonies.models import (
    Narrator,
    Place,
    Testimony,
    Theme,
    ThemedItem,
    Translation,
)
from testimonies.search import index, search
from testimonies.search.backends import backend_for
from testimonies.search.backends.base import FIELDS
from testimonies.signals import testimonies_changed

from .factories import make_narrator, make_recording, make_testimony, make_transcript

pytestmark = pytest.mark.django_db


def found(query):
    return {t.identifier for t in search(Testimony.objects.all(), query)}


def public(query):
    return {t.identifier for t in search(Testimony.objects.visible_to(None), query)}


def index_rows():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {index.backend_for(connection).table}")
        return cursor.fetchone()[0]


class TestTestimonyChanges:
    def test_new_testimony_is_found_at_once(self):
        make_testimony(identifier="A", body="Мы ночевали в подвале.")
        assert found("подвал") == {"A"}

    def test_edited_text_replaces_the_old(self):
        testimony = make_testimony(identifier="A", title="Cellar")
        testimony.title = "Bunker"
        testimony.save()
        assert found("cellar") == set()
        assert found("bunker") == {"A"}

    def test_publishing_and_withdrawing_change_what_the_public_finds(self):
        testimony = make_testimony(
            identifier="A", title="Cellar", status=Testimony.Status.DRAFT
        )
        assert public("cellar") == set()
        testimony.status = Testimony.Status.PUBLISHED
        testimony.save(update_fields=["status"])
        assert public("cellar") == {"A"}
        testimony.status = Testimony.Status.WITHDRAWN
        testimony.save()
        assert public("cellar") == set()

    def test_deleted_testimony_leaves_the_index(self):
        testimony = make_testimony(identifier="A", title="Cellar", themes=["Shelter"])
        rows = index_rows()
        testimony.delete()
        assert found("cellar") == set()
        assert index_rows() == rows - 1

    def test_bulk_delete_leaves_the_index(self):
        for number in range(3):
            make_testimony(identifier=f"A{number}", title="Cellar", themes=["Shelter"])
        Testimony.objects.filter(identifier__in=["A0", "A1"]).delete()
        assert found("cellar") == {"A2"}
        assert index_rows() == 1

    def test_failed_transaction_leaves_the_index_as_it_was(self):
        testimony = make_testimony(identifier="A", title="Cellar")
        with pytest.raises(RuntimeError), transaction.atomic():
            testimony.title = "Bunker"
            testimony.save()
            assert found("bunker") == {"A"}
            raise RuntimeError("abandon the edit")
        assert found("bunker") == set()
        assert found("cellar") == {"A"}


class TestRelatedChanges:
    def test_adding_and_removing_tags(self):
        testimony = make_testimony(identifier="A")
        testimony.themes.add("Evacuation")
        testimony.places.add("Sudzha")
        assert found("evacuation") == found("sudzha") == {"A"}
        testimony.themes.remove(Theme.objects.get(name="Evacuation"))
        testimony.places.clear()
        assert found("evacuation") == found("sudzha") == set()

    def test_setting_tags_replaces_them(self):
        testimony = make_testimony(identifier="A", themes=["Drones"])
        testimony.themes.set(["Humanitarian aid"])
        assert found("drones") == set()
        assert found("humanitarian") == {"A"}

    def test_through_rows_written_directly(self):
        # As a fixture or a hand-written merge would, bypassing taggit's manager.
        testimony = make_testimony(identifier="A")
        item = ThemedItem.objects.create(
            content_object=testimony, tag=Theme.objects.create(name="Evacuation")
        )
        assert found("evacuation") == {"A"}
        item.delete()
        assert found("evacuation") == set()

    def test_renaming_a_tag_reindexes_its_testimonies(self):
        make_testimony(identifier="A", places=["Sudzha"])
        place = Place.objects.get(name="Sudzha")
        place.names = {"ja": "スジャ", "ru": "Суджа"}
        place.save()
        assert found("スジャ") == found("Суджа") == {"A"}
        place.name = "Sudja"
        place.save()
        assert found("sudzha") == set()
        assert found("sudja") == {"A"}

    def test_deleting_a_tag_removes_its_names(self):
        make_testimony(identifier="A", themes=["Evacuation"])
        Theme.objects.get(name="Evacuation").delete()
        assert found("evacuation") == set()
        assert Testimony.objects.filter(identifier="A").exists()

    def test_translations_are_followed(self):
        testimony = make_testimony(identifier="A", language="ja", title="地下")
        translation = Translation.objects.create(
            testimony=testimony, language="en", title="Underground", body="A cellar."
        )
        assert found("cellar") == {"A"}
        translation.body = "A bunker."
        translation.save()
        assert found("cellar") == set() and found("bunker") == {"A"}
        translation.delete()
        assert found("bunker") == set()

    def test_narrator_alias_is_followed(self):
        narrator = make_narrator(alias="Ginger Cat")
        make_testimony(identifier="A", narrator=narrator)
        assert found("ginger") == {"A"}
        narrator.alias = "Grey Owl"
        narrator.save()
        assert found("ginger") == set() and found("owl") == {"A"}
        Narrator.objects.filter(pk=narrator.pk).delete()
        assert found("owl") == set()


class TestBulkChanges:
    def test_testimonies_changed_catches_up_after_update(self):
        testimony = make_testimony(identifier="A", title="Cellar")
        Testimony.objects.filter(pk=testimony.pk).update(title="Bunker")
        assert found("bunker") == set()  # update() sends no signal by itself
        testimonies_changed.send(sender=Testimony, ids=[testimony.pk])
        assert found("bunker") == {"A"}

    def test_testimonies_changed_after_bulk_create(self):
        created = Testimony.objects.bulk_create(
            [
                Testimony(identifier=f"B{n}", title="Drones", language="en")
                for n in range(3)
            ]
        )
        assert found("drones") == set()
        testimonies_changed.send(sender=Testimony, ids=[t.pk for t in created])
        assert found("drones") == {"B0", "B1", "B2"}

    def test_testimonies_changed_with_deleted_ids_drops_them(self):
        testimony = make_testimony(identifier="A", title="Cellar")
        pk = testimony.pk
        Testimony.objects.filter(pk=pk)._raw_delete(connection.alias)
        testimonies_changed.send(sender=Testimony, ids=[pk])
        assert index_rows() == 0


class TestRebuild:
    def test_rebuild_restores_a_wiped_index(self):
        make_testimony(identifier="A", title="Cellar", places=["Sudzha"])
        make_testimony(identifier="B", language="ja", title="地下の三日間")
        backend_for(connection).clear()
        assert found("cellar") == found("地下") == set()
        out = io.StringIO()
        call_command("rebuild_search_index", batch_size=1, stdout=out)
        assert found("cellar") == found("sudzha") == {"A"}
        assert found("地下") == {"B"}
        assert "Indexed 1 of 2" in out.getvalue()
        assert "2 testimonies" in out.getvalue()

    def test_rebuild_of_an_empty_archive(self):
        out = io.StringIO()
        call_command("rebuild_search_index", stdout=out)
        assert "0 testimonies" in out.getvalue()
        assert index_rows() == 0


@pytest.mark.django_db(transaction=True)
class TestFlushAndMigrate:
    """flush (used between transactional tests) empties the testimony table without
    signals; the post_migrate sync must leave the index matching it."""

    def test_flush_then_new_testimonies_search_correctly(self):
        make_testimony(identifier="OLD", title="Cellar")
        assert found("cellar") == {"OLD"}
        call_command("flush", interactive=False, verbosity=0)
        assert index_rows() == 0
        make_testimony(identifier="NEW", title="Bunker")
        assert found("cellar") == set()
        assert found("bunker") == {"NEW"}

    def test_migrating_to_bigrams_reindexes_rows_of_the_old_analyzer(self):
        testimony = make_testimony(identifier="JA", language="ja", body="地下室")
        store = backend_for(connection)
        # What the analyzer before 0012 stored: one token per character.
        old = {name: [] for name in FIELDS}
        old["body"] = [["地", "下", "室"]]
        store.write([(testimony.pk, old)])
        assert found("地下") == set()
        call_command("migrate", "testimonies", "0011", verbosity=0)
        # Back before 0012 the store is gone, for the older code to make its own.
        assert not store.is_installed()
        call_command("migrate", verbosity=0)
        assert found("地下") == found("室") == {"JA"}
        assert index_rows() == 1

    def test_migrating_to_spoken_words_indexes_what_recordings_say(self):
        testimony = make_testimony(identifier="REC", body="Текст.")
        recording = make_recording(testimony, access=Testimony.Access.PUBLIC)
        make_transcript(recording, [(0, 1_000, "Мы сидели в подвале.")])
        call_command("migrate", "testimonies", "0014", verbosity=0)
        # Back at 0014 a transcript is its cues alone; going forward fills its
        # text from them and indexes the testimony again with its words.
        call_command("migrate", verbosity=0)
        assert found("подвал") == {"REC"}
        assert index_rows() == 1

    def test_migrate_recreates_a_missing_store_and_indexes(self):
        make_testimony(identifier="A", title="Cellar")
        backend_for(connection).uninstall()
        call_command("migrate", verbosity=0)
        assert found("cellar") == {"A"}
        assert index_rows() == 1

"""The hit sets SQLite keeps in memory (testimonies.search.hitsets).

They must give exactly the answers the database gives, and never an answer from
before a change: a testimony withdrawn by any means, even a bare SQL ``UPDATE``,
leaves the next search's counts, facets and pages at once. Every text below is a
fictional composite.
"""

import random
from datetime import date

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import override_settings

from testimonies.models import Place, Testimony, Theme
from testimonies.search import hitsets, search, sources
from testimonies.search.backends import backend_for
from testimonies.search.signals import migrated

from .factories import make_archivist, make_researcher, make_testimony

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("nothing_kept"),
    pytest.mark.skipif(
        "connection.vendor != 'sqlite'",
        reason="hit sets are kept for SQLite only; PostgreSQL counts in SQL",
    ),
]

WORDS = ["basement", "cellar", "checkpoint", "drone", "bridge", "road", "generator"]
QUERIES = [
    "basement",
    "basement OR drone",
    "road -bridge",
    "-drone",
    '"closed road"',
    "",
    "nothing-matches-this",
]


@pytest.fixture(scope="class")
def collection(class_transaction):
    """80 testimonies with random words, themes, places, languages, dates,
    statuses and access levels (seeded, so every run is the same)."""
    rng = random.Random(7)
    region = Place.objects.create(name="Kursk region")
    places = [
        Place.objects.create(name=f"Village {n}", parent=region) for n in range(5)
    ]
    themes = [Theme.objects.create(name=f"Theme {n}") for n in range(4)]
    for number in range(80):
        words = rng.sample(WORDS, 3)
        if rng.random() < 0.2:
            words += ["closed", "road"]
        make_testimony(
            identifier=f"HS-{number:03d}",
            language=rng.choice(["en", "ru", "uk", "ja"]),
            title=f"Testimony {number}",
            body=" ".join(words),
            recorded_on=rng.choice(["2024-08-10", "2024-09-01", "2025-01-05", None]),
            status=rng.choice(["published"] * 4 + ["draft", "withdrawn"]),
            access=rng.choice(["public"] * 3 + ["researchers", "restricted"]),
            themes=rng.sample(themes, rng.randint(0, 2)),
            places=rng.sample(places, rng.randint(0, 2)),
        )
    return {"region": region, "places": places, "themes": themes}


def answer(queryset, text, sort=None):
    found = search(queryset, text, sort=sort)
    facets = found.facets()
    return {
        "count": found.count(),
        "themes": [(f.value.name, f.count) for f in facets.themes],
        "places": [(f.value.name, f.count) for f in facets.places],
        "languages": [(f.value, f.count) for f in facets.languages],
        "page": [hit.identifier for hit in found[0:30]],
    }


def both_ways(queryset, text, sort=None):
    kept = answer(queryset, text, sort)
    with override_settings(TESTIMONY_SEARCH_HIT_SETS=False):
        counted = answer(queryset, text, sort)
    return kept, counted


class TestSameAnswers:
    @pytest.mark.parametrize("text", QUERIES)
    @pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
    @pytest.mark.parametrize("few_hits", [0, 3000], ids=["bitmaps", "postings"])
    def test_as_the_database_for_every_audience(
        self, collection, text, sort, few_hits, monkeypatch
    ):
        # Facets are counted tag by tag (bitmaps) or hit by hit (postings).
        monkeypatch.setattr(hitsets, "FEW_HITS", few_hits)
        for user in (None, make_researcher(), make_archivist()):
            visible = Testimony.objects.visible_to(user)
            kept, counted = both_ways(visible, text, sort)
            assert kept == counted
        assert kept["count"] > 0 or text == "nothing-matches-this"

    def test_with_filters(self, collection):
        visible = Testimony.objects.visible_to(None)
        for narrowed in (
            visible.filter_by(theme=collection["themes"][0]),
            visible.filter_by(place=collection["region"], language="en"),
            visible.filter_by(
                place=collection["places"][1],
                recorded_from=date(2024, 9, 1),
            ),
        ):
            for text in ("basement OR drone", ""):
                kept, counted = both_ways(narrowed, text, "newest")
                assert kept == counted

    def test_pages_by_date_walk_the_kept_order(self, collection, monkeypatch):
        # Many hits take their date-sorted pages from the kept order of the
        # archive; it must agree with SQL's ORDER BY, page after page.
        monkeypatch.setattr(sources, "MANY_HITS", 0)
        visible = Testimony.objects.visible_to(None)
        for sort in ("newest", "oldest"):
            for text in ("basement OR drone OR road", ""):
                found = search(visible, text, sort=sort)
                pages = [
                    hit.identifier
                    for start in (0, 5, 10)
                    for hit in found[start : start + 5]
                ]
                with override_settings(TESTIMONY_SEARCH_HIT_SETS=False):
                    found = search(visible, text, sort=sort)
                    expected = [hit.identifier for hit in found[0:15]]
                assert pages == expected


class TestNeverStale:
    def search(self, text="basement OR drone OR road OR cellar"):
        return answer(Testimony.objects.visible_to(None), text)

    def test_an_update_without_signals_is_seen_at_once(self, collection):
        before = self.search()
        shown = Testimony.objects.get(identifier=before["page"][0])
        Testimony.objects.filter(pk=shown.pk).update(status=Testimony.Status.WITHDRAWN)
        after = self.search()
        assert after["count"] == before["count"] - 1
        assert shown.identifier not in after["page"]

    def test_raw_sql_is_seen_at_once(self, collection):
        before = self.search("")
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE testimonies_testimony SET access = 'restricted' "
                "WHERE status = 'published' AND access = 'public'"
            )
        assert before["count"] > 0
        assert self.search("") == {
            "count": 0,
            "themes": [],
            "places": [],
            "languages": [],
            "page": [],
        }

    def test_a_removed_tag_link_leaves_the_facets(self, collection):
        theme = collection["themes"][0]
        before = dict(self.search("")["themes"])
        assert before.get(theme.name)
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM testimonies_themeditem WHERE tag_id = %s", [theme.pk]
            )
        assert theme.name not in dict(self.search("")["themes"])

    def test_a_renamed_theme_shows_its_new_name(self, collection):
        theme = collection["themes"][0]
        self.search("")
        Theme.objects.filter(pk=theme.pk).update(name="Shelter")
        names = dict(self.search("")["themes"])
        assert "Shelter" in names and theme.name not in names

    def test_a_rolled_back_change_leaves_no_trace(self, collection):
        before = self.search()
        with pytest.raises(RuntimeError), transaction.atomic():
            Testimony.objects.update(status=Testimony.Status.DRAFT)
            assert self.search()["count"] == 0
            raise RuntimeError("roll back")
        assert self.search() == before


class TestInstalling:
    def test_migrate_restores_the_triggers(self, collection):
        hitsets.uninstall(connection)
        assert hitsets.current(backend_for(connection)) is None
        # Still answers, from SQL, while nothing is kept.
        assert answer(Testimony.objects.visible_to(None), "basement")["count"] > 0
        migrated(sender=apps.get_app_config("testimonies"), using="default")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE '%search_version'"
            )
            assert cursor.fetchone()[0] == len(hitsets.triggers()) == 15
        assert hitsets.current(backend_for(connection)) is not None

    def test_a_missing_trigger_turns_the_kept_sets_off(self, collection, caplog):
        visible = Testimony.objects.visible_to(None)
        before = answer(visible, "basement OR drone")
        with connection.cursor() as cursor:
            cursor.execute('DROP TRIGGER "testimonies_testimony_update_search_version"')
        assert hitsets.current(backend_for(connection)) is None
        assert "triggers" in caplog.text
        # Nothing renews the version now, yet the next search sees the change:
        # it counts in SQL.
        Testimony.objects.filter(identifier__in=before["page"][:3]).update(
            status=Testimony.Status.DRAFT
        )
        after = answer(visible, "basement OR drone")
        assert after["count"] == before["count"] - 3
        assert not set(before["page"][:3]) & set(after["page"])

    def test_every_write_renews_the_version(self, collection):
        backend = backend_for(connection)
        first = hitsets.current(backend)
        assert hitsets.current(backend) is first
        Theme.objects.create(name="New theme")
        assert hitsets.current(backend) is not first


class TestBitmaps:
    def test_postings_count_keys_per_id(self):
        postings = hitsets.Postings([(1, "7"), (4, "7,9"), (2, "12")], int)
        assert postings.count([4, 1, 100]) == {7: 2, 9: 1}
        assert postings.count([2, 3]) == {12: 1}
        assert postings.count([]) == {}
        assert hitsets.Postings([]).count([1]) == {}
        languages = hitsets.Postings([(1, "ru"), (3, "ja")])
        assert languages.count([1, 2, 3]) == {"ru": 1, "ja": 1}

    def test_bits_of_and_members(self):
        bits = hitsets.bits_of([0, 3, 64, 1000])
        assert bits.bit_count() == 4
        assert hitsets.members([1000, 5, 3, 2000, 0], bits) == [1000, 3, 0]
        assert hitsets.bits_of([]) == 0
        assert hitsets.members([1, 2], 0) == []

    def test_members_in_order(self):
        bits = hitsets.bits_of([2, 4, 6, 8])
        assert hitsets.members_in_order([9, 8, 7, 6, 5, 4], bits, 2) == [8, 6]
        assert hitsets.members_in_order([8, 6], bits, 0) == []
        assert hitsets.members_in_order([1, 3], bits, 5) == []

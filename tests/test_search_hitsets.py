"""The hit sets kept in memory (testimonies.search.hitsets), on SQLite and
PostgreSQL, and the change log that keeps them current (testimonies.search.changes).

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
from django.test.utils import CaptureQueriesContext

from testimonies.models import Place, Testimony, Theme
from testimonies.search import changes, hitsets, search, sources
from testimonies.search.backends import backend_for
from testimonies.search.signals import migrated

from .factories import make_archivist, make_researcher, make_testimony

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("nothing_kept"),
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

    @pytest.mark.parametrize("most_ranked", [1000, 12], ids=["ranked", "fallback"])
    def test_pages_by_relevance_ranked_among_every_match(
        self, collection, monkeypatch, most_ranked
    ):
        # Many hits rank a page among all the engine's matches, then keep the
        # hits; where too few of those rows are hits, among the hits' ids.
        monkeypatch.setattr(sources, "MANY_HITS", 0)
        monkeypatch.setattr(sources, "MOST_RANKED", most_ranked)
        monkeypatch.setattr(sources, "MOST_SHARE", 0)
        taken = []
        best = sources.KeptHits._best_of_every_match

        def spy(source, offset, limit):
            page = best(source, offset, limit)
            taken.append(page is not None)
            return page

        monkeypatch.setattr(sources.KeptHits, "_best_of_every_match", spy)
        compared = 0
        for user in (None, make_researcher()):
            visible = Testimony.objects.visible_to(user)
            for narrowed in (visible, visible.filter_by(language="en")):
                for text in ("basement OR drone OR road", "road -bridge"):
                    found = search(narrowed, text)
                    pages = [
                        (hit.identifier, hit.search_rank)
                        for start in (0, 5, 10)
                        for hit in found[start : start + 5]
                    ]
                    with override_settings(TESTIMONY_SEARCH_HIT_SETS=False):
                        found = search(narrowed, text)
                        expected = [
                            (hit.identifier, hit.search_rank) for hit in found[0:15]
                        ]
                    assert pages == expected
                    compared += len(pages)
        assert compared >= 40
        assert any(taken) == (most_ranked == 1000)
        assert not all(taken)  # a language narrows below what 12 rows hold


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
        changes.uninstall(connection)
        assert hitsets.current(backend_for(connection)) is None
        # Still answers, from SQL, while nothing is kept.
        assert answer(Testimony.objects.visible_to(None), "basement")["count"] > 0
        migrated(sender=apps.get_app_config("testimonies"), using="default")
        assert changes.watching(connection)
        # Every insert, update and delete (and truncate on PostgreSQL) of the
        # testimonies, their two kinds of tag links and the two vocabularies.
        expected = 20 if connection.vendor == "postgresql" else 15
        assert len(changes.triggers(connection)) == expected
        assert hitsets.current(backend_for(connection)) is not None

    def test_a_missing_trigger_turns_the_kept_sets_off(self, collection, caplog):
        visible = Testimony.objects.visible_to(None)
        before = answer(visible, "basement OR drone")
        name = "testimonies_testimony_update_search_change"
        on = " ON testimonies_testimony" if connection.vendor == "postgresql" else ""
        with connection.cursor() as cursor:
            cursor.execute(f'DROP TRIGGER "{name}"{on}')
            # What a reader kept says nothing of the dropped trigger: start again.
            hitsets.forget()
        assert hitsets.current(backend_for(connection)) is None
        assert "triggers" in caplog.text
        # Nothing logs the change now, yet the next search sees it: it counts in SQL.
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


@pytest.fixture
def audiences():
    return (None, make_researcher(), make_archivist())


def same_everywhere(collection, users):
    """The kept answers equal SQL's for every audience, sort and a filter."""
    for user in users:
        visible = Testimony.objects.visible_to(user)
        for narrowed in (visible, visible.filter_by(theme=collection["themes"][0])):
            for text in ("basement OR drone", "", "-drone"):
                for sort in ("relevance", "newest"):
                    kept, counted = both_ways(narrowed, text, sort)
                    assert kept == counted, (user, text, sort)


class TestBroughtForward:
    """After a change, the kept sets read again only the testimonies the change
    log names, and still answer as the database does."""

    def test_edit_after_edit(self, collection, audiences, monkeypatch):
        monkeypatch.setattr(sources, "MANY_HITS", 0)  # pages by date: kept order
        rng = random.Random(11)
        themes, places = collection["themes"], collection["places"]
        same_everywhere(collection, audiences)
        for step in range(12):
            testimony = rng.choice(list(Testimony.objects.all()))
            kind = step % 6
            if kind == 0:
                testimony.status = rng.choice(["published", "draft", "withdrawn"])
                testimony.save()
            elif kind == 1:
                testimony.access = rng.choice(["public", "researchers", "restricted"])
                testimony.language = rng.choice(["en", "ru", "uk", "ja"])
                testimony.save()
            elif kind == 2:
                testimony.themes.set(rng.sample(themes, 2))
                testimony.places.add(rng.choice(places))
            elif kind == 3:
                testimony.recorded_on = rng.choice(["2023-01-01", "2026-01-01"])
                testimony.save()
            elif kind == 4:
                make_testimony(
                    identifier=f"HS-NEW-{step}",
                    body="basement drone",
                    status="published",
                    access="public",
                    recorded_on="2025-06-01",
                    themes=[themes[0]],
                    places=[places[0]],
                )
            else:
                testimony.delete()
            same_everywhere(collection, audiences)

    def test_the_first_search_after_an_edit_reads_only_that_testimony(self, collection):
        visible = Testimony.objects.visible_to(None)
        answer(visible, "basement")
        edited = visible.first()
        edited.themes.add(collection["themes"][3])
        with CaptureQueriesContext(connection) as queries:
            answer(visible, "basement")
        tag_reads = [q["sql"] for q in queries if "testimonies_themeditem" in q["sql"]]
        assert tag_reads and all(" IN (" in sql for sql in tag_reads), tag_reads
        assert hitsets.current(backend_for(connection)).seen is not None

    def test_a_rolled_back_change_and_the_next_one(self, collection):
        # SQLite gives the next change the log ids of a rolled-back one: the
        # stamps tell them apart.
        visible = Testimony.objects.visible_to(None)
        first, second = visible.order_by("pk")[:2]
        before = answer(visible, "")
        with pytest.raises(RuntimeError), transaction.atomic():
            Testimony.objects.filter(pk=first.pk).update(status="draft")
            assert answer(visible, "")["count"] == before["count"] - 1
            raise RuntimeError("roll back")
        Testimony.objects.filter(pk=second.pk).update(status="draft")
        after = answer(visible, "")
        assert after["count"] == before["count"] - 1
        assert first.identifier in after["page"] + before["page"]
        kept, counted = both_ways(visible, "")
        assert kept == counted

    def test_a_compacted_log_starts_afresh(self, collection, audiences, monkeypatch):
        monkeypatch.setattr(changes, "KEEP", 3)
        visible = Testimony.objects.visible_to(None)
        answer(visible, "basement")
        for testimony in visible[:5]:
            testimony.status = "draft"
            testimony.save()
        changes.compact("default")
        assert len(changes.rows(connection)) == 1
        same_everywhere(collection, audiences)

    def test_a_short_log_is_left_alone(self, collection):
        Testimony.objects.filter(pk=Testimony.objects.first().pk).update(title="x")
        before = changes.rows(connection)
        changes.compact("default")
        assert changes.rows(connection) == before

    def test_a_statement_changing_very_many_logs_once(
        self, collection, audiences, monkeypatch
    ):
        if connection.vendor != "postgresql":
            pytest.skip("SQLite's triggers run row by row")
        monkeypatch.setattr(changes, "MANY", 5)
        changes.install(connection)  # rolled back with the test
        answer(Testimony.objects.visible_to(None), "")
        before = changes.rows(connection)
        Testimony.objects.update(access="public")
        logged = [
            row for key, row in changes.rows(connection).items() if key not in before
        ]
        assert logged == [(None, True)]
        same_everywhere(collection, audiences)


class TestOrder:
    @pytest.mark.parametrize("size", [0, 1, 700, 5000])
    def test_first_hits_in_order_across_blocks(self, size):
        rng = random.Random(size)
        ids = list(range(size))
        rng.shuffle(ids)
        order = hitsets.Order(ids)
        for share in (0, 0.001, 0.1, 1):
            chosen = {pk for pk in ids if rng.random() < share}
            bits = hitsets.bits_of(chosen)
            for count in (0, 1, 20, 10_000):
                expected = [pk for pk in ids if pk in chosen][:count]
                assert order.first(bits, count) == expected
        assert list(order) == ids

"""The SQLite store keeps no copy of the text, yet forgets old versions exactly.

Its FTS5 table is contentless: a row is deleted by handing FTS5 back the row's
distinct terms and column sizes, kept in a side table (see
testimonies/search/backends/sqlite.py). After many edits and deletions, the index
and the totals bm25 ranks by must be what a rebuild from scratch makes of the same
testimonies. The repair tests at the end also run on PostgreSQL.
"""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection

from testimonies.models import Narrator, Testimony, Theme, Translation
from testimonies.search import index, search
from testimonies.search.backends import backend_for
from testimonies.search.backends.base import FIELDS
from testimonies.search.backends.sqlite import COLUMNS, WEIGHTS, compile_match
from testimonies.search.query import parse_query

from .factories import make_narrator, make_testimony

pytestmark = pytest.mark.django_db
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite store"
)

# Words with different spreads over the testimonies and fields, so that bm25's
# inverse document frequencies and per-field average lengths all play a part.
QUERIES = [
    "bunker",
    "quiet",
    "bridge",
    "генератор",
    "drones",
    "heron",
    "подвал",
    "地下",
    "地",
    "室",
    '"地下 室"',
    '"closed road"',
    "bridge OR генератор",
]


def found(query):
    return {t.identifier for t in search(Testimony.objects.all(), query)}


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


def store():
    return backend_for(connection)


def scores():
    table = store().table
    weights = ", ".join(map(str, WEIGHTS))
    return {
        query: dict(
            sql(
                f"SELECT rowid, bm25({table}, {weights}) FROM {table} "
                f"WHERE {table} MATCH %s ORDER BY rowid",
                [compile_match(parse_query(query))],
            )
        )
        for query in QUERIES
    }


def postings():
    """Every (term, testimony, field, position) in the index, via fts5vocab."""
    table = store().table
    sql(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab "
        f"USING fts5vocab(main, {table}, instance)"
    )
    return sql("SELECT term, doc, col, offset FROM temp.vocab ORDER BY 1, 2, 3, 4")


def varints(blob):
    """SQLite varints, as FTS5 writes its document sizes and totals."""
    values, value = [], 0
    for byte in blob:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            values.append(value)
            value = 0
    return values


def totals():
    """FTS5's row count and tokens per field, which bm25 divides by."""
    # FTS5 keeps them in memory and writes them when a savepoint or commit comes.
    sql("SAVEPOINT totals")
    sql("RELEASE totals")
    (blob,) = sql(f"SELECT block FROM {store().table}_data WHERE id = 1")[0]
    # Empty after 'delete-all': all zero.
    return varints(blob) or [0] * (len(COLUMNS) + 1)


def docsizes():
    rows = sql(f"SELECT id, sz FROM {store().table}_docsize")
    return {pk: varints(blob) for pk, blob in rows}


def side_sizes():
    rows = sql(f"SELECT id, sizes FROM {store().terms_table}")
    return {pk: [int(size) for size in sizes.split()] for pk, sizes in rows}


@pytest.fixture
def edited():
    """Testimonies whose text, translations, tags and narrator were edited several
    times, and some of them deleted on the way."""
    owl = make_narrator(alias="Grey Owl")
    testimonies = [
        make_testimony(
            identifier=f"T{number}",
            title=f"Lantern {number}",
            summary="The closed road near the bridge." if number % 2 else "",
            body="We sat in the cellar. " * (number + 1) + "The generator hummed.",
            themes=["Evacuation"] if number % 3 == 0 else [],
            narrator=owl if number == 1 else None,
        )
        for number in range(8)
    ]
    japanese = make_testimony(
        identifier="JA", language="ja", body="地下室に三日間いた。"
    )
    # Untouched ones, so that most words are rare enough for bm25 to weigh them.
    for number in range(8):
        make_testimony(identifier=f"Q{number}", body="A quiet day. " * number)
    for round in range(4):
        # Runs of CJK characters are kept in the side table as runs, not bigrams.
        japanese.body = "地下室に三日間いた。" * round + "東京㍿のｶﾞｽ、3月に地下 室"
        japanese.save()
        for number, testimony in enumerate(testimonies[: 6 - round]):
            testimony.title = f"Bunker round {round}"
            testimony.body = (
                "Drones over the bridge. " * (number + round)
                + "Мы сидели в подвале. " * round
            )
            testimony.save()
            if number % 2:
                Translation.objects.update_or_create(
                    testimony=testimony,
                    language="ru",
                    defaults={"body": "Генератор в подвале. " * (round + 1)},
                )
            if round % 2:
                testimony.themes.add("Drones")
            else:
                testimony.themes.clear()
    testimonies[7].delete()
    Testimony.objects.filter(identifier__in=["T5", "T6"]).delete()
    Translation.objects.filter(testimony__identifier="T3").delete()
    owl.alias = "Grey Heron"
    owl.save()
    Theme.objects.get(name="Evacuation").delete()
    return testimonies


@sqlite_only
class TestContentlessStore:
    def test_old_words_are_forgotten_and_new_ones_found(self, edited):
        assert found("lantern") == found("evacuation") == found("owl") == set()
        assert found("heron") == {"T1"}
        assert found("bunker") == {"T0", "T1", "T2", "T3", "T4"}
        assert found("генератор") == {"T1"}
        assert found("drones") == {"T0", "T1", "T2", "T3", "T4"}
        terms = {term for term, *_ in postings()}
        assert "lantern" not in terms and "owl" not in terms

    def test_index_and_bm25_equal_a_rebuild(self, edited):
        before = scores(), totals(), postings(), docsizes()
        assert all(before[0].values())
        assert max(-min(s.values()) for s in before[0].values()) > 0.1
        index.rebuild()
        after = scores(), totals(), postings(), docsizes()
        for query in QUERIES:
            assert before[0][query].keys() == after[0][query].keys(), query
            for pk, score in before[0][query].items():
                assert score == pytest.approx(after[0][query][pk], rel=1e-12, abs=1e-9)
        assert before[1:] == after[1:]

    def test_side_table_holds_exactly_the_indexed_testimonies(self, edited):
        ids = set(Testimony.objects.values_list("pk", flat=True))
        assert set(side_sizes()) == set(docsizes()) == ids
        # The sizes kept are the ones FTS5 counted, and add up to its totals.
        assert side_sizes() == docsizes()
        rows, *per_field = totals()
        assert rows == len(ids)
        assert per_field == [
            sum(s[i] for s in docsizes().values()) for i in range(len(COLUMNS))
        ]

    def test_punctuation_case_and_foreign_spaces_are_counted_as_fts5_does(self):
        # The analyzer never makes such tokens; the side table must not rely on it.
        testimony = make_testimony(identifier="A", title="Cellar")
        before = totals(), postings()
        document = {name: [] for name in FIELDS}
        document["title"] = [["Foo-Bar", "x.y", "foo"], ["a\u00a0b", "Ünï", "UNI"]]
        document["body"] = [["...", "", "q"]]
        store().write([(testimony.pk, document)])
        assert side_sizes() == docsizes()
        # Columns: text (body and translations), title, summary, names.
        assert side_sizes()[testimony.pk] == [1, 9, 0, 0]
        assert found("bar") == {"A"} and found("cellar") == set()
        store().delete([testimony.pk])
        index.reindex([testimony.pk])
        assert (totals(), postings()) == before

    def test_store_keeps_no_content_and_its_size_counts_the_side_table(self, edited):
        names = {name for (name,) in sql("SELECT name FROM sqlite_master")}
        table = store().table
        assert f"{table}_content" not in names
        assert {f"{table}_data", f"{table}_docsize", store().terms_table} <= names
        shadows = [f"{table}_{name}" for name in ("data", "idx", "docsize", "config")]
        pages = dict(
            sql(
                "SELECT name, SUM(pgsize) FROM dbstat WHERE name IN "
                "(%s, %s, %s, %s, %s) GROUP BY name",
                [*shadows, store().terms_table],
            )
        )
        assert pages[store().terms_table] > 0
        assert store().size_in_bytes() == sum(pages.values())

    def test_size_without_dbstat_counts_the_side_table(self, edited, monkeypatch):
        backend = store()
        execute = backend.execute

        def without_dbstat(statement, params=()):
            if "dbstat" in statement:
                raise DatabaseError("no such table: dbstat")
            return execute(statement, params)

        monkeypatch.setattr(backend, "execute", without_dbstat)
        ((terms,),) = sql(f"SELECT SUM(length(terms)) FROM {backend.terms_table}")
        ((index_bytes,),) = sql(f"SELECT SUM(length(block)) FROM {backend.table}_data")
        assert backend.size_in_bytes() > terms + index_bytes > terms > 0

    def test_clear_empties_the_index_and_the_side_table(self, edited):
        store().clear()
        assert found("bunker") == set()
        assert side_sizes() == docsizes() == {}
        assert totals()[0] == 0


@pytest.mark.django_db(transaction=True)
class TestRepair:
    """migrate and flush end with a sync that makes the store match the testimonies
    (both databases)."""

    def test_migrate_indexes_a_testimony_missing_from_the_store(self):
        make_testimony(identifier="A", title="Cellar")
        missing = make_testimony(identifier="B", title="Cellar")
        store().delete([missing.pk])
        assert found("cellar") == {"A"}
        call_command("migrate", verbosity=0)
        assert found("cellar") == {"A", "B"}
        table = Testimony._meta.db_table
        assert store().missing_ids(table) == store().orphan_ids(table) == []

    def test_migrate_drops_rows_of_vanished_testimonies(self):
        testimony = make_testimony(identifier="A", title="Cellar")
        Testimony.objects.filter(pk=testimony.pk)._raw_delete(connection.alias)
        assert store().orphan_ids(Testimony._meta.db_table) == [testimony.pk]
        call_command("migrate", verbosity=0)
        assert store().orphan_ids(Testimony._meta.db_table) == []
        make_testimony(identifier="B", title="Bunker")
        assert found("cellar") == set() and found("bunker") == {"B"}

    def test_flush_leaves_an_empty_store(self):
        make_testimony(identifier="A", title="Cellar", narrator=make_narrator())
        call_command("flush", interactive=False, verbosity=0)
        assert not Narrator.objects.exists()
        assert store().orphan_ids(Testimony._meta.db_table) == []
        if connection.vendor == "sqlite":
            assert side_sizes() == docsizes() == {}
            assert totals()[0] == 0
        make_testimony(identifier="B", title="Cellar")
        assert found("cellar") == {"B"}

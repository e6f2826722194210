"""``python -m benchmarks.search.engine_insert``: what SQLite's FTS5 alone costs to
take the benchmark's testimonies, analysed beforehand (docs/performance.md, step 28).

    .venv/bin/python -m benchmarks.search.engine_insert [--documents 20000]

The lines are the search benchmark's collection (same seed). Each is analysed as
the index analyses a testimony (title, summary, body, the names it carries,
translations) and made into the SQLite store's row, untimed. Then only the INSERTs
of those rows into a new contentless FTS5 table of the store's columns are timed,
in one transaction, in a temporary file, with the archive's page cache. No code of
ours runs in the timed part: it is the floor under an import's rate on SQLite.
Prints milliseconds per testimony and the rate that floor allows.
"""

import argparse
import os
import sqlite3
import tempfile
import time
from pathlib import Path

BATCH = 2_000


def texts_of(line, tags):
    """The indexed text of one generated line, by field (``index.indexed_text``).

    A theme or place is defined (with its names in other languages) where the
    collection first mentions it, later by its name alone: ``tags`` remembers
    the definitions, ``{(kind, name): [every name]}``, from line to line.
    """
    names = [line["identifier"]]
    if line.get("narrator"):
        names.append(line["narrator"]["alias"])
    for kind in ("themes", "places"):
        for mention in line.get(kind, []):
            if isinstance(mention, str):
                mention = {"name": mention}
            key = (kind, mention["name"])
            defined = [mention["name"], *mention.get("names", {}).values()]
            names += tags.setdefault(key, defined)
    return {
        "title": [line["title"]],
        "summary": [line.get("summary", "")],
        "body": [line.get("body", "")],
        "names": names,
        "translations": [
            translation.get(key, "")
            for translation in line.get("translations", [])
            for key in ("title", "summary", "body")
        ],
        "spoken": {},  # the generated lines have no recordings
    }


def insert_seconds(rows, folder):
    """Seconds to insert ``rows`` (the store's rows) into a new FTS5 table."""
    from testimonies.search.backends.sqlite import COLUMNS, fts5_table_sql

    connection = sqlite3.connect(Path(folder) / "fts5.sqlite3", isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA cache_size = -65536")
        connection.execute(fts5_table_sql("t"))
        width = len(COLUMNS) + 1
        sql = (
            f"INSERT INTO t(rowid, {', '.join(COLUMNS)}) "
            f"VALUES ({', '.join(['?'] * width)})"
        )
        start = time.perf_counter()
        connection.execute("BEGIN")
        for first in range(0, len(rows), BATCH):
            connection.executemany(
                sql, [row[:width] for row in rows[first : first + BATCH]]
            )
        connection.execute("COMMIT")
        return time.perf_counter() - start
    finally:
        connection.close()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.search.engine_insert")
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=20240806)
    options = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    import django

    django.setup()
    from testimonies.search.backends.sqlite import SQLiteBackend
    from testimonies.search.index import analyze

    from .corpus import Collection

    collection, tags = Collection(options.seed), {}
    rows = [
        SQLiteBackend.row(number, analyze(texts_of(collection.line(number), tags)))
        for number in range(1, options.documents + 1)
    ]
    with tempfile.TemporaryDirectory(prefix="bench-fts5-") as folder:
        seconds = insert_seconds(rows, folder)
    per = seconds / len(rows) * 1000
    print(
        f"FTS5 insert of {len(rows):,} analysed testimonies: {seconds:.1f} s = "
        f"{per:.3f} ms a testimony; an import on SQLite cannot pass "
        f"{len(rows) / seconds:,.0f} testimonies/s"
    )


if __name__ == "__main__":
    main()

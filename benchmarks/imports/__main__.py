"""``python -m benchmarks.imports``: import and export throughput on synthetic
testimonies (docs/performance.md, "Import and export").

    .venv/bin/python -m benchmarks.imports [--lines 20000] [--format csv] [--keep]
    scripts/with_postgres.py .venv/bin/python -m benchmarks.imports

Works on a throwaway database (``benchmarks.databases``: a new SQLite file, or a
new database on the PostgreSQL server of ``DATABASE_URL``, dropped afterwards),
never the archive's own. Generates fictional multilingual lines with themes,
nested places, narrators, sources and translations, then times: a dry run, the
import (all new), a re-import (all updates), a dry run of the updates (the admin's
preview, with its field-level changes) and an export; ``--format csv`` writes the
same lines as spreadsheet rows. Progress reports are counted, with the longest
time without one. Prints lines per second
for each. Runs with ``DJANGO_DEBUG=0`` unless told otherwise (debug keeps every
query's SQL: 1.8 GB instead of 1.2 GB at 100,000 lines).
"""

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from ..databases import Refused, Throwaway

VOCABULARY = {
    "ru": "подвал эвакуация дорога автобус соседи дрон связь вода хлеб дом",
    "uk": "підвал евакуація дорога автобус сусіди дрон зв'язок вода хліб дім",
    "en": "basement evacuation road bus neighbours drone signal water bread home",
    "ja": "地下室 避難 道路 バス 近所 ドローン 電波 水 パン 家",
}
WORDS = {language: text.split(" ") for language, text in VOCABULARY.items()}
THEMES = [f"Theme {n}" for n in range(40)]
REGIONS = ["Kursk Oblast", "Sumy Oblast"]


def synthetic_line(number, rng):
    language = rng.choice(list(WORDS))
    words = WORDS[language]
    joiner = "" if language == "ja" else " "
    body = joiner.join(rng.choice(words) for _ in range(rng.randint(150, 450)))
    region = rng.choice(REGIONS)
    settlement = f"Settlement {rng.randint(1, 300)}"
    return {
        "identifier": f"BENCH-{number:06d}",
        "title": f"Synthetic testimony {number}",
        "language": language,
        "summary": body[:200],
        "body": body,
        "recorded_on": f"2024-{rng.randint(1, 12):02d}",
        "status": rng.choice(["draft", "published"]),
        "access": rng.choice(["public", "researchers", "restricted"]),
        # Publishing needs the narrator's consent for that audience (issue 5).
        "consent": {"status": "given", "scope": "public", "date": "2024-09-01"},
        "sample": True,
        "themes": rng.sample(THEMES, 3),
        "places": [
            {
                "name": settlement,
                "kind": "settlement",
                "parent": {"name": region, "kind": "region"},
            }
        ],
        "narrator": {"code": f"N-{rng.randint(1, 5000):05d}", "alias": "Narrator"},
        "source": {"title": f"Synthetic project {rng.randint(1, 50)}"},
        "translations": [{"language": "en", "title": f"Translation {number}"}],
    }


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.imports")
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server to create the throwaway database on, or a "
        "sqlite:/// path to a file that does not exist yet",
    )
    parser.add_argument("--keep", action="store_true", help="keep the run's folder")
    parser.add_argument(
        "--format",
        choices=["jsonl", "csv"],
        default="jsonl",
        help="the file to import: JSON Lines, or the same lines as CSV rows",
    )
    parser.add_argument(
        "--without-receivers",
        action="store_true",
        help="disconnect testimonies_changed receivers (the search index)",
    )
    args = parser.parse_args(argv)
    if args.lines < 1:
        parser.error("--lines must be positive")

    workdir = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:
        database = Throwaway.create(
            workdir, prefix="import_bench", url=args.database_url
        )
    except Refused as refusal:
        shutil.rmtree(workdir)
        parser.error(str(refusal))
    # Django reads its settings once, at set-up: point it at the new database
    # before that.
    os.environ["DATABASE_URL"] = database.url
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings.dev")
    try:
        measure(args, workdir)
    finally:
        from django.db import connections

        connections.close_all()
        database.drop()
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def measure(args, workdir):
    import django

    django.setup()
    from django.core.management import call_command

    from testimonies.exporting import export_testimonies
    from testimonies.importing import import_testimonies

    call_command("migrate", verbosity=0)
    if args.without_receivers:
        from testimonies.signals import testimonies_changed

        testimonies_changed.receivers.clear()
        testimonies_changed.sender_receivers_cache.clear()
    rng = random.Random(1)
    data = workdir / f"bench.{args.format}"
    with data.open("w", encoding="utf-8", newline="") as stream:
        if args.format == "csv":
            write_csv(stream, args.lines, rng)
        else:
            for number in range(args.lines):
                line = json.dumps(synthetic_line(number, rng), ensure_ascii=False)
                stream.write(line + "\n")
    size = data.stat().st_size
    print(f"{args.lines:,} lines, {size / 1e6:.1f} MB ({size / args.lines:.0f} B/line)")

    reports = []

    def progress(message):
        reports.append((time.perf_counter(), str(message)))

    def timed(label, function):
        reports.clear()
        start = time.perf_counter()
        function()
        seconds = time.perf_counter() - start
        gaps = [b[0] - a[0] for a, b in zip(reports, reports[1:], strict=False)]
        told = (
            f"  progress {len(reports)}x, longest silence "
            f"{max([reports[0][0] - start, *gaps]):.1f} s"
            if reports
            else ""
        )
        print(
            f"{label:<22} {seconds:7.2f} s  {args.lines / seconds:9,.0f} lines/s{told}"
        )

    def run(dry_run=False):
        with data.open("rb") as stream:
            import_testimonies(
                stream, dry_run=dry_run, progress=progress, name=data.name
            )

    def export():
        with (workdir / "export.jsonl").open("w", encoding="utf-8") as stream:
            export_testimonies(stream)

    timed("dry run", lambda: run(dry_run=True))
    timed("import (new)", run)
    timed("re-import (updates)", run)
    # The admin's preview of a file of updates: every changed field of the first
    # 200 and each new tag's lookalikes, on top of the dry run itself.
    timed("dry run (updates)", lambda: run(dry_run=True))
    timed("export", export)


def write_csv(stream, lines, rng):
    """The same synthetic lines as rows of the spreadsheet layout (places by
    name: a row names tags, it does not define them)."""
    import csv

    from testimonies import tabular

    header = tabular.columns(["en"], private=True)
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(header)
    for number in range(lines):
        row = tabular.flatten(synthetic_line(number, rng))
        writer.writerow([row.get(name, "") for name in header])


if __name__ == "__main__":
    sys.exit(main())

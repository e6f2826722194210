"""``python -m benchmarks.search``: the search benchmark (docs/performance.md).

    .venv/bin/python -m benchmarks.search --documents 100000
    scripts/with_postgres.py .venv/bin/python -m benchmarks.search --documents 100000
    .venv/bin/python -m benchmarks.search --scale 10000,100000,1000000
    .venv/bin/python -m benchmarks.search --documents 100000 --recorded 10000

The benchmark never touches the archive's own database. This launcher picks a
throwaway one — a new SQLite file in a temporary folder, or a new database created
on a PostgreSQL server (``--database-url``, or ``DATABASE_URL`` when it points at
PostgreSQL, as ``scripts/with_postgres.py`` sets it) — runs itself again in a child
process configured for it (Django reads its database settings once, at start), and
removes it afterwards. With ``--scale``, it does so once per size and ends with a
table of how the costs grow. Exit status 0 when the benchmark ran (targets met or
not: the report says which), 1 when it failed, 2 for wrong options.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ..databases import Refused, Throwaway, postgres_server

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DOCUMENTS = 100_000
#: The child's exit status when it measured but missed a target.
MISSED = 3


def arguments():
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.search",
        description="Generate a synthetic multilingual collection, import it into "
        "a throwaway database and time the search API against a naive scan and "
        "the bare engine.",
    )
    parser.add_argument(
        "--documents", type=int, help=f"testimonies (default {DEFAULT_DOCUMENTS:,})"
    )
    parser.add_argument(
        "--scale",
        type=sizes,
        help="several collection sizes, comma-separated (10000,100000): one run "
        "each, then a table of how the costs grow",
    )
    parser.add_argument("--runs", type=int, default=20, help="timed runs per query")
    parser.add_argument(
        "--naive-runs",
        type=int,
        default=3,
        help="timed runs of the (slow) naive scan per query; 0 skips it",
    )
    parser.add_argument(
        "--edit-rounds",
        type=int,
        default=5,
        help="edit + request rounds per query for the first request after an edit",
    )
    parser.add_argument(
        "--recorded",
        type=int,
        default=0,
        help="testimonies given an hour-long transcript after the import (600 "
        "cues), the query set timed before and after; default 0",
    )
    parser.add_argument("--seed", type=int, default=20240806)
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server to create the throwaway database on, or a "
        "sqlite:/// path to a file that does not exist yet. Default: DATABASE_URL "
        "if it is PostgreSQL, else a temporary SQLite file.",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the temporary folder (the JSONL, SQLite file and summaries)",
    )
    # Internal: the child process, already pointed at the throwaway database.
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    return parser


def sizes(text):
    try:
        values = [int(part.replace("_", "")) for part in text.split(",") if part]
    except ValueError:
        raise argparse.ArgumentTypeError(
            "sizes are whole numbers: 10000,100000"
        ) from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError("sizes are positive")
    return values


def main(argv=None):
    parser = arguments()
    options = parser.parse_args(argv)
    if options.documents is not None and options.scale:
        parser.error("--documents and --scale exclude each other")
    documents = options.scale or [options.documents or DEFAULT_DOCUMENTS]
    if min(documents) < 1 or options.runs < 1 or options.edit_rounds < 1:
        parser.error("--documents, --runs and --edit-rounds must be positive")
    if options.naive_runs < 0:
        parser.error("--naive-runs must be 0 or more")
    if not 0 <= options.recorded <= min(documents):
        parser.error("--recorded must be between 0 and --documents")
    if options.worker:
        return work(options, documents[0])
    url = options.database_url
    if len(documents) > 1 and url and not postgres_server(url):
        parser.error("--scale needs a new database per size: give a server")
    workdir = Path(tempfile.mkdtemp(prefix="bench-search-"))
    try:
        summaries = []
        for count in documents:
            try:
                database = Throwaway.create(
                    workdir, prefix=f"search_bench_{count}", url=options.database_url
                )
            except Refused as refusal:
                parser.error(str(refusal))
            with database:
                code = run_child(database.url, workdir, options, count)
            if database.path and not options.keep:
                database.remove_file()
            if code not in (0, MISSED):
                print(f"The benchmark failed (exit status {code}).", file=sys.stderr)
                return 1
            summaries.append(
                json.loads((workdir / f"summary-{count}.json").read_text())
            )
        if len(summaries) > 1:
            from .growth import table

            print()
            for line in table(summaries):
                print(line)
    finally:
        if options.keep:
            print(f"Kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


def run_child(url, workdir, options, documents):
    command = [
        sys.executable,
        "-m",
        "benchmarks.search",
        "--worker",
        f"--workdir={workdir}",
        f"--documents={documents}",
        f"--runs={options.runs}",
        f"--naive-runs={options.naive_runs}",
        f"--edit-rounds={options.edit_rounds}",
        f"--seed={options.seed}",
        f"--recorded={options.recorded}",
    ]
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_DEBUG": "0",  # no query log growing with every statement
        "DJANGO_SETTINGS_MODULE": os.environ.get(
            "DJANGO_SETTINGS_MODULE", "archive.settings.dev"
        ),
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])
        ),
        "PYTHONUNBUFFERED": "1",
    }
    return subprocess.run(command, cwd=ROOT, env=environment).returncode


def work(options, documents):
    """The child: Django set up on the throwaway database, then the benchmark."""
    import django

    django.setup()
    from .worker import run

    met = run(
        documents=documents,
        runs=options.runs,
        naive_runs=options.naive_runs,
        edit_rounds=options.edit_rounds,
        seed=options.seed,
        recorded=options.recorded,
        workdir=Path(options.workdir or tempfile.mkdtemp(prefix="bench-search-")),
        write=lambda line: print(line, flush=True),
        progress=lambda message: print(message, file=sys.stderr, flush=True),
    )
    # Distinguishes "measured, some targets missed" from a failure.
    return 0 if met else MISSED


if __name__ == "__main__":
    sys.exit(main())

"""``python -m benchmarks.load``: many readers, an archivist and an import at once
(docs/performance.md, "Load: many readers, an archivist and an import at once").

    .venv/bin/python -m benchmarks.load --seconds 120
    .venv/bin/python -m benchmarks.load --seconds 5 --import-lines 300 --base-lines 200
    scripts/with_postgres.py .venv/bin/python -m benchmarks.load --seconds 120

On SQLite (a new file) unless DATABASE_URL points at a PostgreSQL server, where a
throwaway database is created and dropped afterwards. Exit status 0 when every
criterion is met, 1 otherwise. Load goes only to gunicorn on 127.0.0.1.
"""

import argparse
import os
import sys

# Locust patches the standard library for gevent: before anything opens a socket.
import locust  # noqa: F401

from .run import run


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load")
    parser.add_argument("--seconds", type=float, default=120, help="load time")
    parser.add_argument("--import-lines", type=int, default=10_000)
    parser.add_argument(
        "--base-lines", type=int, default=2_000, help="testimonies to start with"
    )
    parser.add_argument(
        "--workers", type=int, help="gunicorn workers (default: gunicorn.conf.py)"
    )
    parser.add_argument(
        "--database",
        metavar="URL",
        help="an existing database without testimonies to use (and leave) "
        "instead of a new one (the test suite's scratch database)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the run's folder")
    options = parser.parse_args(argv)
    if not (0 < options.seconds <= 3600):
        parser.error("--seconds must be between 0 and 3600")
    if options.import_lines < 1 or options.base_lines < 10:
        parser.error("--import-lines must be positive, --base-lines at least 10")
    url = os.environ.get("DATABASE_URL", "")
    server = url if url.startswith(("postgres://", "postgresql://")) else None
    met = run(
        seconds=options.seconds,
        import_lines=options.import_lines,
        base_lines=options.base_lines,
        server=server,
        database_url=options.database,
        workers=options.workers,
        keep=options.keep,
        write=lambda line: print(line, flush=True),
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())

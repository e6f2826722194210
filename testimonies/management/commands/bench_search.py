"""``manage.py bench_search``: the search benchmark (docs/performance.md).

The benchmark never touches the archive's own database. This command picks a
throwaway one — a new SQLite file in a temporary folder, or a new database created
on a PostgreSQL server (``--database-url``, or ``DATABASE_URL`` when it points at
PostgreSQL, as ``scripts/with_postgres.py`` sets it) — runs itself again in a child
process configured for it (Django reads its database settings once, at start), and
removes it afterwards.
"""

import argparse
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = (
        "Generate a synthetic multilingual collection, import it into a throwaway "
        "database and time the search API against a naive scan and the bare engine."
    )

    def add_arguments(self, parser):
        parser.add_argument("--documents", type=int, default=100_000)
        parser.add_argument(
            "--runs", type=int, default=20, help="Timed runs per query."
        )
        parser.add_argument(
            "--naive-runs",
            type=int,
            default=3,
            help="Timed runs of the (slow) naive scan per query.",
        )
        parser.add_argument("--seed", type=int, default=20240806)
        parser.add_argument(
            "--database-url",
            help=(
                "A PostgreSQL server to create the throwaway database on, or a "
                "sqlite:/// path to a file that does not exist yet. Default: "
                "DATABASE_URL if it is PostgreSQL, else a temporary SQLite file."
            ),
        )
        parser.add_argument(
            "--keep",
            action="store_true",
            help="Keep the temporary folder (the JSONL and SQLite file).",
        )
        # Internal: the child process, already pointed at the throwaway database.
        parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
        parser.add_argument("--workdir", help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        if options["documents"] < 1 or options["runs"] < 1 or options["naive_runs"] < 1:
            raise CommandError(
                _("--documents, --runs and --naive-runs must be positive.")
            )
        if options["worker"]:
            return self.work(options)
        workdir = Path(tempfile.mkdtemp(prefix="bench-search-"))
        url = options["database_url"] or os.environ.get("DATABASE_URL", "")
        server = url if url.startswith(("postgres://", "postgresql://")) else None
        database = None
        try:
            if server:
                database, target = create_postgres_database(server)
            elif options["database_url"]:
                target = new_sqlite_file(options["database_url"])
            else:
                target = f"sqlite:///{workdir / 'bench.sqlite3'}"
            code = self.run_child(target, workdir, options)
        finally:
            if database:
                drop_postgres_database(server, database)
            if options["keep"]:
                self.stderr.write(_("Kept %(path)s") % {"path": workdir})
            else:
                shutil.rmtree(workdir, ignore_errors=True)
        if code not in (0, 3):
            raise CommandError(
                _("The benchmark failed (exit status %(code)s).") % {"code": code}
            )

    def run_child(self, target, workdir, options):
        command = [
            sys.executable,
            "-m",
            "django",
            "bench_search",
            "--worker",
            f"--workdir={workdir}",
            f"--documents={options['documents']}",
            f"--runs={options['runs']}",
            f"--naive-runs={options['naive_runs']}",
            f"--seed={options['seed']}",
        ]
        environment = {
            **os.environ,
            "DATABASE_URL": target,
            "DJANGO_DEBUG": "0",  # no query log growing with every statement
            "DJANGO_SETTINGS_MODULE": os.environ.get(
                "DJANGO_SETTINGS_MODULE", "archive.settings.dev"
            ),
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(settings.BASE_DIR), os.environ.get("PYTHONPATH")])
            ),
        }
        child = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        for line in child.stdout:
            self.stdout.write(line.rstrip("\n"))
        return child.wait()

    def work(self, options):
        from testimonies.benchmark import worker

        def progress(message):
            self.stderr.write(message)

        met = worker.run(
            documents=options["documents"],
            runs=options["runs"],
            naive_runs=options["naive_runs"],
            seed=options["seed"],
            workdir=options["workdir"],
            write=lambda line: self.stdout.write(line),
            progress=progress,
        )
        self.stdout.flush()
        if not met:
            # Distinguishes "measured, some targets missed" from a failure.
            sys.exit(3)


def new_sqlite_file(url):
    if not url.startswith("sqlite:///"):
        raise CommandError(
            _("--database-url takes a postgres:// server or a sqlite:/// file.")
        )
    path = Path(url.removeprefix("sqlite:///")).expanduser()
    if path.exists():
        raise CommandError(
            _("%(path)s exists: the benchmark only writes to a new file.")
            % {"path": path}
        )
    return url


def create_postgres_database(server):
    """Create an empty database on ``server``; return its name and URL."""
    import psycopg

    name = f"bench_search_{secrets.token_hex(4)}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
    parts = urlsplit(server)
    return name, urlunsplit(parts._replace(path=f"/{name}"))


def drop_postgres_database(server, name):
    import psycopg

    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

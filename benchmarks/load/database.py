"""The throwaway database the load benchmark serves, and what it starts with.

A new SQLite file in the run's folder, or, when ``DATABASE_URL`` points at a
PostgreSQL server (as ``scripts/with_postgres.py`` sets it), a new database created
there and dropped afterwards (``benchmarks.databases``). The archive's own
database is never touched (the test suite may hand over a scratch database of its
own, ``--database``). Every step runs the archive's own code in a child process
(``manage.py``), as an operator would.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from .. import databases

ROOT = Path(__file__).resolve().parents[2]
ARCHIVIST = ("archivist", "load-benchmark-archivist-7Hq2")

#: Printed by the child after seeding: what the visitors and the archivist use.
SURVEY = """
import json
from django.contrib.auth import get_user_model
from testimonies.models import Place, Testimony, Theme

get_user_model().objects.create_superuser({username!r}, "", {password!r})
visible = Testimony.objects.visible_to(None).order_by("identifier")
identifiers = list(visible.values_list("identifier", flat=True)[:500])
edited = visible.get(identifier=identifiers[0])
print(json.dumps({{
    "testimonies": identifiers[1:],
    "edited": {{"pk": edited.pk, "identifier": edited.identifier}},
    "themes": list(Theme.objects.values_list("slug", flat=True)),
    "places": list(Place.objects.values_list("slug", flat=True)),
}}))
"""


class Database:
    """One run's database: ``url``, and ``manage()`` to run commands on it."""

    def __init__(self, folder, server=None, url=None):
        self.folder = Path(folder)
        self.media = self.folder / "media"
        self.media.mkdir()
        self.created_on = None  # the server to drop a database we created from
        if url is None and server:
            self.name, url = databases.create_postgres(server, "load_bench")
            self.created_on = server
        elif url is None:
            url = f"sqlite:///{self.folder / 'load.sqlite3'}"
        self.url = url
        self.vendor = "sqlite" if url.startswith("sqlite:") else "postgresql"
        if self.vendor == "sqlite":
            self.path = Path(url.removeprefix("sqlite:///"))

    def environment(self, **extra):
        return {
            **os.environ,
            "DATABASE_URL": self.url,
            "DJANGO_SETTINGS_MODULE": "archive.settings.dev",
            "DJANGO_DEBUG": "0",  # no query log growing with every statement
            "DJANGO_MEDIA_ROOT": str(self.media),
            "DJANGO_STATIC_ROOT": str(self.folder / "static"),
            "PYTHONPATH": str(ROOT),
            **extra,
        }

    def command(self, *args):
        return [sys.executable, "manage.py", *map(str, args)]

    def manage(self, *args):
        done = subprocess.run(
            self.command(*args),
            cwd=ROOT,
            env=self.environment(),
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr}")
        return done.stdout

    def prepare(self, base_file):
        """Migrate, import the starting testimonies, collect the static files
        and add the archivist; return what the load needs (SURVEY)."""
        # Production's static storage needs the collected files' manifest; they
        # do not depend on the database, so they are collected meanwhile.
        static = subprocess.Popen(
            self.command("collectstatic", "--noinput", "-v0"),
            cwd=ROOT,
            env=self.environment(),
            stderr=subprocess.PIPE,
            text=True,
        )
        self.manage("migrate", "--noinput", "-v0")
        self.manage("import_testimonies", base_file, "-v0")
        username, password = ARCHIVIST
        code = SURVEY.format(username=username, password=password)
        survey = json.loads(self.manage("shell", "-v0", "-c", code))
        _out, errors = static.communicate()
        if static.returncode:
            raise RuntimeError(f"manage.py collectstatic failed:\n{errors}")
        return survey

    def committed_count(self, prefix):
        """A reader of its own that counts the committed testimonies whose
        identifier starts with ``prefix``: the truth the searches are held to."""
        query = "SELECT count(*) FROM testimonies_testimony WHERE identifier LIKE "
        if self.vendor == "sqlite":
            import sqlite3

            connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            statement = query + "?"

            def count():
                return connection.execute(statement, [prefix + "%"]).fetchone()[0]
        else:
            import psycopg

            connection = psycopg.connect(self.url, autocommit=True)
            statement = query + "%s"

            def count():
                return connection.execute(statement, [prefix + "%"]).fetchone()[0]

        return count, connection.close

    def drop(self):
        if self.created_on:
            databases.drop_postgres(self.created_on, self.name)

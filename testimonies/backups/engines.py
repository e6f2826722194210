"""What a backup and a restore do that differs per database, one class per vendor.

SQLite: Python's ``sqlite3`` backup API copies the live file in one step, that is
within one read transaction: a consistent snapshot, while writers carry on (WAL
mode lets them). A restore copies the bag's file into the live connection the same
way, replacing the whole database at once.

PostgreSQL: ``pg_dump -Fc`` run on a snapshot exported from a repeatable-read
transaction, in which the counts written to bag-info are also taken, so they are
the dump's. A restore drops the (empty) archive's tables, then ``pg_restore`` loads
the dump in a single transaction. Connection settings come from DATABASES; the
password goes to the tools through PGPASSWORD, never on their command line.
"""

import glob
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.backends.postgresql.client import DatabaseClient
from django.utils.translation import gettext as _

from ..models import Document, Photo, Recording, Testimony
from ..search import changes
from ..search.backends.base import TABLE as search_table
from . import BackupError


@dataclass
class Facts:
    """What a snapshot holds, read in the snapshot itself."""

    migrations: dict  # app label: name of its latest applied migration
    testimonies: int
    media_names: set  # file names the database refers to


def engine_for(connection):
    engines = {engine.vendor: engine for engine in (SQLiteEngine, PostgreSQLEngine)}
    try:
        return engines[connection.vendor](connection)
    except KeyError:
        raise BackupError(
            _("Backups support SQLite and PostgreSQL, not %(vendor)s.")
            % {"vendor": connection.vendor}
        ) from None


class SQLiteEngine:
    vendor = "sqlite"
    filename = "archive.sqlite3"

    def __init__(self, connection):
        self.connection = connection

    def snapshot(self, path):
        """Copy the live database to ``path``; return the copy's Facts."""
        self.connection.ensure_connection()
        copy = sqlite3.connect(path)
        try:
            # pages=-1 (the default): all pages in one step, one read transaction.
            self.connection.connection.backup(copy)
            # The copy inherits WAL mode; a bag's file must stand alone, without
            # -wal and -shm files appearing beside it whenever it is opened.
            copy.execute("PRAGMA journal_mode = DELETE")
            (verdict,) = copy.execute("PRAGMA quick_check").fetchone()
            if verdict != "ok":
                raise BackupError(
                    _("The database copy failed its check: %(verdict)s")
                    % {"verdict": verdict}
                )
            return read_facts(copy.cursor())
        finally:
            copy.close()

    def restore(self, path):
        """Replace the live database with the file at ``path``."""
        self.connection.ensure_connection()
        # A URI, so the copy opens read-only; as_uri() quotes "#", "?" and "%",
        # which would otherwise cut the path short (an empty new database).
        source = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
        try:
            source.backup(self.connection.connection)
        finally:
            source.close()


class PostgreSQLEngine:
    vendor = "postgresql"
    filename = "archive.dump"

    def __init__(self, connection):
        self.connection = connection

    def snapshot(self, path):
        with (
            transaction.atomic(using=self.connection.alias),
            self.connection.cursor() as cursor,
        ):
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
            facts = read_facts(cursor)
            # The transaction stays open until pg_dump is done: the snapshot it
            # exported lives only as long.
            self.run(
                "pg_dump",
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={path}",
            )
        return facts

    def restore(self, path):
        with (
            transaction.atomic(using=self.connection.alias),
            self.connection.cursor() as cursor,
        ):
            # The database was checked empty; only the tables of this project
            # go (its models', migrate's own, the search store and change log
            # with its functions), never another application's that shares the
            # schema.
            changes.uninstall(self.connection)
            ours = set(self.connection.introspection.django_table_names())
            ours |= {"django_migrations", search_table}
            tables = [
                table
                for table in self.connection.introspection.table_names(cursor)
                if table in ours
            ]
            if tables:
                quoted = ", ".join(map(self.connection.ops.quote_name, tables))
                cursor.execute(f"DROP TABLE {quoted} CASCADE")
        self.connection.close()
        self.run(
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            str(path),
        )

    def run(self, tool, *arguments):
        """Run a PostgreSQL client tool against the configured database."""
        settings = self.connection.settings_dict
        # Django's psql settings give the password, SSL files, service and
        # passfile as libpq's variables; host, port and user go the same way.
        _args, env = DatabaseClient.settings_to_cmd_args_env(settings, [])
        env = dict(env or {})
        for variable, key in (
            ("PGHOST", "HOST"),
            ("PGPORT", "PORT"),
            ("PGUSER", "USER"),
        ):
            if settings.get(key):
                env[variable] = str(settings[key])
        service = settings["OPTIONS"].get("service")
        database = settings.get("NAME") or (
            f"service={service}" if service else "postgres"
        )
        command = [find_tool(tool), "--no-password", f"--dbname={database}"]
        done = subprocess.run(
            [*command, *arguments],
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise BackupError(
                _("%(tool)s failed: %(error)s")
                % {"tool": tool, "error": done.stderr.strip()}
            )


def find_tool(name):
    """A PostgreSQL client tool: on PATH, else the newest of Debian's versions."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not candidates:
        raise BackupError(
            _(
                "%(tool)s was not found on PATH or in /usr/lib/postgresql: "
                "install PostgreSQL's client tools."
            )
            % {"tool": name}
        )
    return candidates[-1]


def read_facts(cursor):
    """Facts from a DB-API cursor on the snapshot (the same SQL for both engines)."""
    cursor.execute("SELECT app, name FROM django_migrations")
    migrations = {}
    for app, name in cursor.fetchall():
        migrations[app] = max(migrations.get(app, ""), name)
    cursor.execute(f'SELECT COUNT(*) FROM "{Testimony._meta.db_table}"')
    (testimonies,) = cursor.fetchone()
    names = set()
    stored = [
        (Photo, ["image", "thumbnail"]),
        (Document, ["file"]),
        (Recording, ["file"]),
    ]
    for model, fields in stored:
        columns = ", ".join(f'"{field}"' for field in fields)
        cursor.execute(f'SELECT {columns} FROM "{model._meta.db_table}"')
        names.update(name for row in cursor.fetchall() for name in row if name)
    return Facts(migrations=migrations, testimonies=testimonies, media_names=names)

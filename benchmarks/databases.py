"""Throwaway databases: the one place that creates and drops them, for every
benchmark (search, imports, load) and for the test suite's scratch databases.

A benchmark never touches the archive's own database. It works on a new SQLite
file, or on a new database it creates on the PostgreSQL server that
``DATABASE_URL`` names (``scripts/with_postgres.py`` sets it to a throwaway
cluster) and drops afterwards. Nothing here needs Django: a launcher picks the
database first and only then starts the archive's code pointed at it.
"""

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

POSTGRES_SCHEMES = ("postgres://", "postgresql://")


class Refused(ValueError):
    """A database URL a benchmark will not write to."""


def postgres_server(url=None):
    """``url`` (default: ``DATABASE_URL``) if it names a PostgreSQL server."""
    url = os.environ.get("DATABASE_URL", "") if url is None else url
    return url if url.startswith(POSTGRES_SCHEMES) else None


def on_server(server, name):
    """The URL of database ``name`` on the server of ``server``."""
    return urlunsplit(urlsplit(server)._replace(path=f"/{name}"))


def create_postgres(server, prefix, template="template0"):
    """Create an empty database named ``prefix_…`` on ``server`` (a copy of
    ``template``); return its name and URL."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    _admin(server, f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE "{template}"')
    return name, on_server(server, name)


def drop_postgres(server, name):
    _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin(server, statement):
    import psycopg

    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(statement)


class Throwaway:
    """One run's new database: ``url``, ``vendor``; ``drop()`` removes it if it
    was created on a server (a SQLite file goes with its folder)."""

    def __init__(self, url, server=None, name=None):
        self.url = url
        self.vendor = "sqlite" if url.startswith("sqlite:") else "postgresql"
        self._server, self._name = server, name

    @classmethod
    def create(cls, folder, *, prefix, url=None):
        """A new database for a run whose files go to ``folder``.

        ``url`` (an option of the benchmark) may name a PostgreSQL server, where a
        database ``prefix_…`` is created, or a ``sqlite:///`` file that must not
        exist yet. Without it, ``DATABASE_URL`` is used when it names a PostgreSQL
        server; otherwise (a SQLite ``DATABASE_URL`` is the archive's own file)
        the database is a new file in ``folder``.
        """
        server = postgres_server(url or None)
        if server:
            name, new = create_postgres(server, prefix)
            return cls(new, server, name)
        if url:
            return cls(new_sqlite_file(url))
        return cls(f"sqlite:///{Path(folder) / f'{prefix}.sqlite3'}")

    @property
    def path(self):
        """The SQLite file (``None`` on PostgreSQL)."""
        if self.vendor != "sqlite":
            return None
        return Path(self.url.removeprefix("sqlite:///"))

    def remove_file(self):
        """Delete the SQLite file with its write-ahead log and shared memory: the
        log of a large import is as big as the database until a checkpoint."""
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def drop(self):
        if self._name:
            drop_postgres(self._server, self._name)
            self._name = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.drop()


def new_sqlite_file(url):
    """``url`` if it is a ``sqlite:///`` path to a file that does not exist yet."""
    if not url.startswith("sqlite:///"):
        raise Refused("a database URL is a postgres:// server or a sqlite:/// file")
    path = Path(url.removeprefix("sqlite:///")).expanduser()
    if path.exists():
        raise Refused(f"{path} exists: a benchmark only writes to a new file")
    return f"sqlite:///{path}"

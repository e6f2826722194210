"""Throwaway databases that other processes can open, for tests of concurrency,
crashes and backups: the test database itself lives inside one process (SQLite in
memory) or inside one uncommitted transaction (PostgreSQL).

A test may take several (``scratch`` and ``another_scratch``, tests/conftest.py),
each with its own database and media folder: a backup of one restored into another.

A scratch database is migrated once per test session and copied for each test: a
file on SQLite, a database made from a template on the test's PostgreSQL server
(created and dropped by ``benchmarks.databases``, as the benchmarks' are). Tests
that all start from the same rows and files (tests/test_backup.py) seed a template
of their own once (``ScratchTemplate.seeded``) and copy it the same way.
Child processes run the archive's own code (``manage.py`` or a snippet of Python
after ``django.setup()``) against it.
"""

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from django.db import connection

from benchmarks import databases

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 180


def child_environment(url, media_root, **extra):
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "archive.settings.dev",
        "DJANGO_DEBUG": "0",
        "DJANGO_MEDIA_ROOT": str(media_root),
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
        **{name: str(value) for name, value in extra.items()},
    }


class Scratch:
    """One test's database (``url``) and media folder, and ways to run children."""

    def __init__(self, url, media_root, drop=None):
        self.url = url
        self.media_root = media_root
        self._drop = drop

    def environment(self, **extra):
        return child_environment(self.url, self.media_root, **extra)

    def manage(self, *args, env=None, timeout=TIMEOUT):
        """Run ``manage.py ARGS`` to the end; return the CompletedProcess."""
        return subprocess.run(
            [sys.executable, "manage.py", *map(str, args)],
            cwd=ROOT,
            env=self.environment(**(env or {})),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def start_manage(self, *args, env=None):
        return self._start([sys.executable, "manage.py", *map(str, args)], env)

    def start_python(self, code, env=None):
        """Start ``code`` (after ``django.setup()``) in a child; return the Popen."""
        preamble = "import django\ndjango.setup()\n"
        source = preamble + textwrap.dedent(code)
        return self._start([sys.executable, "-c", source], env)

    def python(self, code, env=None, timeout=TIMEOUT):
        """Run ``code`` in a child to the end; return its standard output."""
        child = self.start_python(code, env)
        out, err = child.communicate(timeout=timeout)
        assert child.returncode == 0, err
        return out

    def _start(self, command, env):
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.environment(**(env or {})),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def drop(self):
        if self._drop:
            self._drop()


class ScratchTemplate:
    """A database and media folder that each test's scratch database is copied
    from: migrated (``ScratchTemplate(folder)``), or a migrated one with some rows
    and files already in it (``seeded``)."""

    def __init__(self, folder, *, base=None, code=None):
        self.folder = Path(folder)
        self.vendor = connection.vendor
        self.media = self.folder / "template-media"
        if base is None:
            self.media.mkdir()
        else:
            shutil.copytree(base.media, self.media)
        if self.vendor == "postgresql":
            self.server = os.environ["DATABASE_URL"]
            template = "template0" if base is None else base.name
            self.name, url = databases.create_postgres(
                self.server, "scratch_template", template=template
            )
        else:
            self.path = self.folder / "template.sqlite3"
            url = f"sqlite:///{self.path}"
            if base is not None:
                shutil.copyfile(base.path, self.path)
        template = Scratch(url, self.media)
        if base is None:
            done = template.manage("migrate", "--noinput")
            assert done.returncode == 0, done.stderr
        if code is not None:
            template.python(code)

    def seeded(self, folder, code):
        """A template of its own: a copy of this one once ``code`` has run in it
        (after ``django.setup()``), made once for the tests that start from it."""
        return ScratchTemplate(folder, base=self, code=code)

    def copy(self, folder):
        folder = Path(folder)
        media = folder / "media"
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copytree(self.media, media)
        if self.vendor == "postgresql":
            name, url = databases.create_postgres(
                self.server, "scratch", template=self.name
            )
            return Scratch(url, media, drop=lambda: self._drop(name))
        path = folder / "archive.sqlite3"
        shutil.copyfile(self.path, path)
        return Scratch(f"sqlite:///{path}", media)

    def remove(self):
        if self.vendor == "postgresql":
            self._drop(self.name)

    def _drop(self, name):
        databases.drop_postgres(self.server, name)

"""``python -m benchmarks.imports`` times a dry run, an import, a re-import and an
export on a throwaway database of its own."""

import re
import subprocess
import sys

import pytest

from testimonies.models import Testimony

from ..scratch import ROOT

pytestmark = pytest.mark.django_db


def imports(*args):
    return subprocess.run(
        [sys.executable, "-m", "benchmarks.imports", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_small_run_reports_each_step():
    done = imports("--lines", 30)
    assert done.returncode == 0, done.stdout + done.stderr
    for step in ("dry run", "import (new)", "re-import (updates)", "export"):
        assert re.search(rf"{re.escape(step)} +[\d.]+ s +[\d,]+ lines/s", done.stdout)
    assert not Testimony.objects.exists()


def test_refuses_an_existing_sqlite_file(tmp_path):
    existing = tmp_path / "archive.sqlite3"
    existing.write_bytes(b"")
    done = imports("--lines", 10, "--database-url", f"sqlite:///{existing}")
    assert done.returncode == 2
    assert "exists" in done.stderr
    assert existing.read_bytes() == b""

"""Several writers at once: archivists saving while an import runs, two imports,
an import killed half-way. Each runs in child processes against a scratch database
of its own (tests/scratch.py), on SQLite and on PostgreSQL.
"""

import json
import signal

import pytest
from django.db import OperationalError, connection

from testimonies.models import Testimony

from .factories import make_testimony

pytestmark = pytest.mark.django_db

SAVER = """
import sys, time
from django.db import transaction
from testimonies.models import Testimony
saves, slowest = 0, 0.0
for number in range({rounds}):
    start = time.monotonic()
    with transaction.atomic():
        # Read, then write, as the admin's change form does.
        testimony = Testimony.objects.get(identifier="{identifier}")
        testimony.title = "Saved %d" % number
        testimony.save()
    slowest = max(slowest, time.monotonic() - start)
    saves += 1
    time.sleep(0.05)
print(saves, round(slowest, 2))
"""


def write_import(path, count, prefix="BULK", theme="Evacuation"):
    with path.open("w", encoding="utf-8") as stream:
        for number in range(1, count + 1):
            line = {
                "identifier": f"{prefix}-{number:05d}",
                "title": f"Basement night {number}",
                "language": "en",
                "body": "We sheltered in the basement while the drones flew. " * 20,
                "themes": [theme, f"{theme} {number % 7}"],
                "places": ["Sudzha"],
            }
            stream.write(json.dumps(line) + "\n")
    return path


def create_saved_testimonies(scratch, identifiers):
    scratch.python(
        f"""
        from testimonies.models import Testimony
        for identifier in {identifiers!r}:
            Testimony.objects.create(
                identifier=identifier, title="Start", language="en"
            )
        """
    )


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(scratch):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's journal")
    out = scratch.python(
        """
        from django.db import connection
        with connection.cursor() as cursor:
            mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
            timeout = cursor.execute("PRAGMA busy_timeout").fetchone()[0]
        print(mode, connection.transaction_mode, timeout)
        """
    )
    assert out.split() == ["wal", "IMMEDIATE", "30000"]


def test_archivists_saves_wait_for_an_import_instead_of_failing(scratch, tmp_path):
    create_saved_testimonies(scratch, ["SAVE-1", "SAVE-2"])
    data = write_import(tmp_path / "big.jsonl", 3000)
    importer = scratch.start_manage("import_testimonies", data, "-v0")
    savers = [
        scratch.start_python(SAVER.format(rounds=30, identifier=identifier))
        for identifier in ("SAVE-1", "SAVE-2")
    ]
    results = [child.communicate(timeout=180) for child in savers]
    _out, err = importer.communicate(timeout=180)
    assert importer.returncode == 0, err
    for child, (out, err) in zip(savers, results, strict=True):
        assert child.returncode == 0, err
        assert out.split()[0] == "30"
    counts = scratch.python(
        """
        from testimonies.models import Testimony
        print(Testimony.objects.filter(identifier__startswith="BULK-").count(),
              sorted(Testimony.objects.filter(identifier__startswith="SAVE-")
                     .values_list("title", flat=True)))
        """
    )
    assert counts.strip() == "3000 ['Saved 29', 'Saved 29']"


def test_two_imports_of_one_file_at_once_run_one_after_the_other(scratch, tmp_path):
    data = write_import(tmp_path / "same.jsonl", 1500, theme="Checkpoints")
    first = scratch.start_manage("import_testimonies", data)
    second = scratch.start_manage("import_testimonies", data)
    outputs = [child.communicate(timeout=180) for child in (first, second)]
    for child, (_out, err) in zip((first, second), outputs, strict=True):
        assert child.returncode == 0, err
        assert "Traceback" not in err
    summaries = sorted(out for out, _err in outputs)
    assert "created: 0, updated: 1500" in summaries[0]
    assert "created: 1500, updated: 0" in summaries[1]
    counts = scratch.python(
        """
        from testimonies.models import Testimony, Theme, Place
        print(Testimony.objects.count(), Theme.objects.count(), Place.objects.count())
        """
    )
    assert counts.split() == ["1500", "8", "1"]


#: Holds what an import waits for: SQLite's write lock, PostgreSQL's import lock.
HOLDER = {
    "sqlite": """
        import time
        from django.db import transaction
        from testimonies.models import Theme
        with transaction.atomic():
            Theme.objects.create(name="Held")
            print("locked", flush=True)
            time.sleep(60)
        """,
    "postgresql": """
        import time
        from django.db import connection, transaction
        from testimonies.importing.locking import import_lock
        with transaction.atomic(), import_lock():
            print("locked", flush=True)
            time.sleep(60)
        """,
}


def test_an_import_that_cannot_get_the_lock_in_time_says_so(scratch, tmp_path):
    data = write_import(tmp_path / "small.jsonl", 20)
    holder = scratch.start_python(HOLDER[connection.vendor])
    assert holder.stdout.readline().strip() == "locked"
    short = {"DJANGO_SQLITE_TIMEOUT": "0.2", "DJANGO_IMPORT_LOCK_TIMEOUT": "0.2"}
    try:
        done = scratch.manage("import_testimonies", data, env=short)
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 1
    assert "busy writing another import" in done.stderr
    assert "nothing was imported" in done.stderr
    assert "Traceback" not in done.stderr
    count = scratch.python(
        "from testimonies.models import Testimony; print(Testimony.objects.count())"
    )
    assert count.strip() == "0"


def test_an_import_killed_half_way_leaves_nothing(scratch, tmp_path):
    data = write_import(tmp_path / "killed.jsonl", 6000, theme="Killed theme")
    importer = scratch.start_manage("import_testimonies", data)
    for message in importer.stderr:
        if message.startswith("Wrote"):  # in the transaction, after 2,000 rows
            break
    else:
        pytest.fail("the import never reported writing")
    importer.send_signal(signal.SIGKILL)
    importer.wait()
    probe = """
        from testimonies.models import Testimony, Theme, Place, ThemedItem
        from testimonies.search import search
        from testimonies.search.backends import backend_for
        from django.db import connection
        table, _column = backend_for(connection).stored_ids()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table}")
            stored = cursor.fetchone()[0]
        print(Testimony.objects.count(), Theme.objects.count(), Place.objects.count(),
              ThemedItem.objects.count(), stored,
              search(Testimony.objects.all(), "basement").count())
        """
    assert scratch.python(probe).split() == ["0", "0", "0", "0", "0", "0"]
    # The next import, of the same file, finds nothing in its way.
    done = scratch.manage("import_testimonies", data, "-v0")
    assert done.returncode == 0, done.stderr
    assert scratch.python(probe).split() == ["6000", "8", "1", "12000", "6000", "6000"]


def test_a_write_that_waits_too_long_answers_busy_not_500(client, monkeypatch):
    make_testimony(identifier="BUSY-1", status="published", access="public")
    client.raise_request_exception = False

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(type(Testimony.objects.all()), "visible_to", locked)
    page = client.get("/testimonies/")
    assert page.status_code == 503
    assert page["Retry-After"] == "30"
    assert "busy saving other changes" in page.content.decode()
    api = client.get("/api/v1/testimonies/")
    assert api.status_code == 503
    assert "busy" in api.json()["detail"]


def test_other_server_errors_still_answer_500(client, monkeypatch):
    client.raise_request_exception = False

    def broken(*args, **kwargs):
        raise OperationalError("no such table: testimonies_testimony")

    monkeypatch.setattr(type(Testimony.objects.all()), "visible_to", broken)
    page = client.get("/testimonies/")
    assert page.status_code == 500
    assert "Something went wrong" in page.content.decode()


#: Writes in a transaction left open until the file ``release`` appears.
HELD_WRITER = """
import time
from pathlib import Path
from django.db import transaction
from testimonies.models import Testimony, Theme
release, deadline = Path({release!r}), time.monotonic() + 60
with transaction.atomic():
    testimony = Testimony.objects.get(identifier="SAVE-1")
    testimony.status, testimony.access = "published", "public"
    testimony.save()
    testimony.themes.add(Theme.objects.get_or_create(name="Held")[0])
    print("written", flush=True)
    while not release.exists():
        if time.monotonic() > deadline:
            raise SystemExit("never released")
        time.sleep(0.05)
print("committed", flush=True)
"""

#: Searches; publishes SAVE-2 in a transaction that may not wait for a lock;
#: compacts the log; searches again (what it kept is brought forward); lets the
#: held writer commit (its log rows come in below the compacted ones) and
#: searches once more.
READER_AND_WRITER = """
import time
from pathlib import Path
from django.db import connection, transaction
from testimonies.models import Testimony, Theme
from testimonies.search import changes, search
def found():
    return search(Testimony.objects.visible_to(None), "").count()
counts = [found()]
with transaction.atomic():
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL lock_timeout = '2s'")
    testimony = Testimony.objects.get(identifier="SAVE-2")
    testimony.status, testimony.access = "published", "public"
    testimony.save()
    testimony.themes.add(Theme.objects.create(name="Not held"))
changes.KEEP = 0
changes.compact("default")
counts.append(found())
Path({release!r}).touch()
deadline = time.monotonic() + 60
while not Path({committed!r}).exists() and time.monotonic() < deadline:
    time.sleep(0.05)
counts.append(found())
print(*counts)
"""


def test_writers_never_wait_for_each_other_to_log_changes(scratch, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    create_saved_testimonies(scratch, ["SAVE-1", "SAVE-2"])
    release, committed = tmp_path / "release", tmp_path / "committed"
    held = scratch.start_python(HELD_WRITER.format(release=str(release)))
    assert held.stdout.readline().strip() == "written"
    other = scratch.start_python(
        READER_AND_WRITER.format(release=str(release), committed=str(committed))
    )
    try:
        assert held.stdout.readline().strip() == "committed"
        committed.touch()
        out, err = other.communicate(timeout=120)
    finally:
        held.kill()
        other.kill()
    assert other.returncode == 0, err
    # Nothing visible; SAVE-2 once it was saved, which never waited for the
    # open transaction; then both.
    assert out.split() == ["0", "1", "2"]

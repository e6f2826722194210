"""Backups and restores: ``manage.py backup`` and ``restore``, run in child processes
against scratch databases (tests/scratch.py), on SQLite and on PostgreSQL.

A backup restored into a new, empty archive gives back the same export, byte for
byte, and the same media files; a bag that is damaged, foreign, of another vendor
or from newer code is refused before anything is written.
"""

import json
import shutil
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import bagit
import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

pytestmark = pytest.mark.django_db

SEED = """
from django.core.management import call_command
from testimonies.models import Testimony
from tests.factories import make_document, make_photo, make_user

call_command("load_demo", verbosity=0)
first, second = Testimony.objects.order_by("identifier")[:2]
make_photo(first)
make_photo(second, size=(64, 48), alt_text="A wider square")
make_document(first, content="Нотатки інтерв'ю, 2024.\\n".encode())
make_user("archivist", is_staff=True)
"""

STATE = """
import json
from django.contrib.auth import get_user_model
from django.db import connection
from testimonies.models import Document, Photo, Testimony
from testimonies.search import search
from testimonies.search.backends import backend_for

table, _column = backend_for(connection).stored_ids()
with connection.cursor() as cursor:
    cursor.execute(f"SELECT count(*) FROM {table}")
    stored = cursor.fetchone()[0]
attachments = sorted(
    [p.testimony.identifier, p.image.name, p.thumbnail.name, p.sha256]
    for p in Photo.objects.all()
) + sorted(
    [d.testimony.identifier, d.file.name, d.sha256] for d in Document.objects.all()
)
print(json.dumps({
    "testimonies": Testimony.objects.count(),
    "indexed": stored,
    "found": search(Testimony.objects.all(), "подвал").count(),
    "users": sorted(get_user_model().objects.values_list("username", flat=True)),
    "attachments": attachments,
}))
"""

COUNT = """
from testimonies.models import Testimony
print(Testimony.objects.count())
"""

WRITER = """
import os, sys, time
from django.db import transaction
from testimonies.models import Testimony, Translation
stop = os.environ["STOP_FILE"]
written, slowest, deadline = 0, 0.0, time.monotonic() + 90
while not os.path.exists(stop) and time.monotonic() < deadline:
    start = time.monotonic()
    with transaction.atomic():
        # A testimony and its translation: a consistent snapshot has both or none.
        testimony = Testimony.objects.create(
            identifier=f"WRITE-{written:05d}", title="Cellar", language="en",
            body="We sat in the basement. " * 50,
        )
        Translation.objects.create(
            testimony=testimony, language="uk", title="Підвал", body="Ми сиділи."
        )
    written += 1
    slowest = max(slowest, time.monotonic() - start)
    if written == 5:
        print("writing", flush=True)
    time.sleep(0.01)
print(written, round(slowest, 2), flush=True)
"""

CONSISTENT = """
from testimonies.models import Testimony, Translation
writes = Testimony.objects.filter(identifier__startswith="WRITE-")
translated = Translation.objects.filter(testimony__identifier__startswith="WRITE-")
print(writes.count(), translated.count())
"""


def ok(done):
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done


def refused(done, *words):
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    for word in words:
        assert word in done.stderr, done.stderr
    return done


def export(scratch, path):
    ok(scratch.manage("export_testimonies", "--include-private", "-o", path))
    return Path(path).read_bytes()


def media_files(scratch):
    root = Path(scratch.media_root)
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def state(scratch):
    return json.loads(scratch.python(STATE))


def assert_empty(scratch):
    assert scratch.python(COUNT).strip() == "0"
    assert media_files(scratch) == {}


@pytest.fixture(scope="module")
def seeded_template(scratch_template, tmp_path_factory):
    """The demo collection with photos, a document and a user, seeded once."""
    template = scratch_template.seeded(tmp_path_factory.mktemp("seeded"), SEED)
    yield template
    template.remove()


@pytest.fixture
def seeded(seeded_template, tmp_path):
    """A seeded archive of the test's own, which it may change."""
    database = seeded_template.copy(tmp_path)
    yield database
    database.drop()


@pytest.fixture(scope="module")
def kept_bag(seeded_template, tmp_path_factory):
    """One backup of the seeded archive, taken once for the module."""
    source = seeded_template.copy(tmp_path_factory.mktemp("bag-source"))
    path = tmp_path_factory.mktemp("kept-bag") / "archive-backup"
    try:
        ok(source.manage("backup", path))
    finally:
        source.drop()
    return path


@pytest.fixture
def bag(kept_bag, tmp_path):
    """A copy of that backup, which the test may damage or rewrite."""
    path = tmp_path / "bags" / "archive-backup"
    shutil.copytree(kept_bag, path)
    return path


def damage(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def rewrite_info(path, **fields):
    """Change bag-info.txt and its tag manifest: a valid bag that says otherwise."""
    bag = bagit.Bag(str(path))
    bag.info.update(fields)
    bag.save()


def latest_migration():
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    [(_app, name)] = graph.leaf_nodes("testimonies")
    return name


def test_a_restored_backup_gives_back_the_same_archive(
    seeded, bag, another_scratch, tmp_path
):
    before = export(seeded, tmp_path / "before.jsonl")
    before_state, before_media = state(seeded), media_files(seeded)
    # Three attachments' files (a photo has two) and the demo's four recordings,
    # one with the copy the site plays (a range of it is redacted).
    assert before_state["testimonies"] == 32 and len(before_media) == 10

    info = bagit.Bag(str(bag)).info
    assert info["Archive-Software"] == "Testimony Archive"
    assert info["Archive-Database-Vendor"] == connection.vendor
    assert f"testimonies {latest_migration()}" in info["Archive-Migration"]
    assert info["Archive-Testimonies"] == "32"
    assert info["Archive-Media-Files"] == "10"

    done = ok(another_scratch.manage("restore", bag))
    assert "32 testimonies, 10 media files" in done.stdout
    assert export(another_scratch, tmp_path / "after.jsonl") == before
    assert media_files(another_scratch) == before_media
    after_state = state(another_scratch)
    assert after_state == before_state
    assert after_state["indexed"] == after_state["testimonies"]
    assert after_state["found"] > 0
    assert after_state["users"] == ["archivist"]
    # The restored files are the ones their checksums were taken of.
    ok(another_scratch.manage("check_fixity"))


def test_the_bag_lists_every_file_with_its_sha256_only(bag):
    manifests = sorted(path.name for path in bag.glob("*manifest-*.txt"))
    assert manifests == ["manifest-sha256.txt", "tagmanifest-sha256.txt"]
    lines = (bag / manifests[0]).read_text().splitlines()
    listed = [line.split(maxsplit=1)[1] for line in lines]
    assert any(name.startswith("data/database/archive.") for name in listed)
    assert sum(name.startswith("data/media/photos/") for name in listed) == 2
    assert sum(name.startswith("data/media/thumbnails/") for name in listed) == 2
    assert sum(name.startswith("data/media/documents/") for name in listed) == 1
    assert bagit.Bag(str(bag)).is_valid()


@pytest.mark.parametrize("part", ["database", "media"])
def test_a_bag_with_a_changed_byte_is_refused_and_nothing_restored(
    bag, another_scratch, part
):
    if part == "database":
        target = next((bag / "data" / "database").iterdir())
    else:
        target = next((bag / "data" / "media" / "photos").iterdir())
    damage(target)
    done = another_scratch.manage("restore", bag)
    refused(done, "failed validation", target.relative_to(bag).as_posix(), "changed")
    assert_empty(another_scratch)


def test_a_bag_with_a_missing_file_is_refused(bag, another_scratch):
    next((bag / "data" / "media" / "documents").iterdir()).unlink()
    refused(another_scratch.manage("restore", bag), "failed validation")
    assert_empty(another_scratch)


def test_a_folder_that_is_not_a_bag_is_refused(scratch, tmp_path):
    (tmp_path / "plain").mkdir()
    refused(scratch.manage("restore", tmp_path / "plain"), "is not a BagIt bag")
    refused(scratch.manage("restore", tmp_path / "nowhere"), "is not a folder")


def test_a_bag_of_another_kind_is_refused(scratch, tmp_path):
    folder = tmp_path / "photos-bag"
    folder.mkdir()
    (folder / "letter.txt").write_text("Not an archive.")
    bagit.make_bag(str(folder), {"Source-Organization": "Elsewhere"})
    refused(scratch.manage("restore", folder), "not a backup of this archive")
    assert_empty(scratch)


def test_a_bag_of_another_database_vendor_is_refused(bag, another_scratch):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    rewrite_info(bag, **{"Archive-Database-Vendor": other})
    refused(another_scratch.manage("restore", bag), f"of a {other} database")
    assert_empty(another_scratch)


def test_a_bag_from_newer_code_is_refused(bag, another_scratch):
    migrations = bagit.Bag(str(bag)).info["Archive-Migration"]
    rewrite_info(bag, **{"Archive-Migration": [*migrations, "testimonies 0099_future"]})
    done = another_scratch.manage("restore", bag)
    refused(done, "newer version", "testimonies 0099_future")
    assert_empty(another_scratch)


@pytest.mark.parametrize(
    "code",
    [
        "from tests.factories import make_testimony; make_testimony()",
        "from tests.factories import make_user; make_user('someone')",
        "from tests.factories import make_theme; make_theme('Only a theme')",
        "from testimonies.models import Source; Source.objects.create(title='S')",
    ],
    ids=["a testimony", "a user", "a theme", "a source"],
)
def test_a_restore_into_a_database_that_is_not_empty_is_refused(
    bag, another_scratch, code
):
    another_scratch.python(code)
    refused(another_scratch.manage("restore", bag), "database is not empty")
    assert another_scratch.python(COUNT).strip() in {"0", "1"}
    assert media_files(another_scratch) == {}


def test_a_restore_into_a_media_folder_with_files_is_refused(bag, another_scratch):
    (Path(another_scratch.media_root) / "stray.txt").write_text("left over")
    refused(another_scratch.manage("restore", bag), "already holds files")
    assert another_scratch.python(COUNT).strip() == "0"


def test_a_backup_never_overwrites(seeded, tmp_path):
    dest = tmp_path / "out" / "existing"
    dest.mkdir(parents=True)
    refused(seeded.manage("backup", dest), "already exists")
    assert list(dest.parent.iterdir()) == [dest]
    refused(seeded.manage("backup", tmp_path / "no" / "such" / "bag"), "does not exist")
    inside = Path(seeded.media_root) / "backup"
    refused(seeded.manage("backup", inside), "inside the media folder")
    assert not inside.exists()


def test_a_failed_backup_says_why_and_leaves_no_partial_bag(seeded, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    if connection.vendor == "sqlite":
        unmigrated = f"sqlite:///{tmp_path / 'unmigrated.sqlite3'}"
    else:
        unmigrated = urlunsplit(urlsplit(seeded.url)._replace(path="/no_such_db"))
    done = seeded.manage("backup", out / "bag", env={"DATABASE_URL": unmigrated})
    refused(done, "could not be read")
    assert list(out.iterdir()) == []


def test_a_backup_taken_while_the_site_writes_is_consistent(
    seeded, another_scratch, tmp_path
):
    stop = tmp_path / "stop"
    writer = seeded.start_python(WRITER, env={"STOP_FILE": stop})
    try:
        assert writer.stdout.readline().strip() == "writing"
        dest = tmp_path / "during"
        ok(seeded.manage("backup", dest))
        time.sleep(0.5)
    finally:
        stop.touch()
    out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    written, slowest = out.split()
    info = bagit.Bag(str(dest)).info
    in_bag = int(info["Archive-Testimonies"]) - 32
    # The writer kept going during and after the backup, without long waits.
    assert 5 <= in_bag < int(written)
    assert float(slowest) < 10

    ok(another_scratch.manage("restore", dest))
    writes, translations = another_scratch.python(CONSISTENT).split()
    assert int(writes) == int(translations) == in_bag
    restored = state(another_scratch)
    assert restored["testimonies"] == restored["indexed"] == in_bag + 32


def test_a_bag_whose_path_holds_uri_characters_restores_its_data(
    seeded, another_scratch, tmp_path
):
    """ "#", "?" and "%" in the bag's path once opened an empty new database."""
    bag = tmp_path / "backups #1 ?50%"
    done = seeded.manage("backup", bag)
    assert done.returncode == 0, done.stderr
    restored = another_scratch.manage("restore", bag)
    assert restored.returncode == 0, restored.stderr
    assert another_scratch.python(COUNT).strip() != "0"

"""Fixity: every stored photo and document keeps the SHA-256 it was stored with, and
``manage.py check_fixity`` tells when a file on disk is gone or has other bytes."""

import hashlib
import importlib
import io
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.urls import reverse

from testimonies.models import Document, FixityCheck, Photo

from .factories import make_archivist, make_document, make_photo, make_testimony

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:testimonies_fixitycheck_changelist")


def sha256_of(field_file):
    return hashlib.sha256(Path(field_file.path).read_bytes()).hexdigest()


@pytest.fixture
def attachments():
    testimony = make_testimony(identifier="FIX-1")
    return make_photo(testimony), make_document(testimony)


def run_check():
    out = io.StringIO()
    try:
        call_command("check_fixity", stdout=out)
    except CommandError as error:
        return out.getvalue(), str(error)
    return out.getvalue(), None


def test_photos_and_documents_get_the_checksum_of_their_stored_file(attachments):
    photo, document = attachments
    assert photo.sha256 == sha256_of(photo.image)
    assert document.sha256 == sha256_of(document.file)
    photo.refresh_from_db()
    assert len(photo.sha256) == 64


def test_saving_a_caption_keeps_the_checksum(attachments):
    photo, _document = attachments
    before = photo.sha256
    photo.caption = "Taken in the cellar"
    photo.save()
    photo.refresh_from_db()
    assert photo.sha256 == before


def test_a_check_of_intact_files_passes_and_is_recorded(attachments):
    out, failure = run_check()
    assert failure is None
    assert "Fixity check passed: 2 files intact" in out
    check = FixityCheck.objects.last_run()
    assert check.ok and check.checked == 2
    assert (check.missing, check.altered) == (0, 0)
    assert check.finished_at >= check.started_at


def test_an_altered_file_is_reported_with_both_checksums(attachments):
    photo, _document = attachments
    path = Path(photo.image.path)
    data = bytearray(path.read_bytes())
    data[-1] ^= 0x01
    path.write_bytes(bytes(data))
    out, failure = run_check()
    found = hashlib.sha256(bytes(data)).hexdigest()
    assert f"ALTERED {photo.image.name} (testimony FIX-1)" in out
    assert photo.sha256 in out and found in out
    assert failure == "Fixity check FAILED: 0 missing and 1 altered of 2 files."
    check = FixityCheck.objects.last_run()
    assert not check.ok and check.altered == 1
    assert photo.image.name in check.report


def test_a_deleted_file_is_reported_missing(attachments):
    _photo, document = attachments
    Path(document.file.path).unlink()
    out, failure = run_check()
    assert f"MISSING {document.file.name} (testimony FIX-1)" in out
    assert document.sha256 in out
    assert "1 missing and 0 altered of 2 files" in failure
    assert FixityCheck.objects.last_run().missing == 1


def test_a_file_without_a_checksum_gets_one_at_the_first_check(attachments):
    photo, _document = attachments
    Photo.objects.update(sha256="")
    out, failure = run_check()
    assert failure is None
    photo.refresh_from_db()
    assert photo.sha256 == sha256_of(photo.image)
    check = FixityCheck.objects.last_run()
    assert check.recorded == 1
    assert f"RECORDED {photo.image.name}" in check.report


def test_the_migration_records_checksums_of_files_stored_before_it(attachments):
    photo, document = attachments
    Photo.objects.update(sha256="")
    Document.objects.update(sha256="")
    Path(document.file.path).unlink()
    migration = importlib.import_module("testimonies.migrations.0010_fixity")
    editor = SimpleNamespace(connection=SimpleNamespace(alias="default"))
    migration.record_checksums(apps, editor)
    photo.refresh_from_db()
    document.refresh_from_db()
    assert photo.sha256 == sha256_of(photo.image)
    # A file already gone keeps no checksum; every check reports it missing.
    assert document.sha256 == ""
    _out, failure = run_check()
    assert "1 missing" in failure


def test_the_exit_status_tells_a_timer_whether_files_are_intact(scratch):
    scratch.python(
        """
        from tests.factories import make_photo, make_testimony
        make_photo(make_testimony(identifier="FIX-2"))
        """
    )
    done = scratch.manage("check_fixity")
    assert done.returncode == 0, done.stderr
    assert "passed" in done.stdout
    assert scratch.manage("check_fixity", "-v0").stdout == ""
    for photo in (Path(scratch.media_root) / "photos").iterdir():
        photo.write_bytes(b"overwritten")
    done = scratch.manage("check_fixity")
    assert done.returncode == 1
    assert "ALTERED photos/" in done.stdout and "FIX-2" in done.stdout
    assert "Fixity check FAILED" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_admin_shows_the_last_check_and_its_result(client, attachments):
    run_check()
    Path(attachments[1].file.path).unlink()
    run_check()
    client.force_login(make_archivist())
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert [row.ok for row in rows] == [False, True]
    page = response.content.decode()
    assert 'alt="False"' in page and 'alt="True"' in page
    last = FixityCheck.objects.last_run()
    detail = client.get(reverse("admin:testimonies_fixitycheck_change", args=[last.pk]))
    assert attachments[1].file.name in detail.content.decode()


def test_nobody_adds_edits_or_deletes_a_check_record(client, attachments):
    run_check()
    check = FixityCheck.objects.get()
    client.force_login(make_archivist())
    assert client.get(reverse("admin:testimonies_fixitycheck_add")).status_code == 403
    delete = reverse("admin:testimonies_fixitycheck_delete", args=[check.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert FixityCheck.objects.filter(pk=check.pk).exists()

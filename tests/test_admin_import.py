"""Imports in the admin: upload, the worker's check, the archivist's confirmation."""

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from testimonies.importing import jobs
from testimonies.models import ImportJob, Testimony, Theme

from .factories import make_archivist, make_researcher, make_user

pytestmark = pytest.mark.django_db

GOOD = Path(__file__).parent / "data" / "good.jsonl"
ADD = reverse("admin:testimonies_importjob_add")


def page(job):
    return reverse("admin:testimonies_importjob_change", args=[job.pk])


def upload(client, content, name="in.jsonl"):
    return client.post(ADD, {"file": SimpleUploadedFile(name, content)})


@pytest.fixture
def archivist(client):
    client.force_login(make_archivist())
    return client


def test_a_file_is_checked_and_nothing_written_until_confirmed(
    archivist, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(archivist, GOOD.read_bytes(), "good.jsonl")
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == page(job)
    assert job.state == ImportJob.State.CHECKED
    assert not Testimony.objects.exists()  # checked, not imported
    shown = archivist.get(page(job)).content.decode()
    assert "Would create 3 testimonies and update 0" in shown
    assert "new themes 4, places 5" in shown
    assert 'name="_import"' in shown
    with django_capture_on_commit_callbacks(execute=True):
        response = archivist.post(page(job), {"_import": "Import"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE
    assert Testimony.objects.count() == 3 and Theme.objects.count() == 4
    shown = archivist.get(page(job)).content.decode()
    assert "Created 3 testimonies and updated 0" in shown
    assert 'name="_import"' not in shown


def test_confirming_twice_imports_once(archivist, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upload(archivist, GOOD.read_bytes())
    job = ImportJob.objects.get()
    assert jobs.confirm(job)
    assert not jobs.confirm(job)  # a second click, or a second tab


def test_every_problem_is_shown_with_its_line_and_field(
    archivist, django_capture_on_commit_callbacks
):
    lines = [
        {"identifier": "T-1", "title": "A title", "language": "en"},
        {"identifier": "T-2", "title": "", "language": "en"},
        "{not json",
        {"identifier": "T-4", "title": "x", "language": "en", "status": "gone"},
    ]
    content = "\n".join(
        item if isinstance(item, str) else json.dumps(item) for item in lines
    )
    with django_capture_on_commit_callbacks(execute=True):
        upload(archivist, content.encode())
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.REFUSED
    assert [(p["line"], p["field"]) for p in job.problems] == [
        (2, "title"),
        (3, ""),
        (4, "status"),
    ]
    shown = archivist.get(page(job)).content.decode()
    assert "Found 3 problems; nothing was imported." in shown
    assert 'class="import-problems"' in shown and "<td>3</td>" in shown
    assert 'name="_import"' not in shown
    # Forcing the confirmation of a refused file imports nothing.
    archivist.post(page(job), {"_import": "Import"})
    assert not Testimony.objects.exists()


@pytest.mark.parametrize(
    "content",
    [b"\x89PNG\r\n\x1a\n\x00\x00binary", b"\xff\xfe\x00n\x00o", "🙂".encode() * 3],
)
def test_a_file_that_is_not_json_lines_is_refused_with_a_message(
    archivist, django_capture_on_commit_callbacks, content
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(archivist, content)
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.REFUSED and job.problems
    assert archivist.get(page(job)).status_code == 200


def test_an_empty_or_too_large_file_is_refused_at_once(archivist, settings):
    response = upload(archivist, b"")
    assert "file is empty" in response.content.decode()
    settings.TESTIMONY_MAX_IMPORT_BYTES = 10
    response = upload(archivist, GOOD.read_bytes())
    assert "The file is too large" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_page_reloads_itself_while_the_worker_is_at_it(archivist):
    upload(archivist, GOOD.read_bytes())  # queued, not yet checked
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.CHECKING
    job.progress_path.parent.mkdir(parents=True, exist_ok=True)
    job.progress_path.write_text("Read 50,000 lines…", encoding="utf-8")
    shown = archivist.get(page(job)).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in shown
    assert "Read 50,000 lines…" in shown
    job.progress_path.unlink()


def test_only_archivists_may_import(client):
    for user in [make_researcher(), make_user("staff", is_staff=True)]:
        client.force_login(user)
        response = upload(client, GOOD.read_bytes())
        assert response.status_code in (302, 403)
        assert not ImportJob.objects.exists()


def test_the_uploaded_file_is_never_served(archivist, client):
    upload(archivist, GOOD.read_bytes())
    job = ImportJob.objects.get()
    assert archivist.get(job.file.url).status_code == 404

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


def test_the_preview_shows_changed_fields_and_maps_a_typo_to_a_stored_theme(
    archivist, django_capture_on_commit_callbacks
):
    from .factories import make_testimony, make_theme

    evacuation = make_theme("Evacuation")
    make_testimony(
        identifier="MAP-1",
        title="Old title",
        body="We left at dawn. " * 20,
        consent="given",
        consent_scope="public",
        themes=[evacuation],
    )
    line = {
        "identifier": "MAP-1",
        "title": "New title",
        "language": "en",
        "body": ("We left at dawn. " * 10)
        + "We left at noon. "
        + ("We left at dawn. " * 9),
        "themes": ["Evakuation"],
    }
    content = (json.dumps(line) + "\n").encode()
    with django_capture_on_commit_callbacks(execute=True):
        upload(archivist, content)
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.CHECKED, (job.message, job.problems)
    shown = archivist.get(page(job)).content.decode()
    # The changes, old and new, the long text around its first change.
    assert "Old title" in shown and "New title" in shown
    assert "We left at noon." in shown
    assert "<code>themes</code>" in shown
    # The new name, and the stored theme it looks like.
    assert "Create “Evakuation” as a new one" in shown
    assert "Use “Evacuation”" in shown and "edit distance 1" in shown
    choice = next(
        item
        for item in job.summary["suggestions"]["themes"]
        if item["name"] == "Evakuation"
    )
    assert choice["candidates"][0]["pk"] == evacuation.pk
    with django_capture_on_commit_callbacks(execute=True):
        archivist.post(page(job), {"_import": "Import", "map-themes-0": evacuation.pk})
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE, job.message
    assert job.mapping == {"themes": {"Evakuation": evacuation.pk}}
    testimony = Testimony.objects.get(identifier="MAP-1")
    assert list(testimony.themes.all()) == [evacuation]
    assert not Theme.objects.filter(name="Evakuation").exists()


def test_a_choice_that_was_not_offered_is_ignored(
    archivist, django_capture_on_commit_callbacks
):
    from .factories import make_theme

    make_theme("Evacuation")
    unrelated = make_theme("Drones")
    line = {
        "identifier": "MAP-2",
        "title": "T",
        "language": "en",
        "themes": ["Evakuation"],
    }
    with django_capture_on_commit_callbacks(execute=True):
        upload(archivist, (json.dumps(line) + "\n").encode())
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        archivist.post(page(job), {"_import": "Import", "map-themes-0": unrelated.pk})
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE and job.mapping == {}
    assert Theme.objects.filter(name="Evakuation").exists()


def test_a_chosen_theme_deleted_before_the_import_refuses_it(
    archivist, django_capture_on_commit_callbacks
):
    from .factories import make_theme

    evacuation = make_theme("Evacuation")
    line = {
        "identifier": "MAP-3",
        "title": "T",
        "language": "en",
        "themes": ["Evakuation"],
    }
    with django_capture_on_commit_callbacks(execute=True):
        upload(archivist, (json.dumps(line) + "\n").encode())
    job = ImportJob.objects.get()
    pk = evacuation.pk
    evacuation.delete()
    with django_capture_on_commit_callbacks(execute=True):
        archivist.post(page(job), {"_import": "Import", "map-themes-0": pk})
    job.refresh_from_db()
    assert job.state == ImportJob.State.REFUSED
    assert "no longer exists" in job.problems[0]["message"]
    assert not Testimony.objects.filter(identifier="MAP-3").exists()

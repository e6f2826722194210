"""ZIP bundles: a JSON Lines or CSV file with the media it names, imported in one
go (testimonies.importing.bundles), and hostile bundles refused whole."""

import io
import json
import os
import stat
import zipfile

import pytest
from django.conf import settings

from testimonies.importing import ImportFailed, import_testimonies
from testimonies.models import Recording, Testimony

from .avsamples import make_tone
from .test_import_recordings import EN_VTT, VTT, line, recording

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_temporary_folder(settings, tmp_path_factory):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path_factory.mktemp("uploads"))


@pytest.fixture(scope="module")
def tone_bytes(tmp_path_factory):
    return make_tone(tmp_path_factory.mktemp("tone") / "t.ogg", seconds=2).read_bytes()


def bundle(files, *, folder=""):
    """A ZIP of ``{name: bytes or text}``, inside ``folder`` if given."""
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(folder + name, data)
    return stream.getvalue()


def media_files(tone_bytes):
    return {
        "media/ru-07.ogg": tone_bytes,
        "media/ru-07.ru.vtt": VTT,
        "media/ru-07.en.vtt": EN_VTT,
    }


def jsonl(*values):
    return "".join(json.dumps(value, ensure_ascii=False) + "\n" for value in values)


def load(data, **options):
    return import_testimonies(io.BytesIO(data), name="bundle.zip", **options)


def problems_of(data):
    with pytest.raises(ImportFailed) as failed:
        load(data)
    assert not Recording.objects.exists() and not Testimony.objects.exists()
    assert not os.listdir(settings.FILE_UPLOAD_TEMP_DIR)
    return [str(problem) for problem in failed.value.problems]


@pytest.mark.parametrize("folder", ["", "export-2026-12-02/"])
def test_a_bundle_imports_its_lines_with_their_recordings(tone_bytes, folder):
    files = {"testimonies.jsonl": jsonl(line()), **media_files(tone_bytes)}
    result = load(bundle(files, folder=folder))
    assert result.created == 1
    recording_ = Recording.objects.get()
    assert recording_.testimony.identifier == "REC-IMP-1"
    assert recording_.duration_ms > 1500
    assert sorted(t.language for t in recording_.transcripts.all()) == ["en", "ru"]
    # The unpacked folder is gone.
    assert not os.listdir(settings.FILE_UPLOAD_TEMP_DIR)


def test_a_dry_run_of_a_bundle_writes_nothing(tone_bytes):
    files = {"testimonies.jsonl": jsonl(line()), **media_files(tone_bytes)}
    result = load(bundle(files), dry_run=True)
    assert result.created == 1 and result.dry_run
    assert not Recording.objects.exists()


def test_a_bundle_of_a_csv_imports_like_the_csv():
    data = bundle({"rows.csv": "identifier,title,language\nZIP-1,From a bundle,en\n"})
    assert load(data).created == 1
    assert Testimony.objects.get().title == "From a bundle"


def test_a_bundle_naming_a_missing_file_says_which(tone_bytes):
    files = {"testimonies.jsonl": jsonl(line()), "media/ru-07.ogg": tone_bytes}
    problems = problems_of(bundle(files))
    assert any("no such file: media/ru-07.ru.vtt" in p for p in problems)


def test_a_line_reaching_outside_the_bundle_is_refused(tone_bytes):
    value = line(recordings=[recording(file="../../etc/passwd", transcripts=[])])
    files = {"testimonies.jsonl": jsonl(value), **media_files(tone_bytes)}
    problems = problems_of(bundle(files))
    assert any("outside the imported file's folder" in p for p in problems)


@pytest.mark.parametrize(
    "name", ["../evil.txt", "/etc/evil", "media/../../evil", "C:/evil", "a\\..\\..\\b"]
)
def test_an_entry_outside_its_folder_refuses_the_whole_bundle(name):
    data = bundle({"testimonies.jsonl": jsonl(line(recordings=[])), name: "x"})
    problems = problems_of(data)
    assert problems == [f"“{name}” points outside the bundle"]


def test_a_symbolic_link_is_refused():
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        archive.writestr("testimonies.jsonl", jsonl(line(recordings=[])))
        link = zipfile.ZipInfo("media/secret")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    assert problems_of(stream.getvalue()) == [
        "“media/secret” is a symbolic link: a bundle holds files only"
    ]


def test_a_bundle_needs_exactly_one_data_file():
    assert "found: none" in problems_of(bundle({"notes.txt": "hello"}))[0]
    two = bundle({"a.jsonl": jsonl(line(recordings=[])), "b.csv": "identifier\n"})
    assert "found: a.jsonl, b.csv" in problems_of(two)[0]


def test_a_zip_bomb_stops_at_the_limit(settings):
    settings.TESTIMONY_MAX_BUNDLE_BYTES = 1024 * 1024
    data = bundle(
        {
            "testimonies.jsonl": jsonl(line(recordings=[])),
            "media/zeros": b"\0" * 5_000_000,
        }
    )
    assert len(data) < 100_000  # five megabytes of zeros compress to almost nothing
    assert problems_of(data) == ["the bundle unpacks to more than 1,048,576 bytes"]


def test_too_many_files_are_refused(settings):
    settings.TESTIMONY_MAX_BUNDLE_FILES = 3
    files = {f"media/{n}.txt": "x" for n in range(4)}
    assert "more than 3" in problems_of(bundle(files))[0]


def test_a_broken_zip_is_a_problem_not_an_error():
    data = bundle({"testimonies.jsonl": jsonl(line(recordings=[]))})
    problems = problems_of(data[: len(data) // 2])
    assert problems == [
        "the file starts as a ZIP (an XLSX workbook or a bundle) but cannot be "
        "read as one: File is not a zip file"
    ]


def test_macos_leftovers_are_skipped():
    data = bundle(
        {
            "rows.csv": "identifier,title,language\nZIP-2,Mac,en\n",
            "__MACOSX/._rows.csv": "junk",
            ".DS_Store": "junk",
        }
    )
    assert load(data).created == 1


def test_the_admin_imports_a_bundle_with_recordings(
    client, tone_bytes, django_capture_on_commit_callbacks
):
    from testimonies.models import ImportJob

    from .factories import make_archivist
    from .test_admin_import import page, upload

    client.force_login(make_archivist())
    files = {"testimonies.jsonl": jsonl(line()), **media_files(tone_bytes)}
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, bundle(files), name="with-recordings.zip")
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.CHECKED, (job.message, job.problems)
    assert job.summary["created"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page(job), {"_import": "Import"})
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE
    assert Recording.objects.get().testimony.identifier == "REC-IMP-1"


def test_the_admins_zip_export_imports_back_with_its_recordings(client):
    from .factories import (
        make_archivist,
        make_recording,
        make_testimony,
        make_transcript,
    )

    testimony = make_testimony(
        identifier="ZIP-REC", consent="given", consent_scope="public"
    )
    recording_ = make_recording(testimony, seconds=2, title="Part one")
    make_transcript(recording_, [(0, 900, "Мы сидели в подвале.")])
    client.force_login(make_archivist())
    response = client.post(
        "/admin/testimonies/testimony/",
        {"action": "export_zip", "_selected_action": [testimony.pk]},
    )
    assert response["Content-Type"] == "application/zip"
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
    assert "testimonies.jsonl" in names
    assert any(name.startswith("media/") for name in names)
    Testimony.objects.all().delete()
    assert not Recording.objects.exists()
    assert load(data).created == 1
    back = Recording.objects.get()
    assert back.title == "Part one" and back.testimony.identifier == "ZIP-REC"
    assert back.transcripts.get().cues.get().text == "Мы сидели в подвале."

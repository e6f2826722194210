"""Recordings in a JSON Lines import: files beside the file, checked to the last cue
before anything is written."""

import io
import json
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from testimonies.importing import ImportFailed, import_testimonies
from testimonies.models import Cue, Recording, Segment, Testimony, Theme

from .avsamples import make_tone

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_temporary_folder(settings, tmp_path_factory):
    """Clean copies are made here, not in the /tmp other test runs share, so
    that what an import leaves behind can be seen."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path_factory.mktemp("uploads"))


VTT = (
    "WEBVTT\n\n00:00.200 --> 00:01.000\n<v Halyna>Мы сидели в подвале.\n\n"
    "00:01.000 --> 00:01.800\n<v Interviewer>Долго?\n"
)
EN_VTT = "WEBVTT\n\n00:00.200 --> 00:01.000\n<v Halyna>We sat in the basement.\n"


@pytest.fixture(scope="module")
def tone_bytes(tmp_path_factory):
    return make_tone(
        tmp_path_factory.mktemp("tone") / "tone.ogg", seconds=2
    ).read_bytes()


@pytest.fixture
def folder(tmp_path, tone_bytes):
    media = tmp_path / "media"
    media.mkdir()
    (media / "ru-07.ogg").write_bytes(tone_bytes)
    (media / "ru-07.ru.vtt").write_text(VTT)
    (media / "ru-07.en.vtt").write_text(EN_VTT)
    return tmp_path


def recording(**changes):
    value = {
        "file": "media/ru-07.ogg",
        "kind": "audio",
        "language": "ru",
        "access": "public",
        "title": "Part 1",
        "interviewer": "Interviewer (fictional)",
        "transcripts": [
            {"language": "ru", "file": "media/ru-07.ru.vtt"},
            {
                "language": "en",
                "file": "media/ru-07.en.vtt",
                "translation": "human",
                "translator": "Translator (fictional)",
            },
        ],
        "segments": [
            {
                "start": "00:00:00",
                "end": "00:00:01",
                "title": "The basement",
                "synopsis": "Nine days.",
                "keywords": ["basement"],
                "themes": ["Sheltering"],
                "places": ["Sudzha"],
            },
            {"start": 1, "end": "00:00:01.9", "title": "The bus"},
        ],
    }
    value.update(changes)
    return value


def line(**changes):
    value = {
        "identifier": "REC-IMP-1",
        "title": "Подвал",
        "language": "ru",
        "status": "published",
        "access": "public",
        "consent": {"status": "given", "scope": "public"},
        "recordings": [recording()],
    }
    value.update(changes)
    return value


def write(folder, *lines):
    path = folder / "import.jsonl"
    path.write_text(
        "".join(json.dumps(value, ensure_ascii=False) + "\n" for value in lines)
    )
    return path


def stored_recordings():
    root = Path(settings.MEDIA_ROOT) / "recordings"
    return set(os.listdir(root)) if root.exists() else set()


def problems_of(folder, *lines):
    before = stored_recordings()
    with pytest.raises(CommandError) as caught:
        call_command("import_testimonies", str(write(folder, *lines)), verbosity=0)
    assert not Recording.objects.exists()
    assert stored_recordings() == before
    assert not os.listdir(settings.FILE_UPLOAD_TEMP_DIR)
    return str(caught.value)


class TestImported:
    def test_a_recording_with_transcripts_and_segments(self, folder):
        call_command("import_testimonies", str(write(folder, line())), verbosity=0)
        stored = Recording.objects.get()
        assert stored.testimony.identifier == "REC-IMP-1"
        assert (stored.kind, stored.access, stored.languages) == (
            "audio",
            "public",
            ["ru"],
        )
        assert stored.title == "Part 1" and stored.duration_ms > 1900
        assert stored.file.name.startswith("recordings/") and stored.sha256
        transcripts = {t.language: t for t in stored.transcripts.all()}
        assert transcripts["en"].kind == "human"
        assert transcripts["en"].translator == "Translator (fictional)"
        assert list(transcripts["ru"].cues.values_list("start_ms", "speaker")) == [
            (200, "Halyna"),
            (1000, "Interviewer"),
        ]
        first, second = stored.segments.order_by("start_ms")
        assert (first.start_ms, first.end_ms, second.start_ms) == (0, 1000, 1000)
        assert first.language == "ru" and first.keywords == ["basement"]
        assert [t.name for t in first.themes.all()] == ["Sheltering"]
        assert Theme.objects.filter(name="Sheltering").exists()
        assert stored.history.count() == 1

    def test_importing_again_replaces_the_recordings(
        self, folder, django_capture_on_commit_callbacks
    ):
        call_command("import_testimonies", str(write(folder, line())), verbosity=0)
        old = Recording.objects.get()
        old_file = Path(old.file.path)
        changed = line(recordings=[recording(title="Part 1, corrected")])
        with django_capture_on_commit_callbacks(execute=True):
            call_command("import_testimonies", str(write(folder, changed)), verbosity=0)
        assert Recording.objects.get().title == "Part 1, corrected"
        assert Cue.objects.count() == 3 and Segment.objects.count() == 2
        assert not old_file.exists()

    def test_a_line_without_recordings_leaves_them(self, folder):
        call_command("import_testimonies", str(write(folder, line())), verbosity=0)
        without = line()
        del without["recordings"]
        call_command("import_testimonies", str(write(folder, without)), verbosity=0)
        assert Recording.objects.count() == 1
        call_command(
            "import_testimonies", str(write(folder, line(recordings=[]))), verbosity=0
        )
        assert not Recording.objects.exists()

    def test_a_dry_run_writes_nothing(self, folder):
        before = stored_recordings()
        call_command(
            "import_testimonies", str(write(folder, line())), "--dry-run", verbosity=0
        )
        assert not Recording.objects.exists() and stored_recordings() == before


class TestRefused:
    @pytest.mark.parametrize(
        "changes, expected",
        [
            ({"file": "media/missing.ogg"}, "recordings[0].file: no such file"),
            ({"file": "../outside.ogg"}, "leads outside"),
            ({"file": "/etc/passwd"}, "relative to the imported file"),
            ({"file": "media/ru-07.ru.vtt"}, "not a recording of an accepted kind"),
            ({"kind": "video"}, "the file holds audio, not video"),
            ({"access": "everyone"}, "recordings[0].access"),
            ({"language": "not a language"}, "recordings[0].language"),
            ({"shape": "round"}, "recordings[0].shape: unknown key"),
        ],
    )
    def test_a_bad_recording(self, folder, changes, expected):
        assert expected in problems_of(folder, line(recordings=[recording(**changes)]))

    def test_a_cue_past_the_end_names_its_file_and_time(self, folder):
        (folder / "media" / "late.vtt").write_text(
            "WEBVTT\n\n00:00.500 --> 00:09.000\nlate\n"
        )
        transcripts = [{"language": "ru", "file": "media/late.vtt"}]
        report = problems_of(
            folder, line(recordings=[recording(transcripts=transcripts)])
        )
        assert "recordings[0].transcripts[0].file: cue at 00:00:00.500" in report

    def test_a_broken_transcript_names_its_line(self, folder):
        (folder / "media" / "bad.vtt").write_text(
            "WEBVTT\n\n00:01.000 --> 00:00.500\nx\n"
        )
        transcripts = [{"language": "ru", "file": "media/bad.vtt"}]
        report = problems_of(
            folder, line(recordings=[recording(transcripts=transcripts)])
        )
        assert "transcripts[0].file: line 3: the cue ends" in report

    @pytest.mark.parametrize(
        "segments, expected",
        [
            (
                [
                    {"start": "0:00:00", "end": "0:00:01.5", "title": "A"},
                    {"start": "0:00:01", "end": "0:00:02", "title": "B"},
                ],
                "overlap",
            ),
            (
                [{"start": "0:00:00", "end": "0:00:09", "title": "A"}],
                "after the recording",
            ),
            (
                [{"start": "0:00:01", "end": "0:00:00.5", "title": "A"}],
                "before it starts",
            ),
            (
                [{"start": "half past", "end": 1, "title": "A"}],
                "segments[0].start: not a time",
            ),
            ([{"start": 0, "end": 1}], "segments[0].title: required"),
        ],
    )
    def test_bad_segments(self, folder, segments, expected):
        assert expected in problems_of(
            folder, line(recordings=[recording(segments=segments)])
        )

    def test_a_voice_more_open_than_its_text(self, folder):
        report = problems_of(
            folder,
            line(
                access="researchers", consent={"status": "given", "scope": "research"}
            ),
        )
        assert "recordings[0].access: a recording cannot be more open" in report

    def test_a_second_transcript_in_one_language(self, folder):
        transcripts = [
            {"language": "ru", "file": "media/ru-07.ru.vtt"},
            {"language": "ru", "file": "media/ru-07.ru.vtt"},
        ]
        report = problems_of(
            folder, line(recordings=[recording(transcripts=transcripts)])
        )
        assert "a second transcript" in report

    def test_one_bad_line_writes_no_recording_of_the_good_ones(self, folder):
        good = line(identifier="REC-GOOD")
        bad = line(identifier="REC-BAD", recordings=[recording(file="media/nope.ogg")])
        problems_of(folder, good, bad)
        assert not Testimony.objects.exists()

    def test_a_symbolic_link_that_loops_or_a_name_too_long(self, folder):
        (folder / "loop-a.ogg").symlink_to(folder / "loop-b")
        (folder / "loop-b").symlink_to(folder / "loop-a.ogg")
        report = problems_of(
            folder,
            line(recordings=[recording(file="loop-a.ogg")]),
            line(identifier="REC-2", recordings=[recording(file="a" * 300 + ".ogg")]),
        )
        assert "line 1: recordings[0].file: no such file" in report
        assert "line 2: recordings[0].file: no such file" in report

    def test_a_stopped_import_leaves_no_copy_and_writes_nothing(
        self, folder, monkeypatch
    ):
        import signal

        from testimonies import avmedia

        copy = avmedia.copy_clean

        def copy_then_stop(source, target, found):
            copy(source, target, found)
            os.kill(os.getpid(), signal.SIGTERM)

        monkeypatch.setattr(avmedia, "copy_clean", copy_then_stop)
        handler = signal.getsignal(signal.SIGTERM)
        with pytest.raises(SystemExit):
            call_command("import_testimonies", str(write(folder, line())), verbosity=0)
        assert not os.listdir(settings.FILE_UPLOAD_TEMP_DIR)
        assert not Testimony.objects.exists()
        assert signal.getsignal(signal.SIGTERM) == handler

    def test_from_standard_input_recordings_have_no_folder(self):
        data = json.dumps(line()).encode() + b"\n"
        with pytest.raises(ImportFailed) as caught:
            import_testimonies(io.BytesIO(data))
        assert "import a ZIP bundle" in caught.value.report()


class TestRoundTrip:
    def export(self, folder, name="export", *options):
        out = folder / name
        out.mkdir(exist_ok=True)
        path = out / "export.jsonl"
        call_command(
            "export_testimonies",
            "--output",
            str(path),
            "--media",
            str(out / "media"),
            *options,
            verbosity=0,
        )
        return path

    def test_importing_the_same_recordings_again_changes_nothing(self, folder):
        path = write(folder, line())
        call_command("import_testimonies", str(path), verbosity=0)
        before = Recording.objects.get()
        stored = stored_recordings()
        call_command("import_testimonies", str(path), verbosity=0)
        after = Recording.objects.get()
        assert (after.pk, after.file.name) == (before.pk, before.file.name)
        assert stored_recordings() == stored

    def test_export_then_import_elsewhere_gives_the_same_recordings(self, folder):
        call_command("import_testimonies", str(write(folder, line())), verbosity=0)
        first = self.export(folder, "first")
        exported = json.loads(first.read_text())
        [item] = exported["recordings"]
        assert item["file"] == "media/REC-IMP-1-1.ogg"
        assert [t["file"] for t in item["transcripts"]] == [
            "media/REC-IMP-1-1.en.vtt",
            "media/REC-IMP-1-1.ru.vtt",
        ]
        digest = Recording.objects.get().sha256
        Testimony.objects.all().delete()
        call_command("import_testimonies", str(first), verbosity=0)
        again = Recording.objects.get()
        assert again.sha256 == digest
        assert Cue.objects.count() == 3 and again.segments.count() == 2
        second = self.export(folder, "second")
        assert second.read_text() == first.read_text()
        for name in os.listdir(first.parent / "media"):
            assert (first.parent / "media" / name).read_bytes() == (
                second.parent / "media" / name
            ).read_bytes()

    def test_importing_an_export_into_its_own_archive_changes_nothing(self, folder):
        call_command("import_testimonies", str(write(folder, line())), verbosity=0)
        before = Recording.objects.get()
        call_command("import_testimonies", str(self.export(folder)), verbosity=0)
        after = Recording.objects.get()
        assert (after.pk, after.file.name) == (before.pk, before.file.name)

    def test_a_public_export_holds_what_the_public_hears_redacted(self, folder):
        (folder / "media" / "secret.vtt").write_text(
            "WEBVTT\n\n00:00.200 --> 00:01.000\n<v [[Olena]]>We left with [[Ivan]].\n"
        )
        public = recording(transcripts=[{"language": "en", "file": "media/secret.vtt"}])
        voice = recording(access="researchers")
        call_command(
            "import_testimonies",
            str(write(folder, line(recordings=[public, voice]))),
            verbosity=0,
        )
        path = self.export(folder, "public", "--public")
        [item] = json.loads(path.read_text())["recordings"]
        assert item["access"] == "public"
        vtt = (path.parent / item["transcripts"][0]["file"]).read_text()
        assert "Ivan" not in vtt and "Olena" not in vtt and "█████" in vtt

    def test_the_media_folder_must_lie_beside_the_export(
        self, folder, tmp_path_factory
    ):
        elsewhere = tmp_path_factory.mktemp("elsewhere")
        with pytest.raises(CommandError, match="inside the folder"):
            call_command(
                "export_testimonies",
                "--output",
                str(folder / "export.jsonl"),
                "--media",
                str(elsewhere),
                verbosity=0,
            )

    def test_without_media_an_export_carries_no_recordings(self, folder):
        call_command("import_testimonies", str(write(folder, line())), verbosity=0)
        out = folder / "plain.jsonl"
        call_command("export_testimonies", "--output", str(out), verbosity=0)
        assert "recordings" not in json.loads(out.read_text())

"""Redacted ranges of a recording: silent (and black) in the copy the site plays,
their cues hidden, the original kept for archivists; in the admin, the import and
the export."""

import io
import json
import logging
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from testimonies import avmedia, public_copy
from testimonies.exporting import export_testimonies
from testimonies.exporting_media import MediaFolder
from testimonies.models import Cue, Recording, RedactedRange, Testimony, Transcript
from testimonies.search import search
from testimonies.signals import testimonies_changed
from testimonies.transcripts import mark_redacted_cues

from .avsamples import brightness, loudness, make_card, make_converted
from .factories import (
    make_archivist,
    make_recording,
    make_researcher,
    make_testimony,
    make_transcript,
)
from .test_recordings import post_recording

pytestmark = pytest.mark.django_db

A = Testimony.Access
CUES = [
    (0, 900, "We left at dawn."),
    (1000, 2400, "Our neighbour xylosecret drove us to the border."),
    (2600, 3800, "Then the road closed."),
]


def redact_range(recording, start_ms, end_ms, reason=""):
    """Mark a range redacted as the admin does: the cues flagged, the index told,
    the copy made (here at once, not after a commit)."""
    RedactedRange.objects.create(
        recording=recording, start_ms=start_ms, end_ms=end_ms, reason=reason
    )
    mark_redacted_cues(recording)
    testimonies_changed.send(sender=Testimony, ids=[recording.testimony_id])
    return public_copy.refresh(recording.pk)


def played(client, recording, tmp_path, suffix=".m4a"):
    """What ``client`` is sent as the recording the page plays, saved to a file."""
    recording.refresh_from_db()
    file = recording.playable_file()
    assert file, "nothing is played"
    response = client.get(file.url)
    assert response.status_code == 200
    path = tmp_path / f"played{suffix}"
    path.write_bytes(b"".join(response.streaming_content))
    return path, response


@pytest.fixture
def recording():
    testimony = make_testimony(consent="given", consent_scope="public")
    recording = make_recording(testimony, seconds=4, access=A.PUBLIC)
    make_transcript(recording, CUES, language="en")
    return recording


class TestWhatTheSitePlays:
    def test_a_redacted_range_is_silent_in_the_copy_the_public_hears(
        self, client, recording, tmp_path
    ):
        assert redact_range(recording, 1000, 2400, reason="a neighbour's name") == (
            "made"
        )
        path, response = played(client, recording, tmp_path)
        assert response["Content-Type"] == "audio/mp4"
        assert loudness(path, 1.1, 2.3) < -60  # digital silence is -91
        assert loudness(path, 0.1, 0.8) > -30
        assert loudness(path, 2.7, 3.8) > -30

    def test_a_video_is_silent_and_black_in_the_range(self, client, tmp_path):
        card = make_card(tmp_path / "card.mp4", seconds=3)
        recording = Recording(
            testimony=make_testimony(),
            access=A.PUBLIC,
            file=SimpleUploadedFile("card.mp4", card.read_bytes()),
        )
        recording.save()
        assert redact_range(recording, 1000, 2000) == "made"
        path, response = played(client, recording, tmp_path, ".mp4")
        assert response["Content-Type"] == "video/mp4"
        assert loudness(path, 1.2, 1.8) < -60
        assert loudness(path, 0.1, 0.7) > -40
        assert brightness(path, 1.5) < 20
        assert brightness(path, 0.4) > 60

    def test_the_original_is_for_archivists_only(self, client, recording):
        redact_range(recording, 1000, 2400)
        original = recording.file.url
        assert client.get(original).status_code == 404
        client.force_login(make_researcher())
        assert client.get(original).status_code == 404
        client.force_login(make_archivist())
        assert client.get(original).status_code == 200

    def test_nothing_plays_while_the_copy_is_being_made(self, client, recording):
        RedactedRange.objects.create(recording=recording, start_ms=1000, end_ms=2400)
        page = client.get(recording.testimony.get_absolute_url()).content.decode()
        assert "being prepared" in page
        assert "<audio" not in page
        assert recording.file.url not in page
        assert client.get(recording.file.url).status_code == 404

    def test_a_copy_made_before_the_ranges_changed_is_never_played(
        self, client, recording, django_capture_on_commit_callbacks
    ):
        redact_range(recording, 1000, 2400)
        recording.refresh_from_db()
        first = recording.public_file.name
        RedactedRange.objects.create(recording=recording, start_ms=2600, end_ms=3000)
        assert recording.playable_file() is None
        assert client.get(default_storage.url(first)).status_code == 404
        with django_capture_on_commit_callbacks(execute=True):
            assert public_copy.refresh(recording.pk) == "made"
        recording.refresh_from_db()
        assert recording.public_silences == [[1000, 2400], [2600, 3000]]
        assert client.get(recording.public_file.url).status_code == 200
        assert not default_storage.exists(first)

    def test_without_ranges_the_original_plays_again(
        self, client, recording, django_capture_on_commit_callbacks
    ):
        redact_range(recording, 1000, 2400)
        recording.refresh_from_db()
        copy = recording.public_file.name
        RedactedRange.objects.all().delete()
        with django_capture_on_commit_callbacks(execute=True):
            assert public_copy.refresh(recording.pk) == "removed"
        recording.refresh_from_db()
        assert recording.playable_file() == recording.file
        assert client.get(recording.file.url).status_code == 200
        assert not default_storage.exists(copy)
        assert public_copy.refresh(recording.pk) == "current"

    def test_ranges_that_change_while_the_copy_is_made_are_not_lost(
        self, recording, monkeypatch
    ):
        RedactedRange.objects.create(recording=recording, start_ms=1000, end_ms=2400)
        make = avmedia.playable_copy

        def slow(source, kind, silences, *progress):
            # An archivist adds a range while ffmpeg works on the first.
            RedactedRange.objects.create(
                recording=recording, start_ms=2600, end_ms=3000
            )
            return make(source, kind, silences, *progress)

        monkeypatch.setattr(avmedia, "playable_copy", slow)
        assert public_copy.refresh(recording.pk) == "gone"
        recording.refresh_from_db()
        assert not recording.public_file
        assert recording.playable_file() is None

    def test_a_copy_ffmpeg_cannot_make_plays_nothing_and_is_logged(
        self, recording, monkeypatch, caplog
    ):
        RedactedRange.objects.create(recording=recording, start_ms=1000, end_ms=2400)

        def broken(source, kind, silences, *progress):
            raise ValidationError("The public copy could not be made: boom")

        monkeypatch.setattr(avmedia, "playable_copy", broken)
        with caplog.at_level(logging.ERROR, logger="testimonies.public_copy"):
            assert public_copy.refresh(recording.pk) == "failed"
        assert "boom" in caplog.text
        recording.refresh_from_db()
        assert recording.playable_file() is None
        # The archivist reads why on the recording's page.
        client = Client()
        client.force_login(make_archivist())
        page = client.get(
            reverse("admin:testimonies_recording_change", args=[recording.pk])
        ).content.decode()
        assert "could not be made (The public copy could not be made: boom)" in page

    def test_ffmpeg_reports_how_far_it_is(self, recording, monkeypatch):
        monkeypatch.setattr(avmedia, "PROGRESS_EVERY", 0)
        told = []
        with avmedia.stored_copy(recording.file) as source:
            path = avmedia.playable_copy(
                source, "audio", [[1000, 2000]], told.append, recording.duration_ms
            )
        os.unlink(path)
        assert told and told == sorted(told) and max(told) <= 99

    def test_a_new_file_waits_for_its_own_copy(self, recording, tmp_path):
        redact_range(recording, 1000, 2400)
        replacement = Recording.objects.get(pk=recording.pk)
        from .avsamples import make_tone

        tone = make_tone(tmp_path / "other.mp3", seconds=4)
        replacement.file = SimpleUploadedFile("other.mp3", tone.read_bytes())
        replacement.save()
        replacement.refresh_from_db()
        assert not replacement.public_file
        assert replacement.playable_file() is None
        assert public_copy.refresh(recording.pk) == "made"


DATABASE_TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
}


class TestInTheBackground:
    @pytest.fixture(autouse=True)
    def queued_in_the_database(self, settings, monkeypatch):
        from django_tasks_db.management.commands import db_worker

        settings.TASKS = DATABASE_TASKS
        # The worker runs in the test's process and transaction: its tidying of
        # old connections would close the test's own (PostgreSQL).
        monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def test_the_worker_makes_the_copy_while_the_admin_answers_at_once(
        self, client, recording, django_capture_on_commit_callbacks
    ):
        from django_tasks_db.models import DBTaskResult

        client.force_login(make_archivist())
        with django_capture_on_commit_callbacks(execute=True):
            response = post_recording(
                client,
                recording,
                redacted=[{"start_ms": "00:00:01", "end_ms": "00:00:02.4"}],
                languages="en",
            )
        assert response.status_code == 302
        [queued] = DBTaskResult.objects.all()
        assert queued.task_path == "testimonies.public_copy.make_public_copy"
        page = reverse("admin:testimonies_recording_change", args=[recording.pk])
        assert "waits for the worker" in client.get(page).content.decode()
        assert (
            "being prepared"
            in client.get(recording.testimony.get_absolute_url()).content.decode()
        )
        call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())
        recording.refresh_from_db()
        assert recording.public_silences == [[1000, 2400]]
        assert (
            "A copy with 00:00:01.000–00:00:02.400 silenced"
            in client.get(page).content.decode()
        )

    def test_nothing_is_queued_when_the_copy_is_current(
        self, client, recording, django_capture_on_commit_callbacks
    ):
        from django_tasks_db.models import DBTaskResult

        client.force_login(make_archivist())
        with django_capture_on_commit_callbacks(execute=True):
            post_recording(client, recording, languages="en")
        assert not DBTaskResult.objects.exists()

    def test_copies_left_waiting_are_made_by_a_command(self, recording):
        RedactedRange.objects.create(recording=recording, start_ms=1000, end_ms=2400)
        out = io.StringIO()
        call_command("make_public_copies", "--list", stdout=out)
        identifier = recording.testimony.identifier
        assert f"{identifier} #{recording.pk} [00:00:01.000–00:00:02.400]" in (
            out.getvalue()
        )
        assert "1 recordings wait" in out.getvalue()
        out = io.StringIO()
        call_command("make_public_copies", stdout=out)
        assert f"#{recording.pk} [00:00:01.000–00:00:02.400]: made" in out.getvalue()
        recording.refresh_from_db()
        assert recording.playable_file() == recording.public_file
        out = io.StringIO()
        call_command("make_public_copies", stdout=out)
        assert "0 copies made, 0 failed." in out.getvalue()

    def test_the_command_fails_when_a_copy_cannot_be_made(self, recording, monkeypatch):
        RedactedRange.objects.create(recording=recording, start_ms=1000, end_ms=2400)

        def broken(*arguments):
            raise ValidationError("boom")

        monkeypatch.setattr(avmedia, "playable_copy", broken)
        out = io.StringIO()
        with pytest.raises(SystemExit):
            call_command("make_public_copies", stdout=out)
        assert "0 copies made, 1 failed." in out.getvalue()


class TestConverted:
    """A file browsers cannot play: kept for archivists, a converted copy played."""

    @pytest.fixture
    def recording(self, tmp_path):
        source = make_converted(tmp_path / "card.avi")
        recording = Recording(
            testimony=make_testimony(),
            access=A.PUBLIC,
            file=SimpleUploadedFile("card.avi", source.read_bytes()),
        )
        recording.save()
        return recording

    def test_the_site_plays_a_converted_copy_once_it_is_made(
        self, client, recording, tmp_path
    ):
        assert not recording.playable
        page = client.get(recording.testimony.get_absolute_url()).content.decode()
        assert "being converted" in page and "<video" not in page
        assert client.get(recording.file.url).status_code == 404
        assert public_copy.refresh(recording.pk) == "made"
        path, response = played(client, recording, tmp_path, ".mp4")
        assert response["Content-Type"] == "video/mp4"
        found = avmedia.probe(path)
        assert found.playable and found.codecs == "h264, aac"
        page = client.get(recording.testimony.get_absolute_url()).content.decode()
        assert "<video" in page and recording.public_file.url in page
        # The AVI itself stays the archive's record, for archivists.
        assert client.get(recording.file.url).status_code == 404
        client.force_login(make_archivist())
        assert client.get(recording.file.url)["Content-Type"] == "video/x-msvideo"

    def test_redacted_ranges_are_silenced_in_the_same_copy(
        self, client, recording, tmp_path
    ):
        assert redact_range(recording, 500, 1500) == "made"
        path, _response = played(client, recording, tmp_path, ".mp4")
        assert loudness(path, 0.7, 1.3) < -60
        assert brightness(path, 1.0) < 20
        RedactedRange.objects.all().delete()
        # Without ranges it still needs its copy: converted, nothing silenced.
        assert public_copy.refresh(recording.pk) == "made"
        path, _response = played(client, recording, tmp_path, ".mp4")
        assert loudness(path, 0.7, 1.3) > -40

    def test_the_admin_says_what_is_played(self, client, recording):
        client.force_login(make_archivist())
        url = reverse("admin:testimonies_recording_change", args=[recording.pk])
        assert (
            "the copy converted for browsers waits" in client.get(url).content.decode()
        )
        public_copy.refresh(recording.pk)
        assert "A copy converted for browsers" in client.get(url).content.decode()


class TestRedactedCues:
    def test_their_words_are_hidden_on_the_page_and_in_the_captions(
        self, client, recording
    ):
        redact_range(recording, 1000, 2400)
        page = client.get(recording.testimony.get_absolute_url()).content.decode()
        assert "xylosecret" not in page
        assert "We left at dawn." in page
        assert "Then the road closed." in page
        captions = reverse(
            "testimonies:captions",
            args=[recording.testimony.identifier, recording.pk, "en"],
        )
        vtt = client.get(captions).content.decode()
        assert "xylosecret" not in vtt
        assert "\u2588" in vtt
        assert "Then the road closed." in vtt

    def test_a_cue_the_range_only_touches_is_hidden_whole(self, recording):
        redact_range(recording, 800, 1100)
        flags = list(
            Cue.objects.order_by("start_ms").values_list("redacted", flat=True)
        )
        assert flags == [True, True, False]

    def test_search_finds_nobody_by_them(self, recording):
        visible = Testimony.objects.visible_to(None)
        assert [hit.pk for hit in search(visible, "xylosecret")] == [
            recording.testimony.pk
        ]
        redact_range(recording, 1000, 2400)
        assert list(search(visible, "xylosecret")) == []
        archivists = Testimony.objects.visible_to(make_archivist())
        assert list(search(archivists, "xylosecret")) == []
        # The rest of the transcript is still found, with its moment.
        hits = list(search(visible, "road closed"))
        assert [hit.pk for hit in hits] == [recording.testimony.pk]
        assert [moment.start for moment in hits[0].search_moments] == [2600]

    def test_a_cue_written_later_into_a_range_is_hidden_too(self, recording):
        redact_range(recording, 1000, 2400)
        translation = make_transcript(
            recording, [(1200, 2000, "Сусід xylosecret")], language="uk"
        )
        assert translation.cues.get().redacted
        stored = Transcript.objects.get(pk=translation.pk).text
        assert stored == "[[ Сусід xylosecret ]]"  # read by search as a redaction
        assert list(search(Testimony.objects.visible_to(None), "сусід")) == []

    def test_archivists_still_read_and_download_them(self, client, recording):
        redact_range(recording, 1000, 2400)
        client.force_login(make_archivist())
        transcript = recording.transcripts.get()
        url = reverse(
            "admin:testimonies_recording_transcript",
            args=[recording.pk, transcript.pk],
        )
        assert "xylosecret" in client.get(url).content.decode()


class TestAdmin:
    def post(self, client, recording, ranges):
        return post_recording(client, recording, redacted=ranges, languages="en")

    def test_an_archivist_marks_a_range_and_the_site_plays_it_silenced(
        self, client, recording, django_capture_on_commit_callbacks
    ):
        client.force_login(make_archivist())
        with django_capture_on_commit_callbacks(execute=True):
            response = self.post(
                client,
                recording,
                [{"start_ms": "00:00:01", "end_ms": "00:00:02.4", "reason": "name"}],
            )
        assert response.status_code == 302, response.context["errors"]
        recording.refresh_from_db()
        assert recording.public_silences == [[1000, 2400]]
        assert Cue.objects.filter(redacted=True).count() == 1
        page = client.get(
            reverse("admin:testimonies_recording_change", args=[recording.pk])
        ).content.decode()
        assert "A copy with 00:00:01.000–00:00:02.400 silenced" in page
        assert "Listen to the original" in page
        assert list(search(Testimony.objects.all(), "xylosecret")) == []

    @pytest.mark.parametrize(
        ("start", "end", "message"),
        [
            ("00:00:02", "00:00:01", "A range ends after it starts."),
            ("00:00:09", "00:00:10", "The range starts after the recording ends"),
            ("soon", "00:00:01", "Write a time as hh:mm:ss"),
        ],
    )
    def test_a_wrong_range_is_refused_with_a_message(
        self, client, recording, start, end, message
    ):
        client.force_login(make_archivist())
        response = self.post(client, recording, [{"start_ms": start, "end_ms": end}])
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not RedactedRange.objects.exists()


class TestImportAndExport:
    def export(self, tmp_path, **options):
        out = tmp_path / "out" / "export.jsonl"
        out.parent.mkdir()
        with open(out, "w", encoding="utf-8") as stream:
            folder = MediaFolder(out.parent / "media", out.parent)
            export_testimonies(stream, media=folder, **options)
        return out

    def test_the_archivists_export_carries_the_original_and_its_ranges(
        self, recording, tmp_path, django_capture_on_commit_callbacks
    ):
        redact_range(recording, 1000, 2400, reason="a neighbour's name")
        out = self.export(tmp_path, include_private=True)
        line = json.loads(out.read_text().splitlines()[0])
        item = line["recordings"][0]
        assert item["redacted"] == [
            {
                "start": "00:00:01.000",
                "end": "00:00:02.400",
                "reason": "a neighbour's name",
            }
        ]
        assert (out.parent / item["file"]).suffix == ".mp3"  # the original
        assert "xylosecret" in (out.parent / item["transcripts"][0]["file"]).read_text()
        # Into an empty archive: the same ranges, cues hidden, a copy made.
        Testimony.objects.all().delete()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("import_testimonies", str(out), stdout=io.StringIO())
        imported = Recording.objects.get()
        assert list(imported.redacted_ranges.values_list("start_ms", "end_ms")) == [
            (1000, 2400)
        ]
        assert imported.transcripts.get().cues.filter(redacted=True).count() == 1
        assert imported.public_silences == [[1000, 2400]]

    def test_the_public_export_carries_the_silenced_copy_only(
        self, recording, tmp_path
    ):
        redact_range(recording, 1000, 2400, reason="a neighbour's name")
        out = self.export(tmp_path, public=True)
        text = out.read_text()
        assert "a neighbour" not in text
        item = json.loads(text.splitlines()[0])["recordings"][0]
        assert "redacted" not in item
        media = out.parent / item["file"]
        assert media.suffix == ".m4a"
        assert loudness(media, 1.1, 2.3) < -60
        vtt = (out.parent / item["transcripts"][0]["file"]).read_text()
        assert "xylosecret" not in vtt

    def test_a_public_export_leaves_out_a_copy_not_yet_made(self, recording, tmp_path):
        RedactedRange.objects.create(recording=recording, start_ms=1000, end_ms=2400)
        out = self.export(tmp_path, public=True)
        line = json.loads(out.read_text().splitlines()[0])
        assert line["recordings"] == []

    @pytest.mark.parametrize(
        ("ranges", "message"),
        [
            ([{"start": "00:00:02", "end": "00:00:01"}], "ends before it starts"),
            ([{"start": "00:00:09", "end": "00:00:10"}], "starts after the recording"),
            ([{"start": "later", "end": "00:00:01"}], "not a time"),
            ([{"end": "00:00:01"}], "start"),
            ("00:00:01", "a list"),
        ],
    )
    def test_a_wrong_range_in_an_import_is_named_and_nothing_is_written(
        self, recording, tmp_path, ranges, message
    ):
        out = self.export(tmp_path, include_private=True)
        line = json.loads(out.read_text().splitlines()[0])
        line["identifier"] = "KS-NEW-1"
        line["recordings"][0]["redacted"] = ranges
        out.write_text(json.dumps(line) + "\n")
        with pytest.raises(CommandError) as failure:
            call_command("import_testimonies", str(out), stdout=io.StringIO())
        assert "recordings[0].redacted" in str(failure.value)
        assert message in str(failure.value)
        assert not Testimony.objects.filter(identifier="KS-NEW-1").exists()

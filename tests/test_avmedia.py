"""Recordings: recognised by ffprobe, refused with a reason, stored without metadata."""

import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import modelform_factory
from django.test import override_settings

from testimonies import avmedia
from testimonies.models import Recording

from .avsamples import (
    PLANTED,
    RECIPES,
    VIDEO_RECIPES,
    cut,
    ffmpeg,
    make_card,
    make_converted,
    make_tone,
)
from .factories import make_testimony

RecordingForm = modelform_factory(Recording, fields=["testimony", "file", "access"])


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    folder = tmp_path_factory.mktemp("recordings")
    made = {name: make_tone(folder / name) for name in RECIPES}
    made.update({name: make_card(folder / name) for name in VIDEO_RECIPES})
    return made


def tags_of(path):
    """Every metadata value ffprobe finds in the file, at every level."""
    found = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-show_entries",
            "format_tags:stream_tags:chapter_tags",
            "-of",
            "compact",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return found.stdout


def refusal(path):
    with pytest.raises(ValidationError) as caught:
        avmedia.probe(path)
    return caught.value


def clean_copy(source, tmp_path):
    found = avmedia.probe(source)
    target = tmp_path / f"clean{found.extension}"
    avmedia.copy_clean(source, target, found)
    return found, target


class TestAccepted:
    @pytest.mark.parametrize(
        "name, kind, extension, content_type",
        [
            ("tone.mp3", "audio", ".mp3", "audio/mpeg"),
            ("tone.m4a", "audio", ".m4a", "audio/mp4"),
            ("tone.ogg", "audio", ".ogg", "audio/ogg"),
            ("tone.opus", "audio", ".ogg", "audio/ogg"),
            ("tone.wav", "audio", ".wav", "audio/wav"),
            ("tone.flac", "audio", ".flac", "audio/flac"),
            ("card.mp4", "video", ".mp4", "video/mp4"),
            ("card.webm", "video", ".webm", "video/webm"),
        ],
    )
    def test_each_format_is_recognised_and_copied_without_metadata(
        self, samples, tmp_path, name, kind, extension, content_type
    ):
        assert any(value in tags_of(samples[name]) for value in PLANTED.values())
        found, clean = clean_copy(samples[name], tmp_path)
        assert (found.kind, found.extension, found.content_type) == (
            kind,
            extension,
            content_type,
        )
        assert 1900 <= found.duration_ms <= 2200
        data = clean.read_bytes()
        for value in PLANTED.values():
            assert value.encode() not in data
        assert avmedia.probe(clean).codecs == found.codecs

    def test_cover_art_and_subtitle_streams_are_dropped(self, samples, tmp_path):
        cover = tmp_path / "cover.png"
        ffmpeg("-f", "lavfi", "-i", "color=red:size=32x32", "-frames:v", "1", cover)
        source = tmp_path / "with-cover.mp3"
        ffmpeg(
            "-i",
            samples["tone.mp3"],
            "-i",
            cover,
            "-map",
            "0:a",
            "-map",
            "1:v",
            "-c",
            "copy",
            "-disposition:v",
            "attached_pic",
            source,
        )
        found, clean = clean_copy(source, tmp_path)
        assert found.streams == (0,)
        assert b"PNG" not in clean.read_bytes()

    def test_mp4_is_stored_with_its_index_first(self, samples, tmp_path):
        _found, clean = clean_copy(samples["card.mp4"], tmp_path)
        data = clean.read_bytes()
        assert -1 < data.find(b"moov") < data.find(b"mdat")


class TestRefused:
    def test_text_named_mp3(self, tmp_path):
        path = tmp_path / "interview.mp3"
        path.write_text("This is not a recording, whatever its name says.\n")
        error = refusal(path)
        assert error.code == "not_a_recording"
        assert "MP3" in error.messages[0]

    def test_an_image(self, tmp_path):
        path = tmp_path / "photo.png"
        ffmpeg("-f", "lavfi", "-i", "color=blue:size=32x32", "-frames:v", "1", path)
        assert refusal(path).code == "not_a_recording"

    def test_empty(self, tmp_path):
        path = tmp_path / "empty.ogg"
        path.write_bytes(b"")
        assert refusal(path).code == "empty_file"

    def test_a_codec_the_archive_can_neither_play_nor_convert(self, tmp_path):
        path = tmp_path / "lossless.mkv"
        make_card(path, options=["-c:v", "ffv1", "-c:a", "flac"])
        error = refusal(path)
        assert error.code == "unsupported_codec"
        assert "ffv1" in error.messages[0] and "H.264" in error.messages[0]

    def test_an_unknown_container(self, tmp_path):
        path = tmp_path / "old.flv"
        make_card(path, options=["-c:v", "flv", "-c:a", "mp3"])
        assert refusal(path).code == "not_a_recording"


class TestConverted:
    """Files browsers cannot play are kept as they are (clean) and converted."""

    @pytest.mark.parametrize(
        "name, kind, extension, content_type",
        [
            ("card.avi", "video", ".avi", "video/x-msvideo"),
            ("card.mov", "video", ".mov", "video/quicktime"),
            ("card.mkv", "video", ".mkv", "video/x-matroska"),
            ("tone.aiff", "audio", ".aiff", "audio/aiff"),
            ("tone.wma", "audio", ".asf", "audio/x-ms-wma"),
            ("alac.m4a", "audio", ".mov", "audio/quicktime"),
        ],
    )
    def test_each_is_kept_clean_and_marked_for_converting(
        self, tmp_path, name, kind, extension, content_type
    ):
        source = make_converted(tmp_path / name)
        found, clean = clean_copy(source, tmp_path)
        assert not found.playable
        assert (found.kind, found.extension, found.content_type) == (
            kind,
            extension,
            content_type,
        )
        data = clean.read_bytes()
        for value in PLANTED.values():
            assert value.encode() not in data
        again = avmedia.probe(clean)
        assert (again.codecs, again.playable) == (found.codecs, False)

    def test_the_copy_plays_in_browsers(self, tmp_path):
        source = make_converted(tmp_path / "card.avi")
        copy = avmedia.playable_copy(source, "video", [])
        try:
            found = avmedia.probe(copy)
        finally:
            Path(copy).unlink()
        assert found.playable and found.content_type == "video/mp4"
        assert found.codecs == "h264, aac"
        assert 1900 <= found.duration_ms <= 2300

    @override_settings(TESTIMONY_MAX_RECORDING_SECONDS=1)
    def test_too_long(self, samples):
        error = refusal(samples["tone.mp3"])
        assert error.code == "recording_too_long"

    @override_settings(TESTIMONY_MAX_RECORDING_BYTES=1000)
    def test_too_large(self, samples):
        assert refusal(samples["tone.wav"]).code == "file_too_large"

    @pytest.mark.parametrize(
        "name, code",
        [
            ("tone.m4a", "not_a_recording"),  # its index was at the end
            ("tone.mp3", "truncated_recording"),  # says 2 s, holds 1.2
            ("tone.wav", "damaged_recording"),  # a packet cut in two
            ("tone.flac", "damaged_recording"),  # only decoding tells
            ("card.webm", "damaged_recording"),  # the file ends in a cluster
        ],
    )
    def test_a_file_cut_short(self, samples, tmp_path, name, code):
        path = cut(samples[name], tmp_path / f"cut{Path(name).suffix}")
        with pytest.raises(ValidationError) as caught:
            clean_copy(path, tmp_path)
        assert caught.value.code == code

    def test_a_missing_tool_is_a_configuration_error(self, samples, settings):
        from django.core.exceptions import ImproperlyConfigured

        settings.TESTIMONY_FFPROBE = "ffprobe-that-is-not-installed"
        with pytest.raises(ImproperlyConfigured, match="ffmpeg package"):
            avmedia.probe(samples["tone.mp3"])


@pytest.mark.django_db
class TestStoredRecording:
    def upload(self, path):
        return SimpleUploadedFile(f"phone {path.name}", path.read_bytes())

    def test_saved_under_a_random_name_without_metadata(self, samples):
        recording = Recording.objects.create(
            testimony=make_testimony(), file=self.upload(samples["card.mp4"])
        )
        assert recording.file.name.startswith("recordings/")
        assert recording.file.name.endswith(".mp4")
        assert "phone" not in recording.file.name
        stored = Path(recording.file.path).read_bytes()
        assert not any(value.encode() in stored for value in PLANTED.values())
        assert recording.kind == Recording.Kind.VIDEO
        assert recording.content_type == "video/mp4"
        assert recording.size == len(stored)
        assert recording.sha256 == avmedia.media.sha256(stored)
        assert recording.codecs == "h264, aac"
        assert recording.duration_display == "00:00:02"

    def test_saving_again_does_not_touch_the_file(self, samples):
        recording = Recording.objects.create(
            testimony=make_testimony(), file=self.upload(samples["tone.ogg"])
        )
        name, digest = recording.file.name, recording.sha256
        recording.title = "Part 2"
        recording.save()
        recording.refresh_from_db()
        assert (recording.file.name, recording.sha256) == (name, digest)

    def test_a_form_shows_why_a_file_is_refused_and_stores_nothing(self, tmp_path):
        testimony = make_testimony()
        fake = tmp_path / "fake.mp3"
        fake.write_text("not a recording")
        form = RecordingForm(
            data={"testimony": testimony.pk, "access": "restricted"},
            files={"file": self.upload(fake)},
        )
        assert not form.is_valid()
        assert "not a recording of an accepted kind" in form.errors["file"][0]
        assert not Recording.objects.exists()

    def test_a_bad_file_is_refused_even_without_validation(self, tmp_path):
        fake = tmp_path / "fake.wav"
        fake.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
        with pytest.raises(ValidationError):
            Recording.objects.create(testimony=make_testimony(), file=self.upload(fake))
        assert not Recording.objects.exists()

    def test_the_file_is_deleted_with_its_recording(
        self, samples, django_capture_on_commit_callbacks
    ):
        recording = Recording.objects.create(
            testimony=make_testimony(), file=self.upload(samples["tone.mp3"])
        )
        path = Path(recording.file.path)
        with django_capture_on_commit_callbacks(execute=True):
            recording.delete()
        assert not path.exists()

"""Recordings: who may hear them, and how archivists add them, their transcripts and
their segment index in the admin."""

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from testimonies.models import Cue, Recording, Segment, Testimony, Transcript
from testimonies.search import search
from testimonies.timedtext import TimedCue, read_cues
from testimonies.transcripts import cue_problems

from .avsamples import make_tone
from .factories import (
    make_archivist,
    make_researcher,
    make_testimony,
    make_theme,
)
from .factories import (
    make_recording as stored_recording,
)
from .test_admin import form_data

pytestmark = pytest.mark.django_db

A = Testimony.Access
S = Testimony.Status
TRANSCRIPT = (
    "WEBVTT\n\n00:00.200 --> 00:01.000\n<v Halyna>We went down to the basement.\n\n"
    "00:01.000 --> 00:01.900\n<v Interviewer>How long?\n"
)


@pytest.fixture(scope="module")
def tone(tmp_path_factory):
    return make_tone(tmp_path_factory.mktemp("tone") / "tone.mp3", seconds=2)


def upload(path, name=None):
    path = Path(path)
    return SimpleUploadedFile(name or path.name, path.read_bytes())


def make_recording(tone, testimony=None, **fields):
    """A stored two-second recording (checked once per run, not per test: the
    checks of uploads have tests of their own in test_avmedia)."""
    return stored_recording(testimony or make_testimony(), seconds=2, **fields)


class TestWhoMayHear:
    @pytest.fixture
    def recordings(self, tone):
        """One recording per (testimony, recording access) worth telling apart."""
        public = make_testimony()
        researchers = make_testimony(access=A.RESEARCHERS)
        draft = make_testimony(status=S.DRAFT)
        sealed = make_testimony(sealed_until=datetime.date(2999, 1, 1))
        return {
            "public": make_recording(tone, public, access=A.PUBLIC),
            "voice for researchers": make_recording(tone, public, access=A.RESEARCHERS),
            "voice restricted": make_recording(tone, public, access=A.RESTRICTED),
            "of a researchers' testimony": make_recording(
                tone, researchers, access=A.RESEARCHERS
            ),
            "of a draft": make_recording(tone, draft, access=A.PUBLIC),
            "of a sealed testimony": make_recording(tone, sealed, access=A.PUBLIC),
        }

    def heard_by(self, user, recordings):
        visible = set(Recording.objects.visible_to(user).values_list("pk", flat=True))
        return {name for name, rec in recordings.items() if rec.pk in visible}

    def test_the_public_hears_public_voices_of_public_testimonies(self, recordings):
        assert self.heard_by(None, recordings) == {"public"}

    def test_researchers_also_hear_what_is_open_to_researchers(self, recordings):
        assert self.heard_by(make_researcher(), recordings) == {
            "public",
            "voice for researchers",
            "of a researchers' testimony",
        }

    def test_archivists_hear_everything(self, recordings):
        assert self.heard_by(make_archivist(), recordings) == set(recordings)

    def test_a_voice_follows_its_testimony_when_the_testimony_closes(self, recordings):
        testimony = recordings["public"].testimony
        testimony.status = S.WITHDRAWN
        testimony.save()
        assert self.heard_by(None, recordings) == set()


class TestAccessRule:
    def test_a_recording_may_not_be_more_open_than_its_testimony(self, tone):
        testimony = make_testimony(access=A.RESEARCHERS)
        recording = make_recording(tone, testimony, access=A.PUBLIC)
        with pytest.raises(ValidationError) as caught:
            recording.full_clean()
        assert "cannot be open to more people" in caught.value.messages[0]

    @pytest.mark.parametrize("access", [A.RESEARCHERS, A.RESTRICTED])
    def test_it_may_be_closer(self, tone, access):
        make_recording(
            tone, make_testimony(access=A.RESEARCHERS), access=access
        ).full_clean()

    def test_new_recordings_are_restricted(self, tone):
        assert make_recording(tone).access == A.RESTRICTED

    def test_languages_are_checked_and_normalised(self, tone):
        recording = make_recording(tone, languages=["RU", "uk"])
        assert recording.languages == ["ru", "uk"]
        recording.languages = ["no such language!"]
        with pytest.raises(ValidationError) as caught:
            recording.full_clean()
        assert "languages" in caught.value.message_dict


class TestCueChecks:
    def test_a_cue_past_the_end_of_the_recording(self):
        [problem] = cue_problems([TimedCue(1000, 9000, "late")], duration_ms=5000)
        assert "00:00:01.000" in problem and "after the recording" in problem

    def test_an_unclosed_redaction(self):
        [problem] = cue_problems([TimedCue(0, 900, "Our neighbour [[Ivan")], 5000)
        assert "never closed" in problem

    def test_good_cues(self):
        assert cue_problems([TimedCue(0, 900, "[[Ivan]] drove")], 5000) == []


def uploaded(webvtt, language, kind):
    """A transcript of the recording's admin form, uploaded as a WebVTT file."""
    return {
        "language": language,
        "kind": kind,
        "cues_file": SimpleUploadedFile("t.vtt", webvtt.encode()),
    }


@pytest.fixture
def archivist_client(client):
    client.force_login(make_archivist())
    return client


def management(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def post_recording(client, recording, transcripts=(), segments=(), redacted=(), **data):
    """Post a recording's admin page, its inlines given as lists of fields."""
    form = {
        "testimony": recording.testimony.pk,
        "title": recording.title,
        "position": "0",
        "access": recording.access,
        "languages": "ru",
    }
    files = {}
    inlines = [
        ("transcripts", transcripts),
        ("segments", segments),
        ("redacted_ranges", redacted),
    ]
    for prefix, rows in inlines:
        form |= management(prefix, len(rows))
        for number, row in enumerate(rows):
            for key, value in row.items():
                target = files if key == "cues_file" else form
                target[f"{prefix}-{number}-{key}"] = value
    url = reverse("admin:testimonies_recording_change", args=[recording.pk])
    return client.post(url, {**form, **data, **files})


class TestAdmin:
    @pytest.fixture
    def recording(self, tone):
        testimony = make_testimony(access=A.RESEARCHERS)
        return make_recording(tone, testimony, access=A.RESEARCHERS)

    def post_recording(self, client, recording, transcripts=(), segments=(), **data):
        return post_recording(client, recording, transcripts, segments, **data)

    def test_the_recording_page_opens_with_what_was_found_in_the_file(
        self, archivist_client, recording
    ):
        url = reverse("admin:testimonies_recording_change", args=[recording.pk])
        page = archivist_client.get(url).content.decode()
        assert "00:00:02" in page
        assert "audio/mpeg" in page

    def test_a_transcript_is_added_from_a_webvtt_file(
        self, archivist_client, recording
    ):
        response = self.post_recording(
            archivist_client,
            recording,
            transcripts=[uploaded(TRANSCRIPT, "ru", "original")],
        )
        assert response.status_code == 302, response.context["errors"]
        transcript = Transcript.objects.get(recording=recording)
        assert list(transcript.cues.values_list("start_ms", "end_ms", "speaker")) == [
            (200, 1000, "Halyna"),
            (1000, 1900, "Interviewer"),
        ]

    def test_what_the_admin_writes_is_found_by_search_at_once(
        self, archivist_client, recording
    ):
        response = self.post_recording(
            archivist_client,
            recording,
            transcripts=[uploaded(TRANSCRIPT, "ru", "original")],
            segments=[
                {"start_ms": "0", "end_ms": "1", "language": "en", "title": "Buses"}
            ],
        )
        assert response.status_code == 302, response.context["errors"]
        visible = Testimony.objects.visible_to(make_researcher("reader"))
        for word in ["basement", "buses"]:
            found = [hit.pk for hit in search(visible, word)]
            assert found == [recording.testimony.pk], word

    def test_a_broken_transcript_is_refused_with_its_line_and_nothing_changes(
        self, archivist_client, recording
    ):
        broken = "WEBVTT\n\n00:01.000 --> 00:00.500\nbackwards\n"
        response = self.post_recording(
            archivist_client,
            recording,
            transcripts=[uploaded(broken, "ru", "original")],
        )
        assert response.status_code == 200
        assert "line 3: the cue ends" in response.content.decode()
        assert not Transcript.objects.exists()

    def test_a_cue_after_the_end_of_the_recording_is_refused(
        self, archivist_client, recording
    ):
        late = "WEBVTT\n\n00:01.000 --> 00:09.000\ntoo late\n"
        response = self.post_recording(
            archivist_client,
            recording,
            transcripts=[uploaded(late, "en", "human")],
        )
        assert "after the recording" in response.content.decode()
        assert not Cue.objects.exists()

    def test_a_new_transcript_needs_its_file(self, archivist_client, recording):
        response = self.post_recording(
            archivist_client,
            recording,
            transcripts=[{"language": "ru", "kind": "original", "translator": "x"}],
        )
        assert "Upload the transcript" in response.content.decode()

    def test_uploading_again_replaces_every_cue(self, archivist_client, recording):
        transcript = Transcript.objects.create(recording=recording, language="ru")
        Cue.objects.create(transcript=transcript, start_ms=0, end_ms=500, text="old")
        response = self.post_recording(
            archivist_client,
            recording,
            **management("transcripts", 1, 1),
            **{
                "transcripts-0-id": str(transcript.pk),
                "transcripts-0-recording": str(recording.pk),
                "transcripts-0-language": "ru",
                "transcripts-0-kind": "original",
                "transcripts-0-cues_file": SimpleUploadedFile(
                    "t.srt", b"1\n00:00:00,100 --> 00:00:00,900\nnew\n"
                ),
            },
        )
        assert response.status_code == 302
        assert list(transcript.cues.values_list("text", flat=True)) == ["new"]
        # What search reads of it follows.
        transcript.refresh_from_db()
        assert transcript.text == "new"

    def test_segments_take_times_as_clock_times(self, archivist_client, recording):
        theme = make_theme("Shelter")
        response = self.post_recording(
            archivist_client,
            recording,
            segments=[
                {
                    "start_ms": "00:00:00.5",
                    "end_ms": "0:01.5",
                    "language": "en",
                    "title": "The basement",
                    "keywords": '["basement"]',
                    "themes": [str(theme.pk)],
                }
            ],
        )
        assert response.status_code == 302, response.context["errors"]
        segment = Segment.objects.get()
        assert (segment.start_ms, segment.end_ms) == (500, 1500)
        assert list(segment.themes.all()) == [theme]

    @pytest.mark.parametrize(
        "segments, message",
        [
            (
                [("00:00:00", "00:00:01.5", "A"), ("00:00:01", "00:00:02", "B")],
                "overlap",
            ),
            ([("00:00:00", "00:00:09", "A")], "ends after the recording"),
            ([("00:00:01", "00:00:00.5", "A")], "ends after it starts"),
            ([("half past", "00:00:01", "A")], "hh:mm:ss"),
        ],
    )
    def test_bad_segments_are_refused(
        self, archivist_client, recording, segments, message
    ):
        response = self.post_recording(
            archivist_client,
            recording,
            segments=[
                {
                    "start_ms": start,
                    "end_ms": end,
                    "language": "en",
                    "title": title,
                    "keywords": "[]",
                }
                for start, end, title in segments
            ],
        )
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not Segment.objects.exists()

    def test_a_recording_is_added_on_the_testimony_form(self, archivist_client, tone):
        data = form_data(
            access="researchers",
            **{
                "recordings-TOTAL_FORMS": "1",
                "recordings-0-file": upload(tone, "phone recording.mp3"),
                "recordings-0-title": "Part 1",
                "recordings-0-access": "researchers",
                "recordings-0-position": "0",
            },
        )
        response = archivist_client.post(
            reverse("admin:testimonies_testimony_add"), data
        )
        assert response.status_code == 302, response.context["errors"]
        recording = Recording.objects.get()
        assert recording.testimony.identifier == "KS-2024-100"
        assert recording.duration_ms and recording.kind == "audio"
        page = archivist_client.get(
            reverse("admin:testimonies_testimony_change", args=[recording.testimony.pk])
        )
        assert (
            reverse("admin:testimonies_recording_change", args=[recording.pk])
            in page.content.decode()
        )

    @pytest.mark.parametrize(
        "testimony_access, recording_access, saved",
        [("researchers", "public", False), ("public", "researchers", True)],
    )
    def test_the_testimony_form_keeps_a_voice_no_more_open_than_its_text(
        self, archivist_client, tone, testimony_access, recording_access, saved
    ):
        data = form_data(
            access=testimony_access,
            **{
                "recordings-TOTAL_FORMS": "1",
                "recordings-0-file": upload(tone),
                "recordings-0-access": recording_access,
                "recordings-0-position": "0",
            },
        )
        response = archivist_client.post(
            reverse("admin:testimonies_testimony_add"), data
        )
        assert Recording.objects.exists() == saved
        if not saved:
            assert "cannot be open to more people" in response.content.decode()

    def test_a_file_that_is_no_recording_is_refused_on_the_testimony_form(
        self, archivist_client, tmp_path
    ):
        fake = tmp_path / "interview.mp3"
        fake.write_text("not audio")
        data = form_data(
            **{
                "recordings-TOTAL_FORMS": "1",
                "recordings-0-file": upload(fake),
                "recordings-0-access": "restricted",
                "recordings-0-position": "0",
            },
        )
        response = archivist_client.post(
            reverse("admin:testimonies_testimony_add"), data
        )
        assert response.status_code == 200
        assert "not a recording of an accepted kind" in response.content.decode()
        assert not Testimony.objects.exists() and not Recording.objects.exists()

    def test_the_history_of_a_recording_says_who_changed_it(
        self, archivist_client, recording
    ):
        self.post_recording(archivist_client, recording, title="Part 1")
        recording.refresh_from_db()
        assert recording.title == "Part 1"
        latest = recording.history.first()
        assert latest.history_user.username == "archivist"

    def test_a_transcript_downloads_as_webvtt_as_it_was_stored(
        self, archivist_client, recording
    ):
        transcript = Transcript.objects.create(recording=recording, language="ru")
        Cue.objects.create(
            transcript=transcript,
            start_ms=200,
            end_ms=900,
            speaker="Halyna",
            text="Our neighbour [[Ivan]] drove.",
        )
        url = reverse(
            "admin:testimonies_recording_transcript",
            args=[recording.pk, transcript.pk],
        )
        response = archivist_client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/vtt; charset=utf-8"
        assert response["Content-Disposition"].startswith("attachment")
        assert read_cues(response.content) == [
            TimedCue(200, 900, "Our neighbour [[Ivan]] drove.", "Halyna")
        ]
        page = archivist_client.get(
            reverse("admin:testimonies_recording_change", args=[recording.pk])
        )
        assert url in page.content.decode()

    def test_a_transcript_download_is_for_staff_and_checks_its_address(
        self, client, archivist_client, recording, tone
    ):
        transcript = Transcript.objects.create(recording=recording, language="ru")
        good = [recording.pk, transcript.pk]
        name = "admin:testimonies_recording_transcript"
        assert (
            archivist_client.get(reverse(name, args=[recording.pk, 999])).status_code
            == 404
        )
        assert (
            archivist_client.get(reverse(name, args=["x", transcript.pk])).status_code
            == 404
        )
        other = make_recording(tone)
        assert (
            archivist_client.get(
                reverse(name, args=[other.pk, transcript.pk])
            ).status_code
            == 404
        )
        client.logout()
        assert client.get(reverse(name, args=good)).status_code == 302

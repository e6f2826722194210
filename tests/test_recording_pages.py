"""A testimony's page plays its recordings: player, captions, contents, transcript,
and ``?t=`` to start at a second; readable without script."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from testimonies.models import Cue, Segment, Testimony, Transcript
from testimonies.timedtext import read_cues

from .factories import make_recording, make_researcher, make_testimony, make_theme

pytestmark = pytest.mark.django_db

S, A = Testimony.Status, Testimony.Access


def transcribe(recording, language, cues, kind="original"):
    transcript = Transcript.objects.create(
        recording=recording, language=language, kind=kind
    )
    for start, end, speaker, text in cues:
        Cue.objects.create(
            transcript=transcript,
            start_ms=start,
            end_ms=end,
            speaker=speaker,
            text=text,
        )
    return transcript


@pytest.fixture
def interview():
    testimony = make_testimony(identifier="REC-1", language="ru")
    recording = make_recording(testimony, access=A.PUBLIC, title="Part 1")
    transcribe(
        recording,
        "ru",
        [
            (0, 400, "Галина", "Мы сидели в подвале."),
            (400, 900, "[[Олена Петренко]]", "Потом пришёл [[Иван]] с автобусом."),
        ],
    )
    transcribe(
        recording, "en", [(0, 400, "Halyna", "We sat in the basement.")], "human"
    )
    Segment.objects.create(
        recording=recording,
        start_ms=400,
        end_ms=900,
        language="en",
        title="The bus",
        synopsis="Leaving at dawn.",
    ).themes.add(make_theme("Evacuation"))
    return recording


def page_of(client, testimony, **params):
    response = client.get(testimony.get_absolute_url(), params)
    assert response.status_code == 200
    return response.content.decode()


class TestThePlayer:
    def test_an_audio_player_with_a_track_per_transcript(self, client, interview):
        page = page_of(client, interview.testimony)
        player = re.search(r"<audio [^>]*>", page).group()
        assert f'src="{interview.file.url}"' in player and " controls" in player
        tracks = re.findall(r"<track [^>]*>", page)
        assert len(tracks) == 2
        ru = reverse("testimonies:captions", args=["REC-1", interview.pk, "ru"])
        assert any(f'src="{ru}"' in track and " default" in track for track in tracks)
        assert 'kind="subtitles" srclang="en"' in page
        assert "js/player.js" in page

    def test_a_video_gets_a_video_player(self, client):
        recording = make_recording(make_testimony(), access=A.PUBLIC, kind="video")
        page = page_of(client, recording.testimony)
        assert "<video " in page and "<audio " not in page

    def test_no_recording_no_player_and_no_script(self, client):
        page = page_of(client, make_testimony())
        assert "<audio" not in page and "player.js" not in page

    def test_the_transcript_in_the_language_being_read(self, client, interview):
        from testimonies.models import Translation

        Translation.objects.create(
            testimony=interview.testimony, language="en", title="The basement"
        )
        assert "Мы сидели в подвале." in page_of(client, interview.testimony)
        english = page_of(client, interview.testimony, lang="en")
        assert "We sat in the basement." in english
        assert "Мы сидели" not in english

    def test_each_cue_and_segment_is_a_link_to_its_second(self, client, interview):
        page = page_of(client, interview.testimony)
        anchor = f"r{interview.pk}"
        assert f'href="?r={interview.pk}&amp;t=0.4#{anchor}-c2"' in page
        assert f'href="?r={interview.pk}&amp;t=0.4#{anchor}"' in page  # the segment
        assert "00:00:00" in page and "The bus" in page and "Leaving at dawn." in page

    def test_redactions_in_cues_and_speakers_are_marks(self, client, interview):
        page = page_of(client, interview.testimony)
        assert "Иван" not in page and "Петренко" not in page
        assert page.count('class="redaction"') >= 2


class TestStartingAt:
    def test_t_starts_the_player_there_without_script(self, client, interview):
        page = page_of(client, interview.testimony, t="0.5", r=str(interview.pk))
        assert f'src="{interview.file.url}#t=0.5"' in page

    def test_clock_times_work_too(self, client, interview):
        page = page_of(client, interview.testimony, t="00:00:00.7")
        assert f'src="{interview.file.url}#t=0.7"' in page

    def test_a_time_past_the_end_starts_at_the_end(self, client, interview):
        page = page_of(client, interview.testimony, t="99999")
        seconds = interview.duration_ms / 1000
        assert f"#t={seconds:g}" in page

    @pytest.mark.parametrize("value", ["soon", "-5", "1e9999", "12:99", "x" * 5000])
    def test_a_time_it_cannot_read_is_ignored(self, client, interview, value):
        page = page_of(client, interview.testimony, t=value)
        assert f'src="{interview.file.url}"' in page

    def test_only_the_recording_named_starts_there(self, client, interview):
        other = make_recording(interview.testimony, access=A.PUBLIC, position=2)
        page = page_of(client, interview.testimony, t="0.5", r=str(other.pk))
        assert f'src="{other.file.url}#t=0.5"' in page
        assert f'src="{interview.file.url}"' in page


class TestWhoHears:
    def test_a_voice_for_researchers_is_not_on_the_public_page(self, client):
        testimony = make_testimony()
        recording = make_recording(testimony, access=A.RESEARCHERS)
        transcribe(recording, "en", [(0, 400, "", "only researchers hear this")])
        page = page_of(client, testimony)
        assert "only researchers hear this" not in page
        assert recording.file.url not in page and "<audio" not in page
        client.force_login(make_researcher())
        assert "only researchers hear this" in page_of(client, testimony)

    def test_the_page_costs_the_same_queries_for_one_recording_or_three(self, client):
        def queries(count):
            testimony = make_testimony()
            for _ in range(count):
                recording = make_recording(testimony, access=A.PUBLIC)
                transcribe(recording, "en", [(0, 100, "", "a"), (100, 200, "", "b")])
                Segment.objects.create(
                    recording=recording,
                    start_ms=0,
                    end_ms=100,
                    language="en",
                    title="x",
                )
            with CaptureQueriesContext(connection) as captured:
                page_of(client, testimony)
            return len(captured)

        assert queries(1) == queries(3)


class TestCaptions:
    def url(self, recording, language):
        return reverse(
            "testimonies:captions",
            args=[recording.testimony.identifier, recording.pk, language],
        )

    def test_webvtt_of_what_the_public_may_read(self, client, interview):
        response = client.get(self.url(interview, "ru"))
        assert response.status_code == 200
        assert response["Content-Type"] == "text/vtt; charset=utf-8"
        cues = read_cues(response.content)
        assert [cue.text for cue in cues] == [
            "Мы сидели в подвале.",
            "Потом пришёл █████ с автобусом.",
        ]
        assert cues[1].speaker == "█████"

    def test_closed_to_those_who_may_not_hear(self, client):
        recording = make_recording(make_testimony(), access=A.RESEARCHERS)
        transcribe(recording, "en", [(0, 100, "", "a")])
        assert client.get(self.url(recording, "en")).status_code == 404
        client.force_login(make_researcher())
        assert client.get(self.url(recording, "en")).status_code == 200

    def test_a_withdrawn_testimony_s_captions_are_gone(self, client):
        recording = make_recording(make_testimony(status=S.WITHDRAWN), access=A.PUBLIC)
        transcribe(recording, "en", [(0, 100, "", "a")])
        assert client.get(self.url(recording, "en")).status_code == 410

    @pytest.mark.parametrize("language", ["fr", "x" * 40, "en\x00"])
    def test_an_unknown_language(self, client, interview, language):
        assert client.get(self.url(interview, language)).status_code == 404

    def test_a_recording_of_another_testimony(self, client, interview):
        other = make_testimony(identifier="REC-2")
        url = reverse(
            "testimonies:captions", args=[other.identifier, interview.pk, "ru"]
        )
        assert client.get(url).status_code == 404


class TestCitingAMoment:
    def test_opened_at_a_second_the_citation_cites_the_cue_spoken_then(
        self, client, interview
    ):
        response = client.get(interview.testimony.get_absolute_url(), {"t": "0.5"})
        citation = response.context["citation"]
        assert citation.url.endswith(f"/testimonies/REC-1/?r={interview.pk}&t=0")
        assert "recording, 00:00:00" in citation.chicago
        assert "note = {Recording, 00:00:00}" in citation.bibtex
        assert f"?r={interview.pk}&t=0}}" in citation.bibtex

    def test_a_later_cue_gives_its_span(self, client):
        testimony = make_testimony(identifier="REC-LONG")
        recording = make_recording(testimony, seconds=20, access=A.PUBLIC)
        transcribe(recording, "en", [(751, 1000, "", "a"), (12_000, 15_500, "", "b")])
        response = client.get(testimony.get_absolute_url(), {"t": "00:00:13"})
        citation = response.context["citation"]
        assert "recording, 00:00:12–00:00:15" in citation.chicago
        assert "note = {Recording, 00:00:12--00:00:15}" in citation.bibtex
        assert citation.url.endswith(f"?r={recording.pk}&t=12")

    def test_a_second_recording_is_named_in_the_address(self, client, interview):
        other = make_recording(interview.testimony, access=A.PUBLIC, position=2)
        response = client.get(
            interview.testimony.get_absolute_url(), {"t": "0.2", "r": str(other.pk)}
        )
        assert response.context["citation"].url.endswith(f"?r={other.pk}&t=0")

    def test_alternate_languages_link_to_the_testimony_not_the_moment(
        self, client, interview
    ):
        from testimonies.models import Translation

        Translation.objects.create(
            testimony=interview.testimony, language="en", title="The basement"
        )
        page = page_of(client, interview.testimony, t="0.5")
        assert (
            'hreflang="en" href="http://testserver/testimonies/REC-1/?lang=en"' in page
        )

    def test_a_voice_hidden_before_it_changes_nothing_in_the_citation(self, client):
        testimony = make_testimony(identifier="REC-HID")
        make_recording(testimony, access=A.RESTRICTED, position=0)
        public = make_recording(testimony, access=A.PUBLIC, position=1)
        alone = make_testimony(identifier="REC-ALONE")
        only = make_recording(alone, access=A.PUBLIC)
        hidden = client.get(testimony.get_absolute_url(), {"t": "0"})
        shown = client.get(alone.get_absolute_url(), {"t": "0"})
        assert hidden.context["citation"].url.endswith(f"?r={public.pk}&t=0")
        assert shown.context["citation"].url.endswith(f"?r={only.pk}&t=0")

    def test_without_t_the_citation_is_the_testimony(self, client, interview):
        citation = page_citation(client, interview.testimony)
        assert "?t=" not in citation.url and "recording" not in citation.chicago


def page_citation(client, testimony):
    return client.get(testimony.get_absolute_url()).context["citation"]


class TestSearchingTheTranscript:
    def test_q_marks_every_cue_that_matches_and_counts_it(self, client, interview):
        page = page_of(client, interview.testimony, q="подвал")
        assert '<mark id="m1">подвале</mark>' in page
        assert page.count('class="is-match"') == 1
        assert "1 match for" in page

    def test_marks_continue_into_the_text(self, client, interview):
        testimony = interview.testimony
        testimony.body = "Подвал был сухой."
        testimony.save()
        page = page_of(client, testimony, q="подвал")
        assert '<mark id="m1">подвале</mark>' in page
        assert '<mark id="m2">Подвал</mark>' in page
        assert "2 matches for" in page

    def test_a_redacted_word_is_never_marked_or_shown(self, client, interview):
        page = page_of(client, interview.testimony, q="Иван")
        assert "<mark" not in page and 'class="is-match"' not in page
        assert "0 matches for" in page

"""Search reaches into recordings: their cues and segment indexes are found, at
the moment they are spoken, by those who may hear them and by nobody else."""

import pytest
from django.db import connection

from testimonies.models import Recording, Testimony, Transcript
from testimonies.search import search
from testimonies.search.backends import backend_for
from testimonies.search.passages import TimedPassage
from testimonies.timedtext import TimedCue
from testimonies.transcripts import replace_cues

from .factories import (
    make_archivist,
    make_recording,
    make_researcher,
    make_segment,
    make_testimony,
    make_transcript,
)

pytestmark = pytest.mark.django_db

A = Testimony.Access

CUES = [
    (0, 4_000, "Мы сидели в подвале девять дней."),
    (4_000, 9_500, "Потом пришёл автобус, и нас вывезли."),
    (751_200, 765_000, "Дорогу через блокпост закрыли."),
]


def found(user, text):
    visible = Testimony.objects.visible_to(user)
    return [hit.identifier for hit in search(visible, text)]


def hits(user, text):
    return list(search(Testimony.objects.visible_to(user), text))


@pytest.fixture
def spoken():
    """A public testimony whose text says nothing of basements, with a public
    recording that does, in Russian, with an English translation."""
    testimony = make_testimony(
        identifier="SPOKEN-1", language="ru", title="Свидетельство", body="Текст."
    )
    recording = make_recording(testimony, access=A.PUBLIC)
    make_transcript(recording, CUES, language="ru")
    make_transcript(
        recording,
        [(0, 4_000, "We sat in the basement for nine days.")],
        language="en",
        kind=Transcript.Kind.HUMAN,
    )
    return recording


class TestFound:
    def test_a_word_spoken_in_a_public_recording_finds_its_testimony(self, spoken):
        assert found(None, "подвал") == ["SPOKEN-1"]
        assert found(None, "basement") == ["SPOKEN-1"]
        assert found(None, "подвале девять") == ["SPOKEN-1"]

    def test_a_phrase_may_run_from_one_cue_into_the_next(self, spoken):
        assert found(None, '"девять дней потом пришёл"') == ["SPOKEN-1"]

    def test_words_never_spoken_find_nothing(self, spoken):
        assert found(None, "трактор") == []

    def test_the_segment_index_is_searched(self, spoken):
        make_segment(
            spoken,
            0,
            9_500,
            "Sheltering underground",
            synopsis="Nine days without light.",
            keywords=["cellar"],
        )
        for word in ["underground", "light", "cellar"]:
            assert found(None, word) == ["SPOKEN-1"], word

    def test_a_redacted_word_of_a_cue_is_found_by_nobody(self, spoken):
        replace_cues(
            transcript=spoken.transcripts.get(language="ru"),
            cues=[TimedCue(0, 4_000, "Нас вывез сосед [[Кравчук]].")],
        )
        spoken.testimony.save()  # as the admin's save tells the index
        assert found(None, "сосед") == ["SPOKEN-1"]
        assert found(make_archivist(), "Кравчук") == []

    def test_japanese_speech_is_found_by_its_characters(self):
        testimony = make_testimony(identifier="JA-SPOKEN", language="ja", body="本文")
        recording = make_recording(testimony, access=A.RESEARCHERS)
        make_transcript(
            recording, [(0, 3_000, "地下室に九日間いました。")], language="ja"
        )
        researcher = make_researcher()
        assert found(researcher, "地下室") == ["JA-SPOKEN"]
        assert found(researcher, "地") == ["JA-SPOKEN"]  # one character: a prefix
        assert found(None, "地下室") == []


class TestWhoHears:
    """A recording's own access level decides who finds its words."""

    @pytest.fixture
    def voices(self):
        testimony = make_testimony(identifier="VOICES-1", body="Водитель вывез нас.")
        for access, word in [(A.RESEARCHERS, "подвал"), (A.RESTRICTED, "погреб")]:
            recording = make_recording(testimony, access=access)
            make_transcript(recording, [(0, 2_000, f"Мы сидели: {word}.")])
        return testimony

    @pytest.mark.parametrize(
        ("audience", "heard"),
        [
            ("public", set()),
            ("researcher", {"подвал"}),
            ("archivist", {"подвал", "погреб"}),
        ],
    )
    def test_each_audience_finds_what_it_may_hear(self, voices, audience, heard):
        user = {
            "public": None,
            "researcher": make_researcher(),
            "archivist": make_archivist(),
        }[audience]
        for word in ["подвал", "погреб"]:
            expected = ["VOICES-1"] if word in heard else []
            assert found(user, word) == expected, word
            # Excluding a word one may not hear excludes nothing: otherwise a
            # search of the text "without" it would tell that it is spoken.
            expected = [] if word in heard else ["VOICES-1"]
            assert found(user, f"водитель -{word}") == expected, word
        # Every group of a query may be matched in text or speech alike.
        expected = ["VOICES-1"] if "подвал" in heard else []
        assert found(user, "водитель подвал") == expected

    def test_a_queryset_says_which_levels_its_user_may_hear(self, voices):
        researcher = make_researcher()
        objects = Testimony.objects
        assert objects.all().readable_access == (A.PUBLIC,)
        assert objects.visible_to(None).readable_access == (A.PUBLIC,)
        assert objects.visible_to(researcher).filter(pk__gt=0).readable_access == (
            A.PUBLIC,
            A.RESEARCHERS,
        )
        archivist = objects.visible_to(make_archivist())
        assert len(archivist.readable_access) == 3
        # Narrowed twice: only what both may hear.
        assert archivist.visible_to(None).readable_access == (A.PUBLIC,)

    def test_a_search_never_narrowed_to_a_user_hears_only_public_voices(self, voices):
        assert [t.identifier for t in search(Testimony.objects.all(), "подвал")] == []

    def test_a_hidden_testimony_stays_hidden_whatever_its_voices(self, spoken):
        spoken.testimony.status = Testimony.Status.DRAFT
        spoken.testimony.save()
        assert found(None, "подвал") == []
        assert found(make_archivist(), "подвал") == ["SPOKEN-1"]


class TestKeptCurrent:
    def test_a_recording_closed_to_researchers_leaves_the_public_search(self, spoken):
        spoken.access = A.RESEARCHERS
        spoken.save()
        assert found(None, "подвал") == []
        assert found(make_researcher(), "подвал") == ["SPOKEN-1"]

    def test_a_deleted_recording_is_no_longer_found(self, spoken):
        spoken.delete()
        assert found(make_archivist(), "подвал") == []

    def test_a_deleted_transcript_is_no_longer_found(self, spoken):
        spoken.transcripts.get(language="en").delete()
        assert found(None, "basement") == []
        assert found(None, "подвал") == ["SPOKEN-1"]

    def test_replaced_cues_are_found_once_the_writer_tells_the_index(self, spoken):
        make_transcript(spoken, [(0, 1_000, "Трактор стоял у дома.")], language="uk")
        assert found(None, "трактор") == ["SPOKEN-1"]

    def test_a_deleted_testimony_takes_its_recordings_out(self, spoken):
        pk = spoken.testimony.pk
        spoken.testimony.delete()
        assert not Recording.objects.filter(pk=spoken.pk).exists()
        store = backend_for(connection)
        assert pk not in store.matched_ids(search(Testimony.objects.all(), "x").query)


class TestMoments:
    def test_a_hit_carries_the_moments_its_words_are_spoken(self, spoken):
        [hit] = hits(None, "блокпост")
        [moment] = hit.search_moments
        assert isinstance(moment, TimedPassage)
        assert (moment.start, moment.end) == (751_200, 765_000)
        assert (moment.start_seconds, moment.end_seconds) == (751.2, 765.0)
        assert moment.recording == spoken.pk
        assert moment.language == "ru"
        assert "<mark>блокпост</mark>" in moment.snippet
        assert moment.url.startswith(f"/testimonies/SPOKEN-1/?r={spoken.pk}&t=751.2&")
        assert moment.url.endswith(f"#r{spoken.pk}-c3")

    def test_moments_in_a_translation_name_their_language(self, spoken):
        [hit] = hits(None, "basement")
        [moment] = hit.search_moments
        assert moment.language == "en"
        # The page shows the Russian transcript (no English text to read):
        # the link plays the moment without naming a line of another transcript.
        assert moment.url.endswith(f"#r{spoken.pk}")
        assert "lang=" not in moment.url

    def test_a_segment_matched_gives_its_start_and_title(self, spoken):
        make_segment(spoken, 4_000, 9_500, "The bus", synopsis="Leaving by bus.")
        [hit] = hits(None, "bus")
        [moment] = hit.search_moments
        assert (moment.start, moment.title) == (4_000, "The bus")
        assert "<mark>" in moment.snippet

    def test_at_most_three_moments_in_order_of_time(self, spoken):
        make_transcript(
            spoken,
            [(n * 1_000, n * 1_000 + 900, f"Підвал номер {n}.") for n in range(6)],
            language="uk",
        )
        [hit] = hits(None, "підвал")
        assert [m.start for m in hit.search_moments] == [0, 1_000, 2_000]

    def test_no_moment_from_a_voice_the_visitor_may_not_hear(self, spoken):
        testimony = spoken.testimony
        closed = make_recording(testimony, access=A.RESEARCHERS)
        make_transcript(closed, [(0, 1_000, "Подвал был холодный.")])
        [hit] = hits(None, "подвал")
        assert {m.recording for m in hit.search_moments} == {spoken.pk}
        [hit] = hits(make_researcher(), "подвал")
        assert {m.recording for m in hit.search_moments} == {spoken.pk, closed.pk}

    def test_a_text_only_hit_has_no_moments(self):
        make_testimony(identifier="TEXT-1", body="Мы сидели в подвале.")
        [hit] = hits(None, "подвал")
        assert hit.search_moments == []


class TestSurfaces:
    def test_the_search_page_links_each_moment_to_its_second(self, client, spoken):
        page = client.get("/search/", {"q": "блокпост"}).content.decode()
        assert "listen at 00:12:31" in page
        assert f"?r={spoken.pk}&amp;t=751.2&amp;q=%D0%B1" in page
        assert "<mark>блокпост</mark>" in page

    def test_the_api_gives_time_coded_passages(self, client, spoken):
        data = client.get("/api/v1/testimonies/", {"q": "блокпост"}).json()
        [hit] = data["results"]
        [moment] = hit["passages"]
        assert moment["recording"] == spoken.pk
        assert (moment["start"], moment["end"]) == (751.2, 765.0)
        assert moment["language"] == "ru"
        assert "<mark>блокпост</mark>" in moment["snippet"]
        assert moment["url"].startswith(
            f"http://testserver/testimonies/SPOKEN-1/?r={spoken.pk}&t=751.2&q="
        )

    def test_the_api_hides_the_moments_of_closed_voices(self, client, spoken):
        spoken.access = A.RESEARCHERS
        spoken.save()
        data = client.get("/api/v1/testimonies/", {"q": "блокпост"}).json()
        assert data["count"] == 0
        assert "блокпост" not in str(data)

    def test_a_hit_found_only_in_speech_shows_its_moments_not_its_summary(
        self, client, spoken
    ):
        spoken.testimony.summary = "Краткое содержание."
        spoken.testimony.save()
        page = client.get("/search/", {"q": "блокпост"}).content.decode()
        assert "listen at 00:12:31" in page
        assert "Краткое содержание" not in page
        # Found in the summary too: both are shown.
        page = client.get("/search/", {"q": "содержание OR блокпост"}).content.decode()
        assert "listen at 00:12:31" in page
        assert "<mark>содержание</mark>" in page

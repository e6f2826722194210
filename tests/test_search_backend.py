"""Search behaviour a researcher relies on, on whichever database runs the suite.

The same file runs on SQLite (FTS5) and on PostgreSQL (tsvector) through
scripts/with_postgres.py, so each assertion also proves both engines return the
same hits. Every text below is a fictional composite.
"""

import random

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator

from testimonies.models import Place, Testimony, Theme, Translation
from testimonies.search import search
from testimonies.search.query import parse_query

from .factories import make_narrator, make_researcher, make_testimony
from .test_search_query import MALFORMED

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive():
    sudzha = Place.objects.create(
        name="Sudzha", names={"ru": "Суджа", "uk": "Суджа", "ja": "スジャ"}
    )
    aid = Theme.objects.create(
        name="Humanitarian aid", names={"ja": "人道支援", "ru": "Гуманитарная помощь"}
    )
    t = {}
    t["ja"] = make_testimony(
        identifier="JA-1",
        language="ja",
        title="三日間のこと",
        body="私たちは近所の地下室に避難した。三日間、上の階には戻らなかった。",
        recorded_on="2024-08-10",
        places=[sudzha],
    )
    Translation.objects.create(
        testimony=t["ja"],
        language="en",
        title="Three days",
        body="We hid in a neighbour's cellar for three days.",
    )
    t["ru"] = make_testimony(
        identifier="RU-1",
        language="ru",
        title="Ночи внизу",
        body="Мы сидели в подвалах всю неделю. В подвале было холодно. Всё ещё помню.",
        recorded_on="2024-08-20",
        themes=[aid],
    )
    t["uk"] = make_testimony(
        identifier="UK-1",
        language="uk",
        title="Тиждень",
        body="Ми ховалися в підвалі школи. Сімʼя була разом.",
        recorded_on="2024-09-01",
        narrator=make_narrator(alias="Ginger Cat"),
    )
    t["en_title"] = make_testimony(
        identifier="EN-1",
        title="The basement",
        body="Nobody came for two days because of the closed road near the bridge.",
        recorded_on="2024-08-15",
    )
    t["en_body"] = make_testimony(
        identifier="EN-2",
        title="Morning at the bridge",
        summary="The café on the corner stayed open.",
        body="The road closed at dawn. We waited in basements and counted drones.",
        recorded_on="2024-07-01",
        places=[sudzha],
    )
    t["draft"] = make_testimony(
        identifier="RU-DRAFT",
        language="ru",
        title="Черновик",
        body="Подвал, подвалы, снова подвал.",
        status=Testimony.Status.DRAFT,
    )
    t["researchers"] = make_testimony(
        identifier="EN-R",
        title="Notes for researchers",
        body="A basement under the clinic.",
        access=Testimony.Access.RESEARCHERS,
    )
    return t


def found(query, queryset=None, **kwargs):
    queryset = queryset if queryset is not None else Testimony.objects.all()
    return {t.identifier for t in search(queryset, query, **kwargs)}


def public(query):
    return found(query, Testimony.objects.visible_to(AnonymousUser()))


class TestLanguages:
    def test_two_character_japanese_words_match(self, archive):
        assert public("避難") == {"JA-1"}
        assert public("地下") == {"JA-1"}

    def test_one_japanese_character_matches(self, archive):
        assert public("避") == {"JA-1"}

    def test_japanese_characters_must_be_adjacent(self, archive):
        # 地 and 上 both occur in JA-1, but never as 地上.
        assert public("地上") == set()

    def test_russian_word_finds_inflected_forms(self, archive):
        assert public("подвал") == {"RU-1"}
        assert public("подвалах") == {"RU-1"}

    def test_ukrainian_word_finds_inflected_forms(self, archive):
        assert public("підвал") == {"UK-1"}

    def test_english_word_finds_plural(self, archive):
        assert public("basements") == {"EN-1", "EN-2"}
        assert public("basement") == {"EN-1", "EN-2"}

    def test_case_width_and_diacritics_do_not_matter(self, archive):
        assert public("ＢＡＳＥＭＥＮＴ") == {"EN-1", "EN-2"}
        assert public("cafe") == public("CAFÉ") == {"EN-2"}

    def test_yo_and_apostrophe_variants_match(self, archive):
        assert public("все еще") == {"RU-1"}
        assert public("сім'я") == public("сім’я") == {"UK-1"}

    def test_place_names_in_every_language_match(self, archive):
        assert (
            public("スジャ")
            == public("Суджа")
            == public("sudzha")
            == {
                "JA-1",
                "EN-2",
            }
        )

    def test_theme_names_in_other_languages_match(self, archive):
        assert public("гуманитарная помощь") == public("人道") == {"RU-1"}

    def test_translations_are_searched(self, archive):
        assert public("cellar") == {"JA-1"}

    def test_narrator_alias_is_searched(self, archive):
        assert public("ginger cat") == {"UK-1"}


@pytest.fixture
def japanese():
    return {
        "basement": make_testimony(
            identifier="JA-B",
            language="ja",
            title="地下室",
            body="そんなところに三日間いた。長い避難生活だった。",
        ),
        "apart": make_testimony(
            identifier="JA-A",
            language="ja",
            body="地上に出て、下を見た。避難した所は遠い。",
        ),
        "ending": make_testimony(identifier="JA-E", language="ja", body="それを避"),
        "tower": make_testimony(
            identifier="JA-T", language="ja", body="東京タワーに登った。"
        ),
        # The names field holds 東京 then タワー, as two pieces.
        "tags": make_testimony(
            identifier="JA-N",
            language="ja",
            narrator=make_narrator(alias="東京"),
            themes=[Theme.objects.create(name="タワー")],
        ),
    }


class TestJapanese:
    """Words of two characters or more are phrases of bigrams; one character is
    found wherever it stands."""

    def test_two_characters_find_a_longer_word_but_not_characters_apart(self, japanese):
        assert public("地下") == {"JA-B"}
        assert public("避難所") == set()

    def test_one_character_finds_a_word_and_a_text_ending_in_it(self, japanese):
        assert public("避") == {"JA-B", "JA-A", "JA-E"}
        assert public("室") == {"JA-B"}

    def test_kana_and_four_character_words(self, japanese):
        assert public("ところ") == {"JA-B"}
        assert public("避難生活") == {"JA-B"}
        assert public("避難生活 -ところ") == set()

    def test_spaces_inside_quotes_may_stand_between_adjacent_characters(self, japanese):
        assert public('"地下 室"') == public("地下室") == {"JA-B"}
        assert public('"東京 タワー"') == {"JA-T"}

    def test_a_phrase_does_not_run_from_one_tag_name_into_the_next(self, japanese):
        assert public("東京") == public("タワー") == {"JA-T", "JA-N"}
        assert public('"東京 タワー"') == public("京タ") == {"JA-T"}

    def test_title_match_ranks_first(self, japanese):
        hits = list(search(Testimony.objects.visible_to(None), "地")[0:5])
        assert [hit.identifier for hit in hits] == ["JA-B", "JA-A"]

    def test_snippets_mark_exactly_the_characters_searched(self, japanese):
        def snippet(query):
            hits = search(Testimony.objects.visible_to(None), query)[0:5]
            return {hit.identifier: hit.search_snippet for hit in hits}

        assert "<mark>避</mark>難生活" in snippet("避")["JA-B"]
        assert "それを<mark>避</mark>" in snippet("避")["JA-E"]
        assert "長い<mark>避難生活</mark>だった" in snippet("避難生活")["JA-B"]
        assert "そんな<mark>ところ</mark>に" in snippet("ところ")["JA-B"]
        assert "<mark>東京タワー</mark>に" in snippet('"東京 タワー"')["JA-T"]
        assert "<mark>" not in snippet("東京")["JA-N"]

    @pytest.mark.parametrize(
        "text", ["ﾞﾞﾞ", "゛゜", "避" * 1000, "地下Tower３月ｶﾞｽ㈱", '"地 下 室" -"下"']
    )
    def test_odd_japanese_input_gives_results_or_a_message(self, japanese, text):
        results = search(Testimony.objects.visible_to(None), text)
        assert list(results[0:20]) or results.message or results.count() == 0
        results.facets()


class TestSyntax:
    def test_phrase_keeps_word_order(self, archive):
        assert public('"closed road"') == {"EN-1"}
        assert public('"road closed"') == {"EN-2"}
        assert public("closed road") == {"EN-1", "EN-2"}

    def test_minus_excludes(self, archive):
        assert public("basement -drones") == {"EN-1"}
        assert public('basement -"closed road"') == {"EN-2"}

    def test_only_exclusions_leave_everything_else(self, archive):
        assert public("-basement") == {"JA-1", "RU-1", "UK-1"}

    def test_or(self, archive):
        assert public("подвал OR підвал") == {"RU-1", "UK-1"}
        assert public("подвал OR підвал -школа") == {"RU-1"}

    def test_words_are_anded(self, archive):
        assert public("basement bridge drones") == {"EN-2"}

    @pytest.mark.parametrize("text", MALFORMED)
    def test_malformed_input_returns_results_or_nothing(self, archive, text):
        results = search(Testimony.objects.visible_to(None), text)
        page = results[0:20]
        assert results.count() == len(page) or results.count() > 20
        results.facets()

    def test_random_input_never_raises(self, archive):
        pieces = [
            '"',
            "-",
            "OR",
            " ",
            "(",
            "*",
            "'",
            "地",
            "下",
            "подвал",
            "ʼ",
            "basement",
            "\x00",
            "\u0301",
            "NEAR",
            ":",
            "^",
            "\\",
            "«",
            "」",
        ]
        generator = random.Random(20240810)
        for _ in range(300):
            text = "".join(
                generator.choice(pieces) for _ in range(generator.randint(1, 12))
            )
            results = search(Testimony.objects.visible_to(None), text)
            results[0:3]
            results.facets()

    def test_sql_fragment_leaves_the_data_alone(self, archive):
        search(Testimony.objects.all(), "'; DROP TABLE testimonies_testimony; --")[0:5]
        assert Testimony.objects.count() == len(archive)

    def test_nothing_searchable_gives_no_hits_and_a_message(self, archive):
        results = search(Testimony.objects.all(), "(((")
        assert results.count() == 0 and list(results[0:10]) == []
        assert results.message


class TestRankingAndOrder:
    def test_title_match_ranks_above_body_match(self, archive):
        hits = list(search(Testimony.objects.visible_to(None), "basement")[0:10])
        assert [hit.identifier for hit in hits] == ["EN-1", "EN-2"]
        assert hits[0].search_rank > hits[1].search_rank

    def test_sort_by_recorded_date(self, archive):
        newest = search(Testimony.objects.visible_to(None), "sudzha", sort="newest")
        oldest = search(Testimony.objects.visible_to(None), "sudzha", sort="oldest")
        assert [t.identifier for t in newest] == ["JA-1", "EN-2"]
        assert [t.identifier for t in oldest] == ["EN-2", "JA-1"]

    def test_blank_query_lists_everything_newest_first(self, archive):
        results = search(Testimony.objects.visible_to(None), "", sort="relevance")
        assert results.sort == "newest"
        assert [t.identifier for t in results] == [
            "UK-1",
            "RU-1",
            "EN-1",
            "JA-1",
            "EN-2",
        ]

    def test_paginator_pages_through_ranked_hits(self, archive):
        results = search(
            Testimony.objects.visible_to(None), "basement OR подвал OR підвал"
        )
        paginator = Paginator(results, 3)
        pages = [
            [t.identifier for t in paginator.page(number)]
            for number in paginator.page_range
        ]
        assert paginator.count == 4
        assert [len(page) for page in pages] == [3, 1]
        assert {i for page in pages for i in page} == {"EN-1", "EN-2", "RU-1", "UK-1"}


class TestVisibility:
    def test_draft_never_appears_for_anonymous(self, archive):
        assert "RU-DRAFT" in found("подвал")
        assert "RU-DRAFT" not in public("подвал")

    def test_search_and_visible_to_compose_in_either_order(self, archive):
        first = found("basement", Testimony.objects.visible_to(None))
        second = {
            t.identifier
            for t in search(Testimony.objects.all(), "basement").visible_to(None)
        }
        assert first == second == {"EN-1", "EN-2"}

    def test_researcher_sees_researcher_only_hits(self, archive):
        researcher = make_researcher()
        assert found("basement", Testimony.objects.visible_to(researcher)) == {
            "EN-1",
            "EN-2",
            "EN-R",
        }

    def test_filters_compose_with_search(self, archive):
        sudzha = Place.objects.get(name="Sudzha")
        results = search(Testimony.objects.visible_to(None), "basement")
        assert {t.identifier for t in results.filter_by(place=sudzha)} == {"EN-2"}
        assert {t.identifier for t in results.filter_by(language="ja")} == set()


class TestFacetsAndSnippets:
    def test_facets_count_only_visible_hits(self, archive):
        facets = search(Testimony.objects.visible_to(None), "sudzha OR подвал").facets()
        assert {(f.value.name, f.count) for f in facets.places} == {("Sudzha", 2)}
        assert {(f.value.name, f.count) for f in facets.themes} == {
            ("Humanitarian aid", 1)
        }
        assert {(f.value, f.count) for f in facets.languages} == {
            ("ja", 1),
            ("en", 1),
            ("ru", 1),
        }

    def test_facets_of_a_draft_stay_hidden(self, archive):
        archive["draft"].places.add("Hidden village")
        facets = search(Testimony.objects.visible_to(None), "подвал").facets()
        assert "Hidden village" not in {f.value.name for f in facets.places}

    def test_snippet_marks_inflected_match_in_original_text(self, archive):
        (hit,) = search(Testimony.objects.visible_to(None), "подвал")[0:1]
        assert "<mark>подвалах</mark>" in hit.search_snippet
        assert "<mark>подвале</mark>" in hit.search_snippet

    def test_snippet_marks_japanese_phrase_as_one(self, archive):
        (hit,) = search(Testimony.objects.visible_to(None), "地下")[0:1]
        assert "<mark>地下</mark>" in hit.search_snippet
        assert hit.search_snippet.count("<mark>") == 1

    def test_snippet_marks_phrase_only_where_in_order(self, archive):
        (hit,) = search(Testimony.objects.visible_to(None), '"road closed"')[0:1]
        assert "<mark>road closed</mark>" in hit.search_snippet

    def test_snippet_escapes_html(self, archive):
        archive["en_title"].body = "<script>alert('basement')</script> & more"
        archive["en_title"].save()
        hits = search(Testimony.objects.visible_to(None), "basement")[0:5]
        snippet = next(h for h in hits if h.identifier == "EN-1").search_snippet
        assert "<script>" not in snippet
        assert "&lt;script&gt;" in snippet and "&amp; more" in snippet
        assert "<mark>basement</mark>" in snippet

    def test_snippet_of_a_long_text_is_a_passage_around_the_match(self, archive):
        body = "Слово за словом. " * 500 + "Мы спустились в подвал. " + "Тишина. " * 500
        make_testimony(identifier="RU-LONG", language="ru", title="Долго", body=body)
        hits = search(Testimony.objects.visible_to(None), "подвал спустились")[0:1]
        snippet = hits[0].search_snippet
        assert "<mark>подвал</mark>" in snippet
        assert snippet.startswith("…") and snippet.endswith("…")
        assert len(snippet) < 400

    def test_facets_also_count_the_hits(self, archive, django_assert_num_queries):
        search(Testimony.objects.visible_to(None), "sudzha OR подвал").facets()
        results = search(Testimony.objects.visible_to(None), "sudzha OR подвал")
        # The change log's token and the engine's matches; the rest is kept in
        # memory (testimonies.search.hitsets), on both engines.
        with django_assert_num_queries(2):
            assert results.facets().total == 3
        with django_assert_num_queries(0):
            assert results.count() == 3

    def test_facets_of_an_empty_query_are_empty(self, archive):
        facets = search(Testimony.objects.all(), "(((").facets()
        assert facets.total == 0 and facets.themes == facets.languages == []

    def test_a_page_costs_the_same_queries_whatever_its_size(
        self, archive, django_assert_num_queries
    ):
        for number in range(30):
            make_testimony(
                identifier=f"BULK-{number}",
                body="basement",
                places=["Sudzha"],
                themes=["Shelter"],
                narrator=make_narrator(),
            )
        Translation.objects.create(
            testimony=Testimony.objects.get(identifier="BULK-1"),
            language="ru",
            title="Подвал",
        )
        search(Testimony.objects.visible_to(None), "basement")[0:1]
        for size in (2, 25):
            results = search(Testimony.objects.visible_to(None), "basement")
            # The change log's token, the engine's matches, the ranked ids,
            # testimonies with their narrator, translations, and the theme and
            # place links (the tags themselves are kept in memory:
            # testimonies.search.hitsets), and the recordings the visitor may
            # hear (their transcripts, segments and cues only when there are).
            expected = 7  # on both engines
            with django_assert_num_queries(expected):
                hits = results[0:size]
            assert len(hits) == size
            assert all(hit.search_snippet for hit in hits)

    def test_query_is_parsed_once_and_kept(self, archive):
        results = search(Testimony.objects.all(), '"closed road"')
        assert results.query == parse_query('"closed road"')

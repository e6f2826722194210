"""The analyzer: one set of rules turning text into tokens, for texts and queries."""

import pytest

from testimonies.search import analyzer


def forms(text):
    return analyzer.index_tokens(text)


def query_forms(text):
    """The first (index) form of each query token."""
    return [alternatives[0] for alternatives in analyzer.query_tokens(text)]


class TestNormalisation:
    def test_case_and_width_are_ignored(self):
        assert forms("ＢＡＳＥＭＥＮＴ") == forms("Basement") == forms("basement")

    def test_latin_diacritics_are_ignored(self):
        assert forms("Café") == forms("cafe") == forms("CAFÉ")

    def test_decomposed_accents_are_ignored(self):
        assert forms("Cafe\u0301") == forms("cafe")
        # A stress mark, as in dictionaries and textbooks.
        assert forms("подва\u0301л") == forms("подвал")

    def test_yo_and_ye_are_one_letter(self):
        assert forms("Ёлка всё") == forms("елка все")

    def test_short_i_and_yi_are_kept(self):
        # Taking the breve or diaeresis off would make these other words.
        assert forms("йод") == ["йод"]
        assert forms("їжа") == ["їжа"]

    @pytest.mark.parametrize("apostrophe", ["'", "’", "ʼ", "‘"])
    def test_ukrainian_apostrophes_are_one(self, apostrophe):
        assert forms(f"сім{apostrophe}я") == forms("сім’я")

    def test_apostrophe_variants_agree_at_query_time(self):
        assert query_forms("сімʼя") == forms("сім'я")

    def test_half_width_katakana_is_full_width(self):
        assert forms("ｽｼﾞｬ") == forms("スジャ")


class TestWords:
    def test_russian_inflections_meet(self):
        assert forms("подвал подвале подвалах подвалами") == ["подвал"] * 4

    def test_ukrainian_inflections_meet(self):
        assert forms("підвал підвалі підвалах") == ["підвал"] * 3

    def test_ukrainian_word_without_ukrainian_letters(self):
        # "дрони" reads as an unknown Russian word; the Ukrainian dictionary knows it.
        assert forms("дрони") == forms("дрон")

    def test_english_plurals_meet(self):
        assert forms("basements") == forms("basement")
        assert forms("roads closed") == forms("road close")

    def test_hyphen_and_punctuation_split_words(self):
        assert forms("Нижняя-Сыроватка, (Суджа)!") == forms("нижняя сыроватка суджа")

    def test_ambiguous_word_offers_each_reading_to_queries(self):
        (alternatives,) = analyzer.query_tokens("стали")
        assert alternatives[0] == forms("стали")[0]
        assert "сталь" in alternatives

    def test_overlong_tokens_are_cut_the_same_way_on_both_sides(self):
        word = "x" * 500
        assert forms(word) == query_forms(word)
        assert len(forms(word)[0]) == analyzer.MAX_TOKEN_LENGTH


class TestCJK:
    def test_each_character_is_a_token(self):
        assert forms("地下に避難した") == list("地下に避難した")

    def test_runs_mixed_with_latin_are_split_by_script(self):
        assert forms("東京Tower") == ["東", "京", "tower"]

    def test_hangul_is_split_by_character(self):
        assert forms("대피소") == ["대", "피", "소"]

    def test_punctuation_is_not_a_token(self):
        assert forms("「避難」、。・") == ["避", "難"]

    def test_compatibility_characters_expand(self):
        assert forms("㈱") == ["株"]


class TestOffsets:
    def test_tokens_point_into_the_original_text(self):
        text = "Мы сидели в ПОДВАЛАХ, café — 地下"
        found = {
            token.text: text[token.start : token.end] for token in analyzer.tokens(text)
        }
        assert found["подвал"] == "ПОДВАЛАХ"
        assert found["cafe"] == "café"
        assert found["地"] == "地"

    def test_expanded_character_keeps_its_span(self):
        assert list(analyzer.tokens("a ｶﾞ")) == [
            analyzer.Token("a", 0, 1),
            analyzer.Token("ガ", 2, 4),
        ]


class TestBadInput:
    @pytest.mark.parametrize(
        "text",
        ["", None, "\x00\x01\x02", "\ud800 lone surrogate", "🙂🙂", "___", "'''"],
    )
    def test_odd_text_gives_tokens_or_nothing_without_error(self, text):
        result = analyzer.index_tokens(text)
        assert all(token and token.strip() == token for token in result)

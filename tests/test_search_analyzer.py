"""The analyzer: one set of rules turning text into tokens, for texts and queries."""

import random
import unicodedata

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


def phrase_at(words, tokens, position):
    """Whether query ``words`` match index ``tokens`` from ``position`` on, as both
    stores match a phrase (a :class:`~analyzer.Prefix` any token it begins)."""
    if position + len(words) > len(tokens):
        return False
    return all(
        any(
            token == form or isinstance(form, analyzer.Prefix) and token[:1] == form
            for form in alternatives
        )
        for alternatives, token in zip(words, tokens[position:], strict=False)
    )


def phrase_in(query, text):
    words, tokens = analyzer.query_tokens(query), analyzer.index_tokens(text)
    return any(phrase_at(words, tokens, i) for i in range(len(tokens)))


class TestCJK:
    def test_each_character_starts_a_bigram_and_the_last_stands_alone(self):
        assert forms("地下に避難した") == [
            "地下",
            "下に",
            "に避",
            "避難",
            "難し",
            "した",
            "た",
        ]

    def test_runs_mixed_with_latin_and_digits_are_split_by_script(self):
        assert forms("東京Tower") == ["東京", "京", "tower"]
        assert forms("3月10日") == ["3", "月", "10", "日"]
        assert forms("ＤＶＤ店で") == ["dvd", "店で", "で"]

    def test_hangul_is_split_into_bigrams(self):
        assert forms("대피소") == ["대피", "피소", "소"]

    def test_decomposed_hangul_is_read_as_composed(self):
        assert forms(unicodedata.normalize("NFD", "대피소")) == forms("대피소")

    def test_punctuation_and_spaces_end_a_run(self):
        assert forms("「避難」、所") == ["避難", "難", "所"]
        assert forms("地下 室") == ["地下", "下", "室"]

    def test_compatibility_characters_expand(self):
        assert forms("㈱") == ["株"]
        assert forms("東京㍿") == forms("東京株式会社")
        assert forms("重さ㎏") == ["重さ", "さ", "kg"]

    def test_voicing_marks_join_their_kana(self):
        assert forms("ｶﾞｽ") == forms("カ\u3099ス") == forms("ガス") == ["ガス", "ス"]

    def test_voicing_marks_alone_are_nothing(self):
        assert forms("\u3099\u309a ﾞﾟ ゛") == []
        assert forms("地\u3099下") == forms("地下")


class TestCJKQueries:
    def test_a_run_is_the_phrase_of_its_bigrams(self):
        assert query_forms("避難所") == ["避難", "難所"]
        assert query_forms("地下") == ["地下"]

    def test_one_character_is_a_prefix(self):
        assert analyzer.query_tokens("避") == [(analyzer.Prefix("避"),)]
        assert isinstance(query_forms("3月")[1], analyzer.Prefix)

    def test_a_run_before_a_word_ends_on_its_last_character(self):
        (_, last, word) = analyzer.query_tokens("東京Tower")
        assert last == ("京",) and not isinstance(last[0], analyzer.Prefix)
        assert word == ("tower",)

    def test_a_run_before_another_run_ends_on_a_prefix(self):
        assert query_forms("地下 室") == ["地下", "下", "室"]
        assert all(isinstance(w, analyzer.Prefix) for w in query_forms("地下 室")[1:])

    @pytest.mark.parametrize(
        "query, text",
        [
            ("地下", "地下室"),
            ("下室", "地下室"),
            ("室", "地下室"),
            ("避", "これを避"),
            ("ところ", "そんなところに"),
            ("避難生活", "長い避難生活"),
            ("地下 室", "地下室"),
            ("地下 室", "地下、室"),
            ("東京Tower", "東京タワー東京Tower"),
            ("3月", "3月に"),
            ("ｶﾞｽ", "ガスが"),
            ("株式会社", "東京㍿"),
        ],
    )
    def test_query_matches_text_containing_it(self, query, text):
        assert phrase_in(query, text)

    @pytest.mark.parametrize(
        "query, text",
        [
            ("地下", "地上に出て下を見た"),
            ("避難所", "避難した所"),
            ("地下室", "地下 室"),
            ("東京Tower", "東京タワー"),
            ("月3", "月曜3"),
        ],
    )
    def test_query_does_not_match_characters_apart(self, query, text):
        assert not phrase_in(query, text)

    def test_every_substring_of_a_run_is_found(self):
        generator = random.Random(20240806)
        alphabet = "のたところ所地下避難人ガス東京タワー。、 3a"
        for _ in range(200):
            text = "".join(generator.choice(alphabet) for _ in range(12))
            runs = analyzer.TOKEN_RE.findall(text)
            for run in filter(analyzer.CJK_RE.match, runs):
                for start in range(len(run)):
                    for end in range(start + 1, len(run) + 1):
                        assert phrase_in(run[start:end], text), (run, text)


class TestOffsets:
    def test_tokens_point_into_the_original_text(self):
        text = "Мы сидели в ПОДВАЛАХ, café — 地下"
        found = {
            token.text: text[token.start : token.end] for token in analyzer.tokens(text)
        }
        assert found["подвал"] == "ПОДВАЛАХ"
        assert found["cafe"] == "café"
        assert found["地下"] == "地下"
        assert found["下"] == "下"

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


class TestPieceByPiece:
    """index_tokens() reads text between spaces and remembers pieces; what it gives
    must be what reading the whole text with the token regex gives."""

    ALPHABET = (
        "ab Zé\u0301йї'’ʼ-.,;:!?0_9"  # words, marks, apostrophes, punctuation
        "подвал підвалі"
        "地下室避難所のとこ、。「」ｶﾞ㈱㍿㎏ー・"  # CJK, half-width, compatibility
        " \t\n\u3000\xa0\u2028\x1c\x85\u200b"  # every kind of space, and a non-space
    )

    def random_texts(self, count, seed):
        generator = random.Random(seed)
        for _ in range(count):
            length = generator.randint(0, 40)
            yield "".join(generator.choice(self.ALPHABET) for _ in range(length))

    def test_tokens_equal_those_of_the_whole_text(self):
        for text in self.random_texts(3000, 20261201):
            whole = list(analyzer._index_tokens_of(text))
            assert analyzer.index_tokens(text) == whole, text
            assert [token.text for token in analyzer.tokens(text)] == whole, text
            # A second reading comes from the remembered pieces.
            assert analyzer.index_tokens(text) == whole, text

    def test_remembered_pieces_stay_bounded(self, monkeypatch):
        monkeypatch.setattr(analyzer, "_PIECES", {})
        monkeypatch.setattr(analyzer, "MAX_PIECES", 50)
        for text in self.random_texts(500, 7):
            assert analyzer.index_tokens(text) == list(analyzer._index_tokens_of(text))
            assert len(analyzer._PIECES) <= 50
        assert analyzer._PIECES, "short pieces without CJK are remembered"
        assert not any(analyzer.CJK_RE.search(piece) for piece in analyzer._PIECES)

"""The query parser: user input becomes a small tree of analyzed tokens, and each
engine gets it as quoted syntax only."""

import re

import pytest

from testimonies.search.analyzer import Prefix
from testimonies.search.backends.postgres import compile_tsquery
from testimonies.search.backends.sqlite import compile_match
from testimonies.search.query import (
    MAX_CLAUSES,
    MAX_PHRASE_TOKENS,
    Phrase,
    parse_query,
)

MALFORMED = [
    '"',
    '""',
    "(((",
    ")))",
    "NEAR(",
    "NEAR(a b, 2)",
    "*",
    "a*",
    "-",
    "- -",
    "--",
    "OR",
    "a OR",
    "OR OR b",
    "AND NOT",
    "title:подвал",
    "^start",
    "'; DROP TABLE testimonies_testimony; --",
    "1' OR '1'='1",
    "a\\' & !b | <-> c:*",
    "x" * 10_000,
    "подвал " * 2_000,
    "\x00\x01\x02\x1b[31m\x7f",
    "\ud800\udfff",
    "\u200b\u200e\ufeff",
    "🙂 ☢",
    "「",
    "-「避難」 OR",
    "ﾞﾞﾞ ゛゜",
    "\u3099\u309a",
    "避" * 1000,
    "地下Tower３月ｶﾞｽ㈱ подвал 'ʼ",
    '"地 下 室" -"下 *"',
]


def words(phrase):
    return [alternatives[0] for alternatives in phrase.words]


def only_quoted_fts5(expression):
    """Is ``expression`` quoted tokens (a prefix marked ``*``) joined by FTS5
    operators and brackets only?"""
    rest = re.sub(r'"(?:[^"]|"")*"( \*)?', " ", expression)
    return set(re.findall(r"\S+", rest.replace("(", " ").replace(")", " "))) <= {
        "AND",
        "OR",
        "NOT",
        "+",
    }


def only_quoted_tsquery(expression):
    rest = re.sub(r"'(?:[^'\\]|''|\\.)*'(:\*)?", " ", expression)
    return set(rest) <= set(" ()&|!<->")


class TestSyntax:
    def test_words_are_all_required(self):
        query = parse_query("подвал вода")
        assert [[words(p) for p in group] for group in query.groups] == [
            [["подвал"]],
            [["вода"]],
        ]

    def test_quoted_phrase_keeps_order(self):
        (group,) = parse_query('"closed road"').groups
        assert words(group[0]) == ["close", "road"]

    def test_typographic_and_japanese_quotes_make_phrases(self):
        for text in ["“closed road”", "«closed road»", "「closed road」"]:
            (group,) = parse_query(text).groups
            assert len(group[0].words) == 2

    def test_unclosed_quote_runs_to_the_end(self):
        (group,) = parse_query('"closed road').groups
        assert words(group[0]) == ["close", "road"]

    def test_minus_excludes_a_word_or_a_phrase(self):
        query = parse_query('basement -drone -"road closed"')
        assert [words(p) for p in query.excluded] == [["drone"], ["road", "close"]]
        assert len(query.groups) == 1

    def test_or_joins_neighbours_and_binds_tighter_than_and(self):
        query = parse_query("shelter basement OR cellar water")
        assert [[words(p) for p in group] for group in query.groups] == [
            [["shelter"]],
            [["basement"], ["cellar"]],
            [["water"]],
        ]

    def test_lowercase_or_is_a_word(self):
        assert len(parse_query("shelter or basement").groups) == 3

    def test_japanese_word_is_a_phrase_of_bigrams(self):
        (group,) = parse_query("避難所").groups
        assert group[0] == Phrase((("避難",), ("難所",)))

    def test_one_japanese_character_is_a_prefix(self):
        (group,) = parse_query("避").groups
        assert group[0] == Phrase(((Prefix("避"),),))
        assert compile_match(parse_query("避")) == '("避" *)'
        assert compile_tsquery(parse_query("避")) == "('避':*)"

    def test_prefix_inside_a_phrase_compiles_for_both_engines(self):
        query = parse_query('"地下 室"')
        assert compile_match(query) == '("地下 下" * + "室" *)'
        assert compile_tsquery(query) == "(('地下' <-> '下':* <-> '室':*))"

    def test_very_long_japanese_query_is_a_bounded_phrase(self):
        (group,) = parse_query("避難" * 500).groups
        assert len(group[0].words) == MAX_PHRASE_TOKENS

    def test_voicing_marks_alone_are_nothing_to_search(self):
        query = parse_query("ﾞﾞﾞ ゛゜")
        assert query.is_empty and query.message

    def test_hyphenated_word_is_a_phrase(self):
        (group,) = parse_query("Нижняя-Сыроватка").groups
        assert len(group[0].words) == 2

    def test_full_width_syntax_works(self):
        query = parse_query("ｂａｓｅｍｅｎｔ　－ｄｒｏｎｅ")
        assert [words(p) for p in query.excluded] == [["drone"]]

    def test_repeated_words_are_searched_once(self):
        assert len(parse_query("road road ROAD roads").groups) == 1

    def test_blank_and_empty_are_told_apart(self):
        assert parse_query("").is_blank and parse_query("  ").is_blank
        assert parse_query(None).is_blank
        assert parse_query("(((").is_empty and not parse_query("(((").is_blank
        assert parse_query("(((").message
        assert not parse_query("подвал").message

    def test_long_query_is_shortened_and_says_so(self):
        query = parse_query(" ".join(f"word{i}" for i in range(100)))
        assert query.shortened and query.message
        assert len(query.groups) == MAX_CLAUSES


class TestMalformedInput:
    @pytest.mark.parametrize("text", MALFORMED)
    def test_never_raises_and_compiles_to_quoted_tokens(self, text):
        query = parse_query(text)
        if query.groups:
            assert only_quoted_fts5(compile_match(query))
            assert only_quoted_tsquery(compile_tsquery(query))

    def test_sql_fragments_become_plain_words(self):
        query = parse_query("'; DROP TABLE testimonies_testimony; --")
        assert [words(group[0]) for group in query.groups][:2] == [["drop"], ["tabl"]]
        assert ";" not in compile_match(query)
        assert ";" not in compile_tsquery(query)

    @pytest.mark.parametrize("text", ["(((", "*", '"', "-", "NEAR(", "🙂"])
    def test_nothing_searchable_is_an_empty_query(self, text):
        query = parse_query(text)
        if text == "NEAR(":
            assert not query.is_empty  # "near" is a word like any other
        else:
            assert query.is_empty


class TestCompilers:
    def test_fts5_quotes_every_token(self):
        query = parse_query('basement "closed road" -drone')
        assert compile_match(query) == (
            '(("basement") AND ("close road")) NOT ("drone")'
        )

    def test_tsquery_quotes_every_token_and_chains_phrases(self):
        query = parse_query('basement "closed road" -drone')
        assert compile_tsquery(query) == (
            "(('basement') & (('close' <-> 'road'))) & !('drone')"
        )

    def test_alternative_readings_are_searched_in_both_engines(self):
        query = parse_query('"стали сильнее"')
        fts5, tsquery = compile_match(query), compile_tsquery(query)
        assert '"стать сильный"' in fts5 and '"сталь сильный"' in fts5
        assert "('стать' | 'сталь')" in tsquery

    def test_or_group(self):
        query = parse_query("shelter OR basement")
        assert compile_match(query) == '("shelter" OR "basement")'
        assert compile_tsquery(query) == "('shelter' | 'basement')"

"""Snippets mark in the original text exactly what a search found, with the same
analyzer the index uses."""

import pytest

from testimonies.search.query import parse_query
from testimonies.search.snippets import snippet


def marked(text, query):
    return snippet(
        {"body": [text], "summary": [], "translations": [], "title": []},
        parse_query(query),
    )


class TestJapanese:
    @pytest.mark.parametrize(
        "query, text, expected",
        [
            ("地下", "近所の地下室に避難した", "近所の<mark>地下</mark>室に避難した"),
            ("地下室", "近所の地下室に", "近所の<mark>地下室</mark>に"),
            ("避", "それを避けた", "それを<mark>避</mark>けた"),
            ("避", "それを避", "それを<mark>避</mark>"),
            ("ところ", "そんなところに", "そんな<mark>ところ</mark>に"),
            ("避難生活", "長い避難生活だった", "長い<mark>避難生活</mark>だった"),
            ('"地下 室"', "地下 室に", "<mark>地下 室</mark>に"),
            (
                "東京Tower",
                "東京タワー、東京Tower",
                "東京タワー、<mark>東京Tower</mark>",
            ),
            ("3月", "2024年3月に", "2024年<mark>3月</mark>に"),
        ],
    )
    def test_marks_exactly_the_characters_searched(self, query, text, expected):
        assert marked(text, query) == expected

    def test_text_that_nfkc_changes_is_marked_in_its_own_characters(self):
        assert marked("ｶﾞｽが止まった", "ガス") == "<mark>ｶﾞｽ</mark>が止まった"
        assert marked("（株）と㈱東京", "株東") == "（株）と㈱東京"
        assert marked("（株）と㈱東京", "東京") == "（株）と㈱<mark>東京</mark>"

    def test_characters_apart_are_not_marked(self):
        assert "<mark>" not in marked("地上に出て、下を見た。避難した所", "地下")
        assert "<mark>" not in marked("避難した所", "避難所")

    def test_every_occurrence_in_the_passage_is_marked(self):
        assert (
            marked("地下と地下室", "地下") == "<mark>地下</mark>と<mark>地下</mark>室"
        )


def every_match(text, query):
    """What a search marks, found the slow way: every token of ``text`` read in
    order, each phrase tried at each position (the oracle for the quick paths
    of snippets)."""
    from testimonies.search import analyzer
    from testimonies.search.snippets import _merge

    tokens = list(analyzer.tokens(text))
    spans = []
    for at in range(len(tokens)):
        for phrase in query.phrases:
            window = tokens[at : at + len(phrase.words)]
            if len(window) < len(phrase.words):
                continue
            marks = []
            for token, words in zip(window, phrase.words, strict=True):
                if token.text in words:
                    marks.append((token.start, token.end))
                elif any(
                    isinstance(w, analyzer.Prefix) and token.text[:1] == w
                    for w in words
                ):
                    unit = analyzer.CJK_UNIT_RE.match(text, token.start)
                    marks.append((token.start, unit.end()))
                else:
                    break
            else:
                spans.extend(marks)
    return _merge(spans, text)


def marks_as_every_match(texts, queries):
    """Assert that each query marks in each text what :func:`every_match`
    does; return how many spans were marked (so a test can tell the texts do
    match)."""
    from testimonies.search.snippets import marked_spans

    found = 0
    for text in texts:
        for q in queries:
            query = parse_query(q)
            spans = marked_spans(text, query)
            assert spans == every_match(text, query), (text, q)
            found += len(spans)
    return found


class TestOneWordQueries:
    """A query of single words is marked by reading only the pieces of text
    that may hold one: exactly what reading every token in order marks."""

    TEXTS = [
        "Мы спустились в подвал. В подвалах, в ПОДВАЛЕ и «подвале» было холодно.",
        "Подва́л, ещё подвал-склад;\tподвалу\nи подвалом.",
        "We sheltered in basements. The basement's door; BASEMENT, basement.",
        "ＢＡＳＥＭＥＮＴ and ｂａｓｅｍｅｎｔｓ, full width.",
        "Ми чекали в укритті. Укриття було повне, укриттям сім’я жила.",
        "地下室にbasementと書いた。basement地下。",
        "Café, cafe and CAFÉS",
        "superbasement. basement. Xподвал. подвал.",
        "Ёлка и елка, ёлки.",
        "A basement " + "word " * 80 + "basement again far away.",
        "",
    ]
    QUERIES = [
        "подвал",
        "basement",
        "укриття",
        "cafe",
        "ёлка",
        "сім'я",
        "basement OR подвал",
        "nothing",
    ]

    def test_the_same_marks_as_reading_every_token(self):
        assert (
            marks_as_every_match(self.TEXTS, self.QUERIES) >= 20
        )  # the texts do hold the words


class TestCjkChains:
    """A query of CJK words alone is marked by finding their characters in a
    row: exactly what reading every bigram in order marks."""

    TEXTS = [
        "近所の地下室に避難した。地下。下室、地下室の地下に。",
        "そんなところところに、とこ ろ、ところ",
        "避難所から避難所へ避難した。避難 所。",
        "地下。下室 地下 室",
        "仮設住宅basement仮設住宅。仮設 住宅",
        "ｶﾞｽが止まった。ガスがない。",
        "長い避難生活だった。" + "何もない。" * 60 + "避難生活の終わり。",
        "",
    ]
    QUERIES = [
        "地下",
        "地下室",
        "避",
        "ところ",
        "避難所",
        "仮設住宅",
        "ガス",
        "地下 OR ところ",
        "避難生活",
        "何も",
    ]

    def test_the_same_marks_as_reading_every_token(self):
        assert marks_as_every_match(self.TEXTS, self.QUERIES) >= 25


class TestPhrases:
    """Phrases are read token by token, words no phrase holds unanalysed:
    exactly what analysing every token marks."""

    TEXTS = [
        "The road was closed. A closed road, closed roads and the road closed.",
        "Closed — road. CLOSED ROAD! closed  \n road; closing roads",
        "Мы шли по закрытой дороге, дорога закрыта; закрытые дороги.",
        "ＣＬＯＳＥＤ ＲＯＡＤ and closed ㎏ road",
        "地下 室に、地下室に東京Towerと東京 Tower",
        "",
    ]
    QUERIES = [
        '"closed road"',
        '"закрытая дорога"',
        '"road closed" OR "closed road"',
        '"地下 室"',
        "東京Tower",
        '"closed road" OR 地下',
        '"the road was"',
    ]

    def test_the_same_marks_as_analysing_every_token(self):
        assert marks_as_every_match(self.TEXTS, self.QUERIES) >= 12

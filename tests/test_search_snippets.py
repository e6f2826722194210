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

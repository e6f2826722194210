"""What a hit says about its match: the paragraphs that matched (passages) with
links into the page, the page marking the search, the names a hit matched by,
and tag names as a thesaurus across scripts. Runs on SQLite and PostgreSQL."""

import json
import re
from html import unescape

import pytest

from testimonies.models import Testimony, Translation

from .factories import make_narrator, make_place, make_testimony, make_theme

pytestmark = pytest.mark.django_db

LIST = "/api/v1/testimonies/"


@pytest.fixture
def archive():
    sudzha = make_place("Sudzha", names={"ru": "Суджа", "uk": "Суджа", "ja": "スジャ"})
    routes = make_theme("Closed evacuation routes", names={"ja": "避難路の封鎖"})
    long = make_testimony(
        identifier="PS-LONG",
        language="ru",
        title="Неделя",
        body="Первый день прошёл тихо.\n\nНа второй день мы спустились в подвал."
        "\n\nТретий абзац без этого слова.\n\nВ подвале было холодно.",
        content_warnings=["violence"],
    )
    Translation.objects.create(
        testimony=long,
        language="en",
        title="A week",
        body="The first day was quiet.\n\nOn the second day we went to the basement.",
    )
    make_testimony(
        identifier="PS-TEXT",
        language="ru",
        title="Дорога",
        body="Мы выехали из Суджи на рассвете.",
    )
    make_testimony(
        identifier="PS-TAG",
        language="uk",
        title="Лист",
        body="Ми чекали автобуса.",
        places=[sudzha],
        themes=[routes],
        narrator=make_narrator(alias="Olena K."),
    )
    make_testimony(
        identifier="PS-HIDDEN",
        language="ru",
        body="Суджа и подвал, тайна.",
        status=Testimony.Status.DRAFT,
    )
    return {"long": long}


def get(client, **params):
    response = client.get(LIST, params)
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def by_identifier(data):
    return {hit["identifier"]: hit for hit in data["results"]}


class TestPassages:
    def test_each_matching_paragraph_is_a_passage_with_its_anchor(
        self, client, archive
    ):
        (hit,) = get(client, q="подвал", language="ru")["results"]
        passages = hit["passages"]
        assert [p["anchor"] for p in passages] == ["p2", "p4"]
        assert "<mark>подвал</mark>" in passages[0]["snippet"]
        assert "<mark>подвале</mark>" in passages[1]["snippet"]
        assert passages[0]["url"] == (
            "http://testserver/testimonies/PS-LONG/"
            "?q=%D0%BF%D0%BE%D0%B4%D0%B2%D0%B0%D0%BB#p2"
        )

    def test_a_translation_matching_links_to_its_version(self, client, archive):
        hit = by_identifier(get(client, q="basement"))["PS-LONG"]
        (passage,) = hit["passages"]
        assert passage["language"] == "en" and passage["anchor"] == "p2"
        assert "lang=en" in passage["url"] and passage["url"].endswith("#p2")

    def test_at_most_three_and_none_without_words(self, client, archive):
        make_testimony(body="\n\n".join(["подвал"] * 10), identifier="PS-MANY")
        hit = by_identifier(get(client, q="подвал"))["PS-MANY"]
        assert len(hit["passages"]) == 3
        assert all(h["passages"] == [] for h in get(client)["results"])

    def test_the_page_numbers_paragraphs_and_marks_every_match(self, client, archive):
        page = client.get("/testimonies/PS-LONG/", {"q": "подвал"}).content.decode()
        assert re.search(r'<p id="p2">[^<]*<mark id="m1">подвал</mark>', page)
        assert '<p id="p4">В <mark id="m2">подвале</mark>' in page
        assert "2 matches for “подвал”" in unescape(page)
        assert 'href="#m1"' in page and 'href="#m2"' in page
        # The content warning opens: the reader came for the passage.
        assert '<details class="content-warning__reveal" open>' in page
        assert 'name="robots" content="noindex' in page

    def test_the_page_without_a_search_marks_nothing(self, client, archive):
        page = client.get("/testimonies/PS-LONG/").content.decode()
        assert "<mark" not in page and '<p id="p2">' in page
        assert '<details class="content-warning__reveal">' in page

    def test_odd_searches_on_the_page_are_harmless(self, client, archive):
        for q in ["(((", "<script>", "x" * 5000, "\x00"]:
            response = client.get("/testimonies/PS-LONG/", {"q": q})
            assert response.status_code == 200
            assert "<script>alert" not in response.content.decode()
            assert "<mark" not in response.content.decode()


class TestWhyItMatched:
    def test_a_hit_found_through_a_name_says_so(self, client, archive):
        hit = by_identifier(get(client, q="避難路"))["PS-TAG"]
        assert hit["matched"] == [
            {
                "field": "theme",
                "slug": "closed-evacuation-routes",
                "name": "Closed evacuation routes",
            }
        ]
        assert hit["passages"] == []
        page = unescape(client.get("/search/", {"q": "避難路"}).content.decode())
        assert "Matched the theme «Closed evacuation routes»." in page

    def test_the_narrator_and_the_identifier(self, client, archive):
        hit = by_identifier(get(client, q="Olena"))["PS-TAG"]
        assert hit["matched"] == [{"field": "narrator", "name": "Olena K."}]
        hit = by_identifier(get(client, q="PS-TAG"))["PS-TAG"]
        assert {"field": "identifier", "name": "PS-TAG"} in hit["matched"]

    def test_a_text_match_has_no_sentence(self, client, archive):
        page = unescape(client.get("/search/", {"q": "подвал"}).content.decode())
        assert "Matched the" not in page


class TestNamesAsThesaurus:
    @pytest.mark.parametrize("q", ["スジャ", "Суджа", "Sudzha", "sudzha"])
    def test_every_name_of_a_place_finds_the_same(self, client, archive, q):
        found = by_identifier(get(client, q=q))
        assert set(found) == {"PS-TEXT", "PS-TAG"}
        # A text naming the place is a match, marked as one.
        assert "<mark>Суджи</mark>" in found["PS-TEXT"]["snippet"]

    def test_an_excluded_name_excludes_every_spelling(self, client, archive):
        found = by_identifier(get(client, q="мы -スジャ"))
        assert "PS-TEXT" not in found

    def test_hidden_testimonies_stay_hidden(self, client, archive):
        body = client.get(LIST, {"q": "スジャ"}).content.decode()
        assert "PS-HIDDEN" not in body and "тайна" not in body


class TestQuickNo:
    """Paragraphs are skipped, unread, when they hold none of the strings a
    match needs (snippets.hints); never one that matches."""

    TEXTS = [
        "Мы спустились в подвал.\n\nВ подвалах было холодно.\n\nНичего.",
        "We sheltered in basements.\n\nThe basement flooded.\n\nNo word here.",
        "地下室に避難した。\n\n地下には水。\n\n何もない。",
        "ｶﾞｽが止まった。\n\nガスがない。",  # half-width kana: cannot tell
        "Ми чекали в укритті.\n\nУкриття було повне.",
    ]
    QUERIES = ["подвал", "basement", "地下", "地", "ガス", "укриття", "нет OR no"]

    def test_the_same_passages_with_and_without_the_quick_no(self, monkeypatch):
        from testimonies.search import passages as module
        from testimonies.search.query import parse_query

        found = 0
        for text in self.TEXTS:
            testimony = Testimony(identifier="QN", language="ru", body=text)
            testimony.pk = 1
            testimony._prefetched_objects_cache = {"translations": []}
            for q in self.QUERIES:
                query = parse_query(q)
                quick = module.passages(testimony, query)
                with monkeypatch.context() as patched:
                    patched.setattr(module, "hints", lambda text, query: None)
                    slow = module.passages(testimony, query)
                assert quick == slow, (text, q)
                found += len(quick)
        assert found >= 8  # the texts do match, paragraph by paragraph

    def test_hints(self):
        from testimonies.search.query import parse_query
        from testimonies.search.snippets import hints

        assert hints("Ничего здесь нет.", parse_query("подвал")) == set()
        # The pieces of the text between white space that may hold the word.
        assert hints("В подвалах.", parse_query("подвал")) == {"подвалах."}
        assert hints("ｶﾞｽ", parse_query("ガス")) is None
        assert hints("anything", parse_query("")) is None

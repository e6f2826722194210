"""The search page at /search/: hits with snippets, facets, filters, pagination, and
whatever a visitor types into the address. Runs on SQLite and PostgreSQL."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from testimonies.models import Testimony

from .factories import (
    make_narrator,
    make_researcher,
    make_search_collection,
    make_testimony,
)
from .test_search_query import MALFORMED

pytestmark = pytest.mark.django_db

URL = "/search/"


@pytest.fixture
def collection():
    return make_search_collection()


def page(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def identifiers(html):
    """The identifiers of the hits, in order."""
    return re.findall(r'<span class="identifier">([^<]+)</span>', html)


def result_count(html):
    match = re.search(r'class="result-count"[^>]*>(\d+) ', html)
    return int(match.group(1)) if match else None


def facet(html, heading_id):
    """``{name: count}`` of one facet list of the sidebar."""
    match = re.search(
        rf'aria-labelledby="{heading_id}">(.*?)</ul>', html, flags=re.DOTALL
    )
    if not match:
        return {}
    items = re.findall(
        r'<label for="[^"]+">([^<]+)</label> <span class="count">(\d+)</span>',
        match.group(1),
    )
    return {unescape(name): int(count) for name, count in items}


def links(html, text):
    """The targets of links whose text is ``text``."""
    pattern = rf'<a href="([^"]+)"[^>]*>{re.escape(text)}</a>'
    return [unescape(href) for href in re.findall(pattern, html)]


class TestResults:
    def test_inflected_word_finds_every_language_and_marks_the_match(
        self, client, collection
    ):
        html = page(client, q="подвал")
        # The Japanese testimony's Russian translation says «подвале».
        assert set(identifiers(html)) == {"SRCH-RU", "SRCH-JA"}
        assert result_count(html) == 2
        assert "<mark>подвалах</mark>" in html and "<mark>подвале</mark>" in html
        assert "2 testimonies found for “подвал”" in html

    def test_snippet_escapes_markup_and_marks_the_word(self, client, collection):
        make_testimony(
            identifier="SRCH-HTML",
            title="Markup",
            body='<script>alert("basement")</script> & the <b>basement</b> door',
        )
        html = page(client, q="basement")
        snippet = re.search(
            r'SRCH-HTML.*?class="search-hit__snippet"[^>]*>(.*?)</p>', html, re.DOTALL
        ).group(1)
        assert "<script>" not in snippet and "<b>" not in snippet
        assert "&lt;script&gt;" in snippet and "&amp; the &lt;b&gt;" in snippet
        assert "<mark>basement</mark>" in snippet

    def test_snippet_of_a_translation_carries_its_language(self, client, collection):
        html = page(client, q="соседей")
        assert re.search(r'class="search-hit__snippet" lang="ru">[^<]*<mark>', html)

    def test_sort_by_recording_date(self, client, collection):
        oldest = identifiers(page(client, q="подвал", sort="oldest"))
        newest = identifiers(page(client, q="подвал", sort="newest"))
        assert oldest == ["SRCH-RU", "SRCH-JA"]
        assert newest == list(reversed(oldest))

    def test_two_character_japanese_word(self, client, collection):
        assert identifiers(page(client, q="避難")) == ["SRCH-JA"]

    def test_syntax_is_documented_on_the_page(self, client, collection):
        html = page(client)
        section = html[html.index('id="search-syntax"') :]
        for example in ["подвал вода", '"closed road"', "-drone", " OR ", "避難"]:
            assert example in section


class TestFacets:
    def test_counts_by_theme_place_and_language(self, client, collection):
        html = page(client, q="подвал")
        assert facet(html, "facet-themes") == {
            "Shelter in basements": 1,
            "Humanitarian aid": 1,
        }
        assert facet(html, "facet-places") == {"Kursk Oblast": 2, "Sudzha": 2}
        assert facet(html, "facet-languages") == {"Russian": 1, "Japanese": 1}

    def test_names_in_the_visitors_language(self, client, collection):
        response = client.get(URL, {"q": "подвал"}, HTTP_ACCEPT_LANGUAGE="ru")
        html = response.content.decode()
        assert "Укрытие под землёй" in facet(html, "facet-themes")
        assert "Суджа" in facet(html, "facet-places")

    def test_each_facet_is_a_checkbox_adding_its_filter(self, client, collection):
        html = page(client, q="подвал", page="1")
        form = re.search(r'<form class="facets".*?</form>', html, re.DOTALL).group()
        hidden = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form))
        assert hidden == {"q": "подвал"}  # and no page: a new choice starts at 1
        (aid,) = re.findall(
            r'<input type="checkbox" name="theme" value="([^"]+)" id="([^"]+)"> '
            r'<label for="\2">Humanitarian aid</label>',
            form,
        )
        assert aid[0] == collection["aid"].slug
        assert identifiers(page(client, **hidden, theme=aid[0])) == ["SRCH-JA"]

    def test_ticked_values_stay_ticked_and_widen_the_search(self, client, collection):
        slugs = [collection["aid"].slug, collection["shelter"].slug]
        response = client.get("/search/", {"q": "подвал", "theme": slugs})
        html = response.content.decode()
        assert set(identifiers(html)) == {"SRCH-RU", "SRCH-JA"}  # either theme
        form = re.search(r'<form class="facets".*?</form>', html, re.DOTALL).group()
        ticked = re.findall(r'name="theme" value="([^"]+)" id="[^"]+" checked', form)
        assert sorted(ticked) == sorted(slugs)
        assert 'type="hidden" name="theme"' not in form  # the boxes carry them

    def test_hidden_testimonies_change_no_count(self, client, collection):
        before = page(client, q="подвал")
        make_testimony(
            identifier="SRCH-DRAFT-2",
            language="ru",
            title="Черновик",
            body="Подвал.",
            status=Testimony.Status.DRAFT,
            themes=[collection["aid"]],
            places=[collection["sumy"]],
        )
        after = page(client, q="подвал")
        for heading in ("facet-themes", "facet-places", "facet-languages"):
            assert facet(after, heading) == facet(before, heading)
        assert "Sumy" not in facet(after, "facet-places")
        assert result_count(after) == result_count(before) == 2

    def test_researcher_sees_and_counts_researcher_only(self, client, collection):
        client.force_login(make_researcher())
        html = page(client, q="подвал")
        assert "SRCH-RESEARCHERS" in identifiers(html)
        assert result_count(html) == 3
        assert facet(html, "facet-languages")["Russian"] == 2
        assert not {"SRCH-DRAFT", "SRCH-RESTRICTED", "SRCH-WITHDRAWN"} & set(
            identifiers(html)
        )


class TestFilters:
    def test_filters_combine_with_a_query(self, client, collection):
        params = {"q": "подвал", "place": collection["sudzha"].slug}
        assert set(identifiers(page(client, **params))) == {"SRCH-RU", "SRCH-JA"}
        params["theme"] = collection["aid"].slug
        assert identifiers(page(client, **params)) == ["SRCH-JA"]
        params["language"] = "ru"
        assert identifiers(page(client, **params)) == []

    def test_dates_known_by_month_overlap_the_range(self, client, collection):
        # SRCH-RU was recorded "2024-08", SRCH-JA on 2024-08-20.
        html = page(client, q="подвал", recorded_from="2024-08-15")
        assert set(identifiers(html)) == {"SRCH-RU", "SRCH-JA"}
        assert identifiers(page(client, q="подвал", recorded_to="2024-08-10")) == [
            "SRCH-RU"
        ]

    def test_place_filter_takes_in_the_places_below(self, client, collection):
        html = page(client, q="подвал", place=collection["region"].slug)
        assert set(identifiers(html)) == {"SRCH-RU", "SRCH-JA"}

    def test_filters_without_a_query(self, client, collection):
        html = page(client, theme=collection["aid"].slug, recorded_to="2024-08")
        assert identifiers(html) == ["SRCH-JA"]
        assert facet(html, "facet-places") == {"Kursk Oblast": 1, "Sudzha": 1}

    def test_active_filters_are_removable(self, client, collection):
        html = page(client, q="подвал", language="ru", theme=collection["shelter"].slug)
        (href,) = links(html, "Remove filter “Language”")
        assert parse_qs(urlsplit(href).query) == {
            "q": ["подвал"],
            "theme": [collection["shelter"].slug],
        }

    def test_new_search_keeps_the_filters(self, client, collection):
        html = page(client, q="подвал", language="ru")
        start = html.index('class="search-form"')
        form = html[start : html.index("</form>", start)]
        assert '<input type="hidden" name="language" value="ru">' in form


class TestPagination:
    def test_pages_keep_the_search_and_filters(self, client, collection):
        for number in range(23):
            make_testimony(identifier=f"SRCH-MANY-{number:02d}", body="A basement.")
        first = page(client, q="basement", language="en")
        assert result_count(first) == 24 and len(identifiers(first)) == 20
        (next_href,) = links(first, "Next")
        assert parse_qs(urlsplit(next_href).query) == {
            "q": ["basement"],
            "language": ["en"],
            "page": ["2"],
        }
        second = page(client, q="basement", language="en", page="2")
        assert len(identifiers(second)) == 4
        assert not set(identifiers(first)) & set(identifiers(second))

    def test_queries_do_not_grow_with_the_number_of_hits(self, client, collection):
        def count_queries():
            page(client, q="basement")  # what the kept sets read after a change
            with CaptureQueriesContext(connection) as queries:
                page(client, q="basement")
            return len(queries)

        make_testimony(
            identifier="SRCH-ONE",
            body="basement",
            themes=[collection["aid"]],
            places=[collection["sumy"]],
        )
        few = count_queries()
        for number in range(30):
            testimony = make_testimony(
                identifier=f"SRCH-Q-{number:02d}",
                body="basement",
                narrator=make_narrator(),
                themes=[collection["aid"]],
                places=[collection["sumy"]],
            )
            testimony.translations.create(language="ru", title="Подвал")
        assert count_queries() == few


class TestBadInput:
    @pytest.mark.parametrize(
        "text", [t for t in MALFORMED if not any(0xD800 <= ord(c) < 0xE000 for c in t)]
    )
    def test_malformed_search_answers_with_a_page(self, client, collection, text):
        html = page(client, q=text)
        assert result_count(html) is not None

    def test_search_without_words_says_so(self, client, collection):
        html = page(client, q="(((")
        assert "has no words to look for" in html
        assert result_count(html) == 0

    def test_long_search_is_cut_with_a_notice(self, client, collection):
        html = page(client, q="подвал " * 2_000)
        assert "only its beginning was used" in html
        assert set(identifiers(html)) == {"SRCH-RU", "SRCH-JA"}
        start = html.index('class="search-form"')
        form = html[start : html.index("</form>", start)]
        assert 'maxlength="1000"' in form and "подвал " * 150 not in form
        # The search page has one search box; on the other pages the header's
        # echoes no more than a query can hold.
        assert 'class="site-search"' not in html
        html = client.get("/testimonies/", {"q": "подвал " * 2_000}).content.decode()
        start = html.index('class="site-search"')
        header = html[start : html.index("</form>", start)]
        assert f'action="{URL}"' in header and 'maxlength="1000"' in header
        echoed = header.split('value="', 1)[1].split('"', 1)[0]
        assert len(echoed) == 1000 and echoed.startswith("подвал подвал")

    def test_control_characters_are_ignored(self, client, collection):
        html = page(client, q="\x00подвал\x1b\x7f")
        assert set(identifiers(html)) == {"SRCH-RU", "SRCH-JA"}

    def test_invalid_utf8_in_the_address(self, client, collection):
        response = client.get(f"{URL}?q=%ff%fe%fd&theme=%c3")
        assert response.status_code == 200

    @pytest.mark.parametrize(
        "params, message",
        [
            ({"recorded_from": "2024-13"}, "is not a date"),
            ({"recorded_to": "yesterday"}, "is not a date"),
            ({"recorded_from": "2025", "recorded_to": "2024"}, "lies before its start"),
            ({"theme": "no-such-theme"}, "There is no theme"),
            ({"place": "x" * 500}, "Ensure this value has at most"),
            ({"language": "not a language"}, "is not a language code"),
        ],
    )
    def test_bad_filters_explain_themselves(self, client, collection, params, message):
        html = page(client, q="подвал", **params)
        assert "Some filters could not be used" in html
        assert message in unescape(html)
        assert identifiers(html) == []

    @pytest.mark.parametrize("number", ["abc", "0", "-1", "99", "9" * 30])
    def test_bad_page_explains_itself(self, client, collection, number):
        html = page(client, q="подвал", page=number)
        assert 'class="message message--error"' in html
        assert identifiers(html) == []
        assert "Go to the first page" in html

    def test_unknown_order_falls_back_to_relevance(self, client, collection):
        html = page(client, q="подвал", sort="published")
        assert "is not an order the search knows" in unescape(html)
        assert len(identifiers(html)) == 2


class TestEmptyState:
    def test_no_hits_suggests_what_to_try(self, client, collection):
        html = page(client, q="автобус", language="ru")
        assert result_count(html) == 0
        state = html[html.index('class="empty-state"') :]
        assert "Check the spelling" in state
        (href,) = links(state, "Search without the filter “Language: Russian”")
        assert parse_qs(urlsplit(href).query) == {"q": ["автобус"]}
        assert identifiers(page(client, q="автобус")) == ["SRCH-UK"]
        assert 'href="#search-syntax"' in state

    def test_many_words_suggest_fewer(self, client, collection):
        html = page(client, q="подвал автобус")
        assert result_count(html) == 0
        assert "Use fewer words" in html

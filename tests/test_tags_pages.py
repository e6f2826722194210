"""Theme and place pages: hierarchy, visible counts, Unicode slugs, query budget."""

import re
from decimal import Decimal
from urllib.parse import quote, unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from testimonies.models import Testimony

from .factories import (
    make_archivist,
    make_place,
    make_researcher,
    make_testimony,
    make_theme,
)

pytestmark = pytest.mark.django_db

S = Testimony.Status
A = Testimony.Access
HIDDEN_KINDS = [
    {"status": S.DRAFT},
    {"status": S.IN_REVIEW},
    {"status": S.WITHDRAWN},
    {"access": A.RESTRICTED},
    {"access": A.RESEARCHERS},
]


def page_of(client, url, language=None, **params):
    headers = {"accept-language": language} if language else {}
    response = client.get(url, params, headers=headers)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def count_beside(page, slug, kind):
    """The count shown beside a tag's link on a list page."""
    href = re.escape(reverse(f"testimonies:{kind}", args=[slug]))
    match = re.search(
        rf'href="{href}">[^<]+</a>[^<]*(?:<span class="meta">[^<]*</span>\s*)?'
        r'<span class="count">(\d+)<',
        page,
    )
    return int(match.group(1)) if match else None


def listed_titles(page):
    return re.findall(r'class="testimony-item__title"><a [^>]*>([^<]+)</a>', page)


class TestThemes:
    def test_every_theme_with_its_description_and_visible_count(self, client):
        drones = make_theme("Drones", description="Drones over roads and fields.")
        aid = make_theme("Humanitarian aid")
        make_testimony(themes=[drones, aid])
        make_testimony(themes=[drones])
        for fields in HIDDEN_KINDS:
            make_testimony(themes=[drones], **fields)
        page = page_of(client, "/themes/")
        assert "Drones over roads and fields." in page
        assert count_beside(page, "drones", "theme") == 2
        assert count_beside(page, "humanitarian-aid", "theme") == 1

    def test_theme_used_only_by_hidden_testimonies_is_not_shown(self, client):
        secret = make_theme("Secret operation")
        for fields in HIDDEN_KINDS:
            make_testimony(themes=[secret], **fields)
        assert "Secret operation" not in page_of(client, "/themes/")
        assert client.get(f"/themes/{secret.slug}/").status_code == 404

    def test_narrower_themes_sit_under_their_parent(self, client):
        evacuation = make_theme("Evacuation")
        closed = make_theme("Closed evacuation routes", parent=evacuation)
        make_testimony(themes=[closed])
        page = page_of(client, "/themes/")
        parent_at = page.index(reverse("testimonies:theme", args=[evacuation.slug]))
        child_at = page.index(reverse("testimonies:theme", args=[closed.slug]))
        nested = page[parent_at:child_at]
        assert parent_at < child_at and '<ul class="tag-tree">' in nested
        parent_page = page_of(client, f"/themes/{evacuation.slug}/")
        assert "Narrower themes" in parent_page and "Closed evacuation routes" in (
            parent_page
        )

    def test_theme_page_lists_its_visible_testimonies(self, client):
        drones = make_theme("Drones", description="Drones over roads.")
        make_testimony(title="Seen drones", themes=[drones])
        make_testimony(title="Other theme", themes=[make_theme("Aid")])
        for number, fields in enumerate(HIDDEN_KINDS):
            make_testimony(title=f"Hidden {number}", themes=[drones], **fields)
        page = page_of(client, "/themes/drones/")
        assert listed_titles(page) == ["Seen drones"]
        assert "<h1>" in page and "Drones over roads." in page
        assert 'aria-current="page">Drones</a>' in page

    def test_researcher_sees_researcher_only_testimonies_and_counts(self, client):
        drones = make_theme("Drones")
        make_testimony(themes=[drones])
        make_testimony(title="For research", themes=[drones], access=A.RESEARCHERS)
        client.force_login(make_researcher())
        assert count_beside(page_of(client, "/themes/"), "drones", "theme") == 2
        assert "For research" in page_of(client, "/themes/drones/")

    def test_theme_page_is_paginated_and_keeps_the_order(self, client):
        drones = make_theme("Drones")
        for number in range(23):
            make_testimony(title=f"Drones {number:02d}", themes=[drones])
        first = page_of(client, "/themes/drones/", sort="oldest")
        assert len(listed_titles(first)) == 20
        assert "?sort=oldest&amp;page=2" in first
        second = page_of(client, "/themes/drones/", sort="oldest", page=2)
        assert len(listed_titles(second)) == 3

    @pytest.mark.parametrize("page", ["999", "x"])
    def test_bad_page_of_a_theme_gets_a_message(self, client, page):
        make_testimony(themes=[make_theme("Drones")])
        assert "Go to the first page" in page_of(client, "/themes/drones/", page=page)

    def test_other_filters_in_the_address_are_ignored(self, client):
        drones = make_theme("Drones")
        make_testimony(title="Seen drones", themes=[drones], language="ru")
        page = page_of(client, "/themes/drones/", theme="nope", recorded_to="!!")
        assert listed_titles(page) == ["Seen drones"]

    def test_unknown_theme_is_not_found(self, client):
        assert client.get("/themes/no-such-theme/").status_code == 404

    def test_name_in_the_visitor_language(self, client):
        theme = make_theme("Drones", names={"ja": "ドローン", "uk": "Дрони"})
        make_testimony(themes=[theme])
        page = page_of(client, "/themes/", language="ja")
        assert "ドローン" in page


class TestPlaces:
    @pytest.fixture
    def region(self):
        kursk = make_place("Kursk Oblast", kind="region", names={"ru": "Курская"})
        sudzha = make_place(
            "Sudzha",
            parent=kursk,
            names={"ru": "Суджа", "ja": "スジャ"},
            latitude=Decimal("51.1917"),
            longitude=Decimal("35.2722"),
        )
        goncharovka = make_place("Goncharovka", parent=sudzha)
        return kursk, sudzha, goncharovka

    def test_hierarchy_with_counts_of_testimonies_there_and_below(self, client, region):
        kursk, sudzha, goncharovka = region
        # Tagged with both the settlement and the region: counted once above.
        make_testimony(places=[sudzha, kursk])
        make_testimony(places=[goncharovka])
        make_testimony(places=[kursk])
        for fields in HIDDEN_KINDS:
            make_testimony(places=[goncharovka], **fields)
        page = page_of(client, "/places/")
        assert count_beside(page, kursk.slug, "place") == 3
        assert count_beside(page, sudzha.slug, "place") == 2
        assert count_beside(page, goncharovka.slug, "place") == 1
        region_at = page.index(f'href="/places/{kursk.slug}/"')
        settlement_at = page.index(f'href="/places/{sudzha.slug}/"')
        assert region_at < settlement_at
        assert '<ul class="tag-tree tag-tree--places">' in page[region_at:settlement_at]

    def test_place_page_lists_testimonies_there_and_below(self, client, region):
        kursk, sudzha, goncharovka = region
        make_testimony(title="In the region", places=[kursk])
        make_testimony(title="In the village", places=[goncharovka])
        make_testimony(title="Elsewhere", places=[make_place("Sumy")])
        make_testimony(title="Hidden", places=[goncharovka], status=S.DRAFT)
        page = page_of(client, f"/places/{kursk.slug}/")
        assert sorted(listed_titles(page)) == ["In the region", "In the village"]
        page = page_of(client, f"/places/{sudzha.slug}/")
        assert listed_titles(page) == ["In the village"]
        assert "Places within" in page and "Goncharovka" in page

    def test_place_page_shows_other_names_coordinates_and_ancestors(
        self, client, region
    ):
        kursk, sudzha, goncharovka = region
        make_testimony(places=[sudzha])
        page = page_of(client, f"/places/{sudzha.slug}/")
        assert '<span lang="ru">Суджа</span>' in page
        assert '<span lang="ja">スジャ</span>' in page
        assert "51.1917, 35.2722" in page
        breadcrumb = page[page.index('aria-label="Breadcrumb"') :]
        assert breadcrumb.index("Kursk Oblast") < breadcrumb.index(
            'aria-current="page">Sudzha'
        )

    def test_coordinates_are_not_localised_into_commas(self, client, region):
        make_testimony(places=[region[1]])
        page = page_of(client, f"/places/{region[1].slug}/", language="ru")
        assert "51.1917, 35.2722" in page

    def test_place_with_only_hidden_testimonies_is_not_shown(self, client, region):
        kursk, sudzha, goncharovka = region
        for fields in HIDDEN_KINDS:
            make_testimony(places=[goncharovka], **fields)
        assert "Goncharovka" not in page_of(client, "/places/")
        assert client.get(f"/places/{goncharovka.slug}/").status_code == 404
        client.force_login(make_archivist())
        assert "Goncharovka" in page_of(client, "/places/")

    def test_unknown_place_is_not_found(self, client):
        assert client.get("/places/atlantis/").status_code == 404


@pytest.mark.parametrize(
    "name, kind", [("東京 都", "place"), ("Суджа", "place"), ("避難", "theme")]
)
def test_japanese_and_cyrillic_slugs_reverse_and_open(client, name, kind):
    tag = (make_place if kind == "place" else make_theme)(name)
    make_testimony(title="Tagged", **{f"{kind}s": [tag]})
    url = reverse(f"testimonies:{kind}", args=[tag.slug])
    assert url == f"/{kind}s/{quote(tag.slug)}/"
    assert resolve(unquote(url)).kwargs == {"slug": tag.slug}
    assert "Tagged" in page_of(client, url)
    assert "Tagged" in page_of(client, f"/{kind}s/{tag.slug}/")


class TestQueryBudget:
    @staticmethod
    def count(client, url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    @staticmethod
    def fill(size):
        region = make_place(f"Region {size}", kind="region")
        theme = make_theme(f"Theme {size}")
        for number in range(size):
            place = make_place(f"Village {size}-{number}", parent=region)
            make_place(f"Hamlet {size}-{number}", parent=place)
            make_testimony(
                themes=[theme, make_theme(f"Theme {size}-{number}")], places=[place]
            )
        return region, theme

    @pytest.mark.parametrize("url", ["/themes/", "/places/", "/"])
    def test_list_pages(self, client, url):
        self.fill(2)
        few = self.count(client, url)
        self.fill(20)
        assert self.count(client, url) == few

    def test_tag_pages(self, client):
        small = self.fill(2)
        large = self.fill(20)
        for kind, few, many in [
            ("place", small[0], large[0]),
            ("theme", small[1], large[1]),
        ]:
            urls = [reverse(f"testimonies:{kind}", args=[t.slug]) for t in (few, many)]
            assert self.count(client, urls[0]) == self.count(client, urls[1])

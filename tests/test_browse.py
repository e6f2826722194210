"""Browsing testimonies: filters, order, pagination, bad input, visibility, weight."""

import datetime
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from testimonies.dates import DatePrecision
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
MONTH = DatePrecision.MONTH


def titles(response):
    """The titles listed on a browse page, in order."""
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    return re.findall(r'class="testimony-item__title"><a [^>]*>([^<]+)</a>', page)


def day(text):
    return datetime.date.fromisoformat(text)


@pytest.fixture
def collection():
    """Testimonies across themes, places, languages and recording dates."""
    kursk = make_place("Kursk Oblast", kind="region")
    sudzha = make_place("Sudzha", parent=kursk, names={"ru": "Суджа"})
    sumy = make_place("Sumy Oblast", kind="region")
    tokyo = make_place("東京 都")
    drones = make_theme("Drones")
    basements = make_theme("Shelter in basements")
    make_testimony(
        title="Drones over Sudzha",
        themes=[drones],
        places=[sudzha],
        language="ru",
        recorded_on=day("2024-08-20"),
    )
    make_testimony(
        title="August in the cellar",
        themes=[basements],
        places=[kursk],
        language="ru",
        recorded_on=day("2024-08-01"),
        recorded_precision=MONTH,
    )
    make_testimony(
        title="Sumy shelters",
        themes=[basements, drones],
        places=[sumy],
        language="uk",
        recorded_on=day("2025-03-02"),
    )
    make_testimony(
        title="Tokyo relatives",
        places=[tokyo],
        language="ja",
        recorded_on=day("2024-01-01"),
        recorded_precision=DatePrecision.YEAR,
    )
    make_testimony(title="Undated account", language="en")
    make_testimony(title="Draft drones", themes=[drones], status=S.DRAFT)
    make_testimony(title="Researchers drones", themes=[drones], access=A.RESEARCHERS)
    return {
        "kursk": kursk,
        "sudzha": sudzha,
        "sumy": sumy,
        "tokyo": tokyo,
        "drones": drones,
        "basements": basements,
    }


class TestFilters:
    def test_theme(self, client, collection):
        listed = titles(client.get("/testimonies/", {"theme": "drones"}))
        assert sorted(listed) == ["Drones over Sudzha", "Sumy shelters"]

    def test_place_includes_places_below(self, client, collection):
        listed = titles(client.get("/testimonies/", {"place": "kursk-oblast"}))
        assert sorted(listed) == ["August in the cellar", "Drones over Sudzha"]
        listed = titles(client.get("/testimonies/", {"place": "sudzha"}))
        assert listed == ["Drones over Sudzha"]

    def test_japanese_slug(self, client, collection):
        slug = collection["tokyo"].slug
        assert slug == "東京-都"
        assert titles(client.get("/testimonies/", {"place": slug})) == [
            "Tokyo relatives"
        ]

    def test_language(self, client, collection):
        listed = titles(client.get("/testimonies/", {"language": "RU"}))
        assert sorted(listed) == ["August in the cellar", "Drones over Sudzha"]

    def test_recorded_period_counts_partial_dates_as_whole_periods(
        self, client, collection
    ):
        # "recorded_to=2024-08" reaches the last day of August; "2024" overlaps it.
        listed = titles(
            client.get(
                "/testimonies/", {"recorded_from": "2024-08", "recorded_to": "2024-08"}
            )
        )
        assert sorted(listed) == [
            "August in the cellar",
            "Drones over Sudzha",
            "Tokyo relatives",
        ]
        listed = titles(client.get("/testimonies/", {"recorded_to": "2024-07"}))
        assert listed == ["Tokyo relatives"]
        # A testimony known only as "2024" overlaps any day of that year.
        listed = titles(
            client.get(
                "/testimonies/",
                {"recorded_from": "2024-05-05", "recorded_to": "2024-05-06"},
            )
        )
        assert listed == ["Tokyo relatives"]
        listed = titles(client.get("/testimonies/", {"recorded_from": "2025"}))
        assert listed == ["Sumy shelters"]

    def test_filters_combine(self, client, collection):
        query = {"theme": "drones", "language": "uk", "recorded_to": "2025-12-31"}
        assert titles(client.get("/testimonies/", query)) == ["Sumy shelters"]
        query["place"] = "kursk-oblast"
        response = client.get("/testimonies/", query)
        assert titles(response) == []
        assert "No testimonies match." in response.content.decode()

    def test_result_count_and_removable_filters(self, client, collection):
        response = client.get("/testimonies/", {"theme": "drones", "language": "ru"})
        page = response.content.decode()
        assert "1 testimony</p>" in page
        assert 'href="/testimonies/?language=ru">Remove filter “Theme”' in page
        assert 'href="/testimonies/?theme=drones">Remove filter “Language”' in page
        assert "5 testimonies</p>" in client.get("/testimonies/").content.decode()

    def test_menus_offer_only_what_the_visitor_may_see(self, client, collection):
        only_in_drafts = make_theme("Secret theme")
        make_testimony(themes=[only_in_drafts], status=S.DRAFT)
        page = client.get("/testimonies/").content.decode()
        assert re.search(r'name="theme" value="drones"[^>]*>\s*Drones</label>', page)
        assert "Secret theme" not in page
        assert re.search(r'name="language" value="ja"[^>]*>\s*Japanese</label>', page)

    def test_ticking_several_values_of_one_filter_finds_any_of_them(
        self, client, collection
    ):
        drones = titles(client.get("/testimonies/", {"theme": "drones"}))
        basements = titles(
            client.get("/testimonies/", {"theme": "shelter-in-basements"})
        )
        both = client.get(
            "/testimonies/", {"theme": ["drones", "shelter-in-basements"]}
        )
        assert sorted(titles(both)) == sorted(set(drones) | set(basements))
        assert len(set(drones) | set(basements)) > max(len(drones), len(basements))
        page = both.content.decode()
        for slug in ("drones", "shelter-in-basements"):
            assert re.search(rf'name="theme" value="{slug}"[^>]*checked', page)
            assert f"theme={slug}" in page  # each value removable on its own


class TestOrder:
    def test_recorded_newest_first_by_default_undated_last(self, client, collection):
        assert titles(client.get("/testimonies/")) == [
            "Sumy shelters",
            "Drones over Sudzha",
            "August in the cellar",
            "Tokyo relatives",
            "Undated account",
        ]

    def test_recorded_oldest_first(self, client, collection):
        listed = titles(client.get("/testimonies/", {"sort": "oldest"}))
        assert listed[:2] == ["Tokyo relatives", "August in the cellar"]
        assert listed[-1] == "Undated account"

    def test_recently_published_first(self, client, collection):
        newest = make_testimony(title="Just published")
        Testimony.objects.filter(pk=newest.pk).update(
            published_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
        )
        listed = titles(client.get("/testimonies/", {"sort": "published"}))
        assert listed[0] == "Just published"

    def test_unknown_order_says_so_and_uses_the_usual_one(self, client, collection):
        response = client.get("/testimonies/", {"sort": "random()"})
        assert titles(response)[0] == "Sumy shelters"
        assert "is not an order this list knows" in response.content.decode()


class TestPagination:
    @pytest.fixture
    def many(self):
        theme = make_theme("Evacuation")
        for number in range(45):
            make_testimony(
                title=f"Evacuation {number:02d}",
                themes=[theme],
                recorded_on=datetime.date(2024, 1, 1) + datetime.timedelta(number),
            )
        make_testimony(title="Other theme entirely")

    def test_pages_keep_the_filters(self, client, many):
        response = client.get(
            "/testimonies/", {"theme": "evacuation", "sort": "oldest"}
        )
        first = titles(response)
        assert len(first) == 20 and first[0] == "Evacuation 00"
        page = response.content.decode()
        assert "45 testimonies</p>" in page
        next_link = re.search(r'<a href="([^"]+)" rel="next">', page).group(1)
        query = parse_qs(urlsplit(unescape(next_link)).query)
        assert query == {"theme": ["evacuation"], "sort": ["oldest"], "page": ["2"]}
        second = titles(client.get("/testimonies/" + unescape(next_link)))
        assert second[0] == "Evacuation 20"
        last = titles(client.get("/testimonies/", {"theme": "evacuation", "page": 3}))
        assert len(last) == 5 and "Other theme entirely" not in last

    def test_current_page_is_marked_and_canonical_keeps_the_page(self, client, many):
        page = client.get("/testimonies/", {"page": 2}).content.decode()
        assert 'aria-current="page">2</a>' in page
        assert (
            '<link rel="canonical" href="http://testserver/testimonies/?page=2">'
            in (page)
        )

    @pytest.mark.parametrize(
        "number, message",
        [
            ("999", "There is no page 999: the list has 3 pages."),
            ("x", "A page number is a whole number such as 2."),
            ("0", "greater than or equal to 1"),
            ("-1", "greater than or equal to 1"),
            ("1.5", "A page number is a whole number"),
            ("9" * 5000, "A page number is a whole number"),
        ],
    )
    def test_bad_page_gets_a_message_and_a_way_back(
        self, client, many, number, message
    ):
        response = client.get("/testimonies/", {"theme": "evacuation", "page": number})
        assert titles(response) == []
        page = response.content.decode()
        assert message in page
        assert 'href="/testimonies/?theme=evacuation">Go to the first page' in page
        assert '<meta name="robots" content="noindex">' in page


class TestBadFilters:
    @pytest.mark.parametrize(
        "query, message",
        [
            ({"theme": "no-such-theme"}, "There is no theme “no-such-theme”."),
            ({"place": "атлантида"}, "There is no place “атлантида”."),
            ({"recorded_from": "2024-13"}, "“2024-13” is not a date."),
            ({"recorded_to": "abc"}, "“abc” is not a date."),
            ({"recorded_from": "2024-02-30"}, "“2024-02-30” is not a date."),
            ({"language": "!!"}, "“!!” is not a language code"),
            (
                {"recorded_from": "2025", "recorded_to": "2024"},
                "The end of the period lies before its start.",
            ),
            ({"theme": "a\x00b"}, "Null characters are not allowed."),
            ({"theme": "x" * 5000}, "at most 100 characters"),
        ],
    )
    def test_bad_value_gets_a_clear_message_and_no_results(
        self, client, collection, query, message
    ):
        response = client.get("/testimonies/", query)
        assert titles(response) == []
        page = unescape(response.content.decode())
        assert "Some filters could not be used" in page
        assert message in page

    def test_bad_value_beside_good_ones_names_the_field(self, client, collection):
        response = client.get(
            "/testimonies/", {"theme": "drones", "recorded_from": "abc"}
        )
        page = unescape(response.content.decode())
        assert "Recorded from: “abc” is not a date." in page
        assert 'href="/testimonies/?theme=drones">Remove filter “Recorded from”' in page

    def test_repeated_and_empty_parameters_do_not_break(self, client, collection):
        response = client.get("/testimonies/?theme=&theme=drones&place=&page=&sort=")
        assert sorted(titles(response)) == ["Drones over Sudzha", "Sumy shelters"]


class TestVisibility:
    def test_anonymous_sees_published_public_only(self, client, collection):
        make_testimony(title="Restricted drones", access=A.RESTRICTED)
        make_testimony(title="Withdrawn drones", status=S.WITHDRAWN)
        make_testimony(title="In review drones", status=S.IN_REVIEW)
        listed = titles(client.get("/testimonies/"))
        assert len(listed) == 5
        assert not [title for title in listed if "Draft" in title or "drones" in title]

    def test_researcher_sees_researcher_only_items_in_filtered_lists(
        self, client, collection
    ):
        client.force_login(make_researcher())
        listed = titles(client.get("/testimonies/", {"theme": "drones"}))
        assert "Researchers drones" in listed and "Draft drones" not in listed

    def test_archivist_sees_everything(self, client, collection):
        client.force_login(make_archivist())
        listed = titles(client.get("/testimonies/", {"theme": "drones"}))
        assert {"Researchers drones", "Draft drones"} <= set(listed)


class TestWeight:
    @staticmethod
    def fill(count):
        region = make_place(f"Region of {count}", kind="region")
        for number in range(count):
            make_testimony(
                summary="A long summary of what happened. " * 12,
                themes=[f"Theme {count}-{number}", "Drones"],
                places=[make_place(f"Village {count}-{number}", parent=region)],
                recorded_on=datetime.date(2024, 8, 1),
            )

    @pytest.mark.parametrize(
        "query", [{}, {"theme": "drones", "sort": "oldest"}, {"place": "region-of-2"}]
    )
    def test_queries_do_not_grow_with_rows(self, client, query):
        def count():
            with CaptureQueriesContext(connection) as queries:
                assert client.get("/testimonies/", query).status_code == 200
            return len(queries)

        self.fill(2)
        few = count()
        self.fill(20)
        assert count() == few

    def test_a_page_of_twenty_weighs_under_100_kb(self, client):
        self.fill(25)
        response = client.get("/testimonies/")
        assert len(titles(response)) == 20
        assert len(response.content) < 100 * 1024

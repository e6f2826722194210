"""Dates and lists as each interface language writes them (testimonies.locales):
the points a Russian, an English and a Japanese reader saw."""

import datetime

import pytest
from django.utils import translation

from testimonies.dates import DatePrecision, display_partial_date
from testimonies.locales import list_separator, local_date, local_list

SEPTEMBER = datetime.date(2024, 9, 2)


# A year stays with its "г." or "р." by a narrow no-break space, as CLDR writes it.
@pytest.mark.parametrize(
    ("language", "precision", "expected"),
    [
        ("ru", DatePrecision.MONTH, "сентябрь 2024\u202fг."),
        ("uk", DatePrecision.MONTH, "вересень 2024\u202fр."),
        ("en", DatePrecision.MONTH, "September 2024"),
        ("ja", DatePrecision.MONTH, "2024年9月"),
        ("ja", DatePrecision.YEAR, "2024年"),
        ("en", DatePrecision.YEAR, "2024"),
        ("en", DatePrecision.DAY, "September 2, 2024"),
        ("ru", DatePrecision.DAY, "2 сентября 2024\u202fг."),
        ("ja", DatePrecision.DAY, "2024年9月2日"),
    ],
)
def test_a_partial_date_at_its_precision(language, precision, expected):
    with translation.override(language):
        assert display_partial_date(SEPTEMBER, precision) == expected


def test_lists_and_separators():
    with translation.override("ja"):
        assert local_list(["暴力", "死"]) == "暴力、死"
        assert list_separator() == "、"
    with translation.override("en"):
        assert local_list(["violence", "death", "children"]) == (
            "violence, death, and children"
        )
        assert list_separator() == ", "
    with translation.override("ru"):
        assert local_list(["насилие", "смерть"]) == "насилие и смерть"
    assert local_list([]) == ""


def test_an_unknown_language_falls_back_to_english():
    with translation.override("xx"):
        assert local_date(SEPTEMBER) == "September 2, 2024"


def test_a_moment_is_dated_in_the_archives_time_zone(settings):
    settings.TIME_ZONE = "Europe/Kyiv"
    late = datetime.datetime(2024, 9, 1, 22, 30, tzinfo=datetime.UTC)  # 01:30 in Kyiv
    with translation.override("en"):
        assert local_date(late) == "September 2, 2024"
    assert local_date(None) == ""

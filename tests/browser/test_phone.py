"""A phone-first search: on a 360 × 740 screen, in every interface language,
the first result of a search and of browsing is on the first screen, with one
search box and the filters folded behind "Filters (n)"."""

import pytest
from playwright.sync_api import expect

from .conftest import PHONE, open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["en", "ja", "ru", "uk"]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("address", ["/search/?q=basement", "/testimonies/"])
def test_the_first_result_is_on_the_first_screen(browser, site, language, address):
    page = open_page(browser, site, viewport=PHONE, locale=language)
    try:
        page.goto(address)
        first = page.locator(".testimony-list > li").first
        title = first.locator(".testimony-item__title")
        expect(title).to_be_visible()
        box = title.bounding_box()
        assert box["y"] + box["height"] <= PHONE["height"], (
            f"{address} in {language}: the first title ends at "
            f"{box['y'] + box['height']:.0f}px"
        )
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
        assert page.locator("input[type=search]:visible").count() == 1
    finally:
        page.context.close()


def test_the_filters_unfold_and_count_what_is_chosen(browser, site):
    page = open_page(browser, site, viewport=PHONE, locale="en")
    try:
        page.goto("/search/?q=basement&language=en")
        switch = page.get_by_text("Filters (1)")
        expect(switch).to_be_visible()
        facets = page.locator(".facets")
        expect(facets).to_be_hidden()
        switch.click()
        expect(facets).to_be_visible()
        expect(page.locator("#facet-languages")).to_be_visible()
    finally:
        page.context.close()


def test_filters_with_errors_stay_open(browser, site):
    page = open_page(browser, site, viewport=PHONE, locale="en")
    try:
        page.goto("/testimonies/?recorded_from=soon")
        expect(page.locator(".filters")).to_be_visible()
    finally:
        page.context.close()


def test_on_a_desktop_the_filters_are_a_sidebar(page):
    page.goto("/search/?q=basement")
    expect(page.locator(".facets")).to_be_visible()
    expect(page.locator(".filters-disclosure__summary")).to_be_hidden()

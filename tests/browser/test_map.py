"""The maps of places in a real browser, under the site's real Content-Security-
Policy: a marker for every visible place with coordinates, markers a keyboard
reaches and leaves, nothing fetched from elsewhere, and a phone's width kept."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from testimonies.maps import located, nodes_within
from testimonies.models import Testimony
from testimonies.reading import place_tree

from .test_accessibility import blocking_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAP = "/map/"


def visible_located():
    """The visible places with coordinates, as the anonymous visitor's tree has
    them: (name, count) pairs."""
    tree = place_tree(Testimony.objects.visible_to(None))
    return sorted((n.tag.name, n.count) for n in tree.walk() if located(n.tag))


def open_map(page, url=MAP):
    """Go to ``url`` and wait for its map; the problems met on the way: policy
    refusals and script errors, and failed requests (but the browser's own
    favicon.ico, which the site has none of)."""
    problems = []

    def failed(response):
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            problems.append(f"{response.url}: {response.status}")

    def console(message):
        if message.type == "error" and "Failed to load resource" not in message.text:
            problems.append(message.text)

    page.on("response", failed)
    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    response = page.goto(url)
    assert response.status == 200
    page.wait_for_selector(".place-map--ready")
    return problems


def marker_labels(page):
    return sorted(
        page.locator(".place-marker__link").evaluate_all(
            "links => links.map(link => link.getAttribute('aria-label'))"
        )
    )


def test_a_marker_for_every_visible_place_with_coordinates(page):
    problems = open_map(page)
    expected = visible_located()
    assert len(expected) >= 5  # the demo's settlements
    assert page.locator(".place-marker").count() == len(expected)
    assert marker_labels(page) == sorted(
        f"{name}, testimonies: {count}" for name, count in expected
    )
    # No tile server: the points sit on the outline of the countries.
    assert page.locator(".place-map__country").count() > 0
    assert page.locator(".leaflet-tile").count() == 0
    # Nothing refused by the policy, nothing failed.
    assert problems == []


def test_the_map_fetches_nothing_from_elsewhere(page, live_server):
    origins = set()
    page.on("request", lambda request: origins.add(urlsplit(request.url).netloc))
    open_map(page)
    assert origins == {urlsplit(live_server.url).netloc}


def test_a_marker_opens_its_place(page):
    open_map(page)
    marker = page.get_by_role("link", name=re.compile(r"^Sudzha, testimonies: "))
    marker.click()
    expect(page).to_have_url(re.compile(r"/places/sudzha/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sudzha")


def test_the_keyboard_reaches_the_markers_and_moves_on_to_the_list(page):
    open_map(page)
    page.get_by_role("link", name="Skip to the list").focus()
    markers, entered, after = [], False, None
    for _ in range(60):
        page.keyboard.press("Tab")
        state = page.evaluate(
            """() => {
                const element = document.activeElement;
                return {
                    marker: element.classList.contains("place-marker__link"),
                    inMap: Boolean(element.closest(".place-map")),
                    href: element.getAttribute("href"),
                };
            }"""
        )
        if state["inMap"]:
            entered = True
            if state["marker"]:
                markers.append(state["href"])
        elif entered:
            after = state
            break
    assert len(markers) == len(visible_located())
    # Past the map focus goes on to the list of the same places: no trap.
    assert after is not None and after["href"].startswith("/places/")


def test_the_list_names_the_same_places_without_the_script(browser, site):
    from .conftest import open_page

    page = open_page(browser, site)
    page.context.route(re.compile(r".*/map\.js.*"), lambda route: route.abort())
    page.goto(MAP)
    assert page.locator(".place-map").is_hidden()
    listed = page.locator(".place-map-list a")
    names = set(listed.all_inner_texts())
    assert {name for name, _ in visible_located()} <= names
    page.context.close()


def test_a_place_page_maps_the_places_within(page):
    open_map(page, "/places/sumy-oblast/")
    tree = place_tree(Testimony.objects.visible_to(None))
    within = [n for n in nodes_within(tree.get("sumy-oblast")) if located(n.tag)]
    assert page.locator(".place-marker").count() == len(within) > 1


def test_a_testimony_page_shows_its_places_on_request(page):
    testimony = (
        Testimony.objects.visible_to(None)
        .filter(places__slug="sudzha")
        .order_by("identifier")
        .first()
    )
    page.goto(testimony.get_absolute_url())
    assert page.locator(".place-map__canvas .leaflet-pane").count() == 0
    page.get_by_text("Show on a map").click()
    page.wait_for_selector(".place-map--ready")
    assert "Sudzha, testimonies: " in " ".join(marker_labels(page))


def test_no_serious_accessibility_problems_on_the_map(axe_page, axe_source):
    open_map(axe_page)
    assert blocking_violations(axe_page, axe_source) == []


@pytest.mark.parametrize("url", [MAP, "/places/sumy-oblast/", "testimony"])
def test_a_phone_screen_needs_no_sideways_scrolling(phone, url):
    if url == "testimony":
        testimony = (
            Testimony.objects.visible_to(None)
            .filter(places__slug="sudzha")
            .order_by("identifier")
            .first()
        )
        phone.goto(testimony.get_absolute_url())
        phone.get_by_text("Show on a map").click()
        phone.wait_for_selector(".place-map--ready")
    else:
        open_map(phone, url)
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= 360
    box = phone.locator(".place-map__canvas").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360

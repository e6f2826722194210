"""The main journeys of a reader, walked in a real browser over the demo collection."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from testimonies.models import Testimony
from tests.factories import make_testimony

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def query_of(page):
    return parse_qs(urlsplit(page.url).query)


def test_home_to_theme_to_testimony_to_its_citation(page):
    page.goto("/")
    themes = page.get_by_role("region", name="By theme")
    theme_link = themes.get_by_role("link").first
    theme_name = theme_link.inner_text()
    theme_link.click()

    expect(page).to_have_url(re.compile(r"/themes/[^/]+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(theme_name)
    first = page.locator(".testimony-list .testimony-item__title a").first
    title = first.inner_text()
    first.click()

    expect(page).to_have_url(re.compile(r"/testimonies/[A-Za-z0-9._-]+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    header = page.locator(".testimony__header")
    expect(header.get_by_role("link", name=theme_name, exact=True)).to_be_visible()
    citation = page.get_by_role("region", name="Cite this testimony")
    expect(citation).to_be_visible()
    identifier = page.url.rstrip("/").rsplit("/", 1)[1]
    expect(citation.locator(".citation__url")).to_have_text(page.url)
    expect(citation.locator("code").first).to_have_text(identifier)
    expect(citation.locator(".citation__text")).to_contain_text(title)
    expect(citation.locator(".citation__bibtex")).to_contain_text(identifier)


def test_browse_with_a_filter_keeps_it_on_the_next_page(page):
    # The demo has a handful of English testimonies: enough more for two pages.
    for number in range(20):
        make_testimony(language="en", title=f"Extra English testimony {number}")
    english = Testimony.objects.visible_to(None).filter(language="en").count()
    assert english > 20

    page.goto("/testimonies/")
    languages = page.get_by_role("group", name="Language")
    languages.get_by_role("checkbox", name="English").check()
    page.locator("form.filters").get_by_role("button", name="Apply").click()

    expect(page).to_have_url(re.compile(r"[?&]language=en(&|$)"))
    assert query_of(page)["language"] == ["en"]
    expect(page.locator(".result-count")).to_have_text(f"{english} testimonies")
    expect(page.locator(".active-filters")).to_contain_text("English")
    assert page.locator(".testimony-item").count() == 20

    pages = page.get_by_role("navigation", name="Pages")
    pages.get_by_role("link", name="Next").click()

    expect(page).to_have_url(re.compile(r"[?&]page=2(&|$)"))
    assert query_of(page)["language"] == ["en"]
    assert query_of(page)["page"] == ["2"]
    expect(languages.get_by_role("checkbox", name="English")).to_be_checked()
    expect(languages.get_by_role("checkbox", name="Japanese")).not_to_be_checked()
    expect(page.locator(".result-count")).to_have_text(f"{english} testimonies")
    items = page.locator(".testimony-item")
    expect(items).to_have_count(english - 20)
    for meta in items.locator(".meta").all_inner_texts():
        assert "English" in meta
    expect(page.locator(".pagination [aria-current=page]")).to_have_text("2")


def test_switching_the_interface_to_japanese(page):
    page.goto("/testimonies/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    switcher = page.get_by_role("group", name="Interface language")
    switcher.get_by_role("button", name="日本語").click()

    # Back on the same page, now in Japanese, and it stays so on the next page.
    expect(page).to_have_url(re.compile(r"/testimonies/$"))
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    nav = page.get_by_role("navigation", name="メイン")
    expect(nav.get_by_role("link", name="証言")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("証言")
    expect(page.locator(".result-count")).to_contain_text("件の証言")
    assert "Testimonies" not in page.locator("header").inner_text()

    nav.get_by_role("link", name="テーマ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("テーマ")
    expect(page.locator(".tag-tree").first).to_contain_text("地下室での避難生活")
    expect(
        page.get_by_role("group", name="表示言語").get_by_role("button", name="日本語")
    ).to_have_attribute("aria-current", "true")


def test_content_warning_hides_the_text_until_the_reader_continues(page):
    testimony = (
        Testimony.objects.visible_to(None)
        .exclude(content_warnings=[])
        .order_by("identifier")
        .first()
    )
    first_words = testimony.body.split("\n")[0][:40]
    page.goto(testimony.get_absolute_url())

    warning = page.get_by_role("region", name="Content warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("This testimony describes:")
    body = page.locator(".testimony__body")
    expect(body).to_be_hidden()
    expect(page.get_by_text(first_words)).to_be_hidden()

    reveal = page.locator(".content-warning__reveal > summary")
    expect(reveal).to_have_text(
        "I understand — show the testimony", use_inner_text=True
    )
    reveal.focus()
    page.keyboard.press("Enter")

    expect(body).to_be_visible()
    expect(page.get_by_text(first_words)).to_be_visible()
    # The box closes around the warning: the text is out of it, and the
    # button now says what it does next.
    expect(warning.locator(".testimony__body")).to_have_count(0)
    expect(reveal).to_have_text("Hide the testimony", use_inner_text=True)
    box = warning.bounding_box()
    text = body.bounding_box()
    assert text["y"] >= box["y"] + box["height"]
    page.keyboard.press("Enter")
    expect(body).to_be_hidden()


def focused(page):
    """What has the keyboard focus: tag, classes, name and its outline."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            return {
                tag: el.tagName.toLowerCase(),
                id: el.id,
                cls: el.className,
                text: (el.innerText || "").trim(),
                href: el.getAttribute("href"),
                outlineStyle: style.outlineStyle,
                outlineWidth: parseFloat(style.outlineWidth),
                outlineColor: style.outlineColor,
            };
        }"""
    )


def assert_visible_focus(element):
    assert element["outlineStyle"] not in ("none", "hidden"), element
    assert element["outlineWidth"] >= 2, element


def test_keyboard_only_skip_link_then_navigation_and_search(page):
    page.goto("/themes/")

    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["cls"] == "skip-link" and skip["href"] == "#main"
    assert_visible_focus(skip)
    box = page.locator(".skip-link").bounding_box()
    assert box["y"] >= 0 and box["height"] > 0, "the skip link shows when focused"

    page.keyboard.press("Enter")
    assert focused(page)["tag"] == "main"
    page.keyboard.press("Tab")
    inside_main = page.evaluate(
        "document.querySelector('main').contains(document.activeElement)"
    )
    assert inside_main, "after the skip link, Tab continues inside the content"

    page.goto("/themes/")
    reached = []
    for _ in range(20):
        page.keyboard.press("Tab")
        reached.append(focused(page))
        if reached[-1]["id"] == "site-search-q":
            break
    names = [element["text"] or element["id"] for element in reached]
    assert names[0] == "Skip to content", names
    assert reached[-1]["id"] == "site-search-q", names
    nav_order = [names.index(name) for name in ("Testimonies", "Themes", "Places")]
    assert nav_order == sorted(nav_order), names
    for element in reached:
        assert_visible_focus(element)

    # Back to a navigation link with Shift+Tab, and follow it with Enter.
    for _ in range(len(reached) - 1 - names.index("Places")):
        page.keyboard.press("Shift+Tab")
    assert focused(page)["text"] == "Places"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/places/$"))

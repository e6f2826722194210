"""axe-core on every kind of page, and no sideways scrolling on a phone."""

import pytest
from django.urls import reverse

from testimonies.models import Place, Testimony

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Impacts that fail the build; "minor" and "moderate" findings are left to review.
BLOCKING = {"serious", "critical"}


def demo_address(kind):
    """The address of one page of each kind in the demo collection."""
    visible = Testimony.objects.visible_to(None)
    # A testimony with everything: content warning, places with parents, themes.
    testimony = visible.exclude(content_warnings=[]).order_by("identifier").first()
    settlement = (
        Place.objects.filter(
            kind=Place.Kind.SETTLEMENT, tagged_items__content_object__in=visible
        )
        .order_by("slug")
        .first()
    )
    addresses = {
        "home": "/",
        "browse": reverse("testimonies:list"),
        "browse-filtered": reverse("testimonies:list") + "?language=uk&sort=oldest",
        "testimony": testimony.get_absolute_url(),
        "theme-list": reverse("testimonies:themes"),
        "theme": testimony.themes.order_by("slug").first().get_absolute_url(),
        "place-list": reverse("testimonies:places"),
        "place": settlement.get_absolute_url(),
        "404": "/no-such-page/",
    }
    return addresses[kind]


def blocking_violations(page, axe_source):
    """Run axe-core on the page as it is now; the serious and critical findings."""
    page.add_script_tag(path=str(axe_source))
    results = page.evaluate(
        """async () => await axe.run(document, {
            resultTypes: ["violations"],
            runOnly: {type: "tag", values: [
                "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"
            ]},
        })"""
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in results["violations"]
        if violation["impact"] in BLOCKING
    ]


PAGE_KINDS = [
    "home",
    "browse",
    "browse-filtered",
    "testimony",
    "theme-list",
    "theme",
    "place-list",
    "place",
    "404",
]


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_no_serious_accessibility_problems(axe_page, axe_source, kind):
    response = axe_page.goto(demo_address(kind))
    assert response.status == (404 if kind == "404" else 200)
    if kind == "testimony":
        # The text behind the content warning is checked too.
        axe_page.locator(".content-warning__reveal summary").click()
    assert blocking_violations(axe_page, axe_source) == []


@pytest.mark.parametrize("kind", ["home", "testimony", "place"])
@pytest.mark.parametrize("language", ["ja", "uk"])
def test_no_serious_accessibility_problems_in_other_languages(
    browser, site, axe_source, kind, language
):
    from .conftest import open_page

    page = open_page(browser, site, locale=language, csp=False)
    try:
        page.goto(demo_address(kind))
        assert page.locator("html").get_attribute("lang") == language
        assert blocking_violations(page, axe_source) == []
    finally:
        page.context.close()


def test_axe_does_find_problems(axe_page, axe_source):
    """The check is not a formality: a page with known faults fails it."""
    page = axe_page
    page.goto("/")
    page.evaluate(
        """() => {
            const img = document.createElement("img");
            img.src = "/static/missing.png";
            document.querySelector("main").append(img);
            const field = document.createElement("input");
            field.type = "text";
            document.querySelector("main").append(field);
        }"""
    )
    found = " ".join(blocking_violations(page, axe_source))
    assert "image-alt" in found and "label" in found


PHONE_PAGES = ["home", "browse", "testimony", "theme-list", "theme", "place-list"]


@pytest.mark.parametrize("kind", [*PHONE_PAGES, "place", "404"])
def test_phone_screen_needs_no_sideways_scrolling(phone, kind):
    phone.goto(demo_address(kind))
    width = phone.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 360


@pytest.mark.parametrize("language", ["ja", "uk", "ru"])
def test_phone_screen_needs_no_sideways_scrolling_in_other_languages(
    browser, site, language
):
    from .conftest import PHONE, open_page

    phone = open_page(browser, site, viewport=PHONE, locale=language)
    try:
        for kind in PHONE_PAGES:
            phone.goto(demo_address(kind))
            if kind == "testimony":
                phone.locator(".content-warning__reveal summary").click()
            width = phone.evaluate("document.scrollingElement.scrollWidth")
            assert width <= 360, f"{kind} in {language} is {width}px wide"
    finally:
        phone.context.close()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_tokens_page_with_a_new_token(browser, site, axe_source, viewport):
    """A researcher's own page: signed in, a token just made (shown once), the
    list of tokens with their Revoke buttons."""
    from ..factories import make_researcher
    from .conftest import DESKTOP, PHONE, open_page

    make_researcher("reader")
    page = open_page(
        browser, site, viewport=PHONE if viewport == "phone" else DESKTOP, csp=False
    )
    try:
        page.goto(reverse("login") + "?next=" + reverse("tokens"))
        page.fill("input[name=username]", "reader")
        page.fill("input[name=password]", "correct horse battery")
        page.locator("main form button[type=submit]").click()
        page.fill("input[name=name]", "thesis scripts")
        page.locator("main form.account-form button[type=submit]").click()
        token = page.locator("#new-token").input_value()
        assert token.startswith("ta_")
        assert page.get_by_role("button", name="Revoke “thesis scripts”").is_visible()
        assert blocking_violations(page, axe_source) == []
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= (360 if viewport == "phone" else 1280)
    finally:
        page.context.close()

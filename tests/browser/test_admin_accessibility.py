"""axe-core on the admin pages an archivist uses every day: no serious or critical
finding, with the autocomplete boxes built and a photo on the testimony."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from testimonies.models import Place, Testimony, Theme

from ..factories import make_photo
from .test_accessibility import blocking_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"


def sign_in(page):
    # A superuser: a transactional test's flush drops the groups' permissions.
    get_user_model().objects.create_superuser("curator", "c@example.org", PASSWORD)
    page.goto(reverse("admin:login"))
    page.fill("#id_username", "curator")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()
    return page


@pytest.fixture
def admin_axe_page(axe_page):
    return sign_in(axe_page)


def photographed_testimony():
    testimony = Testimony.objects.order_by("identifier").first()
    make_photo(
        testimony,
        size=(800, 500),
        alt_text="A door to a basement (synthetic image)",
        caption="Where the neighbours sheltered",
        credit="Volunteer photographer (fictional)",
    )
    return testimony


def admin_address(kind):
    theme = Theme.objects.order_by("pk").first()
    place = Place.objects.filter(parent__isnull=False).order_by("pk").first()
    addresses = {
        "index": reverse("admin:index"),
        "testimony-list": reverse("admin:testimonies_testimony_changelist"),
        "testimony-add": reverse("admin:testimonies_testimony_add"),
        "testimony-change": reverse(
            "admin:testimonies_testimony_change", args=[photographed_testimony().pk]
        ),
        "testimony-with-recording": reverse(
            "admin:testimonies_testimony_change",
            args=[Testimony.objects.filter(recordings__isnull=False).first().pk],
        ),
        "theme-list": reverse("admin:testimonies_theme_changelist"),
        "theme-change": reverse("admin:testimonies_theme_change", args=[theme.pk]),
        "place-list": reverse("admin:testimonies_place_changelist"),
        "place-change": reverse("admin:testimonies_place_change", args=[place.pk]),
        "import-add": reverse("admin:testimonies_importjob_add"),
        "source-list": reverse("admin:testimonies_source_changelist"),
        "takedown-list": reverse("admin:testimonies_takedownrequest_changelist"),
        "sign-in-records": reverse("admin:axes_accessattempt_changelist"),
    }
    return addresses[kind]


def wait_for_names(page):
    """Select2 builds its boxes after the page loads, and our script names them
    after that (static/testimonies/admin/labels.js)."""
    page.wait_for_function(
        """() => [...document.querySelectorAll(".select2-container")]
            .every(box => box.hasAttribute("data-testimony-named"))
          && [...document.querySelectorAll("p.datetime")]
            .every(p => p.hasAttribute("data-testimony-named"))"""
    )


ADMIN_PAGES = [
    "index",
    "testimony-list",
    "testimony-add",
    "testimony-change",
    "testimony-with-recording",
    "theme-list",
    "theme-change",
    "place-list",
    "place-change",
    "import-add",
    "source-list",
    "takedown-list",
    "sign-in-records",
]


@pytest.mark.parametrize("kind", ADMIN_PAGES)
def test_no_serious_accessibility_problems_in_the_admin(
    admin_axe_page, axe_source, kind
):
    page = admin_axe_page
    response = page.goto(admin_address(kind))
    assert response.status == 200
    wait_for_names(page)
    assert blocking_violations(page, axe_source) == []


def test_the_autocomplete_boxes_are_named_after_their_fields(admin_axe_page):
    page = admin_axe_page
    page.goto(admin_address("testimony-add"))
    wait_for_names(page)
    expect(page.get_by_role("combobox", name="Narrator")).to_be_visible()
    expect(page.get_by_role("combobox", name="Source")).to_be_visible()
    expect(page.get_by_role("searchbox", name="Themes")).to_be_visible()
    expect(page.get_by_role("searchbox", name="Places")).to_be_visible()
    expect(page.get_by_label("Published: Date")).to_be_visible()
    expect(page.get_by_label("Published: Time")).to_be_visible()


def test_an_inline_row_added_later_is_named_too(admin_axe_page, axe_source):
    """Select2 builds the boxes of a row added with "Add another …" on the spot."""
    page = admin_axe_page
    page.goto(admin_address("testimony-add"))
    page.locator("#photos-group .add-row a").click()
    expect(page.locator("#id_photos-0-alt_text")).to_be_visible()
    wait_for_names(page)
    assert blocking_violations(page, axe_source) == []

"""The admin in a real browser: a testimony with a photo fits the screen, the home
page's work queue leads to what waits, an application is approved from its own
page, and sources that share a title are told apart while typing."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from testimonies.models import ResearcherApplication, TakedownRequest, Testimony

from ..factories import make_photo, make_testimony, make_user
from .conftest import DESKTOP, PHONE, open_page
from .test_admin_accessibility import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def photographed_testimony():
    testimony = Testimony.objects.order_by("identifier").first()
    make_photo(
        testimony,
        size=(1600, 1000),
        alt_text="A door to a basement (synthetic image)",
        caption="Where the neighbours sheltered",
        credit="Volunteer photographer (fictional)",
    )
    return testimony


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "360px"])
def test_a_testimony_with_a_photo_fits_the_screen(browser, site, viewport):
    page = sign_in(open_page(browser, site, viewport=viewport))
    try:
        testimony = photographed_testimony()
        page.goto(reverse("admin:testimonies_testimony_change", args=[testimony.pk]))
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= viewport["width"]
        photo = page.locator("#photos-0")
        thumbnail = photo.get_by_alt_text("A door to a basement (synthetic image)")
        thumbnail.scroll_into_view_if_needed()  # loading="lazy"
        expect(thumbnail).to_be_visible()
        assert thumbnail.evaluate("img => img.decode().then(() => img.naturalWidth)")
        for field in [
            photo.get_by_label("Alternative text"),
            photo.get_by_label("Caption"),
            photo.get_by_label("Credit"),
            photo.get_by_label("Position"),
            photo.get_by_label("Delete"),
        ]:
            field.scroll_into_view_if_needed()
            box = field.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
        # Usable, not only visible: a changed credit is saved.
        photo.get_by_label("Credit").fill("Another volunteer (fictional)")
        page.click("input[name=_continue]")
        expect(page.locator(".messagelist .success")).to_be_visible()
        assert testimony.photos.get().credit == "Another volunteer (fictional)"
    finally:
        page.context.close()


@pytest.fixture
def admin_page(page):
    return sign_in(page)


def test_the_work_queue_leads_to_what_waits(admin_page):
    page = admin_page
    testimony = make_testimony(status=Testimony.Status.IN_REVIEW)
    for reason in ["Please remove my name.", "Please blur my face in the photo."]:
        TakedownRequest.objects.create(testimony=testimony, reason=reason)
    in_review = Testimony.objects.filter(status=Testimony.Status.IN_REVIEW).count()

    page.goto(reverse("admin:index"))
    queue = page.get_by_role("region", name="Waiting for archivists")
    expect(
        queue.get_by_role("link", name=f"Testimonies in review: {in_review}")
    ).to_be_visible()
    queue.get_by_role("link", name="Open takedown requests: 2").click()
    page.wait_for_url("**/takedownrequest/?status__exact=open")
    expect(page.locator("#result_list tbody tr")).to_have_count(2)

    page.goto(reverse("admin:index"))
    page.get_by_role("link", name=f"Testimonies in review: {in_review}").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(in_review)


def test_an_application_is_approved_from_its_own_page(admin_page):
    page = admin_page
    user = make_user("olena", email="olena@example.org")
    application = ResearcherApplication.objects.create(
        user=user,
        full_name="Olena Example",
        affiliation="Example University",
        purpose="Comparing how evacuees describe the roads.",
    )
    page.goto(
        reverse("admin:testimonies_researcherapplication_change", args=[application.pk])
    )
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".messagelist")).to_contain_text("1 application approved.")
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    expect(page.get_by_role("button", name="Reject")).to_be_visible()
    application.refresh_from_db()
    assert application.status == ResearcherApplication.Status.APPROVED


def test_sources_of_one_title_are_told_apart_while_typing(admin_page):
    page = admin_page
    page.goto(reverse("admin:testimonies_testimony_add"))
    page.locator(".field-source .select2-selection").click()
    page.keyboard.type("Fictional")
    options = page.locator(".select2-results__option")
    expect(options.first).to_contain_text("interviewer: Volunteer interviewer")
    texts = options.all_inner_texts()
    assert len(texts) == 5  # the demo collection's five sources
    assert len(set(texts)) == 5

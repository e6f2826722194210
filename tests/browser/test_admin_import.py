"""An archivist imports a file in the admin, in a real browser: upload, read what
the check found, confirm; and a file with problems, which imports nothing."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from testimonies.models import Testimony

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GOOD = Path(__file__).resolve().parent.parent / "data" / "good.jsonl"
PASSWORD = "correct horse battery"


@pytest.fixture
def admin_page(page):
    # A superuser: a transactional test's flush drops the groups' permissions.
    get_user_model().objects.create_superuser("curator", "c@example.org", PASSWORD)
    page.goto("/admin/login/")
    page.fill("#id_username", "curator")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()
    return page


def upload(page, path):
    page.goto("/admin/testimonies/importjob/add/")
    page.set_input_files("#id_file", str(path))
    page.click("input[name=_save]")


def test_preview_then_confirm(admin_page):
    before = Testimony.objects.count()
    upload(admin_page, GOOD)
    result = admin_page.locator(".field-result")
    expect(result).to_contain_text("Would create 3 testimonies and update 0")
    assert Testimony.objects.count() == before
    admin_page.click("input[name=_import]")
    expect(result).to_contain_text("Created 3 testimonies and updated 0")
    expect(admin_page.locator("input[name=_import]")).to_have_count(0)
    assert Testimony.objects.count() == before + 3


def test_a_file_with_problems_lists_them_and_offers_no_import(admin_page, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"identifier": "T-1", "title": "", "language": "en"}\n{broken\n',
        encoding="utf-8",
    )
    upload(admin_page, bad)
    expect(admin_page.locator(".field-result")).to_contain_text(
        "Found 2 problems; nothing was imported."
    )
    rows = admin_page.locator(".import-problems tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("title")
    expect(admin_page.locator("input[name=_import]")).to_have_count(0)


def test_a_spreadsheet_with_a_misspelt_theme_is_mapped_to_the_stored_one(
    admin_page, tmp_path
):
    from testimonies.models import Theme

    from ..factories import make_testimony

    # The demo collection's own theme.
    shelter = Theme.objects.get(name="Shelter in basements")
    make_testimony(
        identifier="SHEET-1",
        title="Nine days",
        consent="given",
        consent_scope="public",
        themes=[shelter],
    )
    sheet = tmp_path / "corrections.csv"
    sheet.write_text(
        "identifier,title,language,themes\n"
        "SHEET-1,Nine days under the school,en,Shelter in basments\n",
        encoding="utf-8",
    )
    upload(admin_page, sheet)
    changes = admin_page.locator(".import-changes")
    expect(changes).to_contain_text("Nine days under the school")
    expect(changes).to_contain_text("Nine days")
    choice = admin_page.get_by_label("Use “Shelter in basements”", exact=False)
    expect(choice).to_be_visible()
    admin_page.screenshot(path=str(tmp_path / "preview.png"), full_page=True)
    choice.check()
    admin_page.click("input[name=_import]")
    expect(admin_page.locator(".field-result")).to_contain_text(
        "Created 0 testimonies and updated 1"
    )
    testimony = Testimony.objects.get(identifier="SHEET-1")
    assert testimony.title == "Nine days under the school"
    assert list(testimony.themes.all()) == [shelter]
    assert not Theme.objects.filter(name="Shelter in basments").exists()


def test_a_bundle_brings_photos_and_documents_cleaned(admin_page, tmp_path):
    import io
    import json
    import zipfile

    from PIL import Image

    from ..test_media import GPS_IFD, camera_exif, two_colour_jpeg

    line = {
        "identifier": "ZIP-PHOTO-1",
        "title": "The school basement (fictional composite)",
        "language": "en",
        "status": "published",
        "access": "public",
        "consent": {"status": "given", "scope": "public"},
        "photos": [
            {
                "file": "media/basement.jpg",
                "alt_text": "A door to a basement, two colours (synthetic image)",
                "caption": "Where the neighbours sheltered",
            }
        ],
        "documents": [{"file": "media/notice.pdf", "title": "Evacuation notice"}],
    }
    bundle = tmp_path / "with-photos.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("testimonies.jsonl", json.dumps(line) + "\n")
        archive.writestr("media/basement.jpg", two_colour_jpeg(camera_exif()))
        archive.writestr("media/notice.pdf", b"%PDF-1.4\n% fictional\n%%EOF\n")
    upload(admin_page, bundle)
    result = admin_page.locator(".field-result")
    expect(result).to_contain_text("Would create 1 ")
    admin_page.click("input[name=_import]")
    expect(result).to_contain_text("Created 1 ")
    testimony = Testimony.objects.get(identifier="ZIP-PHOTO-1")
    photo = testimony.photos.get()
    with photo.image.open("rb") as stream:
        assert Image.open(io.BytesIO(stream.read())).getexif().get_ifd(GPS_IFD) == {}
    # The reader sees the photo with its alternative text, and the document.
    admin_page.goto(testimony.get_absolute_url())
    image = admin_page.get_by_alt_text("A door to a basement", exact=False)
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    expect(admin_page.get_by_text("Evacuation notice")).to_be_visible()
    admin_page.screenshot(path=str(tmp_path / "page.png"), full_page=True)

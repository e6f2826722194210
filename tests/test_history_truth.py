"""A testimony's history page tells what changed, by whom, and why: tag changes
from every writer, no entry for a save that changed nothing, the reason of an
import, a bulk action or a merge, and labels rather than stored codes."""

import io
import json
import re

import pytest
from django.utils import timezone, translation

from testimonies.history import (
    action_reason,
    import_reason,
    merge_reason,
    reason_text,
)
from testimonies.importing import import_testimonies
from testimonies.models import Testimony, Theme

from .factories import make_archivist, make_testimony, make_theme
from .test_admin import form_data, merge
from .test_history import CHANGELIST, change_url, changes_listed, history_url

pytestmark = pytest.mark.django_db

ADD_DATA = {"title": "The road that closed"}


@pytest.fixture
def archivist_client(client):
    client.force_login(make_archivist("olena.archivist"))
    return client


def history_page(client, testimony):
    response = client.get(history_url(testimony))
    assert response.status_code == 200
    return response.content.decode()


def reasons(page):
    return [
        re.sub(r"\s+", " ", cell).strip()
        for cell in re.findall(r'<td class="history-reason">(.*?)</td>', page, re.S)
    ]


def added_in_admin(client, **fields):
    response = client.post(
        "/admin/testimonies/testimony/add/", form_data(**ADD_DATA, **fields)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Testimony.objects.get(identifier="KS-2024-100")


def run_import(*records, name="border-interviews.jsonl"):
    lines = "\n".join(json.dumps(record, ensure_ascii=False) for record in records)
    return import_testimonies(io.BytesIO(lines.encode()), name=name)


class TestTagChanges:
    def test_adding_a_theme_in_the_admin_is_one_entry_saying_so(self, archivist_client):
        evacuation = make_theme("Evacuation")
        testimony = added_in_admin(archivist_client)
        response = archivist_client.post(
            change_url(testimony), form_data(**ADD_DATA, themes=[evacuation.pk])
        )
        assert response.status_code == 302
        assert testimony.history.count() == 2  # the addition, then this edit
        page = history_page(archivist_client, testimony)
        assert changes_listed(page) == ["Themes: added Evacuation"]

    def test_a_new_testimony_with_themes_is_one_entry(self, archivist_client):
        evacuation = make_theme("Evacuation")
        testimony = added_in_admin(archivist_client, themes=[evacuation.pk])
        (version,) = testimony.history.all()
        assert version.history_type == "+"
        assert version.theme_names == ["Evacuation"]

    def test_removing_and_adding_in_one_edit(self, archivist_client):
        evacuation, shelling = make_theme("Evacuation"), make_theme("Shelling")
        testimony = added_in_admin(archivist_client, themes=[shelling.pk])
        archivist_client.post(
            change_url(testimony),
            form_data(themes=[evacuation.pk], title="Retitled"),
        )
        page = history_page(archivist_client, testimony)
        assert changes_listed(page) == [
            "Title: The road that closed → Retitled",
            "Themes: added Evacuation; removed Shelling",
        ]

    def test_a_tag_change_in_code_is_a_version_too(self, archivist_client):
        testimony = make_testimony()
        testimony.themes.add("Evacuation")
        testimony.themes.add("Evacuation")  # already there: nothing new
        assert [v.theme_names for v in testimony.history.all()] == [
            ["Evacuation"],
            [],
        ]
        page = history_page(archivist_client, testimony)
        assert changes_listed(page) == ["Themes: added Evacuation"]

    def test_an_import_records_its_tags_and_its_file(self, archivist_client):
        record = {"identifier": "IMP-1", "title": "First", "language": "en"}
        run_import(record)
        run_import({**record, "themes": ["Evacuation"]}, name="/tmp/second.csv")
        testimony = Testimony.objects.get(identifier="IMP-1")
        page = history_page(archivist_client, testimony)
        assert changes_listed(page) == ["Themes: added Evacuation"]
        assert reasons(page) == [
            "Import of second.csv",
            "Import of border-interviews.jsonl",
        ]

    def test_a_merge_shows_on_each_retagged_testimony(self, archivist_client):
        evacuation = make_theme("Evacuation")
        leaving = make_theme("Leaving home")
        retagged = make_testimony(themes=[leaving])
        already = make_testimony(themes=[evacuation])
        merge(archivist_client, [evacuation, leaving], keep=evacuation)
        page = history_page(archivist_client, retagged)
        assert changes_listed(page) == [
            "Themes: added Evacuation; removed Leaving home",
            "Themes: added Leaving home",  # tagged when made
        ]
        assert reasons(page)[0] == "Merged “Leaving home” into “Evacuation”"
        assert already.history.count() == 2  # its creation and its tagging


class TestNoFalseEntries:
    def test_a_save_that_changed_nothing_is_no_entry(self, archivist_client):
        testimony = added_in_admin(archivist_client)
        archivist_client.post(change_url(testimony), form_data(**ADD_DATA))
        assert testimony.history.count() == 1

    def test_a_browsers_line_endings_are_no_change(self, archivist_client):
        testimony = added_in_admin(archivist_client, body="We left.\nAt dawn.")
        archivist_client.post(
            change_url(testimony), form_data(**ADD_DATA, body="We left.\r\nAt dawn.")
        )
        assert testimony.history.count() == 1

    def test_saving_after_a_bulk_publish_changes_nothing(self, archivist_client):
        testimony = make_testimony(
            status=Testimony.Status.DRAFT,
            consent=Testimony.Consent.GIVEN,
            consent_scope=Testimony.ConsentScope.PUBLIC,
        )
        archivist_client.post(
            CHANGELIST, {"action": "publish", "_selected_action": [testimony.pk]}
        )
        testimony.refresh_from_db()
        assert testimony.published_at.microsecond == 0
        local = timezone.localtime(testimony.published_at)
        data = form_data(
            identifier=testimony.identifier,
            title=testimony.title,
            body=testimony.body,
            recorded_on="",
            status="published",
            access="public",
            consent="given",
            consent_scope="public",
            published_at_0=local.strftime("%Y-%m-%d"),
            published_at_1=local.strftime("%H:%M:%S"),
        )
        response = archivist_client.post(change_url(testimony), data)
        assert response.status_code == 302, response.content.decode()[:3000]
        assert testimony.history.count() == 2  # creation, the publishing
        page = history_page(archivist_client, testimony)
        published, status = changes_listed(page)  # the publishing's, no other
        assert published.startswith("Published: — → ")
        assert status == "Status: Draft → Published"

    def test_saving_a_published_testimony_keeps_whole_seconds(self):
        testimony = make_testimony()
        assert testimony.published_at.microsecond == 0


class TestReadableEntries:
    def test_a_bulk_action_names_itself_and_shows_labels(self, archivist_client):
        testimony = make_testimony(status=Testimony.Status.DRAFT)
        archivist_client.post(
            CHANGELIST,
            {"action": "send_to_review", "_selected_action": [testimony.pk]},
        )
        page = history_page(archivist_client, testimony)
        assert changes_listed(page) == ["Status: Draft → In review"]
        assert "in_review" not in page
        assert reasons(page) == ["Bulk action: Send selected testimonies to review", ""]

    def test_an_entry_without_a_reason_shows_nothing(self, archivist_client):
        testimony = added_in_admin(archivist_client)
        page = history_page(archivist_client, testimony)
        assert reasons(page) == [""]
        assert "None" not in page

    def test_content_warnings_by_their_labels(self, archivist_client):
        testimony = added_in_admin(archivist_client)
        archivist_client.post(
            change_url(testimony),
            form_data(**ADD_DATA, content_warnings=["shelling"]),
        )
        page = history_page(archivist_client, testimony)
        assert changes_listed(page) == ["Content warnings: — → Shelling and explosions"]

    def test_reasons_are_stored_in_english_and_read_in_the_readers_language(
        self,
    ):
        stored = action_reason("Publish selected testimonies")
        assert stored == "Bulk action: Publish selected testimonies"
        assert reason_text(stored) == stored
        with translation.override("uk"):
            assert "Опублікувати вибрані свідчення" in reason_text(stored)
        # Whatever is not a known pattern (older entries) shows as stored.
        assert reason_text("Fixed a typo") == "Fixed a typo"
        assert reason_text(None) == ""

    def test_labels_are_in_the_readers_language(self, archivist_client):
        testimony = make_testimony(status=Testimony.Status.DRAFT)
        archivist_client.post(
            CHANGELIST,
            {"action": "send_to_review", "_selected_action": [testimony.pk]},
        )
        response = archivist_client.get(
            history_url(testimony), headers={"accept-language": "uk"}
        )
        lines = changes_listed(response.content.decode())
        assert len(lines) == 1 and "На перевірці" in lines[0]

    def test_reasons_fit_their_column(self):
        stored = merge_reason([f"Theme number {n}" for n in range(20)], "Kept")
        assert len(stored) <= 100
        assert stored.endswith("into “Kept”")
        assert import_reason("C:\\exports\\file.csv") == "Import of file.csv"
        assert import_reason("") == "Import"


def test_tag_pages_history_shows_merge_reason(archivist_client):
    kept, gone = make_theme("Evacuation"), make_theme("Leaving home")
    make_testimony(themes=[gone])
    merge(archivist_client, [kept, gone], keep=kept)
    version = Theme.history.filter(id=kept.pk).latest()
    assert version.history_change_reason == "Merged “Leaving home” into “Evacuation”"


class TestImportsAgain:
    def test_importing_the_same_file_again_adds_no_entry(self):
        record = {"identifier": "IMP-9", "title": "Same", "themes": ["Evacuation"]}
        record["language"] = "en"
        run_import(record)
        run_import(record, name="again.jsonl")
        testimony = Testimony.objects.get(identifier="IMP-9")
        assert testimony.history.count() == 1
        run_import({**record, "title": "Changed"}, name="third.jsonl")
        assert testimony.history.count() == 2
        assert testimony.history.latest().history_change_reason == (
            "Import of third.jsonl"
        )

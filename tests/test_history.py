"""Change history: who changed which record, when, what changed; diff and revert."""

import io
import json
import re

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from testimonies.history import record_versions
from testimonies.importing import ImportFailed, import_testimonies
from testimonies.models import Narrator, Source, Testimony, Theme, Translation

from .factories import (
    make_archivist,
    make_narrator,
    make_place,
    make_researcher,
    make_testimony,
    make_theme,
    make_user,
)
from .test_admin import form_data

pytestmark = pytest.mark.django_db

ADD = reverse("admin:testimonies_testimony_add")
CHANGELIST = reverse("admin:testimonies_testimony_changelist")


def history_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])


def version_url(obj, version):
    opts = obj._meta
    return reverse(
        f"admin:{opts.app_label}_{opts.model_name}_simple_history",
        args=[obj.pk, version.pk],
    )


def changes_listed(page):
    """The history page's "Changes" cells, as plain "Field: old → new" lines."""
    text = re.sub(r"\s+", " ", page.replace("&nbsp;", " ").replace("&rarr;", "→"))
    return [
        re.sub(r"<[^>]+>", "", item).strip()
        for item in re.findall(r"<li>(.*?)</li>", text)
        if "<strong>" in item
    ]


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


@pytest.fixture
def archivist():
    return make_archivist("mykola.archivist")


@pytest.fixture
def archivist_client(client, archivist):
    client.force_login(archivist)
    return client


@pytest.fixture
def edited(archivist_client):
    """A testimony added, then retitled, through the admin."""
    archivist_client.post(ADD, form_data(title="The road that closed"))
    testimony = Testimony.objects.get(identifier="KS-2024-100")
    archivist_client.post(
        change_url(testimony), form_data(title="The road that closed in August")
    )
    return testimony


class TestAdminChanges:
    def test_each_save_records_who_and_what(self, edited, archivist):
        newest, oldest = edited.history.all()
        assert [oldest.history_type, newest.history_type] == ["+", "~"]
        assert newest.history_user == archivist
        assert oldest.history_user == archivist
        assert newest.history_date >= oldest.history_date
        delta = newest.diff_against(oldest)
        assert delta.changed_fields == ["title"]
        assert delta.changes[0].old == "The road that closed"
        assert delta.changes[0].new == "The road that closed in August"

    def test_history_page_shows_the_diff_and_the_user(self, edited, archivist_client):
        response = archivist_client.get(history_url(edited))
        assert response.status_code == 200
        page = response.content.decode()
        assert "mykola.archivist" in page
        assert changes_listed(page) == [
            "Title: The road that closed → The road that closed in August"
        ]

    def test_revert_restores_an_old_version_and_records_it(
        self, edited, archivist_client, archivist
    ):
        oldest = edited.history.earliest()
        page = archivist_client.get(version_url(edited, oldest)).content.decode()
        assert 'value="The road that closed"' in page
        assert "Revert" in page
        response = archivist_client.post(
            version_url(edited, oldest), form_data(title="The road that closed")
        )
        assert response.status_code == 302
        edited.refresh_from_db()
        assert edited.title == "The road that closed"
        assert edited.history.count() == 3
        assert edited.history.latest().history_user == archivist

    def test_deletion_is_recorded(self, edited, archivist_client, archivist):
        delete = reverse("admin:testimonies_testimony_delete", args=[edited.pk])
        archivist_client.post(delete, {"post": "yes"})
        assert not Testimony.objects.filter(pk=edited.pk).exists()
        last = Testimony.history.filter(id=edited.pk).latest()
        assert last.history_type == "-"
        assert last.history_user == archivist

    def test_translations_edited_inline_name_the_archivist(
        self, archivist_client, archivist
    ):
        data = form_data(
            **{
                "translations-TOTAL_FORMS": "1",
                "translations-0-language": "uk",
                "translations-0-kind": "human",
                "translations-0-translator": "",
                "translations-0-title": "Дорога, що закрилася",
                "translations-0-summary": "",
                "translations-0-body": "Ми чекали автобус.",
            }
        )
        response = archivist_client.post(ADD, data)
        assert response.status_code == 302
        version = Translation.history.get()
        assert version.history_user == archivist
        assert version.title == "Дорога, що закрилася"

    @pytest.mark.parametrize(
        "build",
        [
            lambda: make_testimony(),
            lambda: make_narrator(),
            lambda: Source.objects.create(title="Interview notes"),
            lambda: make_theme("Humanitarian aid"),
            lambda: make_place("Sudzha"),
        ],
    )
    def test_every_curated_model_has_a_history_page(self, archivist_client, build):
        obj = build()
        response = archivist_client.get(history_url(obj))
        assert response.status_code == 200
        assert 'id="change-history"' in response.content.decode()

    def test_visitors_and_researchers_never_see_history(self, edited):
        client = Client()
        assert client.get(history_url(edited)).status_code == 302
        client.force_login(make_researcher())
        response = client.get(history_url(edited))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


class TestBulkChanges:
    def test_bulk_actions_record_a_version_per_testimony(
        self, archivist_client, archivist
    ):
        drafts = [
            make_testimony(
                status=Testimony.Status.DRAFT,
                consent=Testimony.Consent.GIVEN,
                consent_scope=Testimony.ConsentScope.PUBLIC,
            )
            for _number in range(3)
        ]
        untouched = make_testimony(status=Testimony.Status.DRAFT)
        archivist_client.post(
            CHANGELIST,
            {"action": "publish", "_selected_action": [t.pk for t in drafts]},
        )
        for testimony in drafts:
            version = testimony.history.latest()
            assert version.history_type == "~"
            assert version.history_user == archivist
            assert version.status == Testimony.Status.PUBLISHED
            assert (
                version.history_change_reason
                == "Bulk action: Publish selected testimonies"
            )
        assert untouched.history.count() == 1  # only its creation

    def test_history_page_shows_what_the_action_changed(self, archivist_client):
        testimony = make_testimony(access=Testimony.Access.PUBLIC)
        archivist_client.post(
            CHANGELIST,
            {"action": "make_restricted", "_selected_action": [testimony.pk]},
        )
        page = archivist_client.get(history_url(testimony)).content.decode()
        assert "Bulk action: Set access: restricted" in page
        assert changes_listed(page) == ["Access: Public → Restricted (archivists only)"]

    def test_record_versions_marks_additions_and_keeps_reasons_short(self):
        testimonies = [make_testimony() for _number in range(2)]
        written = record_versions(
            Testimony,
            [t.pk for t in testimonies],
            reason="Import of a long file name " * 10,
            created=True,
        )
        assert written == 2
        for testimony in testimonies:
            version = testimony.history.latest()
            assert version.history_type == "+"
            assert version.history_user is None
            assert len(version.history_change_reason) == 100

    def test_record_versions_of_nothing_writes_nothing(self):
        assert record_versions(Testimony, []) == 0


class TestNarratorPrivacy:
    def test_private_fields_are_never_copied_into_the_history(self):
        narrator = make_narrator(real_name="Hanna Example", contact="+380 00 000")
        narrator.real_name = "Hanna Example-Other"
        narrator.save()
        fields = {field.name for field in Narrator.history.model._meta.fields}
        assert {"real_name", "contact", "private_notes"}.isdisjoint(fields)
        assert "alias" in fields
        assert narrator.history.count() == 2

    def test_history_page_shows_no_private_values(self, client):
        narrator = make_narrator(alias="Teacher from Sudzha", real_name="Hanna E.")
        narrator.alias = "Teacher from the border"
        narrator.save()
        user = make_user("limited", is_staff=True)
        user.user_permissions.add(
            *Permission.objects.filter(
                codename__in=["view_narrator", "change_narrator"]
            )
        )
        client.force_login(user)
        page = client.get(history_url(narrator)).content.decode()
        assert "Teacher from the border" in page
        assert "Hanna" not in page


def test_tag_changes_are_recorded_with_their_user(client):
    archivist = make_archivist()
    client.force_login(archivist)
    theme = make_theme("Drones")
    client.post(
        change_url(theme),
        {
            "name": "Drones",
            "slug": theme.slug,
            "parent": "",
            "names": "ru: Дроны",
            "description": "Attacks by drones.",
        },
    )
    version = Theme.history.filter(id=theme.pk).latest()
    assert version.history_user == archivist
    assert version.names == {"ru": "Дроны"}


class TestImports:
    def run_import(self, *records):
        lines = "\n".join(json.dumps(record, ensure_ascii=False) for record in records)
        return import_testimonies(io.BytesIO(lines.encode()))

    def test_imports_record_additions_and_changes(self):
        record = {"identifier": "IMP-1", "title": "First title", "language": "en"}
        self.run_import(record, {**record, "identifier": "IMP-2"})
        first = Testimony.objects.get(identifier="IMP-1")
        (added,) = first.history.all()
        assert added.history_type == "+"
        assert added.history_change_reason == "Import"  # a stream without a name
        assert added.history_user is None
        assert added.title == "First title"

        self.run_import({**record, "title": "Corrected title"})
        newest = first.history.latest()
        assert newest.history_type == "~"
        assert newest.diff_against(added).changed_fields == ["title"]
        assert Testimony.objects.get(identifier="IMP-2").history.count() == 1

    def test_a_dry_run_or_a_refused_file_records_nothing(self):
        import_testimonies(
            io.BytesIO(b'{"identifier": "IMP-3", "title": "T", "language": "en"}'),
            dry_run=True,
        )
        with pytest.raises(ImportFailed):
            self.run_import({"identifier": "IMP-4", "language": "en"})  # no title
        assert not Testimony.history.exists()

"""The archivists' admin: lists, filters, forms, actions, privacy, merge, groups."""

import datetime
import importlib
import io
import json

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from testimonies.access import ARCHIVISTS_GROUP, RESEARCHERS_GROUP
from testimonies.models import (
    Narrator,
    Photo,
    Place,
    PlacedItem,
    Testimony,
    Theme,
    ThemedItem,
)
from testimonies.signals import testimonies_changed

from .factories import (
    make_archivist,
    make_narrator,
    make_researcher,
    make_testimony,
    make_user,
)

pytestmark = pytest.mark.django_db

S = Testimony.Status
A = Testimony.Access

CHANGELIST = reverse("admin:testimonies_testimony_changelist")
ADD = reverse("admin:testimonies_testimony_add")
AUTOCOMPLETE = reverse("admin:autocomplete")
THEMES = reverse("admin:testimonies_theme_changelist")
PLACES = reverse("admin:testimonies_place_changelist")
NARRATORS = reverse("admin:testimonies_narrator_changelist")


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def listed_identifiers(response):
    return {obj.identifier for obj in response.context["cl"].result_list}


def staff_with(username, *codenames):
    """A staff user holding exactly the given testimonies permissions."""
    user = make_user(username, is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="testimonies", codename__in=codenames
        )
    )
    return user


@pytest.fixture
def archivist_client(client):
    client.force_login(make_archivist())
    return client


@pytest.fixture
def changed_ids():
    """Every id announced through ``testimonies_changed`` during the test."""
    seen = []

    def receiver(sender, ids, **kwargs):
        seen.extend(ids)

    testimonies_changed.connect(receiver)
    yield seen
    testimonies_changed.disconnect(receiver)


@pytest.fixture
def geography():
    region = Place.objects.create(name="Kursk region", kind=Place.Kind.REGION)
    district = Place.objects.create(
        name="Sudzha district", kind=Place.Kind.DISTRICT, parent=region
    )
    town = Place.objects.create(
        name="Sudzha", parent=district, names={"ru": "Суджа", "ja": "スジャ"}
    )
    other = Place.objects.create(name="Sumy region", kind=Place.Kind.REGION)
    return {"region": region, "district": district, "town": town, "other": other}


class TestChangelist:
    def test_columns_show_tags_and_partial_dates(self, archivist_client, geography):
        make_testimony(
            identifier="KS-1",
            title="Nine days in the basement",
            themes=["Shelter in basements"],
            places=[geography["town"]],
            recorded_on=datetime.date(2024, 8, 1),
            recorded_precision="month",
            is_sample=True,
        )
        page = archivist_client.get(CHANGELIST).content.decode()
        for text in ["KS-1", "Nine days in the basement", "Shelter in basements"]:
            assert text in page
        assert "August 2024" in page
        assert ">Sudzha<" in page

    def test_theme_filter(self, archivist_client):
        drones = Theme.objects.create(name="Drones")
        make_testimony(identifier="WITH", themes=[drones, "Humanitarian aid"])
        make_testimony(identifier="WITHOUT", themes=["Humanitarian aid"])
        response = archivist_client.get(CHANGELIST, {"theme": drones.pk})
        assert listed_identifiers(response) == {"WITH"}

    def test_place_filter_includes_places_below(self, archivist_client, geography):
        make_testimony(identifier="TOWN", places=[geography["town"]])
        make_testimony(identifier="REGION", places=[geography["region"]])
        make_testimony(identifier="ELSEWHERE", places=[geography["other"]])
        # Tagged with both the town and its region: still listed once.
        make_testimony(
            identifier="BOTH", places=[geography["town"], geography["region"]]
        )
        response = archivist_client.get(CHANGELIST, {"place": geography["region"].pk})
        assert listed_identifiers(response) == {"TOWN", "REGION", "BOTH"}
        assert response.context["cl"].result_count == 3
        response = archivist_client.get(CHANGELIST, {"place": geography["district"].pk})
        assert listed_identifiers(response) == {"TOWN", "BOTH"}

    def test_facet_counts_include_places_below(self, archivist_client, geography):
        make_testimony(places=[geography["town"]])
        make_testimony(places=[geography["town"], geography["region"]])
        make_testimony(places=[geography["other"]], themes=["Drones"])
        page = archivist_client.get(CHANGELIST, {"_facets": "1"}).content.decode()
        assert "Kursk region (2)" in page
        assert "\u2003\u2003Sudzha (2)" in page
        assert "Sumy region (1)" in page
        assert "Drones (1)" in page

    def test_place_choices_are_nested(self, archivist_client, geography):
        page = archivist_client.get(CHANGELIST).content.decode()
        assert page.index("Kursk region") < page.index("\u2003Sudzha district")
        assert "\u2003\u2003Sudzha" in page

    def test_status_filter_and_search_by_narrator_alias(self, archivist_client):
        narrator = make_narrator(alias="Grandmother from the border")
        make_testimony(identifier="DRAFT", status=S.DRAFT, narrator=narrator)
        make_testimony(identifier="PUB", status=S.PUBLISHED)
        response = archivist_client.get(CHANGELIST, {"status__exact": "draft"})
        assert listed_identifiers(response) == {"DRAFT"}
        response = archivist_client.get(CHANGELIST, {"q": "grandmother"})
        assert listed_identifiers(response) == {"DRAFT"}

    @pytest.mark.parametrize(
        "params",
        [
            {"place": "abc"},
            {"place": "²"},
            {"theme": "99999999999999999999999"},
            {"theme": "-1"},
            {"place": "12345"},
        ],
    )
    def test_malformed_or_unknown_tag_filters_list_nothing(
        self, archivist_client, geography, params
    ):
        make_testimony(identifier="ANY", themes=["Drones"], places=[geography["town"]])
        response = archivist_client.get(CHANGELIST, params)
        assert response.status_code == 200
        assert listed_identifiers(response) == set()

    def test_query_count_does_not_grow_with_rows(self, archivist_client, geography):
        def count_queries(rows):
            Testimony.objects.all().delete()
            for number in range(rows):
                make_testimony(
                    themes=[f"Theme {number}", "Drones"],
                    places=[geography["town"], geography["other"]],
                )
            with CaptureQueriesContext(connection) as queries:
                response = archivist_client.get(CHANGELIST)
            assert len(response.context["cl"].result_list) == rows
            return len(queries)

        assert count_queries(5) == count_queries(25)

    def test_filtered_list_is_also_bounded(self, archivist_client, geography):
        def count_queries(rows):
            Testimony.objects.all().delete()
            for _number in range(rows):
                make_testimony(themes=["Drones"], places=[geography["town"]])
            with CaptureQueriesContext(connection) as queries:
                archivist_client.get(CHANGELIST, {"place": geography["region"].pk})
            return len(queries)

        assert count_queries(5) == count_queries(25)


def form_data(**fields):
    """What the testimony form posts, with empty inlines."""
    data = {
        "identifier": "KS-2024-100",
        "title": "The road that closed",
        "language": "en",
        "summary": "",
        "body": "We waited for the bus that never came.",
        "recorded_on": "2024-08-20",
        "recorded_precision": "day",
        "events_from": "",
        "events_to": "",
        "narrator": "",
        "source": "",
        "status": "draft",
        "access": "restricted",
        "published_at_0": "",
        "published_at_1": "",
        "consent": "unknown",
        "consent_scope": "",
        "consent_date": "",
        "themes": [],
        "places": [],
        "content_warnings": [],
    }
    for prefix in ["translations", "recordings", "photos", "documents"]:
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    data.update(fields)
    return data


class TestTestimonyForm:
    def test_add_with_themes_places_and_warnings(
        self, archivist_client, geography, changed_ids
    ):
        routes = Theme.objects.create(name="Closed evacuation routes")
        shelter = Theme.objects.create(name="地下への避難")
        response = archivist_client.post(
            ADD,
            form_data(
                themes=[routes.pk, shelter.pk],
                places=[geography["town"].pk],
                content_warnings=["shelling", "grief"],
            ),
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
        testimony = Testimony.objects.get(identifier="KS-2024-100")
        assert set(testimony.themes.all()) == {routes, shelter}
        assert list(testimony.places.all()) == [geography["town"]]
        assert testimony.content_warnings == ["shelling", "grief"]
        assert testimony.pk in changed_ids

    def test_change_form_shows_current_tags_and_replaces_them(
        self, archivist_client, geography
    ):
        drones = Theme.objects.create(name="Drones")
        aid = Theme.objects.create(name="Humanitarian aid")
        testimony = make_testimony(
            identifier="KS-2024-100", themes=[drones], places=[geography["town"]]
        )
        page = archivist_client.get(change_url(testimony)).content.decode()
        assert f'<option value="{drones.pk}" selected>Drones</option>' in page
        assert 'data-field-name="themes"' in page
        assert "admin-autocomplete" in page

        response = archivist_client.post(
            change_url(testimony),
            form_data(themes=[aid.pk], places=[], content_warnings=["violence"]),
        )
        assert response.status_code == 302
        assert list(testimony.themes.all()) == [aid]
        assert not testimony.places.exists()
        testimony.refresh_from_db()
        assert testimony.content_warnings == ["violence"]

    @pytest.mark.parametrize(
        "bad",
        [
            {"themes": ["999999"]},
            {"themes": ["not-a-number"]},
            {"places": ["99999999999999999999999"]},
            {"narrator": "abc"},
            {"source": "999999"},
            {"content_warnings": ["jump_scares"]},
            {"identifier": "has space"},
            {"language": "english!"},
        ],
    )
    def test_bad_input_is_reported_and_nothing_saved(self, archivist_client, bad):
        response = archivist_client.post(ADD, form_data(**bad))
        assert response.status_code == 200
        assert response.context["adminform"].form.errors.keys() & bad.keys()
        assert not Testimony.objects.exists()

    def test_photo_inline_shows_a_preview_with_alt_text(self, archivist_client):
        testimony = make_testimony()
        buffer = io.BytesIO()
        Image.new("RGB", (64, 48), "gray").save(buffer, "PNG")
        photo = Photo.objects.create(
            testimony=testimony,
            image=SimpleUploadedFile("door.png", buffer.getvalue(), "image/png"),
            alt_text='A cellar door marked "shelter"',
        )
        page = archivist_client.get(change_url(testimony)).content.decode()
        shown = (photo.thumbnail or photo.image).url
        assert f'<img src="{shown}" alt="A cellar door marked &quot;shelter&quot;"' in (
            page
        )


class TestAutocomplete:
    def search(self, client, term, field="themes", model="testimony"):
        response = client.get(
            AUTOCOMPLETE,
            {
                "app_label": "testimonies",
                "model_name": model,
                "field_name": field,
                "term": term,
            },
        )
        return response

    def texts(self, response):
        assert response.status_code == 200
        return {result["text"] for result in response.json()["results"]}

    def test_finds_japanese_and_cyrillic_names(self, archivist_client):
        Theme.objects.create(name="地下への避難")
        Theme.objects.create(name="Закрытые пути эвакуации")
        Theme.objects.create(name="Drones")
        assert self.texts(self.search(archivist_client, "避難")) == {"地下への避難"}
        # SQLite folds only ASCII case; the comparison key folds every script.
        assert self.texts(self.search(archivist_client, "закрытые")) == {
            "Закрытые пути эвакуации"
        }

    def test_finds_places_by_names_in_other_languages(
        self, archivist_client, geography
    ):
        response = self.search(archivist_client, "スジャ", field="places")
        assert self.texts(response) == {"Sudzha"}
        assert response.json()["results"][0]["id"] == str(geography["town"].pk)

    def test_no_match_is_an_empty_list(self, archivist_client):
        Theme.objects.create(name="Drones")
        assert self.texts(self.search(archivist_client, "zzz")) == set()

    def test_unknown_field_is_refused(self, archivist_client):
        response = self.search(archivist_client, "a", field="nonexistent")
        assert response.status_code == 403

    def test_user_without_permissions_is_refused(self, client):
        Theme.objects.create(name="Drones")
        client.force_login(make_user("plain", is_staff=True))
        assert self.search(client, "Dro").status_code == 403


def run_action(client, action, testimonies, url=CHANGELIST):
    return client.post(
        url,
        {"action": action, "_selected_action": [t.pk for t in testimonies]},
        follow=True,
    )


class TestExportAction:
    def test_the_selection_downloads_as_the_archivists_json_lines(
        self, archivist_client
    ):
        narrator = make_narrator(alias="Vera", real_name="Fictional Person A")
        chosen = [
            make_testimony(body="Text [[with a name]].", narrator=narrator),
            make_testimony(status=S.DRAFT),
        ]
        make_testimony(title="Not selected")
        response = archivist_client.post(
            CHANGELIST,
            {
                "action": "export_json_lines",
                "_selected_action": [t.pk for t in chosen],
            },
        )
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith(
            'attachment; filename="testimonies-'
        )
        lines = b"".join(response.streaming_content).decode().splitlines()
        records = [json.loads(line) for line in lines]
        assert sorted(r["identifier"] for r in records) == sorted(
            t.identifier for t in chosen
        )
        # As export_testimonies writes it: texts as stored, no private fields.
        assert "Text [[with a name]]." in lines[0] + lines[1]
        assert "Fictional Person A" not in "".join(lines)

    def test_the_export_reimports_unchanged(self, archivist_client, tmp_path):
        consented = {"consent": "given", "consent_scope": "public"}
        chosen = [make_testimony(**consented), make_testimony(**consented)]
        response = archivist_client.post(
            CHANGELIST,
            {"action": "export_json_lines", "_selected_action": [t.pk for t in chosen]},
        )
        path = tmp_path / "out.jsonl"
        path.write_bytes(b"".join(response.streaming_content))
        out = io.StringIO()
        call_command("import_testimonies", str(path), stdout=out)
        assert "created: 0, updated: 2" in out.getvalue()

    def test_the_selection_downloads_as_a_spreadsheet_that_reimports(
        self, archivist_client, tmp_path
    ):
        consented = {"consent": "given", "consent_scope": "public"}
        chosen = [make_testimony(title="Chosen, with a comma", **consented)]
        make_testimony(title="Not selected")
        response = archivist_client.post(
            CHANGELIST,
            {"action": "export_csv", "_selected_action": [t.pk for t in chosen]},
        )
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        data = b"".join(response.streaming_content)
        assert b'"Chosen, with a comma"' in data and b"Not selected" not in data
        path = tmp_path / "out.csv"
        path.write_bytes(data)
        out = io.StringIO()
        call_command("import_testimonies", str(path), stdout=out)
        assert "created: 0, updated: 1" in out.getvalue()


class TestBulkActions:
    @pytest.mark.parametrize(
        ("action", "field", "value"),
        [
            ("publish", "status", S.PUBLISHED),
            ("send_to_review", "status", S.IN_REVIEW),
            ("withdraw", "status", S.WITHDRAWN),
            ("make_public", "access", A.PUBLIC),
            ("make_researchers_only", "access", A.RESEARCHERS),
            ("make_restricted", "access", A.RESTRICTED),
        ],
    )
    def test_action_changes_the_selection_only(
        self, archivist_client, changed_ids, action, field, value
    ):
        start = {"status": S.DRAFT, "access": A.RESTRICTED}
        start[field] = next(v for v in type(value).values if v != value)
        chosen = [make_testimony(**start), make_testimony(**start)]
        bystander = make_testimony(**start)
        response = run_action(archivist_client, action, chosen)
        assert response.status_code == 200
        for testimony in chosen:
            testimony.refresh_from_db()
            assert getattr(testimony, field) == value
        bystander.refresh_from_db()
        assert getattr(bystander, field) == start[field]
        assert sorted(changed_ids) == sorted(t.pk for t in chosen)
        assert "2 testimonies" in response.content.decode()
        assert LogEntry.objects.filter(action_flag=CHANGE).count() == 2

    def test_publish_stamps_published_at_only_where_missing(self, archivist_client):
        earlier = datetime.datetime(2024, 9, 1, tzinfo=datetime.UTC)
        consented = {"consent": "given", "consent_scope": "public"}
        fresh = make_testimony(status=S.DRAFT, **consented)
        republished = make_testimony(status=S.WITHDRAWN, **consented)
        Testimony.objects.filter(pk=republished.pk).update(published_at=earlier)
        run_action(archivist_client, "publish", [fresh, republished])
        fresh.refresh_from_db()
        republished.refresh_from_db()
        assert fresh.published_at is not None
        assert republished.published_at == earlier

    def test_reports_what_was_already_so(self, archivist_client, changed_ids):
        done = make_testimony(status=S.PUBLISHED)
        todo = make_testimony(status=S.DRAFT, consent="given", consent_scope="public")
        page = run_action(archivist_client, "publish", [done, todo]).content.decode()
        assert "1 testimony published." in page
        assert "1 testimony already was" in page
        assert changed_ids == [todo.pk]

    def test_view_only_user_cannot_run_actions(self, client):
        draft = make_testimony(status=S.DRAFT)
        client.force_login(staff_with("viewer", "view_testimony"))
        page = client.get(CHANGELIST).content.decode()
        assert 'value="publish"' not in page
        run_action(client, "publish", [draft])
        draft.refresh_from_db()
        assert draft.status == S.DRAFT
        assert draft.published_at is None


class TestNarratorPrivacy:
    @pytest.fixture
    def narrator(self):
        return make_narrator(
            alias="Teacher from Sudzha",
            code="N-0042",
            real_name="Zinaida Fictitious-Karpenko",
            contact="+000 000 0000",
            private_notes="Moved twice; reachable via the volunteer hub.",
        )

    PRIVATE = [
        "Zinaida Fictitious-Karpenko",
        "+000 000 0000",
        "reachable via the volunteer hub",
    ]

    @pytest.fixture
    def restricted_client(self, client):
        client.force_login(
            staff_with("helper", "view_narrator", "change_narrator", "view_testimony")
        )
        return client

    def test_hidden_from_change_form_and_list(self, restricted_client, narrator):
        make_testimony(narrator=narrator, title="The last bus")
        for url in [change_url(narrator), NARRATORS]:
            page = restricted_client.get(url).content.decode()
            assert "Teacher from Sudzha" in page
            for secret in self.PRIVATE:
                assert secret not in page
            assert "real_name" not in page
        assert (
            "The last bus"
            in restricted_client.get(change_url(narrator)).content.decode()
        )

    def test_search_by_real_name_finds_nothing(self, restricted_client, narrator):
        response = restricted_client.get(NARRATORS, {"q": "Fictitious"})
        assert list(response.context["cl"].result_list) == []
        response = restricted_client.get(NARRATORS, {"q": "N-0042"})
        assert list(response.context["cl"].result_list) == [narrator]

    def test_autocomplete_by_real_name_finds_nothing(self, client, narrator):
        client.force_login(
            staff_with("helper", "view_narrator", "view_testimony", "change_testimony")
        )
        params = {
            "app_label": "testimonies",
            "model_name": "testimony",
            "field_name": "narrator",
        }
        found = client.get(AUTOCOMPLETE, {**params, "term": "Zinaida"}).json()
        assert found["results"] == []
        found = client.get(AUTOCOMPLETE, {**params, "term": "Teacher"}).json()
        assert [r["text"] for r in found["results"]] == ["Teacher from Sudzha"]

    @pytest.mark.parametrize(
        ("url", "lookup"),
        [
            (NARRATORS, "real_name__startswith"),
            (NARRATORS, "contact__contains"),
            (CHANGELIST, "narrator__real_name__startswith"),
        ],
    )
    def test_filtering_by_private_fields_is_refused(
        self, restricted_client, narrator, url, lookup
    ):
        response = restricted_client.get(url, {lookup: "Z"})
        assert response.status_code == 400
        assert "Teacher from Sudzha" not in response.content.decode()

    def test_posting_private_fields_changes_nothing(self, restricted_client, narrator):
        response = restricted_client.post(
            change_url(narrator),
            {
                "alias": "Teacher from Sudzha",
                "code": "N-0042",
                "age_group": "",
                "gender": "",
                "role": "teacher",
                "home_place": "",
                "profile": "",
                "real_name": "Overwritten",
                "testimonies-TOTAL_FORMS": "0",
                "testimonies-INITIAL_FORMS": "0",
                "testimonies-MIN_NUM_FORMS": "0",
                "testimonies-MAX_NUM_FORMS": "0",
            },
        )
        assert response.status_code == 302
        narrator.refresh_from_db()
        assert narrator.role == "teacher"
        assert narrator.real_name == "Zinaida Fictitious-Karpenko"

    def test_visible_in_a_collapsed_section_with_permission(
        self, archivist_client, narrator
    ):
        page = archivist_client.get(change_url(narrator)).content.decode()
        for secret in self.PRIVATE:
            assert secret in page
        assert "collapse" in page
        response = archivist_client.get(NARRATORS, {"q": "Fictitious"})
        assert list(response.context["cl"].result_list) == [narrator]

    def test_list_counts_testimonies(self, archivist_client, narrator):
        make_testimony(narrator=narrator)
        make_testimony(narrator=narrator)
        response = archivist_client.get(NARRATORS)
        assert response.context["cl"].result_list[0].testimony_count == 2


def merge(client, tags, keep, url=THEMES):
    return client.post(
        url,
        {
            "action": "merge_selected",
            "_selected_action": [tag.pk for tag in tags],
            "post": "yes",
            "keep": keep.pk if keep else "",
        },
        follow=True,
    )


class TestMerge:
    def test_confirmation_page_lists_the_tags(self, archivist_client):
        a = Theme.objects.create(name="Evacuation routes")
        b = Theme.objects.create(name="Закрытые пути эвакуации")
        make_testimony(themes=[b])
        response = archivist_client.post(
            THEMES, {"action": "merge_selected", "_selected_action": [a.pk, b.pk]}
        )
        assert response.status_code == 200
        assert [t for t in response.templates if "merge_tags" in t.name]
        page = response.content.decode()
        assert "Evacuation routes" in page and "Закрытые пути эвакуации" in page
        # The most used one is proposed.
        assert response.context["form"]["keep"].value() == b.pk
        assert Theme.objects.count() == 2

    def test_merge_reassigns_without_duplicates(self, archivist_client, changed_ids):
        keep = Theme.objects.create(name="Closed evacuation routes", names={"ru": "А"})
        other = Theme.objects.create(
            name="Evacuation routes closed", names={"ru": "Б", "ja": "避難路の閉鎖"}
        )
        third = Theme.objects.create(name="No way out", description="Roads shut.")
        child = Theme.objects.create(name="Blocked bridges", parent=other)
        both = make_testimony(themes=[keep, other, third])
        only_other = make_testimony(themes=[other])
        only_keep = make_testimony(themes=[keep])
        untouched = make_testimony(themes=["Drones"])

        page = merge(archivist_client, [keep, other, third], keep).content.decode()

        assert "Taggings moved: 1; duplicates removed: 2; moved below it: 1" in page
        assert set(Theme.objects.values_list("name", flat=True)) == {
            "Closed evacuation routes",
            "Blocked bridges",
            "Drones",
        }
        assert ThemedItem.objects.filter(content_object=both).count() == 1
        for testimony in [both, only_other, only_keep]:
            assert list(testimony.themes.all()) == [keep]
        keep.refresh_from_db()
        child.refresh_from_db()
        assert child.parent == keep
        assert keep.names == {"ru": "А", "ja": "避難路の閉鎖"}
        assert keep.description == "Roads shut."
        assert sorted(changed_ids) == sorted([both.pk, only_other.pk, only_keep.pk])
        assert untouched.pk not in changed_ids
        assert LogEntry.objects.filter(action_flag=DELETION).count() == 2
        assert LogEntry.objects.get(action_flag=CHANGE).object_id == str(keep.pk)

    def test_merging_places_keeps_narrators_and_hierarchy(
        self, archivist_client, geography
    ):
        duplicate = Place.objects.create(
            name="Sudja", parent=geography["district"], latitude="51.19"
        )
        village = Place.objects.create(name="Village", parent=duplicate)
        narrator = make_narrator(home_place=duplicate)
        make_testimony(places=[duplicate, geography["town"]])
        merge(
            archivist_client, [duplicate, geography["town"]], geography["town"], PLACES
        )
        narrator.refresh_from_db()
        village.refresh_from_db()
        assert narrator.home_place == geography["town"]
        assert village.parent == geography["town"]
        assert PlacedItem.objects.count() == 1
        assert str(Place.objects.get(pk=geography["town"].pk).latitude) == "51.190000"

    def test_merging_into_a_tag_below_a_merged_one_makes_no_loop(
        self, archivist_client
    ):
        top = Theme.objects.create(name="Top")
        middle = Theme.objects.create(name="Middle", parent=top)
        between = Theme.objects.create(name="Between", parent=middle)
        keep = Theme.objects.create(name="Keep", parent=between)
        merge(archivist_client, [middle, keep], keep)
        between.refresh_from_db()
        keep.refresh_from_db()
        assert between.parent == top
        assert keep.parent == between
        assert keep.ancestors() == [between, top]

    def test_missing_choice_or_single_tag_changes_nothing(self, archivist_client):
        a = Theme.objects.create(name="A")
        b = Theme.objects.create(name="B")
        response = merge(archivist_client, [a, b], None)
        assert "Choose the one to keep." in response.content.decode()
        assert Theme.objects.count() == 2
        response = merge(archivist_client, [a], a)
        assert "Select at least two themes" in response.content.decode()
        outsider = Theme.objects.create(name="Not selected")
        response = merge(archivist_client, [a, b], outsider)
        assert "Select a valid choice" in response.content.decode()
        assert Theme.objects.count() == 3
        response = archivist_client.post(
            THEMES,
            {
                "action": "merge_selected",
                "_selected_action": [a.pk, b.pk],
                "post": "yes",
                "keep": "abc",
            },
        )
        assert response.status_code == 200
        assert Theme.objects.count() == 3

    def test_merge_needs_delete_permission(self, client):
        a = Theme.objects.create(name="A")
        b = Theme.objects.create(name="B")
        client.force_login(staff_with("editor", "view_theme", "change_theme"))
        merge(client, [a, b], a)
        assert Theme.objects.count() == 2

    def test_remove_unused(self, archivist_client, geography):
        used = Theme.objects.create(name="Used")
        unused = Theme.objects.create(name="Unused")
        parent = Theme.objects.create(name="Parent of used")
        used.parent = parent
        used.save()
        make_testimony(themes=[used])
        page = archivist_client.post(
            THEMES,
            {
                "action": "remove_unused",
                "_selected_action": [used.pk, unused.pk, parent.pk],
            },
            follow=True,
        ).content.decode()
        assert set(Theme.objects.values_list("name", flat=True)) == {
            "Used",
            "Parent of used",
        }
        assert "Removed 1 unused tag." in page
        make_narrator(home_place=geography["other"])
        archivist_client.post(
            PLACES,
            {"action": "remove_unused", "_selected_action": [geography["other"].pk]},
        )
        assert Place.objects.filter(pk=geography["other"].pk).exists()


class TestTagAdmin:
    def add(self, client, **fields):
        data = {"name": "", "slug": "", "parent": "", "names": "", "description": ""}
        data.update(fields)
        return client.post(reverse("admin:testimonies_theme_add"), data)

    def test_list_counts_usage_and_sorts_by_it(self, archivist_client):
        Theme.objects.create(name="Aaa")
        make_testimony(themes=["Zzz"])
        response = archivist_client.get(THEMES, {"o": "-3"})
        names = [theme.name for theme in response.context["cl"].result_list]
        assert names == ["Zzz", "Aaa"]
        assert response.context["cl"].result_list[0].usage == 1

    def test_add_with_names_line_by_line_and_unicode_slug(self, archivist_client):
        response = self.add(
            archivist_client,
            name="地下への避難",
            names="ru: Укрытие в подвалах\nen: Basements",
        )
        assert response.status_code == 302
        theme = Theme.objects.get()
        assert theme.names == {"ru": "Укрытие в подвалах", "en": "Basements"}
        assert theme.slug == "地下への避難"
        page = archivist_client.get(change_url(theme)).content.decode()
        assert "ru: Укрытие в подвалах" in page

    def test_names_accept_a_json_object(self, archivist_client):
        names = json.dumps({"ja": "スジャ", "uk": "Суджа"}, ensure_ascii=False)
        assert self.add(archivist_client, name="Sudzha", names=names).status_code == 302
        assert Theme.objects.get().names == {"ja": "スジャ", "uk": "Суджа"}

    @pytest.mark.parametrize(
        ("names", "message"),
        [
            ("ru Суджа", "Line 1"),
            ("ru: Суджа\nnot a code!: x", "Line 2"),
            ("ru:", "the name is missing"),
            ("ru: a\nru: b", "given twice"),
            ('{"ru": 5}', "not text"),
            ('["ru"]', "object of language code"),
            ("{broken", "not valid JSON"),
        ],
    )
    def test_bad_names_are_explained(self, archivist_client, names, message):
        response = self.add(archivist_client, name="Sudzha", names=names)
        assert response.status_code == 200
        assert message in str(response.context["adminform"].form.errors["names"])
        assert not Theme.objects.exists()

    def test_case_variant_of_existing_theme_is_refused(self, archivist_client):
        Theme.objects.create(name="Evacuation")
        response = self.add(archivist_client, name="EVACUATION")
        assert response.status_code == 200
        assert Theme.objects.count() == 1

    def test_renaming_announces_tagged_testimonies(self, archivist_client, changed_ids):
        theme = Theme.objects.create(name="Dron")
        testimony = make_testimony(themes=[theme])
        response = archivist_client.post(
            change_url(theme),
            {
                "name": "Drones",
                "slug": "",
                "parent": "",
                "names": "",
                "description": "",
            },
        )
        assert response.status_code == 302
        theme.refresh_from_db()
        assert (theme.name, theme.slug) == ("Drones", "dron")
        assert changed_ids == [testimony.pk]

    def test_deleting_announces_tagged_testimonies(self, archivist_client, changed_ids):
        theme = Theme.objects.create(name="Drones")
        testimony = make_testimony(themes=[theme])
        archivist_client.post(
            THEMES,
            {
                "action": "delete_selected",
                "_selected_action": [theme.pk],
                "post": "yes",
            },
        )
        assert not Theme.objects.exists()
        assert changed_ids == [testimony.pk]


class TestGroupsAndAccess:
    def test_archivists_group_has_curation_permissions(self):
        group = Group.objects.get(name=ARCHIVISTS_GROUP)
        granted = {
            f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()
        }
        models = apps.get_app_config("testimonies").get_models()
        expected = {
            f"testimonies.{action}_{model._meta.model_name}"
            for model in models
            for action in ["add", "change", "delete", "view"]
            if action in model._meta.default_permissions  # rate counts have none
        }
        expected |= {"testimonies.view_narrator_private", "auth.view_user"}
        expected |= {"testimonies.read_nonpublic"}
        assert granted == expected
        assert "auth.change_user" not in granted

    def test_researchers_group_has_no_admin_permissions(self):
        assert not Group.objects.get(name=RESEARCHERS_GROUP).permissions.exists()

    def test_migration_reverses_and_reapplies(self):
        migration = importlib.import_module("testimonies.migrations.0002_groups")
        migration.remove_groups(apps, None)
        assert not Group.objects.filter(
            name__in=[ARCHIVISTS_GROUP, RESEARCHERS_GROUP]
        ).exists()
        migration.create_groups(apps, None)
        migration.create_groups(apps, None)  # running twice changes nothing
        assert Group.objects.get(name=ARCHIVISTS_GROUP).permissions.count() == 42

    def test_archivist_can_work_in_the_admin(self, archivist_client):
        page = archivist_client.get(reverse("admin:index")).content.decode()
        assert "Testimony Archive" in page
        assert "Testimonies" in page
        assert "Taggit" not in page

    def test_researcher_is_sent_to_the_login(self, client):
        client.force_login(make_researcher())
        response = client.get(CHANGELIST)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))

    def test_anonymous_is_sent_to_the_login(self, client):
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))

    def test_narrators_are_not_in_the_researchers_reach(self, client):
        narrator = make_narrator(real_name="Someone Fictional")
        client.force_login(make_researcher())
        response = client.get(change_url(narrator))
        assert response.status_code == 302
        assert Narrator.objects.get().real_name == "Someone Fictional"

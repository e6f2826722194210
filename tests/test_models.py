"""The data model's rules: identifiers, dates at their precision, tags, visibility."""

import datetime
from urllib.parse import unquote

import pytest
from django.contrib.auth.models import AnonymousUser, Permission, User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import resolve
from django.utils import translation

from testimonies.models import Place, Testimony, Theme
from testimonies.tagging import parse_tag_string

from .factories import make_archivist, make_researcher, make_testimony, make_user

pytestmark = pytest.mark.django_db

S = Testimony.Status
A = Testimony.Access


class TestVisibility:
    """visible_to() is the one rule: each audience sees exactly its share."""

    @pytest.fixture
    def collection(self):
        rows = {}
        for status in S.values:
            for access in A.values:
                rows[(status, access)] = make_testimony(
                    identifier=f"V-{status}-{access}", status=status, access=access
                )
        return rows

    def visible(self, user):
        return set(
            Testimony.objects.visible_to(user).values_list("identifier", flat=True)
        )

    def test_anonymous_sees_only_published_public(self, collection):
        expected = {"V-published-public"}
        assert self.visible(AnonymousUser()) == expected
        assert self.visible(None) == expected

    def test_logged_in_user_without_group_is_public(self, collection):
        assert self.visible(make_user("plain")) == {"V-published-public"}

    def test_researcher_also_sees_published_researcher_only(self, collection):
        assert self.visible(make_researcher()) == {
            "V-published-public",
            "V-published-researchers",
        }

    def test_archivists_and_superusers_see_everything(self, collection):
        everything = {t.identifier for t in collection.values()}
        assert self.visible(make_archivist()) == everything
        assert self.visible(make_user("root", is_superuser=True)) == everything

    def test_staff_status_alone_reads_only_what_the_public_reads(self, collection):
        staff = make_user("takedowns", is_staff=True)
        assert self.visible(staff) == {"V-published-public"}
        staff.user_permissions.add(Permission.objects.get(codename="read_nonpublic"))
        staff = User.objects.get(pk=staff.pk)  # permissions are cached per object
        assert self.visible(staff) == {t.identifier for t in collection.values()}

    def test_inactive_archivist_sees_only_public(self, collection):
        archivist = make_archivist()
        archivist.is_active = False
        assert self.visible(archivist) == {"V-published-public"}


class TestTestimony:
    def test_identifier_rejects_spaces_and_slashes(self):
        for bad in ["has space", "a/b", "-leading", "ü-umlaut", ""]:
            testimony = Testimony(identifier=bad, title="t", language="en")
            with pytest.raises(ValidationError) as error:
                testimony.full_clean()
            assert "identifier" in error.value.message_dict

    def test_identifier_is_unique(self):
        make_testimony(identifier="KS-2024-001")
        with pytest.raises(IntegrityError), transaction.atomic():
            make_testimony(identifier="KS-2024-001")

    def test_identifier_is_unique_ignoring_case(self):
        make_testimony(identifier="DEMO-EN-001")
        with pytest.raises(IntegrityError), transaction.atomic():
            make_testimony(identifier="demo-en-001")
        twin = Testimony(identifier="Demo-En-001", title="t", language="en")
        with pytest.raises(ValidationError) as error:
            twin.full_clean()
        assert "compared ignoring case" in str(error.value)

    def test_url_uses_identifier(self):
        testimony = make_testimony(identifier="KS-2024.001_a")
        assert testimony.get_absolute_url() == "/testimonies/KS-2024.001_a/"

    def test_url_follows_identifier_and_script_prefix(self):
        # Addresses are remembered per identifier: a changed identifier or a
        # site served under a prefix still gets its own.
        from django.urls import get_script_prefix, set_script_prefix

        testimony = Testimony(identifier="KS-URL-1")
        assert testimony.get_absolute_url() == "/testimonies/KS-URL-1/"
        testimony.identifier = "KS-URL-2"
        assert testimony.get_absolute_url() == "/testimonies/KS-URL-2/"
        before = get_script_prefix()
        set_script_prefix("/archive/")
        try:
            assert testimony.get_absolute_url() == "/archive/testimonies/KS-URL-2/"
        finally:
            set_script_prefix(before)
        assert testimony.get_absolute_url() == "/testimonies/KS-URL-2/"

    def test_new_testimony_is_a_restricted_draft(self):
        testimony = Testimony.objects.create(identifier="N-1", title="t", language="en")
        assert testimony.status == S.DRAFT
        assert testimony.access == A.RESTRICTED
        assert testimony.published_at is None

    def test_publishing_stamps_published_at_once(self):
        testimony = make_testimony(status=S.DRAFT)
        assert testimony.published_at is None
        testimony.status = S.PUBLISHED
        testimony.save()
        first = testimony.published_at
        assert first is not None
        testimony.save()
        assert testimony.published_at == first

    def test_language_code_is_validated_and_normalised(self):
        testimony = make_testimony(language="JA")
        assert testimony.language == "ja"
        with pytest.raises(ValidationError):
            Testimony(identifier="L-1", title="t", language="japanese!").full_clean()

    def test_month_precision_covers_the_whole_month(self):
        testimony = make_testimony(
            recorded_on=datetime.date(2024, 8, 1), recorded_precision="month"
        )
        assert testimony.recorded_until == datetime.date(2024, 8, 31)
        with translation.override("en"):
            assert testimony.recorded_display == "August 2024"
        in_range = Testimony.objects.filter_by(
            recorded_from=datetime.date(2024, 8, 20),
            recorded_to=datetime.date(2024, 9, 30),
        )
        assert testimony in in_range
        before = Testimony.objects.filter_by(recorded_to=datetime.date(2024, 7, 31))
        assert testimony not in before

    def test_year_precision_displays_the_year(self):
        testimony = make_testimony(
            recorded_on=datetime.date(2025, 1, 1), recorded_precision="year"
        )
        assert testimony.recorded_display == "2025"
        assert testimony.recorded_until == datetime.date(2025, 12, 31)

    def test_unknown_content_warning_is_refused(self):
        testimony = make_testimony(content_warnings=["violence", "nonsense"])
        with pytest.raises(ValidationError) as error:
            testimony.full_clean()
        assert "content_warnings" in error.value.message_dict

    def test_events_must_not_end_before_they_begin(self):
        testimony = make_testimony(
            events_from=datetime.date(2024, 8, 10), events_to=datetime.date(2024, 8, 1)
        )
        with pytest.raises(ValidationError):
            testimony.full_clean()


class TestTags:
    def test_descendants_are_remembered_by_the_instance_until_it_is_saved(self):
        region = Place.objects.create(name="Region R")
        village = Place.objects.create(name="Village V", parent=region)
        assert region.descendant_ids() == {region.pk, village.pk}
        hamlet = Place.objects.create(name="Hamlet H", parent=village)
        # A fresh instance (as each request loads) sees the new place at once.
        fresh = Place.objects.get(pk=region.pk)
        assert fresh.descendant_ids() == {region.pk, village.pk, hamlet.pk}
        region.save()
        assert region.descendant_ids() == {region.pk, village.pk, hamlet.pk}
        visible = Testimony.objects.filter_by(place=fresh)
        make_testimony(identifier="DESC-1", places=[hamlet], status="published")
        assert list(visible.values_list("identifier", flat=True)) == ["DESC-1"]

    def test_case_and_width_variants_are_one_theme(self):
        testimony = make_testimony()
        testimony.themes.add("Evacuation", "evacuation", "ＥＶＡＣＵＡＴＩＯＮ")
        assert list(testimony.themes.names()) == ["Evacuation"]
        assert Theme.objects.count() == 1

    def test_cyrillic_case_variants_are_one_place(self):
        first = make_testimony(places=["Суджа"])
        second = make_testimony(places=["СУДЖА"])
        assert Place.objects.count() == 1
        assert first.places.get() == second.places.get()

    def test_japanese_and_cyrillic_slugs_reverse(self):
        for name in ["東京 都", "Суджа", "スジャ", "Велика Писарівка"]:
            place = Place.objects.create(name=name)
            assert place.slug
            url = place.get_absolute_url()
            assert unquote(url) == f"/places/{place.slug}/"
            assert resolve(unquote(url)).kwargs == {"slug": place.slug}
            theme = Theme.objects.create(name=name)
            assert unquote(theme.get_absolute_url()) == f"/themes/{theme.slug}/"
        assert Place.objects.get(name="東京 都").slug == "東京-都"

    def test_punctuation_only_name_gets_a_slug(self):
        first = Theme.objects.create(name="!!!")
        second = Theme.objects.create(name="???")
        assert first.slug and second.slug and first.slug != second.slug

    def test_colliding_slugs_get_suffixes(self):
        first = Theme.objects.create(name="Return home")
        second = Theme.objects.create(name="Return-home")
        assert first.slug == "return-home"
        assert second.slug != first.slug and second.slug.startswith("return-home")

    def test_names_in_other_languages(self):
        place = Place.objects.create(
            name="Sudzha", names={"ru": "Суджа", "ja": "スジャ"}
        )
        assert place.name_in("ja") == "スジャ"
        assert place.name_in("ru-RU") == "Суджа"
        assert place.name_in("uk") == "Sudzha"
        with translation.override("ja"):
            assert place.name_in() == "スジャ"
        assert set(place.all_names()) == {"Sudzha", "Суджа", "スジャ"}

    def test_duplicate_name_fails_validation(self):
        Theme.objects.create(name="Drones")
        with pytest.raises(ValidationError) as error:
            Theme(name="DRONES").full_clean()
        assert "name" in error.value.message_dict

    def test_parent_cycle_fails_validation(self):
        region = Place.objects.create(name="Kursk Oblast", kind="region")
        town = Place.objects.create(name="Sudzha", parent=region)
        region.parent = town
        with pytest.raises(ValidationError) as error:
            region.full_clean()
        assert "parent" in error.value.message_dict

    def test_place_filter_includes_places_below(self):
        region = Place.objects.create(name="Sumy Oblast", kind="region")
        town = Place.objects.create(name="Krasnopillia", parent=region)
        village = Place.objects.create(name="Village", parent=town)
        inside = make_testimony(places=[village])
        make_testimony(places=["Elsewhere"])
        assert list(Testimony.objects.filter_by(place=region)) == [inside]

    def test_theme_filter_does_not_duplicate_rows(self):
        testimony = make_testimony(themes=["Drones", "Shelter"])
        theme = Theme.objects.get(name="Drones")
        assert list(Testimony.objects.filter_by(theme=theme)) == [testimony]

    def test_tag_string_splits_on_commas_in_any_script_not_spaces(self):
        assert parse_tag_string("Closed evacuation routes, 地下、避難，drones") == [
            "Closed evacuation routes",
            "地下",
            "避難",
            "drones",
        ]
        assert parse_tag_string(" , ,、") == []
        assert parse_tag_string("Drones, drones") == ["Drones"]

"""Consent: nothing is published to readers the narrator did not consent to."""

import io
import itertools
import json
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from testimonies.models import Testimony
from testimonies.signals import testimonies_changed

from .factories import make_archivist, make_testimony
from .test_admin import form_data, run_action

pytestmark = pytest.mark.django_db

S, A, C, SCOPE = (
    Testimony.Status,
    Testimony.Access,
    Testimony.Consent,
    Testimony.ConsentScope,
)
CHANGELIST = reverse("admin:testimonies_testimony_changelist")


def unsaved(**fields):
    return Testimony(identifier="C-1", title="T", language="en", **fields)


def error_messages(response):
    """The admin's error messages on the page."""
    return re.findall(r'<li class="error">(.*?)</li>', response.content.decode(), re.S)


def consent_errors(**fields):
    try:
        unsaved(**fields).full_clean()
    except ValidationError as error:
        return error.message_dict.get("consent", [])
    return []


@pytest.fixture
def changed_ids():
    received = []

    def receiver(sender, ids, **kwargs):
        received.extend(ids)

    testimonies_changed.connect(receiver)
    yield received
    testimonies_changed.disconnect(receiver)


@pytest.fixture
def archivist_client(client):
    client.force_login(make_archivist())
    return client


class TestModelRule:
    def test_public_release_needs_consent_given_for_public_release(self):
        assert not consent_errors(
            status=S.PUBLISHED, access=A.PUBLIC, consent=C.GIVEN, consent_scope="public"
        )
        for consent, scope in [
            (C.UNKNOWN, ""),
            (C.REFUSED, "public"),
            (C.REVOKED, "public"),
            (C.GIVEN, ""),
            (C.GIVEN, "research"),
            (C.GIVEN, "archive"),
        ]:
            (message,) = consent_errors(
                status=S.PUBLISHED,
                access=A.PUBLIC,
                consent=consent,
                consent_scope=scope,
            )
            assert "consent for public release" in message, (consent, scope)

    def test_researchers_need_consent_for_research_or_public_release(self):
        for scope in ["public", "research"]:
            assert not consent_errors(
                status=S.PUBLISHED,
                access=A.RESEARCHERS,
                consent=C.GIVEN,
                consent_scope=scope,
            )
        for consent, scope in [(C.GIVEN, "archive"), (C.UNKNOWN, "research")]:
            (message,) = consent_errors(
                status=S.PUBLISHED,
                access=A.RESEARCHERS,
                consent=consent,
                consent_scope=scope,
            )
            assert "published for researchers" in message

    def test_unpublished_and_restricted_testimonies_need_none(self):
        for status, access in [
            (S.DRAFT, A.PUBLIC),
            (S.IN_REVIEW, A.RESEARCHERS),
            (S.WITHDRAWN, A.PUBLIC),
            (S.PUBLISHED, A.RESTRICTED),
        ]:
            assert not consent_errors(status=status, access=access, consent=C.REVOKED)

    def test_queryset_rule_agrees_with_the_model_rule(self):
        """Every combination, for each change a bulk action can make."""
        rows = {}
        for number, values in enumerate(
            itertools.product(S.values, A.values, C.values, ["", *SCOPE.values])
        ):
            status, access, consent, scope = values
            rows[values] = make_testimony(
                identifier=f"Q-{number}",
                status=status,
                access=access,
                consent=consent,
                consent_scope=scope,
            )
        changes = [{"status": s} for s in S.values] + [{"access": a} for a in A.values]
        for change in changes:
            refused = set(
                Testimony.objects.refused_by_consent(**change).values_list(
                    "identifier", flat=True
                )
            )
            expected = set()
            for row in rows.values():
                for name, value in change.items():
                    setattr(row, name, value)
                if row.consent_error():
                    expected.add(row.identifier)
                row.refresh_from_db()
            assert refused == expected, change


class TestAdmin:
    def test_form_refuses_public_publication_without_consent(self, archivist_client):
        add = reverse("admin:testimonies_testimony_add")
        response = archivist_client.post(
            add, form_data(status="published", access="public", consent="unknown")
        )
        assert response.status_code == 200
        assert "consent for public release" in response.content.decode()
        assert not Testimony.objects.exists()

    def test_form_accepts_it_with_consent(self, archivist_client):
        add = reverse("admin:testimonies_testimony_add")
        data = form_data(
            status="published", access="public", consent="given", consent_scope="public"
        )
        assert archivist_client.post(add, data).status_code == 302
        assert Testimony.objects.get().status == S.PUBLISHED

    def test_publish_action_refuses_rows_without_consent_and_names_them(
        self, archivist_client, changed_ids
    ):
        ok = make_testimony(
            identifier="OK-1", status=S.DRAFT, consent="given", consent_scope="public"
        )
        unknown = make_testimony(identifier="NO-1", status=S.DRAFT)
        research = make_testimony(
            identifier="NO-2",
            status=S.IN_REVIEW,
            consent="given",
            consent_scope="research",
        )
        response = run_action(archivist_client, "publish", [ok, unknown, research])
        page = response.content.decode()
        assert "1 testimony published." in page
        assert "2 testimonies were left as they were" in page
        assert "(NO-1, NO-2)" in page
        assert Testimony.objects.get(identifier="OK-1").status == S.PUBLISHED
        assert Testimony.objects.get(identifier="NO-1").status == S.DRAFT
        assert Testimony.objects.get(identifier="NO-2").status == S.IN_REVIEW
        assert changed_ids == [ok.pk]
        assert LogEntry.objects.count() == 1

    def test_research_consent_allows_researcher_access_only(self, archivist_client):
        row = make_testimony(
            identifier="R-1",
            status=S.PUBLISHED,
            access=A.RESTRICTED,
            consent="given",
            consent_scope="research",
        )
        page = run_action(archivist_client, "make_public", [row]).content.decode()
        assert "(R-1)" in page
        row.refresh_from_db()
        assert row.access == A.RESTRICTED
        run_action(archivist_client, "make_researchers_only", [row])
        row.refresh_from_db()
        assert row.access == A.RESEARCHERS

    def test_drafts_may_be_made_public_before_consent(self, archivist_client):
        draft = make_testimony(status=S.DRAFT, access=A.RESTRICTED)
        page = run_action(archivist_client, "make_public", [draft]).content.decode()
        assert "1 testimony made public." in page
        draft.refresh_from_db()
        assert draft.access == A.PUBLIC

    def test_long_lists_of_refused_rows_are_shortened(self, archivist_client):
        rows = [
            make_testimony(identifier=f"L-{n:02}", status=S.DRAFT) for n in range(25)
        ]
        (message,) = error_messages(run_action(archivist_client, "publish", rows))
        assert "L-19" in message and "L-20" not in message
        assert "and 5 more" in message


class TestImport:
    def write(self, tmp_path, **fields):
        path = tmp_path / "in.jsonl"
        line = {"identifier": "IM-1", "title": "T", "language": "en", **fields}
        path.write_text(json.dumps(line) + "\n", encoding="utf-8")
        return path

    def test_publication_without_consent_is_refused_with_line_and_field(self, tmp_path):
        path = self.write(tmp_path, status="published", access="public")
        with pytest.raises(CommandError) as error:
            call_command("import_testimonies", str(path), verbosity=0)
        assert "line 1: consent.status:" in str(error.value)
        assert not Testimony.objects.exists()

    def test_publication_with_consent_is_imported(self, tmp_path):
        consent = {"status": "given", "scope": "research"}
        path = self.write(
            tmp_path, status="published", access="researchers", consent=consent
        )
        call_command("import_testimonies", str(path), verbosity=0)
        assert Testimony.objects.get().access == A.RESEARCHERS

    def test_demo_collection_loads_and_keeps_the_rule(self):
        call_command("load_demo", stdout=io.StringIO(), stderr=io.StringIO())
        published = Testimony.objects.filter(status=S.PUBLISHED)
        assert published.filter(access=A.RESEARCHERS).exists()
        assert all(t.consent_error() is None for t in published)
        assert not Testimony.objects.refused_by_consent().exists()

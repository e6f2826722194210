"""The admin as archivists start their day: what waits on the home page, the
Approve and Reject buttons of an application, the names of the sign-in records,
and sources told apart in the autocomplete."""

import datetime
import json
import re

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from testimonies.access import RESEARCHERS_GROUP
from testimonies.models import ResearcherApplication, Source, TakedownRequest, Testimony

from .factories import make_archivist, make_testimony, make_user

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")


def make_application(username="olena", **fields):
    user = make_user(username, email=f"{username}@example.org")
    fields.setdefault("full_name", "Olena Example")
    fields.setdefault("affiliation", "Example University")
    fields.setdefault("purpose", "Comparing how evacuees describe the roads.")
    return ResearcherApplication.objects.create(user=user, **fields)


def queue_links(page):
    """The work queue's entries as (text, address)."""
    section = re.search(r'<section class="module work-queue".*?</section>', page, re.S)
    if section is None:
        return []
    return [
        (re.sub(r"<[^>]+>", "", text).strip(), href.replace("&amp;", "&"))
        for href, text in re.findall(r'<a href="([^"]+)">(.*?)</a>', section.group(0))
    ]


class TestWorkQueue:
    @pytest.fixture
    def waiting(self):
        make_testimony(status=Testimony.Status.IN_REVIEW)
        make_testimony(status=Testimony.Status.IN_REVIEW)
        make_testimony(status=Testimony.Status.DRAFT)
        make_application("olena")
        make_application("taras", status=ResearcherApplication.Status.APPROVED)
        testimony = make_testimony()
        for status in ["open", "open", "open", "in_progress", "done"]:
            TakedownRequest.objects.create(
                testimony=testimony, reason="Please remove my name.", status=status
            )

    def test_the_home_page_counts_what_waits_and_links_to_it(self, client, waiting):
        client.force_login(make_archivist())
        page = client.get(INDEX).content.decode()
        assert queue_links(page) == [
            (
                "Testimonies in review: 2",
                reverse("admin:testimonies_testimony_changelist")
                + "?status__exact=in_review",
            ),
            (
                "Researcher applications waiting: 1",
                reverse("admin:testimonies_researcherapplication_changelist")
                + "?status__exact=pending",
            ),
            (
                "Open takedown requests: 3",
                reverse("admin:testimonies_takedownrequest_changelist")
                + "?status__exact=open",
            ),
        ]

    def test_each_link_opens_the_list_it_counted(self, client, waiting):
        client.force_login(make_archivist())
        for text, address in queue_links(client.get(INDEX).content.decode()):
            count = text.rsplit(": ", 1)[1]
            page = client.get(address).content.decode()
            assert f'data-actions-icnt="{count}"' in page, address

    def test_nothing_waiting_shows_zero(self, client):
        client.force_login(make_archivist())
        texts = [text for text, _ in queue_links(client.get(INDEX).content.decode())]
        assert texts == [
            "Testimonies in review: 0",
            "Researcher applications waiting: 0",
            "Open takedown requests: 0",
        ]

    def test_staff_see_only_the_counts_of_lists_they_may_view(self, client, waiting):
        desk = make_user("desk", is_staff=True)
        desk.user_permissions.add(
            Permission.objects.get(codename="view_takedownrequest")
        )
        client.force_login(desk)
        links = queue_links(client.get(INDEX).content.decode())
        assert [text for text, _ in links] == ["Open takedown requests: 3"]

    def test_staff_with_no_such_list_see_no_queue(self, client, waiting):
        client.force_login(make_user("helper", is_staff=True))
        page = client.get(INDEX).content.decode()
        assert "work-queue" not in page

    def test_counting_takes_one_query_a_list(self, client, waiting):
        client.force_login(make_archivist())
        client.get(INDEX)  # sessions, content types and permissions cached
        with CaptureQueriesContext(connection) as baseline:
            client.get(reverse("admin:app_list", args=["auth"]))
        with CaptureQueriesContext(connection) as home:
            client.get(INDEX)
        counts = [q["sql"] for q in home.captured_queries if "COUNT(" in q["sql"]]
        assert len(counts) == 3
        assert len(home) <= len(baseline) + 3 + 1  # + the recent actions


class TestApplicationButtons:
    def url(self, application):
        return reverse(
            "admin:testimonies_researcherapplication_decide", args=[application.pk]
        )

    def page(self, application):
        return reverse(
            "admin:testimonies_researcherapplication_change", args=[application.pk]
        )

    def test_the_page_offers_approve_and_reject(self, client):
        application = make_application()
        client.force_login(make_archivist())
        page = client.get(self.page(application)).content.decode()
        assert f'action="{self.url(application)}"' in page
        assert 'value="approve"' in page and 'value="reject"' in page
        assert 'name="csrfmiddlewaretoken"' in page

    def test_approve_opens_access_and_says_so(self, client):
        application = make_application()
        archivist = make_archivist()
        client.force_login(archivist)
        response = client.post(
            self.url(application), {"decision": "approve"}, follow=True
        )
        assert response.redirect_chain[-1][0] == self.page(application)
        assert "1 application approved." in response.content.decode()
        application.refresh_from_db()
        assert application.status == ResearcherApplication.Status.APPROVED
        assert application.decided_by == archivist
        assert application.user.groups.filter(name=RESEARCHERS_GROUP).exists()
        assert [message.to for message in mail.outbox] == [["olena@example.org"]]
        # Decided: only the other button is left.
        page = response.content.decode()
        assert 'value="approve"' not in page and 'value="reject"' in page

    def test_reject_takes_access_away(self, client):
        application = make_application()
        application.approve(by=None)
        client.force_login(make_archivist())
        response = client.post(
            self.url(application), {"decision": "reject"}, follow=True
        )
        assert "1 application rejected." in response.content.decode()
        application.refresh_from_db()
        assert application.status == ResearcherApplication.Status.REJECTED
        assert not application.user.groups.filter(name=RESEARCHERS_GROUP).exists()

    def test_approving_twice_changes_nothing_more(self, client):
        application = make_application()
        client.force_login(make_archivist())
        client.post(self.url(application), {"decision": "approve"})
        decided_at = ResearcherApplication.objects.get().decided_at
        response = client.post(
            self.url(application), {"decision": "approve"}, follow=True
        )
        assert "already approved; nothing changed" in response.content.decode()
        assert ResearcherApplication.objects.get().decided_at == decided_at
        assert len(mail.outbox) == 1

    def test_opening_the_address_does_not_approve(self, client):
        application = make_application()
        client.force_login(make_archivist())
        assert (
            client.get(self.url(application) + "?decision=approve").status_code == 405
        )
        application.refresh_from_db()
        assert application.status == ResearcherApplication.Status.PENDING

    def test_staff_who_may_only_view_are_refused(self, client):
        application = make_application()
        viewer = make_user("viewer", is_staff=True)
        viewer.user_permissions.add(
            Permission.objects.get(codename="view_researcherapplication")
        )
        client.force_login(viewer)
        page = client.get(self.page(application)).content.decode()
        assert 'value="approve"' not in page
        response = client.post(self.url(application), {"decision": "approve"})
        assert response.status_code == 403
        application.refresh_from_db()
        assert application.status == ResearcherApplication.Status.PENDING

    def test_visitors_are_sent_to_sign_in(self, client):
        application = make_application()
        response = client.post(self.url(application), {"decision": "approve"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
        application.refresh_from_db()
        assert application.status == ResearcherApplication.Status.PENDING

    @pytest.mark.parametrize("decision", ["", "promote", "APPROVE"])
    def test_an_unknown_decision_is_explained(self, client, decision):
        application = make_application()
        client.force_login(make_archivist())
        response = client.post(
            self.url(application), {"decision": decision}, follow=True
        )
        assert "Choose Approve or Reject." in response.content.decode()
        application.refresh_from_db()
        assert application.status == ResearcherApplication.Status.PENDING

    @pytest.mark.parametrize("key", ["999999", "abc", "99999999999999999999999"])
    def test_an_unknown_application_is_not_found(self, client, key):
        client.force_login(make_archivist())
        url = reverse("admin:testimonies_researcherapplication_decide", args=[key])
        assert client.post(url, {"decision": "approve"}).status_code == 404


class TestSignInProtection:
    def test_the_section_says_what_it_is_for(self, client):
        client.force_login(
            make_user("root", is_staff=True, is_superuser=True, email="r@example.org")
        )
        page = client.get(INDEX).content.decode()
        assert "Sign-in protection" in page
        assert ">Axes<" not in page

    def test_its_lists_explain_themselves(self, client):
        client.force_login(make_user("root", is_staff=True, is_superuser=True))
        attempts = client.get(reverse("admin:axes_accessattempt_changelist"))
        assert "Sign-in protection" in attempts.content.decode()
        assert "delete its row here to let the person try again" in (
            attempts.content.decode()
        )
        logs = client.get(reverse("admin:axes_accesslog_changelist")).content.decode()
        assert "Every successful sign-in" in logs


class TestSourceAutocomplete:
    @pytest.fixture
    def sources(self):
        title = "Fictional composite for demonstration"
        publisher = "Testimony Archive demo collection"
        return [
            Source.objects.create(
                title=title, publisher=publisher, interviewer="Volunteer interviewer A"
            ),
            Source.objects.create(
                title=title,
                publisher=publisher,
                interviewer="Volunteer interviewer B",
                date=datetime.date(2024, 9, 14),
            ),
            Source.objects.create(title="Radio interview", organisation="Radio Sumy"),
        ]

    def search(self, client, term):
        url = reverse("admin:testimonies_source_autocomplete")
        response = client.get(
            url,
            {
                "term": term,
                "app_label": "testimonies",
                "model_name": "testimony",
                "field_name": "source",
            },
        )
        assert response.status_code == 200
        return [result["text"] for result in json.loads(response.content)["results"]]

    def test_sources_of_one_title_are_told_apart(self, client, sources):
        client.force_login(make_archivist())
        assert self.search(client, "Fictional") == [
            "Fictional composite for demonstration — Testimony Archive demo "
            "collection · interviewer: Volunteer interviewer A",
            "Fictional composite for demonstration — Testimony Archive demo "
            "collection · Sept. 14, 2024 · interviewer: Volunteer interviewer B",
        ]
        assert self.search(client, "Radio") == ["Radio interview — Radio Sumy"]

    def test_the_chosen_source_shows_the_same_label(self, client, sources):
        testimony = make_testimony(source=sources[1])
        client.force_login(make_archivist())
        url = reverse("admin:testimonies_testimony_change", args=[testimony.pk])
        page = client.get(url).content.decode()
        assert reverse("admin:testimonies_source_autocomplete") in page
        assert "Sept. 14, 2024 · interviewer: Volunteer interviewer B</option>" in page

    def test_citations_keep_the_plain_title(self, sources):
        assert str(sources[0]) == "Fictional composite for demonstration"

    def test_people_without_access_to_sources_get_nothing(self, client, sources):
        client.force_login(make_user("helper", is_staff=True))
        url = reverse("admin:testimonies_source_autocomplete")
        response = client.get(
            url,
            {
                "term": "Fictional",
                "app_label": "testimonies",
                "model_name": "testimony",
                "field_name": "source",
            },
        )
        assert response.status_code == 403

    def test_a_malformed_request_is_refused_not_a_500(self, client, sources):
        client.force_login(make_archivist())
        url = reverse("admin:testimonies_source_autocomplete")
        response = client.get(url, {"term": "x", "app_label": "nope"})
        assert response.status_code == 403

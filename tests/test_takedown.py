"""Takedown requests: any reader may ask, archivists act, nothing leaks back out."""

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.urls import reverse

from testimonies.models import TakedownRequest, Testimony

from .factories import make_archivist, make_researcher, make_testimony

pytestmark = pytest.mark.django_db

S, A = Testimony.Status, Testimony.Access
REASON = "I gave this testimony and I withdraw my consent to its publication."
CONTACT = "reach-me-4471@example.org"


@pytest.fixture
def testimony():
    return make_testimony(identifier="TD-1", title="The bridge")


def url(testimony):
    return reverse("testimonies:takedown", args=[testimony.identifier])


def send(client, testimony, address="127.0.0.1", **fields):
    data = {"reason": REASON, "contact": CONTACT, "website": "", **fields}
    return client.post(url(testimony), data, REMOTE_ADDR=address)


class TestForm:
    def test_every_testimony_page_carries_the_form(self, client, testimony):
        page = client.get(testimony.get_absolute_url()).content.decode()
        assert f'action="{url(testimony)}"' in page
        assert 'name="csrfmiddlewaretoken"' in page
        assert 'name="reason"' in page and 'name="contact"' in page
        assert '<div hidden><label for="takedown-website">' in page

    def test_a_request_is_recorded_for_archivists(self, client, testimony):
        response = send(client, testimony)
        assert response.status_code == 302
        assert response["Location"] == f"{url(testimony)}?sent=1"
        request = TakedownRequest.objects.get()
        assert (request.testimony, request.reason, request.contact) == (
            testimony,
            REASON,
            CONTACT,
        )
        assert request.status == TakedownRequest.Status.OPEN
        assert request.handled_by is None

    def test_thanks_without_echoing_anything_and_no_email(self, client, testimony):
        send(client, testimony)
        page = client.get(f"{url(testimony)}?sent=1").content.decode()
        assert "Your request was recorded" in page
        assert CONTACT not in page and REASON not in page
        assert CONTACT not in client.get(testimony.get_absolute_url()).content.decode()
        assert mail.outbox == []

    def test_form_also_works_on_its_own_page(self, client, testimony):
        page = client.get(url(testimony)).content.decode()
        assert "Request a change or removal" in page and 'name="reason"' in page

    @pytest.mark.parametrize(
        "fields",
        [
            {"reason": ""},
            {"reason": "short"},
            {"reason": "x" * 5001},
            {"contact": "c" * 301},
            {"reason": "Null \x00 byte in the reason text"},
        ],
    )
    def test_bad_input_is_explained_and_nothing_stored(self, client, testimony, fields):
        response = send(client, testimony, **fields)
        assert response.status_code == 200
        assert "Please correct the fields marked below." in response.content.decode()
        assert not TakedownRequest.objects.exists()

    def test_robots_filling_the_hidden_field_are_thanked_and_ignored(
        self, client, testimony
    ):
        response = send(client, testimony, website="http://spam.example")
        assert response.status_code == 302
        assert not TakedownRequest.objects.exists()


class TestLimits:
    def test_five_requests_an_hour_per_address(self, client, testimony):
        for _ in range(5):
            assert send(client, testimony).status_code == 302
        response = send(client, testimony)
        assert response.status_code == 429
        assert "Too many requests" in response.content.decode()
        assert TakedownRequest.objects.count() == 5
        assert send(client, testimony, address="10.9.8.7").status_code == 302

    @pytest.mark.parametrize(
        "fields",
        [
            {"status": S.DRAFT},
            {"status": S.IN_REVIEW},
            {"status": S.WITHDRAWN},
            {"access": A.RESTRICTED},
            {"access": A.RESEARCHERS},
        ],
    )
    def test_hidden_testimonies_have_no_form(self, client, fields):
        hidden = make_testimony(title="Hidden testimony", **fields)
        assert client.get(url(hidden)).status_code == 404
        assert send(client, hidden).status_code == 404
        assert not TakedownRequest.objects.exists()

    def test_researchers_may_ask_about_what_they_read(self, client):
        hidden = make_testimony(access=A.RESEARCHERS)
        client.force_login(make_researcher())
        assert send(client, hidden).status_code == 302
        assert TakedownRequest.objects.get().testimony == hidden

    @pytest.mark.parametrize("identifier", ["nope", "bad id", "x" * 80])
    def test_unknown_or_malformed_identifiers(self, client, identifier):
        response = client.post(f"/testimonies/{identifier}/takedown/", {})
        assert response.status_code == 404


class TestAdmin:
    @pytest.fixture
    def requests(self, testimony):
        return [
            TakedownRequest.objects.create(testimony=testimony, reason=REASON),
            TakedownRequest.objects.create(
                testimony=testimony, reason="Please hide my street.", contact=CONTACT
            ),
        ]

    def test_archivists_see_requests_with_filters(self, client, requests):
        client.force_login(make_archivist())
        changelist = reverse("admin:testimonies_takedownrequest_changelist")
        page = client.get(changelist).content.decode()
        assert "TD-1" in page and "Please hide my street." in page
        assert "?status__exact=open" in page
        add = reverse("admin:testimonies_takedownrequest_add")
        assert client.get(add).status_code == 403  # requests come from readers only
        change = reverse(
            "admin:testimonies_takedownrequest_change", args=[requests[1].pk]
        )
        assert CONTACT in client.get(change).content.decode()

    def test_status_actions_sign_the_request(self, client, requests):
        archivist = make_archivist()
        client.force_login(archivist)
        changelist = reverse("admin:testimonies_takedownrequest_changelist")
        data = {
            "action": "mark_done",
            "_selected_action": [r.pk for r in requests],
        }
        page = client.post(changelist, data, follow=True).content.decode()
        assert "2 requests marked as done." in page
        for request in TakedownRequest.objects.all():
            assert request.status == TakedownRequest.Status.DONE
            assert request.handled_by == archivist
        assert LogEntry.objects.count() == 2

    def test_changing_the_status_by_hand_records_who(self, client, requests):
        archivist = make_archivist()
        client.force_login(archivist)
        change = reverse(
            "admin:testimonies_takedownrequest_change", args=[requests[0].pk]
        )
        data = {"status": "in_progress", "handled_by": "", "notes": "Asked the team."}
        assert client.post(change, data).status_code == 302
        requests[0].refresh_from_db()
        assert requests[0].status == "in_progress"
        assert requests[0].handled_by == archivist
        assert requests[0].reason == REASON  # what the reader wrote stays as sent

    def test_nobody_else_gets_in(self, client, requests):
        changelist = reverse("admin:testimonies_takedownrequest_changelist")
        for user in [None, make_researcher()]:
            if user:
                client.force_login(user)
            response = client.get(changelist)
            assert response.status_code == 302
            assert "/login/" in response["Location"]

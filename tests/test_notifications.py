"""Archivists hear by e-mail when a researcher application or a takedown request
arrives; the visitor's request is recorded whether or not the mail goes out."""

import logging

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from testimonies import notifications
from testimonies.models import ResearcherApplication, TakedownRequest

from .factories import make_archivist, make_testimony, make_user

pytestmark = pytest.mark.django_db

REASON = "I gave this testimony and I withdraw my consent to its publication."
CONTACT = "reach-me-4471@example.org"
PASSWORD = "a long and unusual passphrase"


def signup(client):
    data = {
        "username": "olena.researcher",
        "email": "olena@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "full_name": "Olena Example",
        "affiliation": "Example University, Oral History Centre",
        "purpose": "Comparing how evacuees describe the closing of roads in 2024.",
    }
    return client.post(reverse("signup"), data)


def ask_takedown(client, testimony):
    return client.post(
        reverse("testimonies:takedown", args=[testimony.identifier]),
        {"reason": REASON, "contact": CONTACT, "website": ""},
    )


def to(address):
    return [message for message in mail.outbox if message.to == [address]]


@pytest.fixture
def archivist():
    return _archivist("archivist", "desk@example.org")


def _archivist(username, email):
    user = make_archivist(username)
    user.email = email
    user.save(update_fields=["email"])
    return user


class TestTakedownNotice:
    def test_archivists_get_a_link_and_nothing_the_reader_wrote(
        self, client, archivist, django_capture_on_commit_callbacks
    ):
        testimony = make_testimony(identifier="TD-7", title="The bridge")
        with django_capture_on_commit_callbacks(execute=True):
            assert ask_takedown(client, testimony).status_code == 302
        [message] = to("desk@example.org")
        takedown = TakedownRequest.objects.get()
        assert "TD-7" in message.subject
        link = reverse("admin:testimonies_takedownrequest_change", args=[takedown.pk])
        assert f"http://testserver{link}" in message.body
        assert "?status__exact=open" in message.body
        assert REASON not in message.body and CONTACT not in message.body
        assert CONTACT not in message.subject

    def test_the_request_is_recorded_without_any_archivist_address(
        self, client, django_capture_on_commit_callbacks
    ):
        make_archivist("no-address")  # staff in the group, but no e-mail
        testimony = make_testimony()
        with django_capture_on_commit_callbacks(execute=True):
            response = ask_takedown(client, testimony)
        assert response.status_code == 302
        assert TakedownRequest.objects.count() == 1
        assert mail.outbox == []

    def test_a_mail_server_that_fails_does_not_fail_the_reader(
        self, client, archivist, settings, django_capture_on_commit_callbacks, caplog
    ):
        settings.EMAIL_BACKEND = "tests.test_notifications.BrokenBackend"
        testimony = make_testimony()
        with (
            caplog.at_level(logging.ERROR),
            django_capture_on_commit_callbacks(execute=True),
        ):
            response = ask_takedown(client, testimony)
        assert response.status_code == 302
        assert TakedownRequest.objects.count() == 1
        assert "desk@example.org" in caplog.text

    def test_a_broken_notice_is_logged_and_the_request_kept(
        self, client, archivist, monkeypatch, django_capture_on_commit_callbacks, caplog
    ):
        def broken(model):
            raise RuntimeError("the database went away")

        monkeypatch.setattr(notifications, "recipients", broken)
        testimony = make_testimony()
        with (
            caplog.at_level(logging.ERROR),
            django_capture_on_commit_callbacks(execute=True),
        ):
            response = ask_takedown(client, testimony)
        assert response.status_code == 302
        assert TakedownRequest.objects.count() == 1
        assert "Could not notify archivists" in caplog.text

    def test_robots_caught_by_the_hidden_field_notify_nobody(
        self, client, archivist, django_capture_on_commit_callbacks
    ):
        testimony = make_testimony()
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("testimonies:takedown", args=[testimony.identifier]),
                {"reason": REASON, "website": "http://spam.example"},
            )
        assert mail.outbox == []


class TestApplicationNotice:
    def test_archivists_hear_of_a_new_application(
        self, client, archivist, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            signup(client)
        application = ResearcherApplication.objects.get()
        [message] = to("desk@example.org")
        assert message.subject == "A researcher application waits for a decision"
        link = reverse(
            "admin:testimonies_researcherapplication_change", args=[application.pk]
        )
        assert f"http://testserver{link}" in message.body
        # What the applicant wrote stays in the admin.
        assert "Comparing how evacuees" not in message.body
        # The applicant still gets their own receipt.
        assert len(to("olena@example.org")) == 1

    def test_a_signup_with_a_registered_address_notifies_nobody(
        self, client, archivist, django_capture_on_commit_callbacks
    ):
        make_user("earlier", email="olena@example.org")
        with django_capture_on_commit_callbacks(execute=True):
            signup(client)
        assert not ResearcherApplication.objects.exists()
        assert to("desk@example.org") == []


class TestRecipients:
    def test_who_hears_of_a_takedown_request(self, settings):
        settings.TESTIMONY_NOTIFY_EMAILS = ["Shared@Example.org", "desk@example.org"]
        _archivist("archivist", "desk@example.org")
        make_user("inactive", email="gone@example.org", is_staff=True, is_active=False)
        make_user("reader", email="reader@example.org")  # not staff
        handler = make_user("handler", email="handler@example.org", is_staff=True)
        handler.user_permissions.add(
            Permission.objects.get(codename="change_takedownrequest")
        )
        make_user("viewer", email="viewer@example.org", is_staff=True)
        assert notifications.recipients(TakedownRequest) == [
            "desk@example.org",
            "handler@example.org",
            "Shared@Example.org",
        ]
        # The permission to handle takedown requests says nothing of applications.
        assert "handler@example.org" not in notifications.recipients(
            ResearcherApplication
        )


class BrokenBackend:
    """A mail backend whose relay refuses everything."""

    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("relay down")

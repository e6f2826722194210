"""Researcher accounts: sign-up, sign-in and out, password reset, approval."""

import re

import pytest
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.core import mail
from django.urls import reverse

from testimonies.access import RESEARCHERS_GROUP
from testimonies.models import ResearcherApplication, Testimony

from .factories import make_archivist, make_researcher, make_testimony, make_user

pytestmark = pytest.mark.django_db

SIGNUP = reverse("signup")
LOGIN = reverse("login")
LOGOUT = reverse("logout")
PASSWORD_RESET = reverse("password_reset")
APPLICATIONS = reverse("admin:testimonies_researcherapplication_changelist")
PASSWORD = "a long and unusual passphrase"


def signup_data(**changes):
    data = {
        "username": "olena.researcher",
        "email": "olena@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "full_name": "Olena Example",
        "affiliation": "Example University, Oral History Centre",
        "purpose": "Comparing how evacuees describe the closing of roads in 2024.",
    }
    data.update(changes)
    return data


def sign_in(client, username, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def researcher_only_testimony():
    return make_testimony(
        title="Basement nights in the border village",
        access=Testimony.Access.RESEARCHERS,
    )


class TestSignUp:
    def test_page_asks_for_account_and_research_details(self, client):
        page = client.get(SIGNUP).content.decode()
        for name in signup_data():
            assert f'name="{name}"' in page
        assert "csrfmiddlewaretoken" in page
        assert "<title>Apply for researcher access" in page

    def test_creates_an_ordinary_account_and_a_pending_application(self, client):
        response = client.post(SIGNUP, signup_data())
        assert response.status_code == 302
        assert response["Location"] == reverse("signup_done")
        user = User.objects.get(username="olena.researcher")
        assert user.is_active and not user.is_staff
        assert not user.groups.filter(name=RESEARCHERS_GROUP).exists()
        application = user.researcher_application
        assert application.status == ResearcherApplication.Status.PENDING
        assert application.affiliation == "Example University, Oral History Centre"
        assert application.purpose.startswith("Comparing how evacuees")
        assert [message.to for message in mail.outbox] == [["olena@example.org"]]

    def test_new_account_signs_in_but_sees_only_public_testimonies(self, client):
        testimony = researcher_only_testimony()
        client.post(SIGNUP, signup_data())
        assert sign_in(client, "olena.researcher").status_code == 302
        assert client.get(testimony.get_absolute_url()).status_code == 404

    @pytest.mark.parametrize(
        "changes, field",
        [
            ({"password2": "something else entirely"}, "password2"),
            ({"password1": "12345", "password2": "12345"}, "password2"),
            ({"email": "not an address"}, "email"),
            ({"email": ""}, "email"),
            ({"username": ""}, "username"),
            ({"full_name": ""}, "full_name"),
            ({"affiliation": ""}, "affiliation"),
            ({"purpose": "research"}, "purpose"),
            ({"purpose": "x" * 20_000}, None),
        ],
    )
    def test_bad_input_is_explained_and_nothing_is_created(
        self, client, changes, field
    ):
        response = client.post(SIGNUP, signup_data(**changes))
        if field is None:  # a long purpose is fine: a text field
            assert response.status_code == 302
            return
        assert response.status_code == 200
        assert field in response.context["form"].errors
        assert 'class="message message--error"' in response.content.decode()
        assert not User.objects.filter(username=changes.get("username", "x")).exists()
        assert not ResearcherApplication.objects.exists()
        assert not mail.outbox

    def test_taken_username_is_refused(self, client):
        make_user("olena.researcher")
        response = client.post(SIGNUP, signup_data())
        assert response.status_code == 200
        assert "username" in response.context["form"].errors

    @pytest.mark.parametrize("email", ["olena@example.org", "OLENA@Example.org"])
    def test_never_reveals_that_an_email_is_registered(self, client, email):
        make_user("existing", email="olena@example.org")
        response = client.post(SIGNUP, signup_data(email=email))
        # The same answer as for a new address...
        assert response.status_code == 302
        assert response["Location"] == reverse("signup_done")
        # ...but nothing is created, and the owner of the address is told.
        assert not User.objects.filter(username="olena.researcher").exists()
        assert not ResearcherApplication.objects.exists()
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["olena@example.org"]
        assert "already belongs to an account" in mail.outbox[0].body
        assert "/accounts/password_reset/" in mail.outbox[0].body

    def test_done_page_reads_the_same_whatever_happened(self, client):
        page = client.get(reverse("signup_done")).content.decode()
        assert "If the details you gave can be used" in page

    def test_signed_in_visitors_are_sent_home(self, client):
        client.force_login(make_user("someone"))
        assert client.get(SIGNUP)["Location"] == reverse("testimonies:home")

    def test_is_rate_limited_per_address(self, client):
        limit, _window = (10, 3600)
        for number in range(limit):
            client.post(SIGNUP, signup_data(username=f"u{number}", email="bad"))
        response = client.post(SIGNUP, signup_data())
        assert response.status_code == 429
        assert "too many times" in response.content.decode()
        assert not User.objects.filter(username="olena.researcher").exists()
        # Another address is not held back.
        response = client.post(SIGNUP, signup_data(), REMOTE_ADDR="192.0.2.44")
        assert response.status_code == 302


class TestSignInAndOut:
    def test_login_page_is_the_sites_own(self, client):
        page = client.get(LOGIN).content.decode()
        assert 'class="site-header"' in page
        assert reverse("password_reset") in page and SIGNUP in page

    def test_login_url_setting_points_at_the_site_login(self, settings):
        assert reverse(settings.LOGIN_URL) == "/accounts/login/"

    def test_admin_keeps_its_own_login(self, client):
        response = client.get(reverse("admin:index"))
        assert response["Location"].startswith(reverse("admin:login"))

    def test_header_offers_sign_in_to_visitors(self, client):
        page = client.get(reverse("testimonies:home")).content.decode()
        assert f'href="{LOGIN}?next=/"' in page
        assert "Sign out" not in page

    def test_good_credentials_sign_in_and_the_header_says_who(self, client):
        make_researcher("reader")
        response = sign_in(client, "reader", "correct horse battery")
        assert response.status_code == 302
        page = client.get(reverse("testimonies:home")).content.decode()
        assert 'class="account-nav__name">reader<' in page
        assert "Sign out" in page
        assert '<span class="badge badge--access">Researcher</span>' in page

    def test_ordinary_account_gets_no_researcher_badge(self, client):
        client.force_login(make_user("plain"))
        page = client.get(reverse("testimonies:home")).content.decode()
        assert "account-nav__name" in page
        assert 'badge--access">Researcher<' not in page

    def test_wrong_password_is_refused_with_a_message(self, client):
        make_user("reader")
        response = sign_in(client, "reader", "wrong")
        assert response.status_code == 200
        assert "correct username and password" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_next_is_followed_only_within_the_site(self, client):
        make_user("reader")
        response = client.post(
            LOGIN,
            {
                "username": "reader",
                "password": "correct horse battery",
                "next": "https://elsewhere.example/",
            },
        )
        assert response["Location"] == reverse("testimonies:home")

    def test_sign_out_is_a_post_and_shows_the_sites_page(self, client):
        client.force_login(make_user("reader"))
        assert client.get(LOGOUT).status_code == 405
        response = client.post(LOGOUT)
        assert response.status_code == 200
        assert "You are signed out" in response.content.decode()
        assert "_auth_user_id" not in client.session


class TestPasswordReset:
    def test_unknown_address_gets_the_same_answer_and_no_mail(self, client):
        response = client.post(PASSWORD_RESET, {"email": "nobody@example.org"})
        assert response["Location"] == reverse("password_reset_done")
        assert not mail.outbox

    def test_reset_link_sets_a_new_password(self, client):
        make_user("reader", email="reader@example.org")
        response = client.post(PASSWORD_RESET, {"email": "reader@example.org"})
        assert response["Location"] == reverse("password_reset_done")
        assert len(mail.outbox) == 1
        link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
        assert "reader" in mail.outbox[0].body
        response = client.get(link, follow=True)
        assert response.context["validlink"]
        form_url = response.redirect_chain[-1][0]
        new = "another long passphrase here"
        response = client.post(form_url, {"new_password1": new, "new_password2": new})
        assert response["Location"] == reverse("password_reset_complete")
        client.post(LOGOUT)
        assert sign_in(client, "reader", new).status_code == 302

    def test_a_broken_link_is_explained(self, client):
        url = reverse("password_reset_confirm", args=["MQ", "set-password"])
        page = client.get(url).content.decode()
        assert "This link does not work" in page

    def test_is_rate_limited(self, client):
        make_user("reader", email="reader@example.org")
        for _number in range(5):
            client.post(PASSWORD_RESET, {"email": "reader@example.org"})
        response = client.post(PASSWORD_RESET, {"email": "reader@example.org"})
        assert response.status_code == 429
        assert len(mail.outbox) == 5


class TestApproval:
    @pytest.fixture
    def application(self, client):
        client.post(SIGNUP, signup_data())
        mail.outbox.clear()
        return ResearcherApplication.objects.get()

    def act(self, client, action, application):
        return client.post(
            APPLICATIONS,
            {"action": action, "_selected_action": [application.pk]},
            follow=True,
        )

    def test_archivists_see_pending_applications(self, client, application):
        client.force_login(make_archivist())
        page = client.get(APPLICATIONS + "?status__exact=pending").content.decode()
        assert "Olena Example" in page and "olena@example.org" in page

    def test_approval_opens_researcher_only_testimonies(self, client, application):
        testimony = researcher_only_testimony()
        archivist = make_archivist()
        client.force_login(archivist)
        response = self.act(client, "approve", application)
        assert "1 application approved." in response.content.decode()
        application.refresh_from_db()
        assert application.status == ResearcherApplication.Status.APPROVED
        assert application.decided_by == archivist
        assert application.decided_at is not None
        assert application.user.groups.filter(name=RESEARCHERS_GROUP).exists()
        assert mail.outbox[0].to == ["olena@example.org"]
        assert "approved" in mail.outbox[0].subject

        client.force_login(application.user)
        page = client.get(testimony.get_absolute_url()).content.decode()
        assert testimony.title in page
        assert '<span class="badge badge--access">Researchers only</span>' in page
        listing = client.get(reverse("testimonies:list")).content.decode()
        assert "Researchers only" in listing

    def test_rejection_withdraws_access(self, client, application):
        testimony = researcher_only_testimony()
        application.approve(by=None)
        client.force_login(make_archivist())
        self.act(client, "reject", application)
        application.refresh_from_db()
        assert application.status == ResearcherApplication.Status.REJECTED
        assert not application.user.groups.filter(name=RESEARCHERS_GROUP).exists()
        client.force_login(application.user)
        assert client.get(testimony.get_absolute_url()).status_code == 404

    def test_deciding_twice_changes_nothing_more(self, client, application):
        client.force_login(make_archivist())
        self.act(client, "approve", application)
        response = self.act(client, "approve", application)
        assert "0 applications approved." in response.content.decode()
        assert len(mail.outbox) == 1

    def test_what_the_applicant_wrote_cannot_be_edited(self, client, application):
        client.force_login(make_archivist())
        url = reverse(
            "admin:testimonies_researcherapplication_change", args=[application.pk]
        )
        client.post(url, {"purpose": "changed", "status": "approved", "notes": "ok"})
        application.refresh_from_db()
        assert application.purpose.startswith("Comparing")
        assert application.status == ResearcherApplication.Status.PENDING
        assert application.notes == "ok"
        assert not application.user.groups.filter(name=RESEARCHERS_GROUP).exists()

    def test_applications_are_not_added_in_the_admin(self, client):
        client.force_login(make_archivist())
        url = reverse("admin:testimonies_researcherapplication_add")
        assert client.get(url).status_code == 403

    def test_archivists_still_cannot_change_accounts(self, client, application):
        client.force_login(make_archivist())
        url = reverse("admin:auth_user_change", args=[application.user.pk])
        client.post(url, {"username": "renamed", "is_superuser": "on"})
        application.user.refresh_from_db()
        assert application.user.username == "olena.researcher"
        assert not application.user.is_superuser

    def test_researchers_and_visitors_cannot_reach_applications(
        self, client, application
    ):
        assert client.get(APPLICATIONS).status_code == 302
        client.force_login(make_researcher())
        response = client.get(APPLICATIONS)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_login_page_states_the_lockout_rule_in_force(client, settings):
    """The page words the rule; changing the settings means changing the words."""
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == 1
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    page = client.get(LOGIN).content.decode()
    assert "After five failed attempts for one username from one network" in page
    assert "paused for an hour" in page


class TestAccountPage:
    URL = "/accounts/"

    def test_the_header_leads_to_the_account_page(self, client):
        client.force_login(make_user("plain"))
        page = client.get(reverse("testimonies:home")).content.decode()
        assert f'class="account-nav__account" href="{self.URL}"' in page

    def test_a_visitor_is_sent_to_sign_in(self, client):
        response = client.get(self.URL)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_a_pending_application_is_shown(self, client):
        user = make_user("applicant", email="a@example.org")
        ResearcherApplication.objects.create(
            user=user, full_name="Applicant (fictional)", affiliation="X", purpose="Y"
        )
        client.force_login(user)
        page = client.get(self.URL).content.decode()
        assert "is waiting for an archivist" in page
        assert "a@example.org" in page
        assert reverse("password_change") in page and reverse("tokens") in page
        assert "in use: 0" in page

    def test_a_researcher_reads_what_they_may(self, client):
        client.force_login(make_researcher("reader"))
        page = client.get(self.URL).content.decode()
        assert "published for researchers" in page
        assert "administration" not in page

    def test_an_archivist_is_pointed_to_the_admin(self, client):
        client.force_login(make_archivist("curator"))
        page = client.get(self.URL).content.decode()
        assert reverse("admin:index") in page


def test_the_favicon_is_found(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.ico"
    found = finders.find("favicon.ico")
    with open(found, "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an ICO file
    for name in ("favicon.svg", "favicon.png", "apple-touch-icon.png"):
        assert finders.find(name)
    page = client.get("/").content.decode()
    assert 'rel="icon" href="/static/favicon.svg"' in page

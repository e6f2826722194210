"""What an account form tells and allows an attacker: reset and sign-up answer
before any mail is sent, limits are shared by every worker, wrong old passwords
are throttled, and failed sign-ins count per address across usernames."""

import threading

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse

from testimonies.accounts import outbox

from .factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
RESET = reverse("password_reset")
SIGNUP = reverse("signup")
LOGIN = reverse("login")
CHANGE = reverse("password_change")


class SlowRelay(EmailBackend):
    """A mail relay that answers only when the test lets it."""

    release = threading.Event()
    started = threading.Event()

    def send_messages(self, messages):
        SlowRelay.started.set()
        assert SlowRelay.release.wait(10), "the test never let the relay answer"
        return super().send_messages(messages)


@pytest.fixture
def slow_relay(settings):
    settings.EMAIL_BACKEND = "tests.test_account_limits.SlowRelay"
    settings.TESTIMONY_MAIL_AFTER_RESPONSE = True
    SlowRelay.release.clear()
    SlowRelay.started.clear()
    yield SlowRelay
    SlowRelay.release.set()
    outbox.drain()


def test_a_reset_for_a_registered_address_answers_before_the_mail_goes(
    client, slow_relay
):
    make_user("olena", email="olena@example.org")
    known = client.post(RESET, {"email": "olena@example.org"})
    unknown = client.post(RESET, {"email": "nobody@example.org"})
    # Both answered while the relay still holds the one real message.
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert slow_relay.started.wait(5) and not mail.outbox
    slow_relay.release.set()
    outbox.drain()
    assert [message.to for message in mail.outbox] == [["olena@example.org"]]
    assert "/accounts/reset/" in mail.outbox[0].body


def test_a_sign_up_with_a_registered_address_answers_before_the_mail_goes(
    client, slow_relay
):
    make_user("olena", email="olena@example.org")
    data = {
        "username": "someone-else",
        "email": "olena@example.org",
        "password1": "a long and unusual passphrase",
        "password2": "a long and unusual passphrase",
        "full_name": "Someone Else",
        "affiliation": "Example University",
        "purpose": "Comparing how evacuees describe the closing of roads.",
    }
    response = client.post(SIGNUP, data)
    assert response.status_code == 302
    assert not mail.outbox
    slow_relay.release.set()
    outbox.drain()
    assert mail.outbox[0].to == ["olena@example.org"]


def test_a_relay_that_fails_loses_the_message_but_not_the_page(
    client, settings, caplog
):
    settings.EMAIL_BACKEND = "tests.test_account_limits.BrokenRelay"
    settings.TESTIMONY_MAIL_AFTER_RESPONSE = True
    make_user("olena", email="olena@example.org")
    assert client.post(RESET, {"email": "olena@example.org"}).status_code == 302
    outbox.drain()
    assert "Could not send mail to olena@example.org" in caplog.text


class BrokenRelay(EmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("relay down")


def test_resets_are_counted_once_for_every_worker(scratch):
    """Two processes (two gunicorn workers) share one count: five, not ten."""
    code = """
        from django.test import Client
        client = Client(HTTP_HOST="localhost", REMOTE_ADDR="198.51.100.7")
        codes = [
            client.post("/accounts/password_reset/", {"email": "x@example.org"})
            .status_code
            for _ in range(5)
        ]
        print(" ".join(map(str, codes)))
        """
    # Debug on: pages render without collected static files.
    children = [scratch.start_python(code, env={"DJANGO_DEBUG": "1"}) for _ in "ab"]
    answers = []
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        answers += out.split()
    assert sorted(answers) == ["302"] * 5 + ["429"] * 5


def test_wrong_old_passwords_are_throttled_per_account(client):
    user = make_user("olena")
    client.force_login(user)
    for _ in range(5):
        response = client.post(
            CHANGE,
            {
                "old_password": "a guess",
                "new_password1": "an entirely new passphrase",
                "new_password2": "an entirely new passphrase",
            },
        )
        assert response.status_code == 200
    right = {
        "old_password": PASSWORD,
        "new_password1": "an entirely new passphrase",
        "new_password2": "an entirely new passphrase",
    }
    refused = client.post(CHANGE, right)
    assert refused.status_code == 429
    assert "wrong too many times for this account" in refused.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_mistyped_new_password_is_not_a_wrong_guess(client):
    client.force_login(make_user("olena"))
    for _ in range(6):
        client.post(
            CHANGE,
            {"old_password": PASSWORD, "new_password1": "a", "new_password2": "b"},
        )
    done = client.post(
        CHANGE,
        {
            "old_password": PASSWORD,
            "new_password1": "an entirely new passphrase",
            "new_password2": "an entirely new passphrase",
        },
    )
    assert done.status_code == 302


def test_password_spraying_across_usernames_locks_the_address(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS}
    settings.ACCOUNT_RATE_LIMITS["login_address"] = (10, 3600)
    make_user("olena")
    sprayer = {"REMOTE_ADDR": "203.0.113.9"}
    for number in range(10):
        # One guess per username: axes alone never locks any of them.
        client.post(
            LOGIN, {"username": f"user{number}", "password": "Winter2025"}, **sprayer
        )
    refused = client.post(LOGIN, {"username": "olena", "password": PASSWORD}, **sprayer)
    assert refused.status_code == 200  # the form again, not a sign-in
    assert "_auth_user_id" not in client.session
    elsewhere = client.post(
        LOGIN, {"username": "olena", "password": PASSWORD}, REMOTE_ADDR="192.0.2.1"
    )
    assert elsewhere.status_code == 302


def test_successful_sign_ins_do_not_use_up_the_address_limit(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS}
    settings.ACCOUNT_RATE_LIMITS["login_address"] = (3, 3600)
    make_user("olena")
    office = {"REMOTE_ADDR": "198.51.100.20"}
    for _ in range(6):
        signed_in = client.post(
            LOGIN, {"username": "olena", "password": PASSWORD}, **office
        )
        assert signed_in.status_code == 302
        client.logout()


def test_an_ipv6_network_counts_as_one_address(client, settings):
    """A subscriber holds a whole /64: each of its addresses is the same client."""
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS}
    settings.ACCOUNT_RATE_LIMITS["password_reset"] = (3, 3600)
    codes = [
        client.post(
            RESET, {"email": "x@example.org"}, REMOTE_ADDR=f"2001:db8:1:2::{n:x}"
        ).status_code
        for n in range(1, 6)
    ]
    assert codes == [302, 302, 302, 429, 429]
    other = client.post(
        RESET, {"email": "x@example.org"}, REMOTE_ADDR="2001:db8:1:3::1"
    )
    assert other.status_code == 302


def test_the_reset_timing_benchmark_runs_and_reports_both_modes():
    import subprocess
    import sys

    from .scratch import ROOT

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.reset_timing",
            "--requests",
            "2",
            "--relay-ms",
            "5",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines()[2:] if line.endswith("ms")]
    assert [row.split("  ")[0] for row in rows] == [
        "after the response",
        "after the response",
        "inside the request",
        "inside the request",
    ]


def test_the_admins_password_page_counts_wrong_passwords_too(client):
    from .factories import make_archivist

    archivist = make_archivist()
    client.force_login(archivist)
    page = reverse("admin:password_change")
    assert page == "/admin/password_change/"
    form = client.get(page)
    assert form.status_code == 200
    assert "Password change" in form.content.decode()  # the admin's own form
    guess = {
        "old_password": "a guess",
        "new_password1": "an entirely new passphrase",
        "new_password2": "an entirely new passphrase",
    }
    for _ in range(5):
        assert client.post(page, guess).status_code == 200
    right = {**guess, "old_password": PASSWORD}
    assert client.post(page, right).status_code == 429
    archivist.refresh_from_db()
    assert archivist.check_password(PASSWORD)


def test_the_admins_password_page_still_changes_the_password(client):
    from .factories import make_archivist

    archivist = make_archivist()
    client.force_login(archivist)
    done = client.post(
        reverse("admin:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "an entirely new passphrase",
            "new_password2": "an entirely new passphrase",
        },
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("admin:password_change_done")
    archivist.refresh_from_db()
    assert archivist.check_password("an entirely new passphrase")
    assert client.get(reverse("admin:password_change")).status_code == 200
    client.logout()
    anonymous = client.get(reverse("admin:password_change"))
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]

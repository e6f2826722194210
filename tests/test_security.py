"""Hardened responses: Content-Security-Policy, security headers, no inline code,
login lockout (axes), the client's address behind proxies, ``check --deploy``."""

import contextlib
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse

from testimonies.accounts.network import client_ip
from testimonies.models import Testimony

from .factories import (
    make_archivist,
    make_place,
    make_researcher,
    make_testimony,
    make_theme,
    make_user,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
LOGIN = reverse("login")
PASSWORD = "correct horse battery"  # tests/factories.make_user's
REQUIRED_DIRECTIVES = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "style-src": "'self'",
    "script-src": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
    "object-src": "'none'",
}


def policy(response):
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        name, _space, value = part.strip().partition(" ")
        if name:
            directives[name] = value
    return directives


class InlineCode(HTMLParser):
    """Collects what a policy without 'unsafe-inline' would block."""

    def __init__(self):
        super().__init__()
        self.found = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        # A data block (JSON-LD) is never run, so the policy leaves it be.
        data_block = names.get("type") == "application/ld+json"
        if tag == "script" and "src" not in names and not data_block:
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs:
            if name == "style":
                self.found.append(f'<{tag} style="{value}">')
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action") and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:…>")


def inline_code(response):
    parser = InlineCode()
    parser.feed(response.content.decode())
    return parser.found


@pytest.fixture
def collection():
    """One record of each kind a public page shows."""
    theme = make_theme("Shelter in basements")
    place = make_place("Sudzha", names={"ru": "Суджа"})
    public = make_testimony(title="Nights below the school", themes=[theme])
    public.places.add(place)
    withdrawn = make_testimony(status=Testimony.Status.WITHDRAWN)
    return {"theme": theme, "place": place, "public": public, "withdrawn": withdrawn}


def site_url_names(patterns, namespace=""):
    """The names of every URL pattern outside the admin."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("admin/"):
                continue
            prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else ""
            yield from site_url_names(pattern.url_patterns, prefix or namespace)
        elif pattern.name:
            yield namespace + pattern.name


def public_urls(collection):
    urls = [
        reverse("testimonies:home"),
        reverse("testimonies:list"),
        reverse("testimonies:list") + "?theme=nothing&page=99",
        collection["public"].get_absolute_url(),
        collection["withdrawn"].get_absolute_url(),
        reverse("testimonies:themes"),
        collection["theme"].get_absolute_url(),
        reverse("testimonies:places"),
        collection["place"].get_absolute_url(),
        reverse("testimonies:feed"),
        reverse("testimonies:robots"),
        reverse("sitemap"),
        "/no/such/page/",
        LOGIN,
        reverse("signup"),
        reverse("signup_done"),
        reverse("password_reset"),
        reverse("password_reset_done"),
        reverse("password_reset_confirm", args=["MQ", "set-password"]),
        reverse("admin:login"),
    ]
    # Pages added later (search, API, forms of other issues) are found by name.
    arguments = [
        {},
        {"identifier": collection["public"].identifier},
        {"slug": collection["theme"].slug},
    ]
    for name in site_url_names(get_resolver().url_patterns):
        for kwargs in arguments:
            with contextlib.suppress(NoReverseMatch):
                urls.append(reverse(name, kwargs=kwargs))
                break
    return list(dict.fromkeys(urls))


class TestContentSecurityPolicy:
    def test_every_public_response_carries_the_policy(self, client, collection):
        for url in public_urls(collection):
            response = client.get(url)
            assert response.status_code < 500, url
            directives = policy(response)
            assert directives, f"{url} has no Content-Security-Policy"
            for name, value in REQUIRED_DIRECTIVES.items():
                assert directives.get(name) == value, (url, name, directives)
            header = response.headers["Content-Security-Policy"]
            assert "unsafe-inline" not in header, url
            assert "unsafe-eval" not in header, url

    def test_researcher_pages_carry_it_too(self, client, collection):
        client.force_login(make_researcher())
        for url in public_urls(collection):
            response = client.get(url)
            assert "unsafe-inline" not in response.headers.get(
                "Content-Security-Policy", "unsafe-inline"
            ), url

    def test_public_pages_hold_no_inline_script_style_or_handlers(
        self, client, collection
    ):
        client.force_login(make_researcher())
        for url in public_urls(collection):
            response = client.get(url)
            if response["Content-Type"].startswith("text/html"):
                assert inline_code(response) == [], url

    def test_the_scanner_finds_what_the_policy_blocks(self):
        class Page:
            content = (
                b'<p style="color:red" onclick="x()">a</p><script>alert(1)</script>'
                b'<style>p{}</style><a href="javascript:void(0)">b</a>'
                b'<script src="/static/ok.js"></script>'
                b'<script type="application/ld+json">{"name": "a"}</script>'
                b'<script type="text/javascript">alert(2)</script>'
            )

        assert inline_code(Page) == [
            '<p style="color:red">',
            "<p onclick=…>",
            "<script> without src",
            "<style> element",
            "<a href=javascript:…>",
            "<script> without src",  # text/javascript is run; JSON-LD is not
        ]

    def test_admin_pages_run_no_inline_script(self, client, collection):
        """The admin shares the policy; Django 5.2's admin keeps its scripts in
        files (docs/security.md lists the two cosmetic inline styles it loses)."""
        client.force_login(make_archivist())
        testimony = collection["public"]
        urls = [
            reverse("admin:index"),
            reverse("admin:testimonies_testimony_changelist"),
            reverse("admin:testimonies_testimony_add"),
            reverse("admin:testimonies_testimony_change", args=[testimony.pk]),
            reverse("admin:testimonies_testimony_history", args=[testimony.pk]),
            reverse("admin:testimonies_theme_changelist"),
            reverse("admin:testimonies_researcherapplication_changelist"),
        ]
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert "unsafe-inline" not in response["Content-Security-Policy"]
            scripts_and_handlers = [
                found
                for found in inline_code(response)
                if "script" in found or "=…" in found
            ]
            assert scripts_and_handlers == [], url


class TestHeaders:
    def test_framing_sniffing_and_referrer_are_refused(self, client):
        response = client.get(reverse("testimonies:home"))
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"

    def test_session_and_csrf_cookies_are_http_only(self, client):
        make_user("reader")
        response = client.post(LOGIN, {"username": "reader", "password": PASSWORD})
        assert response.cookies["sessionid"]["httponly"]
        page = Client().get(reverse("signup"))
        assert page.cookies["csrftoken"]["httponly"]


class TestLoginLockout:
    """django-axes: five failures for one username from one address lock it."""

    def fail(self, client, username="reader", address="198.51.100.7", url=LOGIN):
        return client.post(
            url,
            {"username": username, "password": "wrong guess"},
            REMOTE_ADDR=address,
        )

    def test_fifth_failure_locks_even_the_right_password_out(self, client, settings):
        settings.AXES_ENABLED = True
        make_user("reader")
        for _attempt in range(4):
            assert self.fail(client).status_code == 200
        response = self.fail(client)
        assert response.status_code == 429
        response = client.post(
            LOGIN,
            {"username": "reader", "password": PASSWORD},
            REMOTE_ADDR="198.51.100.7",
        )
        assert response.status_code == 429
        assert "_auth_user_id" not in client.session
        page = response.content.decode()
        assert "Signing in is paused" in page
        assert "60 minutes" in page
        assert 'class="site-header"' in page  # the site's own page
        assert "unsafe-inline" not in response["Content-Security-Policy"]

    def test_the_lock_holds_on_the_admin_login_too(self, client, settings):
        settings.AXES_ENABLED = True
        make_archivist("keeper")
        for _attempt in range(5):
            self.fail(client, "keeper", url=reverse("admin:login"))
        response = client.post(
            reverse("admin:login"),
            {"username": "keeper", "password": PASSWORD},
            REMOTE_ADDR="198.51.100.7",
        )
        assert response.status_code == 429
        assert "_auth_user_id" not in client.session

    def test_other_usernames_and_addresses_are_not_locked(self, client, settings):
        settings.AXES_ENABLED = True
        make_user("reader")
        make_user("other")
        for _attempt in range(5):
            self.fail(client)
        response = Client().post(
            LOGIN,
            {"username": "reader", "password": PASSWORD},
            REMOTE_ADDR="203.0.113.9",
        )
        assert response.status_code == 302
        response = Client().post(
            LOGIN,
            {"username": "other", "password": PASSWORD},
            REMOTE_ADDR="198.51.100.7",
        )
        assert response.status_code == 302

    def test_axes_reset_lifts_every_lock(self, client, settings):
        settings.AXES_ENABLED = True
        make_user("reader")
        for _attempt in range(5):
            self.fail(client)
        assert AccessAttempt.objects.exists()
        call_command("axes_reset", verbosity=0)
        response = client.post(
            LOGIN,
            {"username": "reader", "password": PASSWORD},
            REMOTE_ADDR="198.51.100.7",
        )
        assert response.status_code == 302

    def test_a_success_clears_earlier_failures(self, client, settings):
        settings.AXES_ENABLED = True
        make_user("reader")
        for _attempt in range(4):
            self.fail(client)
        client.post(
            LOGIN,
            {"username": "reader", "password": PASSWORD},
            REMOTE_ADDR="198.51.100.7",
        )
        client.post(reverse("logout"))
        for _attempt in range(4):
            assert self.fail(client).status_code == 200

    def test_force_login_still_works_for_tests(self, client):
        client.force_login(make_researcher())
        page = client.get(reverse("testimonies:home")).content.decode()
        assert "Sign out" in page


class TestClientAddress:
    def request(self, remote, forwarded=None):
        extra = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            extra["HTTP_X_FORWARDED_FOR"] = forwarded
        return RequestFactory().get("/", **extra)

    def test_without_a_proxy_the_peer_is_the_client(self, settings):
        settings.TRUSTED_PROXY_COUNT = 0
        assert client_ip(self.request("192.0.2.1", "10.9.9.9")) == "192.0.2.1"

    def test_behind_one_proxy_its_entry_counts_and_forgeries_do_not(self, settings):
        settings.TRUSTED_PROXY_COUNT = 1
        request = self.request("10.0.0.2", "6.6.6.6, 192.0.2.1")
        assert client_ip(request) == "192.0.2.1"

    def test_behind_two_proxies(self, settings):
        settings.TRUSTED_PROXY_COUNT = 2
        request = self.request("10.0.0.3", "6.6.6.6, 192.0.2.1, 10.0.0.2")
        assert client_ip(request) == "192.0.2.1"

    def test_a_request_that_skipped_the_proxy_falls_back_to_the_peer(self, settings):
        settings.TRUSTED_PROXY_COUNT = 2
        assert client_ip(self.request("10.0.0.3", "")) == "10.0.0.3"
        assert client_ip(self.request("10.0.0.3")) == "10.0.0.3"


def run_check(**env):
    """``manage.py check --deploy`` with production settings in a fresh process."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL"))
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "archive.settings.prod",
            "DJANGO_SECRET_KEY": "k3y-" + "x7Qp2Lm9Zt4Rw8Ns" * 4,
            "DJANGO_ALLOWED_HOSTS": "archive.example.org",
            **env,
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return result.returncode, result.stdout + result.stderr


def load_prod_setting(name, **env):
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL"))
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"from django.conf import settings; print(repr(settings.{name}))",
        ],
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "archive.settings.prod",
            "DJANGO_SECRET_KEY": "k3y-" + "x7Qp2Lm9Zt4Rw8Ns" * 4,
            "DJANGO_ALLOWED_HOSTS": "archive.example.org",
            **env,
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return result.returncode, (result.stdout + result.stderr).strip()


class TestDeployment:
    def test_check_deploy_is_clean(self):
        code, output = run_check()
        assert code == 0, output
        assert "System check identified no issues" in output

    def test_check_deploy_is_clean_behind_a_proxy_that_redirects(self):
        code, output = run_check(DJANGO_BEHIND_PROXY="true", DJANGO_SSL_REDIRECT="no")
        assert code == 0, output
        assert "identified no issues (1 silenced)" in output

    def test_debug_in_production_is_reported(self):
        code, output = run_check(DJANGO_DEBUG="true")
        assert code != 0
        assert "security.W018" in output

    def test_hsts_is_configurable(self):
        assert load_prod_setting("SECURE_HSTS_SECONDS") == (0, "31536000")
        assert load_prod_setting("SECURE_HSTS_SECONDS", DJANGO_HSTS_SECONDS="300") == (
            0,
            "300",
        )
        code, output = load_prod_setting(
            "SECURE_HSTS_SECONDS", DJANGO_HSTS_SECONDS="a year"
        )
        assert code != 0 and "DJANGO_HSTS_SECONDS must be a whole number" in output
        assert load_prod_setting(
            "SECURE_HSTS_PRELOAD", DJANGO_HSTS_PRELOAD="false"
        ) == (0, "False")

    def test_proxy_header_is_trusted_only_when_told(self):
        assert load_prod_setting("SECURE_PROXY_SSL_HEADER") == (0, "None")
        assert load_prod_setting(
            "SECURE_PROXY_SSL_HEADER", DJANGO_BEHIND_PROXY="true"
        ) == (0, "('HTTP_X_FORWARDED_PROTO', 'https')")
        assert load_prod_setting(
            "TRUSTED_PROXY_COUNT", DJANGO_BEHIND_PROXY="true", DJANGO_PROXY_COUNT="2"
        ) == (0, "2")

    def test_csrf_trusted_origins_come_from_the_environment(self):
        assert load_prod_setting(
            "CSRF_TRUSTED_ORIGINS",
            DJANGO_CSRF_TRUSTED_ORIGINS="https://archive.example.org, https://a.example",
        ) == (0, "['https://archive.example.org', 'https://a.example']")


class TestMalformedAddresses:
    def request(self, **meta):
        return RequestFactory().get("/", **meta)

    def test_no_or_bad_address_gives_none(self, settings):
        settings.TRUSTED_PROXY_COUNT = 0
        request = self.request()
        del request.META["REMOTE_ADDR"]
        assert client_ip(request) is None
        assert client_ip(self.request(REMOTE_ADDR="not-an-ip")) is None

    def test_a_bad_forwarded_entry_falls_back_to_the_peer(self, settings):
        settings.TRUSTED_PROXY_COUNT = 1
        request = self.request(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="x'--")
        assert client_ip(request) == "10.0.0.2"

    def test_ipv6_addresses_are_kept(self, settings):
        settings.TRUSTED_PROXY_COUNT = 1
        request = self.request(REMOTE_ADDR="::1", HTTP_X_FORWARDED_FOR="2001:db8::1")
        assert client_ip(request) == "2001:db8::1"

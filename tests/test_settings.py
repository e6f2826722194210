"""Configuration from the environment: database URL, production refusals."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


DATABASE_AND_DEBUG = (
    "settings.DATABASES['default']['ENGINE'], "
    "settings.DATABASES['default']['NAME'], settings.DEBUG"
)


def load_settings(module, show=DATABASE_AND_DEBUG, **env):
    """Import a settings module in a fresh interpreter and print ``show`` (Python
    expressions over ``settings``); return (exit code, output)."""
    script = f"import django, os; from django.conf import settings; print({show})"
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL"))
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**clean, "DJANGO_SETTINGS_MODULE": module, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return result.returncode, result.stdout + result.stderr


def test_default_database_is_sqlite_under_the_repository():
    code, output = load_settings("archive.settings.dev")
    assert code == 0, output
    engine, name, debug = output.split()
    assert engine == "django.db.backends.sqlite3"
    assert Path(name) == ROOT / "db.sqlite3"
    assert debug == "True"


def test_database_url_selects_the_database():
    code, output = load_settings(
        "archive.settings.dev", DATABASE_URL="postgres://u:p@127.0.0.1:5433/archive"
    )
    assert code == 0, output
    assert output.split()[:2] == ["django.db.backends.postgresql", "archive"]


def test_production_refuses_the_development_secret_key():
    code, output = load_settings(
        "archive.settings.prod", DJANGO_ALLOWED_HOSTS="archive.example.org"
    )
    assert code != 0
    assert "DJANGO_SECRET_KEY" in output


def test_production_refuses_missing_hosts():
    code, output = load_settings("archive.settings.prod", DJANGO_SECRET_KEY="x" * 50)
    assert code != 0
    assert "DJANGO_ALLOWED_HOSTS" in output


@pytest.mark.parametrize("flag, expected", [("", "False"), ("true", "True")])
def test_production_starts_with_its_secrets(flag, expected):
    code, output = load_settings(
        "archive.settings.prod",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="archive.example.org",
        DJANGO_DEBUG=flag,
    )
    assert code == 0, output
    assert output.split()[2] == expected


@pytest.mark.parametrize(
    "value, admins",
    [
        (
            "Night Desk <desk@example.org>, Olena <olena@example.org>",
            [("Night Desk", "desk@example.org"), ("Olena", "olena@example.org")],
        ),
        (
            "desk@example.org, olena@example.org",
            [
                ("desk@example.org", "desk@example.org"),
                ("olena@example.org", "olena@example.org"),
            ],
        ),
        ('"Doe, Jane" <jane@example.org>,', [("Doe, Jane", "jane@example.org")]),
        ("", []),
    ],
)
def test_admins_come_from_a_mail_style_list(value, admins):
    code, output = load_settings(
        "archive.settings.dev", show="repr(settings.ADMINS)", DJANGO_ADMINS=value
    )
    assert code == 0, output
    assert eval(output) == admins


@pytest.mark.parametrize("value", ["desk", "Night Desk <desk>", "a@b@c"])
def test_admins_that_are_not_addresses_are_refused(value):
    code, output = load_settings("archive.settings.dev", DJANGO_ADMINS=value)
    assert code != 0
    assert "DJANGO_ADMINS" in output
    assert "is not an email address" in output

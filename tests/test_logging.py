"""Server errors in production: each one logged with its traceback on standard
error (gunicorn's error log) and mailed to ADMINS. Run in a fresh interpreter
with the production settings, so what is checked is their LOGGING, not the test
suite's."""

import json
import os
import subprocess
import sys

from .scratch import ROOT

FAILING_REQUEST = """
import json, sys
import django
django.setup()
from django.core import mail
from django.test import Client
from django.test.utils import override_settings, setup_test_environment
from testimonies import views

setup_test_environment()  # mail to django.core.mail.outbox, "testserver" allowed
# Static files as in the test settings: production's need collectstatic first.
override_settings(
    STORAGES={
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
).enable()

def broken(*args, **kwargs):
    raise RuntimeError("planted failure in the home page")

views.HomeView.get = broken
client = Client(raise_request_exception=False)
response = client.get("/")
print(json.dumps({
    "status": response.status_code,
    "mails": [
        {"to": message.to, "subject": message.subject, "body": message.body}
        for message in mail.outbox
    ],
}))
"""


def run_production(code, tmp_path, **env):
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL"))
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "archive.settings.prod",
            "DJANGO_SECRET_KEY": "x" * 50,
            "DJANGO_ALLOWED_HOSTS": "archive.example.org",
            "DJANGO_SSL_REDIRECT": "false",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
            **env,
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_server_error_goes_to_stderr_with_its_traceback_and_to_the_admins(
    tmp_path,
):
    done = run_production(
        FAILING_REQUEST,
        tmp_path,
        DJANGO_ADMINS="Night Desk <desk@example.org>, ops@example.org",
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == 500
    assert "Internal Server Error: /" in done.stderr
    assert "Traceback (most recent call last)" in done.stderr
    assert "RuntimeError: planted failure in the home page" in done.stderr
    [message] = result["mails"]
    assert message["to"] == ["desk@example.org", "ops@example.org"]
    assert "Internal Server Error: /" in message["subject"]
    assert "planted failure in the home page" in message["body"]


def test_without_admins_the_error_is_still_logged_and_nothing_is_mailed(tmp_path):
    done = run_production(FAILING_REQUEST, tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["mails"] == []
    assert "RuntimeError: planted failure in the home page" in done.stderr


def test_a_busy_answer_is_logged_but_not_mailed(tmp_path):
    """A long import makes every waiting writer answer 503: one mail each would
    bury the errors that matter."""
    busy = FAILING_REQUEST.replace(
        'raise RuntimeError("planted failure in the home page")',
        "from django.db import OperationalError\n"
        '    raise OperationalError("database is locked")',
    )
    done = run_production(busy, tmp_path, DJANGO_ADMINS="ops@example.org")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == 503
    assert result["mails"] == []
    assert "database is locked" in done.stderr

"""`make serve` (scripts/serve.py): production settings that start on loopback
for a first try, and clear advice anywhere else."""

import importlib.util
import stat

import pytest

from .scratch import ROOT

spec = importlib.util.spec_from_file_location("serve", ROOT / "scripts" / "serve.py")
serve = importlib.util.module_from_spec(spec)
spec.loader.exec_module(serve)


@pytest.fixture
def secret_file(tmp_path, monkeypatch):
    path = tmp_path / ".secret-key"
    monkeypatch.setattr(serve, "SECRET_FILE", path)
    return path


def test_on_loopback_it_serves_plain_http_with_a_kept_local_key(secret_file):
    env = serve.environment("127.0.0.1:8000", env={})
    assert env["DJANGO_SETTINGS_MODULE"] == "archive.settings.prod"
    assert env["DJANGO_ALLOWED_HOSTS"] == "127.0.0.1,localhost,[::1]"
    assert env["DJANGO_SSL_REDIRECT"] == env["DJANGO_SECURE_COOKIES"] == "false"
    assert len(env["DJANGO_SECRET_KEY"]) >= 50
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    again = serve.environment("localhost:9000", env={})
    assert again["DJANGO_SECRET_KEY"] == env["DJANGO_SECRET_KEY"]


def test_what_the_operator_set_is_kept(secret_file):
    given = {
        "DJANGO_SECRET_KEY": "k" * 50,
        "DJANGO_ALLOWED_HOSTS": "archive.example.org",
        "DJANGO_SSL_REDIRECT": "true",
        "DJANGO_SECURE_COOKIES": "true",
    }
    env = serve.environment("[::1]:8000", env=given)
    assert {name: env[name] for name in given} == given
    assert not secret_file.exists()


def test_another_address_without_host_names_is_refused_with_advice(secret_file):
    with pytest.raises(SystemExit) as refusal:
        serve.environment("0.0.0.0:8000", env={})
    assert "set DJANGO_ALLOWED_HOSTS" in str(refusal.value)
    assert "HTTPS" in str(refusal.value)


def test_another_address_keeps_the_https_defaults(secret_file):
    env = serve.environment("0.0.0.0:8000", env={"DJANGO_ALLOWED_HOSTS": "a.org"})
    assert "DJANGO_SSL_REDIRECT" not in env
    assert "DJANGO_SECURE_COOKIES" not in env

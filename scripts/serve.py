"""Serve the archive with production settings on one machine (`make serve`).

    python scripts/serve.py 127.0.0.1:8000

Migrates the database, collects the static files and runs gunicorn
(gunicorn.conf.py: workers sized to the cores, logs to standard error) with the
task worker beside it (scripts/with_worker.py), both on
``archive.settings.prod``, which refuses to start without a secret key and host
names. For a first try on this machine's loopback address it fills those in:

- ``DJANGO_SECRET_KEY``, when unset, is read from ``.secret-key`` in the
  repository (git-ignored, readable by its owner only), made on the first run.
  One machine, one key that survives restarts (sessions and password-reset links
  stay valid); set the variable instead where secrets have a home of their own.
- On a loopback address only, plain HTTP is allowed: ``DJANGO_ALLOWED_HOSTS``
  defaults to the loopback names, ``DJANGO_SSL_REDIRECT`` and
  ``DJANGO_SECURE_COOKIES`` to false. On any other address nothing is assumed:
  the site is meant to sit behind a proxy that terminates HTTPS, and the
  variables must be set (docs/deployment.md).
"""

import ipaddress
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET_FILE = ROOT / ".secret-key"
LOOPBACK_HOSTS = "127.0.0.1,localhost,[::1]"


def host_name(bind):
    """The host of ``HOST:PORT`` (``[::1]:8000`` → ``::1``)."""
    host = bind.rpartition(":")[0] if ":" in bind else bind
    return host.strip("[]")


def is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def local_secret_key(path):
    """The key kept in ``path``, made the first time (owner-only permissions)."""
    if not path.exists():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as stream:
            stream.write(secrets.token_urlsafe(50) + "\n")
    return path.read_text().strip()


def environment(bind, env=None):
    """The environment to serve ``bind`` with; exits with advice when production
    settings would refuse to start."""
    env = dict(os.environ if env is None else env)
    env["DJANGO_SETTINGS_MODULE"] = "archive.settings.prod"
    if not env.get("DJANGO_SECRET_KEY"):
        env["DJANGO_SECRET_KEY"] = local_secret_key(SECRET_FILE)
        print(f"Secret key: {SECRET_FILE} (set DJANGO_SECRET_KEY to use another)")
    # A new connection starts with an empty page cache (docs/performance.md).
    env.setdefault("DJANGO_CONN_MAX_AGE", "60")
    if is_loopback(host_name(bind)):
        env.setdefault("DJANGO_ALLOWED_HOSTS", LOOPBACK_HOSTS)
        if "DJANGO_SSL_REDIRECT" not in env or "DJANGO_SECURE_COOKIES" not in env:
            print(
                "Plain HTTP on loopback: DJANGO_SSL_REDIRECT and "
                "DJANGO_SECURE_COOKIES default to false here. Serving past this "
                "machine needs HTTPS in front (docs/deployment.md)."
            )
        env.setdefault("DJANGO_SSL_REDIRECT", "false")
        env.setdefault("DJANGO_SECURE_COOKIES", "false")
    elif not env.get("DJANGO_ALLOWED_HOSTS"):
        sys.exit(
            f"{bind} is not a loopback address: set DJANGO_ALLOWED_HOSTS to the "
            "names the site answers to (e.g. archive.example.org), and serve it "
            "behind a proxy that terminates HTTPS; without one, also set "
            "DJANGO_SSL_REDIRECT=false and DJANGO_SECURE_COOKIES=false "
            "(docs/deployment.md, 'make serve')."
        )
    return env


def main(bind):
    env = environment(bind)
    python = sys.executable
    for command in (
        ["migrate", "--noinput"],
        ["collectstatic", "--noinput", "-v0"],
    ):
        subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env, check=True)
    gunicorn = str(Path(python).with_name("gunicorn"))
    print(f"Serving http://{bind}/ with archive.settings.prod; Ctrl-C stops.")
    sys.stdout.flush()
    # The task worker runs beside gunicorn and stops with it.
    from with_worker import run

    return run([gunicorn, "--bind", bind], env)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    try:
        sys.exit(main(sys.argv[1]))
    except subprocess.CalledProcessError as error:
        sys.exit(error.returncode)

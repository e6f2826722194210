"""``python -m benchmarks.reset_timing``: does a password reset tell who is registered?

    .venv/bin/python -m benchmarks.reset_timing --requests 40 --relay-ms 700

Serves the reset form in this process (Django's test client, a new SQLite file)
with mail going to a local SMTP relay that takes ``--relay-ms`` to answer each
command, as a real relay across a network does. Times resets for a registered
address and for an unknown one, alternating, with mail sent after the response
(the archive's setting) and, for comparison, inside the request (how it was).
Prints the median and p95 of each; the registered/unknown gap is the leak.
"""

import argparse
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class SlowRelay(threading.Thread):
    """A minimal SMTP server on 127.0.0.1 that waits before every reply."""

    def __init__(self, delay):
        super().__init__(daemon=True)
        self.delay = delay
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]

    def run(self):
        while True:
            connection, _address = self.server.accept()
            threading.Thread(target=self.talk, args=(connection,), daemon=True).start()

    def talk(self, connection):
        with connection, connection.makefile("rb") as lines:
            self.reply(connection, b"220 relay ready")
            for line in lines:
                command = line.strip().upper()
                if command == b"DATA":
                    self.reply(connection, b"354 go on")
                    for body in lines:
                        if body.rstrip(b"\r\n") == b".":
                            break
                    self.reply(connection, b"250 queued")
                elif command == b"QUIT":
                    self.reply(connection, b"221 bye")
                    return
                else:
                    self.reply(connection, b"250 ok")

    def reply(self, connection, text):
        time.sleep(self.delay)
        connection.sendall(text + b"\r\n")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reset_timing")
    parser.add_argument("--requests", type=int, default=40, help="per kind and mode")
    parser.add_argument("--relay-ms", type=float, default=700 / 6)
    options = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="reset-timing-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="archive.settings.dev",
        DATABASE_URL=f"sqlite:///{folder / 'archive.sqlite3'}",
        DJANGO_MEDIA_ROOT=str(folder / "media"),
        DJANGO_DEBUG="0",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    from testimonies.accounts import outbox

    call_command("migrate", verbosity=0)
    User.objects.create_user("olena", "olena@example.org", "a long passphrase")
    relay = SlowRelay(options.relay_ms / 1000)
    relay.start()
    plain = "django.contrib.staticfiles.storage.StaticFilesStorage"
    common = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": relay.port,
        "ALLOWED_HOSTS": ["testserver"],
        "ACCOUNT_RATE_LIMITS": {"password_reset": (10**9, 3600)},
        "STORAGES": {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": plain},
        },
    }
    client = Client()
    print(
        f"Password reset, {options.requests} requests per kind; each SMTP reply "
        f"takes {options.relay_ms:.0f} ms"
    )
    print(f"{'mail':<22}{'address':<12}{'p50':>10}{'p95':>10}")
    for after, label in [(True, "after the response"), (False, "inside the request")]:
        times = {"registered": [], "unknown": []}
        with override_settings(TESTIMONY_MAIL_AFTER_RESPONSE=after, **common):
            for _ in range(options.requests):
                for kind, email in [
                    ("registered", "olena@example.org"),
                    ("unknown", "nobody@example.org"),
                ]:
                    started = time.perf_counter()
                    response = client.post(
                        "/accounts/password_reset/", {"email": email}
                    )
                    times[kind].append(time.perf_counter() - started)
                    assert response.status_code == 302, response.status_code
                    outbox.drain(timeout=60)
        for kind, values in times.items():
            values.sort()
            p50 = statistics.median(values) * 1000
            p95 = values[int(0.95 * (len(values) - 1))] * 1000
            print(f"{label:<22}{kind:<12}{p50:>8.1f}ms{p95:>8.1f}ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

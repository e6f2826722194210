"""gunicorn with the production settings on a free loopback port, as `make serve`
runs it (gunicorn.conf.py), for the length of a load run."""

import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, database, log_path, workers=None):
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.log_path = Path(log_path)
        extra = {
            "DJANGO_SETTINGS_MODULE": "archive.settings.prod",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": HOST,
            # Plain HTTP on loopback, as `make serve` does for a first try.
            "DJANGO_SSL_REDIRECT": "false",
            "DJANGO_SECURE_COOKIES": "false",
            "DJANGO_CONN_MAX_AGE": "60",
        }
        if workers:
            extra["GUNICORN_WORKERS"] = str(workers)
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [gunicorn, "--bind", f"{HOST}:{self.port}"],
            cwd=ROOT,
            env=database.environment(**extra),
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def wait_until_ready(self, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped:\n{self.log_path.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/robots.txt", timeout=5):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout} s")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

    def log(self):
        return self.log_path.read_text(errors="replace")

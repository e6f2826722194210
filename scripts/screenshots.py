"""Take the README's screenshots of the reading site (docs/screenshots/*.png).

    .venv/bin/python scripts/screenshots.py [--output docs/screenshots]

Builds a throwaway SQLite database with the demo collection, serves it with
``runserver`` on 127.0.0.1 at a free port, and photographs the main pages with
Playwright driving Debian's Chromium (``make browser-setup`` installs it; nothing is
downloaded). Japanese text needs CJK fonts (Debian: ``fonts-noto-cjk``), or it
shows as empty boxes. Images are reduced to a 256-colour palette to stay small.
"""

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
# Demo testimonies chosen for what they show: a content warning and a translation
# (Ukrainian original), and a Japanese original with its translation.
TESTIMONY = "DEMO-UK-001"
TESTIMONY_JA = "DEMO-JA-002"
#: name → (address, viewport, interface language)
SHOTS = {
    "home": ("/", DESKTOP, "en-GB"),
    "browse": ("/testimonies/", DESKTOP, "en-GB"),
    "testimony": (f"/testimonies/{TESTIMONY}/", DESKTOP, "en-GB"),
    "places": ("/places/", DESKTOP, "en-GB"),
    "testimony-ja": (f"/testimonies/{TESTIMONY_JA}/", DESKTOP, "ja"),
    "phone": ("/", PHONE, "en-GB"),
    "map": ("/map/", DESKTOP, "en-GB"),
    "phone-search": ("/search/?q=basement", PHONE, "en-GB"),
}
#: Shots that draw something after the page loads: what to wait for.
READY = {"map": ".place-map--ready"}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(*args, env):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


@contextlib.contextmanager
def demo_server(workdir):
    """A development server over a fresh database holding the demo collection."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'demo.sqlite3'}",
        "DJANGO_MEDIA_ROOT": str(workdir / "media"),
        "DJANGO_SETTINGS_MODULE": "archive.settings.dev",
        "DJANGO_DEBUG": "1",
    }
    manage("migrate", "--noinput", "-v0", env=env)
    manage("compilemessages", "--ignore=.venv", "--ignore=node_modules", "-v0", env=env)
    manage("load_demo", "-v0", env=env)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(url + "/robots.txt", timeout=1).close()
                break
            if server.poll() is not None:
                raise RuntimeError("runserver stopped before answering")
            time.sleep(0.1)
        else:
            raise RuntimeError(f"runserver did not answer at {url}")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def shrink(path):
    """Quantise to 256 colours: text and flat colours survive, the file shrinks."""
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def take(url, output):
    output.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        for name, (address, viewport, locale) in SHOTS.items():
            context = browser.new_context(
                base_url=url, viewport=viewport, locale=locale, device_scale_factor=1
            )
            page = context.new_page()
            response = page.goto(address)
            if response.status != 200:
                raise RuntimeError(f"{address} answered {response.status}")
            if name in READY:
                page.wait_for_selector(READY[name])
            path = output / f"{name}.png"
            page.screenshot(path=str(path))
            context.close()
            shrink(path)
            print(f"{os.path.relpath(path, ROOT)}: {path.stat().st_size // 1024} KB")
        browser.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output", type=Path, default=ROOT / "docs" / "screenshots", help="folder"
    )
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="screenshots-") as workdir,
        demo_server(Path(workdir)) as url,
    ):
        take(url, args.output.resolve())


if __name__ == "__main__":
    main()

"""Browser tests: Playwright drives Debian's Chromium against a live server holding
the demo collection.

Nothing is downloaded at test time: the browser is ``/usr/bin/chromium`` and axe-core
comes from ``node_modules/`` (``make browser-setup`` installs both). Every test is
marked ``browser``; the PostgreSQL pass of ``make test`` leaves them out.
"""

import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import testcases

# Django's live server sends MEDIA_URL files itself, past every view: no
# visibility check, no Range. The archive's own media view must answer, as it does
# in production (a player seeking in a recording needs its 206 answers).
testcases._MediaFilesHandler = lambda application: application

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# This machine's network is closed: without these flags Chromium keeps trying to
# reach Google's services at start-up, and the sandbox needs a non-root user.
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


@pytest.fixture(scope="package")
def browser():
    """One Chromium for the whole package, closed before the other tests run."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-setup` (or make test).")
    from playwright.sync_api import sync_playwright

    # Playwright's synchronous API keeps an asyncio loop running in this thread,
    # which makes Django refuse ORM calls here (SynchronousOnlyOperation) though
    # the test code is plain synchronous code. Allowed only while the browser
    # lives; the live server answers from its own thread either way.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class DemoSnapshot:
    """The demo collection, imported once and restored for every test after.

    Importing it (ffprobe and ffmpeg over its recordings, the search index, a
    silenced copy) takes seconds; the browser tests need it a hundred times. The
    first test imports it through ``load_demo``; the database (SQLite in memory,
    shared with the live server's thread) and the media folder are copied aside,
    and each later test gets that copy back: the same rows, keys and files, as if
    imported afresh. Anywhere else (a database on disk) every test imports it.
    """

    def __init__(self, folder):
        self.media = folder / "media"
        self.database = None

    def restore(self):
        connection.ensure_connection()
        if not (connection.vendor == "sqlite" and connection.is_in_memory_db()):
            call_command("load_demo", verbosity=0)
            return
        if self.database is None:
            call_command("load_demo", verbosity=0)
            self.database = sqlite3.connect(":memory:", check_same_thread=False)
            connection.connection.backup(self.database)
            shutil.copytree(settings.MEDIA_ROOT, self.media)
            return
        self.database.backup(connection.connection)
        # A test may have replaced or deleted a demo file.
        shutil.copytree(self.media, settings.MEDIA_ROOT, dirs_exist_ok=True)
        self.forget_what_was_kept()

    @staticmethod
    def forget_what_was_kept():
        """What the last test's process kept of its rows (hit sets, cached
        pages) must not answer for the restored ones."""
        from testimonies.search import hitsets

        hitsets.forget()
        for cache in caches.all():
            cache.clear()

    def close(self):
        if self.database is not None:
            self.database.close()


@pytest.fixture(scope="session")
def demo_snapshot(tmp_path_factory):
    snapshot = DemoSnapshot(tmp_path_factory.mktemp("demo"))
    yield snapshot
    snapshot.close()


@pytest.fixture
def demo(transactional_db, browser, demo_snapshot):
    """The demo collection, committed so that the live server's thread sees it."""
    demo_snapshot.restore()


@pytest.fixture
def site(demo, live_server):
    """The live server's address, with the demo collection loaded."""
    return live_server.url


def open_page(browser, base_url, *, viewport=DESKTOP, locale="en-GB", csp=True):
    """A fresh browsing context (no cookies) and a page in it.

    ``csp=False`` lets axe-core be injected into pages whose Content-Security-Policy
    forbids inline scripts; the journeys run under the site's real policy.
    """
    context = browser.new_context(
        base_url=base_url, viewport=viewport, locale=locale, bypass_csp=not csp
    )
    # Fail fast: a missing element should not hold the suite for 30 seconds.
    context.set_default_timeout(10_000)
    return context.new_page()


@pytest.fixture
def page(browser, site):
    """A desktop page in English, with nothing stored from earlier tests."""
    page = open_page(browser, site)
    yield page
    page.context.close()


@pytest.fixture
def axe_page(browser, site):
    """A desktop page in English into which axe-core may be injected."""
    page = open_page(browser, site, csp=False)
    yield page
    page.context.close()


@pytest.fixture
def phone(browser, site):
    """A page on a 360 × 740 phone screen."""
    page = open_page(browser, site, viewport=PHONE)
    yield page
    page.context.close()


@pytest.fixture(scope="session")
def axe_source():
    path = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `make browser-setup` (npm ci).")
    return path

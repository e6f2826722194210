"""Who loads the site: Locust users (https://locust.io), run headless.

``Visitor``: an anonymous reader who browses, reads and searches; one of its
searches is for the word only the import carries, and each answer is recorded
with when it was asked and answered (consistency.py holds them to the truth).
``Archivist``: signed into the admin, saving one testimony's change form again and
again as a browser would (the form's own fields and CSRF token), then reading the
testimony back through the public API.

Importing this module imports Locust, which patches the standard library for
gevent: import it before anything opens sockets.
"""

import random
import time
from dataclasses import dataclass, field
from urllib.parse import quote

from locust import HttpUser, between, task
from locust.contrib.fasthttp import FastHttpUser

from .data import MARKER, WORDS
from .forms import form_fields, replace

ALL_WORDS = [word for words in WORDS.values() for word in words]


@dataclass
class Plan:
    """What the users visit (from the seeded database) and what they observed."""

    testimonies: list
    themes: list
    places: list
    edited: dict
    archivist: tuple
    probes: list = field(default_factory=list)  # (asked, answered, count)
    saves: int = 0
    problems: list = field(default_factory=list)


#: Set by the runner before the users start.
PLAN = None


def marker_search_path():
    return f"/api/v1/testimonies/?q={MARKER}&page_size=1"


class Visitor(FastHttpUser):
    weight = 16
    # Short pauses: 16 busy readers, each a few requests a second.
    wait_time = between(0, 0.5)

    @task(1)
    def home(self):
        self.client.get("/", name="home")

    @task(2)
    def browse(self):
        query = random.choice(
            ["", "?page=2", "?language=ru", f"?theme={quote(self.theme())}"]
        )
        self.client.get(f"/testimonies/{query}", name="browse")

    @task(4)
    def testimony(self):
        identifier = random.choice(PLAN.testimonies)
        self.client.get(f"/testimonies/{identifier}/", name="testimony")

    @task(1)
    def theme_page(self):
        self.client.get(f"/themes/{quote(self.theme())}/", name="theme")

    @task(1)
    def place_page(self):
        slug = random.choice(PLAN.places)
        self.client.get(f"/places/{quote(slug)}/", name="place")

    @task(2)
    def search_page(self):
        word = quote(random.choice(ALL_WORDS))
        self.client.get(f"/search/?q={word}", name="search page")

    @task(2)
    def search_api(self):
        word = quote(random.choice(ALL_WORDS))
        self.client.get(f"/api/v1/testimonies/?q={word}", name="search API")

    @task(2)
    def search_imported_word(self):
        asked = time.monotonic()
        with self.client.get(
            marker_search_path(), name="search API, imported word", catch_response=True
        ) as response:
            answered = time.monotonic()
            if response.status_code == 200:
                PLAN.probes.append((asked, answered, response.json()["count"]))

    def theme(self):
        return random.choice(PLAN.themes)


class Archivist(HttpUser):
    fixed_count = 1
    wait_time = between(0.5, 1.5)

    def on_start(self):
        username, password = PLAN.archivist
        page = self.client.get("/admin/login/", name="admin login")
        fields = dict(form_fields(page.text, "login-form"))
        fields.update(username=username, password=password, next="/admin/")
        with self.client.post(
            "/admin/login/",
            data=fields,
            name="admin login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in refused ({response.status_code})")
        self.number = 0

    @task
    def save_testimony(self):
        edited = PLAN.edited
        address = f"/admin/testimonies/testimony/{edited['pk']}/change/"
        page = self.client.get(address, name="admin change form")
        if page.status_code != 200:
            return
        self.number += 1
        title = f"Saved by the archivist, round {self.number}"
        fields = replace(form_fields(page.text, "testimony_form"), "title", title)
        fields.append(("_save", "Save"))
        with self.client.post(
            address,
            data=fields,
            headers={"Referer": self.host + address},
            name="admin save",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                # 200 is the form again, with its errors: nothing was saved.
                response.failure(f"not saved ({response.status_code})")
                return
        PLAN.saves += 1
        # The save is committed: every reader from now on must see it.
        with self.client.get(
            f"/api/v1/testimonies/{edited['identifier']}/",
            name="API detail after a save",
            catch_response=True,
        ) as response:
            if response.status_code == 200 and response.json()["title"] != title:
                message = (
                    f"read back {response.json()['title']!r} after saving {title!r}"
                )
                PLAN.problems.append(message)
                response.failure(message)

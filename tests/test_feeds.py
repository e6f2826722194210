"""What machines read: the Atom feed, the sitemap and robots.txt."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from testimonies.models import Testimony

from .factories import (
    make_archivist,
    make_narrator,
    make_place,
    make_researcher,
    make_testimony,
    make_theme,
)

pytestmark = pytest.mark.django_db

S = Testimony.Status
A = Testimony.Access
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
HIDDEN_KINDS = [
    {"status": S.DRAFT},
    {"status": S.IN_REVIEW},
    {"status": S.WITHDRAWN},
    {"access": A.RESTRICTED},
    {"access": A.RESEARCHERS},
]


@pytest.fixture
def hidden():
    """One testimony of every kind an anonymous visitor may not see."""
    theme, place = make_theme("Hidden theme"), make_place("Hidden village")
    return [
        make_testimony(title=f"Hidden {n}", themes=[theme], places=[place], **fields)
        for n, fields in enumerate(HIDDEN_KINDS)
    ]


def feed(client):
    response = client.get("/feeds/latest/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


class TestFeed:
    def test_newest_published_first_with_links_and_themes(self, client):
        older = make_testimony(title="Older", themes=["Drones"])
        newer = make_testimony(
            title="Newer",
            summary="We left <at> dawn & walked.",
            narrator=make_narrator(alias="Mykola"),
        )
        Testimony.objects.filter(pk=older.pk).update(
            published_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
        )
        entries = feed(client).findall(f"{ATOM}entry")
        assert [e.findtext(f"{ATOM}title") for e in entries] == ["Newer", "Older"]
        first, second = entries
        link = first.find(f"{ATOM}link").get("href")
        assert link == f"http://testserver{newer.get_absolute_url()}"
        assert first.findtext(f"{ATOM}summary") == (
            "We left &lt;at&gt; dawn &amp; walked."
        )
        assert first.find(f"{ATOM}author").findtext(f"{ATOM}name") == "Mykola"
        assert [c.get("term") for c in second.findall(f"{ATOM}category")] == ["Drones"]

    @pytest.mark.parametrize("who", [None, "researcher", "archivist"])
    def test_feed_is_the_anonymous_view_whoever_asks(self, client, hidden, who):
        make_testimony(title="Public one")
        if who == "researcher":
            client.force_login(make_researcher())
        elif who == "archivist":
            client.force_login(make_archivist())
        titles = [e.findtext(f"{ATOM}title") for e in feed(client).iter(f"{ATOM}entry")]
        assert titles == ["Public one"]

    def test_sample_items_say_so(self, client):
        make_testimony(is_sample=True, summary="Composite account.")
        summary = feed(client).find(f"{ATOM}entry").findtext(f"{ATOM}summary")
        assert summary.startswith("Fictional composite (sample data)")

    def test_narrator_private_fields_never_appear(self, client):
        narrator = make_narrator(
            alias="Public alias",
            real_name="Zzyzx Hidden",
            contact="zzyzx@example.invalid",
            private_notes="PRIVATE-NOTE",
        )
        make_testimony(narrator=narrator)
        body = client.get("/feeds/latest/").content.decode()
        assert "Public alias" in body
        for secret in ["Zzyzx", "zzyzx@", "PRIVATE-NOTE"]:
            assert secret not in body

    def test_queries_do_not_grow_with_entries(self, client):
        def count():
            with CaptureQueriesContext(connection) as queries:
                feed(client)
            return len(queries)

        for number in range(2):
            make_testimony(themes=[f"T{number}"], narrator=make_narrator())
        few = count()
        for number in range(20):
            make_testimony(themes=[f"U{number}"], narrator=make_narrator())
        assert count() == few


def sitemap_locations(client):
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    locations = []
    for section in ET.fromstring(index.content).iter(f"{SITEMAP}loc"):
        response = client.get(section.text.removeprefix("http://testserver"))
        assert response.status_code == 200
        locations += [
            loc.text for loc in ET.fromstring(response.content).iter(f"{SITEMAP}loc")
        ]
    return locations


class TestSitemap:
    def test_lists_public_pages_testimonies_themes_and_places(self, client):
        theme, place = make_theme("避難"), make_place("Суджа")
        testimony = make_testimony(themes=[theme], places=[place])
        locations = sitemap_locations(client)
        for path in [
            "/",
            "/testimonies/",
            "/themes/",
            "/places/",
            testimony.get_absolute_url(),
            reverse("testimonies:theme", args=[theme.slug]),
            reverse("testimonies:place", args=[place.slug]),
        ]:
            assert f"http://testserver{path}" in locations

    @pytest.mark.parametrize("who", [None, "archivist"])
    def test_leaves_out_everything_not_public(self, client, hidden, who):
        if who:
            client.force_login(make_archivist())
        make_testimony()
        locations = "\n".join(sitemap_locations(client))
        for testimony in hidden:
            assert testimony.identifier not in locations
        assert "hidden-theme" not in locations and "hidden-village" not in locations


class TestRobots:
    def test_points_to_the_sitemap_and_keeps_out_of_the_admin(self, client):
        response = client.get("/robots.txt")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain")
        lines = response.content.decode().splitlines()
        assert "User-agent: *" in lines
        assert "Disallow: /admin/" in lines
        assert "Sitemap: http://testserver/sitemap.xml" in lines
        assert "Disallow: /" not in lines

    def test_only_get(self, client):
        assert client.post("/robots.txt").status_code == 405

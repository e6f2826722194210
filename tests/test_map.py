"""Maps of places: the map page, the GeoJSON behind every map, the small maps on
place and testimony pages, and the tile server setting (docs/maps.md)."""

import re
from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive.vendored import VendoredFinder
from testimonies.models import Testimony

from .factories import make_archivist, make_place, make_researcher, make_testimony
from .test_settings import load_settings

pytestmark = pytest.mark.django_db

S, A = Testimony.Status, Testimony.Access
GEOJSON = "/places.geojson"
MAP = "/map/"


def located(name, latitude, longitude, **fields):
    return make_place(
        name, latitude=Decimal(latitude), longitude=Decimal(longitude), **fields
    )


@pytest.fixture
def places():
    """A region with two settlements read about, one without coordinates, and a
    village only a draft and a researcher-only testimony carry."""
    region = located("Kursk Oblast", "51.7", "36.2", kind="region")
    sudzha = located(
        "Sudzha", "51.1906", "35.2708", parent=region, names={"ru": "Суджа"}
    )
    unlocated = make_place("Lgov", parent=region)
    draft_village = located("Draftvillage", "51.3", "35.1", parent=region)
    research_village = located("Researchvillage", "51.4", "35.0", parent=region)
    make_testimony(places=[sudzha])
    make_testimony(places=[sudzha, region])
    make_testimony(places=[unlocated])
    make_testimony(places=[draft_village], status=S.DRAFT)
    make_testimony(places=[research_village], access=A.RESEARCHERS)
    return {
        "region": region,
        "sudzha": sudzha,
        "unlocated": unlocated,
        "draft": draft_village,
        "research": research_village,
    }


def features(client, **params):
    response = client.get(GEOJSON, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/geo+json")
    data = response.json()
    assert data["type"] == "FeatureCollection"
    return {feature["id"]: feature for feature in data["features"]}


def page_of(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return response.content.decode()


class TestMapData:
    def test_every_visible_place_with_its_count_name_and_page(self, client, places):
        found = features(client)
        assert set(found) == {"kursk-oblast", "sudzha", "lgov"}
        sudzha = found["sudzha"]
        assert sudzha["geometry"] == {
            "type": "Point",
            "coordinates": [35.2708, 51.1906],
        }
        assert sudzha["properties"]["count"] == 2
        assert sudzha["properties"]["url"] == "/places/sudzha/"
        assert sudzha["properties"]["parent"] == "kursk-oblast"
        # The region counts each of its testimonies once, as its page does.
        assert found["kursk-oblast"]["properties"]["count"] == 3

    def test_a_place_only_hidden_testimonies_carry_is_not_on_the_map(
        self, client, places
    ):
        found = features(client)
        assert "draftvillage" not in found and "researchvillage" not in found
        assert "Draftvillage" not in page_of(client, MAP)
        assert "Researchvillage" not in page_of(client, MAP)

    def test_researchers_see_researcher_only_places_and_archivists_all(
        self, client, places
    ):
        client.force_login(make_researcher())
        assert "researchvillage" in features(client)
        assert "draftvillage" not in features(client)
        client.force_login(make_archivist())
        assert {"researchvillage", "draftvillage"} <= set(features(client))
        assert features(client)["kursk-oblast"]["properties"]["count"] == 5

    def test_a_place_without_coordinates_has_no_point(self, client, places):
        assert features(client)["lgov"]["geometry"] is None

    def test_names_are_in_the_readers_language(self, client, places):
        response = client.get(GEOJSON, headers={"accept-language": "ru"})
        names = {f["id"]: f["properties"]["name"] for f in response.json()["features"]}
        assert names["sudzha"] == "Суджа"
        assert names["lgov"] == "Lgov"  # no Russian name given: the stored one

    def test_within_a_place_is_it_and_the_places_below(self, client, places):
        assert set(features(client, within="kursk-oblast")) == {
            "kursk-oblast",
            "sudzha",
            "lgov",
        }
        assert set(features(client, within="sudzha")) == {"sudzha"}

    def test_a_testimonys_places(self, client, places):
        testimony = places["sudzha"].tagged_items.order_by("pk").last().content_object
        found = features(client, testimony=testimony.identifier)
        assert set(found) == {"kursk-oblast", "sudzha"}
        assert found["sudzha"]["properties"]["count"] == 2

    @pytest.mark.parametrize(
        "params",
        [
            {"within": "no-such-place"},
            {"within": ""},
            {"within": "draftvillage"},  # as unknown as a name never used
            {"testimony": "NO-SUCH-1"},
            {"testimony": "bad\x00identifier"},
            {"testimony": "x" * 500},
        ],
    )
    def test_unknown_or_hidden_answers_404_with_a_message(self, client, places, params):
        response = client.get(GEOJSON, params)
        assert response.status_code == 404
        assert response.json()["detail"].startswith("There is no such")

    def test_a_hidden_testimonys_places_answer_404(self, client, places):
        draft = places["draft"].tagged_items.get().content_object
        response = client.get(GEOJSON, {"testimony": draft.identifier})
        assert response.status_code == 404
        assert "Draftvillage" not in response.content.decode()

    def test_both_filters_at_once_are_refused(self, client, places):
        response = client.get(GEOJSON, {"within": "sudzha", "testimony": "X-1"})
        assert response.status_code == 400
        assert "within a place or of a testimony" in response.json()["detail"]

    def test_only_reading_methods(self, client, places):
        assert client.post(GEOJSON).status_code == 405

    def test_queries_do_not_grow_with_the_places(self, client, places):
        def count(url):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            return len(queries)

        before = count(GEOJSON), count(MAP)
        for number in range(12):
            village = located(f"Village {number}", "51.0", "35.0")
            make_testimony(places=[village, places["region"]])
        assert (count(GEOJSON), count(MAP)) == before


class TestMapPage:
    def test_the_places_as_a_list_with_counts_and_links(self, client, places):
        page = page_of(client, MAP)
        assert re.search(
            r'href="/places/sudzha/">Sudzha</a> <span class="meta">settlement</span> '
            r'<span class="count">2<',
            page,
        )
        assert 'href="/places/kursk-oblast/">Kursk Oblast</a>' in page
        # The map's box, filled by static/js/map.js from every visible place.
        assert 'data-source="/places.geojson"' in page
        assert "/static/js/map.js" in page

    def test_a_place_without_coordinates_is_listed_but_not_on_the_map(
        self, client, places
    ):
        page = page_of(client, MAP)
        listed = re.search(r'href="/places/lgov/">Lgov</a>(.*?)</li>', page, re.S)[1]
        assert "(not on the map)" in listed
        assert "Places without coordinates are listed but not on the map." in page

    def test_without_places_it_says_so_and_draws_no_map(self, client):
        page = page_of(client, MAP)
        assert "No places yet." in page
        assert "place-map" not in page

    def test_the_places_page_links_to_the_map(self, client, places):
        assert f'href="{MAP}"' in page_of(client, reverse("testimonies:places"))

    def test_a_place_called_map_keeps_its_page(self, client):
        make_testimony(places=[make_place("Map")])
        assert reverse("testimonies:place", args=["map"]) == "/places/map/"
        assert "<h1>" in page_of(client, "/places/map/")


class TestSmallMaps:
    def test_a_place_page_maps_it_and_the_places_within(self, client, places):
        page = page_of(client, places["region"].get_absolute_url())
        assert 'data-source="/places.geojson?within=kursk-oblast"' in page
        assert 'aria-label="Map of Kursk Oblast and the places within it"' in page

    def test_no_map_where_no_place_has_coordinates(self, client, places):
        page = page_of(client, places["unlocated"].get_absolute_url())
        assert "place-map" not in page
        assert "map.js" not in page

    def test_a_testimony_page_offers_its_places_on_a_map(self, client, places):
        testimony = places["sudzha"].tagged_items.order_by("pk").first().content_object
        page = page_of(client, testimony.get_absolute_url())
        assert f'data-source="/places.geojson?testimony={testimony.identifier}"' in (
            page
        )
        # Folded away and hidden until the script can fill it: reading comes first.
        assert '<details class="place-map-toggle" hidden>' in page

    def test_an_unplaced_testimony_page_has_no_map(self, client):
        testimony = make_testimony()
        assert "place-map" not in page_of(client, testimony.get_absolute_url())


class TestTileServer:
    TILES = "https://tile.example.org/{z}/{x}/{y}.png"

    def test_without_tiles_images_come_from_our_origin_only(self, client, places):
        response = client.get(MAP)
        img_src = directive(response, "img-src")
        assert img_src == ["'self'", "data:"]
        assert 'data-tiles=""' in response.content.decode()

    def test_the_tile_server_is_read_at_each_page(self, client, places):
        with override_settings(
            TESTIMONY_MAP_TILES=self.TILES,
            TESTIMONY_MAP_ATTRIBUTION="&copy; Example contributors",
        ):
            page = page_of(client, MAP)
        assert f'data-tiles="{self.TILES}"' in page
        assert 'data-attribution="&amp;copy; Example contributors"' in page

    def test_a_tile_server_joins_img_src_and_nothing_else(self):
        code, output = load_settings(
            "archive.settings.dev",
            show="settings.CONTENT_SECURITY_POLICY['DIRECTIVES']",
            DJANGO_MAP_TILES="https://{s}.tile.example.org/{z}/{x}/{y}.png",
            DJANGO_MAP_ATTRIBUTION="Example contributors",
        )
        assert code == 0, output
        assert "'img-src': [\"'self'\", 'data:', 'https://*.tile.example.org']" in (
            output
        )
        assert output.count("tile.example.org") == 1

    @pytest.mark.parametrize(
        "tiles",
        [
            "tile.example.org/{z}/{x}/{y}.png",
            "https://tile.example.org/tiles.png",
            "https://*.example.org/{z}/{x}/{y}.png",
            "https://tile.example.org;script-src *;/{z}/{x}/{y}.png",
            "javascript:alert(1)//{z}/{x}/{y}",
        ],
    )
    def test_a_bad_tile_template_stops_the_site_with_a_clear_message(self, tiles):
        code, output = load_settings(
            "archive.settings.dev",
            DJANGO_MAP_TILES=tiles,
            DJANGO_MAP_ATTRIBUTION="Example",
        )
        assert code != 0
        assert "is not a tile URL template" in output

    def test_tiles_without_their_credit_are_refused(self):
        code, output = load_settings(
            "archive.settings.dev", DJANGO_MAP_TILES=self.TILES
        )
        assert code != 0
        assert "DJANGO_MAP_ATTRIBUTION" in output


def directive(response, name):
    policy = response["Content-Security-Policy"]
    for part in policy.split(";"):
        words = part.split()
        if words and words[0] == name:
            return words[1:]
    return None


class TestVendoredFiles:
    def test_leaflet_and_the_outline_are_our_own_static_files(self):
        """Found in node_modules (make setup runs npm ci); nothing from a CDN."""
        for path in [
            "vendor/leaflet/leaflet.js",
            "vendor/leaflet/leaflet.css",
            "vendor/leaflet/images/layers.png",  # named by leaflet.css
            "vendor/topojson/topojson-client.min.js",
            "vendor/world-atlas/countries-50m.json",
            "js/map.js",
        ]:
            assert finders.find(path), path

    def test_only_the_files_the_maps_use_are_collected(self):
        collected = {
            f"{storage.prefix}/{name}" for name, storage in VendoredFinder().list([])
        }
        assert "vendor/world-atlas/countries-50m.json" in collected
        assert "vendor/world-atlas/countries-10m.json" not in collected
        assert not finders.find("vendor/world-atlas/land-10m.json")
        assert not finders.find("vendor/leaflet/leaflet-src.js")

    def test_a_missing_package_is_a_warning_that_says_what_to_run(self, tmp_path):
        missing = {"vendor/leaflet": (tmp_path / "absent", ["leaflet.js"])}
        with override_settings(VENDORED_STATIC=missing):
            warnings = VendoredFinder().check()
        assert [warning.hint for warning in warnings] == ["Run `make setup` (npm ci)."]

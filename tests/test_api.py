"""The JSON API (docs/api.md): its shapes, parameters, errors and visibility.
Runs on SQLite and PostgreSQL."""

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from testimonies.exporting import Exporter
from testimonies.forms import SearchApiForm
from testimonies.importing.provenance import NARRATOR_PRIVATE
from testimonies.models import RedactedRange, Testimony

from .factories import (
    make_archivist,
    make_narrator,
    make_recording,
    make_researcher,
    make_search_collection,
    make_segment,
    make_testimony,
    make_transcript,
)
from .test_search_query import MALFORMED

pytestmark = pytest.mark.django_db

LIST = "/api/v1/testimonies/"

TOP_KEYS = {"count", "next", "previous", "results", "facets"}
HIT_KEYS = {
    "identifier",
    "title",
    "summary",
    "language",
    "recorded_on",
    "url",
    "themes",
    "places",
    "snippet",
    "passages",
    "matched",
}


@pytest.fixture
def collection():
    return make_search_collection()


def get(client, path=LIST, status=200, **params):
    response = client.get(path, params)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content.decode("utf-8"))


def found(data):
    return [hit["identifier"] for hit in data["results"]]


class TestList:
    def test_shape_is_exactly_the_documented_one(self, client, collection):
        data = get(client, q="подвал")
        assert set(data) == TOP_KEYS
        assert data["count"] == 2 and data["next"] is data["previous"] is None
        for hit in data["results"]:
            assert set(hit) == HIT_KEYS
            for tag in hit["themes"] + hit["places"]:
                assert set(tag) == {"slug", "name"}
        assert set(data["facets"]) == {"themes", "places", "languages"}
        for item in data["facets"]["themes"] + data["facets"]["places"]:
            assert set(item) == {"slug", "name", "count"}
        for item in data["facets"]["languages"]:
            assert set(item) == {"code", "count"}

    def test_values_of_a_hit(self, client, collection):
        data = get(client, q="подвал", language="ru")
        (hit,) = data["results"]
        assert hit["identifier"] == "SRCH-RU"
        assert hit["recorded_on"] == "2024-08"  # known to the month
        assert hit["url"] == "http://testserver/testimonies/SRCH-RU/"
        assert hit["themes"] == [
            {"slug": collection["shelter"].slug, "name": "Shelter in basements"}
        ]
        assert hit["places"] == [{"slug": collection["sudzha"].slug, "name": "Sudzha"}]
        assert "<mark>подвалах</mark>" in hit["snippet"]

    def test_facets_count_only_what_the_user_may_see(self, client, collection):
        facets = get(client, q="подвал")["facets"]
        assert facets["languages"] == [
            {"code": "ja", "count": 1},
            {"code": "ru", "count": 1},
        ]
        # The region counts the hits of the places within it: what its filter gives.
        assert facets["places"] == [
            {"slug": collection["region"].slug, "name": "Kursk Oblast", "count": 2},
            {"slug": collection["sudzha"].slug, "name": "Sudzha", "count": 2},
        ]
        assert {item["slug"]: item["count"] for item in facets["themes"]} == {
            collection["shelter"].slug: 1,
            collection["aid"].slug: 1,
        }

    def test_names_follow_accept_language(self, client, collection):
        response = client.get(LIST, {"q": "подвал"}, HTTP_ACCEPT_LANGUAGE="ja")
        places = json.loads(response.content)["facets"]["places"]
        assert {place["name"] for place in places} == {"スジャ", "Kursk Oblast"}

    def test_utf8_is_not_escaped(self, client, collection):
        response = client.get(LIST, {"q": "подвал"})
        assert "подвал".encode() in response.content
        assert b"\\u043f" not in response.content

    def test_filters_combine_and_work_without_a_query(self, client, collection):
        assert found(get(client, q="подвал", theme=collection["aid"].slug)) == [
            "SRCH-JA"
        ]
        data = get(client, theme=collection["shelter"].slug, sort="oldest")
        assert found(data) == ["SRCH-RU", "SRCH-UK", "SRCH-EN"]
        assert data["results"][0]["snippet"].startswith("Жительница Суджи")

    def test_snippet_escapes_markup(self, client, collection):
        make_testimony(identifier="API-HTML", body="<img src=x onerror=alert(1)> drone")
        (hit,) = get(client, q="drone")["results"]
        assert hit["snippet"] == "&lt;img src=x onerror=alert(1)&gt; <mark>drone</mark>"

    def test_researcher_sees_researcher_only(self, client, collection):
        assert "SRCH-RESEARCHERS" not in found(get(client, q="подвал"))
        client.force_login(make_researcher())
        data = get(client, q="подвал")
        assert "SRCH-RESEARCHERS" in found(data) and data["count"] == 3
        assert {"SRCH-DRAFT", "SRCH-RESTRICTED"}.isdisjoint(found(data))


class TestPagination:
    @pytest.fixture
    def many(self, collection):
        for number in range(45):
            make_testimony(identifier=f"API-{number:02d}", body="A cold cellar.")
        return collection

    def test_default_page_size_and_links(self, client, many):
        data = get(client, q="cellar")
        assert data["count"] == 45 and len(data["results"]) == 20
        assert data["previous"] is None
        next_url = urlsplit(data["next"])
        assert (next_url.scheme, next_url.netloc, next_url.path) == (
            "http",
            "testserver",
            LIST,
        )
        assert parse_qs(next_url.query) == {"q": ["cellar"], "page": ["2"]}
        last = get(client, q="cellar", page=3)
        assert len(last["results"]) == 5 and last["next"] is None
        assert parse_qs(urlsplit(last["previous"]).query)["page"] == ["2"]

    def test_page_size(self, client, many):
        data = get(client, q="cellar", page_size=100)
        assert len(data["results"]) == 45 and data["next"] is None
        assert len(get(client, q="cellar", page_size=5)["results"]) == 5

    def test_pages_do_not_overlap(self, client, many):
        pages = [found(get(client, q="cellar", page=n)) for n in (1, 2, 3)]
        everything = [identifier for page in pages for identifier in page]
        assert len(everything) == len(set(everything)) == 45

    def test_queries_do_not_grow_with_the_page_size(self, client, collection):
        for number in range(30):
            testimony = make_testimony(
                identifier=f"API-Q-{number:02d}",
                body="basement",
                narrator=make_narrator(),
                themes=[collection["aid"]],
                places=[collection["sumy"]],
            )
            testimony.translations.create(language="ru", title="Подвал")

        def count(size):
            with CaptureQueriesContext(connection) as queries:
                assert len(get(client, q="basement", page_size=size)["results"]) == size
            return len(queries)

        # The first request of a data version also fills the kept hit sets
        # (testimonies.search.hitsets); the page size changes nothing.
        count(1)
        assert count(2) == count(30)


class TestBadParameters:
    @pytest.mark.parametrize(
        "params, field",
        [
            ({"q": "((("}, "q"),
            ({"q": "x" * 10_000}, "q"),
            ({"q": " ".join(f"w{n}" for n in range(30))}, "q"),
            ({"recorded_from": "2024-13-01"}, "recorded_from"),
            ({"recorded_to": "soon"}, "recorded_to"),
            ({"recorded_from": "2025", "recorded_to": "2024"}, "recorded_to"),
            ({"theme": "no-such-theme"}, "theme"),
            ({"place": "x" * 1000}, "place"),
            ({"language": "???"}, "language"),
            ({"sort": "published"}, "sort"),
            ({"page": "abc"}, "page"),
            ({"page": "0"}, "page"),
            ({"page": "99"}, "page"),
            ({"page_size": "0"}, "page_size"),
            ({"page_size": "101"}, "page_size"),
            ({"page_size": "ten"}, "page_size"),
        ],
    )
    def test_answer_400_with_the_problem(self, client, collection, params, field):
        data = get(client, status=400, **params)
        assert set(data) == {"errors"}
        assert field in data["errors"]
        assert all(
            isinstance(message, str) and message for message in data["errors"][field]
        )

    @pytest.mark.parametrize(
        "text", [t for t in MALFORMED if not any(0xD800 <= ord(c) < 0xE000 for c in t)]
    )
    def test_malformed_search_never_fails(self, client, collection, text):
        response = client.get(LIST, {"q": text})
        assert response.status_code in (200, 400)
        data = json.loads(response.content)
        assert set(data) == (TOP_KEYS if response.status_code == 200 else {"errors"})

    def test_control_characters_are_dropped(self, client, collection):
        assert set(found(get(client, q="\x00подвал\x1b"))) == {"SRCH-RU", "SRCH-JA"}

    def test_invalid_utf8_in_the_address(self, client, collection):
        response = client.get(f"{LIST}?q=%ff%fe&theme=%c3")
        assert response.status_code == 400
        assert "theme" in json.loads(response.content)["errors"]

    def test_only_get_and_head(self, client, collection):
        assert client.post(LIST, {"q": "подвал"}).status_code == 405

    @pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "QUERY", "BREW"])
    @pytest.mark.parametrize("path", [LIST, f"{LIST}SRCH-RU/", "/api/v1/openapi.json"])
    def test_any_other_method_is_405_as_described(self, collection, method, path):
        # As a client outside the site calls it: CSRF checks on, no cookie.
        client = Client(enforce_csrf_checks=True)
        response = client.generic(method, path)
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD"


class TestDetail:
    def test_full_record_in_the_export_shape(self, client, collection):
        testimony = collection["ru"]
        testimony.narrator = make_narrator(
            alias="Vera, 67",
            real_name="Fictional Person A",
            contact="via the team",
            private_notes="Composite.",
        )
        testimony.save()
        data = get(client, f"{LIST}SRCH-RU/")
        loaded = Testimony.objects.prefetch_related(
            "themed_items", "placed_items", "translations"
        ).get(pk=testimony.pk)
        expected = Exporter(public=True).record(loaded)
        assert data == {
            **expected,
            "url": "http://testserver/testimonies/SRCH-RU/",
            "recordings": [],
        }
        assert data["recorded_on"] == "2024-08"
        assert data["narrator"]["alias"] == "Vera, 67"
        for field in NARRATOR_PRIVATE:
            assert field not in data["narrator"]
        assert b"Fictional Person A" not in client.get(f"{LIST}SRCH-RU/").content

    def test_the_recordings_the_caller_may_hear(self, client, collection):
        testimony = collection["ru"]
        public = make_recording(testimony, seconds=2, access="public", title="Part 1")
        make_transcript(public, [(0, 900, "Мы спустились в подвал.")], language="ru")
        make_segment(
            public, 500, 1500, "Подвал [[Иванов]]", language="ru", keywords=["подвал"]
        )
        voice = make_recording(testimony, access="researchers", title="Part 2")
        [part] = get(client, f"{LIST}SRCH-RU/")["recordings"]
        page = "http://testserver/testimonies/SRCH-RU/"
        assert part == {
            "id": public.pk,
            "kind": "audio",
            "title": "Part 1",
            "duration": public.duration_ms / 1000,
            "languages": [],
            "interviewer": "",
            "recorded_on": None,
            "credit": "",
            "rights": "",
            "file": f"http://testserver{public.file.url}",
            "content_type": "audio/mpeg",
            "url": f"{page}?r={public.pk}",
            "transcripts": [
                {
                    "language": "ru",
                    "kind": "original",
                    "translator": "",
                    "captions": f"{page}recordings/{public.pk}/ru.vtt",
                }
            ],
            "segments": [
                {
                    "start": 0.5,
                    "end": 1.5,
                    "language": "ru",
                    "title": "Подвал \u2588\u2588\u2588\u2588\u2588",
                    "synopsis": "",
                    "keywords": ["подвал"],
                    "url": f"{page}?r={public.pk}&t=0.5",
                }
            ],
        }
        schemas = get(client, "/api/v1/openapi.json")["components"]["schemas"]
        assert set(schemas["Recording"]["properties"]) == set(part)
        client.force_login(make_researcher())
        heard = get(client, f"{LIST}SRCH-RU/")["recordings"]
        assert [item["id"] for item in heard] == [public.pk, voice.pk]

    def test_a_recording_whose_copy_is_being_made_has_no_file(self, client, collection):
        recording = make_recording(collection["ru"], access="public")
        RedactedRange.objects.create(recording=recording, start_ms=0, end_ms=500)
        [part] = get(client, f"{LIST}SRCH-RU/")["recordings"]
        assert part["file"] is None and part["content_type"] is None

    @pytest.mark.parametrize("key", ["draft", "in_review", "restricted", "researchers"])
    def test_what_the_public_may_not_see_is_404(self, client, collection, key):
        data = get(client, f"{LIST}{collection[key].identifier}/", status=404)
        assert set(data) == {"detail"}

    def test_withdrawn_is_410(self, client, collection):
        data = get(client, f"{LIST}SRCH-WITHDRAWN/", status=410)
        assert "withdrawn" in data["detail"]

    @pytest.mark.parametrize("identifier", ["NO-SUCH", "bad%20id", "..", "x" * 200])
    def test_unknown_or_malformed_identifier_is_404(
        self, client, collection, identifier
    ):
        get(client, f"{LIST}{identifier}/", status=404)

    def test_researcher_reads_researcher_only(self, client, collection):
        client.force_login(make_researcher())
        assert (
            get(client, f"{LIST}SRCH-RESEARCHERS/")["identifier"] == "SRCH-RESEARCHERS"
        )
        get(client, f"{LIST}SRCH-DRAFT/", status=404)

    def test_archivist_reads_everything(self, client, collection):
        client.force_login(make_archivist())
        assert get(client, f"{LIST}SRCH-DRAFT/")["status"] == "draft"
        assert get(client, f"{LIST}SRCH-WITHDRAWN/")["status"] == "withdrawn"


class TestOpenApi:
    def test_served_as_json(self, client):
        data = get(client, "/api/v1/openapi.json")
        assert data["openapi"].startswith("3.")
        assert "/api/v1/testimonies/" in data["paths"]

    def test_documents_exactly_the_parameters_the_api_reads(self, client):
        data = get(client, "/api/v1/openapi.json")
        documented = {
            parameter["name"]
            for parameter in data["paths"]["/api/v1/testimonies/"]["get"]["parameters"]
        }
        assert documented == set(SearchApiForm.base_fields)

    def test_documents_the_shape_of_a_hit(self, client):
        schemas = get(client, "/api/v1/openapi.json")["components"]["schemas"]
        assert set(schemas["Hit"]["properties"]) == HIT_KEYS
        assert set(schemas["SearchPage"]["required"]) == TOP_KEYS

"""Facets and filters of search: each count is what choosing that value gives,
several values of one vocabulary find any of them, and a filter that cannot be
honoured is refused. Runs on SQLite and PostgreSQL, with the hit sets kept in
memory and counted in SQL."""

import json

import pytest
from django.test import override_settings

from testimonies.models import Testimony

from .factories import (
    make_archivist,
    make_place,
    make_researcher,
    make_testimony,
    make_theme,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("nothing_kept")]

LIST = "/api/v1/testimonies/"
QUERIES = ["", "подвал OR basement", "-drone"]


@pytest.fixture(scope="class")
def archive(class_transaction):
    """Two regions, a district and villages below them; themes with a sub-theme;
    testimonies carrying a place and the region above it, or two villages, in
    every state of visibility."""
    kursk = make_place("Kursk Oblast", kind="region")
    district = make_place("Sudzha District", kind="district", parent=kursk)
    sudzha = make_place("Sudzha", parent=district, names={"ja": "スジャ"})
    goncharovka = make_place("Goncharovka", parent=district)
    sumy = make_place("Sumy Oblast", kind="region")
    krasnopillia = make_place("Krasnopillia", parent=sumy)
    shelter = make_theme("Shelter")
    basements = make_theme("Basements", parent=shelter)
    drones = make_theme("Drones")
    evacuation = make_theme("Evacuation")
    texts = ["Мы жили в подвале.", "We sat in the basement.", "地下に避難した。"]
    visibility = [
        {},
        {},
        {"access": Testimony.Access.RESEARCHERS},
        {"status": Testimony.Status.DRAFT},
        {"access": Testimony.Access.RESTRICTED},
    ]
    combinations = [
        ([basements], [sudzha, kursk]),
        ([shelter, drones], [sudzha, goncharovka]),
        ([drones], [krasnopillia]),
        ([evacuation, basements], [goncharovka]),
        ([], [sumy, sudzha]),
        ([evacuation], []),
    ]
    number = 0
    for themes, places in combinations:
        for text in texts:
            for fields in visibility:
                number += 1
                make_testimony(
                    identifier=f"FC-{number:03d}",
                    language=["ru", "en", "ja"][texts.index(text)],
                    body=text + (" drone" if number % 4 == 0 else ""),
                    themes=themes,
                    places=places,
                    **fields,
                )
    return {"kursk": kursk, "sumy": sumy, "shelter": shelter, "drones": drones}


def get(client, **params):
    response = client.get(LIST, {"page_size": 1, **params})
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def facet_values(data):
    """``(parameter, value, count)`` of every facet value of an answer."""
    facets = data["facets"]
    return [
        *(("theme", item["slug"], item["count"]) for item in facets["themes"]),
        *(("place", item["slug"], item["count"]) for item in facets["places"]),
        *(("language", item["code"], item["count"]) for item in facets["languages"]),
    ]


class TestCountsEqualClicks:
    @pytest.mark.parametrize("kept", [True, False], ids=["kept", "counted"])
    @pytest.mark.parametrize("audience", ["public", "archivist"])
    def test_every_facet_count_is_the_count_of_its_filter(
        self, client, archive, kept, audience
    ):
        user = {"researcher": make_researcher, "archivist": make_archivist}.get(
            audience
        )
        if user:
            client.force_login(user())
        with override_settings(TESTIMONY_SEARCH_HIT_SETS=kept):
            checked = 0
            for q in QUERIES:
                for filters in ({}, {"place": archive["kursk"].slug}):
                    data = get(client, q=q, **filters)
                    for name, value, count in facet_values(data):
                        clicked = get(client, q=q, **{**filters, name: value})
                        assert clicked["count"] == count, (q, filters, name, value)
                        checked += 1
            assert checked > 30

    def test_a_region_counts_the_testimonies_of_every_place_below_it(
        self, client, archive
    ):
        places = {
            item["name"]: item["count"] for item in get(client)["facets"]["places"]
        }
        # Public: two visible of each combination and language; a testimony
        # tagged with Sudzha and Goncharovka counts once for their district.
        assert places["Sudzha District"] == 2 * 3 * 4
        assert places["Kursk Oblast"] == 2 * 3 * 4
        assert places["Sumy Oblast"] == 2 * 3 * 2
        assert places["Sudzha"] == 2 * 3 * 3

    def test_a_sub_theme_counts_for_its_parent(self, client, archive):
        themes = {
            item["name"]: item["count"] for item in get(client)["facets"]["themes"]
        }
        assert themes["Basements"] == 2 * 3 * 2
        assert themes["Shelter"] == 2 * 3 * 3
        shelter = get(client, theme=archive["shelter"].slug)
        assert shelter["count"] == themes["Shelter"]

    def test_a_chosen_vocabulary_counts_as_if_unfiltered(self, client, archive):
        everything = get(client, q="подвал")
        drones = get(client, q="подвал", theme=archive["drones"].slug)
        assert drones["facets"]["themes"] == everything["facets"]["themes"]
        assert drones["facets"]["places"] != everything["facets"]["places"]


class TestSeveralValues:
    def test_values_of_one_vocabulary_find_any_of_them(self, client, archive):
        kursk = get(client, place=archive["kursk"].slug)["count"]
        sumy = get(client, place=archive["sumy"].slug)["count"]
        both = get(client, place=[archive["kursk"].slug, archive["sumy"].slug])
        both_ways = get(client, place=[archive["sumy"].slug, archive["kursk"].slug])
        overlap = 2 * 3  # tagged Sumy Oblast and Sudzha
        assert both["count"] == both_ways["count"] == kursk + sumy - overlap

    def test_vocabularies_combine_with_and(self, client, archive):
        data = get(
            client,
            theme=[archive["drones"].slug],
            place=[archive["sumy"].slug],
            language=["ja", "ru"],
            page_size=100,
        )
        assert data["count"] == 2 * 2
        assert {hit["language"] for hit in data["results"]} == {"ja", "ru"}

    def test_the_same_value_twice_counts_once(self, client, archive):
        once = get(client, language="ja")
        twice = get(client, language=["ja", "ja", "JA"])
        assert twice["count"] == once["count"]

    @pytest.mark.parametrize(
        "params, field, message",
        [
            ({"q": ["подвал", "drone"]}, "q", "Give “q” once"),
            ({"sort": ["newest", "oldest"]}, "sort", "Give “sort” once"),
            ({"page": ["1", "2"]}, "page", "Give “page” once"),
            ({"page_size": ["5", "5"]}, "page_size", "Give “page_size” once"),
            ({"recorded_from": ["2024", "2025"]}, "recorded_from", "Give"),
            ({"theme": [f"t{n}" for n in range(21)]}, "theme", "At most 20 values"),
            (
                {"theme": ["drones", "atlantis"]},
                "theme",
                "There is no theme “atlantis”",
            ),
            ({"language": ["ja", "!!"]}, "language", "“!!” is not a language code"),
        ],
    )
    def test_what_cannot_be_honoured_is_refused(
        self, client, archive, params, field, message
    ):
        response = client.get(LIST, params)
        assert response.status_code == 400
        errors = json.loads(response.content)["errors"]
        assert any(message in error for error in errors[field]), errors

    def test_a_hidden_value_among_several_is_unknown(self, client, archive):
        secret = make_place("Secret hamlet")
        make_testimony(places=[secret], status=Testimony.Status.DRAFT)
        response = client.get(LIST, {"place": [archive["kursk"].slug, secret.slug]})
        assert response.status_code == 400
        assert "There is no place" in response.content.decode()


class TestIdentifiers:
    def test_an_identifier_finds_its_testimony_first(self, client, archive):
        make_testimony(identifier="DEMO-RU-001", body="Подвал, подвал, подвал.")
        for q in ("DEMO-RU-001", "demo-ru-001"):
            data = get(client, q=q, page_size=5)
            assert data["results"][0]["identifier"] == "DEMO-RU-001"

    def test_a_hidden_identifier_is_not_found(self, client, archive):
        make_testimony(identifier="SECRET-007", status=Testimony.Status.DRAFT)
        assert get(client, q="SECRET-007")["count"] == 0

    def test_an_identifier_comes_first_even_when_others_rank_higher(
        self, client, archive
    ):
        make_testimony(identifier="FC-BASE-1", body="Nothing about it.")
        make_testimony(
            title="fc base 1 fc base 1", summary="fc base 1", body="fc base 1"
        )
        data = get(client, q="FC-BASE-1", page_size=5)
        assert data["count"] == 2
        assert data["results"][0]["identifier"] == "FC-BASE-1"

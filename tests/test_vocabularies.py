"""Themes and places out as SKOS (Turtle) and CSV (testimonies.vocabularies):
read back by an RDF parser, as a thesaurus tool would."""

import csv
import io
from decimal import Decimal

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SKOS

from testimonies.models import Testimony

from .factories import make_place, make_testimony, make_theme

pytestmark = pytest.mark.django_db

GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
BASE = "http://testserver"


@pytest.fixture
def vocabulary():
    region = make_place("Kursk Oblast", kind="region", names={"ru": "Курская область"})
    town = make_place(
        "Sudzha",
        kind="settlement",
        parent=region,
        latitude=Decimal("51.1923"),
        longitude=Decimal("35.2708"),
        names={"ru": "Суджа", "ja": "スジャ", "en": "Sudzha"},
    )
    hidden_village = make_place("Xylohidden village", kind="settlement", parent=region)
    theme = make_theme(
        "Evacuation",
        description='Leaving "under fire"\nat night.',
        names={"uk": "Евакуація"},
    )
    hidden_theme = make_theme("Xylohidden theme")
    make_testimony(identifier="V-1", themes=[theme], places=[town])
    make_testimony(
        identifier="V-2",
        status=Testimony.Status.DRAFT,
        themes=[hidden_theme],
        places=[hidden_village],
    )
    return {"region": region, "town": town, "theme": theme}


def graph(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/turtle; charset=utf-8"
    parsed = Graph()
    parsed.parse(data=response.content.decode(), format="turtle")
    return parsed, response.content.decode()


def uri(tag):
    return URIRef(BASE + tag.get_absolute_url())


def test_places_are_a_skos_scheme_with_labels_hierarchy_and_coordinates(
    client, vocabulary
):
    parsed, text = graph(client, "/places.ttl")
    town, region = uri(vocabulary["town"]), uri(vocabulary["region"])
    scheme = URIRef(f"{BASE}/places/")
    assert (scheme, RDF.type, SKOS.ConceptScheme) in parsed
    assert (town, RDF.type, SKOS.Concept) in parsed
    assert (town, SKOS.broader, region) in parsed
    assert (region, SKOS.narrower, town) in parsed
    assert (region, SKOS.topConceptOf, scheme) in parsed
    labels = {(str(o), o.language) for o in parsed.objects(town, SKOS.prefLabel)}
    assert labels == {("Sudzha", "en"), ("Суджа", "ru"), ("スジャ", "ja")}
    assert Decimal(str(parsed.value(town, GEO.lat))) == Decimal("51.1923")
    assert Decimal(str(parsed.value(town, GEO.long))) == Decimal("35.2708")
    assert "xylohidden" not in text.lower()


def test_themes_carry_their_definitions_whatever_the_quotes(client, vocabulary):
    parsed, text = graph(client, "/themes.ttl")
    theme = uri(vocabulary["theme"])
    assert parsed.value(theme, SKOS.definition) == Literal(
        'Leaving "under fire"\nat night.', lang="en"
    )
    assert (theme, SKOS.prefLabel, Literal("Евакуація", lang="uk")) in parsed
    assert (theme, SKOS.prefLabel, Literal("Evacuation", lang="en")) in parsed
    assert "xylohidden" not in text.lower()


def test_the_csv_has_a_row_per_visible_tag(client, vocabulary):
    response = client.get("/places.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["slug"] for row in rows] == ["kursk-oblast", "sudzha"]
    town = rows[1]
    assert town["parent"] == "kursk-oblast" and town["kind"] == "settlement"
    assert town["latitude"] == "51.1923" and town["name.ja"] == "スジャ"
    assert town["uri"] == f"{BASE}/places/sudzha/"


def test_an_empty_archive_gives_empty_but_valid_vocabularies(client):
    parsed, _text = graph(client, "/themes.ttl")
    assert not list(parsed.subjects(RDF.type, SKOS.Concept))
    assert client.get("/themes.csv").content.decode("utf-8-sig").startswith("slug,")

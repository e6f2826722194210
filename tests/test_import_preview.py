"""The preview of a dry run (testimonies.importing.preview): what would change
in stored testimonies, and which new tags look like stored ones."""

import io
import json

import pytest

from testimonies.importing import import_testimonies
from testimonies.importing.preview import distance, folded
from testimonies.models import Translation

from .factories import make_place, make_testimony, make_theme

pytestmark = pytest.mark.django_db


def dry_run(*lines):
    data = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    return import_testimonies(io.BytesIO(data.encode()), dry_run=True)


def test_distance_and_folding():
    assert distance("evakuation", "evacuation", 2) == 1
    assert distance("kitten", "sitting", 5) == 3
    assert distance("a" * 10, "b" * 10, 2) == 3  # stops past the limit
    assert folded("  Évacuation — routes! ") == "evacuation routes"


def test_new_names_get_the_stored_tags_they_look_like():
    make_theme("Evacuation")
    make_theme("Drones")
    make_place("Sudzha", kind="settlement", names={"ru": "Суджа"})
    result = dry_run(
        {
            "identifier": "P-1",
            "title": "T",
            "language": "en",
            "themes": ["Évacuation", "Evakuation", "Bread queues"],
            "places": ["Суджаа"],
        }
    )
    themes = {item["name"]: item["candidates"] for item in result.suggestions["themes"]}
    assert themes["Évacuation"][0]["name"] == "Evacuation"
    assert "accents" in themes["Évacuation"][0]["why"]
    assert themes["Evakuation"][0]["why"] == "close to “Evacuation” (edit distance 1)"
    assert "Bread queues" not in themes  # nothing like it: simply new
    places = result.suggestions["places"]
    assert places[0]["candidates"][0]["name"] == "Sudzha"
    assert "Суджа" in places[0]["candidates"][0]["why"]


def test_updates_list_each_changed_field_old_and_new():
    theme = make_theme("Drones")
    testimony = make_testimony(
        identifier="P-2",
        title="Old",
        language="en",
        recorded_on="2024-08-01",
        consent="given",
        consent_scope="public",
    )
    testimony.themes.add(theme)
    Translation.objects.create(testimony=testimony, language="uk", title="Старе")
    same = make_testimony(
        identifier="P-3",
        title="Same",
        language="en",
        consent="given",
        consent_scope="public",
    )
    result = dry_run(
        {
            "identifier": "P-2",
            "title": "New",
            "language": "en",
            "recorded_on": "2024-09",
            "themes": ["Drones", "Return home"],
            "translations": [{"language": "uk", "title": "Нове"}],
        },
        {"identifier": same.identifier, "title": "Same", "language": "en"},
    )
    changes = {
        update["identifier"]: {
            c["field"]: (c["old"], c["new"]) for c in update["changes"]
        }
        for update in result.updates
    }
    assert changes["P-2"]["title"] == ("Old", "New")
    assert changes["P-2"]["recorded_on"] == ("2024-08-01", "2024-09")
    assert changes["P-2"]["themes"] == ("Drones", "Drones; Return home")
    assert changes["P-2"]["translations.uk"] == ("Старе", "Нове")
    assert changes["P-3"] == {}

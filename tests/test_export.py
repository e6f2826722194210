"""Exporting JSON Lines: the same format as the import, exact enough to round-trip."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from testimonies.exporting import export_testimonies
from testimonies.importing.records import KEYS
from testimonies.models import Narrator, Place, Source, Testimony, Theme, Translation

from .factories import make_narrator, make_testimony

pytestmark = pytest.mark.django_db


def export(*args):
    """Run the command to stdout; return (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    call_command("export_testimonies", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def records(text):
    return [json.loads(line) for line in text.splitlines()]


def empty_database():
    for model in (Testimony, Narrator, Source, Theme, Place):
        model.objects.all().delete()


@pytest.fixture
def collection():
    """Fictional composites in four languages, with every part of the format."""
    russia = Place.objects.create(name="Russia", kind="country", names={"ru": "Россия"})
    kursk = Place.objects.create(
        name="Kursk Oblast",
        kind="region",
        parent=russia,
        names={"ru": "Курская область", "ja": "クルスク州"},
    )
    district = Place.objects.create(
        name="Sudzha district", kind="district", parent=kursk
    )
    sudzha = Place.objects.create(
        name="Sudzha",
        parent=district,
        latitude=Decimal("51.1923"),
        longitude=Decimal("35.2712"),
        names={"ru": "Суджа", "uk": "Суджа", "ja": "スジャ"},
    )
    sumy = Place.objects.create(
        name="Сумська область", kind="region", names={"en": "Sumy Oblast"}
    )
    krasnopillia = Place.objects.create(
        name="Краснопілля",
        parent=sumy,
        latitude=Decimal("50.7736"),
        longitude=Decimal("35.2653"),
    )
    war = Theme.objects.create(name="War", description="Umbrella theme.")
    shelter = Theme.objects.create(
        name="Shelter in basements", parent=war, names={"ja": "地下への避難"}
    )
    vera = make_narrator(
        code="N-0001",
        alias="Вера, 67",
        age_group="60_74",
        gender="female",
        role="resident",
        home_place=sudzha,
        profile="Бывшая библиотекарь.",
        real_name="Fictional Person A",
        contact="via the team",
        private_notes="Composite.",
    )
    olena = make_narrator(alias="Олена", role="volunteer")
    source = Source.objects.create(
        title="Border villages oral history",
        interviewer="Interviewer A",
        url="https://example.org/oral-history",
        date=datetime.date(2024, 9, 12),
        licence="CC BY-NC 4.0",
    )
    first = make_testimony(
        identifier="KS-2024-0001",
        title="Подвал на улице Садовой",
        language="ru",
        summary="О неделях в подвале.",
        body="Мы спустились в подвал.\n\nСвет был только от фонарика.",
        recorded_on=datetime.date(2024, 9, 1),
        recorded_precision="month",
        events_from=datetime.date(2024, 8, 6),
        events_to=datetime.date(2024, 8, 31),
        consent="given",
        consent_scope="public",
        consent_date=datetime.date(2024, 9, 12),
        content_warnings=["shelling", "grief"],
        is_sample=True,
        narrator=vera,
        source=source,
        themes=[shelter, "Drones"],
        places=[sudzha],
    )
    Translation.objects.create(
        testimony=first, language="en", title="The basement", translator="Volunteer"
    )
    Translation.objects.create(
        testimony=first,
        language="ja",
        title="地下室",
        body="地下室に降りた。",
        kind="machine",
    )
    make_testimony(
        identifier="SU-2025-0002",
        title="Останній автобус",
        language="uk",
        recorded_on=datetime.date(2025, 1, 1),
        recorded_precision="year",
        status="in_review",
        access="researchers",
        narrator=olena,
        source=source,
        themes=["Closed evacuation routes"],
        places=[krasnopillia],
    )
    make_testimony(
        identifier="A-0003",
        title="地下室で過ごした夜",
        language="ja",
        recorded_on=datetime.date(2024, 8, 20),
        body="避難の道は閉ざされていた。",
        consent="given",
        consent_scope="public",
        themes=[shelter],
        places=[sudzha, krasnopillia],
    )
    make_testimony(identifier="Z-0004", title="Bare", language="en", status="draft")


class TestExport:
    def test_one_line_per_testimony_ordered_with_every_key(self, collection):
        out, err = export()
        lines = records(out)
        assert [r["identifier"] for r in lines] == [
            "A-0003",
            "KS-2024-0001",
            "SU-2025-0002",
            "Z-0004",
        ]
        # Every key but those of files, which travel only with the files.
        files = ("photos", "documents", "recordings")
        assert all(list(r) == [k for k in KEYS if k not in files] for r in lines)
        assert "Exported 4 testimonies." in err

    def test_text_is_written_as_is(self, collection):
        out, _err = export()
        assert "Подвал на улице Садовой" in out and "地下室で過ごした夜" in out
        first = records(out)[1]
        assert (
            first["body"] == "Мы спустились в подвал.\n\nСвет был только от фонарика."
        )

    def test_dates_at_their_precision(self, collection):
        by_id = {r["identifier"]: r for r in records(export()[0])}
        assert by_id["KS-2024-0001"]["recorded_on"] == "2024-09"
        assert by_id["SU-2025-0002"]["recorded_on"] == "2025"
        assert by_id["A-0003"]["recorded_on"] == "2024-08-20"
        assert by_id["Z-0004"]["recorded_on"] is None
        assert by_id["KS-2024-0001"]["events_to"] == "2024-08-31"
        published = datetime.datetime.fromisoformat(by_id["A-0003"]["published_at"])
        assert published == Testimony.objects.get(identifier="A-0003").published_at

    def test_places_carry_their_whole_hierarchy(self, collection):
        first = records(export()[0])[1]
        (sudzha,) = first["places"]
        assert sudzha["names"] == {"ja": "スジャ", "ru": "Суджа", "uk": "Суджа"}
        assert (sudzha["latitude"], sudzha["longitude"]) == (51.1923, 35.2712)
        chain, node = [], sudzha
        while node:
            chain.append((node["name"], node["kind"]))
            node = node["parent"]
        assert chain == [
            ("Sudzha", "settlement"),
            ("Sudzha district", "district"),
            ("Kursk Oblast", "region"),
            ("Russia", "country"),
        ]
        themes = {t["name"]: t for t in first["themes"]}
        assert (
            themes["Shelter in basements"]["parent"]["description"] == "Umbrella theme."
        )

    def test_private_narrator_fields_only_when_asked(self, collection):
        public = records(export()[0])[1]["narrator"]
        assert public["alias"] == "Вера, 67" and public["code"] == "N-0001"
        assert not {"real_name", "contact", "private_notes"} & set(public)
        assert "Fictional Person A" not in export()[0]
        out, err = export("--include-private")
        private = records(out)[1]["narrator"]
        assert private["real_name"] == "Fictional Person A"
        assert "keep it as safe" in err

    def test_output_file(self, collection, tmp_path):
        path = tmp_path / "out.jsonl"
        out, _err = export("--output", str(path))
        assert out == ""
        assert path.read_text(encoding="utf-8") == export()[0]

    def test_unwritable_output(self, collection, tmp_path):
        with pytest.raises(Exception, match="Cannot write"):
            export("--output", str(tmp_path / "missing" / "out.jsonl"))

    def test_empty_archive(self):
        out, err = export()
        assert out == "" and "Exported 0 testimonies." in err

    def test_queries_do_not_grow_with_testimonies(self, collection):
        def queries():
            with CaptureQueriesContext(connection) as context:
                export_testimonies(io.StringIO())
            return len(context.captured_queries)

        few = queries()
        for n in range(30):
            make_testimony(
                themes=[f"Theme {n}"], places=["Sudzha"], narrator=make_narrator()
            )
        assert queries() == few


class TestRoundTrip:
    def test_export_import_export_is_byte_identical(self, collection, tmp_path):
        first, _err = export("--include-private")
        path = tmp_path / "export.jsonl"
        path.write_text(first, encoding="utf-8")
        empty_database()
        assert Place.objects.count() == 0

        call_command("import_testimonies", str(path), verbosity=0)
        second, _err = export("--include-private")
        assert second == first

        # The vocabulary is rebuilt, including places no testimony names directly.
        russia = Place.objects.get(name="Russia")
        assert (russia.kind, russia.names) == ("country", {"ru": "Россия"})
        assert Theme.objects.get(name="War").description == "Umbrella theme."
        assert Narrator.objects.get(code="N-0001").home_place.name == "Sudzha"

    def test_reimporting_an_export_changes_nothing(self, collection, tmp_path):
        first, _err = export("--include-private")
        path = tmp_path / "export.jsonl"
        path.write_text(first, encoding="utf-8")
        out = io.StringIO()
        call_command("import_testimonies", str(path), stdout=out)
        assert "created: 0, updated: 4" in out.getvalue()
        assert "New themes: 0, places: 0, narrators: 0, sources: 0" in out.getvalue()
        assert export("--include-private")[0] == first

    def test_public_export_keeps_private_fields_on_reimport(self, collection, tmp_path):
        path = tmp_path / "public.jsonl"
        path.write_text(export()[0], encoding="utf-8")
        call_command("import_testimonies", str(path), verbosity=0)
        assert Narrator.objects.get(code="N-0001").real_name == "Fictional Person A"

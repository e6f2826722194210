"""Importing JSON Lines: the archive's interchange contract (docs/import-format.md)."""

import datetime
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from testimonies.importing import import_testimonies
from testimonies.management.commands.import_testimonies import (
    Command as ImportCommand,
)
from testimonies.models import (
    Narrator,
    Place,
    PlacedItem,
    Source,
    Testimony,
    Theme,
    ThemedItem,
    Translation,
)
from testimonies.signals import testimonies_changed

from .factories import make_narrator, make_testimony

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
MODELS = (Testimony, Theme, Place, Narrator, Source, Translation)


def line(identifier="T-1", **fields):
    return {"identifier": identifier, "title": "A title", "language": "en", **fields}


def write_lines(tmp_path, *lines, name="in.jsonl"):
    """Write dicts (as JSON) or raw str/bytes lines to a file; return its path."""
    path = tmp_path / name
    with path.open("wb") as stream:
        for item in lines:
            if isinstance(item, dict):
                item = json.dumps(item, ensure_ascii=False)
            stream.write(item if isinstance(item, bytes) else item.encode())
            stream.write(b"\n")
    return path


def run(path, *args, **options):
    """Run the command; return (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_testimonies", str(path), *args, stdout=out, stderr=err, **options
    )
    return out.getvalue(), err.getvalue()


def failure(path, *args):
    with pytest.raises(CommandError) as error:
        run(path, *args)
    return str(error.value)


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


class TestNamesInOtherLanguages:
    """A tag named in another language is the tag that carries that name."""

    def test_a_stored_place_is_found_by_its_japanese_name(self, tmp_path):
        sudzha = Place.objects.create(
            name="Sudzha", names={"ja": "スジャ", "ru": "Суджа"}
        )
        out, _err = run(write_lines(tmp_path, line("T-1", places=["スジャ", "суджа"])))
        assert "places: 0" in out
        assert "スジャ → Sudzha" in out and "суджа → Sudzha" in out
        testimony = Testimony.objects.get(identifier="T-1")
        assert [place.pk for place in testimony.places.all()] == [sudzha.pk]
        assert Place.objects.count() == 1

    def test_a_place_the_file_defines_is_found_by_its_other_names(self, tmp_path):
        defined = {"name": "Sudzha", "names": {"ja": "スジャ"}}
        path = write_lines(
            tmp_path, line("T-1", places=["スジャ"]), line("T-2", places=[defined])
        )
        out, _err = run(path)
        assert "places: 1" in out and "New places: Sudzha" in out
        assert Place.objects.get().name == "Sudzha"
        assert Testimony.objects.get(identifier="T-1").places.get().name == "Sudzha"

    def test_a_name_two_places_carry_matches_neither(self, tmp_path):
        Place.objects.create(name="Mykolaivka", names={"ru": "Николаевка"})
        Place.objects.create(name="Mykolaivka (Sumy)", names={"ru": "Николаевка"})
        out, _err = run(write_lines(tmp_path, line("T-1", places=["Николаевка"])))
        assert "New places: Николаевка" in out
        assert Place.objects.count() == 3

    def test_a_stored_tags_own_name_wins(self, tmp_path):
        Theme.objects.create(name="Drones", names={"uk": "Aid"})
        aid = Theme.objects.create(name="Aid")
        run(write_lines(tmp_path, line("T-1", themes=["aid"])))
        assert Testimony.objects.get().themes.get() == aid

    def test_a_dry_run_names_what_it_would_create(self, tmp_path):
        path = write_lines(tmp_path, line("T-1", places=["Sudzha", "Evakuation"]))
        out, _err = run(path, "--dry-run")
        assert "New places: Sudzha, Evakuation" in out
        assert not Place.objects.exists()


class TestGoodFile:
    @pytest.fixture
    def imported(self):
        out, _err = run(DATA / "good.jsonl")
        return out

    def test_summary_counts_what_was_created(self, imported):
        assert "Testimonies created: 3, updated: 0" in imported
        assert "themes: 4" in imported and "places: 5" in imported
        assert "Found by a name in another language: スジャ → Sudzha" in imported
        assert "narrators: 2, sources: 1" in imported

    def test_fields_and_partial_dates(self, imported):
        t = Testimony.objects.get(identifier="KS-2024-0001")
        assert t.title == "Подвал на улице Садовой"
        assert t.language == "ru"
        assert "\n" in t.body
        assert (t.recorded_on, t.recorded_precision) == (
            datetime.date(2024, 9, 1),
            "month",
        )
        assert t.recorded_until == datetime.date(2024, 9, 30)
        assert t.events_from == datetime.date(2024, 8, 1)
        assert t.events_to == datetime.date(2024, 8, 31)
        assert (t.status, t.access) == ("published", "public")
        assert t.published_at == datetime.datetime(
            2024, 10, 1, 9, 30, tzinfo=datetime.UTC
        )
        assert (t.consent, t.consent_scope) == ("given", "public")
        assert t.consent_date == datetime.date(2024, 9, 12)
        assert t.content_warnings == ["shelling"]
        assert t.is_sample is True
        year = Testimony.objects.get(identifier="SU-2025-0002")
        assert (year.recorded_precision, year.recorded_until) == (
            "year",
            datetime.date(2025, 12, 31),
        )

    def test_new_testimonies_default_to_restricted_drafts(self, tmp_path):
        run(write_lines(tmp_path, line()))
        t = Testimony.objects.get()
        assert (t.status, t.access, t.published_at, t.consent) == (
            "draft",
            "restricted",
            None,
            "unknown",
        )

    def test_publishing_without_published_at_stamps_it(self, tmp_path):
        run(write_lines(tmp_path, line(status="published")))
        assert Testimony.objects.get().published_at is not None

    def test_themes_with_definitions(self, imported):
        drones = Theme.objects.get(name="Drones")
        assert drones.names == {"ru": "Дроны", "uk": "Дрони", "ja": "ドローン"}
        assert drones.description.startswith("Drone attacks")
        # "DRONES" on line 3 is the same theme.
        second = Testimony.objects.get(identifier="SU-2025-0002")
        assert set(second.themes.names()) == {"Drones", "closed evacuation routes"}

    def test_japanese_and_cyrillic_places_with_parents(self, imported):
        sudzha = Place.objects.get(name="Sudzha")
        assert sudzha.names == {"ru": "Суджа", "ja": "スジャ"}
        assert (sudzha.latitude, sudzha.longitude) == (
            Decimal("51.192300"),
            Decimal("35.271200"),
        )
        chain = [p.name for p in sudzha.ancestors()]
        assert chain == ["Sudzha district", "Kursk Oblast"]
        assert sudzha.parent.kind == "district"
        assert sudzha.parent.parent.names["ja"] == "クルスク州"
        krasnopillia = Place.objects.get(name="Krasnopillia")
        assert krasnopillia.parent.names["uk"] == "Сумська область"
        # Line 4 names Sudzha in Japanese too: the same place, tagged once.
        assert not Place.objects.filter(name="スジャ").exists()
        fourth = Testimony.objects.get(identifier="KS-2024-0003")
        assert list(fourth.places.names()) == ["Sudzha"]
        slugs = list(Place.objects.values_list("slug", flat=True))
        assert all(slugs) and len(set(slugs)) == len(slugs)

    def test_narrator_source_and_translations(self, imported):
        t = Testimony.objects.get(identifier="KS-2024-0001")
        assert t.narrator.code == "N-0001"
        assert t.narrator.real_name == "Fictional Person A"
        assert t.narrator.home_place.name == "Sudzha"
        # Line 3 names the same narrator by code.
        third = Testimony.objects.get(identifier="KS-2024-0003")
        assert third.narrator == t.narrator
        assert t.source.licence == "CC BY-NC 4.0"
        assert t.source.date == datetime.date(2024, 9, 12)
        translations = {tr.language: tr for tr in t.translations.all()}
        assert set(translations) == {"en", "ja"}
        assert translations["ja"].kind == "machine"
        assert translations["en"].translator.startswith("Volunteer")

    def test_blank_lines_bom_crlf_and_line_separators(self, tmp_path):
        path = tmp_path / "crlf.jsonl"
        first = json.dumps(line("A", body="one\u2028two"), ensure_ascii=False)
        second = json.dumps(line("B"))
        path.write_bytes(
            b"\xef\xbb\xbf" + first.encode() + b"\r\n\r\n   \n" + second.encode()
        )
        run(path)
        assert Testimony.objects.get(identifier="A").body == "one\u2028two"
        assert Testimony.objects.count() == 2

    def test_identical_sources_are_shared(self, tmp_path):
        source = {"title": "Project", "organisation": "Collective"}
        run(
            write_lines(
                tmp_path,
                line("A", source=source),
                line("B", source=source),
                line("C", source={**source, "licence": "CC BY 4.0"}),
            )
        )
        assert Source.objects.count() == 2
        a, b = (Testimony.objects.get(identifier=i) for i in "AB")
        assert a.source_id == b.source_id
        # An existing identical source is reused too.
        run(write_lines(tmp_path, line("D", source=source), name="more.jsonl"))
        assert Testimony.objects.get(identifier="D").source_id == a.source_id

    def test_stdin(self, tmp_path, monkeypatch):
        data = json.dumps(line("S-1")).encode()
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
        run("-")
        assert Testimony.objects.filter(identifier="S-1").exists()


class TestTagsAndNarrators:
    def test_case_and_width_variants_collapse_to_one_theme(self, tmp_path):
        Theme.objects.create(name="Evacuation")
        run(
            write_lines(
                tmp_path,
                line("A", themes=["evacuation", "EVACUATION"]),
                line("B", themes=["ＥＶＡＣＵＡＴＩＯＮ"]),
                line("C", themes=[{"name": "  evacuation "}]),
            )
        )
        assert list(Theme.objects.values_list("name", flat=True)) == ["Evacuation"]
        assert ThemedItem.objects.count() == 3

    def test_parent_named_by_string_is_created(self, tmp_path):
        run(
            write_lines(
                tmp_path,
                line(places=[{"name": "Суджа", "parent": "Курская область"}]),
            )
        )
        town = Place.objects.get(name="Суджа")
        assert town.parent.name == "Курская область"
        assert list(Testimony.objects.get().places.names()) == ["Суджа"]

    def test_last_definition_in_the_file_wins(self, tmp_path):
        run(
            write_lines(
                tmp_path,
                line("A", places=[{"name": "Sudzha", "kind": "district"}]),
                line("B", places=[{"name": "SUDZHA", "latitude": 51.19}]),
                line("C", places=[{"name": "sudzha", "kind": "settlement"}]),
            )
        )
        place = Place.objects.get()
        assert (place.name, place.kind) == ("Sudzha", "settlement")
        assert place.latitude == Decimal("51.19")

    def test_existing_tag_is_updated_and_reparented(self, tmp_path):
        region = Place.objects.create(name="Kursk Oblast", kind="region")
        town = Place.objects.create(name="Sudzha", names={"ru": "Суджа"})
        run(
            write_lines(
                tmp_path,
                line(places=[{"name": "sudzha", "parent": "KURSK OBLAST"}]),
            )
        )
        town.refresh_from_db()
        assert town.parent == region
        assert town.names == {"ru": "Суджа"}  # absent keys leave the tag alone
        assert Place.objects.count() == 2

    def test_narrator_by_code_is_updated_not_duplicated(self, tmp_path):
        narrator = make_narrator(code="N-7", alias="Old alias", real_name="Kept")
        run(write_lines(tmp_path, line(narrator={"code": "N-7", "alias": "New"})))
        narrator.refresh_from_db()
        assert (narrator.alias, narrator.real_name) == ("New", "Kept")
        assert Narrator.objects.count() == 1
        assert Testimony.objects.get().narrator == narrator

    def test_narrator_without_code_matches_the_uncoded_alias(self, tmp_path):
        uncoded = make_narrator(alias="Олена")
        make_narrator(alias="Олена", code="N-1")
        run(
            write_lines(
                tmp_path,
                line("A", narrator={"alias": "Олена", "role": "volunteer"}),
                line("B", narrator={"alias": "Вера"}),
                line("C", narrator={"alias": "Вера"}),
            )
        )
        assert Testimony.objects.get(identifier="A").narrator == uncoded
        vera = Narrator.objects.get(alias="Вера")
        assert Testimony.objects.filter(narrator=vera).count() == 2

    def test_ambiguous_alias_is_refused(self, tmp_path):
        make_narrator(alias="Олена")
        make_narrator(alias="Олена")
        message = failure(write_lines(tmp_path, line(narrator={"alias": "Олена"})))
        assert "line 1: narrator.alias: 2 narrators without a code" in message
        assert Testimony.objects.count() == 0


class TestUpdate:
    def test_present_keys_replace_absent_keys_stay(self, tmp_path):
        first = line(
            "KS-1",
            body="Original text",
            themes=["Drones", "Shelter"],
            places=["Sudzha"],
            narrator={"code": "N-1", "alias": "Vera"},
            source={"title": "Project"},
            translations=[{"language": "ru", "title": "Заголовок"}],
            recorded_on="2024-08",
        )
        run(write_lines(tmp_path, first))
        original = Testimony.objects.get()
        second = line(
            "KS-1",
            title="New title",
            themes=["drones", "Return home"],
            translations=[{"language": "uk", "title": "Заголовок"}],
            status="published",
            content_warnings=["grief", "shelling"],
            consent={"status": "given", "date": "2024-09-01"},
            events_to="2024-09",
            sample=True,
        )
        out, _err = run(write_lines(tmp_path, second, name="update.jsonl"))
        assert "created: 0, updated: 1" in out
        t = Testimony.objects.get()
        assert t.pk == original.pk and t.created_at == original.created_at
        assert t.title == "New title"
        assert t.status == "published" and t.published_at is not None
        assert set(t.themes.names()) == {"Drones", "Return home"}
        assert [tr.language for tr in t.translations.all()] == ["uk"]
        assert t.content_warnings == ["grief", "shelling"] and t.is_sample
        assert (t.consent, t.consent_date) == ("given", datetime.date(2024, 9, 1))
        assert t.events_to == datetime.date(2024, 9, 30)
        assert t.updated_at > original.updated_at
        # Absent keys: unchanged.
        assert t.body == "Original text"
        assert list(t.places.names()) == ["Sudzha"]
        assert t.narrator.code == "N-1" and t.source.title == "Project"
        assert t.recorded_precision == "month"

    def test_null_and_empty_lists_clear(self, tmp_path):
        run(write_lines(tmp_path, line(themes=["A"], narrator={"alias": "V"})))
        run(write_lines(tmp_path, line(themes=[], narrator=None), name="b.jsonl"))
        t = Testimony.objects.get()
        assert list(t.themes.all()) == [] and t.narrator is None

    def test_update_of_admin_made_testimony(self, tmp_path):
        made = make_testimony(
            identifier="ADM-1",
            themes=["Old"],
            body="Body",
            consent="given",
            consent_scope="public",
        )
        run(write_lines(tmp_path, line("ADM-1", title="Imported title")))
        made.refresh_from_db()
        assert made.title == "Imported title" and made.body == "Body"
        assert list(made.themes.names()) == ["Old"]

    def test_changed_signal_lists_every_affected_testimony(self, tmp_path):
        bystander = make_testimony(themes=["Drones"])
        received = []

        def receiver(sender, ids, **kwargs):
            received.extend(ids)

        testimonies_changed.connect(receiver)
        try:
            renamed = line(
                "A", themes=[{"name": "drones", "names": {"ja": "ドローン"}}]
            )
            run(write_lines(tmp_path, renamed, line("B")))
        finally:
            testimonies_changed.disconnect(receiver)
        imported = set(
            Testimony.objects.exclude(pk=bystander.pk).values_list("pk", flat=True)
        )
        assert set(received) == imported | {bystander.pk}


class TestBadInput:
    """Each kind of bad line: reported with its line number and field, and the good
    line before it is not written either."""

    GOOD = line("GOOD-1", themes=["Drones"], places=["Sudzha"])

    @pytest.mark.parametrize(
        ("bad", "expected"),
        [
            pytest.param(b"\xff\xfe{}", "line 2: not valid UTF-8", id="utf8"),
            pytest.param('{"identifier": "X",', "line 2: invalid JSON", id="json"),
            pytest.param('["a list"]', "line 2: expected an object", id="not-object"),
            pytest.param(
                '{"identifier": "X", "title": "a", "title": "b", "language": "en"}',
                "line 2: invalid JSON: key “title” appears twice",
                id="duplicate-key",
            ),
            pytest.param(
                '{"identifier": "X", "title": "t", "language": "en", "sample": NaN}',
                "line 2: invalid JSON: NaN",
                id="nan",
            ),
            pytest.param(
                {"identifier": "X", "language": "en"},
                "line 2: title: required",
                id="missing-title",
            ),
            pytest.param(line(title=5), "line 2: title: expected a string", id="type"),
            pytest.param(
                line(title=""), "line 2: title: This field cannot be blank", id="blank"
            ),
            pytest.param(
                line(title="x" * 301),
                "line 2: title: Ensure this value has at most 300",
                id="too-long",
            ),
            pytest.param(
                line("has space"), "line 2: identifier: Use letters", id="identifier"
            ),
            pytest.param(
                line(language="english!"),
                "line 2: language: “english!” is not a language",
                id="language",
            ),
            pytest.param(
                line(recorded_on="2024-13"),
                "line 2: recorded_on: month must be in 1..12",
                id="date",
            ),
            pytest.param(
                line(recorded_on="Aug 2024"),
                'line 2: recorded_on: expected "YYYY"',
                id="date-form",
            ),
            pytest.param(
                line(recorded_on="2999-01"),
                "line 2: recorded_on: The recording date lies in the future",
                id="future",
            ),
            pytest.param(
                line(events_from="2024-09", events_to="2024-08"),
                "line 2: events_to: The events cannot end",
                id="events",
            ),
            pytest.param(
                line(status="gone"),
                "line 2: status: Value 'gone' is not a valid choice",
                id="choice",
            ),
            pytest.param(
                line(consent={"scope": "everyone"}),
                "line 2: consent.scope: Value 'everyone'",
                id="consent",
            ),
            pytest.param(
                line(published_at="yesterday"), "line 2: published_at:", id="datetime"
            ),
            pytest.param(
                line(content_warnings=["gore"]),
                "line 2: content_warnings: Unknown content warning: gore",
                id="warning",
            ),
            pytest.param(
                line(sample="yes"),
                "line 2: sample: expected true or false",
                id="boolean",
            ),
            pytest.param(
                line(titel="typo"), "line 2: titel: unknown key", id="unknown-key"
            ),
            pytest.param(
                line(narrator={"alias": "V", "nmae": "x"}),
                "line 2: narrator.nmae: unknown key",
                id="unknown-nested-key",
            ),
            pytest.param(
                line(narrator={"role": "resident"}),
                "line 2: narrator.alias: required",
                id="narrator-alias",
            ),
            pytest.param(
                line(narrator={"alias": "V", "age_group": "old"}),
                "line 2: narrator.age_group: Value 'old'",
                id="narrator-choice",
            ),
            pytest.param(
                line(places=[{"name": "P", "latitude": 91}]),
                "line 2: places[0].latitude: must lie between -90 and 90",
                id="latitude",
            ),
            pytest.param(
                line(places=[{"name": "P", "longitude": "35.2"}]),
                "line 2: places[0].longitude: expected a number",
                id="longitude",
            ),
            pytest.param(
                line(places=[{"name": "P", "kind": "planet"}]),
                "line 2: places[0].kind: Value 'planet'",
                id="kind",
            ),
            pytest.param(
                line(themes=[""]),
                "line 2: themes[0]: This field cannot be blank",
                id="blank-tag",
            ),
            pytest.param(
                line(themes="Drones"), "line 2: themes: expected a list", id="tags-type"
            ),
            pytest.param(
                line(themes=[{"name": "A", "names": {"russian!": "x"}}]),
                "line 2: themes[0].names.russian!: ",
                id="names-code",
            ),
            pytest.param(
                line(themes=[{"name": "A", "parent": "a"}]),
                "line 2: themes[0].parent: a tag cannot be its own parent",
                id="self-parent",
            ),
            pytest.param(
                line(source={}),
                "line 2: source: give at least one field",
                id="empty-source",
            ),
            pytest.param(
                line(source={"url": "not a url"}),
                "line 2: source.url: Enter a valid URL",
                id="url",
            ),
            pytest.param(
                line(source={"title": "S", "date": "2024-08"}),
                "line 2: source.date:",
                id="source-date",
            ),
            pytest.param(
                line(
                    translations=[
                        {"language": "ru", "title": "a"},
                        {"language": "RU", "title": "b"},
                    ]
                ),
                "line 2: translations[1].language: a second translation",
                id="translation-language",
            ),
            pytest.param(
                line(translations=[{"language": "ru"}]),
                "line 2: translations[0].title: required",
                id="translation-title",
            ),
            pytest.param(
                line(translations=[{"language": "ru", "title": "t", "kind": "ai"}]),
                "line 2: translations[0].kind: Value 'ai'",
                id="translation-kind",
            ),
            pytest.param(
                '{"identifier": "X", "title": "a\\u0000b", "language": "en"}',
                "line 2: title: contains a NUL",
                id="nul",
            ),
            pytest.param(
                '{"identifier": "X", "title": "a\\ud800", "language": "en"}',
                "line 2: title: contains an unpaired surrogate",
                id="surrogate",
            ),
            pytest.param(
                line("GOOD-1"),
                "line 2: identifier: “GOOD-1” already appears on line 1",
                id="duplicate-identifier",
            ),
        ],
    )
    def test_bad_line_is_reported_and_nothing_written(self, tmp_path, bad, expected):
        message = failure(write_lines(tmp_path, self.GOOD, bad))
        assert expected in message
        assert "nothing was imported" in message
        assert set(counts().values()) == {0}

    def test_parent_cycle_across_lines(self, tmp_path):
        path = write_lines(
            tmp_path,
            line("A", places=[{"name": "Sudzha", "parent": "Kursk Oblast"}]),
            line("B", places=[{"name": "Kursk Oblast", "parent": "Sudzha"}]),
        )
        message = failure(path)
        assert "line 1: places[0].parent: “Sudzha” cannot lie inside" in message
        assert "line 2: places[0].parent: “Kursk Oblast” cannot lie inside" in message
        assert set(counts().values()) == {0}

    def test_cycle_with_stored_parent(self, tmp_path):
        region = Place.objects.create(name="Region")
        Place.objects.create(name="Town", parent=region)
        path = write_lines(
            tmp_path, line(places=[{"name": "Region", "parent": "Town"}])
        )
        assert "line 1: places[0].parent:" in failure(path)
        assert Place.objects.get(name="Region").parent is None

    def test_every_problem_is_reported_in_line_order(self, tmp_path):
        path = write_lines(
            tmp_path,
            line("A", title=""),
            "not json",
            line("C", status="gone", language="?"),
        )
        message = failure(path).splitlines()
        assert "Found 4 problems" in message[0]
        assert [m.split(":")[0] for m in message[1:]] == [
            "line 1",
            "line 2",
            "line 3",
            "line 3",
        ]

    def test_long_reports_are_capped(self, tmp_path):
        path = write_lines(tmp_path, *(["{"] * 250))
        message = failure(path).splitlines()
        assert "Found 250 problems" in message[0]
        assert len(message) == 1 + 200 + 1
        assert message[-1] == "…and 50 more."

    def test_failure_while_writing_rolls_everything_back(self, tmp_path, monkeypatch):
        def explode(self):
            raise RuntimeError("disk full")

        monkeypatch.setattr(
            "testimonies.importing.writing.Testimonies.replace_translations", explode
        )
        with pytest.raises(RuntimeError):
            run(DATA / "good.jsonl")
        assert set(counts().values()) == {0}
        assert PlacedItem.objects.count() == 0

    def test_missing_file(self, tmp_path):
        assert "Cannot read" in failure(tmp_path / "nope.jsonl")

    def test_exit_status_is_non_zero(self, tmp_path, capsys):
        path = write_lines(tmp_path, line(title=""))
        with pytest.raises(SystemExit) as exit_:
            ImportCommand().run_from_argv(
                ["manage.py", "import_testimonies", str(path)]
            )
        assert exit_.value.code == 1
        assert "line 1: title:" in capsys.readouterr().err


class TestDryRun:
    def test_dry_run_reports_and_writes_nothing(self):
        out, _err = run(DATA / "good.jsonl", "--dry-run")
        assert "Dry run, nothing was written" in out
        assert "Testimonies to create: 3, to update: 0" in out
        assert set(counts().values()) == {0}

    def test_dry_run_counts_updates(self, tmp_path):
        make_testimony(identifier="KS-2024-0001")
        out, _err = run(DATA / "good.jsonl", "--dry-run")
        assert "to create: 2, to update: 1" in out

    def test_dry_run_reports_problems(self, tmp_path):
        assert "line 1: title:" in failure(
            write_lines(tmp_path, line(title=5)), "--dry-run"
        )


class TestLargeFiles:
    @staticmethod
    def rich_lines(count, prefix):
        return [
            line(
                f"{prefix}-{n}",
                body="Текст " * 50,
                recorded_on="2024-08",
                themes=[f"Theme {n}", "Drones"],
                places=[{"name": f"Village {n}", "parent": {"name": "Region"}}],
                narrator={"code": f"{prefix}-N-{n}", "alias": f"Narrator {n}"},
                source={"title": f"Source {n}"},
                translations=[{"language": "ja", "title": "題名"}],
            )
            for n in range(count)
        ]

    def queries(self, tmp_path, lines, name):
        path = write_lines(tmp_path, *lines, name=name)
        with CaptureQueriesContext(connection) as context, path.open("rb") as stream:
            import_testimonies(stream)
        return len(context.captured_queries)

    def test_query_count_does_not_grow_with_lines(self, tmp_path):
        small = self.queries(tmp_path, self.rich_lines(10, "S"), "s.jsonl")
        large = self.queries(tmp_path, self.rich_lines(50, "L"), "l.jsonl")
        # One more INSERT batch at most (SQLite allows 999 variables per query).
        assert large <= small + 2
        assert Testimony.objects.count() == 60

    def test_update_query_count_does_not_grow_with_lines(self, tmp_path):
        self.queries(tmp_path, self.rich_lines(50, "U"), "u1.jsonl")
        small = self.queries(tmp_path, self.rich_lines(10, "U"), "u2.jsonl")
        large = self.queries(tmp_path, self.rich_lines(50, "U"), "u3.jsonl")
        assert large <= small + 2
        assert Testimony.objects.count() == 50

    def test_progress_on_stderr_and_quiet_with_v0(self, tmp_path, monkeypatch):
        monkeypatch.setattr("testimonies.importing.reading.PROGRESS_EVERY", 2)
        monkeypatch.setattr("testimonies.importing.writing.BATCH", 2)
        path = write_lines(tmp_path, *(line(f"P-{n}") for n in range(5)))
        out, err = run(path)
        assert "Read 4 lines" in err and "Wrote 5 of 5 testimonies" in err
        assert "Testimonies created: 5" in out
        out, err = run(path, verbosity=0)
        assert (out, err) == ("", "")


class TestEmbargoesAndHostileValues:
    """``sealed_until``, identifiers that differ only in case, numbers too long."""

    def test_sealed_until_is_imported_and_exported(self, tmp_path):
        path = write_lines(
            tmp_path,
            line("SEAL-1", status="published", sealed_until="2031-05-09"),
            line("SEAL-2", sealed_until=None),
        )
        run(path)
        sealed = Testimony.objects.get(identifier="SEAL-1")
        assert sealed.sealed_until == datetime.date(2031, 5, 9)
        assert Testimony.objects.get(identifier="SEAL-2").sealed_until is None
        out = io.StringIO()
        call_command("export_testimonies", stdout=out, stderr=io.StringIO())
        exported = {
            record["identifier"]: record["sealed_until"]
            for record in map(json.loads, out.getvalue().splitlines())
        }
        assert exported == {"SEAL-1": "2031-05-09", "SEAL-2": None}

    def test_a_bad_embargo_date_is_a_line_error(self, tmp_path):
        path = write_lines(
            tmp_path, line("SEAL-1", sealed_until="next spring"), line("SEAL-2")
        )
        message = failure(path)
        assert "line 1: sealed_until:" in message
        assert not Testimony.objects.exists()

    def test_an_integer_of_thousands_of_digits_is_a_line_error(self, tmp_path):
        huge = '{"identifier": "BIG-1", "title": "t", "language": "en", "x": %s}'
        path = write_lines(tmp_path, line("OK-1"), huge % ("9" * 5000))
        message = failure(path)
        assert "line 2: invalid JSON: a number with too many digits" in message
        assert not Testimony.objects.exists()

    def test_identifiers_differing_only_in_case_in_one_file(self, tmp_path):
        path = write_lines(tmp_path, line("DEMO-EN-001"), line("demo-en-001"))
        message = failure(path)
        assert "line 2: identifier: “demo-en-001” already appears on line 1" in message

    def test_an_identifier_differing_only_in_case_from_a_stored_one(self, tmp_path):
        make_testimony(identifier="DEMO-EN-001")
        path = write_lines(tmp_path, line("demo-en-001", title="Twin"))
        message = failure(path)
        assert "line 1: identifier:" in message
        assert "differs only in case" in message and "“DEMO-EN-001”" in message
        assert Testimony.objects.get().title != "Twin"

    def test_a_body_over_the_size_limit_is_a_line_error(self, tmp_path):
        from testimonies.models.testimony import BODY_LIMIT, SUMMARY_LIMIT

        path = write_lines(
            tmp_path,
            line("HUGE-1", body="basement " * (BODY_LIMIT // 9 + 1)),
            line("HUGE-2", summary="x" * (SUMMARY_LIMIT + 1)),
            line("FITS-1", body="x" * BODY_LIMIT),
        )
        message = failure(path)
        assert "line 1: body: Ensure this value has at most 500000 char" in message
        assert "line 2: summary: Ensure this value has at most 5000" in message
        assert "line 3" not in message
        assert not Testimony.objects.exists()

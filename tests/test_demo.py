"""The demo collection: what ships in the file, and what `load_demo` makes of it."""

import collections
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from testimonies.management.commands import load_demo
from testimonies.models import (
    Narrator,
    Place,
    Source,
    Testimony,
    Theme,
    ThemedItem,
    Translation,
)

from .factories import make_researcher, make_testimony

pytestmark = pytest.mark.django_db

CANONICAL_THEMES = {
    "Shelter in basements",
    "Administrative collapse",
    "Closed evacuation routes",
    "Drones",
    "Information chaos",
    "Humanitarian aid",
    "Family separation",
    "Return home",
}
LANGUAGES = {"ja", "ru", "uk", "en"}
OTHER_LANGUAGES = {"ja", "ru", "uk"}


@pytest.fixture(scope="module")
def lines():
    text = load_demo.DEMO_COLLECTION.read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def tag_objects(lines, key):
    """Every tag defined as an object in the file (parents included), by name."""
    found = {}

    def visit(tag):
        if isinstance(tag, dict):
            found.setdefault(tag["name"], {}).update(tag)
            visit(tag.get("parent"))

    for line in lines:
        for tag in line.get(key, []):
            visit(tag)
    return found


def tag_names(line, key):
    return {tag if isinstance(tag, str) else tag["name"] for tag in line[key]}


def run(*args):
    out = StringIO()
    call_command("load_demo", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


class TestCollectionFile:
    """The shipped file itself, read as any import would read it."""

    def test_every_line_is_a_json_object_with_the_required_keys(self):
        raw = load_demo.DEMO_COLLECTION.read_bytes().decode("utf-8").splitlines()
        assert len(raw) >= 32
        for number, text in enumerate(raw, start=1):
            line = json.loads(text)
            assert isinstance(line, dict), number
            for key in ("identifier", "title", "language", "summary", "body"):
                assert isinstance(line.get(key), str) and line[key].strip(), (
                    number,
                    key,
                )

    def test_identifiers_are_unique(self, lines):
        identifiers = [line["identifier"] for line in lines]
        assert len(identifiers) == len(set(identifiers))

    def test_every_line_is_marked_as_a_fictional_sample(self, lines):
        for line in lines:
            assert line["sample"] is True, line["identifier"]
            assert "Fictional composite" in line["source"]["rights"]
            assert line["source"]["licence"] == "CC0-1.0"

    def test_four_languages_with_at_least_eight_each(self, lines):
        counts = collections.Counter(line["language"] for line in lines)
        assert set(counts) == LANGUAGES
        assert min(counts.values()) >= 8

    def test_bodies_have_several_paragraphs(self, lines):
        for line in lines:
            assert 3 <= len(line["body"].split("\n\n")) <= 6, line["identifier"]

    def test_every_canonical_theme_is_defined_and_used_several_times(self, lines):
        defined = tag_objects(lines, "themes")
        assert set(defined) == CANONICAL_THEMES
        for name, theme in defined.items():
            assert theme["description"], name
            assert set(theme["names"]) == OTHER_LANGUAGES, name
        usage = collections.Counter(
            name for line in lines for name in tag_names(line, "themes")
        )
        assert set(usage) == CANONICAL_THEMES
        assert min(usage.values()) >= 3

    def test_places_form_a_hierarchy_with_names_in_every_language(self, lines):
        places = tag_objects(lines, "places")
        for name, place in places.items():
            assert set(place["names"]) == OTHER_LANGUAGES, name
            if place["kind"] == "country":
                assert "parent" not in place, name
                continue
            assert place["parent"] in places, name  # no parent left undefined
            if place["kind"] == "settlement":
                assert -90 <= place["latitude"] <= 90, name
                assert -180 <= place["longitude"] <= 180, name
        kinds = collections.Counter(place["kind"] for place in places.values())
        assert kinds.keys() == {"country", "region", "district", "settlement"}
        assert places["Sudzha"]["names"]["ja"] == "スジャ"

    def test_every_line_names_places_the_file_defines(self, lines):
        defined = set(tag_objects(lines, "places"))
        for line in lines:
            assert line["places"], line["identifier"]
            assert tag_names(line, "places") <= defined, line["identifier"]

    def test_narrators_appear_only_under_aliases(self, lines):
        narrators = collections.Counter()
        for line in lines:
            narrator = line["narrator"]
            narrators[narrator["code"]] += 1
            assert narrator["alias"] and narrator["profile"]
            assert narrator.get("real_name", "(withheld — demo)") == (
                "(withheld — demo)"
            )
        assert max(narrators.values()) >= 2  # someone gave two testimonies

    def test_visibility_is_exercised(self, lines):
        kinds = collections.Counter((line["status"], line["access"]) for line in lines)
        statuses = {status for status, _access in kinds}
        assert statuses == set(Testimony.Status.values)
        assert kinds[("published", "researchers")] >= 1
        assert kinds[("published", "public")] > len(lines) // 2

    def test_public_testimonies_have_consent_for_public_release(self, lines):
        for line in lines:
            if line["status"] == "published" and line["access"] == "public":
                assert line["consent"]["status"] == "given", line["identifier"]
                assert line["consent"]["scope"] == "public", line["identifier"]


class TestLoadDemo:
    def test_loads_every_testimony_as_sample_data(self, lines):
        output = run()
        expected = collections.Counter(line["language"] for line in lines)
        loaded = collections.Counter(
            Testimony.objects.values_list("language", flat=True)
        )
        assert loaded == expected
        assert not Testimony.objects.filter(is_sample=False).exists()
        assert "fictional composite" in output
        translations = sum(len(line.get("translations", [])) for line in lines)
        assert Translation.objects.count() == translations > 0

    def test_four_recorded_interviews_one_per_language(self):
        from testimonies.models import Recording

        run()
        recordings = Recording.objects.select_related("testimony")
        assert sorted(r.testimony.language for r in recordings) == [
            "en",
            "ja",
            "ru",
            "uk",
        ]
        for recording in recordings:
            assert recording.testimony.is_sample
            assert "synthetic voice" in recording.credit.lower()
            assert recording.duration_ms > 10_000 and recording.kind == "audio"
            transcripts = {t.kind: t for t in recording.transcripts.all()}
            assert set(transcripts) == {"original", "human"}
            original = transcripts["original"]
            assert original.language == recording.testimony.language
            assert original.cues.count() >= 5
            # The voice lasts as long as what it says, and the index covers it.
            last = original.cues.order_by("-end_ms").first()
            assert last.end_ms <= recording.duration_ms
            assert recording.segments.count() == 2
            assert Recording.objects.visible_to(None).filter(pk=recording.pk).exists()
            # What it says is searchable, and found at its moment.
            assert original.text.splitlines()[0] == original.cues.first().text
        from testimonies.search import search

        [hit] = search(Testimony.objects.visible_to(None), "сухо").filter(
            identifier="DEMO-RU-002"
        )[0:1]
        assert [m.start for m in hit.search_moments] == [6_218]

    def test_a_demo_recording_plays_with_a_range_silenced(
        self, django_capture_on_commit_callbacks, client
    ):
        from testimonies.models import Recording

        with django_capture_on_commit_callbacks(execute=True):
            run()
        recording = Recording.objects.get(testimony__identifier="DEMO-UK-002")
        assert recording.public_silences == [[5_692, 8_034]]
        assert client.get(recording.file.url).status_code == 404
        assert client.get(recording.playable_file().url).status_code == 200
        page = client.get(recording.testimony.get_absolute_url()).content.decode()
        assert "сусідів" not in page
        assert "Зараз мед возить волонтер." in page

    def test_the_demo_recordings_ship_small(self):
        from testimonies.management.commands.load_demo import DEMO_COLLECTION

        media = DEMO_COLLECTION.parent / "media"
        assert sum(path.stat().st_size for path in media.iterdir()) < 400_000

    def test_every_canonical_theme_is_in_use_with_its_names(self):
        run()
        themes = {theme.name: theme for theme in Theme.objects.with_usage()}
        assert set(themes) == CANONICAL_THEMES
        for theme in themes.values():
            assert theme.usage >= 3
            assert set(theme.names) == OTHER_LANGUAGES

    def test_sudzha_lies_in_russia_and_has_its_japanese_name(self):
        run()
        sudzha = Place.objects.get(name="Sudzha")
        assert sudzha.names["ja"] == "スジャ"
        assert sudzha.names["ru"] == "Суджа"
        assert [(place.name, place.kind) for place in sudzha.ancestors()] == [
            ("Sudzhansky District", "district"),
            ("Kursk Oblast", "region"),
            ("Russia", "country"),
        ]
        russia = Place.objects.get(name="Russia")
        assert sudzha.pk in russia.descendant_ids()

    def test_filtering_by_a_region_finds_testimonies_in_its_settlements(self):
        run()
        sumy_oblast = Place.objects.get(name="Sumy Oblast")
        expected = {
            testimony.identifier
            for testimony in Testimony.objects.prefetch_related("places")
            if any(
                sumy_oblast in (place, *place.ancestors())
                for place in testimony.places.all()
            )
        }
        found = Testimony.objects.filter_by(place=sumy_oblast)
        assert set(found.values_list("identifier", flat=True)) == expected
        assert 0 < len(expected) < Testimony.objects.count()
        assert found.filter(placed_items__tag__name="Krasnopillia").exists()

    def test_loading_twice_does_not_duplicate_anything(self):
        run()
        from testimonies.models import Cue, Recording

        models = [Testimony, Theme, Place, Narrator, Source, Translation, ThemedItem]
        models += [Recording, Cue]
        before = {model: model.objects.count() for model in models}
        run()
        assert {model: model.objects.count() for model in models} == before

    def test_narrator_with_two_testimonies_is_one_narrator(self, lines):
        run()
        codes = collections.Counter(line["narrator"]["code"] for line in lines)
        code, count = codes.most_common(1)[0]
        assert count >= 2
        assert Narrator.objects.get(code=code).testimonies.count() == count

    def test_if_empty_loads_into_an_empty_archive(self, lines):
        run("--if-empty")
        assert Testimony.objects.count() == len(lines)

    def test_if_empty_skips_when_any_testimony_exists(self):
        make_testimony(identifier="REAL-0001")
        output = run("--if-empty")
        assert "not loaded" in output
        assert list(Testimony.objects.values_list("identifier", flat=True)) == [
            "REAL-0001"
        ]
        assert not Theme.objects.exists()

    def test_anonymous_visitors_see_only_published_public(self, lines):
        run()
        public = {
            line["identifier"]
            for line in lines
            if (line["status"], line["access"]) == ("published", "public")
        }
        visible = Testimony.objects.visible_to(None)
        assert set(visible.values_list("identifier", flat=True)) == public
        assert len(public) < len(lines)

    def test_researchers_also_see_researcher_only_but_no_withdrawn(self, lines):
        run()
        expected = {
            line["identifier"]
            for line in lines
            if line["status"] == "published"
            and line["access"] in ("public", "researchers")
        }
        visible = Testimony.objects.visible_to(make_researcher())
        assert set(visible.values_list("identifier", flat=True)) == expected
        assert not visible.filter(status=Testimony.Status.WITHDRAWN).exists()

    def test_recording_dates_keep_their_precision(self, lines):
        run()
        by_identifier = {line["identifier"]: line for line in lines}
        precisions = set()
        for testimony in Testimony.objects.all():
            written = by_identifier[testimony.identifier]["recorded_on"]
            precision = {4: "year", 7: "month", 10: "day"}[len(written)]
            assert testimony.recorded_precision == precision
            assert testimony.recorded_on.isoformat().startswith(written)
            precisions.add(precision)
        assert precisions == {"year", "month", "day"}


class TestLoadDemoBadInput:
    def test_missing_collection_is_a_clear_error(self, monkeypatch, tmp_path):
        monkeypatch.setattr(load_demo, "DEMO_COLLECTION", tmp_path / "gone.jsonl")
        with pytest.raises(CommandError, match="demo collection is missing"):
            run()
        assert not Testimony.objects.exists()

    def test_a_broken_collection_writes_nothing(self, monkeypatch, tmp_path, lines):
        broken = tmp_path / "collection.jsonl"
        good = json.dumps(lines[0], ensure_ascii=False)
        broken.write_text(good + "\n{not json\n", encoding="utf-8")
        monkeypatch.setattr(load_demo, "DEMO_COLLECTION", broken)
        with pytest.raises(CommandError, match="line 2"):
            run()
        assert not Testimony.objects.exists()
        assert not Place.objects.exists()

    def test_unknown_option_is_refused(self):
        with pytest.raises(CommandError):
            run("--everything")

"""Hostile hierarchies: themes and places nest at most MAX_DEPTH levels, never in a
cycle, and no chain already in the database (from before the limit, or written
around it) can make a page recurse without end."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from testimonies.models import Place, Testimony, Theme
from testimonies.models.tags import MAX_DEPTH

from .factories import make_archivist, make_place, make_testimony, make_theme

pytestmark = pytest.mark.django_db


def chain(model, length, prefix):
    """``length`` tags, each the parent of the next, written around every check
    (bulk, as raw SQL or an old version of the archive could have)."""
    tags = model.objects.bulk_create(
        model(name=f"{prefix} {n}", key=f"{prefix} {n}".lower(), slug=f"{prefix}-{n}")
        for n in range(length)
    )
    for parent, child in zip(tags, tags[1:], strict=False):
        child.parent = parent
    model.objects.bulk_update(tags[1:], ["parent"])
    return tags


class TestTheModelRefusesDeepOrCircularHierarchies:
    def test_the_deepest_allowed_level_and_one_more(self):
        tags = chain(Place, MAX_DEPTH, "level")
        tags[-1].full_clean()  # exactly MAX_DEPTH levels: fine
        too_deep = Place(name="One level too deep", parent=tags[-1])
        with pytest.raises(ValidationError) as error:
            too_deep.full_clean()
        assert f"at most {MAX_DEPTH} levels" in str(error.value.message_dict["parent"])

    def test_moving_a_subtree_under_a_deep_parent(self):
        deep = chain(Place, MAX_DEPTH - 1, "deep")
        subtree = chain(Place, 3, "subtree")
        top = subtree[0]
        top.parent = deep[-1]
        with pytest.raises(ValidationError) as error:
            top.full_clean()
        assert f"there would be {MAX_DEPTH + 2}" in str(error.value)

    def test_a_cycle_is_refused(self):
        first, second = chain(Theme, 2, "cycle")
        first.parent = second
        with pytest.raises(ValidationError, match="its own ancestor"):
            first.full_clean()


class TestTheAdminAnswersWithAFormError:
    def test_a_parent_too_deep(self, client):
        client.force_login(make_archivist())
        tags = chain(Place, MAX_DEPTH, "admin")
        response = client.post(
            reverse("admin:testimonies_place_add"),
            {
                "name": "Too deep",
                "kind": "settlement",
                "parent": tags[-1].pk,
                "names": "{}",
            },
        )
        assert response.status_code == 200
        assert f"at most {MAX_DEPTH} levels" in response.content.decode()
        assert not Place.objects.filter(name="Too deep").exists()


def nested(levels):
    place = {"name": "Level 0"}
    for level in range(1, levels):
        place = {"name": f"Level {level}", "parent": place}
    return place


def import_lines(tmp_path, *lines):
    path = tmp_path / "hostile.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    call_command("import_testimonies", str(path), stdout=None, verbosity=0)


class TestImportRefusesDeepOrCircularHierarchies:
    def test_a_line_nesting_930_parents(self, tmp_path):
        line = {"identifier": "DEEP-1", "title": "t", "language": "en"}
        with pytest.raises(CommandError) as error:
            import_lines(tmp_path, {**line, "places": [nested(930)]})
        message = str(error.value)
        assert "line 1: places[0]" in message
        assert f"parents nested more than {MAX_DEPTH} levels deep" in message
        assert not Place.objects.exists() and not Testimony.objects.exists()

    def test_the_deepest_allowed_chain_in_one_line(self, tmp_path):
        line = {"identifier": "DEEP-1", "title": "t", "language": "en"}
        import_lines(tmp_path, {**line, "places": [nested(MAX_DEPTH)]})
        assert Place.objects.count() == MAX_DEPTH

    def test_a_chain_built_line_by_line(self, tmp_path):
        lines = [
            {
                "identifier": f"STEP-{n}",
                "title": "t",
                "language": "en",
                "places": [{"name": f"Step {n}", "parent": f"Step {n - 1}"}],
            }
            for n in range(1, MAX_DEPTH + 2)
        ]
        with pytest.raises(CommandError) as error:
            import_lines(tmp_path, *lines)
        assert "would lie more than" in str(error.value)
        assert not Place.objects.exists()

    def test_a_file_extending_a_stored_chain(self, tmp_path):
        stored = chain(Place, MAX_DEPTH - 1, "stored")
        line = {"identifier": "EXT-1", "title": "t", "language": "en"}
        two_more = {
            "name": "Below 2",
            "parent": {"name": "Below 1", "parent": stored[-1].name},
        }
        with pytest.raises(CommandError) as error:
            import_lines(tmp_path, {**line, "places": [two_more]})
        assert "line 1: places[0]" in str(error.value)
        assert "“Below 2” would lie more than" in str(error.value)

    def test_a_cycle_across_lines(self, tmp_path):
        base = {"title": "t", "language": "en"}
        lines = [
            {**base, "identifier": "C-1", "themes": [{"name": "A", "parent": "B"}]},
            {**base, "identifier": "C-2", "themes": [{"name": "B", "parent": "A"}]},
        ]
        with pytest.raises(CommandError, match="which lies inside it"):
            import_lines(tmp_path, *lines)


class TestPagesSurviveChainsWrittenAroundTheChecks:
    """The finding: a chain about 930 deep, even attached only to a draft, made
    the home page, browse, the places page and every place page answer 500."""

    def test_a_930_level_chain_on_a_draft(self, client):
        places = chain(Place, 930, "hostile")
        make_testimony(identifier="DRAFT-1", status="draft", places=[places[-1]])
        make_testimony(identifier="OPEN-1", places=[places[0]])
        for url in [
            "/",
            "/testimonies/",
            "/places/",
            places[0].get_absolute_url(),
            places[500].get_absolute_url(),
            places[-1].get_absolute_url(),
            f"/testimonies/?place={places[0].slug}",
            "/search/?q=hostile",
            "/api/v1/testimonies/?place=" + places[0].slug,
        ]:
            assert client.get(url).status_code in (200, 404), url

    def test_a_public_chain_of_100_levels(self, client):
        places = chain(Place, 100, "public")
        themes = chain(Theme, 100, "theme")
        make_testimony(identifier="OPEN-1", places=[places[-1]], themes=[themes[-1]])
        for url in ["/places/", "/themes/", "/", places[-1].get_absolute_url()]:
            response = client.get(url)
            assert response.status_code == 200, url
        assert "public 99" in client.get("/places/").content.decode()

    def test_the_admin_lists_and_filters_a_deep_chain(self, client):
        client.force_login(make_archivist())
        places = chain(Place, 930, "admin")
        make_testimony(identifier="OPEN-1", places=[places[-1]])
        changelist = reverse("admin:testimonies_testimony_changelist")
        assert client.get(changelist).status_code == 200
        place_filter = client.get(changelist, {"place": places[0].pk})
        assert place_filter.status_code == 200

    def test_export_of_a_deep_chain_is_bounded(self, tmp_path):
        import io

        places = chain(Place, 930, "export")
        make_testimony(identifier="DRAFT-1", status="draft", places=[places[-1]])
        out = io.StringIO()
        call_command("export_testimonies", stdout=out, stderr=io.StringIO())
        place = json.loads(out.getvalue())["places"][0]
        levels = 1
        while isinstance(place.get("parent"), dict):
            place, levels = place["parent"], levels + 1
        assert levels == MAX_DEPTH
        # The last level names its stored parent: a round trip changes nothing.
        assert place["parent"] == places[-1 - MAX_DEPTH].name
        path = tmp_path / "round-trip.jsonl"
        path.write_text(out.getvalue())
        call_command("import_testimonies", str(path), verbosity=0)
        assert Place.objects.get(pk=places[-1].pk).ancestors()[:1] == [places[-2]]
        assert (
            Place.objects.get(pk=places[-MAX_DEPTH].pk).parent_id
            == places[-1 - MAX_DEPTH].pk
        )


def test_a_tag_without_children_is_one_level_high():
    assert make_theme("Top").height() == 1
    assert make_place("Top place").height() == 1


def test_a_merge_that_would_nest_too_deep_is_refused(client):
    client.force_login(make_archivist())
    deep = chain(Place, MAX_DEPTH - 1, "deep")
    shallow = chain(Place, 3, "shallow")  # two levels below its top
    changelist = reverse("admin:testimonies_place_changelist")
    response = client.post(
        changelist,
        {
            "action": "merge_selected",
            "_selected_action": [deep[-1].pk, shallow[0].pk],
            "post": "yes",
            "keep": deep[-1].pk,
        },
    )
    assert response.status_code == 200
    assert "levels deep" in response.content.decode()
    assert Place.objects.filter(pk=shallow[0].pk).exists()
    # Keeping the shallow one moves nothing deep: the merge goes through.
    response = client.post(
        changelist,
        {
            "action": "merge_selected",
            "_selected_action": [deep[-1].pk, shallow[0].pk],
            "post": "yes",
            "keep": shallow[0].pk,
        },
    )
    assert response.status_code == 302
    assert not Place.objects.filter(pk=deep[-1].pk).exists()

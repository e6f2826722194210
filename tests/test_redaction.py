"""Redaction: passages archivists hide stay in the archive and out of every public text.

Hidden words here are invented ("Quorvath", "Lindenholm", "Дзюбарчук"); no surface
an anonymous visitor reaches may show them.
"""

import io
import json
import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from testimonies import redaction
from testimonies.models import Testimony, Translation
from testimonies.redaction import MARK, has_redactions, redact
from testimonies.search import search

from .factories import make_archivist, make_narrator, make_testimony, make_theme

pytestmark = pytest.mark.django_db

HIDDEN = ("Quorvath", "Lindenholm", "Дзюбарчук")
BODY = (
    "Our neighbour [[Ivan Quorvath, 17 Lindenholm Lane]] drove us to the border.\n\n"
    "Пан [[Дзюбарчук]] остался в подвале."
)


def consented(**fields):
    fields.setdefault("consent", "given")
    fields.setdefault("consent_scope", "public")
    return make_testimony(**fields)


@pytest.fixture
def redacted():
    testimony = consented(
        identifier="RD-1",
        title="The drive with [[Quorvath]]",
        summary="How [[Quorvath]] saved the family.",
        body=BODY,
        themes=[make_theme("Evacuation")],
    )
    Translation.objects.create(
        testimony=testimony,
        language="uk",
        title="Поїздка з [[Quorvath]]",
        body="Сусід [[Lindenholm]] вивіз нас.",
    )
    return testimony


def assert_hidden(text):
    for word in HIDDEN:
        assert word not in text, word


class TestMarkers:
    def test_passage_becomes_one_mark(self):
        assert redact("A [[secret name]] left.") == f"A {MARK} left."

    def test_mark_does_not_tell_the_length(self):
        assert redact("[[Al]]") == redact("[[Alexandra Konstantinopolskaya]]") == MARK

    def test_several_passages_and_lines(self):
        text = "[[a]] and [[b\nc]] end"
        assert redact(text) == f"{MARK} and {MARK} end"

    def test_text_without_markers_is_unchanged(self):
        for text in ["", None, "Plain [text] with ] brackets [", "a]b[c"]:
            assert redact(text) == text
            assert not has_redactions(text)

    def test_backslash_makes_brackets_literal(self):
        text = r"Array \[[0]\]] and [[name]]"
        assert redact(text) == f"Array [[0]]] and {MARK}"
        assert redaction.problems(text) == []
        assert not has_redactions(r"only \[[literal\]]")

    def test_nested_passages_hide_everything_as_one_mark(self):
        assert redact("x [[a [[b]] c]] y") == f"x {MARK} y"

    def test_unclosed_passage_hides_the_rest_and_is_reported(self):
        text = "line one\nMy name is [[Quorvath and more"
        assert redact(text) == f"line one\nMy name is {MARK}"
        (problem,) = redaction.problems(text)
        assert problem.kind == "unclosed" and problem.line == 2
        assert "Line 2" in problem.message() and "never closed" in problem.message()

    def test_stray_closing_is_shown_as_written_and_reported(self):
        text = "Quorvath]] said"
        assert redact(text) == text
        (problem,) = redaction.problems(text)
        assert problem.kind == "unopened"
        assert "closes no redaction" in problem.message()

    def test_validate_lists_every_problem(self):
        with pytest.raises(ValidationError) as error:
            redaction.validate("a]] b\n\nc [[d")
        assert len(error.value.messages) == 2
        redaction.validate("fine [[hidden]]")  # no error

    def test_mark_holds_no_searchable_characters(self):
        from testimonies.search import analyzer

        assert analyzer.index_tokens(f"word {MARK} word") == ["word", "word"]


class TestValidation:
    def test_testimony_reports_unbalanced_markers_by_field(self):
        testimony = Testimony(
            identifier="V-1",
            title="Fine [[title]]",
            summary="Broken [[summary",
            body="Broken]] body",
            language="en",
        )
        with pytest.raises(ValidationError) as error:
            testimony.full_clean()
        assert set(error.value.message_dict) == {"summary", "body"}

    def test_translation_reports_unbalanced_markers(self):
        testimony = consented(identifier="V-2")
        translation = Translation(
            testimony=testimony, language="uk", title="Назва [[без кінця"
        )
        with pytest.raises(ValidationError) as error:
            translation.full_clean()
        assert "title" in error.value.message_dict

    def test_clean_of_deferred_text_runs_no_query(self):
        consented(identifier="V-3", body="[[never closed")
        testimony = Testimony.objects.defer("summary", "body").get(identifier="V-3")
        with CaptureQueriesContext(connection) as queries:
            testimony.clean()
        assert len(queries) == 0

    def test_import_reports_the_line_and_field(self, tmp_path):
        path = tmp_path / "in.jsonl"
        line = {"identifier": "IM-1", "title": "T", "language": "en"}
        path.write_text(json.dumps({**line, "body": "Name: [[Quorvath"}) + "\n")
        with pytest.raises(Exception) as error:
            call_command("import_testimonies", str(path), verbosity=0)
        assert "line 1: body:" in str(error.value)
        assert not Testimony.objects.exists()

    def test_markers_round_trip_through_the_archivists_export(self, tmp_path):
        consented(identifier="RT-1", body=BODY, title=r"Literal \[[x\]]")
        out = io.StringIO()
        call_command("export_testimonies", stdout=out, stderr=io.StringIO())
        (record,) = [json.loads(line) for line in out.getvalue().splitlines()]
        assert record["body"] == BODY and record["title"] == r"Literal \[[x\]]"
        path = tmp_path / "export.jsonl"
        path.write_text(out.getvalue(), encoding="utf-8")
        Testimony.objects.all().delete()
        call_command("import_testimonies", str(path), verbosity=0)
        assert Testimony.objects.get(identifier="RT-1").body == BODY


class TestPublicSurfaces:
    def test_testimony_page_shows_marks_with_a_label(self, client, redacted):
        page = client.get(redacted.get_absolute_url()).content.decode()
        assert_hidden(page)
        assert page.count(MARK) >= 4  # title, summary, two in the body
        assert 'class="visually-hidden">(redacted)' in page
        assert "drove us to the border" in page

    def test_translation_is_redacted_too(self, client, redacted):
        page = client.get(redacted.get_absolute_url() + "?lang=uk").content.decode()
        assert_hidden(page)
        assert "вивіз нас" in page

    def test_archivists_see_marks_on_the_site(self, client, redacted):
        client.force_login(make_archivist())
        assert_hidden(client.get(redacted.get_absolute_url()).content.decode())

    def test_lists_home_and_theme_pages(self, client, redacted):
        for url in ["/", "/testimonies/", "/themes/evacuation/"]:
            response = client.get(url)
            assert response.status_code == 200, url
            page = response.content.decode()
            assert_hidden(page)
            assert MARK in page, url

    def test_related_testimonies_and_citation(self, client, redacted):
        other = consented(themes=["Evacuation"])
        page = client.get(other.get_absolute_url()).content.decode()
        assert f"The drive with {MARK}" in page
        assert_hidden(page)
        own = client.get(redacted.get_absolute_url()).content.decode()
        assert f"“The drive with {MARK}.”" in own  # Chicago
        assert f"{{The drive with {MARK}}}" in own  # BibTeX title

    def test_feed(self, client, redacted):
        body = client.get("/feeds/latest/").content.decode()
        assert_hidden(body)
        entry = ET.fromstring(body).find("{http://www.w3.org/2005/Atom}entry")
        assert entry.findtext("{http://www.w3.org/2005/Atom}title") == (
            f"The drive with {MARK}"
        )

    def test_search_never_finds_a_hidden_word(self, redacted):
        everything = Testimony.objects.all()  # archivists included
        for word in [*HIDDEN, "Ivan"]:
            assert not search(everything, word), word
        assert [t.identifier for t in search(everything, "border")] == ["RD-1"]
        assert [t.identifier for t in search(everything, "вивіз")] == ["RD-1"]

    def test_snippets_show_the_mark(self, redacted):
        (hit,) = search(Testimony.objects.visible_to(None), "neighbour")[:1]
        assert "<mark>neighbour</mark>" in hit.search_snippet
        assert MARK in hit.search_snippet
        assert_hidden(hit.search_snippet)

    def test_editing_a_redaction_updates_the_index(self, redacted):
        redacted.body = "Our neighbour Ivan drove us."
        redacted.save()
        assert search(Testimony.objects.all(), "Ivan")
        redacted.body = "Our neighbour [[Ivan]] drove us."
        redacted.save()
        assert not search(Testimony.objects.all(), "Ivan")

    def test_public_export_is_redacted(self, redacted):
        out = io.StringIO()
        call_command("export_testimonies", "--public", stdout=out, stderr=io.StringIO())
        assert_hidden(out.getvalue())
        (record,) = [json.loads(line) for line in out.getvalue().splitlines()]
        assert record["title"] == f"The drive with {MARK}"
        assert record["translations"][0]["body"] == f"Сусід {MARK} вивіз нас."


class TestAdmin:
    def test_change_form_shows_the_original_and_explains_markers(
        self, client, redacted
    ):
        client.force_login(make_archivist())
        url = reverse("admin:testimonies_testimony_change", args=[redacted.pk])
        page = client.get(url).content.decode()
        assert "[[Ivan Quorvath, 17 Lindenholm Lane]]" in page
        assert "Поїздка з [[Quorvath]]" in page  # translation inline
        assert "double brackets" in page

    def test_unbalanced_markers_are_refused_with_a_clear_error(self, client, redacted):
        from .test_admin import form_data

        client.force_login(make_archivist())
        url = reverse("admin:testimonies_testimony_change", args=[redacted.pk])
        data = form_data(identifier="RD-1", body="Name: [[Quorvath", status="draft")
        response = client.post(url, data)
        assert response.status_code == 200
        assert "is never closed" in response.content.decode()
        redacted.refresh_from_db()
        assert redacted.body == BODY

    def test_narrator_alias_is_not_redactable_but_untouched(self, client):
        testimony = consented(narrator=make_narrator(alias="[[Not a marker]]"))
        page = client.get(testimony.get_absolute_url()).content.decode()
        assert "[[Not a marker]]" in page

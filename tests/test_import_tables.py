"""Spreadsheets in and out: the CSV and XLSX layout of docs/import-format.md
(testimonies.tabular, testimonies.importing.tables)."""

import io
import re
import zipfile

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from testimonies.exporting import export_table
from testimonies.importing import ImportFailed, import_testimonies
from testimonies.models import Narrator, Testimony, Translation

from .factories import make_narrator, make_place, make_testimony, make_theme

pytestmark = pytest.mark.django_db

HEADER = "identifier,title,language,themes,places,narrator.alias,recorded_on"


def load(text, **options):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return import_testimonies(io.BytesIO(data), **options)


def problems_of(text):
    with pytest.raises(ImportFailed) as failed:
        load(text)
    return [(p.line, p.field, str(p.message)) for p in failed.value.problems]


def exported(**options):
    stream = io.StringIO()
    export_table(stream, **options)
    return stream.getvalue()


@pytest.fixture
def archive():
    theme, other = make_theme("Evacuation"), make_theme("Drones; at night")
    place = make_place("Sudzha", kind="settlement")
    testimony = make_testimony(
        identifier="CSV-1",
        title="Along the road",
        summary="A summary, with a comma",
        body='First line.\nSecond line with "quotes".',
        language="ru",
        content_warnings=["violence"],
        consent="given",
        consent_scope="public",
        narrator=make_narrator(alias="Anna", code="N-1"),
        themes=[theme, other],
        places=[place],
    )
    Translation.objects.create(
        testimony=testimony, language="en", title="Along the road (en)", body="Text."
    )
    make_testimony(
        identifier="CSV-2",
        title="Second",
        language="uk",
        consent="given",
        consent_scope="public",
    )
    return testimony


def test_export_import_export_gives_the_same_file(archive):
    first = exported()
    Testimony.objects.all().delete()
    result = load(first)
    assert result.created == 2
    assert exported() == first
    testimony = Testimony.objects.get(identifier="CSV-1")
    assert testimony.body == 'First line.\nSecond line with "quotes".'
    assert sorted(testimony.themes.names()) == ["Drones; at night", "Evacuation"]
    assert testimony.narrator.alias == "Anna"
    assert testimony.translations.get().title == "Along the road (en)"


def test_the_header_and_cells_follow_the_documented_layout(archive):
    text = exported()
    assert text.startswith("\ufeffidentifier,title,language,summary,body,")
    header = text[1:].split("\r\n", 1)[0].split(",")
    assert "narrator.alias" in header and "source.title" in header
    assert "translation.en.title" in header
    assert "narrator.real_name" not in header
    assert "Drones\\; at night; Evacuation" in text
    assert "narrator.real_name" in exported(include_private=True)


def test_excel_semicolons_and_a_byte_order_mark_are_read():
    make_theme("Evacuation")
    data = (
        "\ufeffidentifier;title;language;themes;summary\r\n"
        'XL-1;Title, with comma;en;"Evacuation; Shelter";"Two\r\nlines"\r\n'
    ).encode()
    result = load(data)
    assert result.created == 1 and result.new_themes == ["Shelter"]
    testimony = Testimony.objects.get(identifier="XL-1")
    assert testimony.title == "Title, with comma"
    assert testimony.summary == "Two\r\nlines"
    assert sorted(testimony.themes.names()) == ["Evacuation", "Shelter"]


def test_a_broken_row_is_named_by_its_line_and_nothing_is_written():
    text = (
        f"{HEADER}\n"
        "OK-1,Fine,en,,,,2024-08\n"
        'OK-2,"A title\nover two lines",en,,,,2024\n'
        "BAD-1,Too few cells\n"
        "BAD-2,Bad date,en,,,,2024-13\n"
    )
    problems = problems_of(text)
    assert problems[0][0] == 5 and "2 cells, the header 7" in problems[0][2]
    assert problems[1][:2] == (6, "recorded_on")
    assert not Testimony.objects.exists()


def test_unknown_and_repeated_columns_are_refused_on_the_header_line():
    text = (
        "# a comment\n"
        "identifier,title,titel,language,title,narrator.secret\n"
        "X,Y,Z,en,Y,S\n"
    )
    problems = problems_of(text)
    messages = [message for line, _field, message in problems if line == 2]
    assert "“titel” is not a column of the layout" in messages
    assert "“narrator.secret” is not a column of the layout" in messages
    assert "the column “title” appears twice" in messages


def test_invalid_utf8_and_unclosed_quotes_are_problems_not_errors():
    problems = problems_of(b"identifier,title,language\nA,\xff\xfe,en\n")
    assert problems == [
        (2, "", "not valid UTF-8 (byte 3): the file is read no further")
    ]
    problems = problems_of('identifier,title,language\nA,"never closed,en\n')
    assert problems == [(2, "", "unreadable CSV: unexpected end of data")]


def test_a_download_with_its_preamble_imports_back(client, archive):
    response = client.get("/testimonies/", {"format": "csv"})
    data = b"".join(response.streaming_content)
    assert data.startswith("\ufeff# ".encode())
    Testimony.objects.all().delete()
    result = load(data)
    assert result.created == 2
    assert Testimony.objects.get(identifier="CSV-1").title == "Along the road"


def test_an_empty_cell_leaves_the_stored_value(archive):
    load("identifier,title,language,summary,themes\nCSV-1,New title,ru,,\n")
    archive.refresh_from_db()
    assert archive.title == "New title"
    assert archive.summary == "A summary, with a comma"
    assert archive.themes.count() == 2


def workbook_bytes(rows, formula_value=None):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    stream = io.BytesIO()
    book.save(stream)
    if formula_value is None:
        return stream.getvalue()
    # openpyxl writes no saved value for a formula; Excel does: add one.
    source, target = zipfile.ZipFile(stream), io.BytesIO()
    with zipfile.ZipFile(target, "w") as rewritten:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(
                    rb"(<f>[^<]*</f>)(<v>[^<]*</v>|<v/>)?",
                    rb"\1<v>" + formula_value.encode() + rb"</v>",
                    data,
                )
            rewritten.writestr(item, data)
    return target.getvalue()


def test_an_xlsx_sheet_imports_like_a_csv():
    make_place("Sudzha", kind="settlement")
    data = workbook_bytes(
        [
            ["# exported from a spreadsheet"],
            ["identifier", "title", "language", "places", "recorded_on", "sample"],
            ["XL-1", "From a workbook", "ru", "Sudzha", "2024-08", True],
            [None, None, None, None, None, None],
            ["XL-2", 42, "en", None, None, False],
        ]
    )
    result = load(data)
    assert result.created == 2
    first = Testimony.objects.get(identifier="XL-1")
    assert first.places.get().name == "Sudzha" and first.is_sample
    assert Testimony.objects.get(identifier="XL-2").title == "42"


def test_an_xlsx_formula_is_imported_as_its_saved_value_never_evaluated():
    data = workbook_bytes(
        [
            ["identifier", "title", "language"],
            ["XL-F", "=1+1", "en"],
        ],
        formula_value="2",
    )
    load(data)
    assert Testimony.objects.get(identifier="XL-F").title == "2"


def test_an_xlsx_row_with_a_problem_is_named_by_its_sheet_row():
    data = workbook_bytes(
        [
            ["identifier", "title", "language"],
            ["XL-1", "Fine", "en"],
            ["XL-2", "", "en"],
        ]
    )
    problems = problems_of(data)
    assert [(line, field) for line, field, _m in problems] == [(3, "title")]


def test_a_broken_workbook_is_refused_with_a_message():
    data = workbook_bytes([["identifier", "title", "language"], ["X", "Y", "en"]])
    broken = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(broken, "w") as target,
    ):
        for item in source.infolist():
            if not item.filename.startswith("xl/worksheets/"):
                target.writestr(item, source.read(item.filename))
    assert problems_of(broken.getvalue()) == [(1, "", "the workbook has no sheet")]
    # Its XML damaged:
    damaged = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(damaged, "w") as target,
    ):
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                content = content[: len(content) // 2]
            target.writestr(item, content)
    problems = problems_of(damaged.getvalue())
    assert problems[0][0] == 1 and "not a readable XLSX workbook" in problems[0][2]


def test_the_commands_read_and_write_csv(archive, tmp_path):
    path = tmp_path / "all.csv"
    call_command("export_testimonies", "--output", str(path), verbosity=0)
    assert path.read_text(encoding="utf-8").startswith("\ufeffidentifier,")
    stdout = io.StringIO()
    call_command("import_testimonies", str(path), "--dry-run", stdout=stdout)
    assert "to update: 2" in stdout.getvalue()
    with pytest.raises(CommandError, match="--media needs JSON Lines"):
        call_command("export_testimonies", "--format", "csv", "--media", "m")
    broken = tmp_path / "broken.csv"
    broken.write_text("identifier,title\nX\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 2"):
        call_command("import_testimonies", str(broken))


def test_a_public_csv_never_carries_narrator_codes(archive):
    text = exported(public=True)
    assert "narrator.code" not in text and "N-1" not in text
    assert Narrator.objects.filter(code="N-1").exists()


def test_a_dry_run_on_the_command_line_names_lookalikes(tmp_path):
    make_theme("Evacuation")
    path = tmp_path / "typo.csv"
    path.write_text("identifier,title,language,themes\nT-1,T,en,Evakuation\n")
    stdout = io.StringIO()
    call_command("import_testimonies", str(path), "--dry-run", stdout=stdout)
    assert "“Evakuation” would be new, but looks like “Evacuation”" in stdout.getvalue()

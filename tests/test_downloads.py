"""Downloads of a whole result set: ``format=`` on the search page, the browse
page and the API (testimonies.downloads, docs/api.md "Downloads")."""

import csv
import datetime
import io
import json

import pytest
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from testimonies.downloads import FORMATS
from testimonies.models import Source, Testimony, Translation

from .factories import make_narrator, make_researcher, make_testimony, make_theme

pytestmark = pytest.mark.django_db

SEARCH, BROWSE, API = "/search/", "/testimonies/", "/api/v1/testimonies/"


@pytest.fixture
def basements():
    """25 testimonies about a basement (more than a page of 20), one of them
    with a redacted name, a narrator, an interviewer and a translation."""
    theme = make_theme("Shelter in basements")
    cited = make_testimony(
        identifier="DL-001",
        title="Nine days in the basement",
        summary="Nine days under the school with [[Ivan Petrenko]].",
        body="We sat in the basement. [[Ivan Petrenko]] brought water.",
        recorded_on=datetime.date(2024, 8, 1),
        recorded_precision="month",
        narrator=make_narrator(alias="Olena K"),
        source=Source.objects.create(title="Interviews", interviewer="Volunteer B"),
        themes=[theme],
    )
    Translation.objects.create(
        testimony=cited, language="uk", title="Дев'ять днів у підвалі", body="Підвал."
    )
    others = [
        make_testimony(
            identifier=f"DL-{number:03d}",
            title=f"Basement number {number}",
            body="Another basement, another night.",
            themes=[theme] if number % 2 else [],
        )
        for number in range(2, 26)
    ]
    return [cited, *others]


def fetch(client, path, **params):
    response = client.get(path, params)
    assert response.status_code == 200, response.content[:500]
    assert response.streaming
    return response, b"".join(response.streaming_content).decode("utf-8")


def csv_rows(text):
    assert text.startswith("\ufeff")
    lines = [line for line in text[1:].splitlines(True) if not line.startswith("#")]
    return list(csv.DictReader(io.StringIO("".join(lines))))


def jsonl_records(text):
    lines = [json.loads(line) for line in text.splitlines()]
    return lines[0]["about"], lines[1:]


def test_a_search_downloads_every_page_of_its_results_in_the_pages_order(
    client, basements
):
    response, text = fetch(client, SEARCH, q="basement", format="csv")
    rows = csv_rows(text)
    assert len(rows) == 25  # the page shows 20
    page = client.get(API, {"q": "basement", "page_size": 100}).json()
    assert [row["identifier"] for row in rows] == [
        hit["identifier"] for hit in page["results"]
    ]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="search-')
    assert response["X-Result-Count"] == response["X-Total-Count"] == "25"


def test_the_csv_names_the_search_and_its_filters_and_holds_public_text(
    client, basements
):
    _response, text = fetch(
        client, SEARCH, q="basement", theme="shelter-in-basements", format="csv"
    )
    header = [line for line in text.splitlines() if line.startswith("# ")]
    assert "# Search: basement" in header
    assert "# Theme: Shelter in basements" in header
    assert "# Records: 13" in header
    row = next(row for row in csv_rows(text) if row["identifier"] == "DL-001")
    assert row["narrator.alias"] == "Olena K"
    assert row["themes"] == "Shelter in basements"
    assert row["recorded_on"] == "2024-08"
    assert row["translation.uk.title"] == "Дев'ять днів у підвалі"
    assert row["url"] == "http://testserver/testimonies/DL-001/"
    assert "Petrenko" not in text
    assert "narrator.code" not in row and "consent.date" not in row


def test_json_lines_are_full_records_after_a_line_about_the_download(client, basements):
    _response, text = fetch(
        client, BROWSE, format="jsonl", sort="oldest", language="en"
    )
    about, records = jsonl_records(text)
    assert about["archive"] == "Testimony Archive"
    assert about["count"] == about["total"] == 25
    assert about["url"] == "http://testserver/testimonies/?sort=oldest&language=en"
    assert about["filters"] == [{"filter": "Language", "value": "English"}]
    record = next(record for record in records if record["identifier"] == "DL-001")
    assert record["body"] == "We sat in the basement. █████ brought water."
    assert record["narrator"]["code"] is None
    assert [t["language"] for t in record["translations"]] == ["uk"]
    assert record["recordings"] == []


def test_browse_downloads_in_the_lists_order(client, basements):
    _response, text = fetch(client, BROWSE, format="csv", sort="oldest")
    identifiers = [row["identifier"] for row in csv_rows(text)]
    assert identifiers == sorted(identifiers) and len(identifiers) == 25


def test_bibtex_is_the_cite_blocks_entry_for_each_testimony(client, basements):
    _response, text = fetch(client, SEARCH, q="basement", format="bibtex")
    assert text.startswith("@comment{")
    assert "Search: basement" in text.split("}", 1)[0]
    assert text.count("@misc{") == 25
    page = client.get("/testimonies/DL-001/").content.decode()
    entry = text[text.index("@misc{DL-001,") :].split("\n}\n", 1)[0] + "\n}"
    # The page's cite block shows the same entry (HTML-escaped).
    assert entry.replace("'", "&#x27;") in page


def test_ris_records_name_author_date_archive_and_address(client, basements):
    _response, text = fetch(client, SEARCH, q="nine days", format="ris")
    records = [block for block in text.split("ER  - ") if block.strip()]
    assert len(records) == 1
    fields = [line.split("  - ", 1) for line in records[0].strip().splitlines()]
    assert fields[0] == ["TY", "GEN"]
    values = {}
    for tag, value in fields:
        values.setdefault(tag, []).append(value)
    assert values["AU"] == ["Olena K"]
    assert values["DA"] == ["2024/08//"]
    assert values["DB"] == ["Testimony Archive"]
    assert values["UR"] == ["http://testserver/testimonies/DL-001/"]
    assert values["KW"] == ["Shelter in basements"]
    assert any("search: nine days" in note for note in values["N1"])
    assert all("\r\n" in block for block in records)


def test_a_citation_processor_reads_the_csl_json_as_the_cite_block_does(
    client, basements
):
    _response, text = fetch(client, SEARCH, q="nine days", format="csl")
    items = json.loads(text)
    assert [item["id"] for item in items] == ["DL-001"]
    item = items[0]
    assert item["author"] == [{"literal": "Olena K"}]
    assert item["issued"] == {"date-parts": [[2024, 8]]}
    assert item["interviewer"] == [{"literal": "Volunteer B"}]
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(
        style, CiteProcJSON(items), formatter.plain
    )
    bibliography.register(Citation([CitationItem("dl-001")]))
    rendered = str(bibliography.bibliography()[0])
    for shown in ["Olena K", "2024", "Nine days in the basement"]:
        assert shown in rendered
    page = client.get("/testimonies/DL-001/").content.decode()
    assert "Olena K." in page and "Nine days in the basement" in page


def test_every_format_holds_every_record_of_the_set(client, basements):
    counts = {
        "csv": lambda text: len(csv_rows(text)),
        "jsonl": lambda text: len(jsonl_records(text)[1]),
        "bibtex": lambda text: text.count("@misc{"),
        "ris": lambda text: text.count("TY  - GEN"),
        "csl": lambda text: len(json.loads(text)),
    }
    assert set(counts) == set(FORMATS)
    for name, count in counts.items():
        for path in (SEARCH, API):
            _response, text = fetch(client, path, q="basement", format=name)
            assert count(text) == 25, (name, path)


@override_settings(TESTIMONY_DOWNLOAD_LIMIT=3)
def test_a_download_is_capped_and_says_so(client, basements):
    response, text = fetch(client, SEARCH, q="basement", format="jsonl")
    about, records = jsonl_records(text)
    assert len(records) == 3 and about["count"] == 3 and about["total"] == 25
    assert response["X-Total-Count"] == "25"
    _response, text = fetch(client, SEARCH, q="basement", format="csv")
    assert "# Records: the first 3 of 25" in text
    page = client.get(SEARCH, {"q": "basement"}).content.decode()
    assert "The first 3 of these results" in page


def test_queries_do_not_grow_with_the_records_of_a_download(client, basements):
    def queries(**params):
        with CaptureQueriesContext(connection) as captured:
            fetch(client, API, format="jsonl", **params)
        return len(captured)

    few = queries(q="nine days")
    many = queries(q="basement")
    assert many <= few + 2  # one search more, never one per record


def test_the_pages_link_to_their_downloads(client, basements):
    page = client.get(SEARCH, {"q": "basement", "page": 2}).content.decode()
    assert 'href="?q=basement&amp;format=ris"' in page
    page = client.get(BROWSE, {"language": "en"}).content.decode()
    assert 'href="?language=en&amp;format=csl"' in page


def test_researchers_download_what_they_may_read_and_visitors_do_not(client, basements):
    make_testimony(
        identifier="DL-CLOSED",
        title="Basement for researchers",
        access=Testimony.Access.RESEARCHERS,
    )
    _response, text = fetch(client, SEARCH, q="basement", format="csv")
    assert "DL-CLOSED" not in text
    client.force_login(make_researcher())
    _response, text = fetch(client, SEARCH, q="basement", format="csv")
    assert "DL-CLOSED" in text


@pytest.mark.parametrize("path", [SEARCH, BROWSE])
@pytest.mark.parametrize("value", ["xlsx", "", "CSV", "csv\x00"])
def test_an_unknown_format_is_refused_with_the_formats_there_are(
    client, basements, path, value
):
    response = client.get(path, {"q": "basement", "format": value})
    assert response.status_code == 400
    text = response.content.decode()
    assert "is not a download format" in text and "bibtex" in text


def test_a_format_given_twice_is_refused(client, basements):
    response = client.get(f"{SEARCH}?q=basement&format=csv&format=ris")
    assert response.status_code == 400


def test_a_filter_that_cannot_be_used_refuses_the_download(client, basements):
    response = client.get(BROWSE, {"theme": "no-such-theme", "format": "csv"})
    assert response.status_code == 400
    assert "There is no theme “no-such-theme”." in response.content.decode()
    response = client.get(API, {"theme": "no-such-theme", "format": "csv"})
    assert response.status_code == 400
    assert response.json() == {
        "errors": {"theme": ["There is no theme “no-such-theme”."]}
    }
    response = client.get(API, {"format": "pdf"})
    assert response.status_code == 400 and "format" in response.json()["errors"]


def test_json_stays_the_apis_own_page(client, basements):
    response = client.get(API, {"q": "basement", "format": "json", "page_size": 5})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 5


def test_downloads_are_throttled_per_user(client, basements, settings):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "download": (2, 3600),
    }
    for _ in range(2):
        fetch(client, SEARCH, q="basement", format="ris")
    response = client.get(SEARCH, {"q": "basement", "format": "ris"})
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert "Too many downloads" in response.content.decode()
    response = client.get(API, {"q": "basement", "format": "ris"})
    assert (
        response.status_code == 429
        and "Too many downloads" in response.json()["detail"]
    )
    # A signed-in researcher counts on their own account, not the address's.
    client.force_login(make_researcher())
    fetch(client, SEARCH, q="basement", format="ris")
    # Pages themselves are not downloads.
    assert client.get(SEARCH, {"q": "basement"}).status_code == 200

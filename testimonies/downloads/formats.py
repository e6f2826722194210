"""The formats of a download, one class each: what comes before the records,
each record, and what comes after (docs/api.md "Downloads").

A format writes text a record at a time, so a download streams. Each one says
where it came from: the archive, the search and its filters, the date, how many
records of how many (``About``), in a header where the format has one (CSV
comment lines, the first line of JSON Lines, BibTeX's ``@comment``) and in each
record's note where it has none (RIS, CSL-JSON).
"""

import csv
import io
import json

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from .. import tabular
from ..citation import ARCHIVE_NAME, cite


class Format:
    # Templates list the formats: a class is callable, and must not be called.
    do_not_call_in_templates = True
    name = ""
    label = ""
    #: Whether the format needs the translations' languages first (its columns).
    by_language = False
    extension = ""
    content_type = ""

    def __init__(self, about):
        self.about = about

    def begin(self):
        return ""

    def item(self, entry):
        raise NotImplementedError

    def end(self):
        return ""


class CSVFormat(Format):
    """The spreadsheet layout (:mod:`testimonies.tabular`), public columns and
    the address; lines starting with ``#`` before the header say what it is."""

    name, label, extension = "csv", _("CSV (spreadsheet)"), "csv"
    content_type = "text/csv; charset=utf-8"
    by_language = True

    def begin(self):
        self.header = tabular.columns(
            self.about.languages, public=True, extra=tabular.READ_ONLY
        )
        # A byte-order mark, so that Excel reads the file as UTF-8.
        preamble = "".join(f"# {line}\n" for line in self.about.lines())
        return "\ufeff" + preamble + self.row(self.header)

    def item(self, entry):
        row = tabular.flatten(entry.record)
        return self.row([row.get(name, "") for name in self.header])

    @staticmethod
    def row(cells):
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerow(cells)
        return buffer.getvalue()


class JSONLinesFormat(Format):
    """Full records, as the API gives them; the first line is ``{"about": …}``."""

    name, label, extension = "jsonl", _("JSON Lines (full records)"), "jsonl"
    content_type = "application/jsonl; charset=utf-8"

    def begin(self):
        return dumps({"about": self.about.data()}) + "\n"

    def item(self, entry):
        return dumps(entry.record) + "\n"


class BibTeXFormat(Format):
    """The cite block's BibTeX, one ``@misc`` per testimony."""

    name, label, extension = "bibtex", _("BibTeX"), "bib"
    content_type = "application/x-bibtex; charset=utf-8"

    def begin(self):
        lines = "\n".join(f"  {line}" for line in self.about.lines())
        return "@comment{\n" + lines.replace("{", "(").replace("}", ")") + "\n}\n\n"

    def item(self, entry):
        citation = cite(
            entry.testimony, url=entry.record["url"], accessed=self.about.accessed
        )
        return citation.bibtex + "\n\n"


class RISFormat(Format):
    """RIS (Zotero, EndNote, Mendeley): ``TY - GEN`` records."""

    name, label, extension = "ris", _("RIS (Zotero, EndNote)"), "ris"
    content_type = "application/x-research-info-systems; charset=utf-8"

    def item(self, entry):
        record, about = entry.record, self.about
        fields = [("TY", "GEN"), ("ID", record["identifier"])]
        fields.append(("TI", record["title"]))
        if entry.alias:
            fields.append(("AU", entry.alias))
        if record["recorded_on"]:
            fields.append(("PY", record["recorded_on"][:4]))
            fields.append(("DA", ris_date(record["recorded_on"])))
        if record["summary"]:
            fields.append(("AB", record["summary"]))
        fields += [("KW", name) for name in entry.tag_names]
        fields += [
            ("LA", record["language"]),
            ("DB", str(ARCHIVE_NAME)),
            ("AN", record["identifier"]),
            ("UR", record["url"]),
            ("Y2", about.accessed.strftime("%Y/%m/%d")),
        ]
        if entry.interviewer:
            interview = pgettext("citation", "interview by %(name)s")
            fields.append(("N1", interview % {"name": entry.interviewer}))
        fields.append(("N1", about.note()))
        lines = [f"{tag}  - {one_line(value)}" for tag, value in fields]
        return "\r\n".join([*lines, "ER  - ", "", ""])


class CSLFormat(Format):
    """CSL-JSON (Zotero, Pandoc, citeproc): a JSON array of ``interview`` items."""

    name, label, extension = "csl", _("CSL-JSON"), "json"
    content_type = "application/vnd.citationstyles.csl+json; charset=utf-8"

    def begin(self):
        self.first = True
        return "["

    def item(self, entry):
        record, about = entry.record, self.about
        item = {
            "id": record["identifier"],
            "type": "interview",
            "title": record["title"],
            "language": record["language"],
            "archive": str(ARCHIVE_NAME),
            "archive_location": record["identifier"],
            "URL": record["url"],
            "accessed": {"date-parts": [date_parts(about.accessed.isoformat())]},
            "note": about.note(),
        }
        if entry.alias:
            item["author"] = [{"literal": entry.alias}]
        if entry.interviewer:
            item["interviewer"] = [{"literal": entry.interviewer}]
        if record["recorded_on"]:
            item["issued"] = {"date-parts": [date_parts(record["recorded_on"])]}
        if record["summary"]:
            item["abstract"] = record["summary"]
        if entry.tag_names:
            item["keyword"] = ", ".join(entry.tag_names)
        separator = "\n" if self.first else ",\n"
        self.first = False
        return separator + dumps(item)

    def end(self):
        return "\n]\n"


FORMATS = {
    format.name: format
    for format in (CSVFormat, JSONLinesFormat, BibTeXFormat, RISFormat, CSLFormat)
}


def dumps(value):
    return json.dumps(value, ensure_ascii=False)


def date_parts(text):
    """``"2024-09"`` → ``[2024, 9]``: a date at its precision."""
    return [int(part) for part in text.split("-")]


def ris_date(text):
    """RIS dates are ``YYYY/MM/DD/``, with the parts not known left empty."""
    parts = text.split("-") + ["", ""]
    return "/".join(parts[:3]) + "/"


def one_line(text):
    """A RIS field is one line."""
    return " ".join(str(text).split())

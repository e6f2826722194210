"""The "cite this testimony" block: a stable address, Chicago and BibTeX forms;
and the same facts as metadata embedded in the page, for reference managers
(Zotero, Mendeley) and search engines: Highwire ``citation_*`` tags and
schema.org JSON-LD (:func:`embedded`)."""

import dataclasses
import datetime
import json

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from .dates import format_partial_date
from .locales import local_date
from .timedtext import format_clock

ARCHIVE_NAME = _("Testimony Archive")


@dataclasses.dataclass
class Citation:
    url: str
    identifier: str
    accessed: datetime.date
    chicago: str
    bibtex: str


@dataclasses.dataclass
class Moment:
    """A span of one recording cited to the second (a cue, from ``?t=``)."""

    recording_pk: int
    start_ms: int
    end_ms: int

    def address(self, url):
        # The recording is always named: which one "?t=" alone meant would
        # depend on which recordings the reader may hear.
        return f"{url}?r={self.recording_pk}&t={self.start_ms // 1000}"

    def span(self, dash="–"):
        start, end = format_clock(self.start_ms), format_clock(self.end_ms)
        return start if start == end else f"{start}{dash}{end}"


def cite(testimony, *, url, accessed, moment=None):
    """How to cite ``testimony`` found at ``url`` on ``accessed``, or a
    :class:`Moment` of one of its recordings.

    Chicago (notes and bibliography, web source) and BibTeX (``@misc`` with
    ``urldate``); the BibTeX key is the identifier, stable by design. A moment adds
    "recording, 00:12:31–00:12:45" and its ``?t=`` to the address.
    """
    if moment is not None:
        url = moment.address(url)
    alias = testimony.narrator.alias if testimony.narrator else ""
    interviewer = testimony.source.interviewer if testimony.source else ""
    accessed_text = local_date(accessed)
    details = [pgettext("citation", "Testimony %(id)s") % {"id": testimony.identifier}]
    if interviewer:
        details.append(
            pgettext("citation", "interview by %(name)s") % {"name": interviewer}
        )
    if testimony.recorded_on:
        details.append(testimony.recorded_display)
    if moment is not None:
        details.append(pgettext("citation", "recording"))
        details.append(moment.span())
    chicago = " ".join(
        part
        for part in [
            _sentence(alias) if alias else "",
            f"“{_sentence(testimony.public_title)}”",
            _sentence(", ".join(details)),
            _sentence(ARCHIVE_NAME),
            pgettext("citation", "Accessed %(date)s.") % {"date": accessed_text},
            f"{url}.",
        ]
        if part
    )
    fields = {
        "author": f"{{{_bibtex_escape(alias)}}}" if alias else "",
        "title": f"{{{_bibtex_escape(testimony.public_title)}}}",
        "year": str(testimony.recorded_on.year) if testimony.recorded_on else "",
        "date": format_partial_date(
            testimony.recorded_on, testimony.recorded_precision
        ),
        "howpublished": _bibtex_escape(f"{ARCHIVE_NAME}, {testimony.identifier}"),
        "language": testimony.language,
        "note": (
            pgettext("citation", "Recording, %(span)s") % {"span": moment.span("--")}
            if moment
            else ""
        ),
        "url": url,
        "urldate": accessed.isoformat(),
    }
    lines = [f"  {key} = {{{value}}}," for key, value in fields.items() if value]
    bibtex = "@misc{" + testimony.identifier + ",\n" + "\n".join(lines) + "\n}"
    return Citation(url, testimony.identifier, accessed, chicago, bibtex)


@dataclasses.dataclass
class Embedded:
    """What a testimony's page says of it to machines."""

    tags: list  # (name, content) of Highwire <meta name="citation_…"> tags
    json_ld: str  # schema.org, as the text of a data block


def embedded(testimony, *, url, title, language, themes=(), places=()):
    """The citation metadata of ``testimony``'s page at ``url``, in the version
    shown (``title``, ``language``), with the same author, date, identifier,
    archive and address as :func:`cite`: the narrator's alias (never a name),
    the date at its precision."""
    alias = testimony.narrator.alias if testimony.narrator else ""
    date = format_partial_date(testimony.recorded_on, testimony.recorded_precision)
    archive = str(ARCHIVE_NAME)
    tags = [
        ("citation_title", title),
        *([("citation_author", alias)] if alias else []),
        *([("citation_date", date.replace("-", "/"))] if date else []),
        ("citation_publisher", archive),
        ("citation_archive_id", testimony.identifier),
        ("citation_language", language),
        ("citation_public_url", url),
        *[("citation_keywords", name) for name in [*themes, *places]],
    ]
    data = {
        "@context": "https://schema.org",
        "@type": "ArchiveComponent",
        "name": title,
        "identifier": testimony.identifier,
        "url": url,
        "inLanguage": language,
        "holdingArchive": {"@type": "ArchiveOrganization", "name": archive},
        "isAccessibleForFree": True,
    }
    if alias:
        data["author"] = {"@type": "Person", "name": alias}
    if date:
        data["dateCreated"] = date
    if themes:
        data["keywords"] = list(themes)
    if places:
        data["contentLocation"] = [{"@type": "Place", "name": name} for name in places]
    # In a <script> data block: no "</script" or "<!--" may end it early.
    text = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
    return Embedded(tags, text)


BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def _sentence(text):
    """``text`` ended with a full stop, unless it ends with one already, or with
    another closing mark ("Valentina K.", "Сентябрь 2024 г.", "Why?")."""
    text = str(text).rstrip()
    return text if text.endswith((".", "?", "!", "…", "。", "？", "！")) else f"{text}."


def _bibtex_escape(text):
    return "".join(BIBTEX_SPECIAL.get(char, char) for char in text)

"""The "cite this testimony" block: a stable address, Chicago and BibTeX forms."""

import dataclasses
import datetime

from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from .dates import format_partial_date
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
    accessed_text = formats.date_format(accessed, "DATE_FORMAT")
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
            f"{alias}." if alias else "",
            f"“{testimony.public_title}.”",
            ", ".join(details) + ".",
            f"{ARCHIVE_NAME}.",
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


def _bibtex_escape(text):
    return "".join(BIBTEX_SPECIAL.get(char, char) for char in text)

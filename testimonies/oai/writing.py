"""The XML of an answer, written with the standard library's SAX writer.

``XMLGenerator`` escapes text and attributes; what it cannot escape are the
characters XML 1.0 forbids altogether (control characters other than tab and line
breaks, lone surrogates, U+FFFE and U+FFFF). Text from the database may hold them
(an import of a pasted document), so :func:`clean` drops them from every string
written, and an answer always parses.
"""

import contextlib
import io
import re
from xml.sax.saxutils import XMLGenerator

from .protocol import OAI, OAI_SCHEMA

XSI = "http://www.w3.org/2001/XMLSchema-instance"
ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text):
    """``text`` without the characters XML 1.0 cannot carry, line ends as ``\\n``."""
    return ILLEGAL.sub("", str(text).replace("\r\n", "\n"))


class Writer:
    """An OAI-PMH answer being written: ``element`` nests, ``leaf`` writes one
    element with its text."""

    def __init__(self):
        self.out = io.StringIO()
        self.xml = XMLGenerator(self.out, encoding="utf-8", short_empty_elements=True)
        self.xml.startDocument()

    @contextlib.contextmanager
    def element(self, name, attributes=None):
        self.xml.startElement(name, _cleaned(attributes))
        yield
        self.xml.endElement(name)

    def leaf(self, name, text="", attributes=None):
        self.xml.startElement(name, _cleaned(attributes))
        if text:
            self.xml.characters(clean(text))
        self.xml.endElement(name)

    @contextlib.contextmanager
    def envelope(self, *, response_date, base_url, echoed):
        """``<OAI-PMH>`` with its ``responseDate`` and ``request`` (whose
        attributes are the ``echoed`` arguments)."""
        with self.element(
            "OAI-PMH",
            {
                "xmlns": OAI,
                "xmlns:xsi": XSI,
                "xsi:schemaLocation": f"{OAI} {OAI_SCHEMA}",
            },
        ):
            self.leaf("responseDate", response_date)
            self.leaf("request", base_url, echoed)
            yield

    def content(self):
        self.xml.endDocument()
        return self.out.getvalue().encode("utf-8")


def _cleaned(attributes):
    return {name: clean(value) for name, value in (attributes or {}).items()}

"""Passages: the paragraphs of a hit that matched, each with its anchor.

A testimony's page numbers the paragraphs of its text ``p1``, ``p2``… in the
order Django's ``linebreaks`` makes them (a blank line starts a paragraph), in
the original and in each translation alike. A passage names its paragraph, so
a search hit links to ``/testimonies/ID/?q=…#p12`` and the page opens at the
match, marked. The paragraphs are cut from the same public (redacted) text the
index holds, so a passage never quotes what cannot be found.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from . import index
from .snippets import hints, marked

#: Passages given per hit.
MAX_PASSAGES = 3
PARAGRAPH_BREAK = re.compile(r"\n{2,}")
# What django.utils.text.normalize_newlines() replaces, as linebreaks reads it.
NEWLINES = re.compile(r"\r\n|\r")


@dataclass(frozen=True)
class Passage:
    anchor: str  # "p12"
    snippet: str  # safe HTML with <mark>
    language: str
    url: str  # the testimony's page at the paragraph, the query marked
    original: bool = True  # in the original's text, not a translation


def paragraphs(text):
    """The paragraphs of ``text`` as ``linebreaks`` renders them (``p1`` is the
    first)."""
    return PARAGRAPH_BREAK.split(NEWLINES.sub("\n", str(text or "")))


def passages(testimony, query, limit=MAX_PASSAGES):
    """The first ``limit`` paragraphs of ``testimony``'s text (the original,
    then its translations) that hold a searched phrase."""
    if not query.phrases:
        return []
    versions = [(testimony.language, testimony.public_body, None)] + [
        (translation.language, translation.public_body, translation.language)
        for translation in index.related(testimony, "translations")
    ]
    found, page = [], None
    for language, body, asked in versions:
        strings = hints(str(body or ""), query)
        if strings is not None and not strings:
            continue  # nothing searched for is in this text
        for number, paragraph in enumerate(paragraphs(body), start=1):
            if strings is not None and not any(s in paragraph for s in strings):
                continue
            html = marked(paragraph, query)
            if html is None:
                continue
            parameters = {"q": query.text, **({"lang": asked} if asked else {})}
            page = page or testimony.get_absolute_url()
            found.append(
                Passage(
                    anchor=f"p{number}",
                    snippet=html,
                    language=language,
                    url=f"{page}?{urlencode(parameters)}#p{number}",
                    original=asked is None,
                )
            )
            if len(found) == limit:
                return found
    return found

"""A testimony's text as its page shows it: numbered paragraphs, and the words
of a search marked (``?q=`` on the page, as search hits link to it).

Paragraphs are numbered ``p1``, ``p2``… as :mod:`testimonies.search.passages`
numbers them, so a passage's anchor lands on its paragraph. Each match is a
``<mark id="m1">``…, numbered through the summary and the text, so the reader
can step from one to the next.
"""

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import mark_safe

from .search.passages import paragraphs
from .search.snippets import marked_spans

#: Matches numbered and listed for stepping through; further ones are marked.
MAX_LISTED = 200


@dataclass
class MarkedText:
    summary: str  # safe HTML paragraphs
    body: str
    matches: int


def marked_text(version, query, counter=None):
    """The summary and body of ``version`` (public text) as HTML paragraphs,
    the body's numbered, with the phrases of ``query`` marked. ``counter`` (a
    one-item list) carries the numbering on from marks made before these."""
    counter = [0] if counter is None else counter
    summary = _render(version.summary, query, counter, numbered=False)
    body = _render(version.body, query, counter, numbered=True)
    return MarkedText(summary, body, counter[0])


def _render(text, query, counter, numbered):
    if not text:
        return ""
    html = []
    for number, paragraph in enumerate(paragraphs(text), start=1):
        parts, cursor = [], 0
        for start, end in marked_spans(paragraph, query):
            counter[0] += 1
            ident = f' id="m{counter[0]}"' if counter[0] <= MAX_LISTED else ""
            parts.append(_plain(paragraph[cursor:start]))
            parts.append(f"<mark{ident}>{_plain(paragraph[start:end])}</mark>")
            cursor = end
        parts.append(_plain(paragraph[cursor:]))
        anchor = f' id="p{number}"' if numbered else ""
        html.append(f"<p{anchor}>{''.join(parts)}</p>")
    # Safe: every piece of the text went through escape().
    return mark_safe("\n\n".join(html))


def marked_line(text, query, counter):
    """One line of text (a transcript's cue) as safe HTML, the phrases of
    ``query`` marked and numbered on from ``counter``; ``None`` when nothing
    matches, so the caller shows the text as it is."""
    spans = marked_spans(text, query) if text else []
    if not spans:
        return None
    parts, cursor = [], 0
    for start, end in spans:
        counter[0] += 1
        ident = f' id="m{counter[0]}"' if counter[0] <= MAX_LISTED else ""
        parts.append(_plain(text[cursor:start]))
        parts.append(f"<mark{ident}>{_plain(text[start:end])}</mark>")
        cursor = end
    parts.append(_plain(text[cursor:]))
    return mark_safe("".join(parts))


def _plain(text):
    return escape(text).replace("\n", "<br>")

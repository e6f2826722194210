"""Redaction: passages of a testimony that only archivists may read.

Archivists mark a passage of a title, summary or text (of the original or of a
translation) with double square brackets::

    Our neighbour [[Ivan Petrenko, 12 Sadovaya Street]] drove us to the border.

The stored text keeps the passage, so the admin and the archivists' export show
the original; every public surface (pages, lists, feeds, search index and snippets,
the API, the public export) shows :data:`MARK` in its place. The mark has the same
length whatever it hides, so its width tells nothing about the passage.

Rules, documented for archivists in docs/security.md:

- ``[[`` opens a redaction and ``]]`` closes it; it may span lines.
- A backslash makes brackets literal: ``\\[[`` shows ``[[`` and ``\\]]`` shows
  ``]]`` (the backslash itself is not shown).
- Nested redactions hide everything up to the outer ``]]``, as one mark.
- A ``[[`` never closed hides everything after it, and a ``]]`` without its
  ``[[`` is shown as written. :func:`validate` reports both, so an archivist
  fixes them before saving: hiding too much is safer than showing a name.
"""

import dataclasses
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

OPEN, CLOSE = "[[", "]]"
#: What the public sees in place of a redacted passage: language-neutral, of fixed
#: length, and made of no letters or digits, so search never indexes it.
MARK = "\u2588" * 5
#: Its name, for screen readers and the help texts.
LABEL = _("redacted")
#: The help text of every field that may hold redactions.
HELP_TEXT = _(
    "Mark passages to hide from the public with double brackets: "
    "[[Ivan Petrenko]]. Type \\[[ or \\]] for literal brackets."
)

_TOKENS = re.compile(r"\\\[\[|\\\]\]|\[\[|\]\]")
_CONTEXT = 20


@dataclasses.dataclass(frozen=True)
class Problem:
    """A bracket that does not pair up: its kind, position and a bit of context."""

    kind: str  # "unclosed" or "unopened"
    position: int
    line: int
    context: str

    def message(self):
        if self.kind == "unclosed":
            text = _(
                "Line %(line)s: the redaction opened with “[[” near “%(context)s” "
                "is never closed. Add “]]” where the hidden passage ends, or type "
                "“\\[[” for literal brackets."
            )
        else:
            text = _(
                "Line %(line)s: “]]” near “%(context)s” closes no redaction. Add "
                "“[[” where the hidden passage begins, or type “\\]]” for literal "
                "brackets."
            )
        return text % {"line": self.line, "context": self.context}


def _parse(text):
    """Split ``text`` into ("text", str) and ("hidden", str) pieces, and problems."""
    pieces, problems = [], []
    depth, cursor, opened_at = 0, 0, None
    for match in _TOKENS.finditer(text):
        token, start = match.group(), match.start()
        if depth == 0:
            pieces.append(("text", text[cursor:start]))
        else:
            pieces.append(("hidden", text[cursor:start]))
        cursor = match.end()
        if token.startswith("\\"):
            pieces.append(("hidden" if depth else "text", token[1:]))
        elif token == OPEN:
            if depth == 0:
                opened_at = start
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                pieces.append(("mark", ""))
        else:
            pieces.append(("text", token))
            problems.append(_problem(text, "unopened", start))
    if depth:
        pieces.append(("hidden", text[cursor:]))
        pieces.append(("mark", ""))
        problems.append(_problem(text, "unclosed", opened_at))
    else:
        pieces.append(("text", text[cursor:]))
    return pieces, problems


def _problem(text, kind, position):
    before = text[max(0, position - _CONTEXT) : position]
    after = text[position : position + _CONTEXT]
    context = " ".join(f"{before}{after}".split())
    return Problem(kind, position, text.count("\n", 0, position) + 1, context)


def redact(text, mark=MARK):
    """The public version of ``text``: each redacted passage replaced by ``mark``,
    escaped brackets shown as brackets. Safe on any text, balanced or not."""
    if not text or ("[[" not in text and "]]" not in text):
        return text
    pieces, _problems = _parse(text)
    return "".join(
        mark if kind == "mark" else value for kind, value in pieces if kind != "hidden"
    )


def has_redactions(text):
    """Whether ``text`` hides a passage."""
    if not text or OPEN not in text:
        return False
    pieces, _problems = _parse(text)
    return any(kind == "mark" for kind, _value in pieces)


def problems(text):
    """The brackets of ``text`` that do not pair up, as :class:`Problem`."""
    if not text or ("[[" not in text and "]]" not in text):
        return []
    return _parse(text)[1]


def validate(text):
    """Raise ValidationError listing every bracket of ``text`` that does not pair
    up. Pure Python: safe to run on every line of an import."""
    found = problems(text)
    if found:
        raise ValidationError(
            [problem.message() for problem in found], code="unbalanced_redaction"
        )


def field_errors(instance, names):
    """``{field: [messages]}`` for the redaction problems of ``instance``'s text
    fields ``names``. Deferred fields are skipped: loading them would cost a query
    per row (imports defer the text of the testimonies they update)."""
    deferred = instance.get_deferred_fields()
    errors = {}
    for name in names:
        if name in deferred:
            continue
        messages = [problem.message() for problem in problems(getattr(instance, name))]
        if messages:
            errors[name] = messages
    return errors


class PublicText:
    """A read-only model attribute: text field ``name`` with its redactions hidden.

    ``public_body = PublicText("body")`` gives ``testimony.public_body``, which every
    public surface reads instead of ``testimony.body``.
    """

    def __init__(self, name):
        self.name = name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        return redact(getattr(instance, self.name))

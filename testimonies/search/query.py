"""What a user types into the search box, read into a small, safe query tree.

The syntax (documented for users in docs/search.md)::

    basement evacuation     both words (AND)
    "closed road"           the words in this order
    -drone                  without this word (or -"a phrase")
    shelter OR basement     either word; OR binds tighter than AND

Quotes may be straight or typographic (“ ” « » 「 」). Anything else (brackets,
``*``, ``NEAR(``, SQL, control characters) is plain text: the analyzer keeps only its
words. The tree holds analyzed tokens only, and each backend quotes every token when
it compiles the tree, so user text never reaches FTS5 ``MATCH`` or ``tsquery`` raw.
Over-long queries are cut (``Query.shortened``), never refused.
"""

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import cached_property
from itertools import product

from django.utils.translation import gettext_lazy as _

from . import analyzer
from .audiences import MARKS

MAX_QUERY_LENGTH = 1000
MAX_CLAUSES = 24
MAX_PHRASE_TOKENS = 32
# A phrase whose words have several dictionary forms is searched as every
# combination of them (FTS5 has no "either word" inside a phrase); past this many
# combinations only each word's first form is used.
MAX_PHRASE_VARIANTS = 16

QUOTES = '"“”„«»「」『』‟'
UNPRINTABLE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]"
)
SURROGATES = re.compile("[\ud800-\udfff]")
LEXEME = re.compile(f"(-?)([{QUOTES}])([^{QUOTES}]*)[{QUOTES}]?|([^\\s{QUOTES}]+)")


@dataclass(frozen=True)
class Phrase:
    """Words that must stand in this order; each word is a tuple of alternatives
    (tokens, or an :class:`~.analyzer.Prefix` for every token beginning with it)."""

    words: tuple

    def __hash__(self):
        # Snippets key their caches by phrases, many times per page: hash once.
        return self._hash

    @cached_property
    def _hash(self):
        return hash(self.words)

    def variants(self):
        """Every token sequence the phrase may match (see ``MAX_PHRASE_VARIANTS``)."""
        return [tuple(choice) for choice in product(*self.words)]

    @cached_property
    def tokens(self):
        """Every token the phrase may match, for highlighting."""
        return frozenset(token for word in self.words for token in word)

    def marked(self, mark):
        """The phrase as spoken in recordings of a marked level (:mod:`.audiences`)."""
        return Phrase(
            tuple(
                tuple(
                    analyzer.Prefix(mark + token)
                    if isinstance(token, analyzer.Prefix)
                    else mark + token
                    for token in word
                )
                for word in self.words
            )
        )


@dataclass(frozen=True)
class Query:
    """A parsed query: every group must match (AND), within a group any phrase (OR);
    no ``excluded`` phrase may match. ``heard``: the access levels, beyond the
    public's, of the recordings whose words may match (:mod:`.audiences`)."""

    text: str = ""
    groups: tuple = ()
    excluded: tuple = ()
    shortened: bool = False
    heard: tuple = ()

    @property
    def is_blank(self):
        """Nothing was typed: a search with filters only."""
        return not self.text.strip()

    @property
    def is_empty(self):
        """Something was typed but nothing searchable is left (``(((``, ``*``)."""
        return not self.is_blank and not self.groups and not self.excluded

    @cached_property
    def phrases(self):
        """The phrases a hit contains: what snippets mark."""
        return tuple(phrase for group in self.groups for phrase in group)

    @property
    def exclusions(self):
        """A query matching what any excluded phrase matches (for a search with
        only exclusions, whose hits are everything else)."""
        return Query(groups=(self.excluded,), heard=self.heard)

    def heard_by(self, levels):
        """The query searching the words of recordings at ``levels`` too (the
        marked ones among them)."""
        return replace(self, heard=tuple(level for level in MARKS if level in levels))

    def forms(self, phrases):
        """``phrases`` as written, then each as spoken at each heard level: what
        a backend looks for."""
        if not self.heard:
            return tuple(phrases)
        return tuple(phrases) + tuple(
            phrase.marked(MARKS[level]) for level in self.heard for phrase in phrases
        )

    @property
    def message(self):
        """A sentence for the user about how the query was read, or ``""``."""
        if self.is_empty:
            return _(
                "Your search has no words to look for. Type a word, or a phrase "
                "in quotes."
            )
        if self.shortened:
            return _("Your search was long, so only its beginning was used.")
        return ""

    def __str__(self):
        return self.text


def parse_query(text):
    """Read user input into a :class:`Query`. Never raises, whatever ``text`` is."""
    if text is None:
        return Query()
    if not isinstance(text, str):
        text = str(text)
    text = SURROGATES.sub("", UNPRINTABLE.sub(" ", text))
    text = unicodedata.normalize("NFKC", text)
    shortened = len(text) > MAX_QUERY_LENGTH
    text = text[:MAX_QUERY_LENGTH].strip()

    groups, excluded = [], []
    pending_or = False
    clauses = 0
    for match in LEXEME.finditer(text):
        negated, quote, quoted, bare = match.groups()
        if bare == "OR":
            pending_or = bool(groups)
            continue
        if bare is not None:
            negated = "-" if bare.startswith("-") else ""
            words = bare[1:] if negated else bare
        else:
            words = quoted
        phrase = _phrase(words)
        if phrase is None:
            pending_or = False
            continue
        clauses += 1
        if clauses > MAX_CLAUSES:
            shortened = True
            break
        if negated:
            excluded.append(phrase)
        elif pending_or:
            groups[-1] = (*groups[-1], phrase)
        else:
            groups.append((phrase,))
        pending_or = False
    return Query(
        text=text,
        groups=tuple(_unique(group) for group in _unique(groups)),
        excluded=tuple(_unique(excluded)),
        shortened=shortened,
    )


def parse_phrase(text):
    """The words of ``text`` as one phrase (``None`` when it has none)."""
    return _phrase(text)


def _phrase(text):
    words = analyzer.query_tokens(text)[:MAX_PHRASE_TOKENS]
    if not words:
        return None
    variants = 1
    for word in words:
        variants *= len(word)
    if variants > MAX_PHRASE_VARIANTS:
        words = [word[:1] for word in words]
    return Phrase(tuple(words))


def _unique(items):
    seen, result = set(), []
    for item in items:
        if item not in seen:
            seen.add(item)
            result.append(item)
    return tuple(result)

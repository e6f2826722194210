"""Snippets: a short passage of the original text around the first match.

Cut in Python from the text itself (FTS5's ``snippet()`` stops at 64 tokens, about
64 characters of Japanese), with the matched words wrapped in ``<mark>`` and
everything else HTML-escaped. Matching uses the analyzer, so "подвалах" is marked for
the query "подвал", and a phrase is marked only where its words stand in order.
"""

import html
import itertools
import re
import unicodedata
from collections import deque
from functools import lru_cache

from django.utils.safestring import mark_safe

from . import analyzer

SNIPPET_LENGTH = 220
# How far before the first match the passage starts, as a share of its length.
LEAD = 0.25
ELLIPSIS = "…"
WHITESPACE = re.compile(r"\s+")


def snippet(text, query, length=SNIPPET_LENGTH):
    """A safe HTML passage from ``text`` (``index.indexed_text``) for ``query``.

    Looks in the body, then the summary, translations and title; when only a name
    (theme, place, narrator) matched, returns the start of the summary or body.
    """
    return passage(text, query, length)[0]


def passage(text, query, length=SNIPPET_LENGTH):
    """Like :func:`snippet`, also saying where the passage comes from: returns
    ``(html, field, index)``, ``index`` being the position in ``text[field]``."""
    phrases = query.phrases
    if phrases:
        for name in ("body", "summary", "translations", "title"):
            for index, source in enumerate(text[name]):
                spans = _matches(source, phrases, length)
                if spans:
                    return _render(source, spans, length), name, index
    for name in ("summary", "body"):
        for index, source in enumerate(text[name]):
            if source.strip():
                return _render(source, [], length), name, index
    return _render("", [], length), "body", 0


def _matches(source, phrases, length, *, first=False):
    """Spans of matched tokens in ``source`` up to one passage after the first
    (only the first match's with ``first``)."""
    if not _may_match(source, phrases):
        return []
    tokens, words, prefixes, longest = _targets(tuple(phrases))
    if not any(map(analyzer.CJK_RE.match, tokens)):
        return _spaced_matches(source, phrases, length, first)
    chains = _chains(tuple(phrases))
    if chains and _regular(source):
        return _chain_matches(source, chains, length, first)
    begin = _first_candidate(source, words, prefixes)
    if begin is None:
        return []
    recent = deque(maxlen=longest)
    spans, start = [], None
    for token in _tokens_to_read(source, begin, words, longest):
        if token is None:  # a word no phrase holds: it ends every phrase
            recent.append(None)
            continue
        if start is not None and token.end > start + length:
            break
        recent.append(token)
        if token.text in tokens or token.text[:1] in prefixes:
            for phrase in phrases:
                found = _ending_here(recent, phrase, source)
                if found:
                    if first:
                        return found
                    spans.extend(found)
                    if start is None:
                        start = found[0][0]
    return spans


def _tokens_to_read(source, begin, words, longest):
    """The tokens of ``source`` from ``begin`` on, as ``analyzer.tokens`` gives
    them, except that a spaced-script word which cannot be a searched one is
    not analysed: it stands as ``None``, once per token it makes (``longest``
    times at most, enough to end any phrase)."""
    verdicts = _verdicts(_spaced(words), frozenset(), True)
    for match in analyzer.TOKEN_RE.finditer(source, begin):
        raw = match.group()
        if not analyzer.CJK_RE.match(raw) and not verdicts.may_be(raw):
            yield from [None] * min(len(analyzer.index_forms(raw)), longest)
            continue
        offset = match.start()
        for token in analyzer.tokens(raw):
            yield analyzer.Token(token.text, token.start + offset, token.end + offset)


@lru_cache(maxsize=64)
def _spaced(words):
    """The tokens of ``words`` that are not CJK."""
    return frozenset(t for t in words if not analyzer.CJK_RE.match(t))


def _spaced_matches(source, phrases, length, first):
    """:func:`_matches` for phrases of spaced-script words: each phrase's first
    word is looked for only where it may stand (:func:`_heads`), and the rest of
    the phrase read from there, instead of every token in order."""
    spans = []
    for phrase in phrases:
        size = len(phrase.words)
        for offset, index, span in _heads(source, frozenset(phrase.words[0])):
            if size == 1:
                spans.append(span)
                continue
            tokens = analyzer.tokens(source, offset)
            window = list(itertools.islice(tokens, index, index + size))
            if len(window) == size and all(
                token.text in words
                for token, words in zip(window, phrase.words, strict=True)
            ):
                spans.extend((token.start, token.end) for token in window)
    return _window(spans, length, first)


def _window(spans, length, first):
    """Of ``spans`` found in any order, the first (with ``first``), or those up
    to one passage after the first, sorted: what :func:`_matches` gives."""
    if not spans:
        return []
    spans.sort()
    if first:
        return spans[:1]
    last = spans[0][0] + length
    return [span for span in spans if span[1] <= last]


def _heads(source, words):
    """``(offset, index, span)`` of each token of ``source`` that is one of
    ``words`` (spaced-script tokens): the ``index``-th token of the raw word at
    ``offset``. Only the pieces that may hold one (:func:`_candidates`) are
    read, where each stands whole between white space."""
    verdicts = _verdicts(words, frozenset(), _regular(source))
    size = len(source)
    for _start, piece in _candidates(source, words, frozenset()):
        at = source.find(piece)
        while at != -1:
            end = at + len(piece)
            if (at == 0 or source[at - 1].isspace()) and (
                end == size or source[end].isspace()
            ):
                for match in analyzer.TOKEN_RE.finditer(piece):
                    if not verdicts.may_be(match.group()):
                        continue
                    offset = at + match.start()
                    for index, token in enumerate(analyzer.tokens(match.group())):
                        if token.text in words:
                            span = (offset + token.start, offset + token.end)
                            yield offset, index, span
            at = source.find(piece, end)


@lru_cache(maxsize=256)
def _chains(phrases):
    """The characters each phrase stands for, when every phrase is one chain
    of CJK tokens (避難所: 避難 難所; ところ; 避 alone), else ``()``. In a text
    whose CJK tokens are its own characters, such a phrase matches exactly
    where those characters stand in a row."""
    chains = []
    for phrase in phrases:
        strings = _cjk_strings(phrase)
        if len(strings) != 1 or any(
            len(word) != 1 or not analyzer.CJK_RE.match(word[0])
            for word in phrase.words
        ):
            return ()
        chains.append(strings[0])
    return tuple(chains)


def _chain_matches(source, chains, length, first):
    """:func:`_matches` for phrases that are chains of CJK tokens
    (:func:`_chains`), found with ``str.find`` instead of reading tokens."""
    spans = []
    for chain in chains:
        at = source.find(chain)
        while at != -1:
            spans.append((at, at + len(chain)))
            at = source.find(chain, at + 1)
    return _window(spans, length, first)


@lru_cache(maxsize=256)
def _targets(phrases):
    """``(tokens, words, prefixes, longest)`` of a tuple of phrases: every token
    they may match, those that are whole tokens, the one-character prefixes, and
    the most words of a phrase (computed once per query)."""
    tokens = frozenset().union(*(phrase.tokens for phrase in phrases))
    prefixes = frozenset(t for t in tokens if isinstance(t, analyzer.Prefix))
    longest = max(len(phrase.words) for phrase in phrases)
    return tokens, tokens - prefixes, prefixes, longest


class _Verdicts:
    """Which pieces of texts may hold a searched word, for one set of searched
    words. A piece is a run of text between white space (no token spans white
    space); each distinct piece is cut into raw words once, each distinct raw
    word analysed once, then pieces are answered with set operations: splitting
    a text at white space is several times cheaper than finding its words."""

    LIMIT = 200_000
    PIECE = 64

    def __init__(self, words, prefixes, skip_cjk):
        self.words, self.prefixes, self.skip_cjk = words, prefixes, skip_cjk
        self.yes, self.no = set(), set()
        self.raws = {}

    def among(self, pieces):
        """The pieces (a set) that may hold a searched word."""
        unknown = pieces - self.yes - self.no
        if unknown:
            if len(self.no) > self.LIMIT:
                self.no.clear()
                self.raws.clear()
            for piece in unknown:
                if any(map(self.may_be, analyzer.TOKEN_RE.findall(piece))):
                    self.yes.add(piece)
                elif len(piece) <= self.PIECE:
                    # Longer ones (sentences of unspaced scripts) are judged
                    # each time: remembering them would cost more than it saves.
                    self.no.add(piece)
        return pieces & self.yes

    def may_be(self, raw):
        """Whether the raw word ``raw`` (a match of ``TOKEN_RE``) may be a
        searched word."""
        verdict = self.raws.get(raw)
        if verdict is None:
            if self.skip_cjk and analyzer.CJK_RE.match(raw):
                verdict = False
            else:
                verdict = any(
                    form in self.words or form[:1] in self.prefixes
                    for form in analyzer.index_forms(raw)
                )
            self.raws[raw] = verdict
        return verdict


@lru_cache(maxsize=64)
def _verdicts(words, prefixes, skip_cjk):
    return _Verdicts(words, prefixes, skip_cjk)


def _first_candidate(source, targets, prefixes):
    """Where to start reading ``source``: at or before the first word that may be
    a searched one, or ``None`` when none is."""
    starts = [start for start, _found in _candidates(source, targets, prefixes)]
    if not starts:
        return None
    begin = min(starts)
    # find() may land inside a longer word: step back to where that word starts.
    while begin > 0 and _inside_word(source[begin - 1]):
        begin -= 1
    return begin


@lru_cache(maxsize=8)
def _candidates(source, targets, prefixes):
    """``[(start, string)]``: strings of ``source`` that may hold a searched
    word, each with where it first stands (at or before the word).

    In most texts a CJK token is made of the text's own characters (see
    :func:`_regular`), found with ``str.find``. Otherwise, and for other words, the
    text's pieces between white space are judged (:class:`_Verdicts`), instead
    of every token read in order: most texts of a page of hits are rejected, or
    skipped to the match, this way. Remembered for the last few texts: a hit's
    snippet and its passages read the same text.
    """
    words, found = targets, []
    regular = _regular(source)
    if regular:
        words = _spaced(targets)
        for token in (targets - words) | prefixes:
            start = source.find(token)
            if start != -1:
                found.append((start, token))
        prefixes = frozenset()
    if words or prefixes:
        verdicts = _verdicts(words, prefixes, regular)
        for piece in verdicts.among(set(source.split())):
            found.append((source.find(piece), piece))
    return tuple(found)


def hints(text, query):
    """Strings one of which every part of ``text`` holding a phrase of ``query``
    holds (a quick no for each paragraph of a long text), or ``None`` when that
    cannot be told (characters NFKC changes)."""
    phrases = query.phrases
    if not phrases or not _regular(text):
        return None
    if not _may_match(text, phrases):
        return set()
    _tokens, words, prefixes, _longest = _targets(tuple(phrases))
    return {string for _start, string in _candidates(text, words, prefixes)}


def _inside_word(character):
    """Whether ``character`` continues a spaced-script word (a run of CJK
    characters is found whole, so its start is never missed)."""
    if analyzer.CJK_RE.match(character):
        return False
    return (
        character.isalnum()
        or character in analyzer.APOSTROPHES
        or (unicodedata.combining(character) > 0)
    )


def _ending_here(recent, phrase, source):
    """The spans to mark when the last tokens read are ``phrase``: each token's,
    but only the first character of a bigram matched by a one-character prefix
    (地 in 地下)."""
    size = len(phrase.words)
    if size > len(recent):
        return None
    tail = list(recent)[-size:]
    spans = []
    for token, words in zip(tail, phrase.words, strict=True):
        if token is None:
            return None
        if token.text in words:
            spans.append((token.start, token.end))
        elif any(isinstance(w, analyzer.Prefix) and token.text[:1] == w for w in words):
            character = analyzer.CJK_UNIT_RE.match(source, token.start)
            spans.append((token.start, character.end() if character else token.end))
        else:
            return None
    return spans


def _may_match(source, phrases):
    """A quick no: the Japanese or Chinese characters of every phrase are missing.

    Only CJK tokens are checked, as they are characters of the text itself: the
    character a prefix stands for, and each chain of bigrams (避難 難所) as the
    characters in a row (避難所). A word's dictionary form need not appear in the
    text ("люди" is indexed as "человек"), nor does a CJK character in a text NFKC
    changes (ｶﾞ for ガ).
    """
    if not _regular(source):
        return True
    return any(
        all(characters in source for characters in _cjk_strings(phrase))
        for phrase in phrases
    )


@lru_cache(maxsize=32)
def _regular(source):
    """Whether the CJK tokens of ``source`` are its characters as they stand."""
    return not analyzer.IRREGULAR_CJK_RE.search(source)


@lru_cache(maxsize=256)
def _cjk_strings(phrase):
    """The strings of CJK characters a match of ``phrase`` has in its text: each
    token, bigrams in a row joined (避難 難所: 避難所)."""
    strings, previous = [], ""
    for token, *_ in phrase.words:
        if not analyzer.CJK_RE.match(token):
            previous = ""
            continue
        if len(previous) == 2 and len(token) == 2 and previous[1] == token[0]:
            strings[-1] += token[1]
        else:
            strings.append(token)
        previous = token
    return tuple(strings)


def _render(source, spans, length):
    if spans:
        first = min(start for start, _ in spans)
        begin = _word_start(source, max(0, first - int(length * LEAD)), first)
    else:
        begin = 0
    end = _word_end(source, min(len(source), begin + length))
    parts = [ELLIPSIS] if begin > 0 else []
    cursor = begin
    for start, stop in _merge(spans, source):
        start, stop = max(start, cursor), min(stop, end)
        if start >= stop:
            continue
        parts.append(_plain(source[cursor:start]))
        parts.append(f"<mark>{_plain(source[start:stop])}</mark>")
        cursor = stop
    parts.append(_plain(source[cursor:end]))
    if end < len(source):
        parts.append(ELLIPSIS)
    # Safe: every piece of the source went through escape() above.
    return mark_safe("".join(parts).strip())


def _plain(text):
    # html.escape() is what django.utils.html.escape() calls, without its
    # lazy-string wrapper (a snippet makes several calls).
    return html.escape(WHITESPACE.sub(" ", text))


def _merge(spans, source):
    """Sorted spans, joined when only whitespace separates them ("closed road")."""
    merged = []
    for start, stop in sorted(set(spans)):
        if merged and not source[merged[-1][1] : start].strip():
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
        else:
            merged.append((start, stop))
    return merged


def _word_start(source, position, limit):
    """Move ``position`` forward to the start of a word (for spaced scripts)."""
    if position == 0:
        return 0
    space = source.find(" ", position, limit)
    return space + 1 if space != -1 and space + 1 <= limit else position


def _word_end(source, position):
    """Move ``position`` back to the end of a word (for spaced scripts)."""
    if position >= len(source):
        return len(source)
    space = source.rfind(" ", max(0, position - 30), position)
    return space if space > 0 else position


def contains(text, query):
    """Whether ``text`` (one string) holds a phrase of ``query``, read as the
    snippets read it."""
    phrases = query.phrases
    if not phrases:
        return False
    if len(text) <= SHORT:
        # Names, identifiers: the same few on every hit of a page.
        return _short_contains(text, tuple(phrases))
    return bool(_matches(text, phrases, len(text) or 1, first=True))


def marked(text, query, length=SNIPPET_LENGTH):
    """The snippet of ``text`` (one string) around its first match, as
    :func:`snippet` makes it, or ``None`` when nothing in it matches."""
    phrases = query.phrases
    spans = _matches(text, phrases, length) if phrases else []
    return _render(text, spans, length) if spans else None


#: Texts up to this long (names, identifiers) have their answers remembered.
SHORT = 200


@lru_cache(maxsize=20_000)
def _short_contains(text, phrases):
    return bool(_matches(text, phrases, len(text) or 1, first=True))


def marked_spans(text, query):
    """Every span of ``text`` that matches a phrase of ``query``, in order,
    joined where only white space separates them (to mark a whole page)."""
    phrases = query.phrases
    if not phrases or not text:
        return []
    return _merge(_matches(text, phrases, len(text)), text)

"""The one analyzer: how text becomes search tokens, at index time and at query time.

Every step is the same on both sides, which is what makes a query meet its text:

* Unicode NFKC and casefold: "ＢＡＳＥＭＥＮＴ", "Basement" and "basement" are one word;
  half-width katakana become full-width.
* Latin and Cyrillic diacritics are dropped ("Café" = "cafe", a stressed "подва́л" =
  "подвал"), except the letters that are letters of their own: й, ї and ў stay, ё
  becomes е on both sides. Ukrainian apostrophes (' ’ ʼ and kin) are one apostrophe,
  which is then left out of the token: "сім’я" and "сімʼя" are both "сімя".
* Russian and Ukrainian words become their dictionary form (pymorphy3): подвале →
  подвал, підвалі → підвал. A word with і, ї, є or ґ is Ukrainian; one with ы, э or ъ
  Russian; any other is read as Russian when the Russian dictionary knows it, else
  as Ukrainian when that one does, else by the Russian guesser.
* Other Latin-script words are stemmed as English (Snowball): basements → basement.
* Han, kana and Hangul are cut into overlapping bigrams, one token per character:
  each character of a run of adjacent ones gives the bigram it starts, the last
  gives itself (地下室 → 地下 下室 室). Japanese has no spaces and no dictionary
  here; a query of two characters or more is the phrase of its bigrams, one
  character a prefix that finds every token starting with it, so 地下, 避難所 and
  避 all match wherever they occur.

Tokens carry the character offsets of the original text, so snippets can be cut from
the original with the matched words marked.
"""

import operator
import re
import unicodedata
from functools import lru_cache
from itertools import chain
from typing import NamedTuple

# Scripts written without spaces, indexed by overlapping bigrams. CJK punctuation
# (U+3000–U+3004, brackets) and the katakana middle dot are left out on purpose:
# they end a run of characters.
CJK_RANGES = (
    "\u1100-\u11ff"  # Hangul jamo
    "\u2e80-\u2fdf"  # CJK radicals
    "\u3005-\u3007\u3021-\u3029\u3031-\u3035"  # 々 〆 〇, Suzhou numerals, kana marks
    "\u3040-\u30fa\u30fc-\u30ff"  # hiragana, katakana
    "\u3130-\u318f"  # Hangul compatibility jamo
    "\u31f0-\u31ff"  # katakana phonetic extensions
    "\u3200-\u33ff"  # enclosed and compatibility CJK (㈱, ㍿)
    "\u3400-\u4dbf\u4e00-\u9fff"  # Han
    "\uac00-\ud7af"  # Hangul syllables
    "\uf900-\ufaff"  # Han compatibility
    "\uff66-\uff9f"  # half-width katakana
    "\U00020000-\U0003134f"  # Han extensions
)
# Combining diacritics of Latin and Cyrillic (dropped), then kana voicing marks (which
# NFKC joins to their kana: ｶﾞ → ガ).
DIACRITICS = (
    "\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
)
MARKS = DIACRITICS + "\u3099\u309a\uff9e\uff9f"
# Hangul vowel and final jamo: decomposed (NFD) Korean, which NFKC joins into
# syllables with the jamo before them.
JAMO_TAIL = "\u1160-\u11ff"
APOSTROPHES = "'’‘ʼʹ`"

_CJK = f"[{CJK_RANGES}]"
_CJK_UNIT = f"{_CJK}[{MARKS}{JAMO_TAIL}]*"
_WORD_CHAR = f"[^\\W_{CJK_RANGES}]"
_RUN = f"(?:{_CJK_UNIT})+"
_WORD = f"{_WORD_CHAR}(?:{_WORD_CHAR}|[{MARKS}]|[{APOSTROPHES}](?={_WORD_CHAR}))*"
# A run of adjacent CJK characters, or a word of any other script.
TOKEN_RE = re.compile(f"{_RUN}|{_WORD}")
# The same, telling them apart: findall() gives (run, "") or ("", word).
_RUN_OR_WORD_RE = re.compile(f"({_RUN})|({_WORD})")
# One character of a run, with what NFKC joins to it.
CJK_UNIT_RE = re.compile(_CJK_UNIT)
# Characters that NFKC changes into CJK ones or joins to the character before, and
# marks: text without any has CJK tokens made of its own characters as they stand.
IRREGULAR_CJK_RE = re.compile(
    f"[{MARKS}{JAMO_TAIL}"
    "\u2e80-\u2fdf"  # radicals
    "\u3038-\u303a\u3190-\u319f"  # Hangzhou numerals, kanbun
    "\u309b\u309c\u309f\u30ff"  # spacing voicing marks, ゟ, ヿ
    "\u3130-\u318f\u3200-\u33ff"  # compatibility jamo, enclosed and compatibility
    "\uf900-\ufaff\U0002f800-\U0002fa1f"  # Han compatibility
    "\uff66-\uffdc]"  # half-width katakana and Hangul
)
CJK_RE = re.compile(_CJK)
CYRILLIC_RE = re.compile("[\u0400-\u052f]")
LATIN_WORD_RE = re.compile("[a-z\u00c0-\u024f\u1e00-\u1eff]+")
UKRAINIAN_ONLY_RE = re.compile("[іїєґ]")
RUSSIAN_ONLY_RE = re.compile("[ыэъ]")
APOSTROPHE_TABLE = str.maketrans(dict.fromkeys(APOSTROPHES, "'"))
# Letters whose decomposition must not be taken apart: they are letters of their own.
KEEP_WHOLE = frozenset("йїў")
DIACRITICS_RE = re.compile(f"[{DIACRITICS}]")
MARKS_RE = re.compile(f"[{MARKS}]")
MAX_TOKEN_LENGTH = 60
# The most spellings of one query word to look for (its dictionary forms).
MAX_ALTERNATIVES = 4


class Token(NamedTuple):
    """An index token and the span of original text it came from (both characters
    of a bigram)."""

    text: str
    start: int
    end: int


class Prefix(str):
    """A query token standing for every index token that begins with it.

    Only a single CJK character is one: every character of a text starts a token
    (the bigram it begins, or itself at the end of a run), so ``地`` as a prefix
    finds every 地.
    """

    __slots__ = ()

    def __repr__(self):
        return f"Prefix({str.__repr__(self)})"


class _Piece(NamedTuple):
    """A word, or a run of adjacent CJK characters with each one's span."""

    text: str
    spans: tuple
    cjk: bool


def tokens(text, pos=0):
    """Yield the :class:`Token` of ``text`` from ``pos`` on, lazily (snippets stop
    early)."""
    for match in TOKEN_RE.finditer(text or "", pos):
        for piece in _pieces(match.group(), match.start()):
            if piece.cjk:
                yield from _bigram_tokens(piece)
            else:
                forms = _word_forms(piece.text)
                if forms:
                    yield Token(forms[0], *piece.spans[0])


def index_tokens(text):
    """The tokens of ``text`` as stored in the index.

    No token holds or crosses white space, so the text is read piece by piece
    between spaces, and a piece seen before (most words of a language, with their
    punctuation) costs one dictionary lookup instead of the token regex and a
    lookup per word. Pieces with CJK characters (a sentence of Japanese, rarely
    seen twice) and long ones are read each time and not remembered.
    """
    pieces = (text or "").split()
    found = list(map(_PIECES.get, pieces))
    if None in found:
        for index, forms in enumerate(found):
            if forms is None:
                piece = pieces[index]
                found[index] = forms = _index_tokens_of(piece)
                if len(piece) <= LONG_PIECE and not CJK_RE.search(piece):
                    if len(_PIECES) >= MAX_PIECES:
                        _PIECES.clear()
                    _PIECES[piece] = forms
    return list(chain.from_iterable(found))


#: Pieces between spaces remembered by :func:`index_tokens`, at most so many, each
#: at most so long.
_PIECES = {}
MAX_PIECES = 200_000
LONG_PIECE = 40


def _index_tokens_of(text):
    tokens = []
    for run, word in _RUN_OR_WORD_RE.findall(text):
        if word:
            tokens.extend(_word_index_forms(word))
        else:
            tokens.extend(index_forms(run))
    return tuple(tokens)


def query_tokens(text):
    """The tokens of a query term, each as a tuple of alternatives.

    The first alternative is the form the index holds for the same spelling; the
    others are further dictionary forms of an ambiguous word (стали: стать, сталь),
    so a query finds a text whose word was read the other way.

    A run of CJK characters is the phrase of its bigrams (避難所: 避難 難所), which
    says everything about the run's last character too; a single character is a
    :class:`Prefix`. The last character of a run followed by more of the phrase
    takes a position of its own, as in the index: exactly itself before a word (the
    run ends there in the text), a prefix before another run (which may continue
    it in the text: "地下 室" finds 地下室).
    """
    pieces = []
    for match in TOKEN_RE.finditer(text or ""):
        for piece in _pieces(match.group()):
            forms = (piece.text,) if piece.cjk else _word_forms(piece.text)
            if forms:
                pieces.append((piece.cjk, forms))
    result = []
    for index, (cjk, forms) in enumerate(pieces):
        if not cjk:
            result.append(forms)
            continue
        (run,) = forms
        result.extend((run[i : i + 2],) for i in range(len(run) - 1))
        following = pieces[index + 1][0] if index + 1 < len(pieces) else None
        if following is None and len(run) == 1 or following is True:
            result.append((Prefix(run[-1]),))
        elif following is False:
            result.append((run[-1],))
    return result


def index_forms(raw):
    """The index forms of one raw token matched by :data:`TOKEN_RE`: one for a
    word (more when NFKC expands it), one per character for a run of CJK."""
    if CJK_RE.match(raw):
        if _plain(raw):
            return bigrams(raw)
        return tuple(form for piece in _pieces(raw) for form in _piece_forms(piece))
    return _word_index_forms(raw)


@lru_cache(maxsize=200_000)
def _word_index_forms(raw):
    return tuple(form for piece in _pieces(raw) for form in _piece_forms(piece))


def _piece_forms(piece):
    if piece.cjk:
        return bigrams(piece.text)
    forms = _word_forms(piece.text)
    return forms[:1]


def bigrams(run):
    """The tokens of a run of CJK characters, one per character: the bigram it
    starts, the last character alone."""
    return (*map(operator.add, run, run[1:]), run[-1]) if run else ()


def _bigram_tokens(piece):
    spans = piece.spans
    last = len(spans) - 1
    for i, form in enumerate(bigrams(piece.text)):
        yield Token(form, spans[i][0], spans[min(i + 1, last)][1])


def _plain(run):
    """Whether a run of CJK characters is its own analysed form, one character
    per position (no half-width kana, ㈱ or voicing mark)."""
    return not IRREGULAR_CJK_RE.search(run)


def _pieces(raw, start=0):
    """The pieces of one match of :data:`TOKEN_RE` at ``start`` of the text: the
    word (NFKC can make several: ㎏ → kg), or the runs of the CJK characters, each
    character with the span of the original it came from.

    NFKC can turn a character into several (㍿ → 株式会社, sharing its span) or
    into text with punctuation or letters, which ends the run (㈱ → (株)).
    """
    if not CJK_RE.match(raw):
        normal = unicodedata.normalize("NFKC", raw).casefold()
        if normal == raw:
            yield _Piece(raw, ((start, start + len(raw)),), False)
        else:
            yield from _normal_pieces(normal, (start, start + len(raw)))
        return
    if _plain(raw):
        yield _Piece(
            raw, tuple((i, i + 1) for i in range(start, start + len(raw))), True
        )
        return
    run, spans = "", []
    for unit in CJK_UNIT_RE.finditer(raw):
        span = (start + unit.start(), start + unit.end())
        characters = _unit_characters(unit.group())
        if characters is not None:
            run += characters
            spans.extend([span] * len(characters))
            continue
        if run:
            yield _Piece(run, tuple(spans), True)
            run, spans = "", []
        normal = unicodedata.normalize("NFKC", unit.group()).casefold()
        yield from _normal_pieces(normal, span)
    if run:
        yield _Piece(run, tuple(spans), True)


def _normal_pieces(normal, span):
    """The pieces of normalised text that all stand for one ``span`` of the
    original."""
    for text in TOKEN_RE.findall(normal):
        if CJK_RE.match(text):
            text = MARKS_RE.sub("", text)
            if text:
                yield _Piece(text, (span,) * len(text), True)
        else:
            yield _Piece(text, (span,), False)


@lru_cache(maxsize=20_000)
def _unit_characters(unit):
    """The CJK characters one character (with its marks) of a run stands for, or
    ``None`` when NFKC makes it something else too. A voicing mark left uncombined
    is not a character to search for."""
    characters = MARKS_RE.sub("", unicodedata.normalize("NFKC", unit).casefold())
    if all(CJK_RE.match(c) for c in characters):
        return characters
    return None


@lru_cache(maxsize=200_000)
def _word_forms(piece):
    """The alternatives for one normalised word; the first is its index form."""
    word = _fold(piece)
    if not word:
        return ()
    if CYRILLIC_RE.search(word):
        forms = _cyrillic_lemmas(word)
    elif LATIN_WORD_RE.fullmatch(word.replace("'", "")):
        forms = (_english_stem(word),)
    else:
        forms = (word,)
    cleaned = []
    for form in forms:
        form = form.replace("ё", "е").replace("'", "")[:MAX_TOKEN_LENGTH]
        if form and form not in cleaned:
            cleaned.append(form)
    return tuple(cleaned[:MAX_ALTERNATIVES])


def _fold(word):
    """Drop diacritics (keeping й ї ў), turn ё into е and unify apostrophes."""
    word = word.translate(APOSTROPHE_TABLE).replace("ё", "е")
    if word.isascii():
        return word
    chars = []
    for char in word:
        if char in KEEP_WHOLE or ord(char) < 0xC0:
            chars.append(char)
        else:
            chars.append(DIACRITICS_RE.sub("", unicodedata.normalize("NFD", char)))
    return unicodedata.normalize("NFC", "".join(chars))


def _cyrillic_lemmas(word):
    if UKRAINIAN_ONLY_RE.search(word):
        parses = _morph("uk").parse(word)
    elif RUSSIAN_ONLY_RE.search(word):
        parses = _morph("ru").parse(word)
    else:
        parses = _morph("ru").parse(word)
        if not parses or not parses[0].is_known:
            ukrainian = _morph("uk").parse(word)
            if ukrainian and ukrainian[0].is_known:
                parses = ukrainian
    if not parses:
        return (word,)
    # The most likely reading is indexed; other known readings only widen queries.
    return (parses[0].normal_form, *(p.normal_form for p in parses[1:] if p.is_known))


@lru_cache(maxsize=2)
def _morph(language):
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang=language)


@lru_cache(maxsize=1)
def _english():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


def _english_stem(word):
    return _english().stemWord(word)

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
* Han, kana and Hangul become one token per character. Japanese has no spaces and
  no dictionary here, so a query is matched as a phrase of characters: 地下, 避難
  and a single character all match wherever they occur.

Tokens carry the character offsets of the original text, so snippets can be cut from
the original with the matched words marked.
"""

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

# Scripts written without spaces, indexed character by character. CJK punctuation
# (U+3000–U+3004, brackets) and the katakana middle dot are left out on purpose.
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
APOSTROPHES = "'’‘ʼʹ`"

_CJK = f"[{CJK_RANGES}]"
_WORD_CHAR = f"[^\\W_{CJK_RANGES}]"
TOKEN_RE = re.compile(
    f"{_CJK}[{MARKS}]*"
    f"|{_WORD_CHAR}(?:{_WORD_CHAR}|[{MARKS}]|[{APOSTROPHES}](?={_WORD_CHAR}))*"
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
    """An index token and the span of original text it came from."""

    text: str
    start: int
    end: int


def tokens(text):
    """Yield the :class:`Token` of ``text`` in order, lazily (snippets stop early)."""
    for match in TOKEN_RE.finditer(text or ""):
        start, end = match.span()
        for form in index_forms(match.group()):
            yield Token(form, start, end)


def index_tokens(text):
    """The tokens of ``text`` as stored in the index."""
    return [form for raw in TOKEN_RE.findall(text or "") for form in index_forms(raw)]


def query_tokens(text):
    """The tokens of a query term, each as a tuple of alternatives.

    The first alternative is the form the index holds for the same spelling; the
    others are further dictionary forms of an ambiguous word (стали: стать, сталь),
    so a query finds a text whose word was read the other way.
    """
    result = []
    for raw in TOKEN_RE.findall(text or ""):
        for piece in _pieces(raw):
            if CJK_RE.match(piece):
                result.extend((char,) for char in _cjk_chars(piece))
            else:
                forms = _word_forms(piece)
                if forms:
                    result.append(forms)
    return result


@lru_cache(maxsize=200_000)
def index_forms(raw):
    """The index forms of one raw token matched by :data:`TOKEN_RE` (usually one;
    one per character for CJK, more when NFKC expands it)."""
    forms = []
    for piece in _pieces(raw):
        if CJK_RE.match(piece):
            forms.extend(_cjk_chars(piece))
        else:
            word = _word_forms(piece)
            if word:
                forms.append(word[0])
    return tuple(forms)


def _pieces(raw):
    """NFKC can turn one character into several (㈱ → (株), ㎏ → kg): split again."""
    normal = unicodedata.normalize("NFKC", raw).casefold()
    return (raw,) if normal == raw else TOKEN_RE.findall(normal)


def _cjk_chars(piece):
    # A voicing mark left uncombined (rare) is not a character to search for.
    return [c for c in unicodedata.normalize("NFC", piece) if not MARKS_RE.match(c)]


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

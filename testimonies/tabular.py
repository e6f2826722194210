"""The spreadsheet layout: one testimony per row, the JSON Lines record flattened.

docs/import-format.md ("CSV and XLSX") is the contract. A key of the record is a
column (``title``); a key of one of its objects is a prefixed column
(``narrator.alias``, ``source.title``, ``consent.status``); a translation is a
group of columns per language (``translation.uk.title``), a photo or a document
a group per number (``photo.1.file``, ``document.2.title``). Themes, places and
content warnings are one cell each, their values separated by ``;`` (a ``;`` or
``\\`` inside a value is escaped with ``\\``). Themes and places are named, not
defined: their parents, kinds, coordinates and names in other languages are the
vocabulary's.

:func:`flatten` makes a row from an export's record, :func:`unflatten` the
record from a row; a row of :func:`flatten` unflattens to a record that imports
as the original did.
"""

import re

from .importing.attachments import KINDS
from .importing.provenance import NARRATOR_KEYS, NARRATOR_PRIVATE
from .importing.records import KEYS, TRANSLATION_KEYS
from .models import Source

SEPARATOR = ";"
LIST_KEYS = ("content_warnings", "themes", "places")
OBJECT_KEYS = {
    "consent": ("status", "scope", "date"),
    "narrator": NARRATOR_KEYS,
    "source": Source.NATURAL_KEY_FIELDS,
}
#: Written on downloads (the testimony's address), ignored on import.
READ_ONLY = ("url",)
TRANSLATION = "translation"
#: What the header leaves out: recordings (a ZIP of JSON Lines carries them),
#: translations, photos and documents (groups of columns).
NOT_IN_ROWS = ("recordings", "translations", "photos", "documents")
#: A photo's or document's group: ``photo.1.file`` (numbered from 1) → "photos".
ATTACHMENTS = {kind.key[:-1]: kind for kind in KINDS}
#: At most this many photos (or documents) a row names.
MAX_ATTACHMENTS = 100
#: Empty in every public record: who a narrator is across testimonies, and when
#: consent was given.
PRIVATE_IN_PUBLIC = ("narrator.code", "consent.date")


def columns(languages=(), *, private=False, public=False, extra=()):
    """The header: every column in the format's order, the translation columns
    of ``languages``, then ``extra``. Narrators' private fields only when
    ``private``; ``public`` leaves out what a public record never has."""
    header = []
    for key in KEYS:
        if key in NOT_IN_ROWS:
            continue
        if key in OBJECT_KEYS:
            header += [f"{key}.{inner}" for inner in OBJECT_KEYS[key]]
        else:
            header.append(key)
    hidden = set() if private else {f"narrator.{key}" for key in NARRATOR_PRIVATE}
    if public:
        hidden |= set(PRIVATE_IN_PUBLIC)
    header = [name for name in header if name not in hidden]
    for language in sorted(languages):
        header += [f"{TRANSLATION}.{language}.{key}" for key in TRANSLATION_KEYS[1:]]
    return header + list(extra)


def flatten(record):
    """The cells of ``record`` (an export's line), by column name."""
    row = {}
    for key, value in record.items():
        if key in LIST_KEYS:
            names = [item["name"] if isinstance(item, dict) else item for item in value]
            row[key] = join_values(names)
        elif key in OBJECT_KEYS:
            for inner, inner_value in (value or {}).items():
                row[f"{key}.{inner}"] = cell(_tag_name(inner_value))
        elif key == "translations":
            for item in value or ():
                prefix = f"{TRANSLATION}.{item['language']}"
                for inner in TRANSLATION_KEYS[1:]:
                    row[f"{prefix}.{inner}"] = cell(item.get(inner))
        elif key not in NOT_IN_ROWS:
            row[key] = cell(value)
    return row


def _tag_name(value):
    # A narrator's home place is a definition in the record, a name in a row.
    return value["name"] if isinstance(value, dict) else value


def cell(value):
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    return str(value)


def join_values(values):
    return f"{SEPARATOR} ".join(
        re.sub(r"([;\\])", r"\\\1", str(value)) for value in values
    )


def split_values(text):
    """The values of a multi-valued cell: split on unescaped ``;``, trimmed,
    blanks dropped."""
    values, current, escaped = [], [], False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == SEPARATOR:
            values.append("".join(current))
            current = []
        else:
            current.append(char)
    if escaped:
        current.append("\\")
    values.append("".join(current))
    return [value.strip() for value in values if value.strip()]


BOOLEANS = {
    "true": True,
    "false": False,
    "yes": True,
    "no": False,
    "1": True,
    "0": False,
}


def unflatten(row):
    """The record of ``row`` (column → cell text), as a line of JSON Lines
    gives it. An empty cell is left out: it leaves the stored value as it is."""
    record, translations, attachments = {}, {}, {}
    for column, text in row.items():
        if text is None or not text.strip() or column in READ_ONLY:
            continue
        key, _dot, rest = column.partition(".")
        if key == TRANSLATION:
            language, _dot, inner = rest.partition(".")
            translations.setdefault(language, {"language": language})[inner] = text
        elif key in ATTACHMENTS:
            number, _dot, inner = rest.partition(".")
            group = attachments.setdefault(ATTACHMENTS[key].key, {})
            group.setdefault(int(number), {})[inner] = (
                text.strip() if inner == "file" else text
            )
        elif key in OBJECT_KEYS:
            record.setdefault(key, {})[rest] = text.strip()
        elif key in LIST_KEYS:
            record[key] = split_values(text)
        elif key == "sample":
            record[key] = BOOLEANS.get(text.strip().lower(), text)
        elif key in ("title", "summary", "body"):
            record[key] = text
        else:
            record[key] = text.strip()
    if translations:
        record["translations"] = list(translations.values())
    for key, group in attachments.items():
        # In their numbers' order; a gap (photo.1, photo.3) is no photo.
        record[key] = [group[number] for number in sorted(group)]
    return record


def unknown_column(column):
    """Why ``column`` is not one of the layout's (``""`` when it is)."""
    key, _dot, rest = column.partition(".")
    if key == TRANSLATION:
        language, _dot, inner = rest.partition(".")
        if language and inner in TRANSLATION_KEYS[1:]:
            return ""
    elif key in OBJECT_KEYS:
        if rest in OBJECT_KEYS[key]:
            return ""
    elif key in ATTACHMENTS:
        number, _dot, inner = rest.partition(".")
        if (
            number.isascii()
            and number.isdigit()
            and str(int(number)) == number  # photo.01 would be photo.1 again
            and 1 <= int(number) <= MAX_ATTACHMENTS
            and inner in ATTACHMENTS[key].keys
        ):
            return ""
    elif not rest and (key in KEYS and key not in NOT_IN_ROWS or key in READ_ONLY):
        return ""
    return column or "(empty)"

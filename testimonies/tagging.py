"""How theme and place names are written, compared and split.

Archivists type tags in several scripts, so a name is compared by its *key*: Unicode
NFKC, collapsed whitespace and casefold. "Evacuation", "evacuation" and
"ＥＶＡＣＵＡＴＩＯＮ" are one theme; "Суджа" and "суджа" are one place.
"""

import re
import unicodedata

# Commas (ASCII, Japanese 、, full-width ，), semicolons and new lines separate names;
# spaces never do, so "Closed evacuation routes" stays one theme.
SEPARATORS = re.compile(r"[,、，;；\n]+")
WHITESPACE = re.compile(r"\s+")


def clean_name(name):
    """Return a tag name as it is stored: NFKC, trimmed, single spaces."""
    return WHITESPACE.sub(" ", unicodedata.normalize("NFKC", name)).strip()


def name_key(name):
    """Return the key two names share when they are the same tag."""
    return clean_name(name).casefold()


def unique_names(names):
    """Clean names, dropping empty ones and repeats (by key); first spelling wins."""
    seen = set()
    result = []
    for name in names:
        name = clean_name(name)
        key = name.casefold()
        if name and key not in seen:
            seen.add(key)
            result.append(name)
    return result


def parse_tag_string(tag_string):
    """TAGGIT_TAGS_FROM_STRING: split on commas of any script, never on spaces."""
    if not tag_string:
        return []
    return unique_names(
        part.strip().strip('"') for part in SEPARATORS.split(tag_string)
    )


def format_tag_string(tags):
    """Taggit's TAGGIT_STRING_FROM_TAGS: the inverse of :func:`parse_tag_string`."""
    return ", ".join(sorted(tag.name for tag in tags))

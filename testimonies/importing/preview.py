"""What a checked file would change, for the archivist to read before importing:
each updated testimony's changed fields, old and new, and for each theme or place
it would create the stored tags it looks like (a typo, an accent, a name in
another language), so that it can be mapped to one of them instead.

Runs after a dry run's plan, in a few queries: only the first
:data:`DIFF_LIMIT` updated testimonies are compared field by field.
"""

import os.path
import unicodedata

from django.utils.translation import gettext as _

from ..dates import format_partial_date
from ..models import PlacedItem, Testimony, ThemedItem, Translation
from ..tagging import name_key
from .attachments import KINDS, compare
from .problems import ABSENT
from .records import FIELD_KEYS
from .writing import LONG_TEXTS

#: Stored tags suggested for one new name, closest first.
SUGGESTIONS = 3
#: Characters of a long text shown around its first change.
CONTEXT = 60


def folded(name):
    """A name without case, accents or punctuation: "Évacuation!" → "evacuation"."""
    decomposed = unicodedata.normalize("NFKD", name_key(name))
    kept = (
        char
        for char in decomposed
        if not unicodedata.combining(char) and (char.isalnum() or char == " ")
    )
    return " ".join("".join(kept).split())


def distance(a, b, limit):
    """Levenshtein distance of ``a`` and ``b``, or ``limit + 1`` once past it."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(
                    previous[j] + 1,
                    current[j - 1] + 1,
                    previous[j - 1] + (char_a != char_b),
                )
            )
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def suggestions(vocabulary):
    """``[{"name", "candidates": [{"pk", "name", "why"}]}]`` for each tag the
    file would create that looks like stored ones."""
    stored = []
    for tag in vocabulary.existing.values():
        names = {tag.name, *(tag.names or {}).values()}
        stored.append((tag, {folded(name): name for name in names if name}))
    found = []
    for new in vocabulary.created:
        key = folded(new.name)
        limit = 1 if len(key) <= 4 else 2 if len(key) <= 10 else 3
        scored = []
        for tag, names in stored:
            best = None
            for name_folded, name in names.items():
                if name_folded == key:
                    why = (
                        _("the same name but for case, accents or signs")
                        if name == tag.name
                        else _("its name in another language, “%(name)s”")
                        % {"name": name}
                    )
                    best = (0, why)
                    break
                steps = distance(key, name_folded, limit)
                if steps <= limit and (best is None or steps < best[0]):
                    best = (
                        steps,
                        _("close to “%(name)s” (edit distance %(count)s)")
                        % {"count": steps, "name": name},
                    )
            if best is not None:
                scored.append((best[0], tag.name, tag.pk, best[1]))
        if scored:
            scored.sort()
            found.append(
                {
                    "name": new.name,
                    "candidates": [
                        {"pk": pk, "name": name, "why": why}
                        for _steps, name, pk, why in scored[:SUGGESTIONS]
                    ],
                }
            )
    return found


def updates(batch):
    """The changes of the first :data:`DIFF_LIMIT` updated testimonies:
    ``[{"identifier", "line", "changes": [{"field", "old", "new"}]}]`` (no
    changes: the line repeats what is stored)."""
    planned = batch.testimonies
    updated = [
        (entry, testimony, planned.before[index])
        for index, (entry, testimony) in enumerate(planned.pairs)
        if index in planned.before
    ]
    pks = [testimony.pk for _entry, testimony, _before in updated]
    texts = {
        row["pk"]: row
        for row in Testimony.objects.filter(pk__in=pks).values("pk", *LONG_TEXTS)
    }
    tags = {
        "themes": _stored_tags(ThemedItem, pks, batch.themes),
        "places": _stored_tags(PlacedItem, pks, batch.places),
    }
    translations = {}
    for row in Translation.objects.filter(testimony_id__in=pks).values(
        "testimony_id", "language", "title", "summary", "body", "translator", "kind"
    ):
        translations.setdefault(row.pop("testimony_id"), {})[row["language"]] = row
    attachments = {}
    for kind in KINDS:
        listed = [
            (testimony, getattr(entry, kind.key))
            for entry, testimony, _before in updated
            if getattr(entry, kind.key) is not ABSENT
        ]
        changed, stored = compare(kind, listed)
        labels = {
            pk: [row[kind.texts[0]] for row in rows] for pk, rows in stored.items()
        }
        attachments[kind] = (changed, labels)
    shown = []
    for entry, testimony, before in updated:
        changes, dated = [], False
        for field, value in entry.values.items():
            old = texts[testimony.pk][field] if field in LONG_TEXTS else before[field]
            if old == value:
                continue
            if field in RECORDED:
                dated = True  # three fields, one date at its precision
                continue
            changes.append(change(FIELD_KEYS.get(field, field), old, value))
        if dated:
            changes.insert(0, recorded_change(before, entry.values))
        for field, vocabulary in (("themes", batch.themes), ("places", batch.places)):
            keys = getattr(entry, field)
            if keys is ABSENT:
                continue
            old = tags[field].get(testimony.pk, set())
            new = {vocabulary.tags[key].name for key in keys}
            if old != new:
                changes.append(
                    {
                        "field": field,
                        "old": "; ".join(sorted(old)),
                        "new": "; ".join(sorted(new)),
                    }
                )
        if entry.translations is not ABSENT:
            old = translations.get(testimony.pk, {})
            new = {item["language"]: item for item in entry.translations}
            for language in sorted({*old, *new}):
                before_item, after_item = old.get(language), new.get(language)
                if (
                    before_item is None
                    or after_item is None
                    or any(
                        before_item.get(key, "") != after_item.get(key, "")
                        for key in after_item
                    )
                ):
                    changes.append(
                        {
                            "field": f"translations.{language}",
                            "old": summary_of(before_item),
                            "new": summary_of(after_item),
                        }
                    )
        for kind, (changed, labels) in attachments.items():
            if testimony.pk in changed:
                plans = getattr(entry, kind.key)
                changes.append(
                    {
                        "field": kind.key,
                        "old": "; ".join(labels.get(testimony.pk, [])),
                        "new": "; ".join(p.values[kind.texts[0]] for p in plans),
                    }
                )
        shown.append(
            {"identifier": testimony.identifier, "line": entry.line, "changes": changes}
        )
    return shown


RECORDED = ("recorded_on", "recorded_precision", "recorded_until")


def recorded_change(before, values):
    """The recording date as the file writes it, stored and new."""

    def shown(source):
        date = format_partial_date(
            source.get("recorded_on"), source.get("recorded_precision")
        )
        until = source.get("recorded_until")
        return f"{date} – {until.isoformat()}" if until else date

    new = {name: values.get(name, before.get(name)) for name in RECORDED}
    return {"field": "recorded_on", "old": shown(before), "new": shown(new)}


def _stored_tags(through, pks, vocabulary):
    names = {tag.pk: tag.name for tag in vocabulary.existing.values()}
    stored = {}
    rows = through.objects.filter(content_object_id__in=pks).values_list(
        "content_object_id", "tag_id"
    )
    for testimony_pk, tag_pk in rows:
        stored.setdefault(testimony_pk, set()).add(names.get(tag_pk, "?"))
    return stored


def summary_of(item):
    if item is None:
        return ""
    return shorten(item.get("title") or "", CONTEXT * 2)


def change(field, old, new):
    """One changed field, its values as text; a long text around its first
    difference."""
    old, new = text_of(old), text_of(new)
    if len(old) > CONTEXT * 2 or len(new) > CONTEXT * 2:
        start = len(os.path.commonprefix([old, new]))
        begin = max(0, start - CONTEXT // 2)
        old = excerpt(old, begin)
        new = excerpt(new, begin)
    return {"field": field, "old": old, "new": new}


def excerpt(text, begin):
    part = text[begin : begin + CONTEXT * 2]
    return (
        ("…" if begin else "") + part + ("…" if begin + CONTEXT * 2 < len(text) else "")
    )


def text_of(value):
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(str(item) for item in value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def shorten(text, length):
    return text if len(text) <= length else text[: length - 1] + "…"

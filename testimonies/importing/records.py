"""One line of the file → one :class:`Entry`: the testimony's cleaned values.

The key order here is the format's order; the export writes keys in it.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ..dates import DatePrecision
from ..models import Place, Testimony, Theme, Translation
from .attachments import KINDS, clean_attachments
from .fields import INVALID, join
from .problems import ABSENT
from .provenance import clean_narrator, clean_source
from .recordings import Media, clean_recordings
from .tags import clean_tags

KEYS = (
    "identifier",
    "title",
    "language",
    "summary",
    "body",
    "recorded_on",
    "events_from",
    "events_to",
    "status",
    "access",
    "sealed_until",
    "published_at",
    "consent",
    "content_warnings",
    "sample",
    "themes",
    "places",
    "narrator",
    "source",
    "translations",
    "photos",
    "documents",
    "recordings",
)
REQUIRED = ("identifier", "title", "language")
TEXT_FIELDS = ("identifier", "title", "summary", "body", "status", "access")
CONSENT_KEYS = {"status": "consent", "scope": "consent_scope", "date": "consent_date"}
TRANSLATION_KEYS = ("language", "title", "summary", "body", "translator", "kind")

# Where a model field's errors (from Testimony.clean()) show up in the format.
FIELD_KEYS = {
    "recorded_precision": "recorded_on",
    "recorded_until": "recorded_on",
    "consent": "consent.status",
    "consent_scope": "consent.scope",
    "consent_date": "consent.date",
    "is_sample": "sample",
}


@dataclass
class Entry:
    """A valid line. ``values`` holds the Testimony fields the line sets; the other
    parts are ABSENT when the line leaves them as they are."""

    line: int
    identifier: str
    values: dict
    themes: object = ABSENT  # list of theme keys
    places: object = ABSENT  # list of place keys
    narrator: object = ABSENT  # None, or a NarratorMention (later its identity)
    source: object = ABSENT  # None, or Source values (later their natural key)
    translations: object = ABSENT  # list of Translation field values
    photos: object = ABSENT  # list of attachments.AttachmentPlans
    documents: object = ABSENT  # the same
    recordings: object = ABSENT  # list of RecordingPlans
    mentions: list = field(default_factory=list)  # TagMentions, in file order


def clean_entry(data, c, media=None):
    """Clean one decoded line; return an Entry, or None after recording problems.
    ``media`` (:class:`~.recordings.Media`) is where the files of recordings,
    photos and documents are read."""
    if c.object(data, "", KEYS, REQUIRED) is INVALID:
        return None
    entry = Entry(c.line, identifier=None, values={})
    values = entry.values
    for key in TEXT_FIELDS:
        if key in data:
            values[key] = c.field(Testimony, key, data[key], key)
    entry.identifier = values.get("identifier")
    if "language" in data:
        language = c.language(Testimony, "language", data["language"], "language")
        values["language"] = language
    if "recorded_on" in data:
        day, precision = c.partial_date(data["recorded_on"], "recorded_on")
        values["recorded_on"] = day
        values["recorded_precision"] = precision or DatePrecision.DAY
    if "events_from" in data:
        values["events_from"], _precision = c.partial_date(
            data["events_from"], "events_from"
        )
    if "events_to" in data:
        values["events_to"] = c.period_end(data["events_to"], "events_to")
    if "sealed_until" in data:
        values["sealed_until"] = c.field(
            Testimony, "sealed_until", data["sealed_until"], "sealed_until", null=True
        )
    if "published_at" in data:
        values["published_at"] = c.moment(
            Testimony, "published_at", data["published_at"], "published_at"
        )
    if "consent" in data:
        clean_consent(c, data["consent"], values)
    if "content_warnings" in data:
        values["content_warnings"] = clean_strings(
            c, data["content_warnings"], "content_warnings"
        )
    if "sample" in data:
        values["is_sample"] = c.boolean(data["sample"], "sample")
    if "themes" in data:
        entry.themes = clean_tags(c, Theme, data["themes"], "themes", entry.mentions)
    if "places" in data:
        entry.places = clean_tags(c, Place, data["places"], "places", entry.mentions)
    if "narrator" in data:
        entry.narrator = clean_narrator(c, data["narrator"], "narrator", entry.mentions)
    if "source" in data:
        entry.source = clean_source(c, data["source"], "source")
    if "translations" in data:
        entry.translations = clean_translations(c, data["translations"])
    media = media or Media(None)
    for kind in KINDS:
        if kind.key in data:
            setattr(entry, kind.key, clean_attachments(c, kind, data[kind.key], media))
    if "recordings" in data:
        entry.recordings = clean_recordings(
            c, data["recordings"], media, entry.mentions
        )
    return entry if c.ok else None


def clean_consent(c, value, values):
    data = c.object(value, "consent", tuple(CONSENT_KEYS))
    if data is INVALID:
        return
    for key, name in CONSENT_KEYS.items():
        if key in data:
            path = join("consent", key)
            values[name] = c.field(Testimony, name, data[key], path, null=key == "date")


def clean_strings(c, value, path):
    if c.array(value, path) is INVALID:
        return INVALID
    items = [c.text(item, f"{path}[{index}]") for index, item in enumerate(value)]
    return INVALID if INVALID in items else items


def clean_translations(c, value):
    """The whole set of translations, at most one per language."""
    if c.array(value, "translations") is INVALID:
        return INVALID
    result, languages = [], set()
    for index, item in enumerate(value):
        path = f"translations[{index}]"
        data = c.object(item, path, TRANSLATION_KEYS, required=("language", "title"))
        if data is INVALID or "language" not in data:
            continue
        language = data["language"]
        language = c.language(Translation, "language", language, join(path, "language"))
        values = {"language": language}
        for key in TRANSLATION_KEYS[1:]:
            if key in data:
                values[key] = c.field(Translation, key, data[key], join(path, key))
        if language in languages:
            c.error(
                join(path, "language"),
                _("a second translation into “%(language)s”")
                % {"language": values["language"]},
            )
        languages.add(values["language"])
        result.append(values)
    return result

"""Export testimonies as JSON Lines, the format :mod:`testimonies.importing` reads.

Every key is written, in the format's order, so importing an export into an empty
database and exporting again gives the same bytes. Themes and places are written
as full definitions (parent chain, kind, coordinates, names): an export alone
rebuilds the vocabularies it uses. Narrators' real names, contacts and notes are
left out unless asked for.

Two audiences: by default the archivists' export holds every testimony with its
text as stored, redaction brackets included (the exact round trip). ``public=True``
exports what an anonymous visitor may read: published public testimonies only, texts
redacted (:mod:`testimonies.redaction`), without narrator codes or consent dates.
"""

import csv
import datetime
import json

from . import tabular
from .dates import format_partial_date
from .exporting_media import attachments_of, recordings_of, recordings_prefetch
from .importing.attachments import KINDS
from .importing.provenance import NARRATOR_PRIVATE
from .importing.records import KEYS
from .importing.tags import KEYS as TAG_KEYS
from .models import Place, Source, Testimony, Theme, Translation
from .models.tags import MAX_DEPTH
from .redaction import redact

CHUNK = 1_000


def export_testimonies(
    stream, *, include_private=False, public=False, queryset=None, media=None
):
    """Write one line per testimony (ordered by identifier) to the text ``stream``.

    Return how many were written. Queries are bounded: the two vocabularies once,
    then a few per chunk of testimonies, whatever the size of the collection.
    With ``media`` (a :class:`~.exporting_media.MediaFolder`), recordings,
    photos and documents are written there and listed on their lines; without
    it, lines carry none.
    """
    exporter = Exporter(include_private=include_private, public=public, media=media)
    count = 0
    testimonies = _exported(queryset, public, include_private, media)
    for testimony in testimonies.iterator(chunk_size=CHUNK):
        stream.write(json.dumps(exporter.record(testimony), ensure_ascii=False) + "\n")
        count += 1
    return count


def export_table(stream, *, include_private=False, public=False, queryset=None):
    """Write the testimonies as CSV (:mod:`testimonies.tabular`'s layout, which
    :func:`~testimonies.importing.import_testimonies` reads back) to the text
    ``stream``, ordered by identifier; return how many were written. Recordings
    are not in rows: export JSON Lines with media for them."""
    exporter = Exporter(include_private=include_private, public=public)
    testimonies = _exported(queryset, public, include_private)
    languages = (
        Translation.objects.filter(testimony__in=testimonies.values("pk"))
        .values_list("language", flat=True)
        .distinct()
        .order_by()
    )
    header = tabular.columns(
        sorted(set(languages)), private=include_private, public=public
    )
    writer = csv.writer(stream, lineterminator="\r\n")
    stream.write("\ufeff")  # a byte-order mark: Excel then reads UTF-8
    writer.writerow(header)
    count = 0
    for testimony in testimonies.iterator(chunk_size=CHUNK):
        row = tabular.flatten(exporter.record(testimony))
        writer.writerow([row.get(name, "") for name in header])
        count += 1
    return count


def _exported(queryset, public, include_private, media=None):
    if public and include_private:
        raise ValueError("A public export cannot include private fields.")
    queryset = Testimony.objects.all() if queryset is None else queryset
    if public:
        queryset = queryset.visible_to(None)
    queryset = queryset.order_by("identifier").for_record()
    if media is not None:
        queryset = queryset.prefetch_related(
            recordings_prefetch(public), *(kind.key for kind in KINDS)
        )
    return queryset


class Exporter:
    def __init__(self, *, include_private=False, public=False, media=None):
        self.include_private = include_private
        self.media = media
        self.public = public
        self.text = redact if public else str
        self.tags = {
            Theme: {tag.pk: tag for tag in Theme.objects.all()},
            Place: {tag.pk: tag for tag in Place.objects.all()},
        }
        self.definitions = {}

    def record(self, testimony):
        t = testimony
        values = {
            "identifier": t.identifier,
            "title": self.text(t.title),
            "language": t.language,
            "summary": self.text(t.summary),
            "body": self.text(t.body),
            "recorded_on": format_partial_date(t.recorded_on, t.recorded_precision),
            "events_from": iso(t.events_from),
            "events_to": iso(t.events_to),
            "status": t.status,
            "access": t.access,
            "sealed_until": iso(t.sealed_until),
            "published_at": iso(t.published_at),
            "consent": {
                "status": t.consent,
                "scope": t.consent_scope,
                "date": None if self.public else iso(t.consent_date),
            },
            "content_warnings": list(t.content_warnings or []),
            "sample": t.is_sample,
            "themes": self.tag_list(Theme, t.themed_items.all()),
            "places": self.tag_list(Place, t.placed_items.all()),
            "narrator": self.narrator(t.narrator),
            "source": self.source(t.source),
            "translations": [
                translation(item, self.text) for item in t.translations.all()
            ],
        }
        # Recordings, photos and documents are files: an export carries them
        # only with a media folder to write them to; a line without their keys
        # leaves them as they are on import.
        if self.media is not None:
            for kind in KINDS:
                values[kind.key] = attachments_of(
                    t, self.media, kind, public=self.public
                )
            values["recordings"] = recordings_of(
                t, self.media, self.tag, public=self.public
            )
        return {key: values[key] for key in KEYS if key in values}

    def tag_list(self, model, items):
        tags = [self.tags[model][item.tag_id] for item in items]
        return [self.tag(tag) for tag in sorted(tags, key=lambda tag: tag.name)]

    def tag(self, tag, seen=frozenset()):
        """A tag's full definition, its parent chain nested (cut short on a cycle,
        or past the depth limit in data from before it)."""
        model = type(tag)
        cached = self.definitions.get((model, tag.pk))
        if cached is not None:
            return cached
        parent = self.tags[model].get(tag.parent_id)
        cut = False
        if parent is None or parent.pk in seen:
            parent = None
        elif len(seen) < MAX_DEPTH - 1:
            parent = self.tag(parent, seen | {tag.pk})
        else:
            # Bounded by the depth limit, as every walk of a hierarchy is: deeper
            # data from before the limit names its parent without defining it,
            # so an import keeps the stored chain as it is.
            parent, cut = parent.name, True
        values = {
            "name": tag.name,
            "parent": parent,
            "names": dict(sorted((tag.names or {}).items())),
        }
        if model is Theme:
            values["description"] = tag.description
        else:
            values["kind"] = tag.kind
            values["latitude"] = number(tag.latitude)
            values["longitude"] = number(tag.longitude)
        definition = {key: values[key] for key in TAG_KEYS[model]}
        if not cut:  # a cut depends on where the walk began
            self.definitions[(model, tag.pk)] = definition
        return definition

    def narrator(self, narrator):
        if narrator is None:
            return None
        home = self.tags[Place].get(narrator.home_place_id)
        values = {
            # A code links a narrator's testimonies: archivists' knowledge.
            "code": None if self.public else narrator.code,
            "alias": narrator.alias,
            "age_group": narrator.age_group,
            "gender": narrator.gender,
            "role": narrator.role,
            "home_place": self.tag(home) if home else None,
            "profile": narrator.profile,
        }
        if self.include_private:
            values.update((key, getattr(narrator, key)) for key in NARRATOR_PRIVATE)
        return values

    def source(self, source):
        if source is None:
            return None
        values = {key: getattr(source, key) for key in Source.NATURAL_KEY_FIELDS}
        values["date"] = iso(source.date)
        return values


def translation(item, text=str):
    return {
        "language": item.language,
        "title": text(item.title),
        "summary": text(item.summary),
        "body": text(item.body),
        "translator": item.translator,
        "kind": item.kind,
    }


def iso(value):
    if isinstance(value, datetime.datetime):
        value = value.astimezone(datetime.UTC)
    return value.isoformat() if value is not None else None


def number(value):
    """A stored Decimal as a JSON number: 51.1923, not "51.192300"."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


#: Already compressed: stored as they are in a bundle, the rest deflated.
STORED_SUFFIXES = {
    *(".mp4", ".m4a", ".mp3", ".ogg", ".oga", ".opus", ".webm", ".mkv"),
    *(".jpg", ".jpeg", ".png", ".webp", ".gif"),
}


def export_bundle(target, *, queryset=None):
    """Write the archivists' export with its files (recordings, photos,
    documents) as a ZIP bundle to the binary ``target``: ``testimonies.jsonl``
    and ``media/`` beside it, as :func:`~testimonies.importing.import_testimonies`
    reads a bundle back.
    Return how many testimonies were written."""
    import tempfile
    import zipfile
    from pathlib import Path

    from .exporting_media import MediaFolder

    with tempfile.TemporaryDirectory(prefix="testimony-export-") as folder:
        base = Path(folder)
        data = base / "testimonies.jsonl"
        with data.open("w", encoding="utf-8", newline="\n") as stream:
            count = export_testimonies(
                stream, queryset=queryset, media=MediaFolder(base / "media", base)
            )
        with zipfile.ZipFile(target, "w", allowZip64=True) as archive:
            for path in sorted(base.rglob("*")):
                if path.is_file():
                    stored = path.suffix.lower() in STORED_SUFFIXES
                    archive.write(
                        path,
                        path.relative_to(base).as_posix(),
                        compress_type=(
                            zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
                        ),
                    )
    return count

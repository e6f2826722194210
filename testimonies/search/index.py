"""What of a testimony is searchable, and how the index is written.

:func:`indexed_text` is the single place that says which text of a testimony search
sees; snippets quote the same text. Anything that must not be findable (redacted
passages, private narrator fields) stays out of it.

Writes happen in the caller's transaction: a testimony and its index row are
committed, or rolled back, together.
"""

import gc
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Prefetch

from ..redaction import redact
from . import analyzer
from .audiences import marked_tokens
from .backends import backend_for
from .backends.base import FIELDS
from .pipeline import Pipeline

# Related rows that indexed_text() reads, prefetched into plain lists when indexing
# many: taggit's prefetch and related managers build a queryset per testimony,
# which costs more than analysing its text.
RELATED = {
    "translations": None,
    "themed_items": "tag",
    "placed_items": "tag",
}


def text_prefetch():
    from ..models import Testimony

    prefetches = []
    for name, select in RELATED.items():
        model = Testimony._meta.get_field(name).related_model
        queryset = model.objects.all()
        if select:
            queryset = queryset.select_related(select)
        prefetches.append(Prefetch(name, queryset=queryset, to_attr=f"indexed_{name}"))
    return prefetches


def related(testimony, name):
    """The related rows ``indexed_text`` reads, prefetched or not."""
    prefetched = getattr(testimony, f"indexed_{name}", None)
    return prefetched if prefetched is not None else getattr(testimony, name).all()


# Testimony fields feeding indexed_text(); a save touching none of them (e.g.
# ``save(update_fields=["status"])``) leaves the index as it is, since visibility
# is checked against the testimony table at query time.
INDEXED_FIELDS = frozenset({"identifier", "title", "summary", "body", "narrator"})
BATCH_SIZE = 500
# After writing this many rows at once, the engines' statistics are refreshed so
# their planners know the new sizes (see SearchBackend.refresh_statistics).
BULK = 5_000


def indexed_text(testimony, *, names=True):
    """The public text of ``testimony`` by field: ``{field: [text, ...]}``.

    ``title``, ``summary`` and ``body`` are the original's; ``names`` are the
    identifier, the narrator's alias and every name, in every language, of its
    themes and places; ``translations`` are each translation's title, summary
    and body; ``spoken`` maps the access level of each of its recordings to the
    words of their transcripts and segment indexes (:func:`spoken_texts`).
    ``names=False`` leaves out names and spoken words, which snippets never quote
    (a hit's moments in its recordings quote cues: ``passages.moments``). Texts
    are redacted (:mod:`testimonies.redaction`): a hidden passage is found by
    nobody, archivists included, and snippets never quote it.
    """
    found, spoken = [], {}
    if names:
        spoken = related_spoken(testimony)
        found = [testimony.identifier]
        if testimony.narrator_id:
            found.append(testimony.narrator.alias)
        for item in [
            *related(testimony, "themed_items"),
            *related(testimony, "placed_items"),
        ]:
            found.extend(item.tag.all_names())
    return {
        "title": [testimony.public_title],
        "summary": [testimony.public_summary],
        "body": [testimony.public_body],
        "names": found,
        "translations": [
            text
            for translation in related(testimony, "translations")
            for text in (
                translation.public_title,
                translation.public_summary,
                translation.public_body,
            )
        ],
        "spoken": spoken,
    }


def analyze(text):
    """Turn :func:`indexed_text` into an analyzed document for a backend: the
    spoken words of each access level marked as its own (:mod:`.audiences`)."""
    document = {
        name: [analyzer.index_tokens(piece) for piece in text[name] if piece]
        for name in FIELDS
        if name != "spoken"
    }
    document["spoken"] = [
        marked_tokens(analyzer.index_tokens(piece), access)
        for access, pieces in text["spoken"].items()
        for piece in pieces
        if piece
    ]
    return document


def related_spoken(testimony):
    """``{access: [text]}`` of ``testimony``'s recordings, loaded or not."""
    loaded = getattr(testimony, "indexed_spoken", None)
    if loaded is None:
        loaded = spoken_texts([testimony.pk], testimony._state.db).get(testimony.pk, {})
    return loaded


def spoken_texts(ids, using=DEFAULT_DB_ALIAS):
    """``{testimony id: {access: [text, ...]}}``: for each recording of the
    testimonies ``ids``, at its access level, each transcript's text (its cues
    in order: a phrase may run from one cue into the next), then each segment's
    title, synopsis and keywords. Redacted, as every indexed text is."""
    from ..models import Segment, Transcript

    found = {}

    def texts(pk, access):
        return found.setdefault(pk, {}).setdefault(access, [])

    transcripts = (
        Transcript.objects.using(using)
        .filter(recording__testimony_id__in=ids)
        .order_by(
            "recording__testimony_id", "recording__position", "recording_id", "language"
        )
        .values_list("recording__testimony_id", "recording__access", "text")
    )
    for pk, access, text in transcripts.iterator(chunk_size=100):
        texts(pk, access).append(redact(text))
    segments = (
        Segment.objects.using(using)
        .filter(recording__testimony_id__in=ids)
        .order_by("recording__testimony_id", "recording__position", "start_ms")
        .values_list(
            "recording__testimony_id",
            "recording__access",
            "title",
            "synopsis",
            "keywords",
        )
    )
    for pk, access, title, synopsis, keywords in segments:
        texts(pk, access).extend(segment_texts(title, synopsis, keywords))
    return found


def segment_texts(title, synopsis, keywords):
    """What search reads of a segment, redacted: its title, its synopsis, then
    each keyword."""
    return [redact(title), redact(synopsis), *map(redact, keywords or ())]


def for_indexing(queryset):
    """``queryset`` loading everything :func:`indexed_text` reads, in 4 queries."""
    return queryset.select_related("narrator").prefetch_related(*text_prefetch())


def reindex(ids, using=DEFAULT_DB_ALIAS):
    """Bring the index rows of testimonies ``ids`` up to date (deleted: removed)."""
    ids = sorted({int(pk) for pk in ids if pk is not None})
    if not ids:
        return
    backend = backend_for(connections[using])
    found = set()
    with transaction.atomic(using=using, savepoint=False), quiet_collector(len(ids)):
        texts = TextLoader(using)
        with Pipeline(backend, len(ids)) as pipeline:
            for start in range(0, len(ids), BATCH_SIZE):
                batch = texts.texts(ids[start : start + BATCH_SIZE])
                pipeline.add(batch)
                found.update(pk for pk, _ in batch)
        backend.delete(set(ids) - found)
        if len(ids) >= BULK:
            backend.refresh_statistics()


@contextmanager
def quiet_collector(size):
    """During a bulk run, keep Python's cycle collector off what was alive before.

    An import holds every line of its file while the index is written; each full
    collection would walk all of them again, for nothing (measured at 100,000
    testimonies: a third of the indexing time). Frozen objects are not scanned;
    new ones are collected as usual, and everything is unfrozen afterwards.
    """
    if size < BULK:
        yield
        return
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


class TextLoader:
    """Loads what :func:`indexed_text` reads for many testimonies, lean.

    Only the text fields are read, and each theme and place is loaded once for the
    whole run and shared by every testimony carrying it, instead of once per
    tagging: model instances cost more than the SQL when indexing thousands.
    """

    def __init__(self, using):
        self.using = using
        self.tags = None

    def _tags(self):
        from ..models import Place, Theme

        if self.tags is None:
            self.tags = {
                model: model.objects.using(self.using)
                .only("name", "names", "alternative_names")
                .in_bulk()
                for model in (Theme, Place)
            }
        return self.tags

    def testimonies(self, ids):
        from ..models import PlacedItem, Testimony, ThemedItem, Translation

        items = {}
        for name, through in (
            ("themed_items", ThemedItem),
            ("placed_items", PlacedItem),
        ):
            items[name] = Prefetch(
                name,
                queryset=through.objects.only("content_object_id", "tag_id"),
                to_attr=f"indexed_{name}",
            )
        translations = Translation.objects.only(
            "testimony_id", "language", "title", "summary", "body"
        )
        loaded = list(
            Testimony.objects.using(self.using)
            .filter(pk__in=ids)
            .order_by()
            .select_related("narrator")
            .only("identifier", "title", "summary", "body", "narrator__alias")
            .prefetch_related(
                Prefetch(
                    "translations",
                    queryset=translations,
                    to_attr="indexed_translations",
                ),
                *items.values(),
            )
        )
        tags = self._tags()
        spoken = spoken_texts([testimony.pk for testimony in loaded], self.using)
        for testimony in loaded:
            testimony.indexed_spoken = spoken.get(testimony.pk, {})
            for name, through in (
                ("themed_items", ThemedItem),
                ("placed_items", PlacedItem),
            ):
                vocabulary = tags[through.tag_model()]
                for item in getattr(testimony, f"indexed_{name}"):
                    tag = vocabulary.get(item.tag_id)
                    # A tag created since the vocabulary was read loads itself.
                    if tag is not None:
                        item.tag = tag
        return loaded

    def texts(self, ids):
        """``[(pk, indexed_text)]`` of the testimonies ``ids`` that exist."""
        return [(t.pk, indexed_text(t)) for t in self.testimonies(ids)]


def remove(ids, using=DEFAULT_DB_ALIAS):
    """Drop the index rows of testimonies ``ids``."""
    backend_for(connections[using]).delete(ids)


def rebuild(using=DEFAULT_DB_ALIAS, batch_size=BATCH_SIZE, progress=None):
    """Index every testimony afresh, in one transaction; return how many.

    ``progress(done, total)`` is called after each batch.
    """
    from ..models import Testimony

    backend = backend_for(connections[using])
    with transaction.atomic(using=using), quiet_collector(BULK):
        backend.install()
        backend.clear()
        ids = list(
            Testimony.objects.using(using).order_by("pk").values_list("pk", flat=True)
        )
        texts = TextLoader(using)
        with Pipeline(backend, len(ids)) as pipeline:
            for start in range(0, len(ids), batch_size):
                chunk = ids[start : start + batch_size]
                pipeline.add(texts.texts(chunk))
                if progress:
                    progress(start + len(chunk), len(ids))
        backend.optimize()
    return len(ids)


def sync(using=DEFAULT_DB_ALIAS):
    """Create the store if missing, drop rows of vanished testimonies and index
    testimonies without a row. Run after ``migrate`` and ``flush``."""
    from ..models import Testimony

    backend = backend_for(connections[using])
    table = Testimony._meta.db_table
    with transaction.atomic(using=using):
        backend.install()
        backend.delete(backend.orphan_ids(table))
        reindex(backend.missing_ids(table), using)

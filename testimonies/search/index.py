"""What of a testimony is searchable, and how the index is written.

:func:`indexed_text` is the single place that says which text of a testimony search
sees; snippets quote the same text. Anything that must not be findable (redacted
passages, private narrator fields) stays out of it.

Writes happen in the caller's transaction: a testimony and its index row are
committed, or rolled back, together.
"""

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Prefetch

from . import analyzer
from .backends import backend_for
from .backends.base import FIELDS

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


def _related(testimony, name):
    prefetched = getattr(testimony, f"indexed_{name}", None)
    return prefetched if prefetched is not None else getattr(testimony, name).all()


# Testimony fields feeding indexed_text(); a save touching none of them (e.g.
# ``save(update_fields=["status"])``) leaves the index as it is, since visibility
# is checked against the testimony table at query time.
INDEXED_FIELDS = frozenset({"title", "summary", "body", "narrator"})
BATCH_SIZE = 500


def indexed_text(testimony):
    """The public text of ``testimony`` by field: ``{field: [text, ...]}``.

    ``title``, ``summary`` and ``body`` are the original's; ``names`` are the
    narrator's alias and every name, in every language, of its themes and places;
    ``translations`` are each translation's title, summary and body.
    """
    names = [testimony.narrator.alias] if testimony.narrator_id else []
    for item in [
        *_related(testimony, "themed_items"),
        *_related(testimony, "placed_items"),
    ]:
        names.extend(item.tag.all_names())
    return {
        "title": [testimony.title],
        "summary": [testimony.summary],
        "body": [testimony.body],
        "names": names,
        "translations": [
            text
            for translation in _related(testimony, "translations")
            for text in (translation.title, translation.summary, translation.body)
        ],
    }


def analyze(text):
    """Turn :func:`indexed_text` into an analyzed document for a backend."""
    return {
        name: [analyzer.index_tokens(piece) for piece in text[name] if piece]
        for name in FIELDS
    }


def for_indexing(queryset):
    """``queryset`` loading everything :func:`indexed_text` reads, in 4 queries."""
    return queryset.select_related("narrator").prefetch_related(*text_prefetch())


def reindex(ids, using=DEFAULT_DB_ALIAS):
    """Bring the index rows of testimonies ``ids`` up to date (deleted: removed)."""
    from ..models import Testimony

    ids = sorted({int(pk) for pk in ids if pk is not None})
    if not ids:
        return
    backend = backend_for(connections[using])
    found = set()
    with transaction.atomic(using=using, savepoint=False):
        for start in range(0, len(ids), BATCH_SIZE):
            chunk = ids[start : start + BATCH_SIZE]
            queryset = for_indexing(
                Testimony.objects.using(using).filter(pk__in=chunk).order_by()
            )
            documents = [(t.pk, analyze(indexed_text(t))) for t in queryset]
            backend.write(documents)
            found.update(pk for pk, _ in documents)
        backend.delete(set(ids) - found)


def remove(ids, using=DEFAULT_DB_ALIAS):
    """Drop the index rows of testimonies ``ids``."""
    backend_for(connections[using]).delete(ids)


def rebuild(using=DEFAULT_DB_ALIAS, batch_size=BATCH_SIZE, progress=None):
    """Index every testimony afresh, in one transaction; return how many.

    ``progress(done, total)`` is called after each batch.
    """
    from ..models import Testimony

    backend = backend_for(connections[using])
    with transaction.atomic(using=using):
        backend.install()
        backend.clear()
        ids = list(
            Testimony.objects.using(using).order_by("pk").values_list("pk", flat=True)
        )
        for start in range(0, len(ids), batch_size):
            chunk = ids[start : start + batch_size]
            queryset = for_indexing(
                Testimony.objects.using(using).filter(pk__in=chunk).order_by()
            )
            backend.write([(t.pk, analyze(indexed_text(t))) for t in queryset])
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

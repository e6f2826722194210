"""Search results: one paginable, relevance- or date-ordered list of hits.

:class:`SearchResults` behaves like a queryset where views need it to: ``count()``,
``len()`` and slicing (so Django's ``Paginator`` takes it), and it composes with the
queryset methods that narrow what is searched, in any order. Only the requested
slice is ranked and loaded; each loaded hit carries ``search_rank`` (higher is
better; comparable within one backend only) and ``search_snippet``.

The hits are found once: one query joins the engine's matches with the narrowed
testimonies and returns their ids and languages, which the count, the facets and
every page then reuse (passed back as one parameter) instead of matching and
checking visibility again.
"""

import time
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import BooleanField, F, Prefetch
from django.db.models.expressions import RawSQL

from . import hitsets, index
from .backends import backend_for
from .facets import facet_counts
from .query import Query, parse_query
from .snippets import passage

RELEVANCE, NEWEST, OLDEST = "relevance", "newest", "oldest"
SORTS = (RELEVANCE, NEWEST, OLDEST)
# Above this many hits, a page sorted by date is taken from the kept order of
# the archive rather than by sorting the hits in SQL.
MANY_HITS = 2_000
ORDERINGS = {
    NEWEST: (F("recorded_on").desc(nulls_last=True), "identifier"),
    OLDEST: (F("recorded_on").asc(nulls_last=True), "identifier"),
}


class SearchResults:
    # Paginator warns about unordered object lists; these always have an order.
    ordered = True

    def __init__(self, queryset, query, sort=None):
        self.queryset = queryset
        self.query = query if isinstance(query, Query) else parse_query(query)
        self.sort = self._effective_sort(sort)
        self._hits = None
        self._kept = None
        self._count = None
        self._started = time.perf_counter()

    def __repr__(self):
        return f"<SearchResults {self.query.text!r} sort={self.sort}>"

    def _effective_sort(self, sort):
        """Relevance needs words to rank by; without them, newest first."""
        if sort in (NEWEST, OLDEST):
            return sort
        return RELEVANCE if self.query.groups else NEWEST

    # Narrowing, in any order relative to search().

    def _clone(self, queryset):
        clone = type(self)(queryset, self.query)
        clone.sort = self.sort
        return clone

    def visible_to(self, user):
        return self._clone(self.queryset.visible_to(user))

    def filter_by(self, **filters):
        return self._clone(self.queryset.filter_by(**filters))

    def filter(self, *args, **kwargs):
        return self._clone(self.queryset.filter(*args, **kwargs))

    def exclude(self, *args, **kwargs):
        return self._clone(self.queryset.exclude(*args, **kwargs))

    # The hits.

    @property
    def message(self):
        """What to tell the user about the query ("" when all is well)."""
        return self.query.message

    def matching(self):
        """Every hit as an unordered queryset (for facets, exports, counts)."""
        query, queryset = self.query, self.queryset
        if query.is_blank:
            return queryset
        if query.is_empty:
            return queryset.none()
        backend = self._backend()
        if query.groups:
            return queryset.filter(pk__in=RawSQL(*backend.match_sql(query)))
        # Only exclusions: everything but what they match.
        return queryset.exclude(pk__in=RawSQL(*backend.match_sql(query.exclusions)))

    def hits(self):
        """``[(pk, language)]`` of every hit, unordered; found once and kept."""
        if self._hits is None:
            statement = self._hits_sql()
            self._hits = (
                [] if statement is None else self._backend().execute(*statement)
            )
        return self._hits

    def _hits_sql(self):
        """``(sql, params)`` selecting ``(id, language)`` of every hit, or ``None``
        when there can be none."""
        query, queryset = self.query, self.queryset.order_by()
        if query.is_empty:
            return None
        backend = self._backend()
        try:
            if query.groups:
                return backend.hits_sql(queryset, query)
            if not query.is_blank:
                excluded = RawSQL(*backend.match_sql(query.exclusions))
                queryset = queryset.exclude(pk__in=excluded)
            sql, params = queryset.values_list("pk", "language").query.sql_with_params()
            return backend.with_plan_hints(sql), params
        except EmptyResultSet:
            return None

    def count(self):
        if self._count is None:
            kept = self._from_kept_sets()
            self._count = kept.count if kept is not None else len(self.hits())
            if not self._count:
                self._answer_no_sooner()
        return self._count

    def _answer_no_sooner(self):
        """Hold an empty answer until ``TESTIMONY_SEARCH_EMPTY_ANSWER_SECONDS``
        after the search began. A word that only hidden testimonies contain makes
        the engine find matches that visibility then drops, and that took
        measurably longer (3.7 ms) than a word nobody wrote (2.5 ms): without a
        floor, timing would tell a visitor that hidden testimonies mention it."""
        floor = getattr(settings, "TESTIMONY_SEARCH_EMPTY_ANSWER_SECONDS", 0.02)
        remaining = floor - (time.perf_counter() - self._started)
        if remaining > 0:
            time.sleep(remaining)

    def _from_kept_sets(self):
        """The hits as a :class:`KeptHits` when the database's hit sets are kept
        in memory (:mod:`testimonies.search.hitsets`), else ``None``."""
        if self._kept is None:
            backend = self._backend()
            version = hitsets.current(backend)
            self._kept = False if version is None else self._kept_hits(version, backend)
        return self._kept or None

    def _kept_hits(self, version, backend):
        query = self.query
        if query.is_empty:
            return KeptHits(version, ids=[])
        try:
            narrowed = version.narrowing(self.queryset, backend)
        except EmptyResultSet:
            return KeptHits(version, ids=[])
        if query.is_blank:
            return KeptHits(version, bits=narrowed)
        if query.groups:
            matched = [pk for (pk,) in backend.execute(*backend.match_sql(query))]
            return KeptHits(version, ids=hitsets.members(matched, narrowed))
        # Only exclusions: everything but what they match.
        matched = hitsets.bits_of(
            pk for (pk,) in backend.execute(*backend.match_sql(query.exclusions))
        )
        return KeptHits(version, bits=narrowed & ~matched)

    def __len__(self):
        return self.count()

    def __bool__(self):
        return self.count() > 0

    def __iter__(self):
        total, step = self.count(), 200
        for start in range(0, total, step):
            yield from self[start : start + step]

    def __getitem__(self, key):
        if isinstance(key, int):
            if key < 0:
                raise IndexError("Negative indexing is not supported.")
            items = self[key : key + 1]
            if not items:
                raise IndexError("Search result index out of range.")
            return items[0]
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError("Search results take an index or a plain slice.")
        start = key.start or 0
        stop = self.count() if key.stop is None else key.stop
        if start < 0 or stop < 0:
            raise IndexError("Negative indexing is not supported.")
        return self._load(start, stop - start) if stop > start else []

    def facets(self, limit=30):
        """Counts of themes, places and languages over every hit.

        When the hits are not known yet, the same query finds them, so calling
        this before ``count()`` or paginating saves a query.
        """
        kept = self._from_kept_sets()
        if kept is not None:
            return hitsets.facets(kept.version, self._backend(), kept, limit)
        if self._hits is not None:
            facets, _hits = facet_counts(self._backend(), hits=self._hits, limit=limit)
            return facets
        statement = self._hits_sql()
        if statement is None:
            self._hits = []
            return facet_counts(self._backend(), hits=[], limit=limit)[0]
        facets, self._hits = facet_counts(
            self._backend(), hits_sql=statement, limit=limit
        )
        return facets

    def _backend(self):
        return backend_for(connections[self.queryset.db])

    def _page_ids(self, offset, limit):
        """``[(pk, score)]`` of one page of hits, in order. Uses the hits when
        they are known, else finds them inside the same query."""
        backend = self._backend()
        kept = self._from_kept_sets()
        if kept is not None and not kept.count:
            return []
        if kept is not None and (
            self.sort != RELEVANCE and (kept.ids is None or len(kept.ids) > MANY_HITS)
        ):
            # Walk the whole archive in that order and keep the hits: cheaper
            # than sorting thousands of hits, and needs no list of their ids.
            order = kept.version.order(
                self.queryset.model, ORDERINGS[self.sort], backend
            )
            page = hitsets.members_in_order(order, kept.bits, offset + limit)
            return [(pk, None) for pk in page[offset:]]
        if kept is not None:
            # Relevance needs words, so the engine was asked: the ids are known.
            source = backend.ids_source(kept.ids)
        elif self._hits is not None:
            if not self._hits:
                return []
            source = backend.ids_source([pk for pk, _language in self._hits])
        else:
            statement = self._hits_sql()
            if statement is None:
                return []
            source = (
                f"WITH page_hits(id, language) AS ({statement[0]}) "
                "SELECT id FROM page_hits",
                statement[1],
            )
        if self.sort == RELEVANCE:
            rows = backend.execute(
                *backend.ranked_sql(self.query, source, offset + limit)
            )
            rows.sort(key=lambda row: (row[2], -row[1], row[0]))
            return [(pk, score) for pk, score, _tier in rows[offset : offset + limit]]
        model = self.queryset.model
        column = backend.connection.ops.quote_name(model._meta.pk.column)
        pks = (
            model._base_manager.using(self.queryset.db)
            .filter(
                RawSQL(
                    f"{column} IN ({source[0]})", source[1], output_field=BooleanField()
                )
            )
            .order_by(*ORDERINGS[self.sort])
            .values_list("pk", flat=True)[offset : offset + limit]
        )
        return [(pk, None) for pk in pks]

    def _load(self, offset, limit):
        ranked = self._page_ids(offset, limit)
        if not ranked:
            return []
        queryset = self.queryset.filter(pk__in=[pk for pk, _ in ranked]).order_by()
        kept = self._from_kept_sets()
        if kept is None:
            loaded = index.for_indexing(queryset)
        else:
            loaded = load_with_kept_tags(queryset, kept.version, self._backend())
        by_pk = {testimony.pk: testimony for testimony in loaded}
        hits = []
        for pk, score in ranked:
            testimony = by_pk.get(pk)
            if testimony is None:  # changed between the two queries
                continue
            testimony.search_rank = score
            annotate_hit(testimony, self.query)
            hits.append(testimony)
        return hits


class KeptHits:
    """Hits found with the kept hit sets: their ids in id order when the engine
    was asked (``None`` for filters only), and their bitmap, made when needed."""

    def __init__(self, version, bits=None, ids=None):
        self.version, self.ids, self._bits = version, ids, bits

    @property
    def bits(self):
        if self._bits is None:
            self._bits = hitsets.bits_of(self.ids)
        return self._bits

    @property
    def count(self):
        return len(self.ids) if self.ids is not None else self.bits.bit_count()


class Tagging(NamedTuple):
    """A theme or place link of a loaded hit (all ``index.indexed_text`` reads)."""

    tag: object


def load_with_kept_tags(queryset, version, backend):
    """The testimonies of ``queryset`` with what a hit shows, their themes and
    places taken from the version's kept tags: three queries, and no model
    instance per tag link."""
    from ..models import Place, PlacedItem, Theme, ThemedItem, Translation

    translations = Translation.objects.only(
        "testimony_id", "language", "title", "summary", "body"
    )
    loaded = list(
        queryset.select_related("narrator").prefetch_related(
            Prefetch("translations", translations, to_attr="indexed_translations")
        )
    )
    if not loaded:
        return loaded
    quote = backend.connection.ops.quote_name
    ids = [testimony.pk for testimony in loaded]
    marks = ", ".join(["%s"] * len(ids))
    parts = [
        f"SELECT {kind}, {quote('content_object_id')}, {quote('tag_id')} "
        f"FROM {quote(through._meta.db_table)} "
        f"WHERE {quote('content_object_id')} IN ({marks})"
        for kind, through in ((0, ThemedItem), (1, PlacedItem))
    ]
    using = backend.connection.alias
    vocabularies = (version.tags(Theme, using), version.tags(Place, using))
    links = {pk: ([], []) for pk in ids}
    for kind, pk, tag_id in backend.execute(" UNION ALL ".join(parts), ids + ids):
        tag = vocabularies[kind].get(tag_id)
        if tag is not None:
            links[pk][kind].append(Tagging(tag))
    for testimony in loaded:
        testimony.indexed_themed_items, testimony.indexed_placed_items = links[
            testimony.pk
        ]
    return loaded


def annotate_hit(testimony, query):
    """Give a loaded hit what a list of results shows: ``search_snippet`` (safe
    HTML), ``search_snippet_language``, and ``search_themes``/``search_places``
    (tags, by name) from the rows already loaded for the snippet."""
    translations = index.related(testimony, "translations")
    html, field, position = passage(index.indexed_text(testimony, names=False), query)
    testimony.search_snippet = html
    testimony.search_snippet_language = (
        translations[position // 3].language
        if field == "translations"
        else testimony.language
    )
    for attribute, related in [
        ("search_themes", "themed_items"),
        ("search_places", "placed_items"),
    ]:
        tags = [item.tag for item in index.related(testimony, related)]
        setattr(testimony, attribute, sorted(tags, key=lambda tag: tag.name))

"""Search results: one paginable, relevance- or date-ordered list of hits.

:class:`SearchResults` behaves like a queryset where views need it to: ``count()``,
``len()`` and slicing (so Django's ``Paginator`` takes it), and it composes with the
queryset methods that narrow what is searched, in any order. Only the requested
slice is ranked and loaded; each loaded hit carries ``search_rank`` (higher is
better; comparable within one backend only) and ``search_snippet``.
"""

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import F
from django.db.models.expressions import RawSQL

from . import index
from .backends import backend_for
from .facets import facet_counts
from .query import Query, parse_query
from .snippets import snippet

RELEVANCE, NEWEST, OLDEST = "relevance", "newest", "oldest"
SORTS = (RELEVANCE, NEWEST, OLDEST)
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
        self._count = None

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
        excluded = Query(groups=(query.excluded,))
        return queryset.exclude(pk__in=RawSQL(*backend.match_sql(excluded)))

    def count(self):
        if self._count is None:
            self._count = self.matching().count()
        return self._count

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

        The same query also counts the hits, so calling this before ``count()`` (or
        before paginating) saves the count query.
        """
        facets = facet_counts(self.matching(), limit=limit)
        self._count = facets.total
        return facets

    def _backend(self):
        return backend_for(connections[self.queryset.db])

    def _ranked(self, offset, limit):
        try:
            within = self.matching().order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:
            return []
        sql, params = self._backend().ranked_sql(self.query, within, limit, offset)
        with connections[self.queryset.db].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _load(self, offset, limit):
        if self.sort == RELEVANCE:
            ranked = self._ranked(offset, limit)
        else:
            ids = (
                self.matching()
                .order_by(*ORDERINGS[self.sort])
                .values_list("pk", flat=True)[offset : offset + limit]
            )
            ranked = [(pk, None) for pk in ids]
        if not ranked:
            return []
        loaded = index.for_indexing(
            self.queryset.filter(pk__in=[pk for pk, _ in ranked]).order_by()
        ).select_related("source")
        by_pk = {testimony.pk: testimony for testimony in loaded}
        hits = []
        for pk, score in ranked:
            testimony = by_pk.get(pk)
            if testimony is None:  # changed between the two queries
                continue
            testimony.search_rank = score
            testimony.search_snippet = snippet(
                index.indexed_text(testimony), self.query
            )
            hits.append(testimony)
        return hits

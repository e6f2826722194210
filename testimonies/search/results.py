"""Search results: one paginable, relevance- or date-ordered list of hits.

:class:`SearchResults` behaves like a queryset where views need it to: ``count()``,
``len()`` and slicing (so Django's ``Paginator`` takes it), and it composes with
the queryset methods that narrow what is searched. Only the requested slice is
ranked and loaded; each loaded hit carries ``search_rank`` (higher is better;
comparable within one backend only) and ``search_snippet``. Everything that
depends on where the hits come from is asked of one hit source
(:mod:`testimonies.search.sources`), chosen once.
"""

import time
from functools import cached_property

from django.conf import settings
from django.db import connections

from .backends import backend_for
from .facets import VOCABULARIES, facets_of
from .identifiers import first, identified_hit
from .loading import annotate_hit
from .passages import moments
from .query import Query, parse_query
from .slicing import SlicedList
from .sources import NEWEST, OLDEST, RELEVANCE, SORTS, hit_source

__all__ = ["NEWEST", "OLDEST", "RELEVANCE", "SORTS", "SearchResults"]


class SearchResults(SlicedList):
    def __init__(self, queryset, query, sort=None, filters=None):
        """``queryset``: what may be searched (``visible_to(user)``, which also
        says whose recordings' words count: ``readable_access``); ``filters``:
        keyword arguments of ``filter_by()``, kept apart so that each facet can
        count as if its own vocabulary were not filtered (what a click gives)."""
        self.base = queryset
        self.filters = {key: value for key, value in (filters or {}).items() if value}
        self.queryset = queryset.filter_by(**self.filters) if self.filters else queryset
        query = query if isinstance(query, Query) else parse_query(query)
        # The words of recordings count at the levels the user may hear.
        self.query = query.heard_by(self.queryset.readable_access)
        self.sort = sort if sort in (NEWEST, OLDEST) else None
        self.sort = self.sort or (RELEVANCE if self.query.groups else NEWEST)
        self._started = time.perf_counter()

    def __repr__(self):
        return f"<SearchResults {self.query.text!r} sort={self.sort}>"

    def _clone(self, base=None, filters=None):
        return type(self)(
            self.base if base is None else base,
            self.query,
            self.sort,
            self.filters if filters is None else filters,
        )

    def visible_to(self, user):
        return self._clone(base=self.base.visible_to(user))

    def filter_by(self, **filters):
        return self._clone(filters={**self.filters, **filters})

    def filter(self, *args, **kwargs):
        return self._clone(base=self.base.filter(*args, **kwargs))

    def exclude(self, *args, **kwargs):
        return self._clone(base=self.base.exclude(*args, **kwargs))

    @property
    def message(self):
        """What to tell the user about the query ("" when all is well)."""
        return self.query.message

    @cached_property
    def backend(self):
        return backend_for(connections[self.queryset.db])

    @cached_property
    def source(self):
        return hit_source(self.queryset, self.query, self.backend)

    def matching(self):
        """Every hit as an unordered queryset (for exports and counts)."""
        return self.backend.matching(self.queryset, self.query)

    def count(self):
        count = self.source.count
        if not count:
            self._answer_no_sooner()
        return count

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

    def facets(self, limit=30):
        """Counts of themes, places and languages over the hits. A vocabulary
        the search is filtered by counts as if it were not (the others' filters
        stay), so each count is what choosing that value alone would give."""
        counts = dict(self.source.counts())
        for name in VOCABULARIES:
            if name in self.filters:
                others = {k: v for k, v in self.filters.items() if k != name}
                unfiltered = self.base.filter_by(**others)
                narrowed = self.source.narrowed_to(unfiltered)
                counts[name] = narrowed.counts(kinds=(name,))[name]
        return facets_of(
            counts,
            self.count(),
            limit,
            self.queryset.db,
            self.source.vocabularies(),
            selected=self.filters,
        )

    @cached_property
    def pinned(self):
        """The hit whose identifier is the query, which comes first."""
        if self.sort != RELEVANCE:
            return None
        return identified_hit(self.queryset, self.query, self.source)

    def ranked(self, offset, limit):
        """``(pk, score)`` of the hits from ``offset``, in order, without loading
        them (a download loads them its own way)."""
        if self.pinned is None:
            return self.source.page_ids(offset, limit, self.sort)
        ranked = self.source.page_ids(0, offset + limit, self.sort)
        return first(self.pinned, ranked)[offset : offset + limit]

    def _load(self, offset, limit):
        ranked = self.ranked(offset, limit)
        if not ranked:
            return []
        queryset = self.queryset.filter(pk__in=[pk for pk, _ in ranked]).order_by()
        by_pk = {testimony.pk: testimony for testimony in self.source.load(queryset)}
        hits, seen = [], {}
        for pk, score in ranked:
            testimony = by_pk.get(pk)
            if testimony is None:  # changed between the two queries
                continue
            testimony.search_rank = score
            annotate_hit(testimony, self.source.query, seen)
            hits.append(testimony)
        moments(hits, self.source.query, self.queryset.readable_access)
        return hits

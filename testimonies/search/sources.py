"""Where the hits of one search request come from: the one seam of search.

:class:`~testimonies.search.results.SearchResults` chooses a hit source once per
request and asks it everything that depends on the hits: how many there are, how
many carry each theme, place and language, the ids of a page and how to load
them. It never asks again where the hits came from.

* :class:`KeptHits`: the engine's matches narrowed with the hit sets kept in
  memory (:mod:`testimonies.search.hitsets`); counts and facets are bit
  operations.
* :class:`CountedHits`: everything counted in SQL, one query for the hits and
  their facets; used where nothing is kept (the setting is off, or the triggers
  that would say when the data changes are missing).

Both rank a page in the engine (:meth:`SearchBackend.ranked_sql`) over the ids
of the hits, and both answer the same counts, facets and pages.
"""

import bisect
import math
from itertools import chain

from django.core.exceptions import EmptyResultSet
from django.db.models import BooleanField, F
from django.db.models.expressions import RawSQL

from ..tagging import unique_names
from . import hitsets, index
from .facets import counted_in_sql
from .loading import load_with_kept_tags
from .thesaurus import expand

RELEVANCE, NEWEST, OLDEST = "relevance", "newest", "oldest"
SORTS = (RELEVANCE, NEWEST, OLDEST)
ORDERINGS = {
    NEWEST: (F("recorded_on").desc(nulls_last=True), "identifier"),
    OLDEST: (F("recorded_on").asc(nulls_last=True), "identifier"),
}
# Above this many hits, a page sorted by date is taken from the kept order of
# the archive rather than by sorting the hits in SQL.
MANY_HITS = 2_000
# Of many hits, a page by relevance is ranked among all the engine's matches
# (then narrowed) when at least this share of the matches are hits and this
# many rows or fewer are enough to fill the page. Ranking scores every match
# of the first tier: worth it only when sending the hits' ids would cost more.
MOST_SHARE = 0.5
MOST_RANKED = 2_000


def hit_source(queryset, query, backend):
    """The source of the hits of ``query`` within ``queryset``: kept sets when
    the database has them, else SQL."""
    version = hitsets.current(backend)
    if query.groups or query.excluded:
        query = expand(query, tag_spellings(version, backend))
    if version is None:
        return CountedHits(queryset, query, backend)
    return KeptHits(queryset, query, backend, version)


def tag_spellings(version, backend):
    """Every theme's and place's names, ``((name, …), …)``: from the kept
    version's tags, else in one query."""
    using = backend.connection.alias
    if version is not None:

        def spellings():
            models = hitsets.tagged()
            tags = chain(*(version.tags(model, using).values() for model in models))
            return tuple(sorted(tuple(tag.all_names()) for tag in tags))

        return version.memo("spellings", spellings)

    theme, place = hitsets.tagged()
    rows = (
        theme.objects.using(using)
        .order_by()
        .values_list("name", "names")
        .union(
            place.objects.using(using).order_by().values_list("name", "names"),
            all=True,
        )
    )
    return tuple(
        sorted(
            tuple(unique_names([name, *(names or {}).values()])) for name, names in rows
        )
    )


def _by_rank(rows):
    """``[(pk, score)]`` of ``ranked_sql`` rows, best first: by tier, then
    score, then id (the engines' own order within a tier is not stable)."""
    rows.sort(key=lambda row: (row[2], -row[1], row[0]))
    return [(pk, score) for pk, score, _tier in rows]


class HitSource:
    def __init__(self, queryset, query, backend):
        self.queryset, self.query, self.backend = queryset, query, backend

    @property
    def count(self):
        raise NotImplementedError

    def counts(self, kinds=None):
        """``{"theme": {tag id: hits}, "place": {…}, "language": {code: hits}}``:
        a theme or place counts the hits carrying it or any tag below it, which
        is what its filter selects. ``kinds``: the facets needed (default: all;
        a source may give more)."""
        raise NotImplementedError

    def vocabularies(self):
        """``{Theme: {id: tag}, Place: {…}}`` when the tags are at hand, else
        ``{}`` (the facets then load the ones they name)."""
        return {}

    def contains(self, pk):
        raise NotImplementedError

    def narrowed_to(self, queryset):
        """A source of the same (expanded) query within another ``queryset``:
        for the facets of a vocabulary counted without its own filter."""
        return type(self)(queryset, self.query, self.backend)

    def page_ids(self, offset, limit, sort):
        """``[(pk, score)]`` of one page of hits, in order (score ``None`` when
        sorted by date)."""
        raise NotImplementedError

    def load(self, queryset):
        """The testimonies of ``queryset`` with what a hit shows."""
        return index.for_indexing(queryset)

    def _ordered(self, ids, offset, limit, sort):
        """A page of the ids ``ids`` selects (``(sql, params)``), by the engine's
        ranking or by date."""
        if sort == RELEVANCE:
            rows = self.backend.execute(
                *self.backend.ranked_sql(self.query, ids, offset + limit)
            )
            return _by_rank(rows)[offset : offset + limit]
        model = self.queryset.model
        column = self.backend.connection.ops.quote_name(model._meta.pk.column)
        pks = (
            model._base_manager.using(self.queryset.db)
            .filter(RawSQL(f"{column} IN ({ids[0]})", ids[1], BooleanField()))
            .order_by(*ORDERINGS[sort])
            .values_list("pk", flat=True)[offset : offset + limit]
        )
        return [(pk, None) for pk in pks]


class CountedHits(HitSource):
    """Hits found and counted in SQL: one query joins the engine's matches with
    the narrowed testimonies, and its ``(id, language)`` rows are kept for the
    count, the facets and every page of the request."""

    def __init__(self, queryset, query, backend):
        super().__init__(queryset, query, backend)
        self._hits = None
        self._counts = None
        self._sql = self._hits_sql()

    def _hits_sql(self):
        """``(sql, params)`` selecting ``(id, language)`` of every hit, or
        ``None`` when there can be none."""
        query, queryset = self.query, self.queryset.order_by()
        if query.is_empty:
            return None
        try:
            if query.groups:
                return self.backend.hits_sql(queryset, query)
            matching = self.backend.matching(queryset, query)
            sql, params = matching.values_list("pk", "language").query.sql_with_params()
            return self.backend.with_plan_hints(sql), params
        except EmptyResultSet:
            return None

    @property
    def hits(self):
        if self._hits is None:
            self._hits = [] if self._sql is None else self.backend.execute(*self._sql)
        return self._hits

    @property
    def count(self):
        return len(self.hits)

    def counts(self, kinds=None):
        # Facets first is the usual order: the same query then finds the hits.
        if self._counts is None:
            if self._hits is None and self._sql is not None:
                self._counts, self._hits = counted_in_sql(self.backend, self._sql)
            else:
                self._counts, _ = counted_in_sql(self.backend, hits=self.hits)
        return self._counts

    def contains(self, pk):
        return any(hit == pk for hit, _language in self.hits)

    def page_ids(self, offset, limit, sort):
        if self._hits is None and self._sql is not None:
            # A page before the count: find the hits inside the ranking query.
            sql, params = self._sql
            ids = (
                f"WITH page_hits(id, language) AS ({sql}) SELECT id FROM page_hits",
                params,
            )
        elif not self.hits:
            return []
        else:
            ids = self.backend.ids_source([pk for pk, _language in self.hits])
        return self._ordered(ids, offset, limit, sort)


class KeptHits(HitSource):
    """Hits found with the kept hit sets. Of few matches, the hits' ids (in id
    order) come first and their bitmap when needed; of many, the bitmap comes
    first (the matches' bitmap, made once per request, ``&`` the narrowing)
    and the ids only when needed. Filters alone have a bitmap only."""

    def __init__(self, queryset, query, backend, version, matched=None):
        super().__init__(queryset, query, backend)
        self.version = version
        # (ids, bitmap) of the engine's matches, shared by narrowed copies.
        self._matched = matched if matched is not None else [None, None]
        self._ids, self._bits = self._find()

    def _find(self):
        query = self.query
        if query.is_empty:
            return [], None
        try:
            narrowed = self.version.narrowing(self.queryset, self.backend)
        except EmptyResultSet:
            return [], None
        if query.is_blank:
            return None, narrowed
        if query.groups:
            matched = self.matched()
            if len(matched) <= hitsets.FEW_HITS:
                return hitsets.members(matched, narrowed), None
            return None, self._matched_bits() & narrowed
        return None, narrowed & ~self._matched_bits()

    def matched(self):
        """The ids matching the query's groups, or else its exclusions, in id
        order: the engine's part, asked once."""
        if self._matched[0] is None:
            query = self.query
            self._matched[0] = self.backend.matched_ids(
                query if query.groups else query.exclusions
            )
        return self._matched[0]

    def _matched_bits(self):
        if self._matched[1] is None:
            self._matched[1] = hitsets.bits_of(self.matched())
        return self._matched[1]

    def narrowed_to(self, queryset):
        # The engine's matches do not depend on the narrowing: reuse them.
        return KeptHits(queryset, self.query, self.backend, self.version, self._matched)

    @property
    def ids(self):
        """The hits' ids in id order (``None`` for filters alone)."""
        if self._ids is None and self.query.groups:
            self._ids = hitsets.members(self.matched(), self._bits)
        return self._ids

    @property
    def bits(self):
        if self._bits is None:
            self._bits = hitsets.bits_of(self._ids)
        return self._bits

    @property
    def count(self):
        return len(self._ids) if self._ids is not None else self.bits.bit_count()

    def counts(self, kinds=None):
        # Hit by hit only when the ids are at hand (few matches).
        return self.version.counts(self.backend, self._ids, self.bits, kinds)

    def vocabularies(self):
        using = self.backend.connection.alias
        return {model: self.version.tags(model, using) for model in hitsets.tagged()}

    def contains(self, pk):
        if self._ids is not None:
            found = bisect.bisect_left(self._ids, pk)
            return found < len(self._ids) and self._ids[found] == pk
        return bool(self.bits >> pk & 1)

    def page_ids(self, offset, limit, sort):
        count = self.count
        if not count:
            return []
        if sort != RELEVANCE and (not self.query.groups or count > MANY_HITS):
            # Walk the whole archive in that order and keep the hits: cheaper
            # than sorting thousands of hits, and needs no list of their ids.
            order = self.version.order(
                self.queryset.model, ORDERINGS[sort], self.backend
            )
            page = order.first(self.bits, offset + limit)
            return [(pk, None) for pk in page[offset:]]
        # Relevance needs words, so the engine was asked.
        if sort == RELEVANCE and count > MANY_HITS:
            page = self._best_of_every_match(offset, limit)
            if page is not None:
                return page
        return self._ordered(self.backend.ids_source(self.ids), offset, limit, sort)

    def _best_of_every_match(self, offset, limit):
        """A page ranked among all the engine's matches, then narrowed to the
        hits: when most matches are hits, asking for a few more rows than the
        page costs less than sending the engine thousands of ids to rank among
        (a word in 30 % of 100,000 testimonies: 30 → 14 ms on SQLite). ``None``
        when the rows asked for hold too few hits to tell."""
        end = offset + limit
        share = self.count / len(self.matched())
        asked = math.ceil(end / share * 1.5) + limit
        if share < MOST_SHARE or asked > MOST_RANKED:
            return None
        rows = self.backend.execute(*self.backend.ranked_sql(self.query, None, asked))
        hits = [(pk, score) for pk, score in _by_rank(rows) if self.contains(pk)]
        if len(hits) < end:
            return None
        return hits[offset:end]

    def load(self, queryset):
        return load_with_kept_tags(queryset, self.version, self.backend)

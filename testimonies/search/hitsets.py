"""Hit sets as bitmaps, kept in memory and brought up to date change by change.

A search request needs three things besides the engine's matches: which
testimonies the user may see under the chosen filters, how many hits carry each
theme, place and language, and the tags themselves. Asking the database for them
on every request means one index look-up per hit and per tag link: at 100,000
testimonies, two thirds of the time of a request for a common word. Here they are
sets of testimony ids held as Python integers used as bitmaps (bit *n* set: id *n*
is in the set), so that narrowing the matches is one ``&`` and a facet count one
``&`` and ``int.bit_count()``: microseconds, whatever the number of hits.

What is kept is only ever *derived* from the database, never decided here:

* the ids of a narrowing queryset (``visible_to(user).filter_by(...)``) are the
  rows that queryset's own SQL returns, so visibility stays the one rule of
  ``TestimonyQuerySet.visible_to``, and a set is looked up by that SQL;
* the ids carrying each theme, place and language, read from their tables.

All of it belongs to one :class:`Version` of the data, named by the token of the
change log (:mod:`testimonies.search.changes`), which triggers write in every
writer's transaction, whatever writes. Each request reads the token first (one
look-up) and, when it changed, reads the log: the testimonies changed since are
read again, and only they (:meth:`Version.after`), each kept set when it is next
used: the first request after an edit costs a few small queries, not a rebuild.
A change to the tags themselves, or to very many testimonies, starts afresh. The
same on SQLite and PostgreSQL.
"""

import logging
import threading
from array import array
from collections import Counter, OrderedDict
from itertools import chain

from django.conf import settings

from ..models.tags import MAX_DEPTH
from . import changes

logger = logging.getLogger(__name__)

# Narrowing sets kept per version: one per audience and combination of filters.
NARROWED_SIZE = 64
# Up to this many hits, facets are counted hit by hit (see Postings); above, tag
# by tag with bitmaps. About where both cost the same at 100,000 testimonies.
FEW_HITS = 3_000
# Above this many testimonies changed since a set was made, it is made afresh.
MANY_CHANGED = changes.MANY


def bits_of(ids):
    """The bitmap (an ``int``) of an iterable of non-negative integer ids."""
    ids = list(ids)
    if not ids:
        return 0
    buffer = bytearray((max(ids) >> 3) + 1)
    for pk in ids:
        buffer[pk >> 3] |= 1 << (pk & 7)
    return int.from_bytes(buffer, "little")


def _as_bytes(bits):
    """``bits`` as bytes, for testing ids one by one: ``buffer[pk >> 3] >> (pk & 7)
    & 1``, where ``pk >> 3 < len(buffer)`` (an ``int`` would shift all of itself)."""
    return bits.to_bytes((bits.bit_length() + 7) >> 3, "little")


def members(ids, bits):
    """The ids of ``ids`` (in their order) whose bit is set in ``bits``."""
    buffer = _as_bytes(bits)
    size = len(buffer)
    return [pk for pk in ids if (pk >> 3) < size and buffer[pk >> 3] >> (pk & 7) & 1]


def members_in_order(order, bits, count, buffer=None):
    """The first ``count`` ids of ``order`` whose bit is set in ``bits``
    (``buffer``: ``bits`` already as bytes)."""
    buffer = _as_bytes(bits) if buffer is None else buffer
    size, found = len(buffer), []
    if not count:
        return found
    for pk in order:
        if (pk >> 3) < size and buffer[pk >> 3] >> (pk & 7) & 1:
            found.append(pk)
            if len(found) == count:
                break
    return found


class Order:
    """Every testimony id in one order, cut in about :data:`BLOCKS` blocks, each
    with the bitmap of its ids: the first hits in that order are found by
    skipping, with one ``&`` each, the blocks that hold none (a page of hits
    from 2024, newest first, no longer walks every testimony of 2025)."""

    BLOCKS = 128
    SMALLEST = 512

    def __init__(self, ids):
        self.ids = array("q", ids)
        self.size = max(self.SMALLEST, -(-len(self.ids) // self.BLOCKS))
        self.blocks = [
            bits_of(self.ids[start : start + self.size])
            for start in range(0, len(self.ids), self.size)
        ]

    def __iter__(self):
        return iter(self.ids)

    def first(self, bits, count):
        """The first ``count`` ids in this order whose bit is set in ``bits``."""
        found, buffer = [], None
        for number, block in enumerate(self.blocks):
            if len(found) >= count:
                break
            if not bits & block:
                continue
            buffer = _as_bytes(bits) if buffer is None else buffer
            start = number * self.size
            found += members_in_order(
                self.ids[start : start + self.size], bits, count - len(found), buffer
            )
        return found


class Version:
    """What is kept for one version of one database's data.

    ``token`` and ``seen`` (the log's rows, ``None`` when too many to read) say
    which version. Each kept set either is current or carries the ids of the
    testimonies changed since it was made (``pending``); it is brought up to date
    when next used, as a new value: what an older version holds never changes
    under the requests still using it.
    """

    def __init__(self, token, seen=None):
        self.token, self.seen = token, seen
        self.lock = threading.Lock()
        # {sql key: (bits, queryset, pending ids)}
        self.narrowed = OrderedDict()
        self._facets = None  # (facet bits, postings, pending ids)
        self._ancestry = {}
        self._memo = {}
        self._tags = None
        self._orders = {}

    def after(self, token, seen, changed, reordered):
        """The next version: the same sets, with the testimonies ``changed``
        (ids) still to read again; the kept orders dropped if ``reordered``
        (a date or identifier changed, or a testimony was added)."""
        later = Version(token, seen)
        # The tags have not changed: a change to them starts afresh.
        later._ancestry, later._memo = self._ancestry, self._memo
        later._tags = self._tags
        later._orders = {} if reordered else self._orders
        with self.lock:
            for key, (bits, queryset, pending) in self.narrowed.items():
                if len(pending) + len(changed) <= MANY_CHANGED:
                    later.narrowed[key] = (bits, queryset, pending | changed)
            if self._facets is not None:
                bits, postings, pending = self._facets
                if len(pending) + len(changed) <= MANY_CHANGED:
                    later._facets = (bits, postings, pending | changed)
        return later

    def narrowing(self, queryset, backend):
        """The bitmap of the testimonies ``queryset`` selects."""
        queryset = queryset.order_by().values_list("pk")
        sql, params = queryset.query.sql_with_params()
        key = (sql, tuple(params))
        with self.lock:
            kept = self.narrowed.get(key)
            if kept is not None:
                self.narrowed.move_to_end(key)
        if kept is not None and not kept[2]:
            return kept[0]
        if kept is None:
            bits = bits_of(
                pk for (pk,) in backend.execute(backend.with_plan_hints(sql), params)
            )
        else:
            bits, _queryset, pending = kept
            ids = sorted(pending)
            now = queryset.filter(pk__in=ids).values_list("pk", flat=True)
            bits = (bits & ~bits_of(ids)) | bits_of(now)
        with self.lock:
            self.narrowed[key] = (bits, queryset, frozenset())
            while len(self.narrowed) > NARROWED_SIZE:
                self.narrowed.popitem(last=False)
        return bits

    def counts(self, backend, ids, bits, kinds=None):
        """The facet counts of the hits ``ids`` (in id order; ``None`` when only
        their bitmap ``bits`` is known), as ``HitSource.counts`` gives them, of
        the facets ``kinds`` (default: all)."""
        facets, postings = self.facets(backend)
        kinds = postings.keys() if kinds is None else kinds
        if ids is not None and len(ids) <= FEW_HITS:
            return {kind: postings[kind].count(ids) for kind in kinds}
        counts = {}
        for kind in kinds:
            sets = facets[kind]
            counts[kind] = {}
            for key, carrying in sets.items():
                count = (bits & carrying).bit_count()
                if count:
                    counts[kind][key] = count
        return counts

    def facets(self, backend):
        """``(bits, postings)``: ``bits`` is ``{"theme": {tag id: bits}, "place":
        {…}, "language": {code: bits}}``, a tag's bits taking in the testimonies
        of every tag below it; ``postings`` is ``{kind: Postings}``, the keys of
        each testimony."""
        with self.lock:
            kept = self._facets
        if kept is not None and not kept[2]:
            return kept[0], kept[1]
        if kept is None:
            facets, postings = {}, {}
            for kind, rows in self._keys_of(backend).items():
                postings[kind] = Postings(rows, *self._reading(kind, backend))
                facets[kind] = postings[kind].bits()
        else:
            facets, postings = self._refreshed(backend, *kept)
        with self.lock:
            self._facets = (facets, postings, frozenset())
        return facets, postings

    def _reading(self, kind, backend):
        """How a posting's keys are read back: ``(convert, ancestry)``."""
        convert = _facet_sources(backend)[kind][3]
        ancestry = self.ancestry(kind, backend) if kind in vocabularies() else None
        return convert, ancestry

    def _keys_of(self, backend, ids=None):
        """``{kind: [(testimony id, its keys joined by commas)]}``, for every
        testimony or for the ids given."""
        found = {}
        joined = backend.joined
        for kind, (table, key, pk, _convert) in _facet_sources(backend).items():
            # A testimony has one language: no grouping (which would read the
            # whole rows), the index of languages holds both columns.
            many = kind in vocabularies()
            sql = f"SELECT {pk}, {joined(key) if many else key} FROM {table}"
            params = []
            if ids is not None:
                sql += f" WHERE {pk} IN ({', '.join(['%s'] * len(ids))})"
                params = list(ids)
            if many:
                sql += f" GROUP BY {pk}"
            found[kind] = backend.execute(sql, params)
        return found

    def _refreshed(self, backend, facets, postings, pending):
        """``facets`` and ``postings`` with the ``pending`` testimonies read
        again: each one's bit leaves the tags it had and joins those it has."""
        ids = sorted(pending)
        unmask = ~bits_of(ids)
        facets, postings = dict(facets), dict(postings)
        for kind, rows in self._keys_of(backend, ids).items():
            before = postings[kind]
            reading = self._reading(kind, backend)
            after = postings[kind] = before.replaced(ids, rows, *reading)
            touched = set(chain.from_iterable(map(before.keys, ids)))
            joining = {}
            for pk in ids:
                for key in after.keys(pk):
                    joining.setdefault(key, []).append(pk)
            sets = facets[kind] = dict(facets[kind])
            for key in touched | joining.keys():
                bits = (sets.get(key, 0) & unmask) | bits_of(joining.get(key, ()))
                if bits:
                    sets[key] = bits
                else:
                    sets.pop(key, None)
        return facets, postings

    def ancestry(self, kind, backend):
        """``{tag id: (tag id, parent id, …)}`` up to the depth limit (a cycle
        written around the checks ends the walk)."""
        if kind not in self._ancestry:
            model = vocabularies()[kind]
            parents = dict(
                model.objects.using(backend.connection.alias).values_list(
                    "pk", "parent_id"
                )
            )
            ancestry = {}
            for pk in parents:
                line, node = [pk], parents[pk]
                while node is not None and node not in line and len(line) <= MAX_DEPTH:
                    line.append(node)
                    node = parents.get(node)
                ancestry[pk] = tuple(line)
            self._ancestry[kind] = ancestry
        return self._ancestry[kind]

    def order(self, model, ordering, backend):
        """Every testimony id in the order ``ordering`` (``order_by()`` terms),
        as an :class:`Order`. A testimony deleted since stays in it: no hit's
        bits hold it."""
        key = (model, tuple(str(term) for term in ordering))
        if key not in self._orders:
            ids = model._base_manager.using(backend.connection.alias)
            sql, params = (
                ids.order_by(*ordering).values_list("pk").query.sql_with_params()
            )
            self._orders[key] = Order(pk for (pk,) in backend.execute(sql, params))
        return self._orders[key]

    def memo(self, key, make):
        """``make()``, computed once for this version of the tags."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    def tags(self, model, using):
        """Every tag of a vocabulary by id (the version covers their tables)."""
        if self._tags is None:
            self._tags = {}
        if model not in self._tags:
            self._tags[model] = model.objects.using(using).in_bulk()
        return self._tags[model]


def _facet_sources(backend):
    """For each facet: the table pairing keys with testimonies, its key and
    testimony columns, and how to read a key back from text."""
    from ..models import PlacedItem, Testimony, ThemedItem

    quote = backend.connection.ops.quote_name
    sources = {
        kind: (
            quote(through._meta.db_table),
            quote("tag_id"),
            quote("content_object_id"),
            int,
        )
        for kind, through in (("theme", ThemedItem), ("place", PlacedItem))
    }
    sources["language"] = (
        quote(Testimony._meta.db_table),
        quote("language"),
        quote("id"),
        str,
    )
    return sources


_versions = {}
_versions_lock = threading.Lock()


def current(backend):
    """The kept sets of the backend's database as it is now, or ``None`` where
    they are not used: ``TESTIMONY_SEARCH_HIT_SETS = False``, or a database
    where the change log or any of its triggers is missing (then nothing could
    say when the data changes, and search counts in SQL)."""
    connection = backend.connection
    if not getattr(settings, "TESTIMONY_SEARCH_HIT_SETS", True):
        return None
    token = changes.token(connection)
    if token is None:
        return None
    key = (connection.alias, str(connection.settings_dict["NAME"]))
    with _versions_lock:
        version = _versions.get(key)
    if version is not None and version.token == token:
        return version
    version = _next(version, token, connection)
    if version is None:
        return None
    with _versions_lock:
        _versions[key] = version
    return version


def _next(version, token, connection):
    """The version at ``token``: ``version`` brought forward by what the log
    says changed since, or a fresh one."""
    count = token[0]
    seen = changes.rows(connection) if count <= changes.READ_AT_MOST else None
    if version is not None and version.seen is not None and seen is not None:
        # Rows new since, and rows gone (rolled back): their testimonies.
        differing = version.seen.keys() ^ seen.keys()
        logged = [seen.get(row) or version.seen[row] for row in differing]
        ids = frozenset(testimony for testimony, _moved in logged)
        schema_same = token[3:] == version.token[3:]
        if None not in ids and schema_same and len(ids) <= MANY_CHANGED:
            return version.after(token, seen, ids, any(m for _t, m in logged))
    if not changes.watching(connection):
        logger.warning(
            "Search keeps nothing in memory: triggers of %s are missing "
            "(run manage.py migrate).",
            changes.TABLE,
        )
        return None
    return Version(token, seen)


class Postings:
    """The keys (tag ids, or language codes) of each testimony: ``by_id[n]`` is
    the tuple of testimony *n*'s keys. Equal tuples are stored once (testimonies
    share few combinations of tags), so the list costs little more than a pointer
    per testimony. For the facets of a few hits, looking each hit up is cheaper
    than one bitmap operation per tag."""

    def __init__(self, rows, convert=str, ancestry=None):
        """``rows``: ``(testimony id, its keys joined by commas)``; ``convert``
        reads one key back; ``ancestry`` (``{key: (key, parent, …)}``) makes a
        testimony carry every key above its own too, each once."""
        self.by_id = [()] * (max((pk for pk, _keys in rows), default=-1) + 1)
        self._fill(rows, convert, ancestry)

    def _fill(self, rows, convert, ancestry):
        shared = {}
        for pk, joined in rows:
            keys = shared.get(joined)
            if keys is None:
                keys = tuple(map(convert, joined.split(",")))
                if ancestry is not None:
                    keys = tuple(
                        dict.fromkeys(
                            chain.from_iterable(ancestry.get(k, (k,)) for k in keys)
                        )
                    )
                shared[joined] = keys
            self.by_id[pk] = keys

    def keys(self, pk):
        return self.by_id[pk] if pk < len(self.by_id) else ()

    def bits(self):
        """``{key: bits}`` of the ids carrying each key."""
        carrying = {}
        for pk, keys in enumerate(self.by_id):
            for key in keys:
                found = carrying.get(key)
                if found is None:
                    found = carrying[key] = bytearray(len(self.by_id) // 8 + 1)
                found[pk >> 3] |= 1 << (pk & 7)
        return {
            key: int.from_bytes(buffer, "little") for key, buffer in carrying.items()
        }

    def replaced(self, ids, rows, convert=str, ancestry=None):
        """A copy with the keys of ``ids`` taken from ``rows`` (as for
        ``__init__``; an id without a row has no keys)."""
        copy = Postings([], convert, ancestry)
        copy.by_id = list(self.by_id)
        copy.by_id.extend([()] * (max(ids, default=-1) + 1 - len(copy.by_id)))
        for pk in ids:
            copy.by_id[pk] = ()
        copy._fill(rows, convert, ancestry)
        return copy

    def count(self, ids):
        """``{key: number of ids carrying it}``."""
        by_id, size = self.by_id, len(self.by_id)
        if ids and max(ids) >= size:
            ids = [pk for pk in ids if pk < size]
        return Counter(chain.from_iterable(map(by_id.__getitem__, ids)))


def vocabularies():
    """``{"theme": Theme, "place": Place}``: the tag models whose tags, links
    and hierarchy the kept versions hold, by facet name."""
    from ..models import Place, Theme

    return {"theme": Theme, "place": Place}


def tagged():
    """The tag models whose tags the kept versions hold."""
    return tuple(vocabularies().values())


def forget():
    """Drop everything kept, in this process (the next request starts cold)."""
    with _versions_lock:
        _versions.clear()

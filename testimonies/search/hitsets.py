"""Hit sets as bitmaps, kept in memory while the data does not change (SQLite).

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

All of it belongs to one *version* of the data: a random token that triggers on
the testimony, tag and tagging tables replace on every insert, update and delete,
in the writer's transaction, whatever writes (the ORM, ``QuerySet.update()``, raw
SQL, a shell). Each request reads the token first (one primary-key look-up) and
drops what it holds when the token changed; a rolled-back change restores an old
token together with the data it stood for, and a new token is never reused.
Migrations that rebuild a table drop its triggers, so :func:`install` runs again
after every ``migrate`` (testimonies.search.signals).

PostgreSQL is not served from here: a single version row updated by every
writing transaction would make concurrent writers wait for each other (an
import would hold up every save in the admin), so it counts in SQL instead.
"""

import logging
import threading
from array import array
from collections import Counter, OrderedDict
from itertools import chain

from django.conf import settings
from django.db import DatabaseError

from ..models.tags import MAX_DEPTH

logger = logging.getLogger(__name__)

STATE_TABLE = "testimonies_search_state"
# Narrowing sets kept per version: one per audience and combination of filters.
NARROWED_SIZE = 64
# Up to this many hits, facets are counted hit by hit (see Postings); above, tag
# by tag with bitmaps. About where both cost the same at 100,000 testimonies.
FEW_HITS = 3_000


def triggers():
    """``(name, event, table)`` of each trigger that renews the version: every
    insert, update and delete on the tables the kept sets are derived from."""
    from ..models import Place, PlacedItem, Testimony, Theme, ThemedItem

    return [
        (
            f"{model._meta.db_table}_{event.lower()}_search_version",
            event,
            model._meta.db_table,
        )
        for model in (Testimony, ThemedItem, PlacedItem, Theme, Place)
        for event in ("INSERT", "UPDATE", "DELETE")
    ]


def install(connection):
    """Create the version row and the triggers that renew it (idempotent), and
    renew it: whatever was kept may describe a table that has just changed."""
    if connection.vendor != "sqlite":
        return
    quote = connection.ops.quote_name
    renew = f"UPDATE {STATE_TABLE} SET version = randomblob(8) WHERE id = 1"
    statements = [
        f"CREATE TABLE IF NOT EXISTS {STATE_TABLE} "
        "(id INTEGER PRIMARY KEY CHECK (id = 1), version BLOB NOT NULL)",
        f"INSERT OR IGNORE INTO {STATE_TABLE} (id, version) VALUES (1, randomblob(8))",
        *(
            f"CREATE TRIGGER IF NOT EXISTS {quote(name)} AFTER {event} "
            f"ON {quote(table)} BEGIN {renew}; END"
            for name, event, table in triggers()
        ),
        renew,
    ]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def uninstall(connection):
    if connection.vendor != "sqlite":
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for name, _event, _table in triggers():
            cursor.execute(f"DROP TRIGGER IF EXISTS {quote(name)}")
        cursor.execute(f"DROP TABLE IF EXISTS {STATE_TABLE}")


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


def members_in_order(order, bits, count):
    """The first ``count`` ids of ``order`` whose bit is set in ``bits``."""
    buffer = _as_bytes(bits)
    size, found = len(buffer), []
    if not count:
        return found
    for pk in order:
        if (pk >> 3) < size and buffer[pk >> 3] >> (pk & 7) & 1:
            found.append(pk)
            if len(found) == count:
                break
    return found


class Version:
    """What is kept for one version of one database's data."""

    def __init__(self, token, schema=None):
        self.token, self.schema = token, schema
        self.lock = threading.Lock()
        self.narrowed = OrderedDict()
        self._facets = None
        self._postings = None
        self._ancestry = {}
        self._memo = {}
        self._tags = None
        self._orders = {}

    def narrowing(self, queryset, backend):
        """The bitmap of the testimonies ``queryset`` selects."""
        sql, params = queryset.order_by().values_list("pk").query.sql_with_params()
        key = (sql, tuple(params))
        with self.lock:
            bits = self.narrowed.get(key)
            if bits is not None:
                self.narrowed.move_to_end(key)
                return bits
        bits = bits_of(
            pk for (pk,) in backend.execute(backend.with_plan_hints(sql), params)
        )
        with self.lock:
            self.narrowed[key] = bits
            while len(self.narrowed) > NARROWED_SIZE:
                self.narrowed.popitem(last=False)
        return bits

    def counts(self, backend, ids, bits):
        """The facet counts of the hits ``ids`` (in id order; ``None`` when only
        their bitmap ``bits`` is known), as ``HitSource.counts`` gives them."""
        if ids is not None and len(ids) <= FEW_HITS:
            return {
                kind: postings.count(ids)
                for kind, postings in self.facet_postings(backend).items()
            }
        counts = {}
        for kind, sets in self.facet_bits(backend).items():
            counts[kind] = {}
            for key, carrying in sets.items():
                count = (bits & carrying).bit_count()
                if count:
                    counts[kind][key] = count
        return counts

    def facet_bits(self, backend):
        """``{"theme": {tag id: bits}, "place": {…}, "language": {code: bits}}``;
        a tag's bits take in the testimonies of every tag below it."""
        if self._facets is None:
            facets = {}
            for kind, (table, key, pk, _convert) in _facet_sources(backend).items():
                rows = backend.execute(
                    f"SELECT {key}, group_concat({pk}) FROM {table} GROUP BY {key}"
                )
                own = {key: bits_of(map(int, ids.split(","))) for key, ids in rows}
                if kind in vocabularies():
                    own = self._closed(own, kind, backend)
                facets[kind] = own
            self._facets = facets
        return self._facets

    def _closed(self, own, kind, backend):
        ancestry = self.ancestry(kind, backend)
        closed = dict.fromkeys(ancestry, 0)
        for key, bits in own.items():
            for ancestor in ancestry.get(key, (key,)):
                closed[ancestor] = closed.get(ancestor, 0) | bits
        return {key: bits for key, bits in closed.items() if bits}

    def facet_postings(self, backend):
        """``{kind: Postings}``: the tags (or language) of each testimony, a tag
        standing for itself and every tag above it."""
        if self._postings is None:
            postings = {}
            for kind, (table, key, pk, convert) in _facet_sources(backend).items():
                rows = backend.execute(
                    f"SELECT {pk}, group_concat({key}) FROM {table} GROUP BY {pk}"
                )
                ancestry = (
                    self.ancestry(kind, backend) if kind in vocabularies() else None
                )
                postings[kind] = Postings(rows, convert, ancestry)
            self._postings = postings
        return self._postings

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
        """Every testimony id in the order ``ordering`` (``order_by()`` terms)."""
        key = (model, tuple(str(term) for term in ordering))
        if key not in self._orders:
            ids = model._base_manager.using(backend.connection.alias)
            sql, params = (
                ids.order_by(*ordering).values_list("pk").query.sql_with_params()
            )
            self._orders[key] = array(
                "q", (pk for (pk,) in backend.execute(sql, params))
            )
        return self._orders[key]

    def memo(self, key, make):
        """``make()``, computed once for this version."""
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
    they are not used: PostgreSQL, ``TESTIMONY_SEARCH_HIT_SETS = False``, or a
    database where the version row or any of its triggers is missing (then
    nothing could say when the data changes, and search counts in SQL)."""
    connection = backend.connection
    if connection.vendor != "sqlite" or not getattr(
        settings, "TESTIMONY_SEARCH_HIT_SETS", True
    ):
        return None
    try:
        # The schema's version changes with any CREATE or DROP, triggers included.
        rows = backend.execute(
            "SELECT version, (SELECT schema_version FROM pragma_schema_version) "
            f"FROM {STATE_TABLE} WHERE id = 1"
        )
    except DatabaseError:  # created after migrate: not there yet
        return None
    if not rows:
        return None
    token, schema = bytes(rows[0][0]), rows[0][1]
    key = (connection.alias, str(connection.settings_dict["NAME"]))
    with _versions_lock:
        version = _versions.get(key)
        if version is not None and (version.token, version.schema) == (token, schema):
            return version
    if not watching(backend):
        logger.warning(
            "Search keeps nothing in memory: triggers of %s are missing "
            "(run manage.py migrate).",
            STATE_TABLE,
        )
        return None
    with _versions_lock:
        version = _versions[key] = Version(token, schema)
    return version


def watching(backend):
    """Whether every trigger that renews the version is in place."""
    names = [name for name, _event, _table in triggers()]
    rows = backend.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
        f"AND name IN ({', '.join(['%s'] * len(names))})",
        names,
    )
    return rows[0][0] == len(names)


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

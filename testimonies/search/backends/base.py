"""What both search stores share: the indexed fields and the operations they offer."""

import json

from django.db.models.expressions import RawSQL

TABLE = "testimonies_search"
# The fields of an indexed testimony, in order (see ``index.indexed_text``).
# ``spoken``: the words of its recordings, marked by access level (``audiences``).
FIELDS = ("title", "summary", "body", "names", "translations", "spoken")
# The fields whose matches rank first: the weighted ones.
HEAD_FIELDS = ("title", "summary", "names")


class SearchBackend:
    """One store of analyzed testimonies, keyed by testimony id.

    An analyzed document maps each field of :data:`FIELDS` to a list of *pieces*
    (one per title, tag name or translation), each a list of tokens. A phrase never
    matches across two pieces or two fields, in either store.
    """

    table = TABLE

    def __init__(self, connection):
        self.connection = connection

    def execute(self, sql, params=()):
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else None

    def is_installed(self):
        with self.connection.cursor() as cursor:
            return self.table in self.connection.introspection.table_names(cursor)

    def install(self):
        """Create the store if it is missing (idempotent)."""
        raise NotImplementedError

    def uninstall(self):
        raise NotImplementedError

    def write(self, documents):
        """Store ``(pk, analyzed document)`` pairs, replacing earlier versions."""
        self.write_rows([self.row(pk, document) for pk, document in documents])

    @staticmethod
    def row(pk, document):
        """The values stored for one analyzed document (plain Python data, so a
        helper process can make them)."""
        raise NotImplementedError

    def write_rows(self, rows):
        """Store rows made by :meth:`row`, replacing earlier versions."""
        raise NotImplementedError

    def delete(self, ids):
        raise NotImplementedError

    def clear(self):
        raise NotImplementedError

    def stored_ids(self):
        """``(table, column)`` holding the id of every stored testimony."""
        raise NotImplementedError

    def orphan_ids(self, testimony_table):
        """Ids in the store without a testimony (left by a flush)."""
        table, column = self.stored_ids()
        rows = self.execute(
            f"SELECT s.{column} FROM {table} s WHERE NOT EXISTS "
            f"(SELECT 1 FROM {testimony_table} t WHERE t.id = s.{column})"
        )
        return [row[0] for row in rows]

    def missing_ids(self, testimony_table):
        """Testimonies without a row in the store."""
        table, column = self.stored_ids()
        rows = self.execute(
            f"SELECT t.id FROM {testimony_table} t WHERE NOT EXISTS "
            f"(SELECT 1 FROM {table} s WHERE s.{column} = t.id)"
        )
        return [row[0] for row in rows]

    def match_sql(self, query):
        """``(sql, params)`` selecting the ids of testimonies matching ``query``."""
        raise NotImplementedError

    def matching(self, queryset, query):
        """The testimonies of ``queryset`` that match ``query``, as a queryset:
        all of them for a blank query, none for an empty one, everything but the
        exclusions for a query of exclusions only."""
        if query.is_blank:
            return queryset
        if query.is_empty:
            return queryset.none()
        if query.groups:
            return queryset.filter(pk__in=RawSQL(*self.match_sql(query)))
        return queryset.exclude(pk__in=RawSQL(*self.match_sql(query.exclusions)))

    def matched_ids(self, query):
        """The ids of the testimonies matching ``query`` (words, or exclusions
        alone), in id order. Read as one JSON array built in SQL: fetching tens
        of thousands of rows costs several times what finding them does (a word
        in 30 % of 100,000 testimonies on SQLite: 17.6 ms as rows, 5.8 ms as
        one array)."""
        sql, params = self.match_sql(query)
        rows = self.execute(
            f"WITH search_matched(id) AS ({sql}) "
            f"SELECT {self.json_array('id')} FROM search_matched",
            params,
        )
        array = rows[0][0] if rows else None
        ids = json.loads(array) if array else []
        ids.sort()  # in id order already on SQLite: one pass
        return ids

    def json_array(self, column):
        """The SQL aggregate of a group's ``column`` values as the text of a JSON
        array (NULL for no rows)."""
        raise NotImplementedError

    def hits_sql(self, queryset, query):
        """``(sql, params)`` selecting ``(id, language)`` of the testimonies of
        ``queryset`` that match ``query`` (which has words to look for)."""
        sql, params = self.match_sql(query)
        return (
            queryset.filter(pk__in=RawSQL(sql, params))
            .values_list("pk", "language")
            .query.sql_with_params()
        )

    def joined(self, column):
        """The SQL aggregate joining a group's ``column`` values with commas."""
        raise NotImplementedError

    def with_plan_hints(self, sql):
        """``sql`` (a statement compiled by Django) with hints for the engine's
        planner where it is known to choose badly; unchanged by default."""
        return sql

    def ids_source(self, ids):
        """``(sql, params)`` selecting the given testimony ids as one column, from
        a single bound parameter (a Python list of any length)."""
        raise NotImplementedError

    def ranked_sql(self, query, source, end):
        """``(sql, params)`` of ``(id, score, tier)`` rows: the best ``end`` hits
        among the ids ``source`` selects (``(sql, params)``; ``None``: among
        every match), best first.

        Two tiers: hits with a searched phrase in the title, the summary or the
        names of tags and narrator come first, then those matching only in the
        text or translations; within each tier by the engine's weighted BM25.
        Scoring costs a little per hit, so the tiers also bound the work: the
        second tier is scored only when the first holds fewer than ``end`` hits
        (a condition both engines evaluate once, before the scan).
        """
        raise NotImplementedError

    def optimize(self):
        """Tidy the store after a rebuild (optional)."""

    def refresh_statistics(self):
        """Refresh the planner's statistics after a bulk write, so it knows the
        sizes of the store and of the tables searches join it with."""

    def size_in_bytes(self):
        """The space the store takes, for the benchmark (``None`` if unknown)."""
        return None

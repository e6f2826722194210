"""What both search stores share: the indexed fields and the operations they offer."""

TABLE = "testimonies_search"
# The fields of an indexed testimony, in order (see ``index.indexed_text``).
FIELDS = ("title", "summary", "body", "names", "translations")


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
        raise NotImplementedError

    def delete(self, ids):
        raise NotImplementedError

    def clear(self):
        raise NotImplementedError

    def orphan_ids(self, testimony_table):
        """Ids in the store without a testimony (left by a flush)."""
        raise NotImplementedError

    def missing_ids(self, testimony_table):
        """Testimonies without a row in the store."""
        raise NotImplementedError

    def match_sql(self, query):
        """``(sql, params)`` selecting the ids of testimonies matching ``query``."""
        raise NotImplementedError

    def ranked_sql(self, query, within, limit, offset):
        """``(sql, params)`` selecting ``(id, score)`` of matches whose id is in the
        subquery ``within`` (``(sql, params)``), best first, one page of them."""
        raise NotImplementedError

    def optimize(self):
        """Tidy the store after a rebuild (optional)."""

    def size_in_bytes(self):
        """The space the store takes, for the benchmark (``None`` if unknown)."""
        return None

"""SQLite: an ordinary FTS5 table holding analyzed tokens, ``rowid`` = testimony id.

The ``ascii`` tokenizer only splits on ASCII spaces and punctuation, so it keeps our
tokens exactly as the analyzer made them (Cyrillic, single CJK characters). Ranking
is FTS5's ``bm25()`` with column weights, stored as the table's ``rank`` so that
``ORDER BY rank`` lets FTS5 sort inside the match set.
"""

from .base import FIELDS, SearchBackend

# A token the analyzer never produces (a private-use character), written between
# pieces of one column so that a phrase cannot run from one tag name into the next.
# PostgreSQL gets the same effect from a gap in positions.
BARRIER = "\ue000"
# bm25 weights in FIELDS order: a word in the title counts most, then the summary
# and the names of themes, places and narrator, then the body and translations.
WEIGHTS = (10.0, 4.0, 1.0, 3.0, 1.0)
CHUNK = 500


def quote(token):
    return '"' + token.replace('"', '""') + '"'


def phrase_expression(phrase):
    variants = [
        '"' + " ".join(quote(t)[1:-1] for t in v) + '"' for v in phrase.variants()
    ]
    return variants[0] if len(variants) == 1 else "(" + " OR ".join(variants) + ")"


def compile_match(query):
    """The FTS5 ``MATCH`` expression of a query tree: every token quoted."""
    expression = " AND ".join(
        "(" + " OR ".join(phrase_expression(p) for p in group) + ")"
        for group in query.groups
    )
    if query.excluded:
        excluded = " OR ".join(phrase_expression(p) for p in query.excluded)
        expression = f"({expression}) NOT ({excluded})"
    return expression


class SQLiteBackend(SearchBackend):
    def install(self):
        columns = ", ".join(FIELDS)
        weights = ", ".join(str(weight) for weight in WEIGHTS)
        self.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {self.table} "
            f"USING fts5({columns}, tokenize = 'ascii')"
        )
        self.execute(
            f"INSERT INTO {self.table}({self.table}, rank) VALUES ('rank', %s)",
            [f"bm25({weights})"],
        )

    def uninstall(self):
        self.execute(f"DROP TABLE IF EXISTS {self.table}")

    def write(self, documents):
        rows = [
            (pk, *(self._column(document[name]) for name in FIELDS))
            for pk, document in documents
        ]
        if not rows:
            return
        self.delete([row[0] for row in rows])
        placeholders = ", ".join(["%s"] * (len(FIELDS) + 1))
        with self.connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {self.table}(rowid, {', '.join(FIELDS)}) "
                f"VALUES ({placeholders})",
                rows,
            )

    def delete(self, ids):
        ids = list(ids)
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            self.execute(
                f"DELETE FROM {self.table} WHERE rowid IN "
                f"({', '.join(['%s'] * len(chunk))})",
                chunk,
            )

    def clear(self):
        self.execute(f"DELETE FROM {self.table}")

    def orphan_ids(self, testimony_table):
        rows = self.execute(
            f"SELECT rowid FROM {self.table} WHERE rowid NOT IN "
            f"(SELECT id FROM {testimony_table})"
        )
        return [row[0] for row in rows]

    def missing_ids(self, testimony_table):
        rows = self.execute(
            f"SELECT id FROM {testimony_table} WHERE id NOT IN "
            f"(SELECT rowid FROM {self.table})"
        )
        return [row[0] for row in rows]

    def match_sql(self, query):
        return (
            f"SELECT rowid FROM {self.table} WHERE {self.table} MATCH %s",
            [compile_match(query)],
        )

    def ranked_sql(self, query, within, limit, offset):
        within_sql, within_params = within
        # "+rowid" keeps SQLite from running the MATCH once per id of the subquery:
        # the match set drives, the subquery only filters it.
        return (
            f"SELECT rowid, -rank FROM {self.table} WHERE {self.table} MATCH %s "
            f"AND +rowid IN ({within_sql}) ORDER BY rank LIMIT %s OFFSET %s",
            [compile_match(query), *within_params, limit, offset],
        )

    def optimize(self):
        # Merge the FTS5 segments into one, and refresh the planner's statistics
        # so it keeps choosing the covering indexes for visibility checks.
        self.execute(f"INSERT INTO {self.table}({self.table}) VALUES ('optimize')")
        self.execute("ANALYZE")

    def size_in_bytes(self):
        total = 0
        for suffix, expression in [
            ("data", "length(block)"),
            ("idx", "length(term) + 16"),
            ("docsize", "length(sz) + 8"),
            ("content", " + ".join(f"length(c{i})" for i in range(len(FIELDS)))),
        ]:
            rows = self.execute(f"SELECT SUM({expression}) FROM {self.table}_{suffix}")
            total += rows[0][0] or 0
        return total

    @staticmethod
    def _column(pieces):
        return f" {BARRIER} ".join(" ".join(piece) for piece in pieces if piece)

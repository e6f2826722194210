"""PostgreSQL: a ``tsvector`` per testimony in its own table, with a GIN index,
and a second one of its title, summary and names (``head``), for the first tier
of a ranking.

The vector is written as a ``tsvector`` literal built from our analyzed tokens, and
queries as a ``tsquery`` literal, both cast rather than passed through
``to_tsvector``/``to_tsquery``: PostgreSQL's parser would split our tokens again by
its own rules, while a cast keeps them byte for byte (the ``simple`` configuration
without its parser). Weights: A title, B summary, C body, translations and the words of
recordings, D names.

The table has no foreign key to the testimonies on purpose: Django's ``flush``
truncates model tables without CASCADE and would fail on a reference it does not
know. Rows of deleted testimonies are removed by the signal receivers and, after a
flush, by the ``post_migrate`` sync.
"""

from collections import defaultdict

from ..analyzer import Prefix
from .base import FIELDS, HEAD_FIELDS, SearchBackend

WEIGHT_LETTERS = {
    "title": "A",
    "summary": "B",
    "body": "C",
    "names": "D",
    "translations": "C",
    "spoken": "C",
}
# ts_rank's weights, in the order D, C, B, A.
RANK_WEIGHTS = "{0.3, 0.1, 0.4, 1.0}"
# Rank normalisation 1: divide by 1 + log(length), so long texts do not win by size.
RANK_NORMALIZATION = 1
# PostgreSQL keeps positions up to 16383; later ones all read as 16383.
MAX_POSITION = 16383
# A tsvector refuses more than 1 MB of distinct lexemes; past this many bytes new
# words of a (very unusual) text are left out rather than failing the save.
MAX_LEXEME_BYTES = 1_000_000


def quote(token):
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def vector_literal(document, fields=FIELDS):
    """A ``tsvector`` literal of the ``fields`` of ``document``: each token with
    its positions and weight."""
    positions = defaultdict(list)
    position = size = 0
    for name in fields:
        weight = WEIGHT_LETTERS[name]
        for piece in document[name]:
            for token in piece:
                position += 1
                if token not in positions:
                    size += len(token.encode())
                    if size > MAX_LEXEME_BYTES:
                        continue
                positions[token].append(f"{min(position, MAX_POSITION)}{weight}")
            # A gap: a phrase cannot run from one piece or field into the next.
            position += 1
    return " ".join(f"{quote(token)}:{','.join(p)}" for token, p in positions.items())


def phrase_expression(phrase, weights=""):
    """A phrase as ``tsquery`` text; ``weights`` (e.g. "ABD") restricts every
    word to the fields of those weights."""

    def lexeme(token):
        # A prefix is marked before the weights: '地':*ABD.
        marks = ("*" if isinstance(token, Prefix) else "") + weights
        return quote(token) + (f":{marks}" if marks else "")

    words = [
        lexeme(word[0]) if len(word) == 1 else "(" + " | ".join(map(lexeme, word)) + ")"
        for word in phrase.words
    ]
    return words[0] if len(words) == 1 else "(" + " <-> ".join(words) + ")"


def compile_tsquery(query):
    """The ``tsquery`` literal of a query tree: every token quoted, each phrase
    also as spoken at the levels the query hears (:mod:`..audiences`)."""
    expression = " & ".join(
        "(" + " | ".join(phrase_expression(p) for p in query.forms(group)) + ")"
        for group in query.groups
    )
    if query.excluded:
        excluded = " | ".join(phrase_expression(p) for p in query.forms(query.excluded))
        expression = f"({expression}) & !({excluded})"
    return expression


class PostgresBackend(SearchBackend):
    def install(self):
        # Vectors are kept in the table's own pages (compressed) rather than moved
        # to TOAST: the planner does not count the cost of fetching TOASTed values,
        # so it would scan every vector instead of using the GIN index (measured
        # at 50,000 testimonies: 270 ms instead of 0.3 ms for a rare word).
        # ``head`` holds the title, summary and names again, with an index of its
        # own: the first tier of a ranking (a phrase in those fields) is then found
        # by the two indexes, instead of by reading every match's whole vector to
        # check the weights of its positions.
        self.execute(
            f"CREATE TABLE IF NOT EXISTS {self.table} "
            "(testimony_id bigint PRIMARY KEY, vector tsvector NOT NULL, "
            "head tsvector NOT NULL DEFAULT '') "
            "WITH (toast_tuple_target = 8160)"
        )
        self.execute(f"ALTER TABLE {self.table} ALTER COLUMN vector SET STORAGE MAIN")
        self.execute(
            f"CREATE INDEX IF NOT EXISTS {self.table}_vector "
            f"ON {self.table} USING gin (vector)"
        )
        self.execute(
            f"CREATE INDEX IF NOT EXISTS {self.table}_head "
            f"ON {self.table} USING gin (head)"
        )

    def uninstall(self):
        self.execute(f"DROP TABLE IF EXISTS {self.table}")

    @staticmethod
    def row(pk, document):
        return (pk, vector_literal(document), vector_literal(document, HEAD_FIELDS))

    def write_rows(self, rows):
        if not rows:
            return
        with self.connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {self.table} (testimony_id, vector, head) "
                "VALUES (%s, %s::tsvector, %s::tsvector) ON CONFLICT (testimony_id) "
                "DO UPDATE SET vector = EXCLUDED.vector, head = EXCLUDED.head",
                rows,
            )

    def delete(self, ids):
        ids = list(ids)
        if ids:
            self.execute(
                f"DELETE FROM {self.table} WHERE testimony_id = ANY(%s)", [ids]
            )

    def clear(self):
        self.execute(f"TRUNCATE {self.table}")

    def stored_ids(self):
        return self.table, "testimony_id"

    def match_sql(self, query):
        return (
            f"SELECT testimony_id FROM {self.table} WHERE vector @@ %s::tsquery",
            [compile_tsquery(query)],
        )

    def json_array(self, column):
        return f"json_agg({column})::text"

    def joined(self, column):
        return f"string_agg({column}::text, ',')"

    def ids_source(self, ids):
        return "SELECT unnest(%s::bigint[])", [list(ids)]

    def ranked_sql(self, query, source, end):
        # The first tier: the query, and any of its phrases in ``head``.
        full = compile_tsquery(query)
        heads = " | ".join(phrase_expression(p) for p in query.phrases)
        source_sql, source_params = source or ("", [])
        # The second tier's LIMIT is 0 (so it is not even read) when the first
        # is full.
        among = " AND testimony_id IN (SELECT id FROM ranked_ids)" if source else ""
        tier = (
            "SELECT testimony_id AS id, "
            "ts_rank(%s::float4[], vector, %s::tsquery, %s) AS score "
            f"FROM {self.table} WHERE vector @@ %s::tsquery "
            "AND {head}" + among + " ORDER BY score DESC, testimony_id"
        )
        first = tier.format(head="head @@ %s::tsquery")
        rest = tier.format(head="NOT head @@ %s::tsquery")
        ranking = [RANK_WEIGHTS, full, RANK_NORMALIZATION, full, heads]
        ids = f"ranked_ids(id) AS MATERIALIZED ({source_sql}), " if source else ""
        return (
            f"WITH {ids}first_tier AS MATERIALIZED ({first} LIMIT %s) "
            "SELECT id, score, 1 FROM first_tier UNION ALL "
            f"SELECT id, score, 2 FROM ({rest} LIMIT CASE WHEN "
            "(SELECT count(*) FROM first_tier) < %s THEN %s ELSE 0 END) AS rest",
            [*source_params, *ranking, end, *ranking, end, end],
        )

    def refresh_statistics(self):
        from ...models import PlacedItem, Testimony, ThemedItem

        tables = [self.table] + [
            model._meta.db_table for model in (Testimony, ThemedItem, PlacedItem)
        ]
        self.execute(f"ANALYZE {', '.join(tables)}")

    def optimize(self):
        self.execute(f"ANALYZE {self.table}")

    def size_in_bytes(self):
        return self.execute("SELECT pg_total_relation_size(%s)", [self.table])[0][0]

"""SQLite: a contentless FTS5 table of analyzed tokens, ``rowid`` = testimony id.

The ``ascii`` tokenizer only splits on ASCII spaces and punctuation, so it keeps our
tokens exactly as the analyzer made them (Cyrillic, CJK bigrams). Ranking
is FTS5's ``bm25()`` with column weights, stored as the table's ``rank`` so that
``ORDER BY rank`` lets FTS5 sort inside the match set.

An ordinary FTS5 table keeps a copy of the text it indexes, only to be able to
delete a row later: 1.4 times the raw text at 100,000 testimonies, more than the
index itself. Ours keeps none (``content=''``). To delete a row, FTS5 must be given
its column values again, but it only needs the set of distinct terms (to remove
the postings) and the number of tokens of each column (to keep the totals that
bm25 divides by exact). A side table keeps just that per testimony: the counts,
and the sorted distinct terms, compressed (0.4 times the raw text). Snippets are
cut from the original text (see ``snippets``), never from the index.
"""

import json
import re
import string
import zlib

from django.db import DatabaseError
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from ..analyzer import CJK_RANGES, CJK_RE, Prefix, bigrams
from .base import HEAD_FIELDS, SearchBackend

# A token the analyzer never produces (a private-use character), written between
# pieces of one column so that a phrase cannot run from one tag name into the next.
# The words of recordings (``spoken``) share the text's column: the words only some
# may hear are told apart by marks (see ``audiences``), not by a column a query
# would have to filter on (which costs 10-25 % on every search).
# PostgreSQL gets the same effect from a gap in positions.
BARRIER = "\ue000"
# The table's columns and the fields each holds. The body and the translations
# share the first: FTS5 writes a column number before a word's positions in any
# other column, two bytes per word and testimony (at 10,000 Japanese testimonies,
# 30 % of the index).
COLUMNS = {
    "text": ("body", "translations", "spoken"),
    "title": ("title",),
    "summary": ("summary",),
    "names": ("names",),
}
# bm25 weights in COLUMNS order: a word in the title counts most, then the summary
# and the names of themes, places and narrator, then the body and translations.
WEIGHTS = (1.0, 10.0, 4.0, 3.0)
CHUNK = 500
# Matches for more than this share of the testimonies (measured at 100,000: about
# where the two ways of joining them with the testimonies cost the same) are joined
# by scanning rather than by looking each one up (see hits_sql).
MANY_MATCHES = 0.15
# What the ascii tokenizer takes for a token: a run of anything but ASCII spaces,
# punctuation and controls (every non-ASCII character is part of a token), folded
# to lower case for ASCII letters only.
FTS5_TOKEN = re.compile(r"[^\x00-/:-@\[-`{-\x7f]+")
ASCII_UPPER = re.compile("[A-Z]")
# A character the ascii tokenizer splits on or folds, other than the space.
FTS5_SPLITS = re.compile(r"[\x00-\x1f!-/:-@A-Z\[-`{-\x7f]")
ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
# In a column's text: CJK bigrams, each followed by a space, then one CJK character
# ending the token (地下 下室 室), from the start of a token.
RUN_TOKENS = re.compile(f"(?<![^ ])((?:[{CJK_RANGES}]{{2}} )*)([{CJK_RANGES}])(?![^ ])")


def quote(token):
    return '"' + token.replace('"', '""') + '"'


def phrase_expression(phrase):
    variants = [_sequence(variant) for variant in phrase.variants()]
    return variants[0] if len(variants) == 1 else "(" + " OR ".join(variants) + ")"


def _sequence(tokens):
    """One FTS5 phrase. FTS5 marks a prefix at the end of a quoted string
    (``"地下 下" *``), so a phrase with one inside goes on with ``+``."""
    strings, current = [], []
    for token in tokens:
        current.append(quote(token)[1:-1])
        if isinstance(token, Prefix):
            strings.append('"' + " ".join(current) + '" *')
            current = []
    if current:
        strings.append('"' + " ".join(current) + '"')
    return " + ".join(strings)


def compile_match(query):
    """The FTS5 ``MATCH`` expression of a query tree: every token quoted, each
    phrase also as spoken at the levels the query hears (:mod:`..audiences`)."""
    expression = " AND ".join(
        "(" + " OR ".join(phrase_expression(p) for p in query.forms(group)) + ")"
        for group in query.groups
    )
    if query.excluded:
        excluded = " OR ".join(
            phrase_expression(p) for p in query.forms(query.excluded)
        )
        expression = f"({expression}) NOT ({excluded})"
    return expression


class SQLiteBackend(SearchBackend):
    @property
    def terms_table(self):
        """The side table: per testimony, what deleting its row from FTS5 takes."""
        return f"{self.table}_terms"

    def install(self):
        weights = ", ".join(str(weight) for weight in WEIGHTS)
        self.execute(fts5_table_sql(self.table))
        self.execute(
            f"INSERT INTO {self.table}({self.table}, rank) VALUES ('rank', %s)",
            [f"bm25({weights})"],
        )
        self.execute(
            f"CREATE TABLE IF NOT EXISTS {self.terms_table} (id INTEGER PRIMARY KEY, "
            "sizes TEXT NOT NULL, terms BLOB NOT NULL)"
        )

    def uninstall(self):
        self.execute(f"DROP TABLE IF EXISTS {self.table}")
        self.execute(f"DROP TABLE IF EXISTS {self.terms_table}")

    @staticmethod
    def row(pk, document):
        """The id, the column values, then the side table's sizes and terms
        (compressing here keeps that work in the helper process of bulk runs)."""
        pieces = [
            [piece for name in fields for piece in document[name]]
            for fields in COLUMNS.values()
        ]
        columns = [_column(column) for column in pieces]
        return (pk, *columns, *_inventory(columns, pieces))

    def write_rows(self, rows):
        if not rows:
            return
        # Never insert over a row: FTS5 would keep the old postings of a contentless
        # row it is not told to delete.
        self.delete([row[0] for row in rows])
        width = len(COLUMNS) + 1
        placeholders = ", ".join(["%s"] * width)
        with self.connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {self.table}(rowid, {', '.join(COLUMNS)}) "
                f"VALUES ({placeholders})",
                [row[:width] for row in rows],
            )
            cursor.executemany(
                f"INSERT INTO {self.terms_table}(id, sizes, terms) VALUES (%s, %s, %s)",
                [(row[0], *row[width:]) for row in rows],
            )

    def delete(self, ids):
        """Delete the rows of ``ids`` that are stored (the side table says which:
        FTS5's 'delete' of a row it does not hold would corrupt its totals)."""
        ids = list(ids)
        placeholders = ", ".join(["%s"] * (len(COLUMNS) + 1))
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            stored = self.execute(
                f"SELECT id, sizes, terms FROM {self.terms_table} "
                f"WHERE id IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )
            if not stored:
                continue
            with self.connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {self.table}({self.table}, rowid, "
                    f"{', '.join(COLUMNS)}) VALUES ('delete', {placeholders})",
                    [
                        (pk, *_stored_columns(sizes, terms))
                        for pk, sizes, terms in stored
                    ],
                )
            self.execute(
                f"DELETE FROM {self.terms_table} "
                f"WHERE id IN ({', '.join(['%s'] * len(stored))})",
                [pk for pk, _, _ in stored],
            )

    def clear(self):
        self.execute(f"INSERT INTO {self.table}({self.table}) VALUES ('delete-all')")
        self.execute(f"DELETE FROM {self.terms_table}")

    def stored_ids(self):
        # FTS5 keeps no column of ids; the side table has one row per stored row.
        return self.terms_table, "id"

    def match_sql(self, query):
        return (
            f"SELECT rowid FROM {self.table} WHERE {self.table} MATCH %s",
            [compile_match(query)],
        )

    def hits_sql(self, queryset, query):
        # Two plans in one statement; a LIMIT of 0 or -1 (no limit), which SQLite
        # evaluates once before running its branch, switches off the one that does
        # not fit the number of matches. Few matches: look each one up by id.
        # Many: scan an index of the narrowed testimonies and look each entry up
        # among the matches ("+" keeps SQLite from using the id as the key), which
        # reads far fewer pages than as many lookups into the wide testimony rows.
        sql, params = self.match_sql(query)
        quote = self.connection.ops.quote_name
        meta = queryset.model._meta
        table = quote(meta.db_table)
        column = f"{table}.{quote(meta.pk.column)}"
        many = (
            f"(SELECT count(*) FROM search_matches) > "
            f"(SELECT max({column}) FROM {table}) * {MANY_MATCHES}"
        )
        branches, branch_params = [], []
        for prefix, switch in (("", "0 ELSE -1"), ("+", "-1 ELSE 0")):
            condition = f"{prefix}{column} IN (SELECT id FROM search_matches)"
            branch, values = (
                queryset.filter(RawSQL(condition, [], output_field=BooleanField()))
                .values_list("pk", "language")
                .query.sql_with_params()
            )
            branches.append(
                f"SELECT * FROM ({branch} LIMIT CASE WHEN {many} THEN {switch} END)"
            )
            branch_params.extend(values)
        return (
            f"WITH search_matches(id) AS MATERIALIZED ({sql}) "
            + self.with_plan_hints(" UNION ALL ".join(branches)),
            [*params, *branch_params],
        )

    def with_plan_hints(self, sql):
        # The place filter asks for testimonies tagged with any of a place's
        # descendants: "tag_id IN (…150 ids…)". SQLite then looks each hit up
        # once per id in the (testimony, tag) index; "+" makes it look the
        # testimony's one or two places up once and test them (at 100,000
        # testimonies, a region and a word: 124 ms instead of 31 ms).
        from ...models import PlacedItem, ThemedItem

        quote = self.connection.ops.quote_name
        for through in (PlacedItem, ThemedItem):
            column = f"{quote(through._meta.db_table)}.{quote('tag_id')} IN ("
            sql = sql.replace(column, "+" + column)
        return sql

    def json_array(self, column):
        return f"json_group_array({column})"

    def joined(self, column):
        return f"group_concat({column})"

    def ids_source(self, ids):
        return "SELECT value FROM json_each(%s)", [json.dumps(list(ids))]

    def tier_expressions(self, query):
        """The MATCH expressions of the first tier (a phrase in the title,
        summary or names) and of the rest."""
        full = compile_match(query)
        phrases = " OR ".join(phrase_expression(p) for p in query.phrases)
        head = "{" + " ".join(HEAD_FIELDS) + "} : (" + phrases + ")"
        return f"({full}) AND {head}", f"({full}) NOT {head}"

    def ranked_sql(self, query, source, end):
        first, rest = self.tier_expressions(query)
        source_sql, source_params = source or ("", [])
        weights = ", ".join(str(weight) for weight in WEIGHTS)
        # "+rowid" keeps the match set driving: SQLite would otherwise run the
        # MATCH once per id. bm25() is computed only for the rows that pass. The
        # second tier's LIMIT is 0 (so it is not even read) when the first is full.
        among = " AND +rowid IN (SELECT id FROM ranked_ids)" if source else ""
        tier = (
            f"SELECT rowid AS id, -bm25({self.table}, {weights}) AS score "
            f"FROM {self.table} WHERE {self.table} MATCH %s{among} "
            "ORDER BY score DESC, rowid"
        )
        ids = f"ranked_ids(id) AS MATERIALIZED ({source_sql}), " if source else ""
        return (
            f"WITH {ids}first_tier AS MATERIALIZED ({tier} LIMIT %s) "
            "SELECT id, score, 1 FROM first_tier UNION ALL "
            f"SELECT id, score, 2 FROM ({tier} LIMIT CASE WHEN "
            "(SELECT count(*) FROM first_tier) < %s THEN %s ELSE 0 END)",
            [*source_params, first, end, rest, end, end],
        )

    def refresh_statistics(self):
        # Without statistics SQLite guesses, e.g. scans the visibility index for
        # a rare word instead of looking up its few matches (13 ms, not 0.1 ms).
        self.execute("ANALYZE")

    def optimize(self):
        # Merge the FTS5 segments into one, and refresh the planner's statistics
        # so it keeps choosing the covering indexes for visibility checks.
        self.execute(f"INSERT INTO {self.table}({self.table}) VALUES ('optimize')")
        self.execute("ANALYZE")

    def size_in_bytes(self):
        """The pages of FTS5's shadow tables (index, document sizes, settings) and
        of the side table, as stored."""
        shadows = ("data", "idx", "content", "docsize", "config")
        names = [f"{self.table}_{shadow}" for shadow in shadows] + [self.terms_table]
        try:
            rows = self.execute(
                "SELECT SUM(pgsize) FROM dbstat WHERE name IN "
                f"({', '.join(['%s'] * len(names))})",
                names,
            )
        except DatabaseError:  # SQLite built without the dbstat table
            rows = self.execute(
                f"SELECT (SELECT SUM(length(block)) FROM {self.table}_data) + "
                f"(SELECT SUM(length(sz)) FROM {self.table}_docsize) + "
                f"(SELECT SUM(length(sizes) + length(terms)) FROM {self.terms_table})"
            )
        return rows[0][0] or 0


def fts5_table_sql(table):
    """The store's FTS5 table: contentless (the side table keeps what deleting a
    row takes), split by the ``ascii`` tokenizer. benchmarks.search.engine_insert
    times inserts into the same table."""
    return (
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} "
        f"USING fts5({', '.join(COLUMNS)}, content = '', tokenize = 'ascii')"
    )


def _column(pieces):
    return f" {BARRIER} ".join(" ".join(piece) for piece in pieces if piece)


def _inventory(columns, pieces=None):
    """The side table's ``(sizes, terms)`` of a row: the number of tokens FTS5
    counts in each column, space-separated, and the row's distinct terms, sorted
    and compressed (``zlib``).

    ``pieces`` (each column's token lists) saves tokenizing the columns again
    when the ascii tokenizer would keep every token as it is: no ASCII capital,
    punctuation or control character anywhere, which is what the analyzer makes.
    The bigrams of a run of CJK characters are then kept as the run itself, after
    a line break (地下室 for 地下, 下室 and 室): a third of the space.
    """
    runs = {}
    if pieces is not None and not any(map(FTS5_SPLITS.search, columns)):
        sizes, terms = [], set()
        for text, column in zip(columns, pieces, strict=True):
            present = [tokens for tokens in column if tokens]
            sizes.append(
                str(sum(map(len, present)) + len(present) - 1 if present else 0)
            )
            if CJK_RE.search(text):
                rest = RUN_TOKENS.sub(lambda match: _kept_run(match, runs), text)
                terms.update(filter(None, rest.split(" ")))
                continue
            terms.update(*present)
            if len(present) > 1:
                terms.add(BARRIER)
    else:
        sizes, terms = [], set()
        for text in columns:
            if ASCII_UPPER.search(text):  # never in analyzed text: skip the copy
                text = text.translate(ASCII_LOWER)
            tokens = FTS5_TOKEN.findall(text)
            sizes.append(str(len(tokens)))
            terms.update(tokens)
    # Sorted, the terms compress 13 % better.
    text = " ".join(sorted(terms))
    if runs:
        text += "\n" + " ".join(runs)
    return " ".join(sizes), zlib.compress(text.encode(), 6)


def _kept_run(match, runs):
    """A chain of bigrams ending on one character, as the analyzer cuts a run of
    CJK characters: kept in ``runs`` as the run (and taken out of the text), when
    its bigrams do overlap."""
    chain, last = match.groups()
    run = chain[0::3] + last
    if chain[1::3] != run[1:]:
        return match.group()
    runs[run] = None
    return ""


def _stored_columns(sizes, terms):
    """Column values FTS5's 'delete' takes as those of the row stored with these
    sizes and terms: every term once, and each column as many tokens as it had.

    Each column gets the next terms, up to its size, then repeats one of them (or
    any term of the row) to its size: there are no more distinct terms than
    tokens, so every term finds a place.
    """
    text, _, runs = zlib.decompress(terms).decode().partition("\n")
    # Split on spaces only: other white space (U+00A0, U+3000) is inside tokens.
    terms = dict.fromkeys(text.split(" ") if text else [])
    for run in runs.split(" ") if runs else []:
        terms.update(dict.fromkeys(bigrams(run)))
    terms = list(terms)
    columns, start = [], 0
    for size in map(int, sizes.split()):
        taken = terms[start : start + size]
        start += len(taken)
        filler = (taken or terms or [""])[0]
        columns.append(" ".join(taken + [filler] * (size - len(taken))))
    return columns

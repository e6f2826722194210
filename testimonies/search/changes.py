"""The change log: which testimonies changed, written by the database itself.

The hit sets kept in memory (:mod:`testimonies.search.hitsets`) must never
answer from before a change, whatever writes: the ORM, ``QuerySet.update()``,
raw SQL, a shell. So triggers on every table the sets are derived from (the
testimonies, their theme and place links, the themes and places) add a row here
in the writer's own transaction: the id of each testimony changed, or no id at
all for "anything may have changed" (a tag renamed or moved, a table emptied, a
statement changing more than :data:`MANY` testimonies).

Writers only ever *insert*, each its own rows, so they never wait for each other
(a single version row updated by every writer would make an import hold up every
save in the admin). On PostgreSQL the triggers run once per statement, with the
statement's rows in transition tables, so a bulk write logs once per statement.

A reader compares the log's :func:`token` with the one its kept sets were made
at, before it reads any data. Equal: nothing has changed. Else it reads the log
(:func:`rows`), and what differs from the rows it has seen names the testimonies
to read again (:meth:`hitsets.Version.after`). Rows only appear, except when
rolled back (then the testimony is read again too, as it now is) and when the
log is compacted, which leaves a row without an id behind in the same
transaction. PostgreSQL may commit ids out of order: a row may appear below one
already seen, which the count of rows in the token notices.

:func:`compact` runs after a writer's commit, once the log is longer than
:data:`KEEP` rows. :func:`install` runs after every ``migrate``: on SQLite a
migration that rebuilds a table drops its triggers.
"""

import random
from contextlib import nullcontext

from django.db import DatabaseError, connections, transaction

TABLE = "testimonies_search_change"
# The log is compacted after a commit once it holds more rows than this.
KEEP = 1_000
# A statement that changes more testimonies than this logs "anything" (PostgreSQL).
MANY = 1_000
# Above this many rows, a reader does not read the log: it starts afresh.
READ_AT_MOST = 5 * KEEP
# PostgreSQL's advisory lock taken by the one compacting (any fixed number).
COMPACTING = 7_320_514_002

# The columns that order the archive by date (the kept orders, sources.ORDERINGS).
ORDER_COLUMNS = ("recorded_on", "identifier")
# Old names, replaced by this log (dropped by install()).
OLD_STATE_TABLE = "testimonies_search_state"
EVENTS = ("INSERT", "UPDATE", "DELETE")


def watched():
    """``(table, testimony column or None)`` of each table the kept sets are
    derived from; ``None``: a change there may touch any testimony."""
    from ..models import Place, PlacedItem, Testimony, Theme, ThemedItem

    return [
        (Testimony._meta.db_table, "id"),
        (ThemedItem._meta.db_table, "content_object_id"),
        (PlacedItem._meta.db_table, "content_object_id"),
        (Theme._meta.db_table, None),
        (Place._meta.db_table, None),
    ]


def triggers(connection):
    """The names of the triggers that write the log."""
    return [name for _table, name in _triggers(connection)]


def _triggers(connection):
    """``(table, trigger name)`` of each trigger that writes the log."""
    events = (*EVENTS, "TRUNCATE") if connection.vendor == "postgresql" else EVENTS
    return [
        (table, f"{table}_{event.lower()}_search_change")
        for table, _column in watched()
        for event in events
    ]


def install(connection):
    """Create the log and its triggers (idempotent), and log "anything": what a
    reader keeps may describe a table that has just changed."""
    if connection.vendor not in _STATEMENTS:
        return
    with connection.cursor() as cursor:
        for statement in _STATEMENTS[connection.vendor](connection):
            cursor.execute(statement)
    _present.add(_key(connection))


def uninstall(connection):
    if connection.vendor not in _STATEMENTS:
        return
    quote = connection.ops.quote_name
    _present.discard(_key(connection))
    with connection.cursor() as cursor:
        for table, name in _triggers(connection):
            on = f" ON {quote(table)}" if connection.vendor == "postgresql" else ""
            cursor.execute(f"DROP TRIGGER IF EXISTS {quote(name)}{on}")
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        if connection.vendor == "postgresql":
            for function in _functions():
                cursor.execute(f"DROP FUNCTION IF EXISTS {function}()")


def _functions():
    """The PostgreSQL functions the triggers run."""
    return [f"{TABLE}_anything", *(f"{TABLE}_{table}" for table, _c in watched())]


def watching(connection):
    """Whether the log and every trigger writing it are in place."""
    names = triggers(connection)
    marks = ", ".join(["%s"] * len(names))
    if connection.vendor == "postgresql":
        sql = f"SELECT count(*) FROM pg_trigger WHERE tgname IN ({marks})"
    else:
        sql = (
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
            f"AND name IN ({marks})"
        )
    try:
        with _guarded(connection), connection.cursor() as cursor:
            cursor.execute(sql, names)
            return cursor.fetchone()[0] == len(names)
    except DatabaseError:
        return False


def token(connection):
    """What tells one state of the log from another, in one look-up: the number
    of rows, the last id and that row's random stamp (SQLite reuses the ids of a
    rolled-back transaction), and on SQLite the schema's version (any CREATE or
    DROP, triggers included, changes it). ``None`` without a log."""
    sql = (
        f"SELECT count(*), max(id), (SELECT stamp FROM {TABLE} "
        "ORDER BY id DESC LIMIT 1)"
    )
    if connection.vendor == "sqlite":
        sql += ", (SELECT schema_version FROM pragma_schema_version)"
    sql += f" FROM {TABLE}"
    try:
        with _guarded(connection), connection.cursor() as cursor:
            cursor.execute(sql)
            found = tuple(cursor.fetchone())
    except DatabaseError:  # created after migrate: not there yet
        return None
    _present.add(_key(connection))
    return found


# Databases whose log this process has found or made (and not dropped).
_present = set()


def _key(connection):
    return (connection.alias, str(connection.settings_dict["NAME"]))


def _guarded(connection):
    """A savepoint where a failed statement would spoil the transaction around
    it (PostgreSQL), until the log is known to be there; nothing in autocommit,
    where requests run."""
    if (
        connection.vendor == "postgresql"
        and connection.in_atomic_block
        and _key(connection) not in _present
    ):
        return transaction.atomic(using=connection.alias)
    return nullcontext()


def rows(connection):
    """``{(id, stamp): (testimony id or None, reordered)}``: the whole log."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, stamp, testimony_id, reordered FROM {TABLE}")
        return {
            (pk, stamp): (testimony, bool(moved))
            for pk, stamp, testimony, moved in cursor.fetchall()
        }


def compact(using):
    """Shorten the log when it is longer than :data:`KEEP`: one row without an
    id replaces every row before it (readers then start afresh), in one
    transaction. Never waits: on PostgreSQL, if another is compacting, nothing."""
    connection = connections[using]
    if connection.vendor not in _STATEMENTS:
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {TABLE}")
            if cursor.fetchone()[0] <= KEEP:
                return
        with transaction.atomic(using=using), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [COMPACTING])
                if not cursor.fetchone()[0]:
                    return
            cursor.execute(
                f"INSERT INTO {TABLE} (testimony_id, reordered, stamp) "
                "VALUES (NULL, %s, %s)",
                [True, _stamp()],
            )
            cursor.execute(f"SELECT max(id) FROM {TABLE}")
            last = cursor.fetchone()[0]
            cursor.execute(f"DELETE FROM {TABLE} WHERE id < %s", [last])
    except DatabaseError:
        return  # compacted another time


def compact_after_commit(using):
    """Compact once the current transaction commits (at once in autocommit);
    asked once per transaction however many writes it makes."""
    waiting = getattr(connections[using], "run_on_commit", [])
    if any(getattr(entry[1], "compacts", False) for entry in waiting):
        return

    def compacting():
        compact(using)

    compacting.compacts = True
    transaction.on_commit(compacting, using=using)


def _stamp():
    return random.getrandbits(62)


def _sqlite(connection):
    quote = connection.ops.quote_name
    log = f"INSERT INTO {TABLE} (testimony_id, reordered)"
    statements = [
        f"DROP TABLE IF EXISTS {OLD_STATE_TABLE}",
        f"CREATE TABLE IF NOT EXISTS {TABLE} (id INTEGER PRIMARY KEY AUTOINCREMENT, "
        "testimony_id INTEGER, reordered INTEGER NOT NULL, "
        "stamp INTEGER NOT NULL DEFAULT (random()))",
    ]
    for table, column in watched():
        for event in EVENTS:
            old = f"{table}_{event.lower()}_search_version"
            statements.append(f"DROP TRIGGER IF EXISTS {quote(old)}")
        if column is None:
            bodies = dict.fromkeys(EVENTS, f"{log} VALUES (NULL, 1);")
        else:
            moved = (
                " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in ORDER_COLUMNS)
                if column == "id"
                else "0"
            )
            bodies = {
                "INSERT": f"{log} VALUES (NEW.{column}, {int(column == 'id')});",
                "UPDATE": f"{log} VALUES (NEW.{column}, {moved}); "
                f"{log} SELECT OLD.{column}, 0 WHERE OLD.{column} IS NOT NEW.{column};",
                "DELETE": f"{log} VALUES (OLD.{column}, 0);",
            }
        for event in EVENTS:
            name = f"{table}_{event.lower()}_search_change"
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS {quote(name)} AFTER {event} "
                f"ON {quote(table)} BEGIN {bodies[event]} END"
            )
    statements.append(f"{log} VALUES (NULL, 1)")
    return statements


def _postgresql(connection):
    quote = connection.ops.quote_name
    capped = (
        f"INSERT INTO {TABLE} (testimony_id, reordered) "
        "SELECT testimony_id, reordered FROM changed "
        f"WHERE (SELECT count(*) FROM changed) <= {MANY} "
        "UNION ALL SELECT NULL, true "
        f"WHERE (SELECT count(*) FROM changed) > {MANY};"
    )
    statements = [
        f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, "
        "testimony_id bigint, reordered boolean NOT NULL, "
        "stamp bigint NOT NULL DEFAULT floor(random() * 4e18)::bigint)",
        f"CREATE OR REPLACE FUNCTION {TABLE}_anything() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$ BEGIN INSERT INTO {TABLE} (testimony_id, reordered) "
        "VALUES (NULL, true); RETURN NULL; END $$",
    ]
    for table, column in watched():
        function = f"{TABLE}_{table}"
        if column is None:
            any_rows = {
                "INSERT": "new_rows",
                "UPDATE": "new_rows",
                "DELETE": "old_rows",
            }
            body = _by_operation(
                {
                    event: f"INSERT INTO {TABLE} (testimony_id, reordered) "
                    f"SELECT NULL, true WHERE EXISTS (SELECT 1 FROM {rows_});"
                    for event, rows_ in any_rows.items()
                }
            )
        else:
            c = quote(column)
            moved = (
                "o.id IS NULL OR "
                + " OR ".join(
                    f"o.{quote(x)} IS DISTINCT FROM n.{quote(x)}" for x in ORDER_COLUMNS
                )
                if column == "id"
                else "false"
            )
            changed = {
                "INSERT": f"SELECT DISTINCT {c} AS testimony_id, "
                f"{'true' if column == 'id' else 'false'} AS reordered FROM new_rows",
                "DELETE": f"SELECT DISTINCT {c} AS testimony_id, false AS reordered "
                "FROM old_rows",
                "UPDATE": "SELECT testimony_id, bool_or(moved) AS reordered FROM ("
                f"SELECT n.{c} AS testimony_id, {moved} AS moved FROM new_rows n "
                "LEFT JOIN old_rows o ON o.id = n.id "
                f"UNION ALL SELECT o.{c}, false FROM old_rows o) AS each_row "
                "GROUP BY testimony_id",
            }
            body = _by_operation(
                {
                    event: f"WITH changed AS ({sql}) {capped}"
                    for event, sql in changed.items()
                }
            )
        statements.append(
            f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN {body} END IF; RETURN NULL; END $$"
        )
        referencing = {
            "INSERT": "REFERENCING NEW TABLE AS new_rows",
            "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
            "DELETE": "REFERENCING OLD TABLE AS old_rows",
        }
        for event in (*EVENTS, "TRUNCATE"):
            name = quote(f"{table}_{event.lower()}_search_change")
            target = function if event != "TRUNCATE" else f"{TABLE}_anything"
            statements += [
                f"DROP TRIGGER IF EXISTS {name} ON {quote(table)}",
                f"CREATE TRIGGER {name} AFTER {event} ON {quote(table)} "
                f"{referencing.get(event, '')} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION {target}()",
            ]
    statements.append(
        f"INSERT INTO {TABLE} (testimony_id, reordered) VALUES (NULL, true)"
    )
    return statements


def _by_operation(statements):
    """PL/pgSQL running ``statements[TG_OP]`` (closed by the caller's END IF)."""
    return " ".join(
        f"{'IF' if n == 0 else 'ELSIF'} TG_OP = '{event}' THEN {statement}"
        for n, (event, statement) in enumerate(statements.items())
    )


_STATEMENTS = {"sqlite": _sqlite, "postgresql": _postgresql}

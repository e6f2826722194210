"""Versions for writes that bypass ``save()``: admin bulk actions and imports.

django-simple-history records a version of a testimony (and of its narrator,
source, translations, themes and places) on every ``save()`` and ``delete()``,
with the user of the current request. ``QuerySet.update()``, ``bulk_create()`` and
the importer's bulk writes send no such signal; :func:`record_versions` writes the
versions afterwards, naming the acting user (none for a command-line import) and a
reason that the admin's history page shows.
"""

from django.conf import settings
from django.db import connections, router
from django.utils import timezone

# simple_history's change-reason column holds 100 characters.
REASON_LENGTH = 100
# Keeps each statement well under SQLite's limit on query parameters.
BATCH_SIZE = 900


def record_versions(model, pks, *, user=None, reason="", created=False):
    """Write one version of each ``model`` row in ``pks`` as it now stands.

    ``created`` marks them as additions ("+") rather than changes ("~"). Returns
    the number of versions written.

    The rows are copied inside the database (``INSERT … SELECT``), as
    simple_history's own ``bulk_history_create()`` would, but without loading and
    re-saving each row in Python: an import of 100,000 testimonies stays an import
    of 100,000 testimonies, not three times as long.
    """
    pks = list(pks)
    if not pks or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return 0
    history = model.history.model
    using = router.db_for_write(history)
    connection = connections[using]
    quote = connection.ops.quote_name
    copied = [
        (quote(model._meta.get_field(field.name).column), quote(field.column))
        for field in history.tracked_fields
    ]
    meta = history._meta
    stamps = {
        "history_date": meta.get_field("history_date").get_db_prep_save(
            timezone.now(), connection
        ),
        "history_change_reason": reason[:REASON_LENGTH],
        "history_type": "+" if created else "~",
        "history_user_id": getattr(user, "pk", None),
    }
    columns = [target for _source, target in copied] + [
        quote(meta.get_field(name).column) for name in stamps
    ]
    written = 0
    with connection.cursor() as cursor:
        for start in range(0, len(pks), BATCH_SIZE):
            batch = pks[start : start + BATCH_SIZE]
            sql = "INSERT INTO {history} ({columns}) SELECT {values} FROM {table} "
            sql += "WHERE {pk} IN ({placeholders}) ORDER BY {pk}"
            cursor.execute(
                sql.format(
                    history=quote(meta.db_table),
                    columns=", ".join(columns),
                    values=", ".join(
                        [source for source, _target in copied] + ["%s"] * len(stamps)
                    ),
                    table=quote(model._meta.db_table),
                    pk=quote(model._meta.pk.column),
                    placeholders=", ".join(["%s"] * len(batch)),
                ),
                [*stamps.values(), *batch],
            )
            written += cursor.rowcount
    return written

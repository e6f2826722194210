"""A write that waited too long for the database: "busy, try again", never a 500.

SQLite lets one writer in at a time; the others wait for the lock up to the busy
timeout of the settings (``DJANGO_SQLITE_TIMEOUT``) and then fail with "database is
locked". PostgreSQL fails the same way where a lock timeout is set: an import
waiting for another (testimonies.importing.locking). Nothing
was written when that happens (the transaction rolled back), so the honest answer
is 503 with ``Retry-After``: the reader's work is intact and can be sent again.
"""

import logging

from django.db import OperationalError

#: SQLSTATE lock_not_available (PostgreSQL's lock_timeout).
LOCK_NOT_AVAILABLE = "55P03"
RETRY_AFTER_SECONDS = 30


def is_busy(error):
    """Whether ``error`` is a database lock that was not granted in time."""
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    if getattr(cause, "sqlstate", None) == LOCK_NOT_AVAILABLE:
        return True
    message = str(error).lower()
    return "database is locked" in message or "database table is locked" in message


class NotBusy(logging.Filter):
    """Keeps "busy" answers out of the mail to ADMINS (LOGGING): a long import
    makes every waiting writer answer 503, and one mail each would bury the
    errors that matter. They still reach the error log."""

    def filter(self, record):
        error = record.exc_info[1] if record.exc_info else None
        return not is_busy(error)

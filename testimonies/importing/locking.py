"""One import at a time: the lock an import's plan and writes run under."""

import contextlib
import zlib

from django.conf import settings
from django.db import connection

#: The PostgreSQL advisory lock that imports share (any 64-bit number of ours).
IMPORT_LOCK = zlib.crc32(b"testimonies.import")


@contextlib.contextmanager
def import_lock():
    """Hold the import lock until the enclosing transaction ends.

    Call inside ``transaction.atomic()``. On SQLite the transaction itself is the
    lock: it began with ``BEGIN IMMEDIATE`` (the settings' ``transaction_mode``),
    which takes the database's one write lock or waits for it up to the busy
    timeout. PostgreSQL lets many writers in at once, so imports queue on an
    advisory lock instead, released at commit or rollback, and wait for it at
    most ``TESTIMONY_IMPORT_LOCK_TIMEOUT`` seconds (lock_not_available, which
    testimonies.busy recognises): an import stuck elsewhere must not hold the
    next one, a nightly job say, for ever.
    """
    if connection.vendor == "postgresql":
        timeout_ms = max(int(settings.TESTIMONY_IMPORT_LOCK_TIMEOUT * 1000), 1)
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = {timeout_ms}")
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])
            # The import's own row locks wait as any other writer's do.
            cursor.execute("SET LOCAL lock_timeout TO DEFAULT")
    yield

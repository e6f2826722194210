"""One import at a time: the lock an import's plan and writes run under."""

import contextlib
import zlib

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
    advisory lock instead; it is released at commit or rollback.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])
    yield

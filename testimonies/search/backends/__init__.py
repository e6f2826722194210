"""The two stores behind search: SQLite FTS5 and PostgreSQL ``tsvector``.

Both hold the same analyzed tokens in the same order and answer the same query tree,
so they return the same hits; only the relevance scores differ.
"""

from django.core.exceptions import ImproperlyConfigured

from .postgres import PostgresBackend
from .sqlite import SQLiteBackend

BACKENDS = {"sqlite": SQLiteBackend, "postgresql": PostgresBackend}


def backend_for(connection):
    """The search backend for a database connection."""
    try:
        return BACKENDS[connection.vendor](connection)
    except KeyError:
        raise ImproperlyConfigured(
            f"Search supports SQLite and PostgreSQL, not {connection.vendor}."
        ) from None

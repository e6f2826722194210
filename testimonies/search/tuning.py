"""Connection settings that make searching a large SQLite archive fast.

Set on every new SQLite connection (``connection_created``): the search reads the
full-text index and the testimony indexes over and over, and SQLite's defaults
(a 2 MB page cache, files read with ``read()``) are sized for small databases.
PostgreSQL needs nothing here (see docs/performance.md for its settings).
"""

PRAGMAS = (
    # Map up to 1 GiB of the file into memory: pages are read without copying.
    "PRAGMA mmap_size = 1073741824",
    # 64 MiB of page cache per connection (a negative size is in KiB).
    "PRAGMA cache_size = -65536",
    # Temporary B-trees (sorting, IN lists, materialized hits) stay in memory.
    "PRAGMA temp_store = MEMORY",
)


def configure_sqlite(sender, connection, **kwargs):
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for pragma in PRAGMAS:
            cursor.execute(pragma)

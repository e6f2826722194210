"""The SQLite search store becomes contentless: FTS5 no longer keeps its own copy
of the analyzed text, and a side table keeps what deleting a row takes (see
testimonies/search/backends/sqlite.py). PostgreSQL's store is unchanged.

The old table is dropped, not converted: nothing is indexed here. The post_migrate
receiver of testimonies.search indexes every testimony missing from the new store
once all migrations have run (as after 0003).
"""

from django.db import migrations

# The store as 0003 made it, for going back: an FTS5 table keeping its content.
WITH_CONTENT = (
    "CREATE VIRTUAL TABLE testimonies_search "
    "USING fts5(title, summary, body, names, translations, tokenize = 'ascii')"
)
RANK = (
    "INSERT INTO testimonies_search(testimonies_search, rank) "
    "VALUES ('rank', 'bm25(10.0, 4.0, 1.0, 3.0, 1.0)')"
)


def _backend(schema_editor):
    from testimonies.search.backends.sqlite import SQLiteBackend

    if schema_editor.connection.vendor == "sqlite":
        return SQLiteBackend(schema_editor.connection)
    return None


def drop_content(apps, schema_editor):
    backend = _backend(schema_editor)
    if backend is not None:
        backend.uninstall()
        backend.install()


def keep_content(apps, schema_editor):
    backend = _backend(schema_editor)
    if backend is not None:
        backend.uninstall()
        backend.execute(WITH_CONTENT)
        backend.execute(RANK)


class Migration(migrations.Migration):
    dependencies = [("testimonies", "0006_takedown_requests")]

    operations = [migrations.RunPython(drop_content, keep_content, elidable=False)]

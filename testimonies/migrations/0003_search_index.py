"""The search store: an FTS5 table on SQLite, a tsvector table with a GIN index on
PostgreSQL (see testimonies/search/backends/). Each database gets only its own.

Nothing is indexed here: the post_migrate receiver of testimonies.search indexes
every testimony still missing from the store once all migrations have run, with
the current models and analyzer.
"""

from django.db import migrations


def install(apps, schema_editor):
    from testimonies.search.backends import BACKENDS

    backend = BACKENDS.get(schema_editor.connection.vendor)
    if backend is not None:
        backend(schema_editor.connection).install()


def uninstall(apps, schema_editor):
    from testimonies.search.backends import BACKENDS

    backend = BACKENDS.get(schema_editor.connection.vendor)
    if backend is not None:
        backend(schema_editor.connection).uninstall()


class Migration(migrations.Migration):
    dependencies = [("testimonies", "0002_groups")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]

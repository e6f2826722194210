"""Japanese, Chinese and Korean are indexed by overlapping bigrams instead of
single characters, and the SQLite store keeps the body and the translations in one
column (docs/search.md): every stored row is out of date.

The store is made afresh here on both engines, empty: a migration must not load
testimonies through the current models, which may be ahead of this point. The
post_migrate receiver of testimonies.search indexes every testimony missing from
the store, with the current analyzer, once all migrations have run (as after 0003
and 0007); it waits for this migration. Going back drops the store, so that the
older code, which waits only for 0003, makes its own and fills it.
"""

from django.db import migrations


def _store(schema_editor):
    from testimonies.search.backends import BACKENDS

    backend = BACKENDS.get(schema_editor.connection.vendor)
    return backend(schema_editor.connection) if backend else None


def remake(apps, schema_editor):
    store = _store(schema_editor)
    if store is not None:
        store.uninstall()
        store.install()


def drop(apps, schema_editor):
    store = _store(schema_editor)
    if store is not None:
        store.uninstall()


class Migration(migrations.Migration):
    dependencies = [("testimonies", "0011_rate_counts")]

    operations = [migrations.RunPython(remake, drop, elidable=False)]

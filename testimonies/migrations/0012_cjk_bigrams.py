"""The analyzer indexes Japanese, Chinese and Korean by overlapping bigrams instead
of single characters (docs/search.md), so every stored row is out of date.

The store is emptied here on both engines, not rebuilt: a migration must not load
testimonies through the current models, which may be ahead of this point. The
post_migrate receiver of testimonies.search indexes every testimony missing from
the store, with the current analyzer, once all migrations have run (as after
0003 and 0007). Going back changes nothing here: run rebuild_search_index with
the older code.
"""

from django.db import migrations


def empty_store(apps, schema_editor):
    from testimonies.search.backends import BACKENDS

    backend = BACKENDS.get(schema_editor.connection.vendor)
    if backend is not None:
        store = backend(schema_editor.connection)
        if store.is_installed():
            store.clear()


class Migration(migrations.Migration):
    dependencies = [("testimonies", "0011_rate_counts")]

    operations = [
        migrations.RunPython(empty_store, migrations.RunPython.noop, elidable=False)
    ]

"""On PostgreSQL the store gains a second vector, ``head``: the title, summary and
names again, with a GIN index of its own, so that the first tier of a ranking is
found by the indexes rather than by reading every match's whole vector
(docs/search.md). Every stored row lacks it.

The PostgreSQL store is made afresh here, empty (SQLite's is unchanged); the
post_migrate receiver of testimonies.search then indexes every testimony missing
from it, with the current analyzer, once all migrations have run (as after 0012).
Going back drops the store, so that the older code makes its own and fills it.
"""

from django.db import migrations


def _store(schema_editor):
    from testimonies.search.backends import BACKENDS

    if schema_editor.connection.vendor != "postgresql":
        return None
    return BACKENDS["postgresql"](schema_editor.connection)


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
    dependencies = [("testimonies", "0012_cjk_bigrams")]

    operations = [migrations.RunPython(remake, drop, elidable=False)]

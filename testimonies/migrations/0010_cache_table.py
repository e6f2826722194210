"""The table of Django's database cache, which the rate limits count in.

``createcachetable`` would be one more setup step to forget; run from a migration,
every ``migrate`` (``make run``, ``make serve``, a deployment) creates it. It
creates only what CACHES names and skips tables that exist, so a site with a cache
server instead creates nothing.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("testimonies", "0009_text_limits")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]

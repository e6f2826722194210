"""Restoring a backup into an empty archive.

Everything is checked before anything is written: the whole bag against its
manifests, that it is one of our backups, of this database vendor, with no
migration this code does not know, and that the database (migrated, but without
testimonies or users) and MEDIA_ROOT are empty. Then the database is replaced by
the bag's copy (engines.py), ``migrate`` brings it up to this code's migrations
and repairs the search index (its post_migrate receiver, which indexes what is
missing and drops what is stale), and the media files are copied back.

A restore that fails after those checks leaves an archive that is no longer empty:
empty it (a new database, ``migrate``, an empty MEDIA_ROOT) before trying again.
"""

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext as _

from ..models import Testimony
from . import BackupError, bags, files
from .engines import engine_for


@dataclass
class Restored:
    info: bags.Info
    testimonies: int
    media_files: int


def restore_backup(path, *, using=DEFAULT_DB_ALIAS):
    """Check the bag at ``path`` and restore it into the empty archive."""
    bag = bags.open_valid(path)
    info = bags.read(bag)
    connection = connections[using]
    engine = engine_for(connection)
    if info.vendor != engine.vendor:
        raise BackupError(
            _(
                "This backup is of a %(found)s database; the archive runs on "
                "%(vendor)s. Restore it into a %(found)s database."
            )
            % {"found": info.vendor, "vendor": engine.vendor}
        )
    unknown = unknown_migrations(connection, info.migrations)
    if unknown:
        raise BackupError(
            _(
                "This backup was made by a newer version of the archive: this "
                "code does not know its migrations %(migrations)s. Upgrade first."
            )
            % {"migrations": ", ".join(unknown)}
        )
    database = bags.payload(bag, bags.DATABASE) / engine.filename
    if not database.is_file():
        raise BackupError(
            _("The bag holds no database copy (%(file)s).") % {"file": database}
        )
    check_empty_database(using)
    media_root = Path(settings.MEDIA_ROOT)
    if next(files.files_under(media_root), None) is not None:
        raise BackupError(
            _(
                "The media folder %(folder)s already holds files: a backup is "
                "only restored into an empty one."
            )
            % {"folder": media_root}
        )

    try:
        engine.restore(database)
    except (DatabaseError, sqlite3.Error) as error:
        raise BackupError(
            _("The database could not be restored: %(error)s") % {"error": error}
        ) from error
    # Cached rows and ids belong to the database that is gone.
    connection.close()
    ContentType.objects.clear_cache()
    call_command("migrate", database=using, interactive=False, verbosity=0)
    copied = files.copy_tree(bags.payload(bag, bags.MEDIA), media_root)
    return Restored(
        info=info,
        testimonies=Testimony.objects.using(using).count(),
        media_files=len(copied),
    )


def unknown_migrations(connection, migrations):
    """The bag's migrations that this code has no file for, as "app name"."""
    known = set(MigrationLoader(connection, ignore_no_migrations=True).disk_migrations)
    return [
        f"{app} {name}"
        for app, name in sorted(migrations.items())
        if (app, name) not in known
    ]


#: What ``migrate`` writes into a new database, and what may be thrown away:
#: these need not be empty for a restore to go ahead.
DISPOSABLE = {
    "contenttypes.contenttype",
    "auth.permission",
    "auth.group",
    "sessions.session",
    "testimonies.ratecount",
}


def check_empty_database(using):
    tables = connections[using].introspection.table_names()
    if Testimony._meta.db_table not in tables:
        raise BackupError(
            _(
                "The database has no archive tables yet: run “manage.py migrate”, "
                "then restore."
            )
        )
    holding = [
        f"{model._meta.label} ({count})"
        for model in apps.get_models()
        if model._meta.label_lower not in DISPOSABLE
        and model._meta.app_label != "axes"  # sign-in logs of this machine
        and (count := model._default_manager.using(using).count())
    ]
    if holding:
        raise BackupError(
            _(
                "The database is not empty (%(holding)s): a backup is only "
                "restored into an empty database, so that nothing is overwritten."
            )
            % {"holding": ", ".join(holding)}
        )

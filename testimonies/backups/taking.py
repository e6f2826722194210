"""Taking a backup: snapshot the database, copy the media, make the bag.

The bag is built in a hidden temporary folder beside ``dest`` and renamed to
``dest`` only once complete, so ``dest`` is either a whole bag or absent. The
temporary folder is private to its owner (mode 0700): bags hold narrators' details.

The database is snapshotted first, the media copied after: a photo uploaded in
between is copied without the database knowing it (harmless), and one deleted in
between is reported missing (:attr:`Taken.missing`), since its row is in the
snapshot.
"""

import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.utils import timezone
from django.utils.translation import gettext as _

from . import BackupError, bags, files
from .engines import engine_for


@dataclass
class Taken:
    path: Path
    info: bags.Info
    missing: list = field(default_factory=list)  # media the database names, not found


def take_backup(dest, *, using=DEFAULT_DB_ALIAS):
    """Write a bag of the database ``using`` and of MEDIA_ROOT to ``dest``."""
    dest = Path(dest).absolute()
    if dest.exists() or dest.is_symlink():
        raise BackupError(
            _("%(path)s already exists: a backup is only written to a new path.")
            % {"path": dest}
        )
    if not dest.parent.is_dir():
        raise BackupError(
            _("The folder %(folder)s does not exist.") % {"folder": dest.parent}
        )
    media_root = Path(settings.MEDIA_ROOT).resolve()
    if dest.resolve().is_relative_to(media_root):
        raise BackupError(
            _(
                "%(path)s is inside the media folder: the backup would copy "
                "itself. Write it elsewhere."
            )
            % {"path": dest}
        )
    engine = engine_for(connections[using])
    try:
        building = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    except OSError as error:
        raise BackupError(
            _("Cannot write in %(folder)s: %(error)s")
            % {"folder": dest.parent, "error": error.strerror or error}
        ) from error
    try:
        try:
            taken = _build(building, engine)
        except (DatabaseError, sqlite3.Error) as error:
            raise BackupError(
                _("The database could not be read: %(error)s") % {"error": error}
            ) from error
        if dest.exists():
            raise BackupError(
                _("%(path)s appeared while the backup ran; it was left alone.")
                % {"path": dest}
            )
        building.rename(dest)
    except OSError as error:
        shutil.rmtree(building, ignore_errors=True)
        raise BackupError(
            _("The backup failed: %(error)s") % {"error": error}
        ) from error
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    taken.path = dest
    return taken


def _build(folder, engine):
    taken_at = timezone.now().isoformat(timespec="seconds")
    database = folder / bags.DATABASE
    database.mkdir()
    facts = engine.snapshot(database / engine.filename)
    media = folder / bags.MEDIA
    media.mkdir()
    copied = files.copy_tree(settings.MEDIA_ROOT, media)
    info = bags.Info(
        vendor=engine.vendor,
        migrations=facts.migrations,
        testimonies=facts.testimonies,
        media_files=len(copied),
        taken_at=taken_at,
    )
    bags.make(folder, info)
    present = {relative.as_posix() for relative in copied}
    missing = sorted(facts.media_names - present)
    return Taken(path=folder, info=info, missing=missing)

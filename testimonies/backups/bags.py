"""The bag: its layout, what bag-info.txt says, and how a bag is checked.

bag-info.txt carries our marker (``Archive-Software``) and format version: a bag
without them was not made by ``manage.py backup``, and is refused by restore
however valid it is as a bag. Fields are repeated where a value is a list (one
``Archive-Migration`` line per app), as BagIt allows.
"""

from dataclasses import dataclass
from pathlib import Path

import bagit
from django.utils.translation import gettext as _

from . import BackupError

SOFTWARE = "Testimony Archive"
FORMAT = "1"
CHECKSUMS = ["sha256"]
DATABASE = "database"
MEDIA = "media"
DESCRIPTION = (
    "Backup of a Testimony Archive: a snapshot of its database and every media "
    "file. It holds narrators' private details and unredacted texts: keep it "
    "encrypted and restricted."
)


@dataclass
class Info:
    """What bag-info.txt says about the backup."""

    vendor: str
    migrations: dict  # app label: name of its latest applied migration
    testimonies: int
    media_files: int
    taken_at: str


def make(folder, info):
    """Turn ``folder`` (its ``database/`` and ``media/``) into a bag, in place."""
    fields = {
        "Archive-Software": SOFTWARE,
        "Archive-Backup-Format": FORMAT,
        "Archive-Database-Vendor": info.vendor,
        "Archive-Migration": [
            f"{app} {name}" for app, name in sorted(info.migrations.items())
        ],
        "Archive-Testimonies": str(info.testimonies),
        "Archive-Media-Files": str(info.media_files),
        "Archive-Backup-Taken": info.taken_at,
        "External-Description": DESCRIPTION,
    }
    try:
        return bagit.make_bag(str(folder), fields, processes=1, checksums=CHECKSUMS)
    except bagit.BagError as error:
        raise BackupError(
            _("The bag could not be made: %(error)s") % {"error": error}
        ) from None


def open_valid(path):
    """The bag at ``path`` after checking every file against its manifests.

    Refused (BackupError): a path that is not a folder, a folder that is not a
    bag, a bag with a missing, extra or changed file.
    """
    path = Path(path)
    if not path.is_dir():
        raise BackupError(_("%(path)s is not a folder.") % {"path": path})
    try:
        bag = bagit.Bag(str(path))
    except bagit.BagError as error:
        raise BackupError(
            _("%(path)s is not a BagIt bag: %(error)s") % {"path": path, "error": error}
        ) from None
    try:
        bag.validate(processes=1)
    except bagit.BagValidationError as error:
        raise BackupError(
            _("The bag %(path)s failed validation: %(problems)s")
            % {"path": path, "problems": "; ".join(problems(error))}
        ) from None
    except bagit.BagError as error:
        raise BackupError(
            _("The bag %(path)s failed validation: %(problems)s")
            % {"path": path, "problems": error}
        ) from None
    return bag


def problems(error):
    """What a failed validation found, file by file, in words for a person."""
    found = []
    for detail in error.details or []:
        values = {
            "path": detail.path,
            "expected": getattr(detail, "expected", ""),
            "found": getattr(detail, "found", ""),
        }
        if isinstance(detail, bagit.ChecksumMismatch):
            found.append(
                _(
                    "%(path)s has changed (SHA-256 expected %(expected)s, "
                    "found %(found)s)"
                )
                % values
            )
        elif isinstance(detail, bagit.FileMissing):
            found.append(_("%(path)s is listed but missing") % values)
        elif isinstance(detail, bagit.UnexpectedFile):
            found.append(_("%(path)s is not in the manifest") % values)
        else:
            found.append(str(detail))
    return found or [error.message]


def read(bag):
    """The Info of a bag made by ``manage.py backup``; BackupError for another kind."""
    fields = bag.info
    if fields.get("Archive-Software") != SOFTWARE:
        raise BackupError(
            _(
                "%(path)s is a bag, but not a backup of this archive (its "
                "bag-info.txt has no “Archive-Software: %(software)s”)."
            )
            % {"path": bag.path, "software": SOFTWARE}
        )
    if fields.get("Archive-Backup-Format") != FORMAT:
        raise BackupError(
            _(
                "%(path)s is in backup format %(found)s; this version of the "
                "archive reads format %(format)s."
            )
            % {
                "path": bag.path,
                "found": fields.get("Archive-Backup-Format", "?"),
                "format": FORMAT,
            }
        )
    lines = fields.get("Archive-Migration", [])
    lines = [lines] if isinstance(lines, str) else lines
    try:
        migrations = dict(line.split(" ", 1) for line in lines)
        return Info(
            vendor=fields["Archive-Database-Vendor"],
            migrations=migrations,
            testimonies=int(fields["Archive-Testimonies"]),
            media_files=int(fields["Archive-Media-Files"]),
            taken_at=fields.get("Archive-Backup-Taken", ""),
        )
    except (KeyError, ValueError) as error:
        raise BackupError(
            _("The bag-info.txt of %(path)s is incomplete or garbled (%(error)s).")
            % {"path": bag.path, "error": error}
        ) from None


def payload(bag, part):
    """A folder inside the bag's payload: ``database`` or ``media``."""
    return Path(bag.path) / "data" / part

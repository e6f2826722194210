"""Backups of the whole archive as BagIt bags, and their restore (docs/operations.md).

A backup is a bag (RFC 8493, written and checked by the ``bagit`` library) holding a
consistent snapshot of the database, taken while the site keeps serving and
writing, and a copy of every media file, each listed with its SHA-256:

    bag-info.txt              what made the bag: our marker, format, vendor,
                              migrations, date, counts (bags.py)
    data/database/archive.sqlite3   or  data/database/archive.dump (pg_dump -Fc)
    data/media/…              photos, documents, thumbnails, as under MEDIA_ROOT

:mod:`.engines` holds what differs per database (one class per vendor, chosen once),
:mod:`.taking` writes a bag, :mod:`.restoring` checks one and loads it into an
empty archive.
"""


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why, for a person."""

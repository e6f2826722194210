"""``manage.py backup DEST``: the database and every media file as a BagIt bag,
taken while the site keeps running (testimonies.backups, docs/operations.md)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from testimonies.backups import BackupError
from testimonies.backups.taking import take_backup


class Command(BaseCommand):
    help = (
        "Back up the database (a consistent snapshot, taken while the site runs) "
        "and every media file to DEST, a new BagIt bag with SHA-256 manifests."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "dest", help="The bag to write: a path that does not exist."
        )

    def handle(self, *args, dest, verbosity, **options):
        try:
            taken = take_backup(dest)
        except BackupError as error:
            raise CommandError(str(error)) from None
        if taken.missing:
            self.stderr.write(
                _(
                    "%(count)s media files the database refers to were not found "
                    "(deleted while the backup ran, or lost: run check_fixity): "
                    "%(files)s"
                )
                % {"count": len(taken.missing), "files": ", ".join(taken.missing)},
                style_func=self.style.WARNING,
            )
        if verbosity >= 1:
            self.stdout.write(
                _(
                    "Backup written to %(path)s: %(testimonies)s testimonies, "
                    "%(media)s media files. It holds narrators' private details: "
                    "keep it encrypted."
                )
                % {
                    "path": taken.path,
                    "testimonies": taken.info.testimonies,
                    "media": taken.info.media_files,
                },
                self.style.SUCCESS,
            )

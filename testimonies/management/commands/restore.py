"""``manage.py restore BAG``: check a bag made by ``backup`` and restore it into an
empty archive (testimonies.backups.restoring, docs/operations.md)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from testimonies.backups import BackupError
from testimonies.backups.restoring import restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by the backup command into an empty, migrated "
        "database and an empty media folder, after checking every file of the bag."
    )

    def add_arguments(self, parser):
        parser.add_argument("bag", help="The bag folder written by manage.py backup.")

    def handle(self, *args, bag, verbosity, **options):
        try:
            restored = restore_backup(bag)
        except BackupError as error:
            raise CommandError(str(error)) from None
        if verbosity >= 1:
            self.stdout.write(
                _(
                    "Restored the backup of %(date)s: %(testimonies)s testimonies, "
                    "%(media)s media files."
                )
                % {
                    "date": restored.info.taken_at,
                    "testimonies": restored.testimonies,
                    "media": restored.media_files,
                },
                self.style.SUCCESS,
            )

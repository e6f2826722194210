import time

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS

from testimonies.search import index


class Command(BaseCommand):
    help = (
        "Rebuild the full-text search index of every testimony, in one "
        "transaction (searches keep using the old index until it commits)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help="The database to rebuild the index of (default: %(default)s).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=index.BATCH_SIZE,
            help="Testimonies indexed per batch (default: %(default)s).",
        )

    def handle(self, *args, database, batch_size, verbosity, **options):
        started = time.monotonic()

        def progress(done, total):
            if verbosity >= 1:
                self.stdout.write(
                    f"Indexed {done:,} of {total:,} testimonies "
                    f"({done * 100 // total}%)."
                )

        total = index.rebuild(
            using=database, batch_size=max(1, batch_size), progress=progress
        )
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Search index rebuilt: {total:,} testimonies in {elapsed:.1f} s."
            )
        )

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils.translation import gettext as _

from testimonies import public_copy
from testimonies.models import Testimony

# Shipped inside the app, so it travels with the code wherever it is installed.
DEMO_COLLECTION = Path(__file__).resolve().parents[2] / "demo" / "collection.jsonl"


class Command(BaseCommand):
    @property
    def help(self):
        # argparse cannot format a lazy string, so translate when the parser is built.
        return _(
            "Load the demo collection: fictional composite testimonies in Japanese, "
            "Russian, Ukrainian and English, marked as sample data. Loading it "
            "again updates the same testimonies instead of adding copies."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=(
                "Do nothing when the archive already holds any testimony "
                "(used by `make run` on every start)."
            ),
        )

    def handle(self, *args, if_empty, verbosity, **options):
        if if_empty:
            existing = Testimony.objects.count()
            if existing:
                if verbosity >= 1:
                    self.stdout.write(
                        _(
                            "The archive already holds %(count)s testimonies; "
                            "the demo collection was not loaded."
                        )
                        % {"count": existing}
                    )
                return
        if not DEMO_COLLECTION.is_file():
            raise CommandError(
                _("The demo collection is missing: %(path)s")
                % {"path": DEMO_COLLECTION}
            )
        # The normal import path, so the demo exercises (and proves) the same
        # validation, tagging and search indexing as any archivist's file.
        call_command(
            "import_testimonies",
            str(DEMO_COLLECTION),
            verbosity=verbosity,
            stdout=self.stdout,
            stderr=self.stderr,
        )
        # A demo recording with a redacted range plays from the first visit,
        # worker or not: its silenced copy is made here (a second of work).
        public_copy.refresh_pending()
        if verbosity >= 1:
            self.stdout.write(self.summary(), self.style.SUCCESS)

    def summary(self):
        samples = Testimony.objects.filter(is_sample=True)
        languages = ", ".join(
            f"{row['language']} {row['count']}"
            for row in samples.values("language")
            .annotate(count=Count("pk"))
            .order_by("language")
        )
        return _(
            "Demo collection loaded: %(total)s sample testimonies (%(languages)s), "
            "%(public)s of them published for everyone. Every one is a fictional "
            "composite, not a real person's testimony."
        ) % {
            "total": samples.count(),
            "languages": languages,
            "public": samples.visible_to(None).count(),
        }

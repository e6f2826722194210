"""``manage.py check_fixity``: read every stored photo and document again and compare
it with the checksum taken when it was stored (docs/operations.md, "Fixity")."""

from django.core.management.base import BaseCommand, CommandError

from testimonies import fixity


class Command(BaseCommand):
    help = (
        "Check every stored photo and document against the SHA-256 taken when it "
        "was stored; list each missing or altered file and exit non-zero if any. "
        "Each run is recorded for the admin. With -v0, silent when all is well."
    )

    def handle(self, *args, verbosity, **options):
        check = fixity.check_fixity()
        for item in check.damage:
            self.stdout.write(str(item), self.style.ERROR)
        if not check.ok:
            # A non-zero exit is what a timer or monitoring notices.
            raise CommandError(fixity.summary(check))
        # -v0 for timers that mail any output: silence when all is well.
        if verbosity >= 1:
            self.stdout.write(fixity.summary(check), self.style.SUCCESS)

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from testimonies import public_copy
from testimonies.models.recording import spans_display


class Command(BaseCommand):
    @property
    def help(self):
        return _(
            "Make now, in this process, every copy of a recording with redacted "
            "ranges that the worker has not made yet (or that failed): after the "
            "worker was stopped, or a restore. Until its copy is made, such a "
            "recording is played to nobody."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--list",
            action="store_true",
            dest="only_list",
            help="Only list the recordings whose copy is not current.",
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help=(
                "Queue them for the worker instead of making them here (make run "
                "and make serve do, before they start it)."
            ),
        )

    def handle(self, *args, only_list, enqueue, verbosity, **options):
        if enqueue:
            waiting = public_copy.pending()
            for recording in waiting:
                public_copy.make_public_copy.enqueue(recording.pk)
            if verbosity >= 1:
                self.stdout.write(
                    _("%(count)s copies queued for the worker.")
                    % {"count": len(waiting)}
                )
            return
        if only_list:
            waiting = public_copy.pending()
            for recording in waiting:
                self.stdout.write(self.describe(recording))
            self.stdout.write(
                _("%(count)s recordings wait for their copy.") % {"count": len(waiting)}
            )
            return
        done = public_copy.refresh_pending(
            lambda recording, outcome: (
                verbosity >= 1
                and self.stdout.write(f"{self.describe(recording)}: {outcome}")
            )
        )
        failed = sum(outcome == "failed" for outcome in done.values())
        self.stdout.write(
            _("%(count)s copies made, %(failed)s failed.")
            % {"count": len(done) - failed, "failed": failed}
        )
        if failed:
            raise SystemExit(1)

    @staticmethod
    def describe(recording):
        ranges = spans_display(recording.silences())
        return f"{recording.testimony.identifier} #{recording.pk} [{ranges}]"

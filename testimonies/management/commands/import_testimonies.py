import signal
import sys
import threading
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from testimonies.importing import ImportFailed, import_testimonies


class Command(BaseCommand):
    help = (
        "Import testimonies from a JSON Lines, CSV or XLSX file, told apart by "
        "content (docs/import-format.md). The whole file is checked first; on any "
        "problem nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="The .jsonl, .csv or .xlsx file to import, or - for stdin."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and report what it would do; write nothing.",
        )

    def handle(self, *args, file, dry_run, verbosity, **options):
        progress = self.progress if verbosity >= 1 else None
        try:
            stream = sys.stdin.buffer if file == "-" else open(file, "rb")  # noqa: SIM115
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s")
                % {"file": file, "error": error.strerror or error}
            ) from error
        # `timeout`, `kill` and service managers stop with SIGTERM: end as an
        # error would, so the import's clean-up runs (no stored file, no copy of
        # a recording left in the temporary folder) and nothing is half written.
        stopping = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, _stop) if stopping else None
        try:
            with stream:
                result = import_testimonies(
                    stream,
                    dry_run=dry_run,
                    progress=progress,
                    # Recordings name their files relative to the JSON Lines file.
                    folder=None if file == "-" else Path(file).resolve().parent,
                    name=file,
                )
        except ImportFailed as failure:
            raise CommandError(f"{file}: {failure.report()}") from None
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error}
            ) from error
        finally:
            if stopping:
                signal.signal(signal.SIGTERM, previous)
        if verbosity >= 1:
            self.stdout.write(self.summary(result), self.style.SUCCESS)

    def progress(self, message):
        self.stderr.write(message, style_func=str)

    def summary(self, result):
        counts = {
            "created": result.created,
            "updated": result.updated,
            "themes": result.themes_created,
            "places": result.places_created,
            "narrators": result.narrators_created,
            "sources": result.sources_created,
        }
        if result.dry_run:
            message = _(
                "Dry run, nothing was written. Testimonies to create: %(created)s, "
                "to update: %(updated)s. New themes: %(themes)s, places: %(places)s, "
                "narrators: %(narrators)s, sources: %(sources)s."
            )
        else:
            message = _(
                "Testimonies created: %(created)s, updated: %(updated)s. New themes: "
                "%(themes)s, places: %(places)s, narrators: %(narrators)s, sources: "
                "%(sources)s."
            )
        lines = [message % counts]
        # Name what is (or would be) created and what was matched, so that a
        # misspelt place is seen before it becomes a second one.
        for label, names in [
            (_("New themes"), result.new_themes),
            (_("New places"), result.new_places),
        ]:
            if names:
                lines.append(f"{label}: {', '.join(names[:50])}")
                if len(names) > 50:
                    lines[-1] += " " + _("…and %(more)s more.") % {
                        "more": len(names) - 50
                    }
        if result.matched:
            found = ", ".join(
                f"{given} → {name}" for given, name in result.matched[:50]
            )
            lines.append(
                _("Found by a name in another language: %(found)s") % {"found": found}
            )
        for kind in ("themes", "places"):
            for item in result.suggestions.get(kind, [])[:50]:
                like = ", ".join(
                    f"“{candidate['name']}”" for candidate in item["candidates"]
                )
                lines.append(
                    _("“%(name)s” would be new, but looks like %(like)s")
                    % {"name": item["name"], "like": like}
                )
        return "\n".join(lines)


def _stop(signum, frame):
    raise SystemExit(128 + signum)

import functools
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from testimonies.exporting import export_table, export_testimonies
from testimonies.exporting_media import MediaFolder


class Command(BaseCommand):
    help = (
        "Export every testimony as JSON Lines or CSV (docs/import-format.md), "
        "ordered by identifier, to standard output or --output. With --public, "
        "only what anonymous visitors may read, redacted."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            metavar="FILE",
            help="Write to FILE instead of standard output.",
        )
        parser.add_argument(
            "--format",
            choices=["jsonl", "csv"],
            help=(
                "jsonl (the default) or csv, the spreadsheet layout; an --output "
                "ending in .csv means csv."
            ),
        )
        parser.add_argument(
            "--media",
            metavar="DIR",
            help=(
                "Write each recording and its transcripts into DIR (inside the "
                "output file's folder) and list them on their lines, so that "
                "importing the export brings them back."
            ),
        )
        parser.add_argument(
            "--include-private",
            action="store_true",
            help="Include narrators' real names, contacts and private notes.",
        )

        parser.add_argument(
            "--public",
            action="store_true",
            help=(
                "Export only published public testimonies, with redacted passages "
                "replaced by a mark and without narrator codes or consent dates."
            ),
        )

    def handle(
        self,
        *args,
        output,
        include_private,
        public,
        media,
        verbosity,
        format=None,
        **options,
    ):
        if format is None:
            format = "csv" if output and output.lower().endswith(".csv") else "jsonl"
        if format == "csv" and media:
            raise CommandError(
                _(
                    "--media needs JSON Lines: a spreadsheet's rows cannot list "
                    "recordings."
                )
            )
        if public and include_private:
            raise CommandError(
                _(
                    "--public and --include-private exclude each other: a public "
                    "export never holds private fields."
                )
            )
        folder = None
        if media:
            base = Path(output).resolve().parent if output else Path.cwd()
            try:
                folder = MediaFolder(media, base)
            except (ValueError, OSError) as error:
                raise CommandError(str(error)) from error
        if format == "csv":
            export = functools.partial(
                export_table, include_private=include_private, public=public
            )
        else:
            export = functools.partial(
                export_testimonies,
                include_private=include_private,
                public=public,
                media=folder,
            )
        newline = "" if format == "csv" else "\n"
        if output:
            try:
                with open(output, "w", encoding="utf-8", newline=newline) as stream:
                    count = export(stream)
            except OSError as error:
                raise CommandError(
                    _("Cannot write %(file)s: %(error)s")
                    % {"file": output, "error": error.strerror or error}
                ) from error
        else:
            try:
                count = export(self.stdout)
            except BrokenPipeError:
                # The reader went away (`| head`): not an error worth a traceback.
                return
        # Messages go to stderr: stdout may be the export itself.
        if verbosity >= 1:
            self.stderr.write(
                _("Exported %(count)s testimonies.") % {"count": count},
                style_func=str,
            )
            if include_private:
                self.stderr.write(
                    _(
                        "The export holds narrators' real names and contacts: "
                        "keep it as safe as the database."
                    ),
                    style_func=self.style.WARNING,
                )

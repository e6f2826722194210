"""What went wrong where in an import file, and the exception that carries it."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext


class _Absent:
    """A key the line does not carry: the stored value stays as it is."""

    def __repr__(self):
        return "ABSENT"

    def __bool__(self):
        return False


ABSENT = _Absent()


@dataclass(frozen=True)
class Problem:
    line: int
    field: str
    message: str

    def __str__(self):
        if not self.line:  # the file as a whole (a bundle's layout)
            return f"{self.field}: {self.message}" if self.field else self.message
        where = _("line %(line)s") % {"line": self.line}
        if self.field:
            return f"{where}: {self.field}: {self.message}"
        return f"{where}: {self.message}"


class ImportFailed(Exception):
    """The file has problems; nothing was written. ``problems`` lists them all."""

    def __init__(self, problems):
        # Sorting is stable: problems of one line keep the order they were found in.
        self.problems = sorted(problems, key=lambda problem: problem.line)
        super().__init__(self.report())

    def report(self, limit=200):
        count = len(self.problems)
        lines = [
            ngettext(
                "Found %(count)s problem; nothing was imported.",
                "Found %(count)s problems; nothing was imported.",
                count,
            )
            % {"count": count}
        ]
        lines.extend(str(problem) for problem in self.problems[:limit])
        if count > limit:
            lines.append(_("…and %(more)s more.") % {"more": count - limit})
        return "\n".join(lines)


class ImportRefused(ImportFailed):
    """Nothing was written, for a reason that lies in the database rather than in
    the file's lines: the same file can be sent again. ``reason`` says why."""

    reason = ""

    def __init__(self):
        super().__init__([])

    def report(self, limit=200):
        return str(self.reason)


class ImportBusy(ImportRefused):
    """Another import (or a long change) held the database longer than the busy
    timeout allows."""

    reason = gettext_lazy(
        "The archive is busy writing another import or a large change, so "
        "nothing was imported. Run the import again when it has finished."
    )


class ImportConflict(ImportRefused):
    """Someone else wrote a conflicting row while the import ran."""

    reason = gettext_lazy(
        "Someone saved a conflicting change (the same new theme, place or "
        "identifier) while the import was being written, so nothing was "
        "imported. Run the import again: it will use what is there now."
    )

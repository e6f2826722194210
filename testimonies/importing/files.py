"""Which kind of file an import is: JSON Lines, CSV, XLSX or a ZIP bundle of one
of them with its media, told by its content (the name only breaks a tie), and
the reader for it. Every reader yields
``(line, value, has escapes)`` and appends a :class:`~.problems.Problem` for what
it cannot read, so the rest of the import never knows which kind it was.
"""

import contextlib
import io
import shutil
import tempfile
import zipfile

from django.utils.translation import gettext as _

from .bundles import is_workbook, refuse, unpacked
from .reading import read_lines
from .tables import read_csv, read_xlsx

JSON_LINES, CSV, XLSX = "jsonl", "csv", "xlsx"
KINDS = (JSON_LINES, CSV, XLSX)
ZIP_MAGIC = b"PK\x03\x04"
BOM = b"\xef\xbb\xbf"


def kind_of(head, name=""):
    """The kind of a file that starts with the bytes ``head`` (and is called
    ``name``, which decides only for an empty file)."""
    if head.startswith(ZIP_MAGIC):
        return XLSX
    text = head[len(BOM) :] if head.startswith(BOM) else head
    first = text.lstrip()[:1]
    if first in (b"{", b"["):
        return JSON_LINES
    if not first:
        return CSV if name.endswith(".csv") else JSON_LINES
    return CSV


@contextlib.contextmanager
def opened(stream, folder=None, name=""):
    """``(stream, folder, name)`` of the file to read: these, or for a ZIP
    bundle its data file, unpacked with its media into a temporary folder that
    is removed on leaving."""
    stream, head = _peekable(stream)
    if not head.startswith(ZIP_MAGIC):
        yield stream, folder, name
        return
    stream = _seekable(stream)
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        refuse(
            _(
                "the file starts as a ZIP (an XLSX workbook or a bundle) but cannot "
                "be read as one: %(error)s"
            )
            % {"error": error}
        )
    with archive:
        if is_workbook(archive):
            stream.seek(0)
            yield stream, folder, name
            return
        with unpacked(archive) as path, path.open("rb") as data:
            yield data, path.parent, path.name


def read_records(stream, problems, progress=None, name=""):
    """The records of the binary ``stream``, whatever its kind."""
    stream, head = _peekable(stream)
    kind = kind_of(head, name.lower())
    if kind == XLSX:
        yield from read_xlsx(_seekable(stream), problems, progress)
    elif kind == CSV:
        yield from read_csv(stream, problems, progress)
    else:
        yield from read_lines(stream, problems, progress)


def _peekable(stream, size=4096):
    if hasattr(stream, "seek") and _seekable_stream(stream):
        position = stream.tell()
        head = stream.read(size)
        stream.seek(position)
        return stream, head
    buffered = stream if hasattr(stream, "peek") else io.BufferedReader(stream)
    return buffered, buffered.peek(size)[:size]


def _seekable_stream(stream):
    try:
        return stream.seekable()
    except (AttributeError, ValueError):
        return False


def _seekable(stream):
    """A workbook is read by its end first: standard input is copied aside."""
    if _seekable_stream(stream):
        return stream
    copy = tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024)  # noqa: SIM115
    shutil.copyfileobj(stream, copy)
    copy.seek(0)
    return copy


__all__ = ["CSV", "JSON_LINES", "KINDS", "XLSX", "kind_of", "opened", "read_records"]

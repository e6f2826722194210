"""Reading spreadsheets: CSV and XLSX rows → the records JSON Lines would give.

The layout is :mod:`testimonies.tabular`'s: a header row of column names, one
testimony per row. Lines starting with ``#`` before the header are comments (a
download's preamble). A row's number is its line in the file (CSV: the line it
starts on; XLSX: its row in the sheet), so problems point where the archivist
looks. Cells are text: an XLSX formula is read as the value the spreadsheet last
saved for it, never evaluated, and never as the formula.
"""

import codecs
import csv
import datetime
import itertools

from django.utils.translation import gettext as _

from .. import tabular
from .problems import Problem
from .reading import PROGRESS_EVERY

# A cell may hold a whole testimony: far beyond csv's default of 128 KB.
csv.field_size_limit(64 * 1024 * 1024)
DELIMITERS = (",", ";")


def read_csv(stream, problems, progress=None):
    """Yield ``(line, record, False)`` for each row of the binary CSV ``stream``:
    UTF-8 with or without a byte-order mark, comma or semicolon as Excel writes
    them (the header's own says which)."""
    lines = _numbered_lines(stream, problems)
    for number, line in lines:
        if line.startswith("#") or not line.strip():
            continue
        delimiter = max(DELIMITERS, key=line.count)
        remaining = itertools.chain([line], (line for _n, line in lines))
        reader = csv.reader(remaining, delimiter=delimiter, strict=True)
        yield from _rows(reader, number - 1, problems, progress)
        return
    if not problems:
        problems.append(Problem(1, "", _("the file has no header row")))


def _numbered_lines(stream, problems):
    """Each line, decoded on its own: a byte that is not UTF-8 is reported on
    its line, and the file is read no further (a row may span lines)."""
    for number, raw in enumerate(stream, 1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            yield number, raw.decode("utf-8")
        except UnicodeDecodeError as error:
            message = _("not valid UTF-8 (byte %(byte)s): the file is read no further")
            problems.append(Problem(number, "", message % {"byte": error.start + 1}))
            return


def _rows(reader, offset, problems, progress):
    header_line = offset + 1
    try:
        header = next(reader)
    except csv.Error as error:
        problems.append(
            Problem(header_line, "", _("unreadable CSV: %(error)s") % {"error": error})
        )
        return
    header = [name.strip() for name in header]
    if not _header_ok(header, header_line, problems):
        return
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            problems.append(
                Problem(
                    offset + start,
                    "",
                    _("unreadable CSV: %(error)s") % {"error": error},
                )
            )
            return
        line = offset + start
        start = reader.line_num + 1
        record = _record(header, row, line, problems)
        if record is not None:
            if progress and line % PROGRESS_EVERY == 0:
                progress(_("Read %(count)s lines…") % {"count": f"{line:,}"})
            yield line, record, False


def _header_ok(header, line, problems):
    ok = True
    for column in header:
        unknown = tabular.unknown_column(column)
        if unknown:
            message = _("“%(column)s” is not a column of the layout") % {
                "column": unknown[:100]
            }
            problems.append(Problem(line, "", message))
            ok = False
    for column in sorted({c for c in header if header.count(c) > 1}):
        message = _("the column “%(column)s” appears twice") % {"column": column}
        problems.append(Problem(line, "", message))
        ok = False
    return ok


def _record(header, cells, line, problems):
    if not any(cell.strip() for cell in cells):
        return None
    if len(cells) != len(header):
        message = _("the row has %(cells)s cells, the header %(columns)s") % {
            "cells": len(cells),
            "columns": len(header),
        }
        problems.append(Problem(line, "", message))
        return None
    if any("\x00" in cell for cell in cells):
        problems.append(Problem(line, "", _("a cell holds a NUL character")))
        return None
    return tabular.unflatten(dict(zip(header, cells, strict=True)))


def read_xlsx(stream, problems, progress=None):
    """Yield ``(row, record, False)`` for each row of the first sheet of the
    XLSX ``stream`` (a seekable binary file)."""
    from openpyxl import load_workbook

    try:
        # data_only: a formula's saved value, never the formula, never evaluated.
        book = load_workbook(stream, read_only=True, data_only=True)
        try:
            if not book.worksheets:
                problems.append(Problem(1, "", _("the workbook has no sheet")))
                return
            rows = book.worksheets[0].iter_rows(values_only=True)
            yield from _sheet_rows(rows, problems, progress)
        finally:
            book.close()
    except Exception as error:  # noqa: BLE001
        # A workbook is a ZIP of XML parts that openpyxl parses; a damaged or
        # hostile one fails in many ways (missing parts, bad XML, wrong types).
        # Whatever it is, the file cannot be read: say so, never a traceback.
        message = _("not a readable XLSX workbook (%(error)s)") % {
            "error": f"{type(error).__name__}: {error}"[:300]
        }
        problems.append(Problem(1, "", message))


def _sheet_rows(rows, problems, progress):
    header = None
    for number, values in enumerate(rows, 1):
        cells = [xlsx_text(value) for value in values]
        if header is None:
            first = cells[0] if cells else ""
            if first.startswith("#") or not any(cells):
                continue
            while cells and not cells[-1]:
                cells.pop()
            header = [cell.strip() for cell in cells]
            if not _header_ok(header, number, problems):
                return
            continue
        if len(cells) > len(header) and any(cells[len(header) :]):
            message = _("the row has cells beyond the header's last column")
            problems.append(Problem(number, "", message))
            continue
        cells = (cells + [""] * len(header))[: len(header)]
        record = _record(header, cells, number, problems)
        if record is not None:
            if progress and number % PROGRESS_EVERY == 0:
                progress(_("Read %(count)s lines…") % {"count": f"{number:,}"})
            yield number, record, False
    if header is None:
        problems.append(Problem(1, "", _("the file has no header row")))


def xlsx_text(value):
    """A cell's value as the text a CSV cell would hold."""
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)

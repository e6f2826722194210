"""ZIP bundles: one JSON Lines, CSV or XLSX file and the media files it names,
unpacked into a temporary folder the import reads them from, and removed after.

What a bundle may hold is checked before a byte is written to disk: names inside
the bundle only (no absolute path, no ``..``, no link), at most
``TESTIMONY_MAX_BUNDLE_FILES`` files and ``TESTIMONY_MAX_BUNDLE_BYTES`` once
unpacked — counted as written, not as the bundle claims, so a ZIP bomb stops at
the limit. macOS's ``__MACOSX/`` and ``.DS_Store`` are skipped.
"""

import contextlib
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.utils.translation import gettext as _

from .problems import ImportFailed, Problem

DATA_SUFFIXES = (".jsonl", ".csv", ".xlsx")
SKIPPED = ("__MACOSX/", ".DS_Store")
CHUNK = 1024 * 1024


def is_workbook(archive):
    names = set(archive.namelist())
    return "[Content_Types].xml" in names and "xl/workbook.xml" in names


@contextlib.contextmanager
def unpacked(archive):
    """Unpack the bundle ``archive`` (an open :class:`zipfile.ZipFile`); yield
    the path of its data file, in the folder its media files are in. Raises
    :class:`~.problems.ImportFailed` with what is wrong with the bundle."""
    entries = checked_entries(archive)
    data = data_file(entries)
    # Where uploads are kept while they are checked (FILE_UPLOAD_TEMP_DIR).
    temporary = getattr(settings, "FILE_UPLOAD_TEMP_DIR", None)
    folder = Path(tempfile.mkdtemp(prefix="testimony-bundle-", dir=temporary))
    try:
        limit = getattr(settings, "TESTIMONY_MAX_BUNDLE_BYTES", 8 * 1024**3)
        written = 0
        for info, name in entries:
            target = folder.joinpath(*name.parts)
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as source, target.open("wb") as copy:
                while chunk := source.read(CHUNK):
                    written += len(chunk)
                    if written > limit:
                        refuse(
                            _("the bundle unpacks to more than %(limit)s bytes")
                            % {"limit": f"{limit:,}"}
                        )
                    copy.write(chunk)
        yield folder.joinpath(*data.parts)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError) as error:
        refuse(_("the ZIP file cannot be read (%(error)s)") % {"error": error})
    except RuntimeError as error:  # an encrypted entry
        refuse(_("the ZIP file cannot be read (%(error)s)") % {"error": error})
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def checked_entries(archive):
    """``(ZipInfo, relative path)`` of every entry to unpack, or refuse."""
    limit = getattr(settings, "TESTIMONY_MAX_BUNDLE_FILES", 20_000)
    infos = archive.infolist()
    if len(infos) > limit:
        refuse(
            _("the bundle holds %(count)s files, more than %(limit)s")
            % {"count": f"{len(infos):,}", "limit": f"{limit:,}"}
        )
    entries, problems = [], []
    for info in infos:
        raw = info.filename
        if raw.startswith(SKIPPED[0]) or PurePosixPath(raw).name == SKIPPED[1]:
            continue
        name = PurePosixPath(raw.replace("\\", "/"))
        unsafe = (
            name.is_absolute()
            or ".." in name.parts
            or (name.parts and ":" in name.parts[0])
            or "\x00" in raw
        )
        if unsafe:
            problems.append(
                _("“%(name)s” points outside the bundle") % {"name": raw[:200]}
            )
            continue
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            problems.append(
                _("“%(name)s” is a symbolic link: a bundle holds files only")
                % {"name": raw[:200]}
            )
            continue
        if info.flag_bits & 0x1:
            problems.append(
                _("“%(name)s” is encrypted: bundles are not") % {"name": raw[:200]}
            )
            continue
        if name.parts:
            entries.append((info, name))
    if problems:
        raise ImportFailed([Problem(0, "", message) for message in problems])
    return entries


def data_file(entries):
    """The one JSON Lines, CSV or XLSX file at the top of the bundle (or of its
    one top folder, as zipping a folder gives)."""
    files = [name for info, name in entries if not info.is_dir()]
    tops = {name.parts[0] for name in files}
    depth = 2 if len(tops) == 1 and all(len(n.parts) > 1 for n in files) else 1
    candidates = [
        name
        for name in files
        if len(name.parts) == depth and name.suffix.lower() in DATA_SUFFIXES
    ]
    if len(candidates) != 1:
        found = ", ".join(str(name) for name in candidates[:5]) or _("none")
        refuse(
            _(
                "a bundle holds one .jsonl, .csv or .xlsx file beside the media "
                "it names (found: %(found)s)"
            )
            % {"found": found}
        )
    return candidates[0]


def refuse(message):
    raise ImportFailed([Problem(0, "", message)])

"""Fixity: proof that every stored photo, document and recording is still the file
we stored.

Each Photo, Document and Recording keeps the SHA-256 of its file, taken when the
file was stored (:mod:`testimonies.media`, :mod:`testimonies.avmedia`) or, for
files stored before checksums existed, by migration 0010. :func:`check_fixity`
reads every file again, compares, and records the run as a
:class:`~testimonies.models.FixityCheck` for the admin to show.

A file without a checksum (its file was missing when 0010 ran) gets one recorded by
the first check that finds it: trust on first sight, said so in the report.
Thumbnails are not checked: they are made from the photo again at will.
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from . import media
from .models import Document, FixityCheck, Photo, Recording

MISSING = "missing"
ALTERED = "altered"


@dataclass(frozen=True)
class Damage:
    """A stored file that is not what was stored: gone, or with other bytes."""

    kind: str
    path: str
    identifier: str
    expected: str
    found: str = ""

    def __str__(self):
        values = {
            "path": self.path,
            "identifier": self.identifier,
            "expected": self.expected or "—",
            "found": self.found,
        }
        if self.kind == MISSING:
            return (
                _("MISSING %(path)s (testimony %(identifier)s): expected %(expected)s")
                % values
            )
        return (
            _(
                "ALTERED %(path)s (testimony %(identifier)s): expected %(expected)s, "
                "found %(found)s"
            )
            % values
        )


def check_fixity():
    """Check every attachment's file; record and return the FixityCheck.

    Damaged files are listed in the check's ``report``, one per line, and are
    available as ``check.damage``.
    """
    check = FixityCheck.objects.create(started_at=timezone.now())
    damage, recorded = [], []
    for model in (Photo, Document, Recording):
        first_seen = []
        for attachment in model.objects.for_fixity().iterator(chunk_size=500):
            check.checked += 1
            found = _inspect(attachment, damage)
            if found and not attachment.sha256:
                attachment.sha256 = found
                first_seen.append(attachment)
        model.objects.bulk_update(first_seen, ["sha256"], batch_size=500)
        recorded += first_seen
    check.missing = sum(item.kind == MISSING for item in damage)
    check.altered = sum(item.kind == ALTERED for item in damage)
    check.recorded = len(recorded)
    check.ok = not damage
    check.report = "\n".join(
        [str(item) for item in damage]
        + [
            _("RECORDED %(path)s: no checksum yet, recorded %(found)s")
            % {"path": _stored(item).name, "found": item.sha256}
            for item in recorded
        ]
    )
    check.finished_at = timezone.now()
    check.save()
    check.damage = damage
    return check


def summary(check):
    """The one line a person reads first."""
    values = {
        "checked": check.checked,
        "missing": check.missing,
        "altered": check.altered,
        "recorded": check.recorded,
    }
    if not check.ok:
        return (
            _(
                "Fixity check FAILED: %(missing)s missing and %(altered)s altered "
                "of %(checked)s files."
            )
            % values
        )
    line = _("Fixity check passed: %(checked)s files intact.") % values
    if check.recorded:
        line += " " + (_("%(recorded)s had no checksum yet and got one.") % values)
    return line


def _stored(attachment):
    return getattr(attachment, attachment.FILE_FIELD)


def _inspect(attachment, damage):
    """The file's checksum as found now, or "" (noted as damage) when it is gone."""
    file = _stored(attachment)
    identifier = attachment.testimony.identifier
    if not file.name:
        damage.append(Damage(MISSING, "", identifier, attachment.sha256))
        return ""
    try:
        found = media.stored_sha256(file.storage, file.name)
    except OSError:
        # Gone, or there but unreadable (permissions, a bad disk sector): either
        # way the archive cannot give these bytes back, so it counts as missing.
        damage.append(Damage(MISSING, file.name, identifier, attachment.sha256))
        return ""
    if attachment.sha256 and found != attachment.sha256:
        damage.append(Damage(ALTERED, file.name, identifier, attachment.sha256, found))
    return found

"""The copy of a recording the site plays when parts of it are redacted.

An archivist marks a range of a recording redacted (a neighbour's name, a street)
and from then on nobody but archivists hears the recording's own file: the site
plays a copy with each redacted range silent, and for a video, black
(:func:`testimonies.avmedia.silenced_copy`). Until that copy is made, the site
plays nothing (``Recording.playable_file``), so no moment of the redacted voice
is ever served while the copy is being made.

:func:`refresh` makes the copy, or removes it when no range is left. It is safe
to run twice, and it never stores a copy that silences less than the ranges
say: it checks them again, under a lock, after the minutes ffmpeg may take.
:func:`request` asks for it once the redactions' change commits.
"""

import logging
import os

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction

from . import avmedia, media
from .models import Recording

logger = logging.getLogger(__name__)


def request(recording):
    """Make ``recording``'s public copy current once this transaction commits,
    if it is not: after its redacted ranges or its file changed."""
    fresh = Recording.objects.filter(pk=recording.pk).first()
    if fresh is not None and not is_current(fresh):
        pk = recording.pk
        transaction.on_commit(lambda: refresh(pk))


def is_current(recording):
    """Whether ``recording``'s public copy silences its redacted ranges, or it
    has none and needs none."""
    silences = recording.silences()
    if not silences:
        return not recording.public_file and recording.public_silences is None
    return bool(recording.public_file) and recording.public_silences == silences


def refresh(pk):
    """Make the public copy of recording ``pk`` silence exactly its redacted
    ranges (or remove the copy when there are none). Returns "made", "removed",
    "current", "failed" or "gone"."""
    recording = Recording.objects.filter(pk=pk).first()
    if recording is None:
        return "gone"
    if is_current(recording):
        return "current"
    silences = recording.silences()
    if not silences:
        _store(pk, "", None)
        return "removed"
    try:
        with avmedia.stored_copy(recording.file) as source:
            path = avmedia.silenced_copy(source, recording.kind, silences)
    except (ValidationError, OSError) as error:
        logger.error("The public copy of recording %s failed: %s", pk, error)
        return "failed"
    try:
        with transaction.atomic():
            locked = Recording.objects.select_for_update().filter(pk=pk).first()
            if locked is None or locked.silences() != silences:
                return "gone"  # changed meanwhile: the later request makes it
            name = default_storage.save(
                avmedia.recording_path(locked, f"public{os.path.splitext(path)[1]}"),
                avmedia.MovedFile(path, "public"),
            )
            _store(pk, name, silences)
    finally:
        if os.path.exists(path):
            os.unlink(path)
    return "made"


def _store(pk, name, silences):
    """Point recording ``pk`` at public copy ``name``, deleting the one it
    replaces once that commits."""
    replaced = media.stored_names(Recording(pk=pk), "public_file")
    Recording.objects.filter(pk=pk).update(public_file=name, public_silences=silences)
    media.delete_on_commit(Recording, replaced)

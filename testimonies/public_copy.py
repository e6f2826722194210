"""The copy of a recording the site plays when parts of it are redacted, or
when browsers cannot play the file itself.

An archivist marks a range of a recording redacted (a neighbour's name, a street)
and from then on nobody but archivists hears the recording's own file: the site
plays a copy with each redacted range silent, and for a video, black
(:func:`testimonies.avmedia.playable_copy`). Until that copy is made, the site
plays nothing (``Recording.playable_file``), so no moment of the redacted voice
is ever served while the copy is being made. A file browsers cannot play (a
phone's MOV in H.265, an AVI, a dictaphone's AMR) gets the same copy, converted
to AAC and H.264, silenced or not.

:func:`refresh` makes the copy, or removes it when none is needed. It is safe
to run twice, and it never stores a copy that silences less than the ranges
say: it checks them again, under a lock, after the minutes ffmpeg may take.
:func:`request` asks the worker for it (:func:`make_public_copy`, a task of
Django's tasks framework: ``manage.py db_worker`` runs it) once the change
commits, so that no admin request waits minutes for ffmpeg; the recording's
``public_progress`` and ``public_error`` say how far it is, or why it failed.
"""

import logging
import os

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import models, transaction
from django_tasks import task

from . import avmedia, media
from .models import Recording

logger = logging.getLogger(__name__)


def request(recording):
    """Have the worker make ``recording``'s public copy current once this
    transaction commits, if it is not: after its redacted ranges or its file
    changed. Its progress and any failure are cleared until the worker starts."""
    fresh = Recording.objects.filter(pk=recording.pk).first()
    if fresh is not None and not is_current(fresh):
        pk = recording.pk
        Recording.objects.filter(pk=pk).update(public_progress=None, public_error="")
        transaction.on_commit(lambda: make_public_copy.enqueue(pk))


@task()
def make_public_copy(recording_id):
    """The background task: :func:`refresh` (what it did, for the task's result)."""
    return refresh(recording_id)


def is_current(recording):
    """Whether ``recording``'s public copy silences its redacted ranges, or it
    has none and needs none."""
    silences = recording.silences()
    if not recording.needs_copy(silences):
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
    if not recording.needs_copy(silences):
        _store(pk, "", None)
        return "removed"

    def progress(percent):
        Recording.objects.filter(pk=pk).update(public_progress=percent)

    progress(0)
    try:
        with avmedia.stored_copy(recording.file) as source:
            path = avmedia.playable_copy(
                source, recording.kind, silences, progress, recording.duration_ms
            )
    except (ValidationError, OSError) as error:
        message = " ".join(getattr(error, "messages", [str(error)]))
        logger.error("The public copy of recording %s failed: %s", pk, message)
        Recording.objects.filter(pk=pk).update(
            public_progress=None, public_error=message[:500]
        )
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
    Recording.objects.filter(pk=pk).update(
        public_file=name,
        public_silences=silences,
        public_progress=None,
        public_error="",
    )
    media.delete_on_commit(Recording, replaced)


def pending():
    """The recordings whose public copy is not current (a range or the file
    changed and the worker has not made it yet, or it failed)."""
    candidates = Recording.objects.filter(
        models.Q(redacted_ranges__isnull=False)
        | ~models.Q(public_file="")
        | models.Q(playable=False)
    ).distinct()
    return [
        recording
        for recording in candidates.prefetch_related("redacted_ranges")
        if not is_current(recording)
    ]


def refresh_pending(report=None):
    """Make every public copy that is not current, here and now (the demo's
    load, and ``make_public_copies`` after the worker was stopped). Returns
    ``{recording pk: what refresh did}``."""
    done = {}
    for recording in pending():
        done[recording.pk] = refresh(recording.pk)
        if report:
            report(recording, done[recording.pk])
    return done

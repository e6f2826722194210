"""Recordings, photos and documents in an export: their files (and transcripts)
written beside it.

An export with a media folder (``export_testimonies --media DIR``) copies each
recording and writes each transcript as WebVTT into the folder, and names them in
the line's ``recordings`` relative to the JSON Lines file, exactly as the import
reads them: export, then import elsewhere, gives the same recordings, transcripts
and segments. Photos and documents are written as stored (clean already), so
importing them into the archive they came from changes nothing; elsewhere an
image is cleaned again on import. A public export writes only what an anonymous
visitor may hear (``Recording.objects.visible_to(None)``) and the photos and
documents of the testimonies it holds, its texts redacted.
"""

import shutil
from pathlib import Path

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from .models import Cue, Recording, RedactedRange, Segment, Transcript
from .redaction import redact
from .timedtext import format_time, write_webvtt
from .transcripts import timed_cues


class MediaFolder:
    """Where an export writes its files, and the folder paths are relative to
    (the JSON Lines file's own)."""

    def __init__(self, folder, relative_to):
        self.folder = Path(folder).resolve()
        self.base = Path(relative_to).resolve()
        if not self.folder.is_relative_to(self.base):
            raise ValueError(
                _(
                    "The media folder must lie inside the folder of the JSON Lines "
                    "file (%(base)s): the import reads files only from there."
                )
                % {"base": self.base}
            )
        self.folder.mkdir(parents=True, exist_ok=True)

    def name(self, filename):
        return (self.folder / filename).relative_to(self.base).as_posix()

    def copy(self, stored, filename):
        """Copy the stored file ``stored`` (a FieldFile) in as ``filename``;
        its path as a line names it."""
        with (
            stored.storage.open(stored.name, "rb") as source,
            open(self.folder / filename, "wb") as target,
        ):
            shutil.copyfileobj(source, target)
        return self.name(filename)


def attachments_of(testimony, media, kind, *, public):
    """The ``photos`` or ``documents`` value (``kind`` an
    :class:`~testimonies.importing.attachments.Kind`) of a testimony's line, the
    files written as stored."""
    text = redact if public else str
    result = []
    for number, item in enumerate(getattr(testimony, kind.key).all(), start=1):
        stored = getattr(item, kind.model.FILE_FIELD)
        filename = f"{testimony.identifier}-{kind.key[:-1]}-{number}"
        values = {"file": media.copy(stored, filename + Path(stored.name).suffix)}
        for key in kind.texts:
            values[key] = text(getattr(item, key))
        result.append(values)
    return result


def recordings_prefetch(public):
    recordings = Recording.objects.visible_to(None) if public else Recording.objects
    cues = Cue.objects.order_by("start_ms", "end_ms", "pk")
    return Prefetch(
        "recordings",
        queryset=recordings.order_by("position", "pk").prefetch_related(
            Prefetch(
                "transcripts",
                queryset=Transcript.objects.order_by("language").prefetch_related(
                    Prefetch("cues", queryset=cues)
                ),
            ),
            Prefetch(
                "redacted_ranges",
                queryset=RedactedRange.objects.order_by("start_ms", "pk"),
            ),
            Prefetch(
                "segments",
                queryset=Segment.objects.order_by("start_ms", "pk").prefetch_related(
                    "themes", "places"
                ),
            ),
        ),
    )


def recordings_of(testimony, media, tag, *, public):
    """The ``recordings`` value of a testimony's line, its files written: the
    files themselves with their redacted ranges, or for a public export, the
    copies the public hears (a recording whose copy is still being made is
    left out)."""
    text = redact if public else str
    result = []
    number = 0
    for recording in testimony.recordings.all():
        stored = recording.playable_file() if public else recording.file
        if not stored:
            continue
        number += 1
        stem = f"{testimony.identifier}-{number}"
        extension = Path(stored.name).suffix
        copied = media.copy(stored, f"{stem}{extension}")
        transcripts = []
        for transcript in recording.transcripts.all():
            filename = f"{stem}.{transcript.language}.vtt"
            cues = timed_cues(transcript, public=public)
            (media.folder / filename).write_text(write_webvtt(cues), encoding="utf-8")
            item = {"language": transcript.language, "file": media.name(filename)}
            if transcript.kind != Transcript.Kind.ORIGINAL:
                item["translation"] = transcript.kind
                item["translator"] = transcript.translator
            transcripts.append(item)
        result.append(
            {
                "file": copied,
                "kind": recording.kind,
                "title": text(recording.title),
                "access": recording.access,
                **recording_facts(recording),
                "transcripts": transcripts,
                **({} if public else {"redacted": redacted_of(recording)}),
                "segments": [
                    {
                        "start": format_time(segment.start_ms),
                        "end": format_time(segment.end_ms),
                        "language": segment.language,
                        "title": text(segment.title),
                        "synopsis": text(segment.synopsis),
                        "keywords": list(segment.keywords),
                        "themes": sorted(
                            (tag(t) for t in segment.themes.all()),
                            key=lambda d: d["name"],
                        ),
                        "places": sorted(
                            (tag(p) for p in segment.places.all()),
                            key=lambda d: d["name"],
                        ),
                    }
                    for segment in recording.segments.all()
                ],
            }
        )
    return result


def recording_facts(recording):
    """What is known of a recording beyond its file, as the export and the API
    give it."""
    return {
        "languages": list(recording.languages),
        "interviewer": recording.interviewer,
        "recorded_on": (
            recording.recorded_on.isoformat() if recording.recorded_on else None
        ),
        "credit": recording.credit,
        "rights": recording.rights,
    }


def redacted_of(recording):
    return [
        {
            "start": format_time(item.start_ms),
            "end": format_time(item.end_ms),
            "reason": item.reason,
        }
        for item in recording.redacted_ranges.all()
    ]

"""Recordings in an import: their files, transcripts and segment indexes.

A line's ``recordings`` name files relative to the imported file (never outside
its folder). Reading a line checks everything a recording needs before anything is
written: each file is recognised and copied clean (:mod:`testimonies.avmedia`) into
a temporary file, each transcript read (:mod:`testimonies.timedtext`), every cue and
segment checked against the recording's length. Writing moves the clean copies into
storage and replaces the testimony's recordings as a whole, in the import's
transaction; :class:`Media` removes what an unfinished import leaves behind.
"""

import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from .. import avmedia, public_copy
from ..models import (
    Place,
    Recording,
    RedactedRange,
    Segment,
    Testimony,
    Theme,
    Transcript,
)
from ..models.recording import allowed_access, overlapping
from ..timedtext import TimedTextError, parse_time, read_cues
from ..transcripts import cue_problems, cue_rows, write_cues
from .fields import INVALID, join
from .problems import ABSENT, Problem
from .tags import clean_tags

KEYS = (
    "file",
    "kind",
    "title",
    "access",
    "language",
    "languages",
    "interviewer",
    "recorded_on",
    "credit",
    "rights",
    "transcripts",
    "segments",
    "redacted",
)
TEXT_KEYS = ("title", "interviewer", "credit", "rights")
TRANSCRIPT_KEYS = ("language", "file", "translation", "translator")
SEGMENT_KEYS = (
    "start",
    "end",
    "language",
    "title",
    "synopsis",
    "keywords",
    "themes",
    "places",
)
REDACTED_KEYS = ("start", "end", "reason")


@dataclass
class RecordingPlan:
    values: dict
    copy: avmedia.CleanCopy
    transcripts: list = field(default_factory=list)  # (values, cues)
    segments: list = field(default_factory=list)  # (values, theme keys, place keys)
    redacted: list = field(default_factory=list)  # values of RedactedRange
    line: int = 0
    path: str = ""


class Media:
    """Where the files a line names (recordings, photos, documents) are read
    from, and the temporary clean copies and stored files an import makes
    (removed unless the import commits)."""

    def __init__(self, folder):
        self.folder = Path(folder).resolve() if folder is not None else None
        self.temporary = []
        self.stored = []

    def resolve(self, c, value, path):
        """The file a line names, inside the folder; INVALID after saying why."""
        if c.text(value, path) is INVALID:
            return INVALID
        if self.folder is None:
            return c.error(
                path,
                _(
                    "files are read beside the imported file: import a ZIP bundle "
                    "of the file and the media it names, or a file on the server "
                    "(not standard input)"
                ),
            )
        relative = Path(value)
        if not value or relative.is_absolute():
            return c.error(path, _("give a path relative to the imported file"))
        try:
            target = (self.folder / relative).resolve()
            inside = target.is_relative_to(self.folder)
            found = inside and target.is_file()
        except (OSError, RuntimeError, ValueError):
            # A name too long, a symbolic link that loops, a NUL: not a file.
            return c.error(path, _("no such file: %(file)s") % {"file": value[:200]})
        if not inside:
            return c.error(path, _("the path leads outside the imported file's folder"))
        if not found:
            return c.error(path, _("no such file: %(file)s") % {"file": value[:200]})
        return target

    def store(self, plan):
        extension = plan.copy.found.extension
        return self.move(
            plan.copy.path, avmedia.recording_path(None, f"recording{extension}")
        )

    def move(self, path, name, storage=default_storage):
        """Move the temporary file at ``path`` into ``storage`` as ``name`` (or a
        free name like it); the stored name, removed unless the import commits."""
        name = storage.save(name, avmedia.MovedFile(path, os.path.basename(name)))
        self.stored.append((storage, name))
        return name

    def finish(self, committed):
        """Remove the temporary copies, and the stored files unless committed."""
        for name in self.temporary:
            if os.path.exists(name):
                os.unlink(name)
        if not committed:
            for storage, name in self.stored:
                storage.delete(name)
        self.temporary, self.stored = [], []


def clean_recordings(c, value, media, mentions):
    """The line's whole set of recordings, each checked to the last cue."""
    if c.array(value, "recordings") is INVALID:
        return INVALID
    plans = []
    for index, item in enumerate(value):
        path = f"recordings[{index}]"
        data = c.object(item, path, KEYS, required=("file",))
        if data is INVALID or "file" not in data:
            continue
        plan = _clean_recording(c, data, index, media, mentions)
        if plan is not INVALID:
            plans.append(plan)
    return plans if c.ok else INVALID


def _clean_recording(c, data, index, media, mentions):
    path = f"recordings[{index}]"
    values = {"position": index}
    for key in TEXT_KEYS:
        if key in data:
            values[key] = c.field(Recording, key, data[key], join(path, key))
    if "access" in data:
        values["access"] = c.field(
            Recording, "access", data["access"], join(path, "access")
        )
    if "recorded_on" in data:
        values["recorded_on"] = c.field(
            Recording,
            "recorded_on",
            data["recorded_on"],
            join(path, "recorded_on"),
            null=True,
        )
    languages = []
    if "language" in data:
        languages.append(
            c.language_code(data["language"], join(path, "language"))
            if c.text(data["language"], join(path, "language")) is not INVALID
            else INVALID
        )
    if (
        "languages" in data
        and c.array(data["languages"], join(path, "languages")) is not INVALID
    ):
        for number, code in enumerate(data["languages"]):
            where = f"{join(path, 'languages')}[{number}]"
            if c.text(code, where) is not INVALID:
                languages.append(c.language_code(code, where))
    values["languages"] = list(
        dict.fromkeys(code for code in languages if code is not INVALID)
    )
    source = media.resolve(c, data["file"], join(path, "file"))
    if source is INVALID:
        return INVALID
    try:
        copy = avmedia.clean_copy(source)
    except ValidationError as error:
        return c.error(join(path, "file"), " ".join(error.messages))
    media.temporary.append(copy.path)
    found = copy.found
    if "kind" in data and data["kind"] != found.kind:
        c.error(
            join(path, "kind"),
            _("the file holds %(found)s, not %(said)s")
            % {"found": found.kind, "said": data["kind"]},
        )
    plan = RecordingPlan(values, copy, line=c.line, path=path)
    if "transcripts" in data:
        plan.transcripts = _clean_transcripts(
            c, data["transcripts"], path, media, found
        )
    if "segments" in data:
        language = values["languages"][0] if values["languages"] else "und"
        plan.segments = _clean_segments(
            c, data["segments"], path, found, mentions, language
        )
    if "redacted" in data:
        plan.redacted = _clean_redacted(c, data["redacted"], path, found)
    return plan if c.ok else INVALID


def _clean_redacted(c, value, path, found):
    path = join(path, "redacted")
    if c.array(value, path) is INVALID:
        return []
    result = []
    for index, item in enumerate(value):
        where = f"{path}[{index}]"
        data = c.object(item, where, REDACTED_KEYS, required=("start", "end"))
        if data is INVALID or not {"start", "end"} <= set(data):
            continue
        start = _time(c, data["start"], join(where, "start"))
        end = _time(c, data["end"], join(where, "end"))
        reason = ""
        if "reason" in data:
            reason = c.field(
                RedactedRange, "reason", data["reason"], join(where, "reason")
            )
        if INVALID in (start, end):
            continue
        if end <= start:
            c.error(join(where, "end"), _("the range ends before it starts"))
        elif start >= found.duration_ms:
            c.error(join(where, "start"), _("the range starts after the recording"))
        result.append({"start_ms": start, "end_ms": end, "reason": reason})
    return result


def _clean_transcripts(c, value, path, media, found):
    path = join(path, "transcripts")
    if c.array(value, path) is INVALID:
        return []
    result, languages = [], set()
    for index, item in enumerate(value):
        where = f"{path}[{index}]"
        data = c.object(item, where, TRANSCRIPT_KEYS, required=("language", "file"))
        if data is INVALID or "language" not in data or "file" not in data:
            continue
        language = c.language(
            Transcript, "language", data["language"], join(where, "language")
        )
        kind = Transcript.Kind.ORIGINAL
        if "translation" in data:
            kind = c.field(
                Transcript, "kind", data["translation"], join(where, "translation")
            )
            if kind == Transcript.Kind.ORIGINAL:
                c.error(join(where, "translation"), _("use “human” or “machine”"))
        values = {"language": language, "kind": kind}
        if "translator" in data:
            values["translator"] = c.field(
                Transcript, "translator", data["translator"], join(where, "translator")
            )
        if language in languages:
            c.error(
                join(where, "language"),
                _("a second transcript in “%(language)s”") % {"language": language},
            )
        languages.add(language)
        cues = _read_transcript(c, data["file"], join(where, "file"), media, found)
        result.append((values, cues))
    return result


def _read_transcript(c, value, path, media, found):
    source = media.resolve(c, value, path)
    if source is INVALID:
        return []
    if source.stat().st_size > settings.TESTIMONY_MAX_TRANSCRIPT_BYTES:
        c.error(path, _("the file is larger than transcripts may be"))
        return []
    try:
        cues = read_cues(source.read_bytes())
    except TimedTextError as error:
        for message in error.messages():
            c.error(path, message)
        return []
    for problem in cue_problems(cues, found.duration_ms):
        c.error(path, problem)
    return cues


def _clean_segments(c, value, path, found, mentions, language):
    path = join(path, "segments")
    if c.array(value, path) is INVALID:
        return []
    result = []
    for index, item in enumerate(value):
        where = f"{path}[{index}]"
        data = c.object(item, where, SEGMENT_KEYS, required=("start", "end", "title"))
        if data is INVALID or not {"start", "end", "title"} <= set(data):
            continue
        start = _time(c, data["start"], join(where, "start"))
        end = _time(c, data["end"], join(where, "end"))
        values = {
            "start_ms": start,
            "end_ms": end,
            "title": c.field(Segment, "title", data["title"], join(where, "title")),
            "language": c.language(
                Segment,
                "language",
                data.get("language", language),
                join(where, "language"),
            ),
        }
        if "synopsis" in data:
            values["synopsis"] = c.field(
                Segment, "synopsis", data["synopsis"], join(where, "synopsis")
            )
        if "keywords" in data:
            keywords = data["keywords"]
            if c.array(keywords, join(where, "keywords")) is not INVALID:
                values["keywords"] = [
                    c.text(word, f"{join(where, 'keywords')}[{n}]")
                    for n, word in enumerate(keywords)
                ]
        themes = places = []
        if "themes" in data:
            themes = clean_tags(
                c, Theme, data["themes"], join(where, "themes"), mentions
            )
        if "places" in data:
            places = clean_tags(
                c, Place, data["places"], join(where, "places"), mentions
            )
        if INVALID in (start, end):
            continue
        if end <= start:
            c.error(join(where, "end"), _("the segment ends before it starts"))
        elif end > found.duration_ms + avmedia.DURATION_SLACK_MS:
            c.error(join(where, "end"), _("the segment ends after the recording"))
        result.append((values, themes, places))
    spans = [
        (values["start_ms"], values["end_ms"], n)
        for n, (values, _t, _p) in enumerate(result)
    ]
    for first, second in overlapping(spans):
        c.error(
            path,
            _("segments %(first)s and %(second)s overlap")
            % {"first": first, "second": second},
        )
    return result


def _time(c, value, path):
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        return c.type_error(path, _("a time (“00:12:31” or seconds)"), value)
    try:
        return parse_time(float(value) if isinstance(value, Decimal) else value)
    except ValueError:
        return c.error(path, _("not a time: write “00:12:31” or a number of seconds"))


def check_access(entries, testimonies, problems):
    """A recording may not be more open than its testimony as the line leaves it."""
    for entry, testimony in zip(entries, testimonies, strict=True):
        if entry.recordings is ABSENT:
            continue
        allowed = allowed_access(testimony.access or Testimony.Access.RESTRICTED)
        for plan in entry.recordings:
            access = plan.values.get("access", Testimony.Access.RESTRICTED)
            if access not in allowed:
                problems.append(
                    Problem(
                        entry.line,
                        join(plan.path, "access"),
                        _(
                            "a recording cannot be more open than its testimony "
                            "(“%(access)s”)"
                        )
                        % {"access": testimony.access},
                    )
                )


def replace_recordings(listing, media, themes, places):
    """Give each testimony whose line lists recordings exactly those."""
    written = []
    for batch in listing:
        changed = [
            (testimony, plans)
            for testimony, plans in batch
            if not _unchanged(testimony, plans, themes, places)
        ]
        Recording.objects.filter(testimony__in=[t.pk for t, _plans in changed]).delete()
        for testimony, plans in changed:
            for plan in plans:
                # save(): the file is stored already, so nothing is probed again,
                # and the history records the new recording.
                recording = Recording(
                    testimony_id=testimony.pk,
                    file=media.store(plan),
                    **plan.copy.fields(),
                    **plan.values,
                )
                recording.save()
                written.append(recording.pk)
                RedactedRange.objects.bulk_create(
                    RedactedRange(recording=recording, **values)
                    for values in plan.redacted
                )
                _write_transcripts(recording, plan.transcripts)
                _write_segments(recording, plan.segments, themes, places)
                # Redacted ranges, or a file browsers cannot play: a copy.
                public_copy.request(recording)
    return written


RECORDING_FIELDS = (
    "position",
    "title",
    "access",
    "languages",
    "interviewer",
    "recorded_on",
    "credit",
    "rights",
    "sha256",
)


def _unchanged(testimony, plans, themes, places):
    """Whether the stored recordings of ``testimony`` are already what ``plans``
    describe, file by file (the clean copy of a clean file is the same bytes) and
    cue by cue: importing an export into the archive it came from changes nothing
    and stores no file again."""
    stored = list(
        Recording.objects.filter(testimony=testimony)
        .order_by("position", "pk")
        .prefetch_related(
            "transcripts__cues",
            "segments__themes",
            "segments__places",
            "redacted_ranges",
        )
    )
    if len(stored) != len(plans):
        return False
    for recording, plan in zip(stored, plans, strict=True):
        wanted = Recording(**plan.values, **plan.copy.fields())
        if [getattr(recording, f) for f in RECORDING_FIELDS] != [
            getattr(wanted, f) for f in RECORDING_FIELDS
        ]:
            return False
        if _transcripts_of(recording) != _planned_transcripts(plan):
            return False
        if _segments_of(recording) != _planned_segments(plan, themes, places):
            return False
        if _redacted_key(recording.redacted_ranges.all()) != _redacted_key(
            RedactedRange(**values) for values in plan.redacted
        ):
            return False
    return True


def _redacted_key(ranges):
    return sorted((item.start_ms, item.end_ms, item.reason) for item in ranges)


# What must match for a stored transcript or segment to stand for a planned one;
# the planned ones are compared as the unsaved rows they would be.


def _transcript_key(transcript, cues):
    rows = sorted((c.start_ms, c.end_ms, c.speaker, c.text) for c in cues)
    return (transcript.language, transcript.kind, transcript.translator, rows)


def _segment_key(segment, theme_pks, place_pks):
    return (
        segment.start_ms,
        segment.end_ms,
        segment.language,
        segment.title,
        segment.synopsis,
        list(segment.keywords),
        sorted(theme_pks),
        sorted(place_pks),
    )


def _transcripts_of(recording):
    return sorted(_transcript_key(t, t.cues.all()) for t in recording.transcripts.all())


def _planned_transcripts(plan):
    return sorted(
        _transcript_key(Transcript(**values), cue_rows(None, cues))
        for values, cues in plan.transcripts
    )


def _segments_of(recording):
    return sorted(
        _segment_key(s, [t.pk for t in s.themes.all()], [p.pk for p in s.places.all()])
        for s in recording.segments.all()
    )


def _planned_segments(plan, themes, places):
    return sorted(
        _segment_key(
            Segment(**values),
            [themes.pk(key) for key in theme_keys],
            [places.pk(key) for key in place_keys],
        )
        for values, theme_keys, place_keys in plan.segments
    )


def _write_transcripts(recording, transcripts):
    for values, cues in transcripts:
        transcript = Transcript.objects.create(recording=recording, **values)
        write_cues(transcript, cues)


def _write_segments(recording, segments, themes, places):
    for values, theme_keys, place_keys in segments:
        segment = Segment.objects.create(recording=recording, **values)
        if theme_keys:
            segment.themes.set([themes.pk(key) for key in theme_keys])
        if place_keys:
            segment.places.set([places.pk(key) for key in place_keys])

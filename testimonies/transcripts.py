"""Writing a transcript's cues: checked against their recording, replaced whole.

The admin's upload and the import read a WebVTT or SRT file
(:func:`testimonies.timedtext.read_cues`), check the cues here, and replace the
transcript's cues in one transaction: a transcript is never half old, half new.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from . import redaction
from .avmedia import DURATION_SLACK_MS
from .models import Cue, Transcript
from .models.recording import overlaps_any
from .timedtext import TimedCue, format_time


def cue_problems(cues, duration_ms):
    """Messages about ``cues`` (of :class:`~testimonies.timedtext.TimedCue`) that
    cannot be stored for a recording of ``duration_ms``: times past its end,
    unpaired redaction brackets. Each message names the cue by its start."""
    problems = []
    for cue in cues:
        at = format_time(cue.start)
        if duration_ms and cue.end > duration_ms + DURATION_SLACK_MS:
            problems.append(
                _(
                    "cue at %(at)s: it ends at %(end)s, after the recording "
                    "(%(length)s)."
                )
                % {
                    "at": at,
                    "end": format_time(cue.end),
                    "length": format_time(duration_ms),
                }
            )
        for problem in [
            *redaction.problems(cue.speaker),
            *redaction.problems(cue.text),
        ]:
            problems.append(
                _("cue at %(at)s: %(problem)s")
                % {"at": at, "problem": problem.message()}
            )
        if len(problems) >= 20:
            break
    return problems


@transaction.atomic
def replace_cues(*, transcript, cues):
    """Make ``cues`` the whole of ``transcript``'s cues."""
    Cue.objects.filter(transcript=transcript).delete()
    write_cues(transcript, cues)


def write_cues(transcript, cues):
    """Store ``cues`` (TimedCues) as ``transcript``'s, and its ``text`` with them:
    the one way cues are written (the admin's upload, the import), so that what
    search reads of a transcript is always its cues. The caller tells the search
    index (``testimonies_changed``) once everything is written."""
    rows = cue_rows(transcript, cues)
    silences = transcript.recording.silences()
    for row in rows:
        row.redacted = overlaps_any(row.start_ms, row.end_ms, silences)
    Cue.objects.bulk_create(rows, batch_size=1000)
    transcript.text = cue_text(rows)
    type(transcript).objects.filter(pk=transcript.pk).update(text=transcript.text)


def mark_redacted_cues(recording):
    """After ``recording``'s redacted ranges changed: flag the cues of each of
    its transcripts that a range overlaps, and rewrite the transcripts' text.
    The caller tells the search index (``testimonies_changed``)."""
    silences = recording.silences()
    for transcript in Transcript.objects.filter(recording=recording):
        rows = list(
            transcript.cues.only("pk", "start_ms", "end_ms", "text", "redacted")
        )
        changed = []
        for row in rows:
            redacted = overlaps_any(row.start_ms, row.end_ms, silences)
            if row.redacted != redacted:
                row.redacted = redacted
                changed.append(row)
        Cue.objects.bulk_update(changed, ["redacted"], batch_size=1000)
        text = cue_text(rows)
        if text != transcript.text:
            Transcript.objects.filter(pk=transcript.pk).update(text=text)


def cue_text(rows):
    """A transcript's ``text``: its cues' texts in the order they are read, a
    cue in a redacted range as one redaction (so that search never reads it)."""
    ordered = sorted(rows, key=lambda cue: (cue.start_ms, cue.end_ms))
    return "\n".join(
        f"{redaction.OPEN} {cue.text} {redaction.CLOSE}" if cue.redacted else cue.text
        for cue in ordered
    )


def cue_rows(transcript, cues):
    """Unsaved :class:`~testimonies.models.Cue` rows of ``cues`` (TimedCues)."""
    return [
        Cue(
            transcript=transcript,
            start_ms=cue.start,
            end_ms=cue.end,
            speaker=cue.speaker[:200],
            text=cue.text,
        )
        for cue in cues
    ]


def timed_cues(transcript, *, public=False):
    """The cues of ``transcript`` in order: as stored (redactions marked), or as
    the public reads them (``public``: redactions and redacted cues as marks).
    Reads ``transcript.cues.all()``, so a prefetch serves it."""
    if public:
        return [
            TimedCue(cue.start_ms, cue.end_ms, cue.public_text, cue.public_speaker)
            for cue in transcript.cues.all()
        ]
    return [
        TimedCue(cue.start_ms, cue.end_ms, cue.text, cue.speaker)
        for cue in transcript.cues.all()
    ]

"""What a testimony's page shows of its recordings: the player, its captions, the
transcript in the reader's language and the segment index, for one visitor.

Only recordings ``Recording.objects.visible_to`` gives the visitor appear, and
their cues and segments only as the public sees text: redactions as marks.
"""

import dataclasses

from django.db.models import Prefetch

from .citation import Moment
from .marking import marked_line
from .models import Cue, Recording, Segment, Transcript
from .models.recording import reading_order, transcript_shown
from .timedtext import as_seconds, parse_time


@dataclasses.dataclass
class Listening:
    """One recording on the page."""

    recording: Recording
    transcripts: list  # every language, the original first (one track each)
    transcript: Transcript | None  # the one shown, in the language being read
    segments: list
    start: int | None  # milliseconds to start at (``?t=``), for this recording only

    @property
    def anchor(self):
        return f"r{self.recording.pk}"

    @property
    def playable(self):
        """The file played (``Recording.playable_file``); None while the copy
        with its redacted ranges silenced is being made."""
        return self.recording.playable_file() or None

    @property
    def source(self):
        """The file's address, with a media fragment when playing starts later:
        browsers seek there by themselves, with or without script."""
        url = self.playable.url
        return f"{url}#t={as_seconds(self.start)}" if self.start else url


def recordings_to_hear(testimony, user, *, language, at="", recording=""):
    """The :class:`Listening` of each recording of ``testimony`` that ``user`` may
    hear, its transcript in ``language`` when there is one (else the original).

    ``at`` is a ``?t=`` value (seconds or ``00:12:31``) and ``recording`` the
    ``?r=`` id it applies to (the first recording when absent); values that do
    not parse are ignored, as a stale link should still open the page.
    """
    cues = Cue.objects.only(
        "transcript_id", "start_ms", "end_ms", "speaker", "text", "redacted"
    )
    transcripts = Transcript.objects.order_by("kind", "language").prefetch_related(
        Prefetch("cues", queryset=cues.order_by("start_ms", "end_ms", "pk"))
    )
    segments = Segment.objects.order_by("start_ms", "pk").prefetch_related(
        "themes", "places"
    )
    found = list(
        Recording.objects.visible_to(user)
        .filter(testimony=testimony)
        .order_by("position", "pk")
        .prefetch_related(
            Prefetch("transcripts", queryset=transcripts),
            Prefetch("segments", queryset=segments),
            "redacted_ranges",
        )
    )
    start_ms = _milliseconds(at)
    chosen = _chosen(found, recording)
    listening = []
    for item in found:
        all_transcripts = reading_order(item.transcripts.all())
        shown = transcript_shown(all_transcripts, language)
        start = None
        if item is chosen and start_ms is not None and item.duration_ms:
            start = min(start_ms, item.duration_ms)
        listening.append(
            Listening(item, all_transcripts, shown, list(item.segments.all()), start)
        )
    return listening


def _milliseconds(value):
    if not value or len(value) > 20:
        return None
    try:
        return parse_time(value)
    except ValueError:
        return None


def _chosen(recordings, wanted):
    for item in recordings:
        if str(item.pk) == wanted:
            return item
    return recordings[0] if recordings else None


def cited_moment(listening):
    """The :class:`~testimonies.citation.Moment` a page opened at ``?t=`` cites:
    the whole cue being spoken then (in the transcript shown), or that second."""
    for item in listening:
        if item.start is None:
            continue
        start = end = item.start
        if item.transcript is not None:
            for cue in item.transcript.cues.all():
                if cue.start_ms <= item.start < cue.end_ms:
                    start, end = cue.start_ms, cue.end_ms
                    break
        return Moment(item.recording.pk, start, end)
    return None


def mark_cues(listening, query, counter):
    """Mark the phrases of ``query`` in the transcripts shown (public text):
    each matching cue gets ``marked`` (safe HTML), numbered on from
    ``counter`` as the page's marks are, so the reader steps through both."""
    for item in listening:
        if item.transcript is None:
            continue
        for cue in item.transcript.cues.all():
            cue.marked = marked_line(cue.public_text, query, counter)

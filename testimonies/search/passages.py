"""Passages: the paragraphs of a hit that matched, each with its anchor, and the
moments of its recordings that did (:func:`moments`).

A testimony's page numbers the paragraphs of its text ``p1``, ``p2``… in the
order Django's ``linebreaks`` makes them (a blank line starts a paragraph), in
the original and in each translation alike. A passage names its paragraph, so
a search hit links to ``/testimonies/ID/?q=…#p12`` and the page opens at the
match, marked. The paragraphs are cut from the same public (redacted) text the
index holds, so a passage never quotes what cannot be found.
"""

import operator
import re
from dataclasses import dataclass
from functools import reduce
from urllib.parse import urlencode

from django.db.models import Count, OuterRef, Q, Subquery

from ..redaction import redact
from ..timedtext import as_seconds
from . import index
from .snippets import hints, marked

#: Passages given per hit.
MAX_PASSAGES = 3
PARAGRAPH_BREAK = re.compile(r"\n{2,}")
# What django.utils.text.normalize_newlines() replaces, as linebreaks reads it.
NEWLINES = re.compile(r"\r\n|\r")


@dataclass(frozen=True)
class Passage:
    anchor: str  # "p12"
    snippet: str  # safe HTML with <mark>
    language: str
    url: str  # the testimony's page at the paragraph, the query marked
    original: bool = True  # in the original's text, not a translation


def paragraphs(text):
    """The paragraphs of ``text`` as ``linebreaks`` renders them (``p1`` is the
    first)."""
    return PARAGRAPH_BREAK.split(NEWLINES.sub("\n", str(text or "")))


def passages(testimony, query, limit=MAX_PASSAGES):
    """The first ``limit`` paragraphs of ``testimony``'s text (the original,
    then its translations) that hold a searched phrase."""
    if not query.phrases:
        return []
    versions = [(testimony.language, testimony.public_body, None)] + [
        (translation.language, translation.public_body, translation.language)
        for translation in index.related(testimony, "translations")
    ]
    found, page = [], None
    for language, body, asked in versions:
        strings = hints(str(body or ""), query)
        if strings is not None and not strings:
            continue  # nothing searched for is in this text
        for number, paragraph in enumerate(paragraphs(body), start=1):
            if strings is not None and not any(s in paragraph for s in strings):
                continue
            html = marked(paragraph, query)
            if html is None:
                continue
            parameters = {"q": query.text, **({"lang": asked} if asked else {})}
            page = page or testimony.get_absolute_url()
            found.append(
                Passage(
                    anchor=f"p{number}",
                    snippet=html,
                    language=language,
                    url=f"{page}?{urlencode(parameters)}#p{number}",
                    original=asked is None,
                )
            )
            if len(found) == limit:
                return found
    return found


@dataclass(frozen=True)
class TimedPassage:
    """A moment of a recording whose words matched: a cue of a transcript, or a
    segment of its index (``title`` then names it)."""

    recording: int  # the recording's id, as ``?r=`` names it
    start: int  # milliseconds
    end: int
    snippet: str  # safe HTML with <mark>
    language: str
    url: str  # the testimony's page, playing from ``start``, the query marked
    title: str = ""  # the segment's title, for a match in the segment index

    @property
    def start_seconds(self):
        return self.start / 1000

    @property
    def end_seconds(self):
        return self.end / 1000


def moments(hits, query, readable_access, limit=MAX_PASSAGES):
    """Give each hit ``search_moments``: the first ``limit`` cues and segments
    of its recordings that hold a searched phrase, in the order of the
    recordings and of time. Only recordings at ``readable_access`` count (the
    levels of the ``visible_to`` queryset the hits came from: with the hit's own
    visibility, exactly ``Recording.objects.visible_to``), and only their
    public (redacted) words, as the index holds them.

    Each transcript's ``text`` tells in one row whether, and by which strings
    of its own, it may hold a phrase (``snippets.hints``); only the cues holding
    one of those strings are read."""
    from ..models import Recording, Segment, Transcript

    for hit in hits:
        hit.search_moments = []
    if not query.phrases or not hits:
        return
    by_pk = {hit.pk: hit for hit in hits}
    using = hits[0]._state.db
    recordings = list(
        Recording.objects.using(using)
        .heard_in(by_pk, readable_access)
        .order_by("testimony_id", "position", "pk")
        .values_list("pk", "testimony_id")
    )
    if not recordings:
        return
    owner = dict(recordings)
    found = {pk: [] for pk in owner}
    transcripts = list(
        Transcript.objects.using(using)
        .filter(recording_id__in=owner)
        .only("recording_id", "language", "kind", "text")
    )
    shown = _transcripts_shown(transcripts, owner, by_pk)
    for pk, start, end, language, title, html in _matched_segments(
        Segment.objects.using(using).filter(recording_id__in=owner), query
    ):
        if len(found[pk]) < limit:
            found[pk].append(
                _passage(by_pk[owner[pk]], query, pk, start, end, html, language, title)
            )
    languages = {transcript.pk: transcript.language for transcript in transcripts}
    for recording, transcript, number, start, end, html in _matched_cues(
        transcripts, query, using
    ):
        if len(found[recording]) >= limit * 2:
            continue
        asked = shown.get(transcript)
        line = f"#r{recording}-c{number}" if asked is not None else ""
        found[recording].append(
            _passage(
                by_pk[owner[recording]],
                query,
                recording,
                start,
                end,
                html,
                languages[transcript],
                asked=asked or None,
                anchor=line,
            )
        )
    for pk, _testimony in recordings:
        hit = by_pk[owner[pk]]
        room = limit - len(hit.search_moments)
        if room > 0:
            ordered = sorted(found[pk], key=lambda passage: passage.start)
            hit.search_moments.extend(ordered[:room])


def _matched_segments(segments, query):
    """``(recording, start, end, language, title, html)`` of each segment whose
    title, synopsis or keywords hold a searched phrase (redacted)."""
    rows = segments.order_by("recording_id", "start_ms", "pk").values_list(
        "recording_id",
        "start_ms",
        "end_ms",
        "language",
        "title",
        "synopsis",
        "keywords",
    )
    for pk, start, end, language, *fields in rows:
        title, synopsis, *keywords = index.segment_texts(*fields)
        texts = [title, synopsis, "; ".join(keywords)]
        html = next(filter(None, (marked(text, query) for text in texts)), None)
        if html is not None:
            yield pk, start, end, language, title, html


def _matched_cues(transcripts, query, using):
    """``(recording, transcript, number, start, end, html)`` of the cues of
    ``transcripts`` (loaded with their text) holding a searched phrase, ``number``
    counting from 1 in the transcript's order, as its page numbers the lines."""
    from ..models import Cue

    wanted = []
    for transcript in transcripts:
        found = hints(redact(transcript.text), query)
        if found is None:  # cannot tell: read every cue of it
            wanted.append(Q(transcript_id=transcript.pk))
        elif found:
            wanted.append(
                Q(transcript_id=transcript.pk)
                & reduce(operator.or_, (Q(text__contains=s) for s in found))
            )
    if not wanted:
        return
    earlier = Cue.objects.filter(transcript_id=OuterRef("transcript_id")).filter(
        Q(start_ms__lt=OuterRef("start_ms"))
        | Q(start_ms=OuterRef("start_ms"), end_ms__lt=OuterRef("end_ms"))
        | Q(
            start_ms=OuterRef("start_ms"),
            end_ms=OuterRef("end_ms"),
            pk__lt=OuterRef("pk"),
        )
    )
    cues = (
        Cue.objects.using(using)
        .filter(reduce(operator.or_, wanted), redacted=False)
        .annotate(
            earlier=Subquery(
                earlier.order_by()
                .values("transcript_id")
                .annotate(count=Count("pk"))
                .values("count")
            )
        )
        .order_by(
            "transcript__recording_id", "transcript_id", "start_ms", "end_ms", "pk"
        )
        .values_list(
            "transcript__recording_id",
            "transcript_id",
            "earlier",
            "start_ms",
            "end_ms",
            "text",
        )
    )
    for recording, transcript, earlier, start, end, text in cues:
        html = marked(redact(text), query)
        if html is not None:
            yield recording, transcript, (earlier or 0) + 1, start, end, html


def _passage(
    hit, query, recording, start, end, html, language, title="", asked=None, anchor=""
):
    parameters = {
        "r": recording,
        "t": as_seconds(start),
        "q": query.text,
        **({"lang": asked} if asked else {}),
    }
    return TimedPassage(
        recording=recording,
        start=start,
        end=end,
        snippet=html,
        language=language,
        url=f"{hit.get_absolute_url()}?{urlencode(parameters)}"
        f"{anchor or f'#r{recording}'}",
        title=title,
    )


def _transcripts_shown(transcripts, owner, hits):
    """``{transcript id: lang}`` of each transcript a page shows when opened with
    ``?lang=`` that (``""``: without), as ``listening`` chooses it
    (:func:`~testimonies.models.recording.transcript_shown`): for the
    testimony's language without, for the language of each translation of its
    text with. A cue's link can then name its line."""
    from ..models.recording import reading_order, transcript_shown

    by_recording = {}
    for transcript in transcripts:
        by_recording.setdefault(transcript.recording_id, []).append(transcript)
    shown = {}
    for recording, found in by_recording.items():
        found = reading_order(found)
        hit = hits[owner[recording]]
        translated = {t.language for t in index.related(hit, "translations")}
        for language, asked in [(hit.language, ""), *((t, t) for t in translated)]:
            transcript = transcript_shown(found, language)
            if not asked or transcript.language == asked:
                shown.setdefault(transcript.pk, asked)
    return shown

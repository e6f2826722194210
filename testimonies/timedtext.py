"""Transcripts as timed text: WebVTT read and written, SubRip (SRT) read.

A transcript is a list of cues (start, end, speaker, text), stored as rows
(:class:`testimonies.models.Cue`). Files come from captioning tools and
transcription services, so reading is strict about what would lose or shift
words (a malformed time, an end before its start, text that is not UTF-8) and
lenient about what does not matter to an archive (cue settings, styling,
identifiers, regions, comments): each problem is reported with its line, and a
file with any problem gives no cues at all.

Times are whole milliseconds, as both formats write them. A cue's speaker is
its WebVTT voice (``<v Halyna>…``) when the whole cue is one voice; the text is
plain (tags dropped, entities decoded, lines kept). ``[[…]]`` redactions pass
through unchanged: they are the archivists' markup, not the format's.

Written WebVTT (:func:`write_webvtt`) reads back to the same cues.
"""

import dataclasses
import html
import re

from django.utils.translation import gettext as _

#: At most this many problems are reported: a file in the wrong format would
#: otherwise give one per line.
MAX_PROBLEMS = 20
#: Limits of one transcript: an hour's interview has about 600 cues; a day's
#: recording at one cue a second stays under the first.
MAX_CUES = 100_000
MAX_CUE_CHARACTERS = 10_000


@dataclasses.dataclass(frozen=True)
class TimedCue:
    start: int  # milliseconds
    end: int
    text: str
    speaker: str = ""


class TimedTextError(ValueError):
    """The file cannot be read as a transcript; ``problems`` are (line, message)."""

    def __init__(self, problems):
        self.problems = problems[:MAX_PROBLEMS]
        super().__init__("; ".join(self.messages()))

    def messages(self):
        return [
            _("line %(line)s: %(message)s") % {"line": line, "message": message}
            if line
            else message
            for line, message in self.problems
        ]


# WebVTT: hours optional (at least two digits), then mm:ss.ttt. SRT: hh:mm:ss,ttt
# (some tools write a dot, or one digit of hours).
_VTT_TIME = r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_SRT_TIME = r"(\d{1,}):([0-5]\d):([0-5]\d)[,.](\d{3})"
_VTT_TIMING = re.compile(rf"^{_VTT_TIME}[ \t]+-->[ \t]+{_VTT_TIME}(?:[ \t]+.*)?$")
_SRT_TIMING = re.compile(rf"^{_SRT_TIME}[ \t]*-->[ \t]*{_SRT_TIME}(?:[ \t]+.*)?$")
_TAG = re.compile(r"<[^>]*>")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+([^>]*)>")
_LINE_BREAKS = re.compile(r"\r\n|\r|\n")


def read_cues(data):
    """The cues of a WebVTT or SRT file (bytes or text), told apart by content.

    Raises :class:`TimedTextError` for anything that is neither, is broken, or
    holds no cue.
    """
    text = _decode(data) if isinstance(data, bytes) else data
    text = text.removeprefix("\ufeff")
    lines = _LINE_BREAKS.split(text)
    first = lines[0] if lines else ""
    if first == "WEBVTT" or first.startswith(("WEBVTT ", "WEBVTT\t")):
        return _read_webvtt(lines)
    if _looks_like_srt(lines):
        return _read_srt(lines)
    raise TimedTextError(
        [
            (
                1,
                _(
                    "this is neither WebVTT (which starts with the line “WEBVTT”) "
                    "nor SubRip (numbered cues with times like "
                    "“00:01:02,500 --> 00:01:05,000”)."
                ),
            )
        ]
    )


def write_webvtt(cues, note=""):
    """A WebVTT file (text) of ``cues``, read back by :func:`read_cues` unchanged;
    ``note``, one line, is written as a NOTE block before them."""
    parts = ["WEBVTT", ""]
    if note:
        parts += [f"NOTE {' '.join(note.split())}", ""]
    for cue in cues:
        parts.append(f"{format_time(cue.start)} --> {format_time(cue.end)}")
        text = _escape(cue.text)
        if cue.speaker:
            text = f"<v {_escape(cue.speaker)}>{text}"
        parts.extend([text, ""])
    return "\n".join(parts)


def format_time(milliseconds):
    """``01:02:03.456``: the WebVTT time of a number of milliseconds."""
    seconds, millis = divmod(int(milliseconds), 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def format_clock(milliseconds):
    """``01:02:03``: a time in a recording to the second, as pages, messages
    and citations show it."""
    seconds = int(milliseconds) // 1000
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def as_seconds(milliseconds):
    """``751.2``: milliseconds as seconds, exactly, without trailing zeros (for
    ``?t=`` addresses and media fragments, which count in seconds)."""
    whole, millis = divmod(int(milliseconds), 1000)
    return f"{whole}.{millis:03d}".rstrip("0").rstrip(".")


def parse_time(value):
    """Milliseconds of a time as import files write it: ``01:02:03.456``,
    ``02:03.5``, ``01:02:03`` or seconds (``751.2``, as text or a number).
    ``ValueError`` for anything else, negative times included."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not 0 <= value < 10**9:
            raise ValueError(value)
        return round(value * 1000)
    text = str(value).strip()
    if match := re.fullmatch(r"(\d{1,9})(?:[.,](\d{1,3}))?", text):
        seconds, fraction = match.groups()
        return int(seconds) * 1000 + int((fraction or "0").ljust(3, "0"))
    match = re.fullmatch(r"(?:(\d{1,5}):)?([0-5]?\d):([0-5]\d)(?:[.,](\d{1,3}))?", text)
    if match is None:
        raise ValueError(value)
    hours, minutes, seconds, fraction = match.groups()
    return _millis((hours, minutes, seconds, (fraction or "0").ljust(3, "0")))


def _decode(data):
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise TimedTextError(
            [
                (
                    line,
                    _(
                        "the file is not UTF-8 text. Save it as UTF-8 (most "
                        "editors offer it under “Save as” or “Encoding”)."
                    ),
                )
            ]
        ) from None


def _looks_like_srt(lines):
    return any(_SRT_TIMING.match(line.strip()) for line in lines[:20])


def _blocks(lines, start):
    """(line number, lines) of each block of non-blank lines from ``start`` on."""
    block, first = [], None
    for number, line in enumerate(lines[start:], start + 1):
        if line.strip():
            if not block:
                first = number
            block.append(line)
        elif block:
            yield first, block
            block = []
    if block:
        yield first, block


def _millis(groups):
    hours, minutes, seconds, millis = groups
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(
        millis
    )


def _read_webvtt(lines):
    problems, cues = [], []
    # The header runs to the first blank line; what follows are blocks.
    header_end = next((i for i, line in enumerate(lines) if not line.strip()), None)
    if header_end is None:
        return _finish([], problems)
    for number, block in _blocks(lines, header_end):
        head = block[0].strip()
        if head == "NOTE" or head.startswith(("NOTE ", "NOTE\t")):
            continue
        if not cues and head in ("STYLE", "REGION"):
            continue
        # An identifier may come before the times.
        has_identifier = len(block) > 1 and "-->" not in block[0] and "-->" in block[1]
        timing_at = 1 if has_identifier else 0
        timing = block[timing_at].strip()
        match = _VTT_TIMING.match(timing)
        if match is None:
            problems.append((number + timing_at, _bad_timing(timing, "00:01:02.500")))
            continue
        payload = block[timing_at + 1 :]
        if any("-->" in line for line in payload):
            problems.append(
                (
                    number + timing_at + 1,
                    _("a cue's text cannot hold “-->”; is a blank line missing?"),
                )
            )
            continue
        _add_cue(cues, problems, number + timing_at, match, payload)
    return _finish(cues, problems)


def _read_srt(lines):
    problems, cues = [], []
    for number, block in _blocks(lines, 0):
        timing_at = next((i for i, line in enumerate(block[:2]) if "-->" in line), None)
        if timing_at is None:
            problems.append((number, _bad_timing(block[0].strip(), "00:01:02,500")))
            continue
        timing = block[timing_at].strip()
        match = _SRT_TIMING.match(timing)
        if match is None:
            problems.append((number + timing_at, _bad_timing(timing, "00:01:02,500")))
            continue
        _add_cue(cues, problems, number + timing_at, match, block[timing_at + 1 :])
    return _finish(cues, problems)


def _bad_timing(found, example):
    return _(
        "expected a cue's times, like “%(example)s --> 00:01:05.000”, found "
        "“%(found)s”."
    ) % {"example": example, "found": found[:80]}


def _add_cue(cues, problems, number, match, payload):
    start, end = _millis(match.groups()[:4]), _millis(match.groups()[4:])
    if end <= start:
        problems.append(
            (
                number,
                _("the cue ends (%(end)s) before it starts (%(start)s).")
                % {"start": format_time(start), "end": format_time(end)},
            )
        )
        return
    speaker, text = _plain("\n".join(line.strip() for line in payload))
    if len(text) > MAX_CUE_CHARACTERS:
        problems.append(
            (
                number,
                _("the cue's text is longer than %(limit)s characters.")
                % {"limit": f"{MAX_CUE_CHARACTERS:,}"},
            )
        )
        return
    if len(cues) >= MAX_CUES:
        problems.append(
            (number, _("more than %(limit)s cues.") % {"limit": f"{MAX_CUES:,}"})
        )
        return
    cues.append(TimedCue(start, end, text, speaker))


def _plain(payload):
    """(speaker, text) of a cue's payload: its one voice, the text without tags."""
    voices = {name.strip() for name in _VOICE.findall(payload)}
    speaker = voices.pop() if len(voices) == 1 else ""
    text = html.unescape(_TAG.sub("", payload))
    text = text.replace("\u200e", "").replace("\u200f", "").replace("\xa0", " ")
    return html.unescape(speaker), text.strip()


def _escape(text):
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # A blank line would end the cue; each line stays, blank ones dropped.
    return "\n".join(line for line in _LINE_BREAKS.split(text) if line.strip())


def _finish(cues, problems):
    if problems:
        raise TimedTextError(problems)
    if not cues:
        raise TimedTextError([(None, _("the file holds no cues."))])
    # Conforming files list cues by start time; others are put in that order.
    return sorted(cues, key=lambda cue: (cue.start, cue.end))

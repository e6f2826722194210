"""Recordings: recognised by ffprobe, cleaned by ffmpeg, before they are stored.

A phone recording carries where and on what it was made (GPS tags, the device's
name, the owner's name in the title); a video may carry telemetry streams, cover
art, chapters. None of that reaches storage: every new recording is read by
``ffprobe`` (Debian's ffmpeg package, installed by the Makefile), refused unless it
is one of the formats below with codecs a browser plays, then copied stream by
stream (no re-encoding, nothing lost) into a new file of the same format with
only its audio and video streams and no metadata, chapters or attachments.

The copy is also the check that the file is whole: ffmpeg reads every packet,
a damaged one stops it, and a file that says it lasts longer than the packets it
holds (a download cut short) is refused; FLAC, which copies a cut file without
complaint, is decoded once to be sure.

Accepted (docs/recordings.md): MP3; M4A (AAC) and MP4 (H.264 with AAC); Ogg
(Vorbis, Opus, FLAC); WAV (PCM); FLAC; WebM (VP8, VP9 or AV1 with Opus or
Vorbis). Limits from settings, read at call time: TESTIMONY_MAX_RECORDING_BYTES,
TESTIMONY_MAX_RECORDING_SECONDS, TESTIMONY_FFMPEG_TIMEOUT; the tools are
TESTIMONY_FFPROBE and TESTIMONY_FFMPEG.
"""

import contextlib
import dataclasses
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files import File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from . import media
from .timedtext import format_clock


@dataclasses.dataclass(frozen=True)
class Stored:
    """How a file is stored: its extension, ffmpeg's muxer, its content types."""

    extension: str
    muxer: str
    audio_type: str
    video_type: str


@dataclasses.dataclass(frozen=True)
class Container:
    extension: str  # of the stored file, when browsers play what it holds
    muxer: str  # ffmpeg's name for writing it
    audio: frozenset  # codecs browsers play from it
    video: frozenset
    content_type: str  # of audio-only files; video ones say "video/"
    lossless: bool = False  # decoded once to prove it whole
    # How it is stored when browsers cannot play what it holds (the site then
    # plays a converted copy): None when it is stored as above either way.
    unplayable: Stored | None = None


_PCM = frozenset({"pcm_s16le", "pcm_s24le", "pcm_s32le", "pcm_f32le", "pcm_u8"})
_WEBM_AUDIO = frozenset({"opus", "vorbis"})
_NONE = frozenset()
#: ffprobe's format name → what is accepted in it. The ISO family (MP4, M4A,
#: QuickTime) is written back as MP4 with its index first, so playing can start
#: before the whole file has arrived. The last five hold nothing browsers play:
#: they are always converted.
CONTAINERS = {
    "mp3": Container(".mp3", "mp3", frozenset({"mp3"}), _NONE, "audio/mpeg"),
    "mov,mp4,m4a,3gp,3g2,mj2": Container(
        ".m4a",
        "mp4",
        frozenset({"aac"}),
        frozenset({"h264"}),
        "audio/mp4",
        unplayable=Stored(".mov", "mov", "audio/quicktime", "video/quicktime"),
    ),
    "ogg": Container(
        ".ogg", "ogg", frozenset({"vorbis", "opus", "flac"}), _NONE, "audio/ogg"
    ),
    "wav": Container(".wav", "wav", _PCM, _NONE, "audio/wav"),
    "flac": Container(
        ".flac", "flac", frozenset({"flac"}), _NONE, "audio/flac", lossless=True
    ),
    "matroska,webm": Container(
        ".webm",
        "webm",
        _WEBM_AUDIO,
        frozenset({"vp8", "vp9", "av1"}),
        "audio/webm",
        unplayable=Stored(".mkv", "matroska", "audio/x-matroska", "video/x-matroska"),
    ),
    "avi": Container(
        ".avi",
        "avi",
        _NONE,
        _NONE,
        "audio/x-msvideo",
        unplayable=Stored(".avi", "avi", "video/x-msvideo", "video/x-msvideo"),
    ),
    "asf": Container(
        ".asf",
        "asf",
        _NONE,
        _NONE,
        "audio/x-ms-wma",
        unplayable=Stored(".asf", "asf", "audio/x-ms-wma", "video/x-ms-wmv"),
    ),
    "amr": Container(
        ".amr",
        "amr",
        _NONE,
        _NONE,
        "audio/amr",
        unplayable=Stored(".amr", "amr", "audio/amr", "audio/amr"),
    ),
    "aiff": Container(
        ".aiff",
        "aiff",
        _NONE,
        _NONE,
        "audio/aiff",
        unplayable=Stored(".aiff", "aiff", "audio/aiff", "audio/aiff"),
    ),
    "mpegts": Container(
        ".ts",
        "mpegts",
        _NONE,
        _NONE,
        "video/mp2t",
        unplayable=Stored(".ts", "mpegts", "video/mp2t", "video/mp2t"),
    ),
}
#: Codecs browsers cannot play that the archive converts (into AAC and H.264):
#: those of phones, dictaphones, cameras and old software that ffmpeg decodes
#: well. Anything else is refused.
CONVERTED_AUDIO = frozenset(
    {
        *_PCM,
        "pcm_s16be",
        "pcm_s24be",
        "pcm_mulaw",
        "pcm_alaw",
        "mp3",
        "mp2",
        "aac",
        "alac",
        "flac",
        "vorbis",
        "opus",
        "ac3",
        "eac3",
        "wmav1",
        "wmav2",
        "amr_nb",
        "amr_wb",
        "speex",
        "adpcm_ima_wav",
        "adpcm_ms",
    }
)
CONVERTED_VIDEO = frozenset(
    {
        "h264",
        "hevc",
        "mpeg4",
        "mpeg2video",
        "mpeg1video",
        "h263",
        "msmpeg4v2",
        "msmpeg4v3",
        "wmv1",
        "wmv2",
        "wmv3",
        "vc1",
        "mjpeg",
        "prores",
        "dvvideo",
        "theora",
        "vp8",
        "vp9",
        "av1",
    }
)
#: Formats and codecs as archivists read them, for the refusal messages.
ACCEPTED = (
    "MP3; M4A (AAC); MP4 (H.264 video, AAC audio); Ogg (Vorbis, Opus, FLAC); "
    "WAV (PCM); FLAC; WebM (VP8, VP9 or AV1 video, Opus or Vorbis audio); and, "
    "converted to a copy browsers play: MOV, MKV, AVI, WMA/WMV, AMR, AIFF and "
    "MPEG-TS with the common codecs of phones and cameras (H.265, MPEG-4, "
    "ProRes, AC-3, ALAC, AMR…)"
)
#: A file may say it lasts this much longer than what it holds (encoders round).
DURATION_SLACK_MS = 500


@dataclasses.dataclass(frozen=True)
class Probe:
    """What ffprobe found in an accepted file."""

    container: Container
    kind: str  # "audio" or "video"
    duration_ms: int
    streams: tuple  # indexes of the audio and video streams kept
    codecs: str  # "h264, aac"
    playable: bool = True  # by browsers, as it is; else the site plays a copy

    @property
    def stored(self):
        """How the file is stored (:class:`Stored`)."""
        container = self.container
        if not self.playable and container.unplayable is not None:
            return container.unplayable
        extension = container.extension
        if container.muxer == "mp4" and self.kind == "video":
            extension = ".mp4"
        return Stored(
            extension,
            container.muxer,
            container.content_type,
            f"video/{extension.removeprefix('.')}",
        )

    @property
    def extension(self):
        return self.stored.extension

    @property
    def content_type(self):
        stored = self.stored
        return stored.video_type if self.kind == "video" else stored.audio_type


@dataclasses.dataclass(frozen=True)
class CleanCopy:
    """A recording copied clean into a temporary file, which the caller moves
    into storage or removes."""

    found: Probe
    path: str
    size: int
    sha256: str

    def fields(self):
        """What a Recording stores of it, besides the file itself."""
        return {
            "kind": self.found.kind,
            "duration_ms": self.found.duration_ms,
            "codecs": self.found.codecs,
            "content_type": self.found.content_type,
            "playable": self.found.playable,
            "size": self.size,
            "sha256": self.sha256,
        }


def clean_copy(source, found=None):
    """The :class:`CleanCopy` of the file at ``source`` (probed unless ``found``
    is its probe already); ValidationError when it is refused, and then no
    temporary file is left."""
    found = found or probe(source)
    handle, path = tempfile.mkstemp(
        suffix=found.extension, dir=settings.FILE_UPLOAD_TEMP_DIR
    )
    os.close(handle)
    try:
        copy_clean(source, path, found)
        with open(path, "rb") as stream:
            digest = media.sha256_of_stream(stream)
    except BaseException:
        os.unlink(path)
        raise
    return CleanCopy(found, path, os.path.getsize(path), digest)


def validate_recording_upload(file):
    """Refuse an upload that is not an accepted recording within the limits.

    A file already in storage passed when it arrived and is not read again.
    The probe is kept on the upload, so saving does not run ffprobe twice.
    """
    if media.is_stored(file):
        return
    with _local_copy(file) as path:
        file._testimony_probe = probe(path)


def prepare_recording(recording):
    """Before saving: replace a new upload by its clean copy, and record what it is.

    Does nothing when the file did not change. A bad file raises
    ValidationError even when the caller skipped full_clean(), so an unchecked
    file is never stored. A replaced file is deleted once the change commits.
    """
    upload = recording.file
    if not upload or media.is_stored(upload):
        return
    with _local_copy(upload) as path:
        copy = clean_copy(path, getattr(upload, "_testimony_probe", None))
    replaced = media.stored_names(recording, "file", "public_file")
    recording.file = MovedFile(copy.path, f"recording{copy.found.extension}")
    for name, value in copy.fields().items():
        setattr(recording, name, value)
    # A public copy silenced the old file: until one is made of the new
    # (testimonies.public_copy), a recording with redacted ranges plays nothing.
    recording.public_file, recording.public_silences = "", None
    media.delete_on_commit(type(recording), replaced)


def probe(path):
    """The :class:`Probe` of the file at ``path``; ValidationError if refused."""
    size = os.path.getsize(path)
    if size > settings.TESTIMONY_MAX_RECORDING_BYTES:
        raise _too_large(settings.TESTIMONY_MAX_RECORDING_BYTES)
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty_file")
    found = _run_json(
        [
            _tool("TESTIMONY_FFPROBE"),
            "-v",
            "error",
            "-show_entries",
            "format=format_name,duration:stream=index,codec_type,codec_name"
            ":stream_disposition=attached_pic",
            "-of",
            "json",
            str(path),
        ]
    )
    if found is None or not found.get("format"):
        raise _not_a_recording()
    container = CONTAINERS.get(found["format"].get("format_name"))
    if container is None:
        raise _not_a_recording()
    kept, codecs, kind, playable = [], [], "audio", True
    for stream in found.get("streams", []):
        kind_of_stream = stream.get("codec_type")
        if kind_of_stream not in ("audio", "video"):
            continue  # data, subtitles, timecodes: dropped
        if stream.get("disposition", {}).get("attached_pic"):
            continue  # cover art
        codec = stream.get("codec_name", "?")
        audio = kind_of_stream == "audio"
        plays = container.audio if audio else container.video
        converted = CONVERTED_AUDIO if audio else CONVERTED_VIDEO
        if codec not in plays | converted:
            raise ValidationError(
                _(
                    "This recording's %(kind)s is encoded as “%(codec)s”, which "
                    "this archive can neither play nor convert. Accepted: "
                    "%(accepted)s. Convert it (for example to MP4 with H.264 and "
                    "AAC, or to MP3) and upload it again."
                ),
                code="unsupported_codec",
                params={"kind": kind_of_stream, "codec": codec, "accepted": ACCEPTED},
            )
        playable = playable and codec in plays
        kept.append(stream["index"])
        codecs.append(codec)
        if kind_of_stream == "video":
            kind = "video"
    if not kept:
        raise ValidationError(
            _("The file holds no sound and no picture."), code="no_streams"
        )
    try:
        duration_ms = round(float(found["format"]["duration"]) * 1000)
    except (KeyError, TypeError, ValueError):
        raise _damaged() from None
    if duration_ms <= 0:
        raise _damaged()
    limit = settings.TESTIMONY_MAX_RECORDING_SECONDS
    if duration_ms > limit * 1000:
        raise ValidationError(
            _(
                "The recording is longer than %(hours)s hours. Split it into "
                "parts (a testimony may have several recordings)."
            ),
            code="recording_too_long",
            params={"hours": f"{limit / 3600:g}"},
        )
    return Probe(container, kind, duration_ms, tuple(kept), ", ".join(codecs), playable)


def copy_clean(source, target, found):
    """Copy the kept streams of ``source`` into ``target``, without metadata.

    ValidationError when the copy shows the file damaged or cut short.
    """
    # Any error stops ffmpeg (-xerror) and is printed: either refuses the file.
    strict = [_tool("TESTIMONY_FFMPEG"), "-v", "error", "-xerror", "-nostdin"]
    command = [*strict, "-i", str(source)]
    for index in found.streams:
        command += ["-map", f"0:{index}"]
    command += ["-map_metadata", "-1", "-map_chapters", "-1", "-c", "copy"]
    command += ["-fflags", "+bitexact", "-flags:a", "+bitexact"]
    command += ["-flags:v", "+bitexact"]
    muxer = found.stored.muxer
    if muxer in ("mp4", "mov"):
        command += ["-movflags", "+faststart"]
    command += ["-f", muxer, "-y", str(target)]
    result = _run(command)
    if result is None or result.returncode or result.stderr.strip():
        raise _damaged()
    copied = probe(target)
    if found.duration_ms - copied.duration_ms > max(
        DURATION_SLACK_MS, found.duration_ms // 100
    ):
        raise ValidationError(
            _(
                "The file is cut short: it says it lasts %(said)s but holds "
                "%(held)s. Upload the whole file."
            ),
            code="truncated_recording",
            params={
                "said": format_clock(found.duration_ms),
                "held": format_clock(copied.duration_ms),
            },
        )
    if found.container.lossless:
        decoded = _run([*strict, "-i", str(target), "-f", "null", "-"])
        if decoded is None or decoded.returncode or decoded.stderr.strip():
            raise _damaged()


#: A silenced range reaches this far past each end of a redacted one: audio is
#: filtered frame by frame (20–50 ms each), and a file may start a little
#: after zero (an MP3 encoder's delay).
SILENCE_MARGIN_MS = 150
#: What the public copy of a recording of each kind is.
COPY_TYPES = {"audio": "audio/mp4", "video": "video/mp4"}


def playable_copy(source, kind, silences, progress=None, duration_ms=None):
    """A temporary MP4 (``.m4a`` for audio) of the file at ``source`` (a
    recording of ``kind``), re-encoded as AAC (and H.264), which every browser
    plays, with each ``[start_ms, end_ms]`` of ``silences`` silent, and for a
    video, black. The caller moves the file into storage or removes it.
    ValidationError when ffmpeg fails; then no file is left. ``progress`` is
    called with the share done (0–99) now and then, counted against
    ``duration_ms``."""
    spans = "+".join(
        f"between(t,{max(start - SILENCE_MARGIN_MS, 0) / 1000:.3f},"
        f"{(end + SILENCE_MARGIN_MS) / 1000:.3f})"
        for start, end in silences
    )
    video = kind == "video"
    handle, path = tempfile.mkstemp(
        suffix=".mp4" if video else ".m4a", dir=settings.FILE_UPLOAD_TEMP_DIR
    )
    os.close(handle)
    command = [_tool("TESTIMONY_FFMPEG"), "-v", "error", "-nostdin", "-i", str(source)]
    command += ["-map", "0:v?", "-map", "0:a?", "-map_metadata", "-1"]
    command += ["-map_chapters", "-1"]
    if spans:
        command += ["-af", f"volume=volume=0:enable='{spans}'"]
    command += ["-c:a", "aac", "-b:a", "128k"]
    if video:
        # H.264 in 4:2:0 wants an even width and height.
        filters = ["scale=trunc(iw/2)*2:trunc(ih/2)*2"]
        if spans:
            filters.append(f"drawbox=color=black:t=fill:enable='{spans}'")
        command += ["-vf", ",".join(filters)]
        command += ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23"]
        command += ["-pix_fmt", "yuv420p"]
    command += ["-fflags", "+bitexact", "-movflags", "+faststart"]
    command += ["-f", "mp4", "-y", path]
    result = _run_reporting(command, progress, duration_ms)
    if result is None or result.returncode:
        os.unlink(path)
        raise ValidationError(
            _("The public copy could not be made: %(error)s"),
            code="copy_failed",
            params={"error": _ran_out(result)},
        )
    return path


def recording_path(instance, filename):
    return media.random_name("recordings", filename)


def _tool(setting):
    name = getattr(settings, setting)
    found = shutil.which(name)
    if found is None:
        raise ImproperlyConfigured(
            f"{setting} is {name!r}, which is not installed: recordings need "
            "Debian's ffmpeg package (make setup installs it)."
        )
    return found


def _run(command, timeout=None):
    """The finished process, or None when it ran past ``timeout`` seconds
    (TESTIMONY_FFMPEG_TIMEOUT unless told)."""
    try:
        return subprocess.run(
            command,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout or settings.TESTIMONY_FFMPEG_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None


#: How often a long run of ffmpeg reports how far it is, in seconds.
PROGRESS_EVERY = 2.0


def _run_reporting(command, progress, duration_ms):
    """Like :func:`_run`, for a run of ffmpeg that may take minutes (within
    TESTIMONY_TRANSCODE_TIMEOUT): its ``-progress`` lines are read as it works,
    and ``progress(percent)`` called every :data:`PROGRESS_EVERY` seconds."""
    command = [*command[:1], "-progress", "pipe:1", "-nostats", *command[1:]]
    timed_out = threading.Event()
    with tempfile.TemporaryFile(mode="w+", errors="replace") as errors:
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=errors, text=True
        )

        def stop():
            timed_out.set()
            process.kill()

        watchdog = threading.Timer(settings.TESTIMONY_TRANSCODE_TIMEOUT, stop)
        watchdog.start()
        told = time.monotonic()
        try:
            for line in process.stdout:
                key, _, value = line.strip().partition("=")
                if key != "out_time_us" or not (progress and duration_ms):
                    continue
                if time.monotonic() - told >= PROGRESS_EVERY and value.isdigit():
                    told = time.monotonic()
                    progress(min(99, int(value) // 10 // duration_ms))
            process.wait()
        finally:
            watchdog.cancel()
            if process.poll() is None:
                process.kill()
                process.wait()
        if timed_out.is_set():
            return None
        errors.seek(0)
        return subprocess.CompletedProcess(
            command, process.returncode, "", errors.read()
        )


def _ran_out(result):
    """What went wrong in a run of ffmpeg, in a line."""
    if result is None:
        return _("it took too long.")
    lines = result.stderr.strip().splitlines()
    return lines[-1][:300] if lines else f"exit status {result.returncode}"


def _run_json(command):
    result = _run(command)
    if result is None or result.returncode:
        return None
    try:
        return json.loads(result.stdout)
    except ValueError:
        return None


def stored_copy(file):
    """A stored recording (a FieldFile) as a file on disk, for the tools to read:
    itself in a local media folder, else a temporary copy."""
    try:
        return contextlib.nullcontext(Path(file.path))
    except NotImplementedError:
        return _local_copy(file)


class _local_copy:
    """The upload as a file on disk, for the tools to read (its own temporary
    file when Django streamed it to disk, else a copy removed afterwards)."""

    def __init__(self, upload):
        self.upload = upload
        self.made = None

    def __enter__(self):
        file = getattr(self.upload, "file", self.upload)
        for candidate in (self.upload, file):
            if hasattr(candidate, "temporary_file_path"):
                return Path(candidate.temporary_file_path())
        handle, name = tempfile.mkstemp(dir=settings.FILE_UPLOAD_TEMP_DIR)
        self.made = name
        limit = settings.TESTIMONY_MAX_RECORDING_BYTES
        written = 0
        with os.fdopen(handle, "wb") as stream:
            self.upload.seek(0)
            for chunk in self.upload.chunks():
                written += len(chunk)
                if written > limit:
                    break
                stream.write(chunk)
            self.upload.seek(0)
        if written > limit:
            os.unlink(name)
            raise _too_large(limit)
        return Path(name)

    def __exit__(self, *exc):
        if self.made:
            os.unlink(self.made)


class MovedFile(File):
    """A clean copy on disk that storage moves into place instead of copying."""

    def __init__(self, path, name):
        super().__init__(open(path, "rb"), name=name)  # noqa: SIM115 (storage closes)
        self.path = path

    def temporary_file_path(self):
        return self.path


def _too_large(limit):
    return ValidationError(
        _("The file is too large: recordings may be at most %(limit)s."),
        code="file_too_large",
        params={"limit": filesizeformat(limit)},
    )


def _not_a_recording():
    return ValidationError(
        _("This file is not a recording of an accepted kind. Accepted: %(accepted)s."),
        code="not_a_recording",
        params={"accepted": ACCEPTED},
    )


def _damaged():
    return ValidationError(
        _(
            "The recording is damaged or incomplete: it cannot be read to the "
            "end. Upload the original file again."
        ),
        code="damaged_recording",
    )

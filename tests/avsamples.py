"""Small recordings made by ffmpeg for the tests: tones and test cards, with the
metadata a phone would leave in them (all of it invented)."""

import re
import subprocess
from pathlib import Path

#: What a phone writes into its recordings; none of it may reach storage.
PLANTED = {
    "title": "Secret Narrator Name",
    "artist": "Olena Fictional",
    "comment": "FictionalPhone X1",
    "location": "+50.9123+034.8123/",
}
#: Codec options of each kind of sample, by the name of its file.
RECIPES = {
    "tone.mp3": ["-c:a", "libmp3lame"],
    "tone.m4a": ["-c:a", "aac"],
    "tone.ogg": ["-c:a", "libvorbis"],
    "tone.opus": ["-c:a", "libopus", "-f", "ogg"],
    "tone.wav": ["-c:a", "pcm_s16le"],
    "tone.flac": ["-c:a", "flac"],
}
VIDEO_RECIPES = {
    "card.mp4": ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac"],
    "card.webm": ["-c:v", "libvpx", "-c:a", "libopus"],
}


#: Files browsers cannot play, which the archive keeps and converts: name →
#: (maker, codec options).
CONVERTED = {
    "card.avi": ("card", ["-c:v", "mpeg4", "-c:a", "pcm_s16le"]),
    "card.mov": ("card", ["-c:v", "mpeg4", "-c:a", "aac", "-f", "mov"]),
    "card.mkv": ("card", ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac"]),
    "tone.aiff": ("tone", ["-c:a", "pcm_s16be"]),
    "tone.wma": ("tone", ["-c:a", "wmav2", "-f", "asf"]),
    "alac.m4a": ("tone", ["-c:a", "alac"]),
}


def make_converted(path):
    """A sample of :data:`CONVERTED`, by the name of its file."""
    maker, options = CONVERTED[Path(path).name]
    return (make_card if maker == "card" else make_tone)(path, options=options)


def ffmpeg(*arguments):
    subprocess.run(
        ["ffmpeg", "-v", "error", "-nostdin", "-y", *map(str, arguments)],
        check=True,
        capture_output=True,
    )


def metadata_arguments():
    arguments = []
    for key, value in PLANTED.items():
        arguments += ["-metadata", f"{key}={value}"]
    return arguments


def make_tone(path, seconds=2, options=None):
    """A 440 Hz tone of ``seconds``, encoded as its suffix says (:data:`RECIPES`)."""
    path = Path(path)
    options = RECIPES["tone" + path.suffix] if options is None else options
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        f"sine=frequency=440:duration={seconds}",
        *options,
        *metadata_arguments(),
        path,
    )
    return path


def make_card(path, seconds=2, options=None):
    """A small test card with a tone, encoded as the file name says."""
    path = Path(path)
    options = VIDEO_RECIPES["card" + path.suffix] if options is None else options
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        f"testsrc=size=96x64:rate=10:duration={seconds}",
        "-f",
        "lavfi",
        "-i",
        f"sine=frequency=330:duration={seconds}",
        *options,
        *metadata_arguments(),
        "-shortest",
        path,
    )
    return path


def cut(path, target, share=0.6):
    """The first ``share`` of the file's bytes: a download cut short."""
    data = Path(path).read_bytes()
    Path(target).write_bytes(data[: int(len(data) * share)])
    return Path(target)


def loudness(path, start, end):
    """The loudest sample of ``path`` between ``start`` and ``end`` seconds, in
    dB below full scale (-91 is digital silence), as ffmpeg's volumedetect
    measures it."""
    found = subprocess.run(
        ["ffmpeg", "-v", "info", "-nostdin", "-ss", str(start), "-to", str(end)]
        + ["-i", str(path), "-af", "volumedetect", "-vn", "-f", "null", "-"],
        check=True,
        capture_output=True,
        text=True,
    )
    match = re.search(r"max_volume: (-?[0-9.]+|-inf) dB", found.stderr)
    assert match, found.stderr
    return -91.0 if match.group(1) == "-inf" else float(match.group(1))


def brightness(path, at):
    """The mean luma (0–255) of the video frame of ``path`` at ``at`` seconds."""
    found = subprocess.run(
        ["ffmpeg", "-v", "info", "-nostdin", "-ss", str(at), "-i", str(path)]
        + ["-frames:v", "1", "-vf", "signalstats,metadata=print", "-an"]
        + ["-f", "null", "-"],
        check=True,
        capture_output=True,
        text=True,
    )
    match = re.search(r"lavfi\.signalstats\.YAVG=([0-9.]+)", found.stderr)
    assert match, found.stderr
    return float(match.group(1))

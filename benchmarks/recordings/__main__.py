"""``python -m benchmarks.recordings``: what checking and cleaning an upload costs.

    .venv/bin/python -m benchmarks.recordings [--minutes 10] [--formats mp3,m4a,…]

For each format, ffmpeg makes a recording of ``--minutes`` (a tone; video: a small
test card with a tone), untimed; then what a save does is timed: ``avmedia.probe``
(ffprobe reads the container) and ``avmedia.copy_clean`` (the stream copy without
metadata, the checks that the file is whole, FLAC's decode). Prints seconds and
the copy's seconds per hour of recording; the probe is a fixed cost per file
(docs/performance.md, "Recordings").
"""

import argparse
import os
import tempfile
import time
from pathlib import Path

import django

FORMATS = {
    "mp3": (".mp3", ["-c:a", "libmp3lame", "-b:a", "128k"]),
    "m4a": (".m4a", ["-c:a", "aac", "-b:a", "128k"]),
    "opus": (".ogg", ["-c:a", "libopus", "-b:a", "48k"]),
    "flac": (".flac", ["-c:a", "flac"]),
    "wav": (".wav", ["-c:a", "pcm_s16le"]),
    "mp4": (
        ".mp4",
        [
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
        ],
    ),
}


def make(path, minutes, options):
    import subprocess

    seconds = int(minutes * 60)
    inputs = ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
    if path.suffix == ".mp4":
        inputs = [
            "-f",
            "lavfi",
            "-i",
            f"testsrc=size=320x240:rate=25:duration={seconds}",
            *inputs,
        ]
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-nostdin",
            "-y",
            *inputs,
            *options,
            "-shortest",
            str(path),
        ],
        check=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--formats", default=",".join(FORMATS))
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings.dev")
    django.setup()
    from testimonies import avmedia

    print(
        f"{'format':8} {'size':>10} {'probe':>8} {'copy+check':>11}"
        f" {'copy per hour':>14}"
    )
    with tempfile.TemporaryDirectory() as folder:
        for name in options.formats.split(","):
            extension, codec = FORMATS[name]
            source = Path(folder) / f"source{extension}"
            make(source, options.minutes, codec)
            started = time.perf_counter()
            found = avmedia.probe(source)
            probed = time.perf_counter()
            avmedia.copy_clean(source, Path(folder) / f"clean{found.extension}", found)
            done = time.perf_counter()
            hours = found.duration_ms / 3_600_000
            size = source.stat().st_size / 1e6
            print(
                f"{name:8} {size:8.1f} MB {probed - started:7.2f}s "
                f"{done - probed:10.2f}s {(done - probed) / hours:13.1f}s"
            )
            for path in Path(folder).iterdir():
                path.unlink()


if __name__ == "__main__":
    main()

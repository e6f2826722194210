"""The recordings benchmark runs and prints a figure per format."""

import subprocess
import sys

from ..scratch import ROOT


def test_prints_what_checking_each_format_costs():
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.recordings",
            "--minutes",
            "0.1",
            "--formats",
            "mp3,flac,mp4",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    rows = [line.split()[0] for line in done.stdout.splitlines()[1:]]
    assert rows == ["mp3", "flac", "mp4"]
    assert "copy per hour" in done.stdout

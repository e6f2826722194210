"""scripts/with_worker.py (`make run`, `make serve`): the task worker runs beside
the web server, makes what was left waiting, and stops with it."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from .scratch import ROOT

pytestmark = pytest.mark.django_db

#: A recording of a testimony with a redacted range whose copy nobody made yet
#: (as a worker stopped in the middle of it leaves it).
WAITING = """
from pathlib import Path
import tempfile
from django.core.files import File
from testimonies.models import Recording, RedactedRange, Testimony
from tests.avsamples import make_tone

testimony = Testimony.objects.create(identifier="KS-WORKER-1", title="t", body="b")
with tempfile.TemporaryDirectory() as folder:
    tone = make_tone(Path(folder) / "tone.mp3", seconds=3)
    recording = Recording(testimony=testimony, access="restricted")
    recording.file = File(open(tone, "rb"), name="tone.mp3")
    recording.save()
RedactedRange.objects.create(recording=recording, start_ms=1000, end_ms=2000)
"""
#: The "web server": waits until the worker beside it has made the copy.
SERVER = """
import sys, time
import django
django.setup()
from testimonies.models import Recording
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    if Recording.objects.get().public_silences == [[1000, 2000]]:
        sys.exit(7)
    time.sleep(0.2)
sys.exit(1)
"""


def start(scratch, command):
    return subprocess.Popen(
        [sys.executable, "scripts/with_worker.py", *command],
        cwd=ROOT,
        env=scratch.environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, to find what it left
    )


def left_running(group):
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_worker_makes_what_waited_and_ends_with_the_server(scratch):
    scratch.python(WAITING)
    runner = start(scratch, [sys.executable, "-c", textwrap.dedent(SERVER)])
    out, err = runner.communicate(timeout=120)
    # The server's own exit status: it saw the copy made by the worker.
    assert runner.returncode == 7, err
    deadline = time.monotonic() + 10
    while left_running(runner.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not left_running(runner.pid)


def test_sigterm_stops_the_server_and_the_worker(scratch):
    runner = start(scratch, [sys.executable, "-c", "import time; time.sleep(60)"])
    time.sleep(3)
    assert runner.poll() is None
    runner.send_signal(signal.SIGTERM)
    runner.communicate(timeout=60)
    assert runner.returncode == 128 + signal.SIGTERM
    deadline = time.monotonic() + 10
    while left_running(runner.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not left_running(runner.pid)


def workers_of(runner):
    found = subprocess.run(
        ["pgrep", "-P", str(runner.pid), "-f", "db_worker"],
        capture_output=True,
        text=True,
    )
    return {int(pid) for pid in found.stdout.split()}


def test_a_worker_that_dies_is_started_again(scratch):
    runner = start(scratch, [sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        deadline = time.monotonic() + 20
        while not workers_of(runner) and time.monotonic() < deadline:
            time.sleep(0.2)
        [first] = workers_of(runner)
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 20
        while workers_of(runner) in (set(), {first}) and time.monotonic() < deadline:
            time.sleep(0.2)
        [second] = workers_of(runner)
        assert second != first
    finally:
        runner.send_signal(signal.SIGTERM)
        runner.communicate(timeout=60)

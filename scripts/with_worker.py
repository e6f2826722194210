"""Run the web server with the task worker beside it (`make run`, `make serve`).

    python scripts/with_worker.py manage.py runserver 127.0.0.1:8000

Work that must not hold a web request (the silenced copy of a recording, an
import uploaded in the admin) is queued in the database and run by
``manage.py db_worker`` (Django's tasks framework, docs/operations.md). This
starts the worker, then the command. A worker that stops by itself (a crash) is
started again; when the command ends (Ctrl-C, SIGTERM, or by itself) the worker
is stopped too, after the task it is running if that takes less than
:data:`GRACE` seconds. Copies that are still missing (a worker stopped in the
middle of one) are queued again first, so none waits for ever.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: How long the worker may take to finish its task once asked to stop.
GRACE = 30
#: At most one restart of a worker that stopped by itself in this many seconds.
RESTART_DELAY = 5


def run(command, env=None):
    """Run ``command`` (a list) in the repository with the worker beside it;
    its exit status (128 + the signal's number when a signal ended it)."""
    env = dict(os.environ if env is None else env)
    python = sys.executable
    manage = [python, "manage.py"]
    subprocess.run(
        [*manage, "make_public_copies", "--enqueue", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )

    def start_worker():
        return subprocess.Popen([*manage, "db_worker", "-v0"], cwd=ROOT, env=env)

    worker = start_worker()
    server = subprocess.Popen(command, cwd=ROOT, env=env)

    def forward(signum, _frame):
        server.send_signal(signum)

    previous = signal.signal(signal.SIGTERM, forward)
    stopping, restart_at = False, 0.0
    try:
        while True:
            try:
                status = server.wait(timeout=1)
                # Ended by a signal: the shell's way of saying so.
                return 128 - status if status < 0 else status
            except subprocess.TimeoutExpired:
                # A worker that stopped (a crash, an error in the code it
                # reloaded) is started again: queued work must not wait for ever.
                dead = not stopping and worker.poll() is not None
                if dead and time.monotonic() >= restart_at:
                    print(
                        f"The task worker stopped (status {worker.returncode}): "
                        "starting it again.",
                        file=sys.stderr,
                    )
                    worker = start_worker()
                    restart_at = time.monotonic() + RESTART_DELAY
            except KeyboardInterrupt:
                # Ctrl-C reached the server and the worker too (one process
                # group): wait for the server to end.
                stopping = True
    finally:
        signal.signal(signal.SIGTERM, previous)
        stop(worker)


def stop(worker):
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=GRACE)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    arguments = sys.argv[1:]
    if arguments[0].endswith(".py"):
        arguments = [sys.executable, *arguments]
    sys.exit(run(arguments))

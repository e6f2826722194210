"""``python -m benchmarks.downloads``: downloading a whole result set
(docs/performance.md, "Downloads").

    .venv/bin/python -m benchmarks.downloads [--records 10000]
    scripts/with_postgres.py .venv/bin/python -m benchmarks.downloads

On a throwaway database (``benchmarks.databases``), imports ``--records``
synthetic published testimonies (the import benchmark's lines), then downloads
all of them in every format through the archive's own view, each in a fresh child
process so that its peak memory is its own: the figures are time, size, and the
peak resident memory (``VmHWM``) of the child against the same child having
served ``/robots.txt``. A download that held the whole set would grow with it; a
streamed one stays flat (``--records 1000`` against 10,000 shows which). On
SQLite the resident memory also counts the database file's pages read through
``mmap`` (``PRAGMA mmap_size``: the operating system's cache, not ours), so a
second pass under ``tracemalloc`` gives the peak of Python objects alive at once.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from ..databases import Refused, Throwaway
from ..imports.__main__ import synthetic_line

FORMATS = ("csv", "jsonl", "bibtex", "ris", "csl")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.downloads")
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--database-url")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child)
    if args.records < 1:
        parser.error("--records must be positive")
    workdir = Path(tempfile.mkdtemp(prefix="bench-download-"))
    try:
        database = Throwaway.create(
            workdir, prefix="download_bench", url=args.database_url
        )
    except Refused as refusal:
        shutil.rmtree(workdir)
        parser.error(str(refusal))
    os.environ["DATABASE_URL"] = database.url
    os.environ["DJANGO_MEDIA_ROOT"] = str(workdir / "media")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings.dev")
    try:
        load(args.records, workdir)
        print(f"{database.vendor}, {args.records:,} published testimonies")
        print(
            f"{'format':<8} {'records':>8} {'MB':>7} {'seconds':>8} "
            f"{'records/s':>10} {'peak RSS':>9} {'page RSS':>9} {'growth':>7} "
            f"{'Python peak':>11}"
        )
        for name in FORMATS:
            report(name)
    finally:
        from django.db import connections

        connections.close_all()
        database.drop()
        shutil.rmtree(workdir, ignore_errors=True)


def load(records, workdir):
    import django

    django.setup()
    from django.core.management import call_command

    from testimonies.importing import import_testimonies

    call_command("migrate", verbosity=0)
    rng = random.Random(1)
    data = workdir / "bench.jsonl"
    with data.open("w", encoding="utf-8") as stream:
        for number in range(records):
            line = synthetic_line(number, rng)
            line.update(status="published", access="public")
            stream.write(json.dumps(line, ensure_ascii=False) + "\n")
    with data.open("rb") as stream:
        import_testimonies(stream)


def report(name):
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.downloads", "--child", name],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ,
    ).stdout
    figures = json.loads(output.strip().splitlines()[-1])
    growth = figures["peak_mb"] - figures["page_mb"]
    print(
        f"{name:<8} {figures['records']:>8,} {figures['bytes'] / 1e6:>7.1f} "
        f"{figures['seconds']:>8.2f} {figures['records'] / figures['seconds']:>10,.0f} "
        f"{figures['peak_mb']:>7.0f} MB {figures['page_mb']:>6.0f} MB "
        f"{growth:>4.0f} MB {figures['python_mb']:>7.1f} MB"
    )


def child(name):
    import warnings

    import django

    # Static files are not collected for a benchmark; no page here needs them.
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    # The same process having served a page that reads no testimony: the baseline.
    assert client.get("/robots.txt").status_code == 200
    page_mb = peak_rss_mb()
    start = time.perf_counter()
    response = client.get("/testimonies/", {"format": name})
    assert response.status_code == 200 and response.streaming
    size = 0
    for chunk in response.streaming_content:
        size += len(chunk)
    seconds = time.perf_counter() - start
    peak_mb = peak_rss_mb()
    # Again, counting the Python objects alive at once (slower: not timed).
    tracemalloc.start()
    for _chunk in client.get("/testimonies/", {"format": name}).streaming_content:
        pass
    python_mb = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    figures = {
        "records": int(response["X-Result-Count"]),
        "bytes": size,
        "seconds": seconds,
        "page_mb": page_mb,
        "peak_mb": peak_mb,
        "python_mb": python_mb,
    }
    print(json.dumps(figures))
    return 0


def peak_rss_mb():
    """This process's peak resident memory: ``VmHWM``, which (unlike
    ``ru_maxrss``, kept across ``exec``) starts afresh in a new program."""
    status = Path("/proc/self/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


if __name__ == "__main__":
    sys.exit(main())

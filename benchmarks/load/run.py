"""One load run: a throwaway database, gunicorn in front of it, 16 visitors and an
archivist for a fixed time, an import started part-way, then the verdict."""

import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import gevent
from locust.env import Environment

from . import consistency, data, report, visitors
from .database import ARCHIVIST, ROOT, Database
from .server import Server

BASE_PREFIX, IMPORT_PREFIX = "LOADBASE", "LOADIMPORT"
VISITORS = 16
#: After the import, readers go on this long: their searches must find it all.
TAIL_SECONDS = 2
#: However slow the import, the run never goes on longer than this past --seconds.
IMPORT_TIMEOUT = 600


def run(
    *, seconds, import_lines, base_lines, server, database_url, workers, keep, write
):
    """Run the load; print figures and criteria with ``write``; True if all met.

    The database is a new one (on the PostgreSQL ``server`` if given, else a SQLite
    file), or ``database_url``: an existing one without testimonies, left in place.
    """
    folder = Path(tempfile.mkdtemp(prefix="bench-load-"))
    database = Database(folder, server=server, url=database_url)
    server = None
    try:
        write(
            f"Load benchmark on {database.vendor}: {VISITORS} visitors and an "
            f"archivist for {seconds} s, an import of {import_lines:,} lines "
            f"started at {seconds * 0.25:.0f} s, over {base_lines:,} testimonies"
        )
        started = time.monotonic()
        base = data.write(folder / "base.jsonl", base_lines, prefix=BASE_PREFIX, seed=1)
        imported = data.write(
            folder / "import.jsonl",
            import_lines,
            prefix=IMPORT_PREFIX,
            seed=2,
            marker=True,
        )
        survey = database.prepare(base)
        server = Server(database, folder / "gunicorn.log", workers=workers)
        server.wait_until_ready()
        write(f"Set up in {time.monotonic() - started:.1f} s; gunicorn at {server.url}")
        return _load(database, server, survey, imported, seconds, import_lines, write)
    finally:
        if server:
            server.stop()
        database.drop()
        if keep:
            write(f"Kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def _load(database, server, survey, imported, seconds, expected, write):
    plan = visitors.Plan(
        testimonies=survey["testimonies"],
        themes=survey["themes"],
        places=survey["places"],
        edited=survey["edited"],
        archivist=ARCHIVIST,
    )
    visitors.PLAN = plan
    statuses = {}

    def count_status(name, response=None, **_ignored):
        code = getattr(response, "status_code", 0) or 0
        statuses[code] = statuses.get(code, 0) + 1

    environment = Environment(
        user_classes=[visitors.Visitor, visitors.Archivist], host=server.url
    )
    environment.events.request.add_listener(count_status)
    count, close = database.committed_count(IMPORT_PREFIX)
    poller = consistency.Poller(count)
    importer = _Import(database, imported, expected)

    poller.start()
    runner = environment.create_local_runner()
    begin = time.monotonic()
    runner.start(VISITORS + 1, spawn_rate=100)
    gevent.spawn_later(seconds * 0.25, importer.start)
    gevent.sleep(seconds)
    deadline = time.monotonic() + IMPORT_TIMEOUT
    while importer.finished_at is None and time.monotonic() < deadline:
        gevent.sleep(0.2)
    if importer.finished_at is not None:
        gevent.sleep(max(0, importer.finished_at + TAIL_SECONDS - time.monotonic()))
    runner.quit()
    elapsed = time.monotonic() - begin
    final = _final_searches(server.url, plan)
    poller.stop()
    close()

    write("")
    for line in report.table(environment.stats, elapsed):
        write(line)
    write("")
    if importer.finished_at is not None:
        took = importer.finished_at - importer.started_at
        write(
            f"Import: {expected:,} lines in {took:.1f} s under load "
            f"({expected / took:,.0f} lines/s), exit status {importer.returncode}"
        )
    write(
        f"Archivist: {plan.saves} saves; status codes: {dict(sorted(statuses.items()))}"
    )
    criteria = _criteria(environment.stats, statuses, importer, plan, poller, final)
    tracebacks = server.log().count("Traceback")
    criteria.append((tracebacks == 0, f"no traceback in gunicorn's log: {tracebacks}"))
    lines, met = report.verdict(criteria)
    write("Criteria:")
    for line in lines:
        write(line)
    if tracebacks:
        write("gunicorn's log, first traceback:")
        log = server.log()
        start = log.index("Traceback")
        write(log[max(0, start - 400) : start + 3000])
    return met


def _criteria(stats, statuses, importer, plan, poller, final):
    expected = importer.lines
    finished = importer.finished_at
    problems = consistency.check(
        plan.probes, poller.polls, expected=expected, finished_at=finished
    )
    after = [
        count for asked, _end, count in plan.probes if finished and asked > finished
    ]
    failures = stats.total.num_failures
    server_errors = sum(n for code, n in statuses.items() if code >= 500)
    import_failed = importer.returncode not in (0, None)
    return [
        (failures == 0, f"no failed request: {failures} failed"),
        (
            server_errors == 0,
            f"no 5xx answer (a 503 'busy' included): {server_errors} "
            f"(503: {statuses.get(503, 0)})",
        ),
        (
            importer.returncode == 0,
            f"the import finished: exit status {importer.returncode}"
            + (f"\n{importer.errors()}" if import_failed else ""),
        ),
        (
            not problems,
            "every search for the imported word matched what was committed while "
            f"it ran: {len(plan.probes):,} searches, {len(poller.polls):,} polls"
            + "".join(f"\n      {problem}" for problem in problems[:10]),
        ),
        (
            bool(final) and set(after) == {expected},
            f"once the import finished, every search found all {expected:,}: "
            f"{len(after)} searches ({len(final)} after the load), "
            f"counts {sorted(set(after))}",
        ),
        (
            plan.saves > 0 and not plan.problems,
            f"the archivist's saves were read back: {plan.saves} saves, "
            f"{len(plan.problems)} wrong"
            + "".join(f"\n      {problem}" for problem in plan.problems[:5]),
        ),
    ]


class _Import:
    """``manage.py import_testimonies FILE``, started part-way through the run."""

    def __init__(self, database, path, lines):
        self.database = database
        self.path = path
        self.lines = lines
        self.started_at = self.finished_at = self.returncode = None
        self._errors = b""

    def start(self):
        self.started_at = time.monotonic()
        child = subprocess.Popen(
            self.database.command("import_testimonies", self.path, "-v0"),
            cwd=ROOT,
            env=self.database.environment(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _out, self._errors = child.communicate()
        self.returncode = child.returncode
        self.finished_at = time.monotonic()

    def errors(self):
        return self._errors.decode(errors="replace")[-3000:]


def _final_searches(url, plan, times=8):
    """Searches for the imported word once the load stopped, one after another,
    so that they likely reach every worker: their counts."""
    counts = []
    for _ in range(times):
        asked = time.monotonic()
        address = url + visitors.marker_search_path()
        with urllib.request.urlopen(address, timeout=30) as answer:
            count = json.load(answer)["count"]
        plan.probes.append((asked, time.monotonic(), count))
        counts.append(count)
    return counts

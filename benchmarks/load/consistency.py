"""Whether each search answered what was committed when it ran.

The truth: a reader of its own (``Database.committed_count``) counts the imported
testimonies in the database every few tenths of a second, each count stamped
with when it was asked and answered. All of them are published for everyone and
carry the import's word, so the committed count is exactly what a visitor's
search for the word must find. It only grows.

A search answered at some moment between the request's start and its end, from
what was committed then. So, for an answer ``c`` to a request from ``s`` to
``e``:

- ``c`` is at least every count whose poll *ended before* ``s`` (committed
  before the search began, and commits are not taken back);
- ``c`` is at most every count whose poll *began after* ``e`` (the search saw
  nothing committed after it answered);
- once the import command has exited (its transaction committed), every search
  begun later finds all of the imported testimonies.

These bounds hold whatever the engine, the number of processes or how the import
commits (one transaction or several), so a stale kept set, a cache that missed a
change or a partly visible import all fail them; nothing that is correct can.
The import writes in one transaction, so every poll must also read either none
or all of its lines.
"""

import bisect
import time

import gevent


class Poller:
    """Counts the committed imported testimonies until stopped."""

    def __init__(self, count, interval=0.2):
        self.count = count
        self.interval = interval
        self.polls = []  # (asked, answered, count)
        self._greenlet = None

    def start(self):
        self._greenlet = gevent.spawn(self._run)

    def _run(self):
        while True:
            self.poll()
            gevent.sleep(self.interval)

    def poll(self):
        asked = time.monotonic()
        count = self.count()
        self.polls.append((asked, time.monotonic(), count))
        return count

    def stop(self):
        if self._greenlet:
            self._greenlet.kill()
        self.poll()


def check(probes, polls, *, expected, finished_at):
    """Problems found, as sentences (none: consistent)."""
    problems = []
    by_end = sorted((answered, count) for _asked, answered, count in polls)
    ends = [answered for answered, _count in by_end]
    by_start = sorted((asked, count) for asked, _answered, count in polls)
    starts = [asked for asked, _count in by_start]
    # Running maxima and minima, so each bound is one binary search.
    highest_before, high = [], 0
    for _answered, count in by_end:
        high = max(high, count)
        highest_before.append(high)
    lowest_after, low = [0] * len(by_start), expected
    for index in range(len(by_start) - 1, -1, -1):
        low = min(low, by_start[index][1])
        lowest_after[index] = low
    for asked, answered, count in probes:
        done = bisect.bisect_left(ends, asked)
        floor = highest_before[done - 1] if done else 0
        later = bisect.bisect_right(starts, answered)
        ceiling = lowest_after[later] if later < len(starts) else expected
        if finished_at is not None and asked > finished_at:
            floor = expected
        if not floor <= count <= ceiling:
            problems.append(
                f"a search found {count} imported testimonies where "
                f"{floor}–{ceiling} were committed while it ran"
            )
    torn = sorted({count for *_times, count in polls} - {0, expected})
    if torn:
        problems.append(f"the database showed part of the import: {torn}")
    return problems

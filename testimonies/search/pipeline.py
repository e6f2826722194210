"""Analysing many testimonies for the index: inline, or in a helper process.

Indexing in bulk (a large import, a rebuild) spends most of its time in the
analyzer, which is pure Python and so runs on one core. With more than one core, a
helper process analyses a batch while this process loads the next one and writes
the previous one. The database connection and its transaction stay in this
process: the helper only turns texts into rows. Measured at 100,000 testimonies on
two cores: indexing about 40 % faster. Small runs stay inline, where starting a
process would cost more than it saves.
"""

import multiprocessing
import os
import threading

from .backends import BACKENDS

#: Runs of at least this many testimonies are analysed in a helper process.
PARALLEL = 20_000


def analyzed_rows(vendor, texts):
    """The rows the ``vendor`` store keeps for ``[(pk, indexed_text)]``."""
    from .index import analyze

    backend = BACKENDS[vendor]
    return [backend.row(pk, analyze(text)) for pk, text in texts]


def helper_possible():
    """A forked helper: it shares the loaded dictionaries and never touches the
    inherited database connection (workers leave with ``os._exit``). Forking is
    only safe in a single-threaded process (an import from the command line, not
    a threaded web server) and "spawn" would re-run an unguarded main script."""
    return (
        (os.cpu_count() or 1) > 1
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
    )


class Pipeline:
    """Feed it batches with :meth:`add`; they are analysed and written in order.

    Use as a context manager: leaving it writes the last batch (or, on an error,
    stops the helper without writing).
    """

    def __init__(self, backend, size):
        self.backend = backend
        self.vendor = backend.connection.vendor
        self.pool = None
        self.pending = None
        if size >= PARALLEL and helper_possible():
            self.pool = multiprocessing.get_context("fork").Pool(1)

    def __enter__(self):
        return self

    def __exit__(self, error_type, error, traceback):
        if self.pool is None:
            return
        try:
            if error_type is None:
                self.flush()
        finally:
            self.pool.terminate()
            self.pool.join()

    def add(self, texts):
        """Analyse ``[(pk, indexed_text)]`` and write the rows."""
        if self.pool is None:
            self.backend.write_rows(analyzed_rows(self.vendor, texts))
            return
        job = self.pool.apply_async(analyzed_rows, (self.vendor, texts))
        self.flush()
        self.pending = job

    def flush(self):
        if self.pending is not None:
            rows, self.pending = self.pending.get(), None
            self.backend.write_rows(rows)

"""The benchmark itself, run in the child process ``__main__`` pointed at the
throwaway database.

Everything goes through the archive's own paths: ``migrate``, ``import_testimonies``
(which indexes in the same transaction, here in a process of its own:
:mod:`.timed_import`), the API view, the ORM's ``save()``.
"""

import gc
import json
import os
import statistics
import subprocess
import sys
import time

from django.core.management import call_command
from django.db import connection

from testimonies.search.backends import backend_for

from . import edits, measure, report
from .corpus import Collection
from .memory import process_memory
from .queries import query_set
from .spoken import add_transcripts


def run(
    *,
    documents,
    runs,
    naive_runs,
    edit_rounds,
    seed,
    workdir,
    write,
    progress,
    recorded=0,
):
    """Generate, import and measure; ``write(line)`` prints the report, and a
    summary goes to ``workdir/summary-DOCUMENTS.json``. True if every target
    is met. ``recorded``: testimonies given an hour-long transcript after the
    import (:mod:`.spoken`), the query set timed before and after."""
    write(f"Search benchmark: {documents:,} testimonies")
    write(f"Machine: {report.machine()}")
    call_command("migrate", verbosity=0)

    start = time.perf_counter()
    collection = Collection(seed=seed)
    data = workdir / "bench.jsonl"
    with data.open("w", encoding="utf-8") as stream:
        collection.write(stream, documents)
    stats = collection.statistics
    languages = ", ".join(
        f"{code} {count:,}" for code, count in sorted(stats.by_language.items())
    )
    write(
        f"Collection: generated in {time.perf_counter() - start:.1f} s (seed {seed}); "
        f"{stats.text_bytes / 1e6:.1f} MB of text, {stats.text_bytes / documents:,.0f} "
        f"B per testimony ({stats.smallest:,}–{stats.largest:,} B); {languages}"
    )

    imported = import_in_own_process(data)
    import_rate = documents / imported["seconds"]
    write(
        f"Import (import_testimonies, index written in the same transaction): "
        f"{documents:,} in {imported['seconds']:.1f} s = {import_rate:,.0f} "
        f"testimonies/s; peak memory of the import {megabytes(imported, 'peak_kb')}"
    )
    index_bytes = backend_for(connection).size_in_bytes()
    index_ratio = index_bytes / stats.text_bytes
    write(
        f"Index: {index_bytes / 1e6:.1f} MB = {index_ratio:.2f}× the raw text "
        f"({stats.text_bytes / 1e6:.1f} MB: titles, summaries, texts, translations)"
    )

    queries = query_set()
    before = None
    if recorded:
        gc.collect()
        gc.freeze()
        before = {}
        for number, query in enumerate(queries, 1):
            progress(f"Before the transcripts, query {number} of {len(queries)}")
            before[query.label] = measure.through_api(query, runs)
        spoken = add_transcripts(collection, recorded, seed, progress)
        write(
            f"Transcripts: {spoken.recordings:,} testimonies given a public "
            f"recording with an hour-long transcript ({spoken.cues:,} cues, "
            f"{spoken.text_bytes / 1e6:.1f} MB of text) written in "
            f"{spoken.written_seconds:.1f} s; indexed again in "
            f"{spoken.indexed_seconds:.1f} s = "
            f"{spoken.recordings / spoken.indexed_seconds:,.0f} recorded "
            "testimonies/s"
        )
        grown = backend_for(connection).size_in_bytes()
        write(
            f"Index with the transcripts: {grown / 1e6:.1f} MB "
            f"(+{(grown - index_bytes) / 1e6:.1f} MB = "
            f"{(grown - index_bytes) / spoken.text_bytes:.2f}× their text)"
        )
        backend_for(connection).refresh_statistics()
    # As a server process after start-up: what is alive now (vocabularies,
    # dictionaries, caches) is frozen, so the cycle collector does not walk it on
    # every request (docs/performance.md, "Serving").
    del collection
    gc.collect()
    gc.freeze()
    rows = []
    for number, query in enumerate(queries, 1):
        progress(f"Query {number} of {len(queries)}: {query.label}")
        rows.append(
            report.Row(
                query,
                measure.through_api(query, runs),
                measure.naive(query, naive_runs),
                measure.bare_engine(query, runs),
            )
        )
    memory = process_memory()
    write("")
    write(
        f"Latency as an anonymous visitor, {runs} runs each (naive scan: "
        f"{naive_runs or 'not run'}); hits = what the visitor may see; naive hits "
        "differ: no inflection, no translations or names, SQL case rules. API "
        "first = the warm-up request, made with nothing kept in memory (as after "
        "any change to the tags, see docs/search.md)."
    )
    for line in report.table(rows):
        write(line)
    write("")
    write(
        f"Memory of the process serving the requests, after the query set: "
        f"{megabytes(memory, 'rss_kb')} resident (VmRSS), "
        f"{megabytes(memory, 'peak_kb')} at most (VmHWM); of the resident, "
        f"{megabytes(memory, 'anon_kb')} its own (RssAnon) and "
        f"{megabytes(memory, 'file_kb')} mapped database pages (RssFile, shared)"
    )

    progress("First requests after an edit")
    after_edit = edits.first_requests([q for q in queries if q.after_edit], edit_rounds)
    write("")
    write(
        f"First request after a one-testimony edit (a changed title saved through "
        f"the ORM in a transaction), {edit_rounds} rounds per query:"
    )
    for line in report.after_edit_table(after_edit):
        write(line)

    if before:
        write("")
        write(
            f"With the transcripts of {recorded:,} recorded testimonies, against "
            "the same queries just before they were added (API p50, ms):"
        )
        for line in report.before_after_table(rows, before):
            write(line)
    answered = [row for row in rows if row.answered]
    write("")
    write(
        f"Median API p50 {statistics.median(r.api.p50 for r in answered):.1f} ms; "
        f"worst API p95 {max(r.api.p95 for r in answered):.1f} ms."
    )
    write(f"Targets ({report.engine()}):")
    results = report.targets(
        rows, after_edit, import_rate, index_ratio, connection.vendor
    )
    for met, description in results:
        write(f"  [{'met' if met else 'MISSED'}] {description}")
    summary = {
        "documents": documents,
        "engine": report.engine(),
        "queries": [
            {
                "label": row.query.label,
                "hits": row.api.hits,
                "p50": row.api.p50,
                "p95": row.api.p95,
                "error": row.api.error,
            }
            for row in rows
        ],
        "after_edit": {result.query.label: result.p50 for result in after_edit},
        "import_rate": import_rate,
        "index_bytes": index_bytes,
        "index_ratio": index_ratio,
        "memory": memory,
        "import_memory": {k: v for k, v in imported.items() if k != "seconds"},
    }
    (workdir / f"summary-{documents}.json").write_text(
        json.dumps(summary, ensure_ascii=False), encoding="utf-8"
    )
    return all(met for met, _ in results)


def import_in_own_process(path):
    """``{"seconds", "rss_kb", "peak_kb"}`` of ``import_testimonies path`` run in a
    child process (the environment points it at this run's database)."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.search.timed_import", str(path)],
        env=os.environ,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"import_testimonies failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def megabytes(memory, key):
    return f"{memory[key] / 1024:,.0f} MB" if key in memory else "unknown"

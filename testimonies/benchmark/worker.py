"""The benchmark itself, run inside the throwaway database ``bench_search`` set up.

Everything goes through the archive's own paths: ``migrate``, ``import_testimonies``
(which indexes in the same transaction), the API view.
"""

import gc
import statistics
import tempfile
import time
from pathlib import Path

from django.core.management import call_command
from django.db import connection

from ..search import analyzer
from ..search.backends import backend_for
from . import measure, report
from .corpus import Collection
from .queries import query_set


def run(*, documents, runs, naive_runs, seed, workdir, write, progress):
    """Generate, import and measure; ``write(line)`` prints the report."""
    write(f"Search benchmark: {documents:,} testimonies")
    write(f"Machine: {report.machine()}")
    call_command("migrate", verbosity=0)

    start = time.perf_counter()
    collection = Collection(seed=seed)
    data = Path(workdir or tempfile.mkdtemp(prefix="bench-search-")) / "bench.jsonl"
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

    # Cold caches: the import lemmatises every word for the first time, as a real
    # import of a new collection would.
    analyzer.index_forms.cache_clear()
    analyzer._word_forms.cache_clear()
    start = time.perf_counter()
    call_command("import_testimonies", str(data), verbosity=0)
    seconds = time.perf_counter() - start
    import_rate = documents / seconds
    write(
        f"Import (import_testimonies, index written in the same transaction): "
        f"{documents:,} in {seconds:.1f} s = {import_rate:,.0f} testimonies/s"
    )
    index_bytes = backend_for(connection).size_in_bytes()
    index_ratio = index_bytes / stats.text_bytes
    write(
        f"Index: {index_bytes / 1e6:.1f} MB = {index_ratio:.2f}× the raw text "
        f"({stats.text_bytes / 1e6:.1f} MB: titles, summaries, texts, translations)"
    )

    # As a server process after start-up: what is alive now (vocabularies,
    # dictionaries, caches) is frozen, so the cycle collector does not walk it on
    # every request (docs/performance.md, "Serving").
    del collection
    gc.collect()
    gc.freeze()
    rows = []
    queries = query_set()
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
    write("")
    write(
        f"Latency as an anonymous visitor, {runs} runs each (naive scan: "
        f"{naive_runs}); hits = what the visitor may see; naive hits differ: no "
        "inflection, no translations or names, SQL case rules. API first = the "
        "warm-up request, made with nothing kept in memory (as after any change "
        "to the data; SQLite only, see docs/search.md)."
    )
    for line in report.table(rows):
        write(line)
    write("")
    write(
        f"Median API p50 {statistics.median(r.api.p50 for r in rows):.1f} ms; "
        f"worst API p95 {max(r.api.p95 for r in rows):.1f} ms."
    )
    write("Targets:")
    results = report.targets(rows, import_rate, index_ratio)
    for met, description in results:
        write(f"  [{'met' if met else 'MISSED'}] {description}")
    return all(met for met, _ in results)

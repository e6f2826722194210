"""Benchmarks run against the archive from outside it (docs/performance.md):
``python -m benchmarks.search`` (search latency, import rate, index size),
``python -m benchmarks.imports`` (import and export throughput),
``python -m benchmarks.load`` (many clients through gunicorn) and
``python -m benchmarks.reset_timing``. Each works on a throwaway database of its own
(``benchmarks.databases``), never the archive's."""

"""Benchmarks run against the archive from outside it: the load benchmark
(``python -m benchmarks.load``, docs/performance.md). The search benchmark is a
management command (``manage.py bench_search``)."""

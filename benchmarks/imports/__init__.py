"""The import benchmark: ``python -m benchmarks.imports`` (docs/performance.md,
"Import and export")."""

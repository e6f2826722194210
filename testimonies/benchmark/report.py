"""Printing the benchmark's figures and checking them against the targets."""

import os
import platform
import statistics
import sys
from dataclasses import dataclass

import django
from django.db import connection

# The targets (SQLite, 100,000 testimonies, this 2-core machine).
TARGET_MEDIAN_P50_MS = 20
TARGET_P95_MS = 100
TARGET_SPEEDUP = 20
TARGET_BARE_RATIO = 3
TARGET_IMPORT_RATE = 1_000
TARGET_INDEX_RATIO = 1.5


@dataclass
class Row:
    query: object  # BenchQuery
    api: object  # Timing
    naive: object  # Timing
    bare: object  # Timing or None

    @property
    def speedup(self):
        return self.naive.p50 / self.api.p50

    @property
    def bare_ratio(self):
        return self.api.p50 / self.bare.p50 if self.bare else None


def machine():
    """One line saying where the figures come from."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    if connection.vendor == "sqlite":
        import sqlite3

        engine = f"SQLite {sqlite3.sqlite_version}"
    else:
        major, rest = divmod(connection.pg_version, 10000)
        engine = f"PostgreSQL {major}.{rest}"
    return (
        f"{engine}; {os.cpu_count()} CPUs ({cpu}); {platform.system()} "
        f"{platform.release()}; Python {sys.version.split()[0]}, "
        f"Django {django.get_version()}"
    )


def ms(value):
    return f"{value:8.1f} ms" if value is not None else "       —   "


def table(rows):
    header = (
        f"{'query':<34} {'hits':>7} {'API first':>11} {'API p50':>11} {'API p95':>11} "
        f"{'naive p50':>11} {'naive hits':>10} {'speed-up':>8} "
        f"{'bare p50':>11} {'API/bare':>8}"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        ratio = f"{row.bare_ratio:7.1f}×" if row.bare else "       —"
        lines.append(
            f"{row.query.label[:34]:<34} {row.api.hits:>7,} {ms(row.api.first)} "
            f"{ms(row.api.p50)} "
            f"{ms(row.api.p95)} {ms(row.naive.p50)} {row.naive.hits:>10,} "
            f"{row.speedup:7.0f}× {ms(row.bare.p50 if row.bare else None)} {ratio}"
        )
    return lines


def targets(rows, import_rate, index_ratio):
    """``(met, description)`` for each target."""
    p50s = [row.api.p50 for row in rows]
    worst = max(rows, key=lambda row: row.api.p95)
    ratios = [row.bare_ratio for row in rows if row.bare]
    median_ratio = statistics.median(ratios) if ratios else 0
    over = [row.query.label for row in rows if row.bare and row.bare_ratio > 3]
    return [
        (
            statistics.median(p50s) < TARGET_MEDIAN_P50_MS,
            f"median API p50 across the set < {TARGET_MEDIAN_P50_MS} ms: "
            f"{statistics.median(p50s):.1f} ms",
        ),
        (
            worst.api.p95 < TARGET_P95_MS,
            f"every API p95 < {TARGET_P95_MS} ms: worst {worst.api.p95:.1f} ms "
            f"({worst.query.label})",
        ),
        (
            statistics.median(row.speedup for row in rows) >= TARGET_SPEEDUP,
            f"median speed-up over the naive scan >= {TARGET_SPEEDUP}×: "
            f"{statistics.median(row.speedup for row in rows):.0f}×",
        ),
        (
            median_ratio <= TARGET_BARE_RATIO,
            f"API <= {TARGET_BARE_RATIO}× the bare engine query (median): "
            f"{median_ratio:.1f}×"
            + (f"; above 3× for: {', '.join(over)}" if over else ""),
        ),
        (
            import_rate >= TARGET_IMPORT_RATE,
            f"import >= {TARGET_IMPORT_RATE:,} testimonies/s: {import_rate:,.0f}/s",
        ),
        (
            index_ratio <= TARGET_INDEX_RATIO,
            f"index <= {TARGET_INDEX_RATIO}× the raw text: {index_ratio:.2f}×",
        ),
    ]

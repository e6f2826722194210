"""The load run's figures and its pass criteria, as printed lines."""

KINDS = [
    "home",
    "browse",
    "testimony",
    "theme",
    "place",
    "search page",
    "search API",
    "search API, imported word",
    "admin login",
    "admin change form",
    "admin save",
    "API detail after a save",
]


def table(stats, seconds):
    """Requests, failures, requests/s, p50, p95 and the slowest per kind of page
    (the slowest save shows how long the archivist waited for the import)."""
    header = (
        f"{'kind':<27} {'requests':>9} {'failed':>7} {'req/s':>7} "
        f"{'p50':>8} {'p95':>8} {'max':>8}"
    )
    lines = [header, "-" * len(header)]
    entries = {entry.name: entry for entry in stats.entries.values()}
    names = [name for name in KINDS if name in entries]
    names += sorted(set(entries) - set(names))
    for name in [*names, None]:
        entry = stats.total if name is None else entries[name]
        lines.append(
            f"{name or 'all':<27} {entry.num_requests:>9,} {entry.num_failures:>7,} "
            f"{entry.num_requests / seconds:>7.1f} "
            f"{entry.get_response_time_percentile(0.5):>6.0f}ms "
            f"{entry.get_response_time_percentile(0.95):>6.0f}ms "
            f"{entry.max_response_time:>6.0f}ms"
        )
    return lines


def verdict(criteria):
    """``criteria``: (met, description) pairs; lines and whether all were met."""
    lines = [f"  [{'ok' if met else 'FAILED'}] {text}" for met, text in criteria]
    return lines, all(met for met, _text in criteria)

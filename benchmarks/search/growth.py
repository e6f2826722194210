"""How the costs grow with the collection (``--scale``): the summaries of several
runs side by side, one column per size."""


def table(summaries):
    """Lines of a table: API p50 / p95 of each query, then the first request
    after an edit, the import rate, the index and the serving process's memory."""
    sizes = [summary["documents"] for summary in summaries]
    width, label_width = 17, 50
    header = f"{'':<{label_width}}" + "".join(f"{size:>{width},}" for size in sizes)
    lines = [
        f"Growth ({summaries[0]['engine']}): API p50 / p95 in ms per collection size",
        header,
        "-" * len(header),
    ]

    def line(label, cells):
        cells = "".join(f"{cell:>{width}}" for cell in cells)
        return f"{label[:label_width]:<{label_width}}{cells}"

    for number, query in enumerate(summaries[0]["queries"]):
        cells = []
        for summary in summaries:
            row = summary["queries"][number]
            cells.append(
                "error" if row.get("error") else f"{row['p50']:.1f} / {row['p95']:.1f}"
            )
        lines.append(line(query["label"], cells))
    lines.append("-" * len(header))
    for label in summaries[0]["after_edit"]:
        lines.append(
            line(
                f"after an edit: {label}",
                [f"{summary['after_edit'][label]:.1f}" for summary in summaries],
            )
        )
    lines += [
        line(
            "import (testimonies/s)",
            [f"{summary['import_rate']:,.0f}" for summary in summaries],
        ),
        line(
            "index (MB, × raw text)",
            [
                f"{summary['index_bytes'] / 1e6:,.0f}, {summary['index_ratio']:.2f}×"
                for summary in summaries
            ],
        ),
        line(
            "serving RSS / peak (MB)",
            [memory(summary["memory"]) for summary in summaries],
        ),
        line(
            "serving process's own (RssAnon, MB)",
            [
                f"{summary['memory']['anon_kb'] / 1024:,.0f}"
                if "anon_kb" in summary["memory"]
                else "unknown"
                for summary in summaries
            ],
        ),
        line(
            "import peak (MB)",
            [memory(summary["import_memory"], both=False) for summary in summaries],
        ),
    ]
    return lines


def memory(values, both=True):
    if "peak_kb" not in values:
        return "unknown"
    peak = f"{values['peak_kb'] / 1024:,.0f}"
    return f"{values['rss_kb'] / 1024:,.0f} / {peak}" if both else peak

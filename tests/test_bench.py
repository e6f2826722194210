"""``manage.py bench_search`` runs end to end on a tiny collection and reports.

The figures of a 200-testimony run mean nothing; the test proves the benchmark
generates, imports through the normal path, times every query three ways and
checks the targets, in a throwaway database (never the test database).
"""

import io
import json
import re

import pytest
from django.core.management import CommandError, call_command

from testimonies.benchmark.corpus import Collection, presence
from testimonies.models import Testimony
from testimonies.search import search

pytestmark = pytest.mark.django_db


def test_small_run_prints_the_report():
    out = io.StringIO()
    call_command(
        "bench_search",
        "--documents",
        "200",
        "--runs",
        "2",
        "--naive-runs",
        "1",
        stdout=out,
        stderr=io.StringIO(),
    )
    report = out.getvalue()
    assert "Search benchmark: 200 testimonies" in report
    assert re.search(r"Import \(import_testimonies.*\): 200 in [\d.]+ s", report)
    assert re.search(r"Index: [\d.]+ MB = [\d.]+× the raw text", report)
    assert "API first" in report  # the request made with nothing kept in memory
    rows = [line for line in report.splitlines() if re.search(r" ms +[\d,]+ +", line)]
    assert len(rows) == 20
    assert "ru 30.0% подвал" in report and "filters only" in report
    assert report.count("[met]") + report.count("[MISSED]") == 6
    # The benchmark's collection went elsewhere.
    assert not Testimony.objects.exists()


def test_refuses_an_existing_sqlite_file(tmp_path):
    existing = tmp_path / "archive.sqlite3"
    existing.write_bytes(b"")
    with pytest.raises(CommandError, match="exists"):
        call_command(
            "bench_search",
            "--documents",
            "10",
            "--database-url",
            f"sqlite:///{existing}",
        )


def test_collection_is_deterministic_and_sized():
    first, second = Collection(seed=7), Collection(seed=7)
    lines = [first.line(n) for n in range(1, 40)]
    assert lines == [second.line(n) for n in range(1, 40)]
    assert json.dumps(lines, ensure_ascii=False).count("BENCH-") == 39
    stats = first.statistics
    assert 1_000 <= stats.text_bytes / stats.documents <= 5_000
    assert all(len(v.words) >= 20_000 for v in first.vocabularies.values())
    # Translations spread every language beyond its own share.
    assert all(0.3 < presence(code) < 0.5 for code in ("ru", "uk", "en", "ja"))


def test_bulk_indexing_in_a_helper_process(monkeypatch):
    """Large runs analyse in a helper process; the index is the same."""
    from testimonies.search import index, pipeline

    from .factories import make_testimony

    if not pipeline.helper_possible():
        pytest.skip("a helper process cannot be forked here")
    make_testimony(identifier="BULK-RU", language="ru", body="Мы сидели в подвалах.")
    make_testimony(identifier="BULK-JA", language="ja", body="地下室に避難した。")
    monkeypatch.setattr(pipeline, "PARALLEL", 1)
    started = []
    monkeypatch.setattr(
        pipeline.Pipeline, "flush", record(pipeline.Pipeline.flush, started)
    )
    assert index.rebuild() == 2
    assert any(started), "the helper process was not used"
    visible = Testimony.objects.visible_to(None)
    assert [t.identifier for t in search(visible, "подвал")] == ["BULK-RU"]
    assert [t.identifier for t in search(visible, "避難")] == ["BULK-JA"]


def record(method, calls):
    def wrapper(self):
        calls.append(self.pool is not None)
        return method(self)

    return wrapper

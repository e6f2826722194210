"""``python -m benchmarks.search`` runs end to end on a tiny collection and reports.

The figures of a 200-testimony run mean nothing; the tests prove the benchmark
generates, imports through the normal path, times every query three ways and after
edits, reports memory and checks the targets, in a throwaway database (never the
test database).
"""

import collections
import json
import re
import subprocess
import sys

import pytest

from benchmarks.search.corpus import JAPANESE_WORDS, Collection, presence
from benchmarks.search.report import table
from testimonies.models import Testimony
from testimonies.search import search

from ..scratch import ROOT

pytestmark = pytest.mark.django_db


def benchmark(*args, timeout=600):
    return subprocess.run(
        [sys.executable, "-m", "benchmarks.search", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_small_run_prints_the_report():
    done = benchmark("--documents", 200, "--runs", 2, "--naive-runs", 1)
    assert done.returncode == 0, done.stdout + done.stderr
    report = done.stdout
    assert "Search benchmark: 200 testimonies" in report
    assert re.search(r"Import \(import_testimonies.*\): 200 in [\d.]+ s", report)
    assert re.search(r"Index: [\d.]+ MB = [\d.]+× the raw text", report)
    assert "API first" in report  # the request made with nothing kept in memory
    labels = [
        "ru 30.0% подвал",
        "ja 2 characters 停電",
        "ja hiragana 1.0% ところ",
        "ja 3 characters 0.1% 発電機",
        "ja 4 characters 1.0% 一時帰宅",
        'en phrase "closed road"',
        "подвал + theme + place",
        "подвал + 2 themes + place",
        "filters only",
    ]
    for label in labels:
        assert label in report, label
    rows = [line for line in report.splitlines() if re.search(r" ms +[\d,—]+ +", line)]
    assert len(rows) == 26
    # The serving process's memory and the first requests after an edit.
    assert re.search(r"after the query set: [\d,]+ MB resident \(VmRSS\)", report)
    after_edit = report.split("First request after a one-testimony edit")[1]
    assert re.search(r"генератор +[\d.]+ ms +[\d.]+ ms +[\d.]+ ms", after_edit)
    assert "filters only: theme + 2024" in after_edit
    assert re.search(r"Targets \((SQLite|PostgreSQL) [\d.]+\):", report)
    assert report.count("[met]") + report.count("[MISSED]") == 7
    assert "first request after a one-testimony edit <= 50 ms" in report
    # The benchmark's collection went elsewhere.
    assert not Testimony.objects.exists()


def test_recorded_testimonies_are_timed_before_and_after_their_transcripts():
    done = benchmark(
        "--documents", 60, "--runs", 1, "--naive-runs", 0, "--edit-rounds", 1,
        "--recorded", 20,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    report = done.stdout
    assert re.search(
        r"Transcripts: 20 testimonies given a public recording with an hour-long "
        r"transcript \(12,000 cues, [\d.]+ MB of text\) written in [\d.]+ s; "
        r"indexed again in [\d.]+ s",
        report,
    ), report
    assert re.search(r"Index with the transcripts: [\d.]+ MB \(\+[\d.]+ MB", report)
    table = report.split("just before they were added")[1].split("Median")[0]
    counts = [
        [int(count.replace(",", "")) for count in line.split()[-5:-3]]
        for line in table.splitlines()[2:]
        if line.strip()
    ]
    assert len(counts) == 26
    # The words looked for are spoken too: some testimonies are found by their
    # transcripts alone, and none is lost.
    assert all(after >= before for before, after in counts)
    assert sum(after for _, after in counts) > sum(before for before, _ in counts)


def test_refuses_more_recorded_testimonies_than_testimonies():
    done = benchmark("--documents", 10, "--recorded", 11)
    assert done.returncode == 2
    assert "--recorded" in done.stderr


def test_refuses_an_existing_sqlite_file(tmp_path):
    existing = tmp_path / "archive.sqlite3"
    existing.write_bytes(b"")
    done = benchmark("--documents", 10, "--database-url", f"sqlite:///{existing}")
    assert done.returncode == 2
    assert "exists" in done.stderr
    assert existing.read_bytes() == b""


def test_an_error_answer_is_reported_not_raised():
    """A query the API refuses (repeated filters, until the API takes them)
    shows as an error row with the answer, and is left out of the targets."""
    from benchmarks.search.measure import Timing
    from benchmarks.search.queries import BenchQuery
    from benchmarks.search.report import Row

    refused = Row(
        BenchQuery("two themes", {"theme": ["a", "b"]}),
        Timing(None, [1.0, 2.0], 3.0, error='HTTP 400: {"theme": ["one only"]}'),
        None,
        None,
    )
    lines = table([refused])
    assert "error" in lines[2]
    assert 'two themes: the API answered HTTP 400: {"theme"' in lines[-1]
    assert refused.speedup is None and refused.bare_ratio is None


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


def test_japanese_text_is_mostly_hiragana_with_particles_first():
    """Running Japanese text has the character mix of real text, so that the
    characters of ordinary words have long posting lists."""
    collection = Collection(seed=3)
    texts = []
    for number in range(1, 400):
        line = collection.line(number)
        parts = [line] if line["language"] == "ja" else []
        parts += [t for t in line.get("translations", []) if t["language"] == "ja"]
        texts += [part["title"] + part["summary"] + part["body"] for part in parts]
    text = "".join(texts)
    characters = collections.Counter(text)
    scripts = collections.Counter()
    for character, count in characters.items():
        if "\u3041" <= character <= "\u309f":
            scripts["hiragana"] += count
        elif "\u30a0" <= character <= "\u30ff":
            scripts["katakana"] += count
        elif "\u4e00" <= character <= "\u9fff":
            scripts["kanji"] += count
    total = sum(scripts.values())
    assert 0.55 <= scripts["hiragana"] / total <= 0.75
    assert 0.02 <= scripts["katakana"] / total <= 0.12
    assert 0.2 <= scripts["kanji"] / total <= 0.4
    frequent = [c for c, _ in characters.most_common(30)]
    assert {"の", "に", "は", "を", "が", "て", "た", "と", "で"} <= set(frequent)
    # The characters of the planted words are common, not reserved for them.
    for word in ("地下", "避難所", "一時帰宅", "ところ"):
        assert all(characters[c] >= 2 * text.count(word) for c in word), word
    assert [kind for kind, _share, _word in JAPANESE_WORDS].count("hiragana") == 1


def test_bulk_indexing_in_a_helper_process(monkeypatch):
    """Large runs analyse in a helper process; the index is the same."""
    from testimonies.search import index, pipeline

    from ..factories import make_testimony

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


def test_growth_table_puts_the_sizes_side_by_side():
    from benchmarks.search.growth import table as growth

    def summary(documents, p50, error=None):
        return {
            "documents": documents,
            "engine": "SQLite 3.40.1",
            "queries": [
                {"label": "ru 1.0% генератор", "p50": p50, "p95": 2 * p50},
                {"label": "two themes", "p50": 1.0, "p95": 1.0, "error": error},
            ],
            "after_edit": {"ru 1.0% генератор": 10 * p50},
            "import_rate": 1_400.0,
            "index_bytes": documents * 4_000,
            "index_ratio": 1.3,
            "memory": {"rss_kb": 300 * 1024, "peak_kb": 310 * 1024},
            "import_memory": {},
        }

    lines = growth([summary(10_000, 2.0), summary(100_000, 6.5, error="HTTP 400")])
    text = "\n".join(lines)
    assert "10,000" in lines[1] and "100,000" in lines[1]
    assert re.search(r"ru 1.0% генератор +2.0 / 4.0 +6.5 / 13.0", text)
    assert re.search(r"two themes +1.0 / 1.0 +error", text)
    assert re.search(r"after an edit: ru 1.0% генератор +20.0 +65.0", text)
    assert re.search(r"import \(testimonies/s\) +1,400 +1,400", text)
    assert re.search(r"serving RSS / peak \(MB\) +300 / 310", text)
    assert re.search(r"import peak \(MB\) +unknown", text)

"""``python -m benchmarks.search.engine_insert``: FTS5's own insert, timed alone."""

import io
import json
import subprocess
import sys

import pytest

from benchmarks.search.corpus import Collection
from benchmarks.search.engine_insert import texts_of
from testimonies.importing import import_testimonies
from testimonies.models import Testimony
from testimonies.search.index import TextLoader

from ..scratch import ROOT


@pytest.mark.django_db
def test_lines_are_analysed_as_the_index_reads_them():
    collection = Collection(7)
    lines = [collection.line(number) for number in range(1, 41)]
    data = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    import_testimonies(io.BytesIO(data.encode()))
    ids = dict(Testimony.objects.values_list("identifier", "pk"))
    stored = dict(TextLoader("default").texts(list(ids.values())))
    tags = {}
    for line in lines:
        expected = stored[ids[line["identifier"]]]
        mine = texts_of(line, tags)
        for field in ("title", "summary", "body", "translations"):
            assert mine[field] == expected[field], (line["identifier"], field)
        assert sorted(mine["names"]) == sorted(expected["names"]), line["identifier"]


def test_prints_the_floor_it_measured():
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.search.engine_insert", "--documents", "60"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "FTS5 insert of 60 analysed testimonies:" in done.stdout
    assert "testimonies/s" in done.stdout

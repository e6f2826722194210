"""The load benchmark (benchmarks/load): a few seconds of it must pass, on SQLite
and on PostgreSQL, and its consistency check must catch what it is there for."""

import subprocess
import sys

import pytest

from benchmarks.load.consistency import check

from ..scratch import ROOT

pytestmark = pytest.mark.django_db


def test_a_short_load_run_has_no_errors_and_consistent_searches(scratch):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.load",
            "--seconds=4",
            "--import-lines=200",
            "--base-lines=100",
            "--workers=2",
            f"--database={scratch.url}",
        ],
        cwd=ROOT,
        env=scratch.environment(),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "[FAILED]" not in done.stdout
    assert done.stdout.count("[ok]") == 7, done.stdout


# Polls of the committed count: (asked, answered, count); the import of 10
# committed between 5 and 6.
POLLS = [(0, 1, 0), (4, 5, 0), (6, 7, 10), (8, 9, 10)]


def test_answers_within_what_was_committed_while_they_ran_pass():
    probes = [(1.5, 3.5, 0), (4.5, 6.5, 0), (4.5, 6.5, 10), (7.5, 8, 10)]
    assert check(probes, POLLS, expected=10, finished_at=7) == []


def test_an_answer_older_than_a_commit_seen_before_it_began_fails():
    problems = check([(7.5, 8, 0)], POLLS, expected=10, finished_at=None)
    assert problems == [
        "a search found 0 imported testimonies where 10–10 were committed while it ran"
    ]


def test_an_answer_ahead_of_the_database_fails():
    problems = check([(1.5, 3.5, 10)], POLLS, expected=10, finished_at=None)
    assert problems == [
        "a search found 10 imported testimonies where 0–0 were committed while it ran"
    ]


def test_a_search_after_the_import_must_find_it_all():
    problems = check([(9.5, 9.6, 3)], POLLS[:2], expected=10, finished_at=9)
    assert len(problems) == 1


def test_a_partly_visible_import_fails():
    problems = check([], [*POLLS, (10, 11, 4)], expected=10, finished_at=None)
    assert problems == ["the database showed part of the import: [4]"]

"""The benchmarks' throwaway databases."""

from benchmarks.databases import Throwaway


def test_a_sqlite_run_removes_its_file_with_its_log(tmp_path):
    # As Throwaway.create() makes it for a SQLite run (whatever DATABASE_URL is).
    database = Throwaway(f"sqlite:///{tmp_path / 'search_bench_10.sqlite3'}")
    names = ["search_bench_10.sqlite3", "search_bench_10.sqlite3-wal"]
    names += ["search_bench_10.sqlite3-shm"]
    for name in [*names, "summary-10.json"]:
        (tmp_path / name).write_bytes(b"x")
    database.remove_file()
    # The write-ahead log of an import is as large as the database.
    assert sorted(path.name for path in tmp_path.iterdir()) == ["summary-10.json"]
    database.remove_file()  # nothing left to remove is no error

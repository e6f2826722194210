"""``python -m benchmarks.search.timed_import FILE``: ``import_testimonies FILE``
timed in a process of its own; prints its seconds and memory as JSON.

The worker imports this way so that the process which then serves the queries is
like a web worker, not one that has just held an import (about 1 GB at 100,000
testimonies): its memory is then what serving costs. Timing starts once Django is
set up, and the analyzer's caches start cold, as in a real import of a new
collection.
"""

import json
import sys
import time

import django


def main(path):
    django.setup()
    from django.core.management import call_command

    from .memory import process_memory

    start = time.perf_counter()
    call_command("import_testimonies", path, verbosity=0)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, **process_memory()}))


if __name__ == "__main__":
    main(sys.argv[1])

"""The search benchmark behind ``manage.py bench_search`` (docs/performance.md).

:mod:`.corpus` generates a synthetic multilingual collection, deterministically from
a seed; :mod:`.queries` holds the fixed query set; :mod:`.measure` times each query
three ways (through the API view, as a naive ``icontains`` scan, as the bare engine
query); :mod:`.report` prints the figures and checks them against the targets;
:mod:`.worker` runs all of it inside a throwaway database.
"""

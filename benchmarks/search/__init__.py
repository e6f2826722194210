"""The search benchmark: ``python -m benchmarks.search`` (docs/performance.md).

:mod:`.corpus` generates a synthetic multilingual collection, deterministically from
a seed, from the pseudo-words of :mod:`.vocabulary`; :mod:`.queries` holds the fixed
query set; :mod:`.measure` times each query three ways (through the API view, as a
naive ``icontains`` scan, as the bare engine query); :mod:`.edits` times the first
request after a one-testimony edit; :mod:`.report` prints the figures and checks
them against the targets; :mod:`.worker` runs all of it inside the throwaway
database that ``__main__`` made (``benchmarks.databases``).
"""

"""The load benchmark: many readers, an archivist and an import at once, through
gunicorn with the production settings (``python -m benchmarks.load``).

Modules: ``data`` (the testimonies it starts with and the file it imports),
``database`` (the throwaway database), ``server`` (gunicorn), ``visitors`` (the
Locust users), ``forms`` (what a browser submits), ``consistency`` (searches held
to what was committed), ``report`` and ``run``.
"""

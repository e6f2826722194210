"""gunicorn's settings for the archive on one machine (`make serve`,
docs/deployment.md). gunicorn reads this file from the working directory; the
address comes from the command line (``--bind``), the rest from here.

``GUNICORN_WORKERS`` and ``GUNICORN_THREADS`` override the sizes below.
"""

import gc
import os

wsgi_app = "archive.wsgi:application"

# gunicorn's rule of thumb: two workers per core, plus one for the worker busy
# starting or recycling. A worker is a process with its own database connections
# and, on SQLite, its own kept search sets (docs/search.md).
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * (os.cpu_count() or 1) + 1))
# Two threads each, so a request waiting for the database (a save queued behind an
# import's write lock) does not hold up the next visitor of that worker.
threads = int(os.environ.get("GUNICORN_THREADS", "2"))

# Longer than SQLite's busy timeout (DJANGO_SQLITE_TIMEOUT, 30 s): a write that
# waits the whole timeout still answers its honest 503 "busy" page instead of
# being killed mid-request by gunicorn.
timeout = 60
graceful_timeout = 30
# Recycle workers now and then (jittered, so not all at once): a slow leak in a
# dependency cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200

# Both logs to standard error, where Django's own log goes too (archive/settings/
# base.py, LOGGING): one stream for journald, a container runtime or a terminal.
# gunicorn's "-" would send the access log to standard output.
accesslog = None
logconfig_dict = {
    # Libraries' chatter (dictionaries loading) stays out; their warnings do not.
    "root": {"level": "WARNING", "handlers": ["error_console"]},
    "loggers": {
        "gunicorn.error": {
            "level": "INFO",
            "handlers": ["error_console"],
            "propagate": False,
        },
        "gunicorn.access": {
            "level": "INFO",
            "handlers": ["error_console"],
            "propagate": False,
        },
    },
}
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'


def post_worker_init(worker):
    """Load the search analyzer's dictionaries before the first request, then
    freeze what is alive, so Python's cycle collector stops walking them (30–40 ms
    pauses otherwise, docs/performance.md "Serving")."""
    from testimonies.search import analyzer

    analyzer.index_tokens("подвал підвал basement 地下")  # loads ru, uk, en, ja
    gc.collect()
    gc.freeze()

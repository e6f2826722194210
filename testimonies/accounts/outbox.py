"""Mail sent after the response, so a request takes as long whether or not it
sends any: a password reset for a registered address must not answer later than
one for an unknown address (the SMTP exchange alone takes most of a second).

Messages go to one background thread per process, in order. A message still in
the queue when the process stops is lost, as one whose relay is down is: both are
logged, and the person can ask again. ``TESTIMONY_MAIL_AFTER_RESPONSE = False``
sends inline instead (the test suite, where mail.outbox must be read at once).
"""

import atexit
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings

logger = logging.getLogger(__name__)
_executor = None
_pending = []
_lock = threading.Lock()  # gunicorn's threads share this module


def send_later(message):
    """Send the EmailMessage ``message`` once this request no longer waits for it."""
    if not getattr(settings, "TESTIMONY_MAIL_AFTER_RESPONSE", True):
        _send(message)
        return
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox")
            atexit.register(_executor.shutdown, wait=True)
        _pending[:] = [future for future in _pending if not future.done()]
        _pending.append(_executor.submit(_send, message))


def drain(timeout=10):
    """Wait until every queued message has been handed to the mail backend."""
    with _lock:
        pending = list(_pending)
    for future in pending:
        future.result(timeout=timeout)


def _send(message):
    try:
        message.send()
    except Exception:  # a relay down, refused, slow: never lose the thread
        logger.exception("Could not send mail to %s", ", ".join(message.to))

"""Fixed-window rate limits per client address (or account), in the default cache.

Used where a request costs us (a new account, an email sent) or guesses a secret
outside axes's reach: sign-up, password reset, takedown requests, wrong old
passwords on the password-change form, failed sign-ins from one address across
usernames.

The cache must be shared by every worker, or each counts on its own: the settings
use Django's database cache by default, and production with several machines a
shared cache server (docs/deployment.md). Counting claims numbered slots with
``cache.add()``, which every backend does atomically (the database cache by its
primary key), so two workers never both take the fifth of five.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

from .network import client_ip


def allow(request, scope, key=None):
    """Count this request against ``scope``'s limit; False once it is exceeded.

    ``key`` counts per something else than the client's address (an account).
    """
    limit, window = settings.ACCOUNT_RATE_LIMITS[scope]
    bucket = _bucket(request, scope, key, window)
    start = cache.get(f"{bucket}:last", 0)
    for slot in range(start + 1, limit + 1):
        if cache.add(f"{bucket}:{slot}", 1, timeout=window):
            cache.set(f"{bucket}:last", slot, timeout=window)
            return True
    return False


def exceeded(request, scope, key=None):
    """Whether ``scope``'s limit is used up, without counting this request."""
    limit, window = settings.ACCOUNT_RATE_LIMITS[scope]
    return cache.get(f"{_bucket(request, scope, key, window)}:{limit}") is not None


def _bucket(request, scope, key, window):
    # Hashed, so the cache never holds an address (or an account id) in clear.
    subject = str(key) if key is not None else client_ip(request) or "unknown"
    subject = hashlib.sha256(f"{scope}:{subject}".encode()).hexdigest()[:32]
    return f"throttle:{scope}:{subject}:{int(time.time() // window)}"

"""A small fixed-window rate limit per client address, kept in the default cache.

Used where a request costs us (a new account, an email sent) and no login is
involved, so axes does not apply: sign-up and password reset.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

from .network import client_ip


def allow(request, scope):
    """Count this request against ``scope``'s limit; False once it is exceeded."""
    limit, window = settings.ACCOUNT_RATE_LIMITS[scope]
    # The address is hashed so the cache never holds it in clear.
    address = client_ip(request) or "unknown"
    address = hashlib.sha256(address.encode()).hexdigest()[:32]
    key = f"throttle:{scope}:{address}:{int(time.time() // window)}"
    if cache.add(key, 1, timeout=window):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=window)
        return True
    return count <= limit

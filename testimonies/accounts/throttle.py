"""Fixed-window rate limits per client address (or account), counted in the database.

Used where a request costs us (a new account, an email sent) or guesses a secret
outside axes's reach: sign-up, password reset, takedown requests, wrong old
passwords on the password-change form, failed sign-ins from one address across
usernames.

Each request takes its number before the work it limits is done (``allow()``), in
one atomic ``UPDATE … SET count = count + 1`` (testimonies.models.RateCount), so
concurrent requests are counted one by one and never overshoot a limit; a request
that turns out not to count (a sign-in that succeeded) gives its number back
(``refund()``). IPv6 clients count per /64 network, the block one subscriber holds.
"""

import datetime
import hashlib
import ipaddress
import random
import time

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..models import RateCount
from .network import client_ip

#: Expired rows are removed now and then, by a writer, in one statement.
PURGE_CHANCE = 0.01


def allow(request, scope, key=None):
    """Count this request against ``scope``'s limit; False once it is exceeded.

    ``key`` counts per something else than the client's address (an account).
    """
    limit, window = settings.ACCOUNT_RATE_LIMITS[scope]
    bucket, ends = _bucket(request, scope, key, window)
    with transaction.atomic():
        row, created = RateCount.objects.get_or_create(
            key=bucket, defaults={"count": 1, "window_ends": ends}
        )
        if not created:
            RateCount.objects.filter(pk=row.pk).update(count=F("count") + 1)
            row.refresh_from_db(fields=["count"])
    if random.random() < PURGE_CHANCE:
        RateCount.objects.expired(timezone.now()).delete()
    return row.count <= limit


def refund(request, scope, key=None):
    """Give back the number this request took: it turned out not to count."""
    _limit, window = settings.ACCOUNT_RATE_LIMITS[scope]
    bucket, _ends = _bucket(request, scope, key, window)
    RateCount.objects.filter(key=bucket, count__gt=0).update(count=F("count") - 1)


def _bucket(request, scope, key, window):
    """The row's key and the end of its window. Hashed, so the table never holds
    an address (or an account id) in clear."""
    subject = str(key) if key is not None else _network(client_ip(request))
    digest = hashlib.sha256(f"{scope}:{subject}".encode()).hexdigest()[:32]
    number = int(time.time() // window)
    ends = datetime.datetime.fromtimestamp((number + 1) * window, tz=datetime.UTC)
    return f"{scope}:{digest}:{number}", ends


def _network(address):
    if not address:
        return "unknown"
    parsed = ipaddress.ip_address(address)
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped:  # ::ffff:198.51.100.7 is that IPv4 client
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/64", strict=False))

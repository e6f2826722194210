"""The client's address, as far as the deployment lets us know it.

Behind reverse proxies REMOTE_ADDR is the nearest proxy, and every client would
share one address: lockouts and rate limits would then hit everyone at once. Each
proxy appends the address it received the request from to X-Forwarded-For, so the
client is the entry ``TRUSTED_PROXY_COUNT`` places from the right. Entries further
left were written by the client and can be forged, so they are never read.
"""

import ipaddress

from django.conf import settings


def client_ip(request):
    """The client's address as text, or None when the request has none (a
    test client's ``force_login()``, a malformed header)."""
    remote = valid(request.META.get("REMOTE_ADDR"))
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < count:
        return remote  # a request that did not pass through every proxy
    return valid(forwarded[-count]) or remote


def valid(address):
    try:
        return str(ipaddress.ip_address((address or "").strip()))
    except ValueError:
        return None

"""Making, checking and revoking personal API tokens (models.ApiToken).

A token reads as ``ta_<lookup>_<secret>``: the lookup (8 hex characters) finds
the row, the whole token's SHA-256 must match the stored hash. A request with
``Authorization: Bearer <token>`` is the token's user for the API and for
downloads, and for nothing else (:func:`accepts_tokens`): a token never opens a
page of the admin, nor a form. Each token has its own rate limit
(``ACCOUNT_RATE_LIMITS["api_token"]``), and wrong tokens count per address
(``"token_failure"``), as wrong passwords do.
"""

import datetime
import hashlib
import hmac
import re
import secrets

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ..models import ApiToken

TOKEN = re.compile(r"ta_([0-9a-f]{8})_([A-Za-z0-9_-]{43})")
#: Where the API lives (testimonies/urls.py: every version under it).
API_PATH = "/api/"
#: How long a token may live, in days, as the account page offers.
LIFETIMES = (30, 90, 365)
#: Tokens one account may hold at once (revoked and expired ones do not count).
MAX_ACTIVE = 10
#: ``last_used_at`` is written at most this often per token: not a write per request.
USE_RESOLUTION = datetime.timedelta(minutes=5)


def digest(token):
    return hashlib.sha256(token.encode("ascii")).hexdigest()


@transaction.atomic
def issue(user, *, name, days):
    """A new token for ``user``: ``(ApiToken, the token's text)``. The text is
    never stored; show it now or never."""
    if days not in LIFETIMES:
        raise ValueError(f"A token lives {LIFETIMES} days, not {days}.")
    while True:
        lookup = secrets.token_hex(4)
        if not ApiToken.objects.filter(lookup=lookup).exists():
            break
    text = f"ta_{lookup}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name,
        lookup=lookup,
        key_hash=digest(text),
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    return token, text


def revoke(user, pk):
    """Revoke ``user``'s token ``pk``; False if there is no such active token."""
    now = timezone.now()
    return bool(
        ApiToken.objects.active(now).filter(user=user, pk=pk).update(revoked_at=now)
    )


def authenticate(text):
    """The active token ``text`` is, or ``None``."""
    match = TOKEN.fullmatch(text)
    if match is None:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.active(now)
        .select_related("user")
        .filter(lookup=match[1])
        .first()
    )
    if token is None or not hmac.compare_digest(token.key_hash, digest(text)):
        return None
    if not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > USE_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def bearer(request):
    """The token text of an ``Authorization: Bearer …`` header, ``""`` if the
    header says another scheme, ``None`` without the header."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _space, value = header.strip().partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def accepts_tokens(request):
    """Where a token counts: the API, and downloads (``format=``) of the
    search and browse pages; reading only."""
    if request.method not in ("GET", "HEAD"):
        return False
    if request.path.startswith(API_PATH):
        return True
    lists = (reverse("testimonies:search"), reverse("testimonies:list"))
    return request.path in lists and "format" in request.GET

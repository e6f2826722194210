"""Resumption tokens: the rest of a list, signed so that nobody can make one up.

A token holds the verb, the list's arguments and a keyset position (the last
primary key sent, or the last setSpec for ListSets) with the count sent so far, in
JSON signed with the project's secret key (``django.core.signing``, with a salt of
its own and a timestamp). A keyset rather than an offset: records written between
two pages never shift the rest of the list, so none is skipped or sent twice.
Forged, altered, expired, or made for another verb: ``badResumptionToken``.
"""

import datetime

from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .protocol import TOKEN, OAIError

SALT = "testimonies.oai.resumption-token.v1"


def make(payload):
    """A token for ``payload`` (a dict of JSON values) and when it expires."""
    token = signing.dumps(payload, salt=SALT, compress=True)
    lifetime = datetime.timedelta(seconds=settings.TESTIMONY_OAI_TOKEN_SECONDS)
    return token, timezone.now() + lifetime


def read(token, verb):
    """The payload of ``token`` if it is one of ours, still valid, for ``verb``."""
    if not TOKEN.fullmatch(token):
        raise bad_token()
    try:
        payload = signing.loads(
            token, salt=SALT, max_age=settings.TESTIMONY_OAI_TOKEN_SECONDS
        )
    except signing.SignatureExpired:
        raise OAIError(
            "badResumptionToken", _("The resumptionToken has expired.")
        ) from None
    except (signing.BadSignature, ValueError):
        raise bad_token() from None
    if not isinstance(payload, dict) or payload.get("verb") != verb:
        raise bad_token()
    return payload


def bad_token():
    return OAIError("badResumptionToken", _("The resumptionToken is not valid."))

"""Sign-in refused to an address that failed too often, whatever the usernames.

Axes locks a username out from one address after five failures; an attacker who
tries one common password against many usernames (password spraying) never fails
twice for one of them. Failed sign-ins therefore also count per address
(``ACCOUNT_RATE_LIMITS["login_address"]``, a higher limit, since a school or an
office may share one address), and past the limit this backend, listed first,
refuses every sign-in from there until the window ends.
"""

from django.core.exceptions import PermissionDenied

from . import throttle

SCOPE = "login_address"


class AddressLockoutBackend:
    def authenticate(self, request, **credentials):
        if request is not None and throttle.exceeded(request, SCOPE):
            # PermissionDenied ends the search for a backend: no password is
            # checked, and the sign-in fails like a wrong one.
            raise PermissionDenied
        return None

    # No get_user(): this backend never signs anyone in, so no session names it
    # (Django's test client would pick the first backend that has one).


def count_failure(sender, credentials, request=None, **kwargs):
    """``user_login_failed``: one more failure from this address."""
    if request is not None:
        throttle.allow(request, SCOPE)

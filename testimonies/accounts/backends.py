"""Sign-in refused to an address that failed too often, whatever the usernames.

Axes locks a username out from one address after five failures; an attacker who
tries one common password against many usernames (password spraying) never fails
twice for one of them. Sign-ins therefore also count per address
(``ACCOUNT_RATE_LIMITS["login_address"]``, a higher limit, since a school or an
office may share one address). This backend, listed first, takes a number for
every attempt before any password is checked, so concurrent guesses are counted
one by one, and past the limit refuses every sign-in from there until the window
ends; a sign-in that succeeds gives its number back, so only failures add up.
"""

from django.core.exceptions import PermissionDenied

from . import throttle

SCOPE = "login_address"


class AddressLockoutBackend:
    def authenticate(self, request, **credentials):
        if request is not None and not throttle.allow(request, SCOPE):
            # PermissionDenied ends the search for a backend: no password is
            # checked, and the sign-in fails like a wrong one.
            raise PermissionDenied
        return None

    # No get_user(): this backend never signs anyone in, so no session names it
    # (Django's test client would pick the first backend that has one).


def refund_success(sender, request=None, user=None, **kwargs):
    """``user_logged_in``: a sign-in that succeeded was no guess."""
    if request is not None:
        throttle.refund(request, SCOPE)

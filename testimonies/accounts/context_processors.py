from django.utils.functional import SimpleLazyObject

from ..access import Audience, audience_of


def account(request):
    """The signed-in user's audience, for the header and the access badges.

    Lazy, so a page that never shows them costs no query.
    """
    user = getattr(request, "user", None)
    return {
        "is_researcher": SimpleLazyObject(
            lambda: audience_of(user) == Audience.RESEARCHER
        ),
    }

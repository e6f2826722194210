"""Who may see what: the three audiences of the archive.

``Testimony.objects.visible_to(user)`` is the rule every surface applies; this module
only says which audience a user belongs to.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

ARCHIVISTS_GROUP = "Archivists"
RESEARCHERS_GROUP = "Researchers"
#: Reading what the public may not: drafts, restricted and sealed testimonies.
#: The Archivists group has it (migration 0008); superusers have every permission.
READ_NONPUBLIC = "testimonies.read_nonpublic"


class Audience(models.IntegerChoices):
    PUBLIC = 0, _("public visitor")
    RESEARCHER = 1, _("researcher")
    ARCHIVIST = 2, _("archivist")


def audience_of(user):
    """Return the :class:`Audience` of ``user`` (``None`` or anonymous: the public).

    The answer is cached on the user object: a request asks many times.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return Audience.PUBLIC
    cached = getattr(user, "_testimony_audience", None)
    if cached is not None:
        return cached
    # A permission, not staff status: staff may be given the admin for one task
    # (answering takedown requests, say) without reading every draft.
    if user.has_perm(READ_NONPUBLIC):
        audience = Audience.ARCHIVIST
    elif user.groups.filter(name=RESEARCHERS_GROUP).exists():
        audience = Audience.RESEARCHER
    else:
        audience = Audience.PUBLIC
    user._testimony_audience = audience
    return audience

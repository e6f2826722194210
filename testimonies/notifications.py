"""Notices to archivists that something waits for them in the admin.

A researcher application or a takedown request arrives from a visitor's form; the
people who can act on it hear of it by e-mail: active staff with an address who
may change such records (the Archivists group may), and the addresses of
``TESTIMONY_NOTIFY_EMAILS``. The notice holds a link to the admin page and no
more: what the visitor wrote, and how to reach them, stay in the admin.

Sent once the row is committed, after the response (accounts.outbox), in the
site's language. Nothing here may fail the visitor's request: a notice that cannot
be sent is logged, and the request stays recorded.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .access import ARCHIVISTS_GROUP
from .accounts.outbox import send_later

logger = logging.getLogger(__name__)


def application_received(request, application):
    """Tell archivists that ``application`` waits for a decision."""
    _notify_later(request, application, "registration/archivists_application_email")


def takedown_received(request, takedown):
    """Tell archivists that the takedown request ``takedown`` is open."""
    _notify_later(request, takedown, "registration/archivists_takedown_email")


def recipients(model):
    """The addresses that hear of a new ``model`` row, each once."""
    opts = model._meta
    may_change = Permission.objects.filter(
        content_type__app_label=opts.app_label,
        codename=f"change_{opts.model_name}",
    )
    staff = (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .exclude(email="")
        .filter(
            Q(is_superuser=True)
            | Q(groups__name=ARCHIVISTS_GROUP)
            | Q(groups__permissions__in=may_change)
            | Q(user_permissions__in=may_change)
        )
        .values_list("email", flat=True)
        .distinct()
    )
    addresses = {}
    for address in [*staff, *settings.TESTIMONY_NOTIFY_EMAILS]:
        addresses.setdefault(address.lower(), address)
    return sorted(addresses.values(), key=str.lower)


def _notify_later(request, obj, template):
    # The visitor's form is answered either way: the notice is built and queued
    # only once the row exists for the admin link to show.
    transaction.on_commit(lambda: _notify(request, obj, template))


def _notify(request, obj, template):
    try:
        addresses = recipients(type(obj))
        if not addresses:
            return
        opts = obj._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        context = {
            "object": obj,
            "admin_url": request.build_absolute_uri(
                reverse(f"{prefix}_change", args=[obj.pk])
            ),
            "list_url": request.build_absolute_uri(reverse(f"{prefix}_changelist")),
        }
        # The visitor's language is active; the archivists read the site's.
        with translation.override(settings.LANGUAGE_CODE):
            subject = render_to_string(f"{template}_subject.txt", context)
            body = render_to_string(f"{template}.txt", context)
        for address in addresses:
            send_later(EmailMessage(" ".join(subject.split()), body, None, [address]))
    except Exception:  # the request is recorded; the notice is what is lost
        logger.exception(
            "Could not notify archivists of %s %s", obj._meta.label, obj.pk
        )

"""Takedown requests sent from the testimony pages, for archivists to act on."""

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from ..models import TakedownRequest
from .safety import SafeInputsAdmin

Status = TakedownRequest.Status


def set_status(modeladmin, request, queryset, status, done):
    """Move the selected requests to ``status``, signed by the archivist."""
    with transaction.atomic():
        changed = list(queryset.exclude(status=status))
        for takedown in changed:
            takedown.status = status
            takedown.handled_by = request.user
        TakedownRequest.objects.bulk_update(changed, ["status", "handled_by"])
        if changed:
            LogEntry.objects.log_actions(
                user_id=request.user.pk,
                queryset=changed,
                action_flag=CHANGE,
                change_message=[{"changed": {"fields": ["Status", "Handled by"]}}],
            )
    modeladmin.message_user(request, done % {"count": len(changed)}, messages.SUCCESS)


@admin.action(description=_("Mark as in progress"), permissions=["change"])
def mark_in_progress(modeladmin, request, queryset):
    set_status(
        modeladmin,
        request,
        queryset,
        Status.IN_PROGRESS,
        ngettext_lazy(
            "%(count)d request marked as in progress.",
            "%(count)d requests marked as in progress.",
            "count",
        ),
    )


@admin.action(description=_("Mark as done"), permissions=["change"])
def mark_done(modeladmin, request, queryset):
    set_status(
        modeladmin,
        request,
        queryset,
        Status.DONE,
        ngettext_lazy(
            "%(count)d request marked as done.",
            "%(count)d requests marked as done.",
            "count",
        ),
    )


@admin.action(description=_("Mark as rejected"), permissions=["change"])
def mark_rejected(modeladmin, request, queryset):
    set_status(
        modeladmin,
        request,
        queryset,
        Status.REJECTED,
        ngettext_lazy(
            "%(count)d request marked as rejected.",
            "%(count)d requests marked as rejected.",
            "count",
        ),
    )


@admin.register(TakedownRequest)
class TakedownRequestAdmin(SafeInputsAdmin):
    list_display = ["created_at", "testimony_link", "excerpt", "status", "handled_by"]
    list_display_links = ["created_at"]
    list_filter = ["status", ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["testimony", "handled_by"]
    search_fields = ["testimony__identifier", "reason"]
    search_help_text = _("The testimony's identifier or words of the reason.")
    date_hierarchy = "created_at"
    actions = [mark_in_progress, mark_done, mark_rejected]
    fields = [
        "testimony_link",
        "created_at",
        "reason",
        "contact",
        ("status", "handled_by"),
        "notes",
    ]
    # What the reader sent stays as sent; archivists record what they did.
    readonly_fields = ["testimony_link", "created_at", "reason", "contact"]
    raw_id_fields = ["handled_by"]

    def has_add_permission(self, request):
        return False  # requests come from the testimony pages only

    @admin.display(description=_("testimony"), ordering="testimony__identifier")
    def testimony_link(self, takedown):
        testimony = takedown.testimony
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:testimonies_testimony_change", args=[testimony.pk]),
            testimony.identifier,
        )

    @admin.display(description=_("reason"))
    def excerpt(self, takedown):
        return Truncator(takedown.reason).chars(80)

    def save_model(self, request, obj, form, change):
        # Whoever changes the status takes the request on.
        if "status" in form.changed_data and "handled_by" not in form.changed_data:
            obj.handled_by = request.user
        super().save_model(request, obj, form, change)

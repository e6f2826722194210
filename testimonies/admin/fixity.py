"""Fixity checks: when the stored files were last proved intact, read-only.

Runs are written by ``manage.py check_fixity`` only (docs/operations.md); the list
shows the newest first, so its top row answers "are the files intact?".
"""

from django.contrib import admin

from ..models import FixityCheck
from .safety import SafeInputsAdmin


@admin.register(FixityCheck)
class FixityCheckAdmin(SafeInputsAdmin):
    list_display = ["started_at", "ok", "checked", "missing", "altered", "finished_at"]
    list_filter = ["ok"]
    date_hierarchy = "started_at"
    fields = [
        ("started_at", "finished_at"),
        "ok",
        ("checked", "missing", "altered", "recorded"),
        "report",
    ]
    readonly_fields = [
        "started_at",
        "finished_at",
        "ok",
        "checked",
        "missing",
        "altered",
        "recorded",
        "report",
    ]

    # A record of what was found is evidence: nobody adds, edits or deletes one.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

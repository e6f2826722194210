"""Sources: where testimonies come from, and their rights."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ..models import Source
from .safety import SafeInputsAdmin


@admin.register(Source)
class SourceAdmin(SafeInputsAdmin, SimpleHistoryAdmin):
    list_display = ["__str__", "organisation", "interviewer", "date", "licence", "uses"]
    search_fields = ["title", "organisation", "interviewer", "publisher", "url"]
    list_filter = ["licence"]
    ordering = ["title", "pk"]
    date_hierarchy = "date"
    fieldsets = [
        (None, {"fields": ["title", ("interviewer", "organisation"), "publisher"]}),
        (None, {"fields": ["url", "date"]}),
        (_("Rights"), {"fields": ["rights", "licence"]}),
    ]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(testimony_count=Count("testimonies"))
        )

    @admin.display(description=_("testimonies"), ordering="testimony_count")
    def uses(self, source):
        return source.testimony_count

"""Sources: where testimonies come from, and their rights."""

from django.contrib import admin
from django.db.models import Count
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ..models import Source
from .safety import SafeInputsAdmin
from .widgets import LabelledAutocompleteAdmin


@admin.register(Source)
class SourceAdmin(SafeInputsAdmin, SimpleHistoryAdmin, LabelledAutocompleteAdmin):
    list_display = [
        "__str__",
        "organisation",
        "publisher",
        "interviewer",
        "date",
        "licence",
        "uses",
    ]
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

    def autocomplete_label(self, source):
        """The title and what tells sources of one title apart: "Fictional
        composite — Demo collection · 3 May 2024 · interviewer: A"."""
        name = str(source)
        details = [
            value
            for value in (source.organisation, source.publisher)
            if value and value != name
        ]
        if source.date:
            details.append(date_format(source.date, "DATE_FORMAT"))
        if source.interviewer:
            details.append(_("interviewer: %(name)s") % {"name": source.interviewer})
        return " — ".join([name, " · ".join(details)]) if details else name

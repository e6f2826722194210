"""Narrators, whose real names and contacts only some archivists may see."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ..models import Narrator, Testimony
from .safety import SafeInputsAdmin
from .widgets import SafeAutocompleteAdmin

PRIVATE_FIELDS = ("real_name", "contact", "private_notes")
PRIVATE_PERMISSION = "testimonies.view_narrator_private"


def may_see_private(request):
    return request is not None and request.user.has_perm(PRIVATE_PERMISSION)


class NarratorTestimonyInline(admin.TabularInline):
    """The narrator's testimonies, as links; they are edited on their own page."""

    model = Testimony
    fields = ["identifier", "title", "language", "status", "access"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    verbose_name_plural = _("testimonies given by this narrator")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Narrator)
class NarratorAdmin(SafeInputsAdmin, SimpleHistoryAdmin, SafeAutocompleteAdmin):
    list_display = ["alias", "code", "role", "age_group", "home_place", "testimonies"]
    list_filter = ["role", "age_group", "gender"]
    list_select_related = ["home_place"]
    search_fields = ["alias", "code"]
    ordering = ["alias"]
    autocomplete_fields = ["home_place"]
    inlines = [NarratorTestimonyInline]
    public_fieldsets = [
        (
            None,
            {
                "fields": [
                    ("alias", "code"),
                    ("age_group", "gender", "role"),
                    "home_place",
                    "profile",
                ]
            },
        ),
    ]
    private_fieldsets = [
        (
            _("Private: real name and contact"),
            {
                "classes": ["collapse"],
                "fields": list(PRIVATE_FIELDS),
                "description": _(
                    "Never published. Seen only by archivists allowed to see "
                    "narrators' private details."
                ),
            },
        ),
    ]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(testimony_count=Count("testimonies"))
        )

    def get_fieldsets(self, request, obj=None):
        # The form is built from the fieldsets, so without the permission the
        # private fields are neither shown nor accepted from a submitted form.
        if may_see_private(request):
            return self.public_fieldsets + self.private_fieldsets
        return self.public_fieldsets

    def get_search_fields(self, request):
        if may_see_private(request):
            return [*self.search_fields, "real_name"]
        return self.search_fields

    def lookup_allowed(self, lookup, value, request=None):
        # Local fields may be filtered through the address by default
        # (?real_name__startswith=…): that would reveal private values one by one.
        if lookup.split("__")[0] in PRIVATE_FIELDS and not may_see_private(request):
            return False
        return super().lookup_allowed(lookup, value, request)

    @admin.display(description=_("testimonies"), ordering="testimony_count")
    def testimonies(self, narrator):
        return narrator.testimony_count

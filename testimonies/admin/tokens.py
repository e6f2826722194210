"""Personal API tokens in the admin: who holds which, when each was used, and a
way to revoke one (a leaked token, an account that left). Made and shown only on
the researcher's own account page."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import ApiToken


class ActiveFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", _("in use")), ("ended", _("revoked or expired"))]

    def queryset(self, request, queryset):
        active = ApiToken.objects.active().values("pk")
        if self.value() == "active":
            return queryset.filter(pk__in=active)
        if self.value() == "ended":
            return queryset.exclude(pk__in=active)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "user",
        "beginning",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = [ActiveFilter]
    search_fields = ["name", "user__username", "lookup"]
    list_select_related = ["user"]
    fields = list_display
    readonly_fields = list_display
    actions = ["revoke"]

    @admin.display(description=_("begins with"))
    def beginning(self, token):
        return f"ta_{token.lookup}…"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        count = queryset.filter(pk__in=ApiToken.objects.active().values("pk")).update(
            revoked_at=timezone.now()
        )
        message = _("Tokens revoked: %(count)s.") % {"count": count}
        self.message_user(request, message, messages.SUCCESS)

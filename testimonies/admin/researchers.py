"""Researcher applications: archivists approve or reject them here.

Archivists may not change user accounts in general (the user form can grant
superuser status), so these two actions are their only way to add an account to
the Researchers group or take it out.
"""

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from ..access import RESEARCHERS_GROUP
from ..accounts.services import notify
from ..models import ResearcherApplication
from .safety import SafeInputsAdmin


def decide(modeladmin, request, queryset, status, done):
    changed = [
        application
        for application in queryset.select_related("user")
        if application.status != status
    ]
    for application in changed:
        if status == ResearcherApplication.Status.APPROVED:
            application.approve(by=request.user)
        else:
            application.reject(by=request.user)
        if application.user.email:
            notify(
                request,
                application.user.email,
                f"registration/application_{status}_email",
                user=application.user,
            )
    message = done % {"count": len(changed)}
    if changed:
        LogEntry.objects.log_actions(
            user_id=request.user.pk,
            queryset=changed,
            action_flag=CHANGE,
            change_message=[{"changed": {"fields": ["status"]}}],
        )
    modeladmin.message_user(request, message, messages.SUCCESS)


@admin.action(
    description=_("Approve: open researcher-only testimonies"),
    permissions=["change"],
)
def approve(modeladmin, request, queryset):
    decide(
        modeladmin,
        request,
        queryset,
        ResearcherApplication.Status.APPROVED,
        ngettext_lazy(
            "%(count)d application approved.",
            "%(count)d applications approved.",
            "count",
        ),
    )


@admin.action(
    description=_("Reject: no researcher access (withdraws it if given)"),
    permissions=["change"],
)
def reject(modeladmin, request, queryset):
    decide(
        modeladmin,
        request,
        queryset,
        ResearcherApplication.Status.REJECTED,
        ngettext_lazy(
            "%(count)d application rejected.",
            "%(count)d applications rejected.",
            "count",
        ),
    )


#: The buttons of an application's page, by the value they post: the status each
#: sets and the list action that sets it.
DECISIONS = {
    "approve": (ResearcherApplication.Status.APPROVED, approve),
    "reject": (ResearcherApplication.Status.REJECTED, reject),
}


@admin.register(ResearcherApplication)
class ResearcherApplicationAdmin(SafeInputsAdmin):
    list_display = [
        "full_name",
        "username",
        "email",
        "affiliation",
        "status",
        "has_access",
        "created_at",
        "decided_by",
    ]
    list_filter = ["status", "created_at"]
    list_select_related = ["user", "decided_by"]
    search_fields = ["full_name", "affiliation", "user__username", "user__email"]
    date_hierarchy = "created_at"
    actions = [approve, reject]
    fields = [
        ("full_name", "username", "email"),
        "affiliation",
        "purpose",
        ("status", "has_access"),
        ("created_at", "decided_at", "decided_by"),
        "notes",
    ]
    # Everything the applicant wrote stays as written; the status changes only
    # through the actions, which also change the group.
    readonly_fields = [
        "full_name",
        "username",
        "email",
        "affiliation",
        "purpose",
        "status",
        "has_access",
        "created_at",
        "decided_at",
        "decided_by",
    ]

    def get_urls(self):
        decide_view = self.admin_site.admin_view(self.decide_view)
        return [
            path(
                "<path:object_id>/decide/",
                decide_view,
                name="testimonies_researcherapplication_decide",
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request, object_id):
        """The Approve and Reject buttons of an application's own page: the list
        actions, applied to this one application."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request):
            raise PermissionDenied
        self._check_key(self.model, object_id)
        application = get_object_or_404(self.get_queryset(request), pk=object_id)
        page = reverse(
            "admin:testimonies_researcherapplication_change", args=[application.pk]
        )
        status, action = DECISIONS.get(request.POST.get("decision"), (None, None))
        if action is None:
            self.message_user(request, _("Choose Approve or Reject."), messages.ERROR)
        elif application.status == status:
            self.message_user(
                request,
                _("This application was already %(status)s; nothing changed.")
                % {"status": application.get_status_display()},
                messages.WARNING,
            )
        else:
            action(self, request, self.model.objects.filter(pk=application.pk))
        return HttpResponseRedirect(page)

    def render_change_form(self, request, context, obj=None, **kwargs):
        context["can_decide"] = obj is not None and self.has_change_permission(
            request, obj
        )
        return super().render_change_form(request, context, obj=obj, **kwargs)

    def get_queryset(self, request):
        researchers = Group.objects.filter(
            name=RESEARCHERS_GROUP, user=OuterRef("user")
        )
        return super().get_queryset(request).annotate(in_group=Exists(researchers))

    def has_add_permission(self, request):
        return False  # applications come from the sign-up form

    @admin.display(description=_("username"), ordering="user__username")
    def username(self, application):
        return application.user.username

    @admin.display(description=_("email"), ordering="user__email")
    def email(self, application):
        return application.user.email

    @admin.display(
        description=_("researcher access now"), boolean=True, ordering="in_group"
    )
    def has_access(self, application):
        return application.in_group

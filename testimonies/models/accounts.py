"""Researcher accounts: who asked to read researcher-only testimonies, and why.

Signing up makes an ordinary account and one of these applications; an archivist
approves or rejects it in the admin, which adds the account to the Researchers
group or takes it out (the group is what ``visible_to`` looks at).
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..access import RESEARCHERS_GROUP


class ResearcherApplicationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=ResearcherApplication.Status.PENDING)


class ResearcherApplication(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="researcher_application",
    )
    full_name = models.CharField(_("full name"), max_length=200)
    affiliation = models.CharField(_("affiliation or institution"), max_length=300)
    purpose = models.TextField(
        _("research purpose"),
        help_text=_("What the applicant means to study, in their own words."),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.PENDING,
        db_index=True,
    )
    created_at = models.DateTimeField(_("applied"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notes = models.TextField(
        _("archivists' notes"),
        blank=True,
        help_text=_("Never shown to the applicant."),
    )

    objects = ResearcherApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("researcher application")
        verbose_name_plural = _("researcher applications")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.full_name} ({self.user})"

    def approve(self, by):
        """Open researcher-only testimonies to the applicant."""
        self._decide(self.Status.APPROVED, by)

    def reject(self, by):
        """Refuse (or withdraw) researcher access; the account itself stays."""
        self._decide(self.Status.REJECTED, by)

    def _decide(self, status, by):
        with transaction.atomic():
            group, _created = Group.objects.get_or_create(name=RESEARCHERS_GROUP)
            if status == self.Status.APPROVED:
                self.user.groups.add(group)
            else:
                self.user.groups.remove(group)
            self.status = status
            self.decided_at = timezone.now()
            self.decided_by = by
            self.save(update_fields=["status", "decided_at", "decided_by"])
        # audience_of() caches the audience on the user object.
        self.user.__dict__.pop("_testimony_audience", None)

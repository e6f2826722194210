from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TakedownRequest(models.Model):
    """A reader's request to take a testimony down or change it, for archivists.

    Sent from the form on each testimony page (``testimonies.views.takedown``). The
    contact is optional, seen by archivists only, and never used to send email by
    the archive itself: nothing here writes to the person who asked.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        REJECTED = "rejected", _("rejected")

    testimony = models.ForeignKey(
        "Testimony",
        verbose_name=_("testimony"),
        on_delete=models.CASCADE,
        related_name="takedown_requests",
    )
    reason = models.TextField(_("reason"), max_length=5000)
    contact = models.CharField(
        _("contact"),
        max_length=300,
        blank=True,
        help_text=_("How to reach the person who asked. Archivists only."),
    )
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=Status.choices,
        default=Status.OPEN,
        db_index=True,
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notes = models.TextField(
        _("notes"), blank=True, help_text=_("What was decided and done, and why.")
    )

    class Meta:
        verbose_name = _("takedown request")
        verbose_name_plural = _("takedown requests")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return _("Request about %(identifier)s") % {
            "identifier": self.testimony.identifier
        }

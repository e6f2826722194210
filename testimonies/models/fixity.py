from django.db import models
from django.utils.translation import gettext_lazy as _


class FixityCheckQuerySet(models.QuerySet):
    def last_run(self):
        """The most recent finished check, or None if none ever finished."""
        return self.exclude(finished_at=None).order_by("-started_at").first()


class FixityCheck(models.Model):
    """One run of ``manage.py check_fixity``: when, what it found, its report.

    Kept so that the admin can show when the stored files were last proved intact,
    and what was wrong when they were not (testimonies.fixity).
    """

    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    ok = models.BooleanField(_("all files intact"), default=False)
    checked = models.PositiveIntegerField(_("files checked"), default=0)
    missing = models.PositiveIntegerField(_("missing files"), default=0)
    altered = models.PositiveIntegerField(_("altered files"), default=0)
    recorded = models.PositiveIntegerField(
        _("checksums recorded"),
        default=0,
        help_text=_("Files that had no checksum yet: this check recorded one."),
    )
    report = models.TextField(_("report"), blank=True)

    objects = FixityCheckQuerySet.as_manager()

    class Meta:
        verbose_name = _("fixity check")
        verbose_name_plural = _("fixity checks")
        ordering = ["-started_at", "-pk"]

    def __str__(self):
        return _("Fixity check of %(date)s") % {"date": self.started_at}

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Source(models.Model):
    """Where a testimony comes from: the interview or publication and its rights."""

    title = models.CharField(_("title"), max_length=300, blank=True)
    interviewer = models.CharField(_("interviewer"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    url = models.URLField(_("address (URL)"), max_length=500, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    rights = models.TextField(
        _("rights statement"),
        blank=True,
        help_text=_("Who holds the rights and what others may do with the text."),
    )
    licence = models.CharField(
        _("licence"), max_length=100, blank=True, help_text=_("e.g. CC BY-NC 4.0")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["title", "pk"]

    def __str__(self):
        return self.title or self.organisation or self.publisher or f"#{self.pk}"

    def natural_key(self):
        """The fields that make two sources the same one (used by imports)."""
        return tuple(str(getattr(self, name) or "") for name in self.NATURAL_KEY_FIELDS)

    NATURAL_KEY_FIELDS = (
        "title",
        "interviewer",
        "organisation",
        "publisher",
        "url",
        "date",
        "rights",
        "licence",
    )

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .. import media


def import_path(instance, filename):
    return media.random_name("imports", filename)


class ImportJob(models.Model):
    """An import file uploaded in the admin: checked in full first (a dry run, by
    the task worker), shown to the archivist with every problem or what it would
    change, and imported only when they confirm (testimonies.importing.jobs).

    The file lives under the media folder but is never served: the media view
    serves only the files of photos, documents and recordings.
    """

    class State(models.TextChoices):
        CHECKING = "checking", _("being checked")
        REFUSED = "refused", _("has problems")
        CHECKED = "checked", _("checked: ready to import")
        IMPORTING = "importing", _("being imported")
        DONE = "done", _("imported")
        FAILED = "failed", _("not imported")

    #: States in which the worker is at it (the page reloads itself).
    RUNNING = (State.CHECKING, State.IMPORTING)

    file = models.FileField(_("file"), upload_to=import_path)
    name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.CHECKING
    )
    # What the check found (ImportResult's counts), then what the import did.
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    #: The archivist's choices on the preview: a name the file would create a
    #: tag for → the stored tag to use instead (``{"themes": {name: pk}, …}``).
    mapping = models.JSONField(_("mapping"), default=dict, blank=True)
    # [{"line": 3, "field": "themes", "message": "…"}], at most MAX_PROBLEMS.
    problems = models.JSONField(_("problems"), default=list, blank=True)
    problem_count = models.PositiveIntegerField(_("problems found"), default=0)
    message = models.TextField(_("message"), blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    MAX_PROBLEMS = 1000

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return self.name

    @property
    def is_running(self):
        return self.state in self.RUNNING

    @property
    def progress_path(self):
        """Where the worker says how far it is: a file, not a row, because the
        import writes in one transaction that no other connection sees into."""
        return Path(settings.MEDIA_ROOT) / "imports" / f"{self.pk}.progress"

    @property
    def progress(self):
        try:
            return self.progress_path.read_text(encoding="utf-8").strip()
        except OSError:
            return ""

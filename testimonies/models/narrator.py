from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Narrator(models.Model):
    """The person who gave a testimony: known to the public only by an alias.

    ``real_name``, ``contact`` and ``private_notes`` are for archivists holding the
    ``view_narrator_private`` permission; no public surface may show them.
    """

    class AgeGroup(models.TextChoices):
        CHILD = "under_18", _("under 18")
        YOUNG = "18_29", _("18–29")
        ADULT = "30_44", _("30–44")
        MIDDLE = "45_59", _("45–59")
        OLDER = "60_74", _("60–74")
        ELDERLY = "75_plus", _("75 and over")

    class Gender(models.TextChoices):
        FEMALE = "female", _("female")
        MALE = "male", _("male")
        OTHER = "other", _("other")

    class Role(models.TextChoices):
        RESIDENT = "resident", _("resident")
        VOLUNTEER = "volunteer", _("volunteer")
        OFFICIAL = "official", _("local official")
        MEDIC = "medic", _("medical worker")
        TEACHER = "teacher", _("teacher")
        DRIVER = "driver", _("driver")
        RELATIVE = "relative", _("relative of a resident")
        OTHER = "other", _("other")

    code = models.CharField(
        _("narrator code"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Stable reference used by imports, e.g. N-0042."),
    )
    alias = models.CharField(
        _("public alias"),
        max_length=100,
        help_text=_("The only name the public sees. Never the real name."),
    )
    age_group = models.CharField(
        _("age group"), max_length=10, choices=AgeGroup.choices, blank=True
    )
    gender = models.CharField(
        _("gender"), max_length=10, choices=Gender.choices, blank=True
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    home_place = models.ForeignKey(
        "Place",
        verbose_name=_("home place"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="narrators",
    )
    profile = models.TextField(
        _("public profile"),
        blank=True,
        help_text=_("A short description safe to publish."),
    )
    real_name = models.CharField(_("real name"), max_length=200, blank=True)
    contact = models.TextField(_("contact details"), blank=True)
    private_notes = models.TextField(_("private notes"), blank=True)

    # The private fields are left out: copies of a real name in old versions
    # would outlive its deletion and reach archivists without the permission.
    history = HistoricalRecords(
        excluded_fields=["real_name", "contact", "private_notes"]
    )

    class Meta:
        verbose_name = _("narrator")
        verbose_name_plural = _("narrators")
        ordering = ["alias"]
        permissions = [
            ("view_narrator_private", _("Can see narrators' real names and contacts")),
        ]

    def __str__(self):
        return self.alias

from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower, TruncDate
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from taggit.managers import TaggableManager

from ..access import Audience, audience_of
from ..dates import DatePrecision, archive_today, display_partial_date, last_day
from ..history import TagNames, TestimonyRecords
from ..languages import normalize_language, validate_language
from ..redaction import PublicText, field_errors
from .tags import PlacedItem, TestimonyTagManager, ThemedItem

#: Size limits of the texts, in characters (docs/import-format.md). A summary is a
#: paragraph; 500,000 characters is a book of some 250 pages, far more than any
#: written testimony. An hour's interview belongs in a transcript of its recording,
#: not in one field that every search hit would have to read for its snippet.
SUMMARY_LIMIT = 5_000
BODY_LIMIT = 500_000

validate_identifier = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*\Z",
    _(
        "Use letters, digits, dots, underscores and hyphens, "
        "starting with a letter or digit."
    ),
)


def several(value):
    """``value`` as a list: a list or tuple as it is, one value alone, nothing
    for ``None`` or an empty string."""
    if isinstance(value, list | tuple | set | frozenset):
        return [item for item in value if item is not None and item != ""]
    return [] if value is None or value == "" else [value]


class TestimonyQuerySet(models.QuerySet):
    # The access levels visible_to() found its user may read (None: not narrowed).
    _readable = None

    def visible_to(self, user):
        """What ``user`` may see. Every surface of the archive goes through this.

        Anonymous visitors: published and public. Researchers: also published
        researcher-only testimonies. Neither sees a testimony sealed until today
        or later (in the archive's time zone): it opens the day after its
        embargo, with nothing to run. Archivists (permission ``read_nonpublic``):
        everything. The queryset remembers the access levels ``user`` may read
        (:attr:`readable_access`), for what depends on them beyond the rows.
        """
        if audience_of(user) == Audience.ARCHIVIST:
            visible = self.all()
        else:
            visible = self.filter(
                models.Q(sealed_until__isnull=True)
                | models.Q(sealed_until__lt=archive_today()),
                status=Testimony.Status.PUBLISHED,
                access__in=readable_access(user),
            )
        levels = readable_access(user)
        if self._readable is not None:  # narrowed twice: what both may read
            levels = [level for level in levels if level in self._readable]
        visible._readable = tuple(levels)
        return visible

    @property
    def readable_access(self):
        """The access levels of the recordings (like ``Recording.objects.
        visible_to``) whose words a search of this queryset hears: those its
        ``visible_to`` user may read; only the public's if it was never narrowed."""
        if self._readable is None:
            return (Testimony.Access.PUBLIC,)
        return self._readable

    def _clone(self):
        clone = super()._clone()
        clone._readable = self._readable
        return clone

    def sealed(self):
        """The testimonies under an embargo today."""
        return self.filter(sealed_until__gte=archive_today())

    def unsealed(self):
        """The testimonies whose embargo has ended."""
        return self.filter(sealed_until__lt=archive_today())

    def withdrawn_after_publication(self):
        """Withdrawn testimonies that everyone could read before: published for the
        public, any embargo over before their last change (the withdrawal).

        Not a visibility rule: nothing of them is shown. Harvesters (OAI-PMH,
        docs/oai-pmh.md) are told these records were deleted, so that their copies
        go too; a testimony withdrawn before anyone could read it is never named.
        """
        last_change = TruncDate("updated_at", tzinfo=timezone.get_default_timezone())
        return self.filter(
            models.Q(sealed_until__isnull=True)
            | models.Q(sealed_until__lt=last_change),
            status=Testimony.Status.WITHDRAWN,
            access=Testimony.Access.PUBLIC,
            published_at__isnull=False,
        )

    def with_related(self):
        """Everything a list shows, in a fixed number of queries: the title and
        summary in the reader's language too (:meth:`with_listed_translation`)."""
        return (
            self.select_related("narrator", "source")
            .prefetch_related("themes", "places")
            .with_listed_translation(get_language())
        )

    def with_listed_translation(self, language):
        """Each testimony's translations into ``language`` (``en`` takes in
        ``en-GB``), human ones first, as ``listed_translations``: what a list
        shows of them (title, summary, kind), never their text."""
        code = normalize_language(language or "")
        if not code:
            return self
        translations = (
            Translation.objects.filter(
                models.Q(language=code) | models.Q(language__startswith=f"{code}-")
            )
            .only("pk", "testimony_id", "language", "title", "summary", "kind")
            .order_by("kind", "language")
        )
        return self.prefetch_related(
            models.Prefetch(
                "translations", queryset=translations, to_attr="listed_translations"
            )
        )

    def with_tag_ids(self):
        """The ids of each testimony's themes and places (``themed_items``,
        ``placed_items``), without loading the tags: a caller holding the
        vocabularies looks them up."""
        return self.prefetch_related(
            models.Prefetch(
                "themed_items",
                queryset=ThemedItem.objects.only("tag_id", "content_object_id"),
            ),
            models.Prefetch(
                "placed_items",
                queryset=PlacedItem.objects.only("tag_id", "content_object_id"),
            ),
        )

    def for_record(self):
        """What a full record reads (the export's line, the API's record, an
        OAI-PMH record), in a fixed number of queries: narrator, source, tag
        ids and translations by language."""
        return (
            self.select_related("narrator", "source")
            .with_tag_ids()
            .prefetch_related(
                models.Prefetch(
                    "translations", queryset=Translation.objects.order_by("language")
                )
            )
        )

    def filter_by(
        self,
        *,
        theme=None,
        place=None,
        language=None,
        available=None,
        recorded_from=None,
        recorded_to=None,
    ):
        """Narrow by themes, places and languages, and a recording period.

        ``language`` is the original's; ``available`` the original's or a
        translation's. ``theme``, ``place``, ``language`` and ``available`` each
        take one value or a list of
        them: any of a list matches (OR within a vocabulary), and every
        vocabulary given must match (AND across them). A theme or place takes in
        the tags below it; dates are dates. A testimony known only as "2024-08"
        overlaps any range touching August 2024.
        """
        qs = self
        for lookup, tags in (
            ("themed_items__tag__in", several(theme)),
            ("placed_items__tag__in", several(place)),
        ):
            if tags:
                ids = frozenset().union(*(tag.descendant_ids() for tag in tags))
                qs = qs.filter(**{lookup: sorted(ids)})
        if languages := several(language):
            qs = qs.filter(language__in=languages)
        if languages := several(available):
            translated = Translation.objects.filter(language__in=languages)
            qs = qs.filter(
                models.Q(language__in=languages)
                | models.Q(pk__in=translated.values("testimony_id"))
            )
        if recorded_from is not None:
            qs = qs.filter(recorded_until__gte=recorded_from)
        if recorded_to is not None:
            qs = qs.filter(recorded_on__lte=recorded_to)
        if several(theme) or several(place):
            qs = qs.distinct()
        return qs

    def refused_by_consent(self, *, status=None, access=None):
        """The testimonies that setting ``status`` or ``access`` would publish to
        readers their narrator's consent does not cover (see ``consent_error``)."""
        if status is not None and status != Testimony.Status.PUBLISHED:
            return self.none()
        refused = models.Q(pk__in=[])
        for level, scopes in Testimony.CONSENT_SCOPES.items():
            if access is not None and access != level:
                continue
            lacking = ~models.Q(
                consent=Testimony.Consent.GIVEN, consent_scope__in=scopes
            )
            if access is None:
                lacking &= models.Q(access=level)
            if status is None:
                lacking &= models.Q(status=Testimony.Status.PUBLISHED)
            refused |= lacking
        return self.filter(refused)


class Testimony(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        IN_REVIEW = "in_review", _("in review")
        PUBLISHED = "published", _("published")
        WITHDRAWN = "withdrawn", _("withdrawn")

    class Access(models.TextChoices):
        PUBLIC = "public", _("public")
        RESEARCHERS = "researchers", _("researchers only")
        RESTRICTED = "restricted", _("restricted (archivists only)")

    class Consent(models.TextChoices):
        UNKNOWN = "unknown", _("not recorded")
        GIVEN = "given", _("given")
        REFUSED = "refused", _("refused")
        REVOKED = "revoked", _("revoked")

    class ConsentScope(models.TextChoices):
        PUBLIC = "public", _("public release")
        RESEARCH = "research", _("research use only")
        ARCHIVE = "archive", _("preservation in the archive only")

    class ContentWarning(models.TextChoices):
        VIOLENCE = "violence", _("violence")
        DEATH = "death", _("death")
        INJURY = "injury", _("injury")
        CHILDREN = "children", _("harm to children")
        SEXUAL_VIOLENCE = "sexual_violence", _("sexual violence")
        DETENTION = "detention", _("detention")
        SHELLING = "shelling", _("shelling and explosions")
        GRIEF = "grief", _("loss and grief")

    #: The consent scopes that allow publishing at each access level. Restricted
    #: testimonies reach archivists only, who keep them whatever the consent.
    CONSENT_SCOPES = {
        Access.PUBLIC: (ConsentScope.PUBLIC,),
        Access.RESEARCHERS: (ConsentScope.PUBLIC, ConsentScope.RESEARCH),
    }
    #: Fields where archivists may mark passages to hide (testimonies.redaction).
    REDACTABLE_FIELDS = ("title", "summary", "body")

    identifier = models.CharField(
        _("identifier"),
        max_length=64,
        unique=True,
        validators=[validate_identifier],
        help_text=_("Stable accession number, used in the public address."),
    )
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(
        _("summary"), blank=True, validators=[MaxLengthValidator(SUMMARY_LIMIT)]
    )
    body = models.TextField(
        _("text"), blank=True, validators=[MaxLengthValidator(BODY_LIMIT)]
    )
    language = models.CharField(
        _("language"),
        max_length=35,
        validators=[validate_language],
        db_index=True,
        help_text=_("BCP 47 code of the original: en, ja, ru, uk…"),
    )
    recorded_on = models.DateField(
        _("recorded on"),
        null=True,
        blank=True,
        help_text=_("First day of the period when only the year or month is known."),
    )
    recorded_precision = models.CharField(
        _("precision of the recording date"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    recorded_until = models.DateField(
        _("recorded by"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Last day of the recording period, derived from the precision."),
    )
    events_from = models.DateField(_("events from"), null=True, blank=True)
    events_to = models.DateField(_("events to"), null=True, blank=True)
    narrator = models.ForeignKey(
        "Narrator",
        verbose_name=_("narrator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="testimonies",
    )
    source = models.ForeignKey(
        "Source",
        verbose_name=_("source"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="testimonies",
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=Status.choices,
        default=Status.DRAFT,
        db_index=True,
    )
    access = models.CharField(
        _("access"),
        max_length=12,
        choices=Access.choices,
        default=Access.RESTRICTED,
        db_index=True,
        help_text=_("Who may read it once published. Restricted until decided."),
    )
    consent = models.CharField(
        _("consent"), max_length=10, choices=Consent.choices, default=Consent.UNKNOWN
    )
    consent_scope = models.CharField(
        _("consent scope"), max_length=10, choices=ConsentScope.choices, blank=True
    )
    consent_date = models.DateField(_("consent date"), null=True, blank=True)
    sealed_until = models.DateField(
        _("sealed until"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_(
            "An embargo: to the end of this day (in the archive's time zone) only "
            "archivists can read the testimony, whatever its status and access. "
            "It opens by itself the day after."
        ),
    )
    content_warnings = models.JSONField(_("content warnings"), default=list, blank=True)
    is_sample = models.BooleanField(
        _("sample data"),
        default=False,
        help_text=_("A fictional composite for demonstration, not a real testimony."),
    )
    themes = TaggableManager(
        verbose_name=_("themes"),
        help_text=_("Separate themes with commas."),
        through=ThemedItem,
        manager=TestimonyTagManager,
        related_name="testimonies",
        blank=True,
    )
    places = TaggableManager(
        verbose_name=_("places"),
        help_text=_("Separate places with commas."),
        through=PlacedItem,
        manager=TestimonyTagManager,
        related_name="testimonies",
        blank=True,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(
        _("published"), null=True, blank=True, db_index=True
    )

    objects = TestimonyQuerySet.as_manager()
    # Who changed what, when (docs/security.md); updated_at would only repeat
    # each version's date.
    history = TestimonyRecords(excluded_fields=["updated_at"], bases=[TagNames])

    class Meta:
        verbose_name = _("testimony")
        verbose_name_plural = _("testimonies")
        ordering = ["-recorded_on", "identifier"]
        permissions = [
            (
                "read_nonpublic",
                "Can read testimonies that are not public (drafts, restricted, sealed)",
            )
        ]
        constraints = [
            # "demo-en-001" and "DEMO-EN-001" would cite as one testimony.
            models.UniqueConstraint(
                Lower("identifier"),
                name="testimony_identifier_unique_ignoring_case",
                violation_error_message=_(
                    "A testimony with this identifier already exists (identifiers "
                    "are compared ignoring case)."
                ),
            )
        ]
        indexes = [
            models.Index(
                fields=["status", "access", "language"],
                name="testimony_visible_language",
            ),
            models.Index(fields=["recorded_on"], name="testimony_recorded_on"),
        ]

    def __str__(self):
        return f"{self.identifier}: {self.title}"

    def save(self, *args, **kwargs):
        self.prepare_for_save()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return detail_url(
            get_script_prefix(), settings.ROOT_URLCONF, get_urlconf(), self.identifier
        )

    def prepare_for_save(self, now=None):
        """Derive the stored fields save() keeps consistent; bulk writers, which skip
        save(), call it too. Return the names of the fields it changed."""
        derived = {
            "language": normalize_language(self.language),
            "recorded_until": (
                last_day(self.recorded_on, self.recorded_precision)
                if self.recorded_on
                else None
            ),
        }
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            # To the second, as the admin's form shows and saves it back.
            derived["published_at"] = (now or timezone.now()).replace(microsecond=0)
        changed = set()
        for name, value in derived.items():
            if getattr(self, name) != value:
                setattr(self, name, value)
                changed.add(name)
        return changed

    def clean(self):
        errors = field_errors(self, self.REDACTABLE_FIELDS)
        consent_error = self.consent_error()
        if consent_error:
            errors["consent"] = consent_error
        if self.events_from and self.events_to and self.events_from > self.events_to:
            errors["events_to"] = _("The events cannot end before they begin.")
        unknown = set(self.content_warnings or []) - set(self.ContentWarning.values)
        if not isinstance(self.content_warnings, list) or unknown:
            errors["content_warnings"] = _("Unknown content warning: %(codes)s.") % {
                "codes": ", ".join(sorted(map(str, unknown))) or "?"
            }
        if self.recorded_on and self.recorded_on > archive_today():
            errors["recorded_on"] = _("The recording date lies in the future.")
        if errors:
            raise ValidationError(errors)

    def consent_error(self):
        """Why the narrator's consent does not allow publishing this testimony to
        its readers (a message), or ``None`` when it does."""
        scopes = self.CONSENT_SCOPES.get(self.access)
        if self.status != self.Status.PUBLISHED or scopes is None:
            return None
        if self.consent == self.Consent.GIVEN and self.consent_scope in scopes:
            return None
        if self.access == self.Access.PUBLIC:
            return _(
                "Only a testimony whose narrator gave consent for public release "
                "(consent “given”, scope “public release”) can be published for "
                "everyone. Record the consent, or choose another access level."
            )
        return _(
            "Only a testimony whose narrator gave consent for research use or public "
            "release can be published for researchers. Record the consent, or keep "
            "the testimony restricted."
        )

    public_title = PublicText("title")
    public_summary = PublicText("summary")
    public_body = PublicText("body")

    @property
    def recorded_display(self):
        return display_partial_date(self.recorded_on, self.recorded_precision)

    def content_warning_labels(self):
        labels = dict(self.ContentWarning.choices)
        return [labels.get(code, code) for code in self.content_warnings or []]

    def is_sealed(self):
        return self.sealed_until is not None and self.sealed_until >= archive_today()

    def is_public(self):
        """What ``visible_to(None)`` decides, for one testimony in hand (badges,
        cache headers): no query."""
        return (
            self.status == self.Status.PUBLISHED
            and self.access == self.Access.PUBLIC
            and not self.is_sealed()
        )


class Translation(models.Model):
    class Kind(models.TextChoices):
        HUMAN = "human", _("human translation")
        MACHINE = "machine", _("machine translation")

    testimony = models.ForeignKey(
        Testimony,
        verbose_name=_("testimony"),
        on_delete=models.CASCADE,
        related_name="translations",
    )
    language = models.CharField(
        _("language"), max_length=35, validators=[validate_language]
    )
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(
        _("summary"), blank=True, validators=[MaxLengthValidator(SUMMARY_LIMIT)]
    )
    body = models.TextField(
        _("text"), blank=True, validators=[MaxLengthValidator(BODY_LIMIT)]
    )
    translator = models.CharField(_("translator"), max_length=200, blank=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=Kind.choices, default=Kind.HUMAN
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(
                fields=["testimony", "language"], name="one_translation_per_language"
            )
        ]

    def __str__(self):
        return f"{self.testimony.identifier} [{self.language}]"

    def save(self, *args, **kwargs):
        self.language = normalize_language(self.language)
        super().save(*args, **kwargs)

    def clean(self):
        errors = field_errors(self, Testimony.REDACTABLE_FIELDS)
        if errors:
            raise ValidationError(errors)

    public_title = PublicText("title")
    public_summary = PublicText("summary")
    public_body = PublicText("body")


def readable_access(user):
    """The access levels whose testimonies (and recordings) ``user`` may read,
    once published and unsealed."""
    audience = audience_of(user)
    if audience == Audience.ARCHIVIST:
        return list(Testimony.Access)
    if audience == Audience.RESEARCHER:
        return [Testimony.Access.PUBLIC, Testimony.Access.RESEARCHERS]
    return [Testimony.Access.PUBLIC]


@lru_cache(maxsize=10_000)
def detail_url(prefix, root_urlconf, urlconf, identifier):
    """A testimony page's address, remembered per identifier: a page of hits asks
    for each hit's several times, and ``reverse()`` costs more than the rest of
    a passage (the other arguments are what ``reverse()`` reads)."""
    return reverse("testimonies:detail", urlconf=urlconf, args=[identifier])

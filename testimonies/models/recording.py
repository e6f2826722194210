"""Recorded interviews: recordings, their transcripts (cues) and segment indexes.

A testimony may have several recordings (the parts of one interview). Each has
its own access level, never wider than its testimony's: a voice identifies a
narrator, so "text public, voice for researchers" is common. Files are checked
and stripped of their metadata before they are stored (:mod:`testimonies.avmedia`);
transcripts are stored cue by cue and read from and written to WebVTT
(:mod:`testimonies.timedtext`). Times are whole milliseconds.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .. import avmedia, media
from ..access import Audience, audience_of
from ..languages import normalize_language, validate_language
from ..redaction import MARK, PublicText, field_errors, redact
from ..timedtext import format_clock, format_time
from .media import sha256_field
from .testimony import Testimony, readable_access

#: Access levels from the widest; a recording's may not come before its testimony's.
ACCESS_ORDER = [
    Testimony.Access.PUBLIC,
    Testimony.Access.RESEARCHERS,
    Testimony.Access.RESTRICTED,
]


class RecordingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The recordings ``user`` may hear or watch: of a testimony they may
        read (``Testimony.objects.visible_to``), at an access level of theirs."""
        if audience_of(user) == Audience.ARCHIVIST:
            return self.all()
        return self.filter(
            testimony__in=Testimony.objects.visible_to(user).values("pk"),
            access__in=readable_access(user),
        )

    def heard_in(self, testimonies, readable_access):
        """The recordings of ``testimonies`` (ids of testimonies a ``visible_to``
        queryset gave) that its user may hear: those at the access levels it
        says its user may read (``TestimonyQuerySet.readable_access``). With
        the testimonies' own visibility, this is :meth:`visible_to`."""
        return self.filter(
            testimony_id__in=list(testimonies), access__in=readable_access
        )

    def for_fixity(self):
        return self.select_related("testimony").only(
            "pk", "sha256", "testimony__identifier", "file"
        )


class Recording(models.Model):
    class Kind(models.TextChoices):
        AUDIO = "audio", _("audio")
        VIDEO = "video", _("video")

    testimony = models.ForeignKey(
        Testimony,
        verbose_name=_("testimony"),
        on_delete=models.CASCADE,
        related_name="recordings",
    )
    file = models.FileField(
        _("file"),
        upload_to=avmedia.recording_path,
        validators=[avmedia.validate_recording_upload],
        help_text=_(
            "MP3, M4A, MP4 (H.264/AAC), Ogg, WAV, FLAC or WebM play as they are; "
            "MOV, MKV, AVI, WMA/WMV, AMR, AIFF and MPEG-TS are kept and converted "
            "for browsers. Location, device and other metadata are removed before "
            "the file is stored."
        ),
    )
    title = models.CharField(
        _("title"),
        max_length=300,
        blank=True,
        help_text=_("Which part of the interview, when there are several."),
    )
    access = models.CharField(
        _("access"),
        max_length=12,
        choices=Testimony.Access.choices,
        default=Testimony.Access.RESTRICTED,
        help_text=_(
            "Who may hear or watch it: never more than may read the testimony. "
            "A voice identifies its narrator."
        ),
    )
    languages = models.JSONField(
        _("languages spoken"),
        default=list,
        blank=True,
        help_text=_("BCP 47 codes: ru, uk…"),
    )
    interviewer = models.CharField(_("interviewer"), max_length=200, blank=True)
    recorded_on = models.DateField(_("recorded on"), null=True, blank=True)
    credit = models.CharField(_("credit"), max_length=300, blank=True)
    rights = models.TextField(_("rights"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(
        _("kind"), max_length=5, choices=Kind.choices, editable=False
    )
    duration_ms = models.PositiveIntegerField(
        _("duration (ms)"), null=True, editable=False
    )
    codecs = models.CharField(_("codecs"), max_length=100, blank=True, editable=False)
    content_type = models.CharField(
        _("content type"), max_length=100, blank=True, editable=False
    )
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, editable=False)
    sha256 = sha256_field()
    # Whether browsers play the file as it is; if not, the site plays a copy
    # converted for them (the public copy below), and archivists keep the file.
    playable = models.BooleanField(_("plays in browsers"), default=True, editable=False)
    # What the site plays when parts are redacted or browsers cannot play the
    # file: a copy converted for them with those parts silenced (and blacked
    # out), made by testimonies.public_copy; the file itself then stays for
    # archivists. ``public_silences`` is what the copy
    # silences (``[[start_ms, end_ms], ...]``): a copy made before the
    # redactions last changed is never played.
    public_file = models.FileField(
        _("public copy"),
        upload_to=avmedia.recording_path,
        blank=True,
        editable=False,
    )
    public_silences = models.JSONField(
        _("silenced in the public copy"), null=True, editable=False
    )
    # While the worker makes that copy: how far it is (percent), or why it failed.
    public_progress = models.PositiveSmallIntegerField(
        _("public copy made (%)"), null=True, editable=False
    )
    public_error = models.CharField(
        _("why the public copy failed"), max_length=500, blank=True, editable=False
    )

    objects = RecordingQuerySet.as_manager()
    # The public copy is made by the machine, not changed by anybody.
    history = HistoricalRecords(
        excluded_fields=[
            "public_file",
            "public_silences",
            "public_progress",
            "public_error",
        ]
    )

    FILE_FIELD = "file"

    class Meta:
        verbose_name = _("recording")
        verbose_name_plural = _("recordings")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.title or f"{self.testimony.identifier} ({self.get_kind_display()})"

    def save(self, *args, **kwargs):
        avmedia.prepare_recording(self)
        self.languages = [normalize_language(code) for code in self.languages or []]
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        try:
            testimony = self.testimony  # unsaved on a new testimony's form
        except Testimony.DoesNotExist:
            testimony = None
        if testimony is not None and self.access not in allowed_access(
            testimony.access
        ):
            errors["access"] = _(
                "A recording cannot be open to more people than its testimony "
                "(“%(access)s”). A voice identifies its narrator."
            ) % {"access": testimony.get_access_display()}
        codes = self.languages
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            errors["languages"] = _('A list of language codes, like ["ru", "uk"].')
        else:
            for code in codes:
                try:
                    validate_language(code)
                except ValidationError as error:
                    errors["languages"] = error.messages
        if errors:
            raise ValidationError(errors)

    def is_public(self):
        """What ``visible_to(None)`` decides for one recording in hand (cache
        headers): no query beyond its testimony."""
        return self.access == Testimony.Access.PUBLIC and self.testimony.is_public()

    @property
    def duration_display(self):
        return format_clock(self.duration_ms) if self.duration_ms else ""

    def silences(self):
        """The parts its redacted ranges cover, merged, in order: ``[[start_ms,
        end_ms], ...]`` (reads ``redacted_ranges.all()``: a prefetch serves it)."""
        return merged_spans(
            (item.start_ms, item.end_ms) for item in self.redacted_ranges.all()
        )

    def type_of(self, file):
        """The content type of ``file``, one of this recording's files."""
        if file.name == self.public_file.name:
            return avmedia.COPY_TYPES[self.kind]
        return self.content_type or "application/octet-stream"

    def needs_copy(self, silences):
        """Whether the site plays a copy rather than the file itself: parts of
        it are redacted (``silences``), or browsers cannot play it."""
        return bool(silences) or not self.playable

    def playable_file(self):
        """The file played to those who may hear it: the file itself; when parts
        are redacted or browsers cannot play it, the public copy converted for
        them silencing exactly those parts; None while that copy is being made.
        Only archivists reach the file itself then."""
        silences = self.silences()
        if not self.needs_copy(silences):
            return self.file
        if self.public_file and self.public_silences == silences:
            return self.public_file
        return None


class Transcript(models.Model):
    class Kind(models.TextChoices):
        ORIGINAL = "original", _("original")
        HUMAN = "human", _("human translation")
        MACHINE = "machine", _("machine translation")

    recording = models.ForeignKey(
        Recording,
        verbose_name=_("recording"),
        on_delete=models.CASCADE,
        related_name="transcripts",
    )
    language = models.CharField(
        _("language"), max_length=35, validators=[validate_language]
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=Kind.choices, default=Kind.ORIGINAL
    )
    translator = models.CharField(_("translator"), max_length=200, blank=True)
    # The text of its cues in order, one per line, as stored (redactions marked):
    # what search indexes and scans for moments, one row instead of hundreds.
    # Kept by transcripts.write_cues, the one writer of cues; not in the history
    # (the cues are the record, and an hour of speech is 50 KB).
    text = models.TextField(_("text of its cues"), blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["text"])

    class Meta:
        verbose_name = _("transcript")
        verbose_name_plural = _("transcripts")
        ordering = ["recording", "kind", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["recording", "language"], name="one_transcript_per_language"
            )
        ]

    def __str__(self):
        return f"{self.recording} [{self.language}]"

    def save(self, *args, **kwargs):
        self.language = normalize_language(self.language)
        super().save(*args, **kwargs)


class Cue(models.Model):
    transcript = models.ForeignKey(
        Transcript,
        verbose_name=_("transcript"),
        on_delete=models.CASCADE,
        related_name="cues",
    )
    start_ms = models.PositiveIntegerField(_("start (ms)"))
    end_ms = models.PositiveIntegerField(_("end (ms)"))
    speaker = models.CharField(_("speaker"), max_length=200, blank=True)
    text = models.TextField(_("text"))
    # Set when the cue overlaps a redacted range of its recording (kept by
    # transcripts.mark_redacted_cues): its words are then shown, indexed and
    # exported to nobody but archivists, like a [[redaction]].
    redacted = models.BooleanField(_("redacted"), default=False, editable=False)

    class Meta:
        verbose_name = _("cue")
        verbose_name_plural = _("cues")
        ordering = ["transcript", "start_ms", "end_ms", "pk"]
        indexes = [models.Index(fields=["transcript", "start_ms"], name="cue_start")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_ms__gt=models.F("start_ms")),
                name="cue_ends_after_start",
            )
        ]

    def __str__(self):
        return f"{format_time(self.start_ms)} {self.text[:60]}"

    @property
    def public_text(self):
        return MARK if self.redacted else redact(self.text)

    @property
    def public_speaker(self):
        """A speaker as the public may read them: an alias, or a mark; in a
        redacted range, a mark (who spoke there is hidden with what was said)."""
        if not self.speaker:
            return ""
        return MARK if self.redacted else redact(self.speaker)

    def clean(self):
        errors = field_errors(self, ["text", "speaker"])
        if None not in (self.start_ms, self.end_ms) and self.end_ms <= self.start_ms:
            errors["end_ms"] = _("A cue ends after it starts.")
        if errors:
            raise ValidationError(errors)


class Segment(models.Model):
    """A part of a recording with its own title and synopsis (a table of contents)."""

    recording = models.ForeignKey(
        Recording,
        verbose_name=_("recording"),
        on_delete=models.CASCADE,
        related_name="segments",
    )
    start_ms = models.PositiveIntegerField(_("start (ms)"))
    end_ms = models.PositiveIntegerField(_("end (ms)"))
    language = models.CharField(
        _("language"), max_length=35, validators=[validate_language]
    )
    title = models.CharField(_("title"), max_length=300)
    synopsis = models.TextField(_("synopsis"), blank=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    themes = models.ManyToManyField(
        "Theme", verbose_name=_("themes"), related_name="segments", blank=True
    )
    places = models.ManyToManyField(
        "Place", verbose_name=_("places"), related_name="segments", blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["recording", "start_ms", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_ms__gt=models.F("start_ms")),
                name="segment_ends_after_start",
            )
        ]

    def __str__(self):
        return f"{format_time(self.start_ms)} {self.title}"

    def save(self, *args, **kwargs):
        self.language = normalize_language(self.language)
        super().save(*args, **kwargs)

    def clean(self):
        errors = field_errors(self, ["title", "synopsis"])
        if self.end_ms is not None and self.start_ms is not None:
            if self.end_ms <= self.start_ms:
                errors["end_ms"] = _("A segment ends after it starts.")
            duration = self.recording.duration_ms if self.recording_id else None
            if duration and self.end_ms > duration + avmedia.DURATION_SLACK_MS:
                errors["end_ms"] = _(
                    "The segment ends after the recording (%(duration)s)."
                ) % {"duration": self.recording.duration_display}
        keywords = self.keywords
        if not isinstance(keywords, list) or not all(
            isinstance(word, str) for word in keywords
        ):
            errors["keywords"] = _('A list of words, like ["basement", "bus"].')
        if errors:
            raise ValidationError(errors)

    public_title = PublicText("title")
    public_synopsis = PublicText("synopsis")


class RedactedRange(models.Model):
    """A part of a recording nobody but archivists may hear: silenced (and for a
    video, blacked out) in the copy the site plays, and the words of every cue
    it overlaps, in every transcript, hidden as a redaction is."""

    recording = models.ForeignKey(
        Recording,
        verbose_name=_("recording"),
        on_delete=models.CASCADE,
        related_name="redacted_ranges",
    )
    start_ms = models.PositiveIntegerField(_("start (ms)"))
    end_ms = models.PositiveIntegerField(_("end (ms)"))
    reason = models.CharField(
        _("reason"),
        max_length=300,
        blank=True,
        help_text=_("For archivists only: what is said there, why it is hidden."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("redacted range")
        verbose_name_plural = _("redacted ranges")
        ordering = ["recording", "start_ms", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_ms__gt=models.F("start_ms")),
                name="redacted_range_ends_after_start",
            )
        ]

    def __str__(self):
        return spans_display([(self.start_ms, self.end_ms)])

    def clean(self):
        errors = {}
        if self.end_ms is not None and self.start_ms is not None:
            if self.end_ms <= self.start_ms:
                errors["end_ms"] = _("A range ends after it starts.")
            duration = self.recording.duration_ms if self.recording_id else None
            if duration and self.start_ms >= duration:
                errors["start_ms"] = _(
                    "The range starts after the recording ends (%(duration)s)."
                ) % {"duration": self.recording.duration_display}
        if errors:
            raise ValidationError(errors)


def merged_spans(spans):
    """``(start, end)`` spans as ``[[start, end], ...]`` in order, those that
    overlap or touch made one."""
    merged = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def spans_display(spans):
    """``00:12:31.000–00:12:34.500, …``: ``(start_ms, end_ms)`` spans as archivists
    read them."""
    return ", ".join(f"{format_time(start)}–{format_time(end)}" for start, end in spans)


def overlaps_any(start, end, spans):
    """Whether ``start``–``end`` shares a moment with one of ``spans``."""
    return any(start < last and first < end for first, last in spans)


def reading_order(transcripts):
    """A recording's transcripts as its page lists them: the original first,
    then by language."""
    return sorted(
        transcripts, key=lambda t: (t.kind != Transcript.Kind.ORIGINAL, t.language)
    )


def transcript_shown(transcripts, language):
    """Of a recording's transcripts in :func:`reading_order`, the one its page
    shows to a reader of ``language``: in that language, else the first."""
    return next(
        (t for t in transcripts if t.language == language),
        transcripts[0] if transcripts else None,
    )


def overlapping(spans):
    """The (label, label) pairs of neighbouring ``(start, end, label)`` spans that
    overlap, in order of start: segments of one recording may not, as an index
    points to one place."""
    spans = sorted(spans, key=lambda span: span[:2])
    return [
        (first, second)
        for (_start, end, first), (start, _end, second) in zip(
            spans, spans[1:], strict=False
        )
        if start < end
    ]


def allowed_access(testimony_access):
    """The access levels a recording of a testimony at ``testimony_access`` may have."""
    return ACCESS_ORDER[ACCESS_ORDER.index(testimony_access) :]


@receiver(post_delete, sender=Recording)
def delete_files_with_recording(sender, instance, **kwargs):
    """Django leaves files behind on delete; a removed recording must not stay."""
    media.delete_stored_files(instance)

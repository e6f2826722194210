"""Recordings in the admin: the file, who may hear it, its transcripts and index.

A recording is listed on its testimony's form and edited on its own page, where
each transcript is replaced whole by uploading a WebVTT or SRT file (an hour's
interview has some 600 cues: a file, not 600 form rows), and the segment index
is edited row by row with times typed as ``00:12:31``.
"""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .. import public_copy
from ..languages import normalize_language, validate_language
from ..models import Recording, RedactedRange, Segment, Testimony, Transcript
from ..models.recording import overlapping, spans_display
from ..signals import testimonies_changed
from ..timedtext import (
    TimedTextError,
    format_time,
    parse_time,
    read_cues,
    write_webvtt,
)
from ..transcripts import (
    cue_problems,
    mark_redacted_cues,
    replace_cues,
    timed_cues,
)
from .safety import SafeInputsAdmin
from .widgets import SafeAutocompleteAdmin


class TimeCodeField(forms.CharField):
    """A time in a recording, typed ``01:02:03``, ``12:31.5`` or in seconds;
    stored as milliseconds."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("hh:mm:ss, like 00:12:31"))
        super().__init__(strip=True, **kwargs)
        self.widget.attrs.setdefault("size", 12)

    def prepare_value(self, value):
        if isinstance(value, int):
            return format_time(value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_time(text)
        except ValueError:
            raise ValidationError(
                _("Write a time as hh:mm:ss, like 00:12:31 or 01:02:03.5."),
                code="invalid_time",
            ) from None


class LanguageListField(forms.CharField):
    """Language codes separated by commas or spaces: ``ru, uk``."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value):
        codes = [
            normalize_language(code)
            for code in str(value or "").replace(",", " ").split()
        ]
        for code in codes:
            validate_language(code)
        return list(dict.fromkeys(codes))


class RecordingAdminForm(forms.ModelForm):
    languages = LanguageListField(
        label=capfirst(_("languages spoken")),
        required=False,
        help_text=_("BCP 47 codes separated by commas: ru, uk"),
    )

    class Meta:
        model = Recording
        fields = [
            "testimony",
            "file",
            "title",
            "position",
            "languages",
            "interviewer",
            "recorded_on",
            "credit",
            "rights",
            "access",
        ]


class TranscriptAdminForm(forms.ModelForm):
    """A transcript's cues come from a file; a new transcript needs one."""

    cues_file = forms.FileField(
        label=_("WebVTT or SRT file"),
        required=False,
        help_text=_("Replaces every cue of this transcript."),
    )

    class Meta:
        model = Transcript
        fields = ["language", "kind", "translator"]
        widgets = {
            "language": forms.TextInput(attrs={"size": 6}),
            "translator": forms.TextInput(attrs={"size": 20}),
        }

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("cues_file")
        if upload is None:
            if not self.instance.pk and self.has_changed():
                self.add_error("cues_file", _("Upload the transcript's file."))
            return cleaned
        limit = settings.TESTIMONY_MAX_TRANSCRIPT_BYTES
        if upload.size > limit:
            self.add_error(
                "cues_file",
                _("The file is too large: transcripts may be at most %(limit)s.")
                % {"limit": filesizeformat(limit)},
            )
            return cleaned
        try:
            cues = read_cues(upload.read())
        except TimedTextError as error:
            self.add_error("cues_file", error.messages())
            return cleaned
        recording = self.instance.recording if self.instance.recording_id else None
        problems = cue_problems(cues, recording.duration_ms if recording else None)
        if problems:
            self.add_error("cues_file", problems)
        else:
            self.cues = cues
        return cleaned

    def save(self, commit=True):
        transcript = super().save(commit=commit)
        cues = getattr(self, "cues", None)
        if cues is not None:
            if commit:
                replace_cues(transcript=transcript, cues=cues)
            else:
                self.save_m2m = lambda: replace_cues(transcript=transcript, cues=cues)
        return transcript


class TranscriptInline(admin.TabularInline):
    model = Transcript
    form = TranscriptAdminForm
    extra = 0
    fields = ["language", "kind", "translator", "cues_file", "cue_count"]
    readonly_fields = ["cue_count"]

    @admin.display(description=_("cues"))
    def cue_count(self, transcript):
        if not transcript.pk:
            return "—"
        url = reverse(
            "admin:testimonies_recording_transcript",
            args=[transcript.recording_id, transcript.pk],
        )
        return format_html(
            '{} · <a href="{}">{}</a>', transcript.cues.count(), url, _("WebVTT")
        )


class SegmentAdminForm(forms.ModelForm):
    start_ms = TimeCodeField(label=_("start"))
    end_ms = TimeCodeField(label=_("end"))

    class Meta:
        model = Segment
        fields = [
            "start_ms",
            "end_ms",
            "language",
            "title",
            "synopsis",
            "keywords",
            "themes",
            "places",
        ]


class SegmentFormSet(forms.BaseInlineFormSet):
    """Segments of one recording may not overlap: an index points to one place."""

    def clean(self):
        super().clean()
        spans = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            start, end = data.get("start_ms"), data.get("end_ms")
            if start is not None and end is not None:
                spans.append((start, end, data.get("title", "")))
        pairs = overlapping(spans)
        if pairs:
            title, other = pairs[0]
            raise ValidationError(
                _("The segments “%(first)s” and “%(second)s” overlap.")
                % {"first": title, "second": other}
            )


class SegmentInline(admin.StackedInline):
    model = Segment
    form = SegmentAdminForm
    formset = SegmentFormSet
    extra = 0
    fields = [("start_ms", "end_ms", "language"), "title", "synopsis", "keywords"]
    fields += [("themes", "places")]
    autocomplete_fields = ["themes", "places"]


class RedactedRangeForm(forms.ModelForm):
    start_ms = TimeCodeField(label=_("start"))
    end_ms = TimeCodeField(label=_("end"))

    class Meta:
        model = RedactedRange
        fields = ["start_ms", "end_ms", "reason"]


class RedactedRangeInline(admin.TabularInline):
    """Ranges of the recording nobody but archivists may hear."""

    model = RedactedRange
    form = RedactedRangeForm
    extra = 0
    verbose_name_plural = _(
        "redacted ranges (silenced in the copy the site plays; the words of the "
        "cues they overlap hidden)"
    )


class RecordingInline(admin.StackedInline):
    """On the testimony's form: the recordings, each a link to its own page.

    Stacked, like the photos: as a table its file field and help texts pushed the
    page wider than a laptop's screen."""

    model = Recording
    form = RecordingAdminForm
    extra = 0
    fields = ["file", "title", ("access", "position"), "details"]
    readonly_fields = ["details"]

    @admin.display(description=_("transcripts and index"))
    def details(self, recording):
        if not recording.pk:
            return _("Save first, then add transcripts and segments.")
        return format_html(
            '<a href="{}">{}</a> · {} · {}',
            reverse("admin:testimonies_recording_change", args=[recording.pk]),
            _("edit"),
            recording.get_kind_display(),
            recording.duration_display,
        )


@admin.register(Recording)
class RecordingAdmin(SafeInputsAdmin, SimpleHistoryAdmin, SafeAutocompleteAdmin):
    form = RecordingAdminForm
    list_display = [
        "__str__",
        "testimony",
        "kind",
        "duration",
        "access",
        "size_display",
    ]
    list_filter = ["kind", "access"]
    search_fields = ["title", "testimony__identifier", "testimony__title"]
    autocomplete_fields = ["testimony"]
    inlines = [TranscriptInline, SegmentInline, RedactedRangeInline]
    # What ffprobe found, and the files themselves: read-only.
    stored_file = [
        "codecs",
        "content_type",
        "size",
        "sha256",
        "original",
        "public_copy",
    ]
    readonly_fields = ["kind", "duration", *stored_file]
    fieldsets = [
        (None, {"fields": ["testimony", "file", "title", "position"]}),
        (
            _("About the recording"),
            {"fields": ["languages", "interviewer", "recorded_on", "credit", "rights"]},
        ),
        (_("Access"), {"fields": ["access"]}),
        (
            _("The stored file"),
            {"fields": [("kind", "duration"), *stored_file]},
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("testimony")

    def save_related(self, request, form, formsets, change):
        # Transcripts, their cues and the segments are written after the
        # recording: tell the search index once they are all in place.
        super().save_related(request, form, formsets, change)
        recording = form.instance
        if any(
            formset.model is RedactedRange and formset.has_changed()
            for formset in formsets
        ):
            mark_redacted_cues(recording)
        public_copy.request(recording)
        testimonies_changed.send(sender=Testimony, ids=[recording.testimony_id])

    @admin.display(description=_("original"))
    def original(self, recording):
        if not recording.file:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', recording.file.url, _("Listen to the original")
        )

    @admin.display(description=_("what the site plays"))
    def public_copy(self, recording):
        silences = recording.silences()
        if not recording.needs_copy(silences):
            return _("The original: nothing is redacted.")
        ranges = spans_display(silences)
        if not silences:
            what = _("converted for browsers")
        elif recording.playable:
            what = _("with %(ranges)s silenced") % {"ranges": ranges}
        else:
            what = _("converted for browsers, with %(ranges)s silenced") % {
                "ranges": ranges
            }
        playable = recording.playable_file()
        if playable is not None:
            return format_html(
                '<a href="{}">{}</a>',
                playable.url,
                _("A copy %(what)s") % {"what": what},
            )
        if recording.public_error:
            return _(
                "Nothing: the copy %(what)s could not be made (%(error)s). Save the "
                "recording again to retry."
            ) % {"what": what, "error": recording.public_error}
        if recording.public_progress is not None:
            return _(
                "Nothing yet: the copy %(what)s is being made (%(percent)s%% done). "
                "Reload this page to follow it."
            ) % {"what": what, "percent": recording.public_progress}
        return _(
            "Nothing yet: the copy %(what)s waits for the worker (make run and make "
            "serve start it; docs/operations.md)."
        ) % {"what": what}

    def get_urls(self):
        transcript = path(
            "<path:object_id>/transcripts/<int:transcript_id>.vtt",
            self.admin_site.admin_view(self.transcript_view),
            name="testimonies_recording_transcript",
        )
        return [transcript, *super().get_urls()]

    def transcript_view(self, request, object_id, transcript_id):
        """A transcript as archivists stored it (redactions marked, not hidden),
        as a WebVTT download: to check an upload, or to edit it elsewhere."""
        self._check_key(Recording, object_id)
        recording = self.get_object(request, object_id)
        if recording is None or not self.has_view_permission(request, recording):
            raise Http404
        transcript = get_object_or_404(recording.transcripts, pk=transcript_id)
        response = HttpResponse(
            write_webvtt(timed_cues(transcript)), content_type="text/vtt; charset=utf-8"
        )
        name = (
            f"{recording.testimony.identifier}-{recording.pk}.{transcript.language}.vtt"
        )
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response

    @admin.display(description=_("duration"), ordering="duration_ms")
    def duration(self, recording):
        return recording.duration_display or "—"

    @admin.display(description=_("size"), ordering="size")
    def size_display(self, recording):
        return filesizeformat(recording.size) if recording.size else "—"

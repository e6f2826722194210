"""The testimony list and form: the archivists' daily tool."""

from django.contrib import admin
from django.contrib.admin.widgets import AdminTextareaWidget, RelatedFieldWidgetWrapper
from django.db import models
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .. import public_copy
from ..models import Document, Photo, Recording, Testimony, Translation
from ..signals import testimonies_changed
from .actions import TESTIMONY_ACTIONS
from .filters import EmbargoFilter, PlaceFilter, ThemeFilter
from .forms import TestimonyAdminForm, TranslationAdminForm
from .history import VersionsAdmin
from .recordings import RecordingInline
from .safety import SafeInputsAdmin
from .widgets import (
    SafeAutocompleteAdmin,
    SafeAutocompleteSelectMultiple,
    TagChoiceField,
)


class TranslationInline(admin.StackedInline):
    model = Translation
    form = TranslationAdminForm
    extra = 0
    fields = [("language", "kind", "translator"), "title", "summary", "body"]


class PhotoInline(admin.StackedInline):
    """One photo a row, its thumbnail beside the fields: as a table the image
    field, the caption and the help texts pushed the page past twice a laptop's
    width, and Credit, Position and Delete off the screen."""

    model = Photo
    extra = 0
    fields = ["preview", "image", "alt_text", "caption", ("credit", "position")]
    readonly_fields = ["preview"]
    classes = ["photo-inline"]
    formfield_overrides = {
        models.TextField: {"widget": AdminTextareaWidget(attrs={"rows": 3})}
    }

    @admin.display(description=_("preview"))
    def preview(self, photo):
        image = photo.thumbnail or photo.image
        if not photo.pk or not image:
            return "—"
        return format_html(
            '<img src="{}" alt="{}" class="testimony-photo-preview" loading="lazy">',
            image.url,
            photo.alt_text,
        )


class DocumentInline(admin.StackedInline):
    model = Document
    extra = 0
    fields = ["file", "title", "description", ("credit", "position"), "content_type"]
    readonly_fields = ["content_type"]


@admin.register(Testimony)
class TestimonyAdmin(SafeInputsAdmin, VersionsAdmin, SafeAutocompleteAdmin):
    form = TestimonyAdminForm
    list_display = [
        "identifier",
        "title",
        "language",
        "status",
        "access",
        "embargo",
        "theme_list",
        "place_list",
        "recorded",
        "is_sample",
    ]
    list_display_links = ["identifier", "title"]
    list_filter = [
        "status",
        "access",
        EmbargoFilter,
        "language",
        ThemeFilter,
        PlaceFilter,
        ("recorded_on", admin.DateFieldListFilter),
        "is_sample",
    ]
    search_fields = ["identifier", "title", "summary", "narrator__alias"]
    search_help_text = _("Identifier, title, summary or the narrator's alias.")
    date_hierarchy = "recorded_on"
    list_per_page = 50
    actions = TESTIMONY_ACTIONS
    autocomplete_fields = ["narrator", "source"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [TranslationInline, RecordingInline, PhotoInline, DocumentInline]
    fieldsets = [
        (None, {"fields": ["identifier", "title", "language", "summary", "body"]}),
        (_("Themes and places"), {"fields": ["themes", "places"]}),
        (
            _("Dates"),
            {
                "fields": [
                    ("recorded_on", "recorded_precision"),
                    ("events_from", "events_to"),
                ]
            },
        ),
        (_("Narrator and source"), {"fields": ["narrator", "source"]}),
        (
            _("Publication"),
            {
                "fields": [
                    ("status", "access"),
                    "sealed_until",
                    "published_at",
                    "is_sample",
                    ("created_at", "updated_at"),
                ]
            },
        ),
        (_("Consent"), {"fields": [("consent", "consent_scope", "consent_date")]}),
        (_("Content warnings"), {"fields": ["content_warnings"]}),
    ]
    # Theme and place fields pick existing tags by autocomplete (see below).
    tag_fields = ("themes", "places")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("themes", "places")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        """Themes and places through the admin's autocomplete.

        ``autocomplete_fields`` refuses a ``TaggableManager`` (admin.E038), yet the
        autocomplete view and widget only need the field's ``remote_field.model``,
        which taggit provides. The form value is then a queryset of tags, which the
        field's ``save_form_data`` hands to ``testimony.themes.set()``.
        """
        if db_field.name not in self.tag_fields:
            return super().formfield_for_dbfield(db_field, request, **kwargs)
        tag_model = db_field.remote_field.model
        widget = SafeAutocompleteSelectMultiple(db_field, self.admin_site)
        tag_admin = self.admin_site.get_model_admin(tag_model)
        return TagChoiceField(
            queryset=tag_model.objects.all(),
            required=False,
            label=capfirst(db_field.verbose_name),
            help_text=_(
                "Type to find existing ones in any language; “+” adds a new one."
            ),
            widget=RelatedFieldWidgetWrapper(
                widget,
                db_field.remote_field,
                self.admin_site,
                can_add_related=tag_admin.has_add_permission(request),
            ),
        )

    @admin.display(description=_("themes"))
    def theme_list(self, testimony):
        return ", ".join(theme.name for theme in testimony.themes.all())

    @admin.display(description=_("places"))
    def place_list(self, testimony):
        return ", ".join(place.name for place in testimony.places.all())

    @admin.display(description=_("embargo"), ordering="sealed_until")
    def embargo(self, testimony):
        if not testimony.is_sealed():
            return "—"
        return _("sealed until %(date)s") % {
            "date": date_format(testimony.sealed_until, "DATE_FORMAT")
        }

    @admin.display(description=_("recorded"), ordering="recorded_on")
    def recorded(self, testimony):
        return testimony.recorded_display or "—"

    def save_related(self, request, form, formsets, change):
        # Tags and translations are written after Testimony.save(): tell the search
        # index once everything is in place (the admin's view is one transaction).
        super().save_related(request, form, formsets, change)
        for formset in formsets:
            if formset.model is Recording:
                # A new or replaced file may need a copy browsers play.
                changed = [
                    recording
                    for recording, fields in formset.changed_objects
                    if "file" in fields
                ]
                for recording in [*formset.new_objects, *changed]:
                    public_copy.request(recording)
        testimonies_changed.send(sender=Testimony, ids=[form.instance.pk])

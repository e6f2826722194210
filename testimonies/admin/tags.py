"""Themes and places: usage counts, names in other languages, merge and clean-up."""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.db.models import Q
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..models import Place, Testimony, Theme
from ..signals import testimonies_changed
from ..tagging import name_key
from .forms import MergeTagsForm, TagAdminForm
from .history import VersionsAdmin
from .merging import merge_tags, through_model, unused_tags
from .safety import SafeInputsAdmin
from .widgets import SafeAutocompleteAdmin

# Edits to these change what a tagged testimony is found by, so the search index
# must hear of them.
INDEXED_FIELDS = {"name", "names", "parent"}


@admin.action(
    description=_("Merge selected %(verbose_name_plural)s…"),
    permissions=["merge"],
)
def merge_selected(modeladmin, request, queryset):
    opts = modeladmin.model._meta
    tags = queryset.order_by("name")
    if len(tags) < 2:
        modeladmin.message_user(
            request,
            _("Select at least two %(items)s to merge.")
            % {"items": opts.verbose_name_plural},
            messages.WARNING,
        )
        return None
    if request.POST.get("post"):
        form = MergeTagsForm(request.POST, tags=tags)
        if form.is_valid():
            result = merge_tags(form.cleaned_data["keep"], tags, user=request.user)
            modeladmin.message_user(
                request,
                _(
                    "Merged %(merged)s into “%(kept)s”. Taggings moved: "
                    "%(reassigned)d; duplicates removed: %(duplicates)d; "
                    "moved below it: %(children)d."
                )
                % {
                    "merged": ", ".join(f"“{name}”" for name in result.merged),
                    "kept": result.kept.name,
                    "reassigned": result.reassigned,
                    "duplicates": result.duplicates,
                    "children": result.children,
                },
                messages.SUCCESS,
            )
            return None
    else:
        most_used = max(tags, key=lambda tag: tag.usage)
        form = MergeTagsForm(tags=tags, initial={"keep": most_used.pk})
    by_pk = {str(tag.pk): tag for tag in tags}
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Merge %(items)s") % {"items": opts.verbose_name_plural},
        "opts": opts,
        "form": form,
        "rows": [(by_pk[str(radio.data["value"])], radio) for radio in form["keep"]],
        "tags": tags,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": modeladmin.media,
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, "admin/testimonies/merge_tags.html", context)


@admin.action(
    description=_("Remove unused %(verbose_name_plural)s"), permissions=["delete"]
)
def remove_unused(modeladmin, request, queryset):
    selected = list(queryset.values_list("pk", flat=True))
    with transaction.atomic():
        unused = unused_tags(modeladmin.model.objects.filter(pk__in=selected))
        removed = list(unused)
        if removed:
            modeladmin.log_deletions(request, removed)
            unused.delete()
    modeladmin.message_user(
        request,
        ngettext(
            "Removed %(count)d unused tag.",
            "Removed %(count)d unused tags.",
            len(removed),
        )
        % {"count": len(removed)},
        messages.SUCCESS,
    )
    kept = len(selected) - len(removed)
    if kept:
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d was kept: it has testimonies, tags below it or narrators.",
                "%(count)d were kept: they have testimonies, tags below them or "
                "narrators.",
                kept,
            )
            % {"count": kept},
            messages.INFO,
        )


class TagAdmin(SafeInputsAdmin, VersionsAdmin, SafeAutocompleteAdmin):
    form = TagAdminForm
    list_select_related = ["parent"]
    search_fields = ["name", "slug"]
    ordering = ["name"]
    search_help_text = _("Name in any language, or slug.")
    autocomplete_fields = ["parent"]
    actions = [merge_selected, remove_unused]

    def get_queryset(self, request):
        return super().get_queryset(request).with_usage()

    def has_merge_permission(self, request):
        # An action's permissions are alternatives; merging needs both.
        return self.has_change_permission(request) and self.has_delete_permission(
            request
        )

    def get_search_results(self, request, queryset, search_term):
        """Also match ignoring case in every script (through the comparison key,
        since SQLite only folds ASCII) and the names in the interface languages."""
        term = search_term.strip()
        if not term:
            return queryset, False
        plain, _duplicates = super().get_search_results(
            request, self.model.objects.all(), term
        )
        matches = Q(pk__in=plain.values("pk")) | Q(key__contains=name_key(term))
        for code, _name in settings.LANGUAGES:
            matches |= Q(**{f"names__{code}__icontains": term})
        return queryset.filter(matches), False

    @admin.display(description=_("testimonies"), ordering="usage")
    def usage(self, tag):
        return tag.usage

    @admin.display(description=_("other languages"))
    def other_names(self, tag):
        return " · ".join(f"{code}: {name}" for code, name in (tag.names or {}).items())

    @admin.display(description=_("alternative names"))
    def alternatives(self, tag):
        return " · ".join(tag.alternative_names or []) or "—"

    @admin.display(description=_("former addresses"))
    def former_slugs(self, tag):
        """The slugs of tags merged into this one: their pages lead here."""
        return " · ".join(tag.merged.values_list("slug", flat=True)) or "—"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and INDEXED_FIELDS & set(form.changed_data):
            self.announce([obj.pk])

    def delete_model(self, request, obj):
        with transaction.atomic():
            ids = self.testimony_ids([obj.pk])
            super().delete_model(request, obj)
            self.announce_ids(ids)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            ids = self.testimony_ids(list(queryset.values_list("pk", flat=True)))
            super().delete_queryset(request, queryset)
            self.announce_ids(ids)

    def testimony_ids(self, tag_ids):
        through = through_model(self.model)
        return sorted(
            set(
                through.objects.filter(tag_id__in=tag_ids).values_list(
                    "content_object_id", flat=True
                )
            )
        )

    def announce(self, tag_ids):
        self.announce_ids(self.testimony_ids(tag_ids))

    @staticmethod
    def announce_ids(ids):
        if ids:
            testimonies_changed.send(sender=Testimony, ids=ids)


@admin.register(Theme)
class ThemeAdmin(TagAdmin):
    list_display = ["name", "parent", "usage", "other_names", "slug"]
    fields = [
        "name",
        "slug",
        "parent",
        "names",
        ("alternatives", "former_slugs"),
        "description",
    ]
    readonly_fields = ["alternatives", "former_slugs"]


@admin.register(Place)
class PlaceAdmin(TagAdmin):
    list_display = [
        "name",
        "kind",
        "parent",
        "usage",
        "other_names",
        "latitude",
        "longitude",
    ]
    list_filter = ["kind"]
    fields = [
        "name",
        "slug",
        ("kind", "parent"),
        "names",
        ("alternatives", "former_slugs"),
        ("latitude", "longitude"),
    ]
    readonly_fields = ["alternatives", "former_slugs"]

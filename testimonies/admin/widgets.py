"""Autocomplete fields that survive a form posted with malformed ids, and that
can say more about each choice than its ``str()``.

Django's autocomplete widgets look the posted values up to re-render a form that
failed validation, and a multiple-choice field looks them up with ``__in``; a value
that is not a key, or one beyond the database's integer range (a stale or tampered
form), then raises instead of showing the field's error. These check keys first.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.urls import path, reverse

from .safety import is_valid_key


class ValidKeysMixin:
    def optgroups(self, name, value, attrs=None):
        model = self.field.remote_field.model
        valid = [item for item in value if is_valid_key(model, item)]
        return super().optgroups(name, valid, attrs)


class SafeAutocompleteSelect(ValidKeysMixin, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(ValidKeysMixin, AutocompleteSelectMultiple):
    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs)
        # Select2 puts its "remove all" cross inside the list of choices, where a
        # list may hold only items (axe: list); each choice has its own cross.
        attrs["data-allow-clear"] = "false"
        return attrs


class LabelledAutocompleteSelect(SafeAutocompleteSelect):
    """Asks the chosen model's own autocomplete view (LabelledAutocompleteAdmin)."""

    def get_url(self):
        opts = self.field.remote_field.model._meta
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_autocomplete"
        )


class LabelledAutocompleteJsonView(AutocompleteJsonView):
    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        return {**result, "text": self.model_admin.autocomplete_label(obj)}


class LabelledAutocompleteAdmin(admin.ModelAdmin):
    """An admin whose records other forms offer as ``autocomplete_label()`` says.

    For records whose ``str()`` is the same for many (five sources called
    "Fictional composite for demonstration") while ``str()`` itself must stay
    short, as citations and exports use it. Django's own autocomplete view serves
    every model with ``str()``, so these records get a view of their own.
    """

    def autocomplete_label(self, obj):
        return str(obj)

    def get_urls(self):
        opts = self.opts
        view = LabelledAutocompleteJsonView.as_view(admin_site=self.admin_site)
        return [
            path(
                "autocomplete/",
                self.admin_site.admin_view(view),
                name=f"{opts.app_label}_{opts.model_name}_autocomplete",
            ),
            *super().get_urls(),
        ]


class SafeAutocompleteAdmin(admin.ModelAdmin):
    """A ModelAdmin whose ``autocomplete_fields`` use the widgets above."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name not in self.get_autocomplete_fields(request):
            return super().formfield_for_foreignkey(db_field, request, **kwargs)
        chosen = self.admin_site.get_model_admin(db_field.remote_field.model)
        labelled = isinstance(chosen, LabelledAutocompleteAdmin)
        widget = LabelledAutocompleteSelect if labelled else SafeAutocompleteSelect
        kwargs["widget"] = widget(db_field, self.admin_site, using=kwargs.get("using"))
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if labelled:
            # The choice already made is shown with the same label.
            field.label_from_instance = chosen.autocomplete_label
        return field


class TagChoiceField(forms.ModelMultipleChoiceField):
    """A multiple choice of tags that reports unusable ids as invalid choices."""

    def clean(self, value):
        items = value if isinstance(value, (list, tuple)) else []
        for item in items:
            if not is_valid_key(self.queryset.model, item):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": item},
                )
        return super().clean(value)

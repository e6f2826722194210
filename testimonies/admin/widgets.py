"""Autocomplete fields that survive a form posted with malformed ids.

Django's autocomplete widgets look the posted values up to re-render a form that
failed validation, and a multiple-choice field looks them up with ``__in``; a value
that is not a key, or one beyond the database's integer range (a stale or tampered
form), then raises instead of showing the field's error. These check keys first.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError

from .safety import is_valid_key


class ValidKeysMixin:
    def optgroups(self, name, value, attrs=None):
        model = self.field.remote_field.model
        valid = [item for item in value if is_valid_key(model, item)]
        return super().optgroups(name, valid, attrs)


class SafeAutocompleteSelect(ValidKeysMixin, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(ValidKeysMixin, AutocompleteSelectMultiple):
    pass


class SafeAutocompleteAdmin(admin.ModelAdmin):
    """A ModelAdmin whose ``autocomplete_fields`` use the widgets above."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


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

"""Form fields and forms of the admin that Django's defaults do not give."""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ..languages import normalize_language, validate_language
from ..models import Testimony
from ..models.tags import MAX_DEPTH
from ..redaction import HELP_TEXT as REDACTION_HELP
from ..tagging import clean_name


class RedactionHelpMixin:
    """Tells on each field that may hide passages how to mark them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in Testimony.REDACTABLE_FIELDS:
            if name in self.fields:
                self.fields[name].help_text = REDACTION_HELP


class TranslationAdminForm(RedactionHelpMixin, forms.ModelForm):
    pass


class TestimonyAdminForm(RedactionHelpMixin, forms.ModelForm):
    """Content warnings as checkboxes; the model stores the chosen codes as a list.

    No ``Meta``: the admin supplies the model, and the fields from its fieldsets.
    """

    content_warnings = forms.MultipleChoiceField(
        label=capfirst(_("content warnings")),
        choices=Testimony.ContentWarning.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Shown to readers before the text; they choose to continue."),
    )


class LanguageNamesField(forms.CharField):
    """Names in other languages, one a line: ``ru: Суджа``.

    Easier to type than JSON and safe to read back; a JSON object pasted whole
    (as in the import format) is accepted too. The value is a dict of language code
    to name, each code checked like a testimony's language.
    """

    widget = forms.Textarea(attrs={"rows": 4, "cols": 40})
    default_help_text = _(
        "One name a line, language code first: “ru: Суджа”, “ja: スジャ”."
    )

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs["help_text"] = self.default_help_text
        super().__init__(strip=True, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, dict):
            return "\n".join(f"{code}: {name}" for code, name in value.items())
        return value

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return {}
        if text[0] in "{[":  # JSON, as in the import format
            return self.from_json(text)
        names, errors = {}, []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            code, colon, name = line.partition(":")
            if not colon:
                errors.append(
                    _("Line %(number)s: write “code: name”, e.g. “ru: Суджа”.")
                    % {"number": number}
                )
                continue
            self.add_name(names, code, name, errors, _("Line %s") % number)
        if errors:
            raise ValidationError(errors)
        return names

    def from_json(self, text):
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            raise ValidationError(
                _("This is not valid JSON; or write one “code: name” a line.")
            ) from None
        if not isinstance(data, dict):
            raise ValidationError(_("Give an object of language code to name."))
        names, errors = {}, []
        for code, name in data.items():
            if not isinstance(name, str):
                errors.append(
                    _("The name for “%(code)s” is not text.") % {"code": code}
                )
                continue
            self.add_name(names, code, name, errors, code)
        if errors:
            raise ValidationError(errors)
        return names

    @staticmethod
    def add_name(names, code, name, errors, where):
        code, name = normalize_language(code.strip()), clean_name(name)
        try:
            validate_language(code)
        except ValidationError as error:
            errors.extend(f"{where}: {message}" for message in error.messages)
            return
        if not name:
            errors.append(_("%(where)s: the name is missing.") % {"where": where})
        elif code in names:
            errors.append(
                _("%(where)s: “%(code)s” is given twice.")
                % {"where": where, "code": code}
            )
        else:
            names[code] = name


class TagAdminForm(forms.ModelForm):
    """Themes and places: names in other languages line by line, optional slug."""

    names = LanguageNamesField(label=_("names in other languages"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        slug = self.fields["slug"]
        slug.required = False
        slug.help_text = _("Used in the address. Left empty, it is made from the name.")

    def clean_slug(self):
        slug = self.cleaned_data.get("slug")
        if not slug and self.instance.pk:
            return self.instance.slug  # an existing address stays stable
        # Empty on a new tag: taggit's save() makes a unique one from the name.
        return slug


class MergeTagsForm(forms.Form):
    """The intermediate page of the merge action: which of the tags survives."""

    keep = forms.ModelChoiceField(
        queryset=None,
        widget=forms.RadioSelect,
        label=_("Keep"),
        empty_label=None,
        error_messages={"required": _("Choose the one to keep.")},
    )

    def __init__(self, *args, tags, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = tags

    def clean_keep(self):
        """The tags below merged ones move below the kept one: refuse a merge that
        would nest them deeper than the hierarchy's limit."""
        keep = self.cleaned_data["keep"]
        level = len(keep.ancestors()) + 1
        for other in self.fields["keep"].queryset.exclude(pk=keep.pk):
            if level + other.height() - 1 > MAX_DEPTH:
                raise forms.ValidationError(
                    _(
                        "Keeping “%(keep)s” would put what lies below “%(other)s” "
                        "more than %(limit)s levels deep. Keep another one, or move "
                        "those first."
                    )
                    % {"keep": keep.name, "other": other.name, "limit": MAX_DEPTH}
                )
        return keep

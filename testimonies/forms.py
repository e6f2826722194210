"""Forms of the public pages.

:class:`FilterForm` parses the filters shared by the browse page and (later) the
search page. Every field is optional and every bad value becomes a message for the
reader, never an exception: visitors and crawlers type anything into a URL.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from .dates import last_day, parse_partial_date
from .languages import normalize_language, validate_language
from .models import Place, Theme

#: The orders a list can take; the first is the default.
SORT_CHOICES = [
    ("newest", _("Recorded: newest first")),
    ("oldest", _("Recorded: oldest first")),
    ("published", _("Recently published")),
]
ORDERINGS = {
    "newest": (F("recorded_on").desc(nulls_last=True), "identifier"),
    "oldest": (F("recorded_on").asc(nulls_last=True), "identifier"),
    "published": (F("published_at").desc(nulls_last=True), "identifier"),
}
DATE_HELP = _("A year, a month or a day: 2024, 2024-08 or 2024-08-20.")


class PartialDateField(forms.CharField):
    """A "YYYY", "YYYY-MM" or "YYYY-MM-DD" date.

    Cleans to the first day of the period, or its last day when ``end`` is true, so
    "recorded to 2024-08" includes the whole of August.
    """

    def __init__(self, *, end=False, **kwargs):
        self.end = end
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("help_text", DATE_HELP)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)  # the text, checked for length and nulls
        if not value:
            return None
        try:
            day, precision = parse_partial_date(value)
        except ValueError:
            raise ValidationError(
                _("“%(value)s” is not a date. Write 2024, 2024-08 or 2024-08-20."),
                code="invalid_date",
                params={"value": value},
            ) from None
        return last_day(day, precision) if self.end else day

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"placeholder": "YYYY-MM-DD", "inputmode": "numeric"})
        return attrs


class TagSlugField(forms.CharField):
    """A theme or place given by its slug; cleans to the tag itself."""

    def __init__(self, *, model, unknown_message, **kwargs):
        self.model = model
        self.unknown_message = unknown_message
        kwargs.setdefault("max_length", 100)
        super().__init__(**kwargs)

    def clean(self, value):
        slug = super().clean(value)
        if not slug:
            return None
        tag = self.model._default_manager.filter(slug=slug).first()
        if tag is None:
            raise ValidationError(
                self.unknown_message, code="unknown", params={"slug": slug}
            )
        return tag


class FilterForm(forms.Form):
    """Filters, order and page of a list of testimonies.

    ``theme_choices``, ``place_choices`` and ``language_choices`` fill the menus;
    without them the fields are plain text inputs. ``visible`` is what the user may
    see: a theme or place that none of it carries answers like an unknown one, so a
    filter never confirms that a tag of hidden testimonies exists, nor shows its name.
    """

    FILTER_FIELDS = ("theme", "place", "language", "recorded_from", "recorded_to")

    theme = TagSlugField(
        model=Theme,
        label=_("Theme"),
        required=False,
        unknown_message=_("There is no theme “%(slug)s”."),
    )
    place = TagSlugField(
        model=Place,
        label=_("Place"),
        required=False,
        unknown_message=_("There is no place “%(slug)s”."),
        help_text=_("Includes the places within it."),
    )
    language = forms.CharField(label=_("Language"), required=False, max_length=35)
    recorded_from = PartialDateField(label=_("Recorded from"), required=False)
    recorded_to = PartialDateField(label=_("Recorded until"), required=False, end=True)
    sort = forms.ChoiceField(
        label=_("Order"),
        choices=SORT_CHOICES,
        required=False,
        error_messages={
            "invalid_choice": _("“%(value)s” is not an order this list knows.")
        },
    )
    page = forms.IntegerField(
        label=_("Page"),
        required=False,
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("A page number is a whole number such as 2.")},
    )

    def __init__(
        self,
        *args,
        theme_choices=None,
        place_choices=None,
        language_choices=None,
        visible=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.visible = visible
        everything = [("", _("Any"))]
        for name, choices in [
            ("theme", theme_choices),
            ("place", place_choices),
            ("language", language_choices),
        ]:
            if choices is not None:
                self.fields[name].widget = forms.Select(
                    choices=everything + list(choices)
                )

    def clean_theme(self):
        return self._visible_tag("theme")

    def clean_place(self):
        return self._visible_tag("place")

    def _visible_tag(self, name):
        tag = self.cleaned_data.get(name)
        if tag is None or self.visible is None:
            return tag
        if not self.visible.filter_by(**{name: tag}).exists():
            raise ValidationError(
                self.fields[name].unknown_message,
                code="unknown",
                params={"slug": tag.slug},
            )
        return tag

    def clean_language(self):
        code = normalize_language(self.cleaned_data.get("language"))
        if not code:
            return ""
        try:
            validate_language(code)
        except ValidationError:
            raise ValidationError(
                _("“%(code)s” is not a language code such as en, ja, ru or uk."),
                code="invalid_language",
                params={"code": code},
            ) from None
        return code

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("recorded_from"), cleaned.get("recorded_to")
        if start and end and start > end:
            self.add_error(
                "recorded_to",
                ValidationError(
                    _("The end of the period lies before its start."),
                    code="reversed_period",
                ),
            )
        return cleaned

    # What the views ask once the form has been validated.

    def filter_errors(self):
        """Errors of the filters themselves (not of the order or the page)."""
        return {
            name: errors
            for name, errors in self.errors.items()
            if name in self.FILTER_FIELDS or name == "__all__"
        }

    def filters(self):
        """Keyword arguments for ``TestimonyQuerySet.filter_by()``."""
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name) or None for name in self.FILTER_FIELDS}

    def has_filters(self):
        return any(value is not None for value in self.filters().values())

    def sort_key(self):
        return (getattr(self, "cleaned_data", {}).get("sort")) or SORT_CHOICES[0][0]

    def ordering(self):
        return ORDERINGS[self.sort_key()]

    def page_number(self):
        """The page asked for (1 when none), or ``None`` when it is not a number."""
        if "page" in self.errors:
            return None
        return getattr(self, "cleaned_data", {}).get("page") or 1

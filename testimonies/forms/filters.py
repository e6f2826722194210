"""The filters of every list of testimonies.

:class:`FilterForm` parses the filters shared by the browse page and the search
page (:mod:`.search`). Every field is optional and every bad value becomes a
message for the reader, never an exception: visitors and crawlers type anything
into a URL.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from ..dates import last_day, parse_partial_date
from ..languages import normalize_language, validate_language
from ..models import Place, Theme

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


#: The most values one vocabulary's filter takes (``?theme=a&theme=b…``).
MAX_VALUES = 20


class SeveralValues(forms.TextInput):
    """A parameter that may be given several times (``?place=a&place=b``)."""

    def value_from_datadict(self, data, files, name):
        if hasattr(data, "getlist"):
            return data.getlist(name)
        value = data.get(name)
        return value if isinstance(value, list | tuple) else [value] if value else []

    def format_value(self, value):
        return ", ".join(value) if isinstance(value, list | tuple) else value


class SeveralField(forms.Field):
    """Up to :data:`MAX_VALUES` values of one vocabulary: any of them matches.
    Cleans to a list without repeats, in the order given."""

    widget = SeveralValues
    too_many_message = _("At most %(limit)s values can be chosen at once.")

    def __init__(self, *, max_length=100, **kwargs):
        self.max_length = max_length
        super().__init__(**kwargs)

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else [value]
        texts = [str(text).strip() for text in values if text is not None]
        return list(dict.fromkeys(text for text in texts if text))

    def validate(self, value):
        super().validate(value)
        if len(value) > MAX_VALUES:
            raise ValidationError(
                self.too_many_message, code="too_many", params={"limit": MAX_VALUES}
            )
        for text in value:
            ProhibitNullCharactersValidator()(text)
            MaxLengthValidator(self.max_length)(text)

    def clean(self, value):
        # Values count as given, blanks and repeats too: a thousand of them is
        # refused before any is looked at.
        given = value if isinstance(value, list | tuple) else [value]
        if len(given) > MAX_VALUES:
            raise ValidationError(
                self.too_many_message, code="too_many", params={"limit": MAX_VALUES}
            )
        values = super().clean(value)
        return [self.clean_one(text) for text in values]

    def clean_one(self, text):
        return text


class TagSlugsField(SeveralField):
    """Themes or places given by their slugs; cleans to the tags themselves."""

    def __init__(self, *, model, unknown_message, **kwargs):
        self.model = model
        self.unknown_message = unknown_message
        super().__init__(**kwargs)

    def clean(self, value):
        slugs = SeveralField.clean(self, value)
        tags = self.model._default_manager.by_slugs(slugs)  # old slugs too
        unknown = [slug for slug in slugs if slug not in tags]
        if unknown:
            raise ValidationError(
                [
                    ValidationError(
                        self.unknown_message, code="unknown", params={"slug": slug}
                    )
                    for slug in unknown
                ]
            )
        return [tags[slug] for slug in slugs]


class FilterForm(forms.Form):
    """Filters, order and page of a list of testimonies.

    ``theme_choices``, ``place_choices`` and ``language_choices`` fill the menus;
    without them the fields are plain text inputs. ``visible`` is what the user may
    see: a theme or place that none of it carries answers like an unknown one, so a
    filter never confirms that a tag of hidden testimonies exists, nor shows its name.
    """

    FILTER_FIELDS = (
        "theme",
        "place",
        "language",
        "available",
        "recorded_from",
        "recorded_to",
    )
    #: The filters that take several values (any of them matches).
    SEVERAL = ("theme", "place", "language", "available")

    theme = TagSlugsField(
        model=Theme,
        label=_("Theme"),
        required=False,
        unknown_message=_("There is no theme “%(slug)s”."),
    )
    place = TagSlugsField(
        model=Place,
        label=_("Place"),
        required=False,
        unknown_message=_("There is no place “%(slug)s”."),
        help_text=_("Includes the places within it."),
    )
    language = SeveralField(
        label=_("Language"),
        required=False,
        max_length=35,
        help_text=_("The language the testimony was given in."),
    )
    available = SeveralField(
        label=_("Available in"),
        required=False,
        max_length=35,
        help_text=_("Given in that language, or translated into it."),
    )
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
        available_choices=None,
        visible=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.visible = visible
        for name, choices in [
            ("theme", theme_choices),
            ("place", place_choices),
            ("language", language_choices),
            ("available", available_choices),
        ]:
            if choices is not None:
                self.fields[name].widget = forms.CheckboxSelectMultiple(
                    choices=list(choices)
                )
        # A parameter that takes one value but came several times cannot be
        # honoured: say so rather than pick one of them.
        getlist = getattr(self.data, "getlist", None)
        self.repeated = [
            name
            for name in self.fields
            if name not in self.SEVERAL and getlist and len(getlist(name)) > 1
        ]

    def clean_theme(self):
        return self._visible_tags("theme")

    def clean_place(self):
        return self._visible_tags("place")

    def _visible_tags(self, name):
        tags = self.cleaned_data.get(name) or []
        if self.visible is None:
            return tags
        unseen = [
            tag for tag in tags if not self.visible.filter_by(**{name: tag}).exists()
        ]
        if unseen:
            raise ValidationError(
                [
                    ValidationError(
                        self.fields[name].unknown_message,
                        code="unknown",
                        params={"slug": tag.slug},
                    )
                    for tag in unseen
                ]
            )
        return tags

    def clean_language(self):
        return self._language_codes("language")

    def clean_available(self):
        return self._language_codes("available")

    def _language_codes(self, name):
        codes = []
        for given in self.cleaned_data.get(name) or []:
            code = normalize_language(given)
            try:
                validate_language(code)
            except ValidationError:
                raise ValidationError(
                    _("“%(code)s” is not a language code such as en, ja, ru or uk."),
                    code="invalid_language",
                    params={"code": code},
                ) from None
            if code not in codes:
                codes.append(code)
        return codes

    def clean(self):
        for name in self.repeated:
            self.add_error(
                name,
                ValidationError(
                    _("Give “%(name)s” once: it takes a single value."),
                    code="repeated",
                    params={"name": name},
                ),
            )
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
        """Keyword arguments for ``TestimonyQuerySet.filter_by()``: lists for
        the vocabularies, dates or ``None`` for the period."""
        data = getattr(self, "cleaned_data", {})
        return {
            name: data.get(name) or ([] if name in self.SEVERAL else None)
            for name in self.FILTER_FIELDS
        }

    def has_filters(self):
        return any(value for value in self.filters().values())

    def sort_key(self):
        return (getattr(self, "cleaned_data", {}).get("sort")) or SORT_CHOICES[0][0]

    def ordering(self):
        return ORDERINGS[self.sort_key()]

    def page_number(self):
        """The page asked for (1 when none), or ``None`` when it is not a number."""
        if "page" in self.errors:
            return None
        return getattr(self, "cleaned_data", {}).get("page") or 1

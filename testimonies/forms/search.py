"""The search parameters of the search page and the JSON API.

:class:`SearchForm` is the browse page's
:class:`~testimonies.forms.filters.FilterForm` with the search text and a
relevance order. The text itself is never invalid: whatever was typed goes to
:func:`~testimonies.search.query.parse_query`, which keeps only its words and
cuts it when it is long (``results.message`` then says so). Filters, order and
page are validated as on the browse page, with a message per bad value.
"""

from dataclasses import replace

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..downloads import FORMATS, UNKNOWN_FORMAT
from ..search.query import MAX_CLAUSES, MAX_QUERY_LENGTH, parse_query
from ..search.results import NEWEST, OLDEST, RELEVANCE
from .filters import FilterForm

SEARCH_SORT_CHOICES = [
    (RELEVANCE, _("Best match")),
    (NEWEST, _("Recorded: newest first")),
    (OLDEST, _("Recorded: oldest first")),
]
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class QueryField(forms.CharField):
    """The search text. Any text is accepted: the parser drops what it cannot use
    (control characters included) and cuts what is too long, so neither a NUL
    character nor 10,000 characters make the form invalid."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = []

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs["maxlength"] = str(MAX_QUERY_LENGTH)
        return attrs


class SearchForm(FilterForm):
    """Search text, filters, order and page of the search page."""

    field_order = ["q", "sort", *FilterForm.FILTER_FIELDS, "page"]
    #: Cut an over-long search to its beginning (the page) rather than refuse it.
    shortens = True

    q = QueryField(
        label=_("Search for"),
        required=False,
        widget=forms.SearchInput,
    )
    sort = forms.ChoiceField(
        label=_("Order"),
        choices=SEARCH_SORT_CHOICES,
        required=False,
        error_messages={
            "invalid_choice": _("“%(value)s” is not an order the search knows.")
        },
    )

    def __init__(self, data=None, *args, **kwargs):
        # Cut before anything else sees it, so the search box shows what was used.
        self.cut_short = False
        text = data.get("q", "") if data is not None else ""
        if self.shortens and len(text) > MAX_QUERY_LENGTH:
            data = data.copy()
            data["q"] = text[:MAX_QUERY_LENGTH]
            self.cut_short = True
        super().__init__(data, *args, **kwargs)

    def query(self):
        """The search text, parsed (once)."""
        text = getattr(self, "cleaned_data", {}).get("q") or ""
        if getattr(self, "_query", None) is None:
            self._query = parse_query(text)
            if self.cut_short:
                self._query = replace(self._query, shortened=True)
        return self._query

    def sort_key(self):
        return getattr(self, "cleaned_data", {}).get("sort") or RELEVANCE

    def ordering(self):
        raise NotImplementedError("Search results are ordered by SearchResults.")


class SearchApiForm(SearchForm):
    """The API's parameters: the search page's, and the size of a page."""

    page_size = forms.IntegerField(
        label=_("Page size"),
        required=False,
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        error_messages={"invalid": _("A page size is a whole number such as 20.")},
    )

    format = forms.CharField(label=_("Format"), required=False, strip=False)

    shortens = False

    def download_format(self):
        """The download asked for, or ``None`` for the API's own JSON page."""
        name = getattr(self, "cleaned_data", {}).get("format")
        return name if name in FORMATS else None

    def clean_format(self):
        name = self.cleaned_data.get("format") or "json"
        if name != "json" and name not in FORMATS:
            raise ValidationError(
                UNKNOWN_FORMAT,
                code="invalid_choice",
                params={"value": name[:40], "choices": ", ".join(["json", *FORMATS])},
            )
        return name

    def clean_q(self):
        """An API client gets an error where the page would explain and go on:
        a search cut short or without a word is not what the client asked for."""
        text = self.cleaned_data.get("q") or ""
        if len(text) > MAX_QUERY_LENGTH:
            raise ValidationError(
                _(
                    "A search may have at most %(limit)s characters "
                    "(it has %(length)s)."
                ),
                code="max_length",
                params={"limit": MAX_QUERY_LENGTH, "length": len(text)},
            )
        query = parse_query(text)
        if query.is_empty:
            raise ValidationError(query.message, code="no_words")
        if query.shortened:
            raise ValidationError(
                _("A search may have at most %(limit)s words or phrases."),
                code="too_many_words",
                params={"limit": MAX_CLAUSES},
            )
        self._query = query
        return text

    def per_page(self):
        """The page size asked for (20 when none), ``None`` when it is wrong."""
        if "page_size" in self.errors:
            return None
        return getattr(self, "cleaned_data", {}).get("page_size") or DEFAULT_PAGE_SIZE

"""The search page: ranked hits with snippets, facets, filters, pagination.

A function view, because the flow branches: filters that cannot be used explain
themselves instead of searching; a search with no word says so; anything else is
searched. Whatever arrives in the address, the page answers 200 with results or a
message, never an error page.
"""

from django.shortcuts import render

from ..forms import SearchForm
from ..models import Testimony
from .answers import answer
from .downloads import Refused, download, links, refused_page, wanted_format
from .listing import active_filters, available_choices, filter_messages

PAGE_SIZE = 20


def search(request):
    visible = Testimony.objects.visible_to(request.user)
    form = SearchForm(request.GET, visible=visible)
    form.is_valid()
    try:
        format = wanted_format(request)
        if format:
            return download(
                request, visible, form, format, searching=True, name="search"
            )
    except Refused as refused:
        return refused_page(request, refused)
    kept = hidden_parameters(request, form)
    context = {
        "form": form,
        "query": form.query(),
        "filter_errors": filter_messages(form),
        "sort_error": " ".join(form.errors.get("sort", [])),
        "active_filters": active_filters(request, form),
        # The facets' own form carries the vocabularies in its checkboxes.
        "facet_parameters": [
            (name, value) for name, value in kept if name not in SearchForm.SEVERAL
        ],
        "hidden_parameters": kept,
        # Result lists depend on what was typed: not for search engines.
        "noindex": True,
    }
    if not context["filter_errors"]:
        found = answer(visible, form, PAGE_SIZE)
        page = found.page
        context.update(
            results=found.results,
            facets=found.facets,
            count=found.paginator.count,
            page_obj=page,
            hits=found.hits,
            page_error=found.page_error,
            page_range=(
                found.paginator.get_elided_page_range(page.number, on_each_side=2)
                if page
                else []
            ),
            selected=selected_facets(form),
            available_languages=available_choices(visible) if found.hits else [],
            **links(),
        )
    return render(request, "testimonies/search.html", context)


def hidden_parameters(request, form):
    """What a new search keeps from this one: its valid filters and order, one
    ``(name, value)`` pair per value."""
    return [
        (name, raw)
        for name in (*SearchForm.FILTER_FIELDS, "sort")
        if name not in form.errors
        for raw in request.GET.getlist(name)
        if raw.strip()
    ]


def selected_facets(form):
    """The themes, places and languages the search is narrowed to (to check
    them): tag ids, and language codes."""
    cleaned = getattr(form, "cleaned_data", {})
    return {
        "theme": {tag.pk for tag in cleaned.get("theme") or []},
        "place": {tag.pk for tag in cleaned.get("place") or []},
        "language": set(cleaned.get("language") or []),
        "available": set(cleaned.get("available") or []),
    }

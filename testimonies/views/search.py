"""The search page: ranked hits with snippets, facets, filters, pagination.

A function view, because the flow branches: filters that cannot be used explain
themselves instead of searching; a search with no word says so; anything else is
searched. Whatever arrives in the address, the page answers 200 with results or a
message, never an error page.
"""

from django.shortcuts import render

from ..languages import language_name
from ..models import Testimony
from ..search.forms import SearchForm
from ..search.requests import answer

PAGE_SIZE = 20


def search(request):
    visible = Testimony.objects.visible_to(request.user)
    form = SearchForm(request.GET, visible=visible)
    form.is_valid()
    context = {
        "form": form,
        "query": form.query(),
        "filter_errors": [
            f"{form.fields[name].label}: {error}" if name != "__all__" else error
            for name, errors in form.filter_errors().items()
            for error in errors
        ],
        "sort_error": " ".join(form.errors.get("sort", [])),
        "active_filters": active_filters(request, form),
        "hidden_parameters": hidden_parameters(request, form),
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
        )
    return render(request, "testimonies/search.html", context)


def url_without(request, *names):
    """The current search without the parameters ``names`` (and on page 1)."""
    query = request.GET.copy()
    for name in {*names, "page"}:
        query.pop(name, None)
    return f"{request.path}?{query.urlencode()}" if query else request.path


def active_filters(request, form):
    """The filters in the address, each with a label and a link removing it."""
    cleaned = getattr(form, "cleaned_data", {})
    active = []
    for name in SearchForm.FILTER_FIELDS:
        raw = request.GET.get(name, "")
        if not raw.strip():
            continue
        value = cleaned.get(name)
        if name in ("theme", "place") and value is not None:
            shown = value.name_in()
        elif name == "language" and value:
            shown = language_name(value)
        else:
            shown = raw[:100]
        active.append(
            {
                "label": form.fields[name].label,
                "value": shown,
                "valid": name not in form.errors,
                "remove_url": url_without(request, name),
            }
        )
    return active


def hidden_parameters(request, form):
    """What a new search keeps from this one: its valid filters and order."""
    kept = []
    for name in (*SearchForm.FILTER_FIELDS, "sort"):
        raw = request.GET.get(name, "")
        if raw.strip() and name not in form.errors:
            kept.append((name, raw))
    return kept


def selected_facets(form):
    """The theme, place and language the search is narrowed to (to mark them)."""
    cleaned = getattr(form, "cleaned_data", {})
    theme, place = cleaned.get("theme"), cleaned.get("place")
    return {
        "theme": theme.pk if theme else None,
        "place": place.pk if place else None,
        "language": cleaned.get("language") or None,
    }

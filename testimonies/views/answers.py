"""Answering one search request: what the search page and the API share.

A view validates a :class:`~testimonies.forms.SearchForm`, then calls
:func:`answer` with the testimonies the user may see. The hits, their count, the
facets and the requested page come from one :class:`SearchResults`, which matches
the query once and reuses the hits for all of them.
"""

from dataclasses import dataclass

from django.core.paginator import InvalidPage, Paginator
from django.utils.translation import ngettext

from ..search import search
from ..search.facets import Facets


@dataclass
class Answer:
    results: object  # SearchResults
    facets: Facets
    paginator: Paginator
    page: object  # a Page, or None when page_error says why not
    page_error: str = ""

    @property
    def hits(self):
        return list(self.page.object_list) if self.page else []


def answer(visible, form, per_page):
    """Search ``visible`` (a queryset already narrowed to what the user may see)
    with a validated form whose filters have no errors."""
    results = search(
        visible, form.query(), sort=form.sort_key(), filters=form.filters()
    )
    # Facets first: the same query counts the hits, so pagination needs no count.
    facets = results.facets()
    paginator = Paginator(results, per_page)
    number = form.page_number()
    if number is None:
        return Answer(results, facets, paginator, None, " ".join(form.errors["page"]))
    try:
        page = paginator.page(number)
    except InvalidPage:
        error = ngettext(
            "There is no page %(number)s: the results fill %(pages)s page.",
            "There is no page %(number)s: the results fill %(pages)s pages.",
            paginator.num_pages,
        ) % {"number": number, "pages": paginator.num_pages}
        return Answer(results, facets, paginator, None, error)
    return Answer(results, facets, paginator, page)

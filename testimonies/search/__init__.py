"""Multilingual full-text search over testimonies (see docs/search.md).

Use it through the queryset, after narrowing to what the user may see::

    results = search(
        Testimony.objects.visible_to(request.user),
        request.GET.get("q"),
        filters={"theme": [theme], "language": ["ja"]},
        sort="relevance",
    )
    page = Paginator(results, 20).get_page(number)   # hits carry search_snippet
    facets = results.facets()                        # over the same hits

Modules: :mod:`.analyzer` (text to tokens), :mod:`.query` (user input to a query
tree), :mod:`.backends` (SQLite FTS5, PostgreSQL tsvector), :mod:`.index` (what is
indexed, writing), :mod:`.signals` (keeping it current), :mod:`.results`,
:mod:`.sources` (where a request's hits come from), :mod:`.loading`,
:mod:`.snippets`, :mod:`.facets`, :mod:`.hitsets`.
"""

from .query import Query, parse_query

__all__ = ["Query", "parse_query", "search"]


def search(queryset, query, *, sort=None, filters=None):
    """Search ``query`` (text or :class:`Query`) within a testimony queryset,
    narrowed by ``filters`` (keyword arguments of ``filter_by()``)."""
    from .results import SearchResults

    return SearchResults(queryset, query, sort=sort, filters=filters)

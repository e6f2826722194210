"""Forms of the public pages: the filters of every list (:mod:`.filters`) and
the search page's and the API's parameters (:mod:`.search`)."""

from .filters import FilterForm
from .search import SearchApiForm, SearchForm

__all__ = ["FilterForm", "SearchApiForm", "SearchForm"]

"""The public reading site. Each module holds one kind of page."""

from .feeds import LatestTestimoniesFeed
from .pages import HomeView, TestimonyDetailView, TestimonyListView
from .robots import favicon, robots_txt
from .tags import PlaceDetailView, PlaceListView, ThemeDetailView, ThemeListView

__all__ = [
    "HomeView",
    "LatestTestimoniesFeed",
    "PlaceDetailView",
    "PlaceListView",
    "TestimonyDetailView",
    "TestimonyListView",
    "ThemeDetailView",
    "ThemeListView",
    "favicon",
    "robots_txt",
]

from django.urls import path

from . import views
from .views import api as api_views
from .views import maps as map_views
from .views import oai as oai_views
from .views import recordings as recording_views
from .views import search as search_views
from .views import tags as tag_views
from .views.takedown import TakedownView

app_name = "testimonies"

# Slugs and identifiers route with <str:>: Django's <slug:> rejects the Japanese and
# Cyrillic slugs themes and places carry.
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("testimonies/", views.TestimonyListView.as_view(), name="list"),
    path(
        "testimonies/<str:identifier>/",
        views.TestimonyDetailView.as_view(),
        name="detail",
    ),
    path(
        "testimonies/<str:identifier>/takedown/",
        TakedownView.as_view(),
        name="takedown",
    ),
    path(
        "testimonies/<str:identifier>/recordings/<int:pk>/<str:language>.vtt",
        recording_views.captions,
        name="captions",
    ),
    path("themes/", views.ThemeListView.as_view(), name="themes"),
    # The vocabularies as SKOS (Turtle) and CSV (docs/api.md).
    *[
        path(
            f"{kind}.{format}",
            tag_views.vocabulary,
            {"kind": kind, "format": format},
            name=f"{kind}-{format}",
        )
        for kind in ("themes", "places")
        for format in tag_views.VOCABULARY_FORMATS
    ],
    path("themes/<str:slug>/", views.ThemeDetailView.as_view(), name="theme"),
    path("places/", views.PlaceListView.as_view(), name="places"),
    # Not under places/: a place called "map" would lose its page (docs/maps.md).
    path("map/", map_views.PlaceMapView.as_view(), name="map"),
    path("places.geojson", map_views.places_geojson, name="places-geojson"),
    path("places/<str:slug>/", views.PlaceDetailView.as_view(), name="place"),
    path("feeds/latest/", views.LatestTestimoniesFeed(), name="feed"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("search/", search_views.search, name="search"),
    # The JSON API, version 1 (docs/api.md).
    path("api/v1/testimonies/", api_views.testimony_list, name="api-list"),
    path(
        "api/v1/testimonies/<str:identifier>/",
        api_views.testimony_detail,
        name="api-detail",
    ),
    path("api/v1/openapi.json", api_views.openapi, name="api-openapi"),
    path("oai/", oai_views.endpoint, name="oai"),
]

from django.urls import path

from . import views

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
    path("themes/", views.ThemeListView.as_view(), name="themes"),
    path("themes/<str:slug>/", views.ThemeDetailView.as_view(), name="theme"),
    path("places/", views.PlaceListView.as_view(), name="places"),
    path("places/<str:slug>/", views.PlaceDetailView.as_view(), name="place"),
    path("feeds/latest/", views.LatestTestimoniesFeed(), name="feed"),
    path("robots.txt", views.robots_txt, name="robots"),
]

from django.urls import path

from . import views

app_name = "testimonies"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("testimonies/", views.TestimonyListView.as_view(), name="list"),
    path(
        "testimonies/<str:identifier>/",
        views.TestimonyDetailView.as_view(),
        name="detail",
    ),
]

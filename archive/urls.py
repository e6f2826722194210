from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from testimonies.views.accounts import AdminPasswordChangeView
from testimonies.views.media import media_urlpatterns
from testimonies.views.sitemaps import SITEMAPS

urlpatterns = [
    # Before the admin's own: its password page, with wrong current passwords
    # counted as on the site's (the name "admin:password_change" still points here).
    path(
        "admin/password_change/",
        admin.site.admin_view(AdminPasswordChangeView.as_view()),
    ),
    path("admin/", admin.site.urls),
    # Researchers' sign-up, sign-in and password pages (the admin keeps its own).
    path("accounts/", include("testimonies.accounts.urls")),
    # set_language at /i18n/setlang/: the language switcher's form posts there.
    path("i18n/", include("django.conf.urls.i18n")),
    # An index, so the collection may outgrow the 50,000 addresses of one sitemap.
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("", include("testimonies.urls")),
]

# Django's default handler renders templates/404.html (with the request, so in the
# site's layout and language); ours renders templates/500.html (standalone: it must
# render even when the database or a template tag is what failed), or 503.html when
# a write waited too long for the database lock (testimonies.busy).
handler500 = "testimonies.views.errors.server_error"

# Uploaded photos and documents, in development and production alike: each file only
# for those who may see its testimony (testimonies.views.media), never the folder.
urlpatterns += media_urlpatterns()

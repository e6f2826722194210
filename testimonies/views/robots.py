"""What clients ask of every site at its root: robots.txt (keep crawlers out of
the admin, point them to the sitemap) and /favicon.ico."""

from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('admin:index')}",
        f"Disallow: {reverse('set_language')}",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@require_GET
def favicon(request):
    """Browsers and feed readers ask for /favicon.ico whatever the page says: send
    them to the icon among the static files (a 404 on every page otherwise)."""
    return HttpResponsePermanentRedirect(static("favicon.ico"))

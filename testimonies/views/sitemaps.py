"""The sitemap: only pages an anonymous visitor may open."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from ..models import Testimony
from ..reading import place_tree, theme_tree


def public():
    return Testimony.objects.visible_to(None)


class PagesSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return [
            "testimonies:home",
            "testimonies:list",
            "testimonies:themes",
            "testimonies:places",
        ]

    def location(self, item):
        return reverse(item)


class TestimonySitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return public().only("identifier", "updated_at").order_by("identifier")

    def lastmod(self, item):
        return item.updated_at


class ThemeSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return [node.tag for node in theme_tree(public()).walk()]

    def location(self, item):
        return reverse("testimonies:theme", args=[item.slug])


class PlaceSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return [node.tag for node in place_tree(public()).walk()]

    def location(self, item):
        return reverse("testimonies:place", args=[item.slug])


SITEMAPS = {
    "pages": PagesSitemap,
    "testimonies": TestimonySitemap,
    "themes": ThemeSitemap,
    "places": PlaceSitemap,
}

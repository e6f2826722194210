"""The Atom feed of newly published testimonies."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from ..models import Testimony
from ..reading import listed_version


class LatestTestimoniesFeed(Feed):
    """The most recently published testimonies, as an anonymous visitor sees them.

    Feed readers fetch without logging in and caches share one copy, so the feed
    never depends on who asks: it is built with ``visible_to(None)``.
    """

    feed_type = Atom1Feed
    title = gettext_lazy("Testimony Archive: newly published testimonies")
    subtitle = gettext_lazy(
        "Testimonies of civilians displaced by war, in their own words."
    )
    size = 30

    def link(self):
        return reverse("testimonies:list")

    def items(self):
        return (
            Testimony.objects.visible_to(None)
            .filter(published_at__isnull=False)
            .select_related("narrator")
            .prefetch_related("themes")
            .with_listed_translation(get_language())
            .order_by("-published_at", "identifier")[: self.size]
        )

    def item_title(self, item):
        return listed_version(item, get_language()).title

    def item_description(self, item):
        # Atom's summary is HTML here: the text must be escaped.
        notice = (
            _("Fictional composite (sample data), not a real person's testimony.")
            if item.is_sample
            else ""
        )
        summary = listed_version(item, get_language()).summary
        return escape(" ".join(part for part in [notice, summary] if part))

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.narrator.alias if item.narrator else None

    def item_categories(self, item):
        return [theme.name for theme in item.themes.all()]

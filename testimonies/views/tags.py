"""Themes and places: the two ways into the collection besides search.

A tag has a page only while a testimony the visitor may see carries it (or, for a
place, a place below it): a place name alone can tell where a narrator lives.
"""

from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import ListView, TemplateView

from .. import vocabularies
from ..languages import language_name
from ..models import Place, Testimony, Theme
from ..reading import place_tree, theme_tree
from .listing import TestimonyListMixin, VisibleTestimoniesMixin


class ThemeListView(VisibleTestimoniesMixin, TemplateView):
    template_name = "testimonies/theme_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(tree=theme_tree(self.visible()), **kwargs)


class PlaceListView(VisibleTestimoniesMixin, TemplateView):
    template_name = "testimonies/place_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(tree=place_tree(self.visible()), **kwargs)


class TagDetailMixin(TestimonyListMixin):
    """The page of one tag: its node in the visible tree, and its testimonies."""

    accepted_parameters = ("sort", "page")
    tree_builder = None
    filter_name = None
    tag_model = None

    def get(self, request, *args, **kwargs):
        self.tree = self.tree_builder(self.visible())
        self.node = self.tree.get(kwargs["slug"])
        if self.node is None:
            return self.merged_away(kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def merged_away(self, slug):
        """The address of a merged tag leads to the kept one, if its page would
        answer this visitor; else 404, as for the kept one, so a redirect never
        tells of a tag only hidden testimonies carry."""
        kept = self.tag_model.objects.merged_into(slug)
        if kept is None or self.tree.get(kept.slug) is None:
            raise Http404
        query = self.request.GET.urlencode()
        url = kept.get_absolute_url() + (f"?{query}" if query else "")
        return HttpResponsePermanentRedirect(url)

    def fixed_filters(self):
        return {self.filter_name: self.node.tag}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            node=self.node, tag=self.node.tag, ancestors=self.node.ancestors(), **kwargs
        )


class ThemeDetailView(TagDetailMixin, ListView):
    template_name = "testimonies/theme_detail.html"
    tree_builder = staticmethod(theme_tree)
    filter_name = "theme"
    tag_model = Theme


class PlaceDetailView(TagDetailMixin, ListView):
    template_name = "testimonies/place_detail.html"
    tree_builder = staticmethod(place_tree)
    filter_name = "place"
    tag_model = Place

    def get_context_data(self, **kwargs):
        names = sorted(
            (language_name(code), code, name)
            for code, name in (self.node.tag.names or {}).items()
        )
        return super().get_context_data(other_names=names, **kwargs)


VOCABULARY_FORMATS = {
    "ttl": "text/turtle; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
}


def vocabulary(request, kind, format):
    """``/themes.ttl``, ``/places.csv``…: the themes or places the visitor may
    see, as SKOS or CSV (testimonies.vocabularies)."""
    visible = Testimony.objects.visible_to(request.user)
    tree = theme_tree(visible) if kind == "themes" else place_tree(visible)

    def address(tag):
        return request.build_absolute_uri(tag.get_absolute_url())

    if format == "ttl":
        scheme = request.build_absolute_uri(reverse(f"testimonies:{kind}"))
        title = _("Themes") if kind == "themes" else _("Places")
        text = vocabularies.turtle(tree, scheme=scheme, title=title, address=address)
    else:
        text = vocabularies.table(tree, address=address)
    response = HttpResponse(text, content_type=VOCABULARY_FORMATS[format])
    response["Content-Disposition"] = f'inline; filename="{kind}.{format}"'
    return response

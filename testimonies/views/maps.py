"""The map of places and the GeoJSON behind every map (docs/maps.md).

Both start from the visible place tree, so a place only hidden testimonies carry
is on no map, in no list and in no count: a village can point to a narrator.
"""

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from ..maps import feature_collection, located, nodes_within
from ..models import Testimony
from ..models.testimony import validate_identifier
from ..reading import place_tree
from .listing import VisibleTestimoniesMixin

CONTENT_TYPE = "application/geo+json; charset=utf-8"


class PlaceMapView(VisibleTestimoniesMixin, TemplateView):
    template_name = "testimonies/map.html"

    def get_context_data(self, **kwargs):
        tree = place_tree(self.visible())
        unlocated = [node for node in tree.walk() if not located(node.tag)]
        return super().get_context_data(tree=tree, unlocated=unlocated, **kwargs)


def geojson_response(data, status=200):
    return JsonResponse(
        data,
        status=status,
        content_type=CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )


@require_safe
def places_geojson(request):
    """``/places.geojson``: every place the visitor may see; ``?within=<slug>``
    a place and those below it (a place's map), ``?testimony=<identifier>`` the
    places of one testimony (its map). What the visitor may not see answers 404,
    as an unknown name does."""
    within = request.GET.get("within")
    identifier = request.GET.get("testimony")
    if within is not None and identifier is not None:
        return geojson_response(
            {"detail": _("Ask for the places within a place or of a testimony.")},
            status=400,
        )
    visible = Testimony.objects.visible_to(request.user)
    tree = place_tree(visible)
    if within is not None:
        node = tree.get(within)
        if node is None:
            return geojson_response({"detail": _("There is no such place.")}, 404)
        nodes = nodes_within(node)
    elif identifier is not None:
        testimony = well_formed(identifier) and (
            visible.filter(identifier=identifier).first()
        )
        if not testimony:
            return geojson_response({"detail": _("There is no such testimony.")}, 404)
        slugs = testimony.places.order_by("name").values_list("slug", flat=True)
        nodes = [tree.get(slug) for slug in slugs if tree.get(slug) is not None]
    else:
        nodes = tree.walk()
    return geojson_response(feature_collection(nodes))


def well_formed(identifier):
    """Whether ``identifier`` may be an identifier: only those reach the database
    (PostgreSQL refuses NUL)."""
    try:
        validate_identifier(identifier)
    except ValidationError:
        return False
    return True

"""The small maps of places (docs/maps.md): ``{% map_of_places tree %}`` on the
map page, ``{% map_of_place node %}`` on a place's page (it and the places within
it), ``{% map_of_testimony testimony %}`` on a testimony's page (its places).

Each renders ``testimonies/_map.html``: an empty box that static/js/map.js fills
from ``/places.geojson``, loading Leaflet only when the box comes into view.
Nothing is rendered when none of the places has coordinates. The tile server is
read here, at each page, not when the module is imported.
"""

from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from ..maps import located, nodes_within

register = template.Library()


def map_context(tags, *, label, query=None, size="small", collapsed=False):
    source = reverse("testimonies:places-geojson")
    if query:
        source += "?" + urlencode(query)
    return {
        "shown": any(located(tag) for tag in tags),
        "source": source,
        "label": label,
        # Filled in by static/js/map.js for each marker (a screen reader's name for
        # it). Here, not in the template: {% translate %} doubles a "%" in msgids.
        "marker_label": _("%(name)s, testimonies: %(count)s"),
        "size": size,
        "collapsed": collapsed,
        "tiles": settings.TESTIMONY_MAP_TILES,
        "attribution": settings.TESTIMONY_MAP_ATTRIBUTION,
    }


@register.inclusion_tag("testimonies/_map.html")
def map_of_places(tree):
    tags = [node.tag for node in tree.walk()]
    return map_context(tags, label=_("Map of the places"), size="large")


@register.inclusion_tag("testimonies/_map.html")
def map_of_place(node):
    tags = [each.tag for each in nodes_within(node)]
    label = _("Map of %(name)s and the places within it") % {"name": node.tag.name_in()}
    return map_context(tags, label=label, query={"within": node.tag.slug})


@register.inclusion_tag("testimonies/_map.html")
def map_of_testimony(testimony):
    # The places come prefetched with the testimony's page.
    tags = list(testimony.places.all())
    return map_context(
        tags,
        label=_("Map of the places of this testimony"),
        query={"testimony": testimony.identifier},
        collapsed=True,
    )

"""What the maps of places show (docs/maps.md): the places of the visible tree
(:func:`testimonies.reading.place_tree`) as GeoJSON features.

The tree decides which places a visitor may see, as it does for the places pages
and vocabularies; this module only writes them down. A place without coordinates
is still a feature, with no geometry (RFC 7946 allows it): the list beside a map
names it, the map cannot place it.
"""

from .reading import descendants


def located(tag):
    return tag.latitude is not None and tag.longitude is not None


def nodes_within(node):
    """A place's node and every node below it, parents first."""
    return [node, *descendants(node)]


def feature(node):
    tag = node.tag
    geometry = None
    if located(tag):
        # GeoJSON's order is longitude, latitude.
        geometry = {
            "type": "Point",
            "coordinates": [float(tag.longitude), float(tag.latitude)],
        }
    return {
        "type": "Feature",
        "id": tag.slug,
        "geometry": geometry,
        "properties": {
            "name": tag.name_in(),
            "kind": tag.kind,
            "kind_label": str(tag.get_kind_display()),
            "count": node.count,
            "url": tag.get_absolute_url(),
            "parent": node.parent.tag.slug if node.parent is not None else None,
        },
    }


def feature_collection(nodes):
    return {"type": "FeatureCollection", "features": [feature(n) for n in nodes]}

"""Themes and places as OAI sets, following their hierarchies.

``theme`` and ``place`` are the two roots; below them each tag's setSpec is the
path of slugs from its topmost ancestor down to it:
``place:ukraine:kharkiv-oblast:kupiansk``, ``theme:evacuation``. A set holds the
records of its tag and of every tag below it, as the protocol's hierarchy means.

setSpecs allow only ASCII letters, digits and ``-_.!~*'()``; our slugs may be
Cyrillic or Japanese. Such a slug (or one that already begins with ``xn--``) is
written as ``xn--`` and its Punycode (RFC 3492), as IDNA writes domain names:
``xn--80aaxrcq``; an encoding, so no two slugs share one.

Only sets that a publicly visible testimony carries are listed or harvestable,
with their ancestors (whose slugs are in the path anyway): a village that only a
hidden testimony names could point to its narrator, so for a harvester it does
not exist, exactly like a setSpec nobody ever made.
"""

import re

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from ..models import Place, PlacedItem, Theme, ThemedItem
from ..models.tags import MAX_DEPTH

#: root setSpec → (tag model, through model, the root's name).
ROOTS = {
    "theme": (Theme, ThemedItem, _("Themes")),
    "place": (Place, PlacedItem, _("Places")),
}
PLAIN_SLUG = re.compile(r"[A-Za-z0-9_.-]+")


def encode_slug(slug):
    """A slug as one segment of a setSpec."""
    if PLAIN_SLUG.fullmatch(slug) and not slug.startswith("xn--"):
        return slug
    return "xn--" + slug.encode("punycode").decode("ascii")


class Vocabularies:
    """Every theme and place, loaded once for an answer (two queries), with each
    tag's setSpec."""

    def __init__(self):
        self.tags = {
            root: {tag.pk: tag for tag in model.objects.all()}
            for root, (model, _through, _name) in ROOTS.items()
        }
        self._specs = {}

    def spec(self, root, pk):
        """The setSpec of tag ``pk`` of vocabulary ``root``."""
        key = (root, pk)
        if key not in self._specs:
            slugs = [encode_slug(tag.slug) for tag in reversed(self.path(root, pk))]
            self._specs[key] = ":".join([root, *slugs])
        return self._specs[key]

    def path(self, root, pk):
        """Tag ``pk`` and its ancestors, nearest first; stopping at a cycle or at
        the depth limit, as every walk of a hierarchy does."""
        tags = self.tags[root]
        path, seen, tag = [], set(), tags.get(pk)
        while tag is not None and tag.pk not in seen and len(path) < MAX_DEPTH:
            path.append(tag)
            seen.add(tag.pk)
            tag = tags.get(tag.parent_id)
        return path

    def header_specs(self, testimony):
        """The setSpecs of ``testimony``'s own themes and places (its
        ``themed_items`` and ``placed_items`` prefetched)."""
        items = {
            "theme": testimony.themed_items.all(),
            "place": testimony.placed_items.all(),
        }
        return sorted(
            self.spec(root, item.tag_id)
            for root, found in items.items()
            for item in found
            if item.tag_id in self.tags[root]
        )

    def public_sets(self, visible):
        """``{setSpec: name}`` of the sets the ``visible`` testimonies carry, with
        their ancestors and roots; names in the archive's language."""
        found = {}
        with override(settings.LANGUAGE_CODE):
            for root, (_model, through, name) in ROOTS.items():
                carried = (
                    through.objects.filter(content_object__in=visible.values("pk"))
                    .values_list("tag_id", flat=True)
                    .distinct()
                    .order_by()
                )
                for pk in carried:
                    for tag in self.path(root, pk):
                        found.setdefault(
                            self.spec(root, tag.pk),
                            tag.name_in(settings.LANGUAGE_CODE),
                        )
                    found.setdefault(root, str(name))
        return found

    def members(self, spec):
        """The condition for a testimony to be in set ``spec`` (a listed one)."""
        root = spec.split(":", 1)[0]
        _model, through, _name = ROOTS[root]
        if spec == root:
            return Q(pk__in=through.objects.values("content_object_id"))
        below = [
            pk
            for pk in self.tags[root]
            if self.spec(root, pk) == spec or self.spec(root, pk).startswith(spec + ":")
        ]
        return Q(
            pk__in=through.objects.filter(tag__in=below).values("content_object_id")
        )

"""Sidebar filters over themes and places.

Django cannot list-filter through a ``TaggableManager``, so these offer the tags
themselves, as a tree, and narrow with ``Testimony.objects.filter_by``: the place
filter therefore also finds testimonies tagged with places below the chosen one.
"""

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from ..models import Place, PlacedItem, Theme, ThemedItem

INDENT = "\u2003"  # an em space: visible nesting that survives HTML whitespace


def as_tree(rows):
    """Order ``(pk, name, parent_id)`` rows parents first, each with its depth.

    A tag whose parent is missing (or sits in a cycle) is shown at the top level,
    so every tag appears exactly once. The walk keeps its own stack: no hierarchy,
    however deep, can exhaust Python's.
    """
    children, known = {}, {pk for pk, _name, _parent in rows}
    for pk, name, parent_id in rows:
        parent_id = parent_id if parent_id in known else None
        children.setdefault(parent_id, []).append((name, pk))
    result, seen = [], set()
    names = {pk: name for pk, name, _parent in rows}

    def walk(start, depth):
        stack = [(depth, pk) for _name, pk in sorted(children.get(start, []))[::-1]]
        while stack:
            level, pk = stack.pop()
            if pk in seen:
                continue
            seen.add(pk)
            result.append((pk, names[pk], level))
            below = sorted(children.get(pk, []))[::-1]
            stack.extend((level + 1, child) for _name, child in below)

    walk(None, 0)
    for pk, name, _parent in sorted(rows, key=lambda row: row[1]):
        if pk not in seen:  # only reachable through a cycle
            seen.add(pk)
            result.append((pk, name, 0))
            walk(pk, 1)
    return result


class TagFilter(admin.SimpleListFilter):
    tag_model = None
    through = None
    filter_argument = None
    include_descendants = False

    def lookups(self, request, model_admin):
        self.rows = list(self.tag_model.objects.values_list("pk", "name", "parent_id"))
        return [
            (str(pk), INDENT * depth + name) for pk, name, depth in as_tree(self.rows)
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        # An unknown or malformed value selects nothing rather than failing.
        tag = None
        if value.isascii() and value.isdigit():
            tag = self.tag_model.objects.filter(pk=value).first()
        if tag is None:
            return queryset.none()
        return queryset.filter_by(**{self.filter_argument: tag})

    def tag_ids(self, pk):
        """The tag and, where the filter includes them, the tags below it."""
        if not self.include_descendants:
            return [pk]
        children = {}
        for child, _name, parent in self.rows:
            children.setdefault(parent, []).append(child)
        ids, frontier = {pk}, [pk]
        while frontier:
            frontier = [
                c for p in frontier for c in children.get(p, []) if c not in ids
            ]
            ids.update(frontier)
        return sorted(ids)

    def get_facet_counts(self, pk_attname, filtered_qs):
        # Django's default runs queryset() once per choice (a query each here);
        # this counts every choice in one aggregate from the tree in memory.
        return {
            f"{index}__c": Count(
                pk_attname,
                filter=Q(
                    pk__in=self.through.objects.filter(
                        tag_id__in=self.tag_ids(int(pk))
                    ).values("content_object_id")
                ),
                distinct=True,
            )
            for index, (pk, _title) in enumerate(self.lookup_choices)
        }


class ThemeFilter(TagFilter):
    title = _("theme")
    parameter_name = "theme"
    tag_model = Theme
    through = ThemedItem
    filter_argument = "theme"


class PlaceFilter(TagFilter):
    title = _("place (and places within it)")
    parameter_name = "place"
    tag_model = Place
    through = PlacedItem
    filter_argument = "place"
    include_descendants = True


class EmbargoFilter(admin.SimpleListFilter):
    """Sealed now, opened (an embargo that has ended), or never sealed."""

    title = _("embargo")
    parameter_name = "embargo"

    def lookups(self, request, model_admin):
        return [
            ("sealed", _("sealed now")),
            ("opened", _("embargo ended")),
            ("none", _("never sealed")),
        ]

    def queryset(self, request, queryset):
        return {
            "sealed": queryset.sealed,
            "opened": queryset.unsealed,
            "none": lambda: queryset.filter(sealed_until__isnull=True),
        }.get(self.value(), queryset.all)()

"""What the reading pages compute beyond one queryset.

Tag trees with counts of what the visitor may see, related testimonies and the
version of a testimony being read (its citation lives in :mod:`.citation`). Each
function takes the *visible* testimonies (``Testimony.objects.visible_to(user)``)
rather than a user, so it can never count or show more than the visitor may see,
and runs a fixed number of queries whatever the number of testimonies.
"""

import dataclasses

from django.db.models import Count, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import get_language

from .languages import normalize_language
from .models import Place, PlacedItem, Theme, ThemedItem
from .models.tags import MAX_DEPTH

#: How many place ids one counting query may carry (SQLite allows 32,766 variables).
PARAMETER_BUDGET = 5000


@dataclasses.dataclass(eq=False)
class TagNode:
    """A theme or place in its hierarchy, with the number of visible testimonies.

    For places ``count`` includes the places below (each testimony once), as a
    place's page lists them; for themes it is the theme's own testimonies.
    """

    tag: object
    count: int = 0
    parent: "TagNode | None" = None
    children: list = dataclasses.field(default_factory=list)

    @property
    def depth(self):
        depth, node = 0, self.parent
        while node is not None:
            depth, node = depth + 1, node.parent
        return depth

    def ancestors(self):
        """From the root down to the parent."""
        result, node = [], self.parent
        while node is not None:
            result.insert(0, node)
            node = node.parent
        return result


def link_nodes(tags, counts):
    """Nodes for ``tags`` with their own counts, each hung under its parent.

    A node that would sit in a cycle (bad data), or deeper than the depth limit
    (data from before the limit), stays at the top: every page walks at most
    ``MAX_DEPTH`` levels.
    """
    nodes = {tag.pk: TagNode(tag, counts.get(tag.pk, 0)) for tag in tags}
    for node in nodes.values():
        parent = nodes.get(node.tag.parent_id)
        if parent is not None and not _is_above(node, parent):
            node.parent = parent
            parent.children.append(node)
    for node in nodes.values():
        if node.parent is not None and node.depth >= MAX_DEPTH:
            node.parent.children.remove(node)
            node.parent = None
    return list(nodes.values())


def _is_above(node, candidate):
    """Whether ``node`` already lies above ``candidate`` (a cycle in bad data)."""
    while candidate is not None:
        if candidate is node:
            return True
        candidate = candidate.parent
    return False


def descendants(node):
    """Every node below ``node``, depth first, parents before their children."""
    stack = list(reversed(node.children))
    while stack:
        child = stack.pop()
        yield child
        stack.extend(reversed(child.children))


class TagTree:
    """The tags that lead to at least one visible testimony, as a forest."""

    def __init__(self, nodes):
        self.roots = self._prune([node for node in nodes if node.parent is None])
        self.by_slug = {node.tag.slug: node for node in self.walk()}

    @staticmethod
    def _prune(roots):
        """Keep the nodes with a count or a kept child: children before parents."""
        order, stack = [], list(roots)
        while stack:
            node = stack.pop()
            order.append(node)
            stack.extend(node.children)
        for node in reversed(order):
            node.children = [c for c in node.children if c.count or c.children]
        return [node for node in roots if node.count or node.children]

    def walk(self, nodes=None):
        """Every node, depth first, parents before their children."""
        stack = list(reversed(self.roots if nodes is None else nodes))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def get(self, slug):
        return self.by_slug.get(slug)

    def choices(self):
        """Menu entries (slug, indented localised name) for a filter form."""
        return [
            (node.tag.slug, "\u2002" * 2 * node.depth + node.tag.name_in())
            for node in self.walk()
        ]


def _ids(visible):
    return visible.order_by().values("pk")


def theme_tree(visible):
    """Themes with their own visible testimonies, nested under their parents."""
    themes = list(
        Theme.objects.annotate(
            visible_count=Count(
                "tagged_items",
                filter=Q(tagged_items__content_object__in=_ids(visible)),
            )
        ).order_by("name")
    )
    return TagTree(
        link_nodes(themes, {theme.pk: theme.visible_count for theme in themes})
    )


def place_tree(visible):
    """Places as a hierarchy; each counts its visible testimonies and those below."""
    places = list(Place.objects.order_by("name"))
    tagged = PlacedItem.objects.filter(content_object__in=_ids(visible)).order_by()
    nodes = link_nodes(places, dict(tagged.values_list("tag").annotate(Count("pk"))))
    # A parent counts each testimony once, even one tagged both with a place and a
    # place below it: one aggregate per parent, batched to bound the query size.
    batch, size = [], 0
    for node in nodes:
        if not node.children:
            continue
        ids = [node.tag.pk, *(child.tag.pk for child in descendants(node))]
        batch.append((node, ids))
        size += len(ids)
        if size >= PARAMETER_BUDGET:
            _count_subtrees(tagged, batch)
            batch, size = [], 0
    if batch:
        _count_subtrees(tagged, batch)
    return TagTree(nodes)


def _count_subtrees(tagged, batch):
    totals = tagged.aggregate(
        **{
            f"n{node.tag.pk}": Count(
                "content_object", distinct=True, filter=Q(tag__in=ids)
            )
            for node, ids in batch
        }
    )
    for node, _subtree in batch:
        node.count = totals[f"n{node.tag.pk}"]


def related_testimonies(testimony, visible, limit=6):
    """Visible testimonies sharing the most themes and places with ``testimony``.

    ``testimony`` should come with its themes and places prefetched.
    """
    theme_ids = [theme.pk for theme in testimony.themes.all()]
    place_ids = [place.pk for place in testimony.places.all()]
    if not theme_ids and not place_ids:
        return []

    def shared(through, ids):
        return Coalesce(
            Subquery(
                through.objects.filter(content_object=OuterRef("pk"), tag__in=ids)
                .order_by()
                .values("content_object")
                .annotate(n=Count("pk"))
                .values("n")
            ),
            Value(0),
        )

    candidates = Q(
        pk__in=ThemedItem.objects.filter(tag__in=theme_ids).values("content_object")
    ) | Q(pk__in=PlacedItem.objects.filter(tag__in=place_ids).values("content_object"))
    return list(
        visible.filter(candidates)
        .exclude(pk=testimony.pk)
        .with_listed_translation(get_language())
        .annotate(score=shared(ThemedItem, theme_ids) + shared(PlacedItem, place_ids))
        .order_by("-score", F("published_at").desc(nulls_last=True), "identifier")[
            :limit
        ]
    )


@dataclasses.dataclass
class Version:
    """The text being read: the original or one of its translations, as the public
    may read it (redacted passages replaced by a mark)."""

    language: str
    title: str
    summary: str
    body: str
    translation: object = None


def recently_published(visible, limit=6, window=4):
    """The most recently published of ``visible``, no language taking the whole
    list: the newest of each language in turn, newest first, among the last
    ``limit × window`` published (a week of Japanese uploads does not hide the
    rest). The queries of one page of a list, whatever the window."""
    recent = list(
        visible.with_related().order_by(
            F("published_at").desc(nulls_last=True), "identifier"
        )[: limit * window]
    )
    by_language = {}
    for testimony in recent:
        by_language.setdefault(testimony.language, []).append(testimony)
    chosen = []
    while len(chosen) < limit and any(by_language.values()):
        # One round: the newest left of each language, in order of recency.
        round_ = [queue.pop(0) for queue in by_language.values() if queue]
        chosen += sorted(round_, key=recent.index)
    return chosen[:limit]


@dataclasses.dataclass
class Listed:
    """What a list shows of a testimony: its title and summary in the reader's
    language when a translation into it exists (``translation``), else the
    original's; as the public may read them."""

    language: str
    title: str
    summary: str
    translation: object = None


def listed_version(testimony, language):
    """The :class:`Listed` version of ``testimony`` for a reader of ``language``,
    from the translations already loaded (a list's
    ``TestimonyQuerySet.with_listed_translation``, a page of hits' or a full
    prefetch): never a query of its own."""
    original = Listed(
        testimony.language, testimony.public_title, testimony.public_summary
    )
    code = normalize_language(language or "")
    if not code or _same_language(testimony.language, code):
        return original
    for translation in _loaded_translations(testimony):
        if _same_language(translation.language, code):
            return Listed(
                translation.language,
                translation.public_title,
                translation.public_summary,
                translation,
            )
    return original


def _same_language(tag, code):
    return tag == code or tag.startswith(f"{code}-")


def _loaded_translations(testimony):
    for attribute in ("listed_translations", "indexed_translations"):
        if hasattr(testimony, attribute):
            # Human translations before machine ones.
            return sorted(getattr(testimony, attribute), key=lambda t: t.kind)
    if "translations" in getattr(testimony, "_prefetched_objects_cache", {}):
        return sorted(testimony.translations.all(), key=lambda t: t.kind)
    return []


def version_to_read(testimony, language=None):
    """The version in ``language`` (the original when there is none), and whether
    the requested language was missing. Translations should be prefetched."""
    original = Version(
        testimony.language,
        testimony.public_title,
        testimony.public_summary,
        testimony.public_body,
    )
    code = normalize_language(language)
    if not code or code == testimony.language:
        return original, False
    for translation in testimony.translations.all():
        if translation.language == code:
            return (
                Version(
                    translation.language,
                    translation.public_title,
                    translation.public_summary,
                    translation.public_body,
                    translation,
                ),
                False,
            )
    return original, True

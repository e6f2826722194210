"""Facet counts: how many hits carry each theme, place and language.

The hits arrive as ``(id, language)`` pairs already narrowed to what the user may
see (they come from a ``visible_to`` queryset), so nothing hidden is counted.
Languages are counted from the pairs; themes and places in one grouped query over
the ids (passed as one parameter, a common table expression both engines
materialize once), plus one query per vocabulary for the tags that make the list.
The cost follows the number of hits, not the size of the archive.
"""

from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class FacetValue:
    """A theme or place (a tag instance) or a language code, with its hit count."""

    value: object
    count: int


@dataclass(frozen=True)
class Facets:
    themes: list
    places: list
    languages: list
    total: int


def facet_counts(backend, *, hits=None, hits_sql=None, limit=30):
    """``(facets, hits)``: the :class:`Facets` of the hits, most frequent first
    (at most ``limit`` of each kind), and the hits as ``(id, language)`` pairs.

    Give either ``hits`` or ``hits_sql``, the ``(sql, params)`` selecting them: the
    same query then also returns the hits. Places count the testimonies tagged
    with that place itself; the place filter also takes in the places below it.
    """
    from ..models import PlacedItem, ThemedItem

    if hits is not None and not hits:
        return Facets([], [], [], 0), hits
    name = backend.connection.ops.quote_name

    # The hits drive (SQLite's CROSS JOIN keeps its planner from reordering): one
    # look-up per hit in the (testimony, tag) index, which covers the query.
    # PostgreSQL plans the join itself and does not accept CROSS JOIN with ON.
    join = "CROSS JOIN" if backend.connection.vendor == "sqlite" else "JOIN"

    def by_tag(kind, through):
        return (
            f"SELECT '{kind}', {name('tag_id')}, NULL, COUNT(*) FROM hits "
            f"{join} {name(through._meta.db_table)} "
            f"ON {name('content_object_id')} = hits.id GROUP BY {name('tag_id')}"
        )

    parts = [by_tag("theme", ThemedItem), by_tag("place", PlacedItem)]
    if hits is None:
        sql, params = hits_sql
        table = f"hits(id, language) AS MATERIALIZED ({sql})"
        parts.insert(0, "SELECT 'hit', id, language, NULL FROM hits")
    else:
        sql, params = backend.ids_source([pk for pk, _language in hits])
        table = f"hits(id) AS MATERIALIZED ({sql})"
    found, counts = [], {"theme": {}, "place": {}}
    for kind, key, language, count in backend.execute(
        f"WITH {table} {' UNION ALL '.join(parts)}", params
    ):
        if kind == "hit":
            found.append((key, language))
        else:
            counts[kind][key] = count
    hits = found if hits is None else hits
    counts["language"] = Counter(language for _pk, language in hits)
    return facets_of(counts, len(hits), limit, backend.connection.alias), hits


def facets_of(counts, total, limit, using, vocabularies=None):
    """The :class:`Facets` of ``counts`` (``{"theme": {tag id: count}, "place":
    {…}, "language": {code: count}}``). ``vocabularies`` maps a tag model to its
    tags by id when they are at hand; otherwise the tags are loaded."""
    from ..models import Place, Theme

    vocabularies = vocabularies or {}
    return Facets(
        themes=_tags(Theme, counts["theme"], limit, using, vocabularies.get(Theme)),
        places=_tags(Place, counts["place"], limit, using, vocabularies.get(Place)),
        languages=[
            FacetValue(code, count)
            for code, count in sorted(
                counts["language"].items(), key=lambda item: (-item[1], item[0])
            )[:limit]
        ],
        total=total,
    )


def _tags(model, counts, limit, using, known=None):
    if not counts:
        return []
    # Only tags that can make the list are loaded: those counting at least as
    # many hits as the limit-th. Ties are broken by name, so the cut at ``limit``
    # does not depend on ids.
    threshold = sorted(counts.values(), reverse=True)[:limit][-1]
    wanted = [pk for pk, count in counts.items() if count >= threshold]
    if known is None:
        tags = model.objects.using(using).in_bulk(wanted)
    else:
        tags = {pk: known[pk] for pk in wanted if pk in known}
    ranked = sorted(tags.values(), key=lambda tag: (-counts[tag.pk], tag.name))
    return [FacetValue(tag, counts[tag.pk]) for tag in ranked[:limit]]

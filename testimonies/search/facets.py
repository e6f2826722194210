"""Facet counts: how many hits carry each theme, place and language.

One grouped query answers all three and the total: the hit ids are a common table
expression that both SQLite and PostgreSQL materialize once, because it is used
more than once. The cost follows the number of hits, not the size of the archive,
and nothing the user may not see is counted (the hits come from a ``visible_to``
queryset).
"""

from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connections


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


def facet_counts(hits, limit=30):
    """The :class:`Facets` of a testimony queryset, most frequent first.

    Places count the testimonies tagged with that place itself; the place filter
    also takes in the places below it.
    """
    from ..models import Place, PlacedItem, Theme, ThemedItem

    try:
        # The language rides along with the ids: an index on (status, access,
        # language) then answers visibility and language without reading rows.
        hits_sql, params = (
            hits.order_by().values("pk", "language").query.sql_with_params()
        )
    except EmptyResultSet:
        return Facets([], [], [], 0)
    connection = connections[hits.db]
    name = connection.ops.quote_name

    def by_tag(kind, through):
        return (
            f"SELECT '{kind}', {name('tag_id')}, NULL, COUNT(*) "
            f"FROM {name(through._meta.db_table)} WHERE {name('content_object_id')} "
            f"IN (SELECT id FROM hits) GROUP BY {name('tag_id')}"
        )

    sql = (
        f"WITH hits(id, language) AS ({hits_sql}) "
        f"{by_tag('theme', ThemedItem)} UNION ALL {by_tag('place', PlacedItem)} "
        "UNION ALL SELECT 'language', NULL, language, COUNT(*) FROM hits "
        "GROUP BY language "
        "UNION ALL SELECT 'total', NULL, NULL, COUNT(*) FROM hits"
    )
    counts = {"theme": {}, "place": {}, "language": {}, "total": {None: 0}}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for kind, tag_id, language, count in cursor.fetchall():
            counts[kind][tag_id if language is None else language] = count
    return Facets(
        themes=_tags(Theme, counts["theme"], limit, hits.db),
        places=_tags(Place, counts["place"], limit, hits.db),
        languages=[
            FacetValue(code, count)
            for code, count in _top(counts["language"], limit, key=str)
        ],
        total=counts["total"][None],
    )


def _top(counts, limit, key):
    return sorted(counts.items(), key=lambda item: (-item[1], key(item[0])))[:limit]


def _tags(model, counts, limit, using):
    if not counts:
        return []
    # Ties are broken by name, so the cut at ``limit`` does not depend on ids.
    tags = model.objects.using(using).in_bulk(list(counts))
    ranked = sorted(tags.values(), key=lambda tag: (-counts[tag.pk], tag.name))
    return [FacetValue(tag, counts[tag.pk]) for tag in ranked[:limit]]

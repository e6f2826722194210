"""Facets: how many hits carry each theme, place and language.

A theme or place counts the hits tagged with it *or with any tag below it*,
because that is what its filter selects: "Sumy Oblast (11)" gives 11 results
when clicked. The counts themselves come from the hit source
(:mod:`testimonies.search.sources`): bit operations on the kept sets, or
:func:`counted_in_sql`. This module turns counts into :class:`Facets`.
"""

from collections import Counter
from dataclasses import dataclass

#: The filters that are facets, by their ``filter_by()`` name.
VOCABULARIES = ("theme", "place", "language")


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


def counted_in_sql(backend, hits_sql=None, *, hits=None):
    """``(counts, hits)`` in one query: the facet counts (see
    ``HitSource.counts``) and the hits as ``(id, language)`` pairs.

    Give ``hits_sql``, the ``(sql, params)`` selecting ``(id, language)`` of the
    hits (the same query then also returns them), or the ``hits`` themselves.
    The hits are a common table expression both engines materialize once; each
    vocabulary's closure (every tag paired with itself and each tag below it) is
    a recursive one over the tag table, a few hundred rows.
    """
    from ..models import Place, PlacedItem, Theme, ThemedItem

    if hits is not None and not hits:
        return {name: {} for name in VOCABULARIES}, hits
    name = backend.connection.ops.quote_name
    # The hits drive (SQLite's CROSS JOIN keeps its planner from reordering): one
    # look-up per hit in the (testimony, tag) index, which covers the query.
    # PostgreSQL plans the join itself and does not accept CROSS JOIN with ON.
    join = "CROSS JOIN" if backend.connection.vendor == "sqlite" else "JOIN"
    tables, parts = [], []
    for kind, model, through in (
        ("theme", Theme, ThemedItem),
        ("place", Place, PlacedItem),
    ):
        tags, closure = name(model._meta.db_table), f"{kind}_closure"
        # UNION, not UNION ALL: a cycle written around the checks ends too.
        tables.append(
            f"{closure}(ancestor, tag) AS (SELECT id, id FROM {tags} UNION "
            f"SELECT {closure}.ancestor, {tags}.id FROM {closure} "
            f"JOIN {tags} ON {tags}.{name('parent_id')} = {closure}.tag)"
        )
        parts.append(
            f"SELECT '{kind}', {closure}.ancestor, NULL, COUNT(DISTINCT hits.id) "
            f"FROM hits {join} {name(through._meta.db_table)} items "
            f"ON items.{name('content_object_id')} = hits.id "
            f"{join} {closure} ON {closure}.tag = items.{name('tag_id')} "
            f"GROUP BY {closure}.ancestor"
        )
    if hits is None:
        sql, params = hits_sql
        tables.insert(0, f"hits(id, language) AS MATERIALIZED ({sql})")
        parts.insert(0, "SELECT 'hit', id, language, NULL FROM hits")
    else:
        sql, params = backend.ids_source([pk for pk, _language in hits])
        tables.insert(0, f"hits(id) AS MATERIALIZED ({sql})")
    found, counts = [], {"theme": {}, "place": {}}
    for kind, key, language, count in backend.execute(
        f"WITH RECURSIVE {', '.join(tables)} {' UNION ALL '.join(parts)}", params
    ):
        if kind == "hit":
            found.append((key, language))
        else:
            counts[kind][key] = count
    hits = found if hits is None else hits
    counts["language"] = Counter(language for _pk, language in hits)
    return counts, hits


def facets_of(counts, total, limit, using, vocabularies=None, selected=None):
    """The :class:`Facets` of ``counts`` (``{"theme": {tag id: count}, "place":
    {…}, "language": {code: count}}``), most frequent first, at most ``limit``
    of each kind, then the ``selected`` values (``{"theme": [tag id…], …}``)
    that did not make the list, so a chosen value always shows. ``vocabularies``
    maps a tag model to its tags by id when they are at hand; otherwise the tags
    are loaded."""
    from ..models import Place, Theme
    from ..models.testimony import several

    vocabularies = vocabularies or {}
    selected = {
        name: [getattr(value, "pk", value) for value in several(values)]
        for name, values in (selected or {}).items()
    }
    selected = {name: selected.get(name, []) for name in VOCABULARIES}
    themes, places = (
        _tags(
            model, counts[kind], limit, using, vocabularies.get(model), selected[kind]
        )
        for kind, model in (("theme", Theme), ("place", Place))
    )
    languages = _ranked(counts["language"], limit, selected.get("language"))
    return Facets(
        themes=themes,
        places=places,
        languages=[FacetValue(code, count) for code, count in languages],
        total=total,
    )


def _ranked(counts, limit, selected=(), name=lambda key: key):
    """``[(key, count)]``: the ``limit`` most frequent keys (ties by ``name``),
    then the ``selected`` ones left out."""
    ranked = sorted(
        ((key, count) for key, count in counts.items() if count),
        key=lambda item: (-item[1], name(item[0])),
    )[:limit]
    shown = {key for key, _count in ranked}
    return ranked + [
        (key, counts.get(key, 0)) for key in selected or () if key not in shown
    ]


def _tags(model, counts, limit, using, known, chosen):
    counts = {pk: count for pk, count in counts.items() if count}
    if not counts and not chosen:
        return []
    # Only tags that can make the list are loaded: those counting at least as
    # many hits as the limit-th. Ties are broken by name, so the cut at ``limit``
    # does not depend on ids.
    threshold = sorted(counts.values(), reverse=True)[:limit][-1] if counts else 1
    wanted = [pk for pk, count in counts.items() if count >= threshold] + chosen
    if known is None:
        tags = model.objects.using(using).in_bulk(wanted)
    else:
        tags = {pk: known[pk] for pk in wanted if pk in known}
    candidates = {pk: count for pk, count in counts.items() if pk in tags}
    chosen = [pk for pk in chosen if pk in tags]
    ranked = _ranked(candidates, limit, chosen, name=lambda pk: tags[pk].name)
    return [FacetValue(tags[pk], count) for pk, count in ranked]

"""Loading a page of hits with what a list of results shows.

The hits of a page are loaded through the narrowed queryset again (so a
testimony changed between the two queries simply drops out), with what
``index.indexed_text`` reads: the snippet is cut from the same text the index
holds.
"""

from typing import NamedTuple

from . import index
from .passages import passages
from .snippets import contains, passage


class Tagging(NamedTuple):
    """A theme or place link of a loaded hit (all ``index.indexed_text`` reads)."""

    tag: object


def load_with_kept_tags(queryset, version, backend):
    """The testimonies of ``queryset`` with what a hit shows, their themes and
    places taken from the version's kept tags: three queries, and no model
    instance per tag link."""
    from ..models import Place, PlacedItem, Theme, ThemedItem, Translation

    loaded = list(queryset.select_related("narrator"))
    if not loaded:
        return loaded
    quote = backend.connection.ops.quote_name
    ids = [testimony.pk for testimony in loaded]
    # The translations in one query, without the prefetch machinery (which
    # costs more than the query on a page of hits).
    translations = {pk: [] for pk in ids}
    for translation in (
        Translation.objects.using(queryset.db)
        .filter(testimony_id__in=ids)
        .only("testimony_id", "language", "title", "summary", "body", "kind")
        .order_by("testimony_id", "language")
    ):
        translations[translation.testimony_id].append(translation)
    marks = ", ".join(["%s"] * len(ids))
    parts = [
        f"SELECT {kind}, {quote('content_object_id')}, {quote('tag_id')} "
        f"FROM {quote(through._meta.db_table)} "
        f"WHERE {quote('content_object_id')} IN ({marks})"
        for kind, through in ((0, ThemedItem), (1, PlacedItem))
    ]
    using = backend.connection.alias
    vocabularies = (version.tags(Theme, using), version.tags(Place, using))
    links = {pk: ([], []) for pk in ids}
    for kind, pk, tag_id in backend.execute(" UNION ALL ".join(parts), ids + ids):
        tag = vocabularies[kind].get(tag_id)
        if tag is not None:
            links[pk][kind].append(Tagging(tag))
    for testimony in loaded:
        testimony.indexed_themed_items, testimony.indexed_placed_items = links[
            testimony.pk
        ]
        testimony.indexed_translations = translations[testimony.pk]
    return loaded


def annotate_hit(testimony, query, seen=None):
    """Give a loaded hit what a list of results shows: ``search_snippet`` (safe
    HTML), ``search_snippet_language``, ``search_themes``/``search_places``
    (tags, by name) from the rows already loaded for the snippet,
    ``search_passages`` (:mod:`.passages`), ``search_snippet_marks`` (whether
    the snippet marks a match, rather than being the start of the summary) and
    ``search_matched``: the names it matched by (:func:`matched_names`).
    ``seen``: a dict shared by the hits of one page, remembering which tags
    matched."""
    translations = index.related(testimony, "translations")
    found = passages(testimony, query)
    if found and found[0].original:
        # The first match of the text is in that paragraph: its passage is the
        # snippet (reading the text once more would find the same words).
        html, field, position = found[0].snippet, "body", 0
    else:
        text = index.indexed_text(testimony, names=False)
        html, field, position = passage(text, query)
    testimony.search_snippet = html
    testimony.search_snippet_language = (
        translations[position // 3].language
        if field == "translations"
        else testimony.language
    )
    for attribute, related in [
        ("search_themes", "themed_items"),
        ("search_places", "placed_items"),
    ]:
        tags = [item.tag for item in index.related(testimony, related)]
        setattr(testimony, attribute, sorted(tags, key=lambda tag: tag.name))
    testimony.search_passages = found
    testimony.search_matched = matched_names(testimony, query, seen)
    testimony.search_snippet_marks = "<mark>" in html
    testimony.search_matched_only = not testimony.search_snippet_marks and bool(
        testimony.search_matched
    )


def matched_names(testimony, query, seen=None):
    """``[(kind, value)]``: the identifier, narrator alias, themes and places
    (tags) whose name in any language holds a searched phrase: why a hit with
    nothing marked in its text was found."""
    found = []
    seen = {} if seen is None else seen
    if contains(testimony.identifier, query):
        found.append(("identifier", testimony.identifier))
    if testimony.narrator_id and contains(testimony.narrator.alias, query):
        found.append(("narrator", testimony.narrator.alias))
    for kind, attribute in (("theme", "search_themes"), ("place", "search_places")):
        for tag in getattr(testimony, attribute):
            matched = seen.get((kind, tag.pk))
            if matched is None:
                matched = any(contains(name, query) for name in tag.all_names())
                seen[kind, tag.pk] = matched
            if matched:
                found.append((kind, tag))
    return found

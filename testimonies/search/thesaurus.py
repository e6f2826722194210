"""Names as a thesaurus: a query word that is a name of a theme or place, in
any language, also searches that tag's other names.

スジャ, Суджа and Sudzha are one place. A testimony tagged with it is found by
any of them through the names the index holds, but a Russian text that only
mentions «Суджа» in passing would be missed by スジャ. Here a phrase equal to a
tag name becomes, within its group, that phrase *or* each other name of the tag,
so the text matches too, ranked as a match (and marked in snippets).
"""

from dataclasses import replace
from functools import lru_cache

from .query import parse_phrase

#: The most other names one phrase brings in.
MAX_NAMES = 8


def expand(query, spellings):
    """``query`` with each phrase that is a name of a tag widened to the tag's
    other names (excluded phrases too: ``-スジャ`` leaves out Суджа).
    ``spellings``: each tag's names, a tuple of tuples."""
    if not query.groups and not query.excluded:
        return query
    names = _names(spellings)
    if not names:
        return query

    def widened(phrases):
        result = list(phrases)
        for phrase in phrases:
            for other in names.get(_key(phrase), ()):
                if other not in result:
                    result.append(other)
        return tuple(result)

    groups = tuple(widened(group) for group in query.groups)
    excluded = widened(query.excluded)
    if groups == query.groups and excluded == query.excluded:
        return query
    return replace(query, groups=groups, excluded=excluded)


def _key(phrase):
    return tuple(word[0] for word in phrase.words)


@lru_cache(maxsize=8)
def _names(tags):
    """``{tokens of a name: (phrases of the tag's other names)}`` for
    ``((name, …), …)``; cached, as the tags change rarely."""
    found = {}
    for spellings in tags:
        # Keyed as a query reads the name, so a typed name meets its key.
        phrases = [parse_phrase(name) for name in spellings]
        keyed = [(_key(phrase), phrase) for phrase in phrases if phrase is not None]
        for key, _own in keyed:
            others = [p for k, p in keyed if k != key][:MAX_NAMES]
            found.setdefault(key, [])
            found[key].extend(p for p in others if p not in found[key])
    return {key: tuple(value) for key, value in found.items()}

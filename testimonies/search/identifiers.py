"""A query that is a testimony's identifier puts that testimony first.

Identifiers are indexed with the names (``index.indexed_text``), so the engine
finds ``DEMO-RU-001`` like any words; this only moves the testimony that carries
it to the top of a relevance-ordered list. It is looked up only for what an
accession number looks like (one word with a digit, dot, hyphen or underscore),
so an ordinary word costs no query.
"""

import re

from django.db.models.functions import Lower

IDENTIFIER_LIKE = re.compile(r"(?=.*[0-9._-])[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def identified_hit(queryset, query, source):
    """The id of the hit in ``source`` whose identifier is the text of
    ``query`` (any case), or ``None``. ``queryset``: what may be searched."""
    text = query.text.strip()
    if not IDENTIFIER_LIKE.fullmatch(text):
        return None
    # Lower(identifier) is what the unique constraint indexes.
    match = queryset.alias(key=Lower("identifier")).filter(key=text.lower())
    pk = match.values_list("pk", flat=True).first()
    return pk if pk is not None and source.contains(pk) else None


def first(pinned, ranked):
    """``ranked`` (``[(pk, score)]``) with ``pinned`` at the top."""
    return [(pinned, None)] + [row for row in ranked if row[0] != pinned]

"""Whose ears a recording's words reach: spoken words by access level.

A recording has its own access level, never wider than its testimony's
(``Recording.objects.visible_to``). Its transcripts and segment index are
indexed with the testimony, in the same row and field, but a word spoken in a
recording for researchers only is stored *marked*: the token with a
private-use character before it (``\\ue001подвал``), one per level. A query
of the public holds no marked token, so it can neither find nor exclude by
what only researchers may hear; a researcher's query asks for each phrase as
written and as marked for researchers, an archivist's for every level
(``Query.forms``). The public's searches stay exactly what they were, and the
rule of who hears what stays in ``visible_to``, which says which levels a
queryset's user may read (``TestimonyQuerySet.readable_access``).

The analyzer never makes a token holding a private-use character (they are not
word characters), so no text and no query can forge a mark.
"""

#: The mark of each level but the public's (whose words are stored as they are).
MARKS = {"researchers": "\ue001", "restricted": "\ue002"}


def marked_tokens(tokens, access):
    """``tokens`` (a piece of analyzed text) as stored for recordings at ``access``."""
    mark = MARKS.get(access)
    if mark is None:
        return tokens
    return [mark + token for token in tokens]

"""Template helper for redaction marks (see :mod:`testimonies.redaction`).

Public text reaches templates already redacted (``testimony.public_body``); this
filter only makes each mark say what it is to screen readers, in the visitor's
language, instead of "full block" five times.
"""

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from ..redaction import LABEL, MARK

register = template.Library()


@register.filter(needs_autoescape=True)
def redaction_marks(text, autoescape=True):
    """``text`` (escaped unless already safe) with each mark labelled."""
    text = conditional_escape(text) if autoescape else str(text)
    if MARK not in text:
        return mark_safe(text)
    label = format_html(
        '<span class="redaction" title="{label}"><span aria-hidden="true">{mark}'
        '</span><span class="visually-hidden">({label})</span></span>',
        label=LABEL,
        mark=MARK,
    )
    # Safe: the text was escaped above and the mark holds no markup.
    return mark_safe(text.replace(MARK, label))


@register.filter
def match_numbers(count):
    """1 … ``count`` (at most the matches the page numbers), to link to each."""
    from ..marking import MAX_LISTED

    return range(1, min(int(count or 0), MAX_LISTED) + 1)

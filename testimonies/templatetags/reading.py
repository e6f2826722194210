"""Template helpers of the reading pages: localised tag names, language names,
absolute addresses and the state of navigation links.

For "this address with one parameter changed" use Django's ``{% querystring %}``.
"""

from django import template

from ..dates import format_partial_date
from ..languages import language_name as name_of_language
from ..timedtext import as_seconds, format_clock

register = template.Library()


@register.filter
def tag_name(tag):
    """A theme or place named in the interface language when it carries one."""
    return tag.name_in() if tag is not None else ""


@register.filter
def language_name(code):
    """The name of a language, in the interface language ("ru" → "Russian")."""
    return name_of_language(code) if code else ""


@register.filter
def recorded_iso(testimony):
    """The recording date at its precision, for ``<time datetime>``: "2024-08"."""
    return format_partial_date(testimony.recorded_on, testimony.recorded_precision)


@register.simple_tag(takes_context=True)
def absolute_uri(context, path):
    """``path`` as an absolute address on this site (for canonical links)."""
    request = context.get("request")
    return request.build_absolute_uri(path) if request else path


@register.filter
def nav_state(current_path, url):
    """``aria-current`` for a navigation link: "page" on the page itself, "true"
    inside its section, "" elsewhere."""
    if current_path == url:
        return "page"
    if url != "/" and current_path.startswith(url):
        return "true"
    return ""


@register.filter
def clock(milliseconds):
    """A time in a recording as ``00:12:31`` (hours, minutes, seconds)."""
    return format_clock(milliseconds) if milliseconds not in (None, "") else ""


@register.filter
def seconds(milliseconds):
    """Milliseconds as seconds for ``?t=`` and the player: ``751.2``."""
    if milliseconds in (None, ""):
        return ""
    return as_seconds(int(milliseconds))

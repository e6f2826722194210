"""Template helpers of the reading pages: localised tag names, language names,
absolute addresses and the state of navigation links.

For "this address with one parameter changed" use Django's ``{% querystring %}``.
"""

from django import template
from django.utils.translation import get_language

from ..dates import format_partial_date
from ..languages import language_name as name_of_language
from ..locales import list_separator as current_list_separator
from ..locales import local_date as format_local_date
from ..locales import local_list
from ..reading import listed_version
from ..timedtext import as_seconds, format_clock

register = template.Library()


@register.filter
def tag_name(tag):
    """A theme or place named in the interface language when it carries one."""
    return tag.name_in() if tag is not None else ""


@register.filter
def listed(testimony):
    """What a list shows of ``testimony`` in the interface language: its title
    and summary translated when a translation into it is loaded
    (:func:`~testimonies.reading.listed_version`)."""
    return listed_version(testimony, get_language())


@register.filter
def local_date(value):
    """A date as the interface language writes it ("2 сентября 2024 г.")."""
    return format_local_date(value)


@register.filter
def as_list(items):
    """Items joined as the interface language lists them ("a, b and c")."""
    return local_list(items)


@register.simple_tag
def list_separator():
    """ ", " or "、": between a place and the places above it."""
    return current_list_separator()


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

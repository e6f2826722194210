"""Dates and lists as each interface language writes them, from the CLDR data
that Babel carries (docs/dependencies.md).

Django's own formats capitalise Russian and Ukrainian months in the middle of a
sentence ("Сентябрь 2024 г."), abbreviate English months three ways ("Aug.",
"Sept.") and leave the Japanese year bare ("2024"); CLDR's patterns give
"сентябрь 2024 г.", "September 2, 2024" and "2024年". Lists get each language's
separators: "a, b and c", "a、b、c".
"""

import datetime
import functools

from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton
from babel.lists import format_list
from django.utils import timezone
from django.utils.translation import get_language, to_locale

#: CLDR skeletons of a date known to the year, the month or the day.
YEAR, MONTH, DAY = "y", "yMMMM", "yMMMMd"


@functools.lru_cache(maxsize=64)
def _locale(language):
    try:
        return Locale.parse(to_locale(language or "en"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def current_locale():
    """The Babel locale of the active interface language."""
    return _locale(get_language())


def local_date(value, skeleton=DAY):
    """``value`` (a date or datetime) as the interface language writes it: a
    full date by default, or at the precision of ``skeleton``."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = (
            timezone.localtime(value) if timezone.is_aware(value) else value
        ).date()
    return format_skeleton(skeleton, value, locale=current_locale())


def local_list(items):
    """``items`` (strings) joined as the interface language lists them."""
    items = [str(item) for item in items]
    return format_list(items, locale=current_locale()) if items else ""


def list_separator():
    """What goes between two items of a list that is not a sentence, such as a
    place and the places above it: ", " or "、"."""
    middle = current_locale().list_patterns["standard"]["middle"]
    return middle.replace("{0}", "").replace("{1}", "") or ", "

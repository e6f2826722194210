"""Partial dates: archives often know only the year or the month of a recording."""

import calendar
import datetime
import re

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .locales import DAY, MONTH, YEAR, local_date

PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class DatePrecision(models.TextChoices):
    YEAR = "year", _("year")
    MONTH = "month", _("month")
    DAY = "day", _("day")


def archive_today():
    """Today in the archive's time zone (``TIME_ZONE``): embargoes end by this
    calendar, not by the server's clock or the reader's (nor by a time zone a
    request might activate)."""
    return timezone.localdate(timezone=timezone.get_default_timezone())


def parse_partial_date(text):
    """Parse "2024", "2024-08" or "2024-08-20" into ``(first day, precision)``.

    Raises ``ValueError`` with a readable message for anything else.
    """
    match = PARTIAL_DATE.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise ValueError('expected "YYYY", "YYYY-MM" or "YYYY-MM-DD"')
    year, month, day = match.groups()
    try:
        value = datetime.date(int(year), int(month or 1), int(day or 1))
    except ValueError as error:
        raise ValueError(str(error)) from None
    if day:
        return value, DatePrecision.DAY
    return value, DatePrecision.MONTH if month else DatePrecision.YEAR


def last_day(value, precision):
    """The last day of the period a partial date stands for."""
    if precision == DatePrecision.YEAR:
        return value.replace(month=12, day=31)
    if precision == DatePrecision.MONTH:
        return value.replace(day=calendar.monthrange(value.year, value.month)[1])
    return value


def format_partial_date(value, precision):
    """The ISO form of a partial date: "2024", "2024-08" or "2024-08-20"."""
    if value is None:
        return None
    if precision == DatePrecision.YEAR:
        return f"{value.year:04d}"
    if precision == DatePrecision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


def display_partial_date(value, precision):
    """A partial date for readers, in the active language ("August 2024")."""
    if value is None:
        return ""
    skeleton = {DatePrecision.YEAR: YEAR, DatePrecision.MONTH: MONTH}.get(
        precision, DAY
    )
    return local_date(value, skeleton)

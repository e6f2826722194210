"""When a record last changed, as a harvester sees it.

A record's datestamp is the later of its ``updated_at`` and the moment its embargo
ended: a testimony sealed until D opens at midnight starting D + 1 in the archive's
time zone with no write at all, and a harvester asking "what changed since
yesterday?" must be told of it then. Datestamps are whole seconds (UTC).

:func:`changed_between` turns ``from``/``until`` into a filter that agrees with
:func:`datestamp` second for second: the end of an embargo is found through the same
:func:`embargo_end` the datestamp uses, not recomputed in SQL.
"""

import datetime

from django.db.models import Q
from django.utils import timezone

ONE_DAY = datetime.timedelta(days=1)


def embargo_end(sealed_until):
    """The moment (UTC, whole seconds) an embargo "sealed until ``sealed_until``"
    ends: the archive's next midnight, as ``archive_today()`` turns over."""
    try:
        midnight = datetime.datetime.combine(
            sealed_until + ONE_DAY,
            datetime.time.min,
            tzinfo=timezone.get_default_timezone(),
        )
    except OverflowError:  # sealed until the calendar's last day: for ever
        return datetime.datetime.max.replace(tzinfo=datetime.UTC)
    return midnight.astimezone(datetime.UTC).replace(microsecond=0)


def datestamp(testimony):
    """``testimony``'s datestamp: its last write or the end of its embargo."""
    stamp = testimony.updated_at.astimezone(datetime.UTC).replace(microsecond=0)
    if testimony.sealed_until is not None:
        stamp = max(stamp, embargo_end(testimony.sealed_until))
    return stamp


def changed_between(since=None, until=None):
    """The testimonies whose :func:`datestamp` lies in [``since.start``,
    ``until``], both :class:`~.protocol.Moment` or ``None``; ``until`` counts
    to the end of the second (or day) it names."""
    condition = Q()
    if since is not None:
        condition &= Q(updated_at__gte=since.start) | Q(
            sealed_until__gte=first_sealed_until(since.start)
        )
    if until is not None and until.end is not None:
        condition &= Q(updated_at__lt=until.end) & (
            Q(sealed_until__isnull=True)
            | Q(sealed_until__lte=last_sealed_until(until.end))
        )
    return condition


def first_sealed_until(start):
    """The first date D whose embargo ends at ``start`` or later."""
    day = _local_date(start)
    day = _shift(day, -2) or datetime.date.min
    while embargo_end(day) < start:
        day += ONE_DAY
    return day


def last_sealed_until(end):
    """The last date D whose embargo ends before ``end``."""
    day = _shift(_local_date(end), 1) or datetime.date.max
    while embargo_end(day) >= end:
        day -= ONE_DAY
    return day


def _local_date(moment):
    try:
        return moment.astimezone(timezone.get_default_timezone()).date()
    except OverflowError:  # the calendar's first or last hours
        return moment.date()


def _shift(day, days):
    try:
        return day + datetime.timedelta(days=days)
    except OverflowError:
        return None

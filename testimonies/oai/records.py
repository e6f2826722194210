"""Which testimonies a harvester meets, and one page of a list of them.

Two rules, each written once on the queryset: ``visible_to(AnonymousUser())`` (the
records, whoever asks: harvests are public and shared) and
``withdrawn_after_publication()`` (the deleted records). A list filtered by set
holds no deleted record: a deleted record names no set (its village could point to
its narrator), and to list it under one would say which.
"""

import dataclasses

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import BooleanField, ExpressionWrapper, Min, Prefetch, Q

from ..models import Recording, Testimony
from .datestamps import changed_between


def visible():
    """The testimonies a harvester may read: an anonymous visitor's."""
    return Testimony.objects.visible_to(AnonymousUser())


def deleted():
    return Testimony.objects.withdrawn_after_publication()


def harvestable(*, deleted_too=True):
    """The visible testimonies and, unless told not to, the deleted records,
    each annotated ``oai_deleted``."""
    gone = Q(pk__in=deleted().values("pk"))
    condition = Q(pk__in=visible().values("pk"))
    if deleted_too:
        condition |= gone
    return Testimony.objects.filter(condition).annotate(
        oai_deleted=ExpressionWrapper(gone, output_field=BooleanField())
    )


def find(identifier):
    """The harvestable testimony ``identifier`` (with what a record shows), or
    ``None`` for one that does not exist or is hidden: both answer alike."""
    return for_records(harvestable().filter(identifier=identifier)).first()


def earliest_change():
    """A lower bound of every datestamp: no datestamp is before its record's
    ``updated_at``. ``None`` when there is nothing to harvest."""
    return harvestable().aggregate(first=Min("updated_at"))["first"]


def for_headers(queryset):
    """``queryset`` loading what a header shows: identifier, datestamp, sets."""
    return queryset.only("identifier", "updated_at", "sealed_until").with_tag_ids()


def for_records(queryset):
    """``queryset`` loading what a whole record shows, in a fixed number of
    queries: narrator, source, tags, translations, the public recordings' kinds."""
    public_recordings = Recording.objects.visible_to(AnonymousUser()).only(
        "testimony_id", "kind"
    )
    return queryset.for_record().prefetch_related(
        Prefetch("recordings", queryset=public_recordings, to_attr="oai_recordings")
    )


@dataclasses.dataclass
class Page:
    testimonies: list
    total: int  # the whole list's size, now
    last: int | None  # the primary key to resume after, or None: the list ends


def page(*, since=None, until=None, members=None, after=0, whole=False):
    """One page of a list, by primary key after ``after``: the testimonies
    changed between ``since`` and ``until`` (``Moment`` or ``None``), in the set
    whose condition is ``members`` (or all); ``whole`` loads whole records."""
    listed = harvestable(deleted_too=members is None).filter(
        changed_between(since, until)
    )
    if members is not None:
        listed = listed.filter(members)
    size = settings.TESTIMONY_OAI_PAGE_SIZE
    load = for_records if whole else for_headers
    rows = list(load(listed.filter(pk__gt=after).order_by("pk"))[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    total = listed.count() if (after or more) else len(rows)
    return Page(rows, total, rows[-1].pk if more else None)

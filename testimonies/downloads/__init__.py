"""Downloads of a whole result set: every record a search or a list finds, as
the user may see it, in one of :data:`FORMATS` (docs/api.md "Downloads").

The view narrows the testimonies to what the user may see and orders them (a
search's ranking or a list's order); :class:`Download` takes the ordered ids, at
most ``TESTIMONY_DOWNLOAD_LIMIT`` of them, and streams the records, loading
:data:`CHUNK` at a time in a fixed number of queries each: the whole set is never
in memory, however large. Each record is the API's full record
(:func:`testimonies.api.record_data`): redacted text, the recordings the user may
hear, never a narrator's code or a private field.
"""

import dataclasses
import datetime

from django.conf import settings
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import api
from ..citation import ARCHIVE_NAME
from ..dates import archive_today
from ..exporting import Exporter
from ..models import Translation
from .formats import FORMATS

__all__ = ["CHUNK", "FORMATS", "UNKNOWN_FORMAT", "About", "Download", "limit"]

CHUNK = 200
UNKNOWN_FORMAT = gettext_lazy(
    "“%(value)s” is not a download format; choose one of %(choices)s."
)


def limit():
    """How many records one download holds at most (documented in docs/api.md)."""
    return getattr(settings, "TESTIMONY_DOWNLOAD_LIMIT", 10_000)


@dataclasses.dataclass
class About:
    """What a download is of: written in its header or in each record's note."""

    url: str  # the page (or API address) of the result set
    query: str
    filters: list  # (label, value) pairs, as the page shows them
    count: int  # records in the download
    total: int  # records the search found
    languages: list = dataclasses.field(default_factory=list)  # of translations
    downloaded: datetime.datetime = dataclasses.field(default_factory=timezone.now)
    accessed: datetime.date = dataclasses.field(default_factory=archive_today)

    @property
    def truncated(self):
        return self.count < self.total

    def data(self):
        return {
            "archive": str(ARCHIVE_NAME),
            "url": self.url,
            "query": self.query,
            "filters": [
                {"filter": label, "value": value} for label, value in self.filters
            ],
            "downloaded": self.downloaded.isoformat(timespec="seconds"),
            "count": self.count,
            "total": self.total,
            "limit": limit(),
        }

    def lines(self):
        """The header, line by line, in the user's language."""
        lines = [
            _("%(archive)s, downloaded %(date)s")
            % {
                "archive": ARCHIVE_NAME,
                "date": self.downloaded.isoformat(timespec="seconds"),
            },
            self.url,
        ]
        if self.query:
            lines.append(_("Search: %(query)s") % {"query": self.query})
        lines += [f"{label}: {value}" for label, value in self.filters]
        if self.truncated:
            lines.append(
                _(
                    "Records: the first %(count)s of %(total)s (a download holds at "
                    "most %(limit)s; narrow the search for the rest)."
                )
                % {"count": self.count, "total": self.total, "limit": limit()}
            )
        else:
            lines.append(_("Records: %(count)s") % {"count": self.count})
        return lines

    def note(self):
        """One sentence for a record's note: where and how it was found."""
        found = [
            _("Downloaded from %(archive)s on %(date)s")
            % {"archive": ARCHIVE_NAME, "date": self.accessed.isoformat()}
        ]
        if self.query:
            found.append(_("search: %(query)s") % {"query": self.query})
        found += [f"{label}: {value}" for label, value in self.filters]
        return "; ".join(found) + f". {self.url}"


@dataclasses.dataclass
class Entry:
    """One testimony of a download: its record and what citations name."""

    testimony: object
    record: dict

    @property
    def alias(self):
        narrator = self.testimony.narrator
        return narrator.alias if narrator else ""

    @property
    def interviewer(self):
        source = self.testimony.source
        return source.interviewer if source else ""

    @property
    def tag_names(self):
        return [tag["name"] for tag in (*self.record["themes"], *self.record["places"])]


class Download:
    """The records of ``ids`` (ordered, already narrowed to what ``request``'s
    user may see, at most :func:`limit`) among ``visible``, in ``format``."""

    def __init__(self, request, visible, ids, *, format, url, query, filters, total):
        self.request = request
        self.visible = visible
        self.ids = list(ids)
        languages = []
        if FORMATS[format].by_language:
            languages = (
                Translation.objects.filter(testimony_id__in=self.ids)
                .values_list("language", flat=True)
                .distinct()
                .order_by()
            )
        self.about = About(
            url=url,
            query=query,
            filters=filters,
            count=len(self.ids),
            total=total,
            languages=sorted(set(languages)),
        )
        self.format = FORMATS[format](self.about)

    def entries(self):
        exporter = Exporter(public=True)
        user = self.request.user
        for start in range(0, len(self.ids), CHUNK):
            chunk = self.ids[start : start + CHUNK]
            queryset = api.records_queryset(self.visible.filter(pk__in=chunk), user)
            by_pk = {testimony.pk: testimony for testimony in queryset}
            for pk in chunk:
                testimony = by_pk.get(pk)
                if testimony is None:  # hidden or deleted since the ids were read
                    continue
                record = api.record_data(testimony, self.request, exporter)
                yield Entry(testimony, record)

    def chunks(self):
        yield self.format.begin()
        for entry in self.entries():
            yield self.format.item(entry)
        yield self.format.end()

    def response(self, name):
        """A streamed attachment named ``name`` (and the format's extension)."""
        format = self.format
        response = StreamingHttpResponse(
            (text.encode("utf-8") for text in self.chunks()),
            content_type=format.content_type,
        )
        filename = f"{name}-{self.about.accessed.isoformat()}.{format.extension}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["X-Result-Count"] = str(self.about.count)
        response["X-Total-Count"] = str(self.about.total)
        return response

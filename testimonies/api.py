"""What the JSON API says about testimonies: the shapes of docs/api.md.

Plain functions from model objects to JSON-ready dicts; the views in
:mod:`testimonies.views.api` parse the request and call them. A full record is the
line ``export_testimonies --public`` writes (redacted text, no narrator code, consent
date or private fields) plus the testimony's address; titles and summaries of hits
are redacted too (:mod:`testimonies.redaction`).
"""

import json
from functools import cache
from pathlib import Path

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import get_language

from .dates import format_partial_date
from .exporting import Exporter
from .exporting_media import recording_facts
from .models import (
    Recording,
    Segment,
    Transcript,
)
from .models.recording import reading_order
from .timedtext import as_seconds

OPENAPI = Path(__file__).resolve().parent / "openapi.json"


def tag_data(tag, language=None):
    """A theme or place: its slug and its name in ``language`` (default: the
    language of the request)."""
    return {"slug": tag.slug, "name": tag.name_in(language)}


def hit_data(hit, request, language=None):
    """One search hit (a testimony loaded by ``SearchResults``)."""
    return {
        "identifier": hit.identifier,
        "title": hit.public_title,
        "summary": hit.public_summary,
        "language": hit.language,
        "recorded_on": format_partial_date(hit.recorded_on, hit.recorded_precision),
        "url": request.build_absolute_uri(hit.get_absolute_url()),
        "themes": [tag_data(tag, language) for tag in hit.search_themes],
        "places": [tag_data(tag, language) for tag in hit.search_places],
        "snippet": str(hit.search_snippet),
        "passages": [
            {
                "anchor": passage.anchor,
                "language": passage.language,
                "snippet": str(passage.snippet),
                "url": request.build_absolute_uri(passage.url),
            }
            for passage in hit.search_passages
        ]
        + [
            {
                "recording": moment.recording,
                "start": moment.start_seconds,
                "end": moment.end_seconds,
                "language": moment.language,
                "snippet": str(moment.snippet),
                "url": request.build_absolute_uri(moment.url),
                **({"segment": moment.title} if moment.title else {}),
            }
            for moment in getattr(hit, "search_moments", ())
        ],
        "matched": [
            matched_data(kind, value, language) for kind, value in hit.search_matched
        ],
    }


def matched_data(kind, value, language=None):
    """A name a hit matched by: ``{"field": "theme", "slug", "name"}`` for a
    tag, ``{"field": "narrator"|"identifier", "name"}`` otherwise."""
    if kind in ("theme", "place"):
        return {"field": kind, **tag_data(value, language)}
    return {"field": kind, "name": value}


def facets_data(facets, language=None):
    return {
        "themes": [
            {**tag_data(f.value, language), "count": f.count} for f in facets.themes
        ],
        "places": [
            {**tag_data(f.value, language), "count": f.count} for f in facets.places
        ],
        "languages": [{"code": f.value, "count": f.count} for f in facets.languages],
    }


def page_url(request, number):
    """The absolute address of page ``number`` of this list, other parameters
    kept; ``None`` when there is no such page."""
    if number is None:
        return None
    query = request.GET.copy()
    query["page"] = number
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def list_data(request, found):
    """The list answer for a :class:`~testimonies.views.answers.Answer`."""
    page = found.page
    language = get_language()
    return {
        "count": found.paginator.count,
        "next": page_url(request, page.next_page_number() if page.has_next() else None),
        "previous": page_url(
            request, page.previous_page_number() if page.has_previous() else None
        ),
        "results": [hit_data(hit, request, language) for hit in found.hits],
        "facets": facets_data(found.facets, language),
    }


def heard_recordings(user):
    """The recordings ``user`` may hear, loading what :func:`recording_data`
    reads; as ``Prefetch(…, to_attr="heard")`` for many testimonies at once."""
    return (
        Recording.objects.visible_to(user)
        .order_by("position", "pk")
        .prefetch_related(
            Prefetch("transcripts", queryset=Transcript.objects.order_by("language")),
            Prefetch("segments", queryset=Segment.objects.order_by("start_ms", "pk")),
            "redacted_ranges",
        )
    )


def records_queryset(queryset, user):
    """``queryset.for_record()`` with the recordings ``user`` may hear, for
    :func:`record_data` on many testimonies in a few queries."""
    heard = Prefetch("recordings", heard_recordings(user), to_attr="heard")
    return queryset.for_record().prefetch_related(heard)


def record_data(testimony, request, exporter=None):
    """A full record: the public export's line (redacted text, no narrator code,
    consent date or private fields), its address and the recordings the caller
    may hear (prefetched by :func:`records_queryset`, or read now), of a
    testimony loaded with ``for_record()``."""
    record = (exporter or Exporter(public=True)).record(testimony)
    page = testimony.get_absolute_url()
    record["url"] = request.build_absolute_uri(page)
    heard = getattr(testimony, "heard", None)
    if heard is None:
        heard = heard_recordings(request.user).filter(testimony=testimony)
    record["recordings"] = [
        recording_data(recording, testimony, request) for recording in heard
    ]
    return record


def seconds(milliseconds):
    return round(milliseconds / 1000, 3)


def recording_data(recording, testimony, request):
    """A recording the caller may hear: what the page says of it, the file it
    plays (``null`` while its copy is being made), its captions and its index,
    each with an address that plays it from its second."""
    page = testimony.get_absolute_url()
    playable = recording.playable_file()

    def at(milliseconds):
        url = f"{page}?r={recording.pk}&t={as_seconds(milliseconds)}"
        return request.build_absolute_uri(url)

    return {
        "id": recording.pk,
        "kind": recording.kind,
        "title": recording.title,
        "duration": seconds(recording.duration_ms or 0),
        **recording_facts(recording),
        "file": request.build_absolute_uri(playable.url) if playable else None,
        "content_type": recording.type_of(playable) if playable else None,
        "url": request.build_absolute_uri(f"{page}?r={recording.pk}"),
        "transcripts": [
            {
                "language": transcript.language,
                "kind": transcript.kind,
                "translator": transcript.translator,
                "captions": request.build_absolute_uri(
                    reverse(
                        "testimonies:captions",
                        args=[testimony.identifier, recording.pk, transcript.language],
                    )
                ),
            }
            for transcript in reading_order(recording.transcripts.all())
        ],
        "segments": [
            {
                "start": seconds(segment.start_ms),
                "end": seconds(segment.end_ms),
                "language": segment.language,
                "title": segment.public_title,
                "synopsis": segment.public_synopsis,
                "keywords": list(segment.keywords),
                "url": at(segment.start_ms),
            }
            for segment in recording.segments.all()
        ],
    }


@cache
def openapi_description():
    """The OpenAPI 3 description of the API (testimonies/openapi.json)."""
    return json.loads(OPENAPI.read_text(encoding="utf-8"))

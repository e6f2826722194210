"""A testimony as simple Dublin Core (``oai_dc``): docs/oai-pmh.md has the table.

Only what the public export says of a testimony (``Exporter(public=True)``), and
less: texts through their redacted ``public_*`` versions, the narrator by alias
only; never a narrator code, a consent field, private notes, or the full text.
"""

import re

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import override

from ..citation import ARCHIVE_NAME
from ..dates import format_partial_date
from ..models import Recording

OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
SCHEMA_LOCATION = f"{OAI_DC} {OAI_DC_SCHEMA}"
DC = "http://purl.org/dc/elements/1.1/"
#: The XML Schema type ``language`` that ``xml:lang`` takes.
LANGUAGE = re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*")
#: DCMI Type Vocabulary terms for the recordings' kinds.
RECORDING_TYPES = {
    Recording.Kind.AUDIO: "Sound",
    Recording.Kind.VIDEO: "MovingImage",
}


def elements(testimony, *, url, vocabularies):
    """``(element, text, language or None)`` for each Dublin Core element of
    ``testimony`` (loaded by ``records.for_records``), whose page is at ``url``."""
    t = testimony
    language = t.language if LANGUAGE.fullmatch(t.language or "") else None
    translations = [
        (item, item.language if LANGUAGE.fullmatch(item.language) else None)
        for item in t.translations.all()
    ]
    found = [("title", t.public_title, language)]
    found += [("title", item.public_title, lang) for item, lang in translations]
    if t.narrator is not None:
        found.append(("creator", t.narrator.alias, None))
    source = t.source
    if source is not None and source.interviewer:
        found.append(("contributor", source.interviewer, None))
    for root, items, element in [
        ("theme", t.themed_items.all(), "subject"),
        ("place", t.placed_items.all(), "coverage"),
    ]:
        tags = vocabularies.tags[root]
        names = sorted(tags[item.tag_id].name for item in items if item.tag_id in tags)
        found += [(element, name, None) for name in names]
    if t.events_from or t.events_to:
        period = "/".join(
            day.isoformat() if day else ".." for day in (t.events_from, t.events_to)
        )
        found.append(("coverage", period, None))
    found += [("description", t.public_summary, language)]
    found += [("description", item.public_summary, lang) for item, lang in translations]
    with override(settings.LANGUAGE_CODE):
        if t.is_sample:
            notice = _(
                "Fictional composite (sample data), not a real person's testimony."
            )
            found.append(("description", notice, settings.LANGUAGE_CODE))
        publisher = str(ARCHIVE_NAME)
    found.append(("publisher", publisher, None))
    found.append(
        ("date", format_partial_date(t.recorded_on, t.recorded_precision), None)
    )
    types = {RECORDING_TYPES.get(r.kind) for r in getattr(t, "oai_recordings", ())}
    found += [("type", name, None) for name in ["Text", *sorted(types - {None})]]
    found.append(("identifier", url, None))
    found.append(("identifier", t.identifier, None))
    found.append(("language", t.language, None))
    if source is not None:
        described = ", ".join(
            part
            for part in [source.title, source.organisation, source.publisher]
            if part
        )
        found.append(("source", described, None))
        found.append(("relation", source.url, None))
        found.append(("rights", source.rights, None))
        found.append(("rights", source.licence, None))
    return [(name, text, lang) for name, text, lang in found if text]

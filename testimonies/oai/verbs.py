"""The six verbs, and :func:`answer`, which turns any query into an OAI-PMH answer.

Each verb function reads and checks everything first (raising ``OAIError``), then
returns a function that writes its part of the answer, so that an error never
leaves half an answer written.
"""

import dataclasses
import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from ..citation import ARCHIVE_NAME
from . import dublin_core, protocol, records, tokens
from .datestamps import datestamp
from .protocol import (
    GRANULARITY,
    TOKEN,
    OAIError,
    format_datestamp,
    local_identifier,
    oai_identifier,
)
from .sets import Vocabularies
from .writing import Writer

OAI_IDENTIFIER = "http://www.openarchives.org/OAI/2.0/oai-identifier"
OAI_IDENTIFIER_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"
#: metadataPrefix → (schema, namespace): the formats every record is offered in.
FORMATS = {"oai_dc": (dublin_core.OAI_DC_SCHEMA, dublin_core.OAI_DC)}


@dataclasses.dataclass
class Context:
    base_url: str
    absolute: object  # path → absolute address (request.build_absolute_uri)
    now: datetime.datetime


def answer(query, *, base_url, absolute):
    """The OAI-PMH answer (bytes, UTF-8 XML) to ``query``, a QueryDict of the
    request's arguments (``None``: unreadable ones), from the endpoint at
    ``base_url``; ``absolute`` makes a path absolute. The same for every asker,
    in the archive's language."""
    context = Context(base_url, absolute, timezone.now())
    with override(settings.LANGUAGE_CODE):
        try:
            request = protocol.parse(query)
        except OAIError as error:
            # badVerb and badArgument: the request element echoes no argument.
            return write(context, {}, error=error)
        echoed = {"verb": request.verb, **request.arguments}
        token = echoed.get("resumptionToken")
        if token is not None and not TOKEN.fullmatch(token):
            del echoed["resumptionToken"]  # not ours, and not always valid XML
        try:
            body = VERBS[request.verb](request, context)
        except OAIError as error:
            return write(context, echoed, error=error)
        return write(context, echoed, body=body)


def write(context, echoed, *, body=None, error=None):
    writer = Writer()
    with writer.envelope(
        response_date=format_datestamp(context.now),
        base_url=context.base_url,
        echoed=echoed,
    ):
        if error is not None:
            writer.leaf("error", str(error.message), {"code": error.code})
        else:
            body(writer)
    return writer.content()


def identify(request, context):
    earliest = records.earliest_change() or context.now
    name = str(ARCHIVE_NAME)
    sample = oai_identifier("T-0001")

    def body(w):
        with w.element("Identify"):
            w.leaf("repositoryName", name)
            w.leaf("baseURL", context.base_url)
            w.leaf("protocolVersion", "2.0")
            for address in protocol.admin_emails():
                w.leaf("adminEmail", address)
            w.leaf("earliestDatestamp", format_datestamp(earliest))
            w.leaf("deletedRecord", "persistent")
            w.leaf("granularity", GRANULARITY)
            with w.element("description"):
                attributes = {
                    "xmlns": OAI_IDENTIFIER,
                    "xsi:schemaLocation": f"{OAI_IDENTIFIER} {OAI_IDENTIFIER_SCHEMA}",
                }
                with w.element("oai-identifier", attributes):
                    w.leaf("scheme", "oai")
                    w.leaf("repositoryIdentifier", protocol.repository_identifier())
                    w.leaf("delimiter", ":")
                    w.leaf("sampleIdentifier", sample)

    return body


def list_metadata_formats(request, context):
    identifier = request.get("identifier")
    if identifier is not None:
        testimony = find(identifier)
        if testimony.oai_deleted:
            raise OAIError(
                "noMetadataFormats", _("The item is deleted: it has no metadata.")
            )

    def body(w):
        with w.element("ListMetadataFormats"):
            for prefix, (schema, namespace) in FORMATS.items():
                with w.element("metadataFormat"):
                    w.leaf("metadataPrefix", prefix)
                    w.leaf("schema", schema)
                    w.leaf("metadataNamespace", namespace)

    return body


def list_sets(request, context):
    state = resumed(request, {"after": "", "cursor": 0})
    found = Vocabularies().public_sets(records.visible())
    if not found:
        raise OAIError("noSetHierarchy", _("No set holds a public record yet."))
    specs = sorted(spec for spec in found if spec > state["after"])
    if not specs:  # the sets left changed under the token
        raise tokens.bad_token()
    size = settings.TESTIMONY_OAI_PAGE_SIZE
    shown, more = specs[:size], len(specs) > size
    following = {"verb": request.verb, "after": shown[-1]} if more else None

    def body(w):
        with w.element("ListSets"):
            for spec in shown:
                with w.element("set"):
                    w.leaf("setSpec", spec)
                    w.leaf("setName", found[spec])
            resumption(w, following, state["cursor"], len(shown), len(found))

    return body


def get_record(request, context):
    prefix_offered(request.get("metadataPrefix"))
    testimony = find(request.get("identifier"))
    vocabularies = Vocabularies()

    def body(w):
        with w.element("GetRecord"):
            write_record(w, testimony, vocabularies, context)

    return body


def list_identifiers(request, context):
    return listing(request, context, whole=False)


def list_records(request, context):
    return listing(request, context, whole=True)


def listing(request, context, *, whole):
    state = resumed(request, {"after": 0, "cursor": 0})
    prefix_offered(state["metadataPrefix"])
    since = protocol.parse_date(state.get("from"), "from")
    until = protocol.parse_date(state.get("until"), "until")
    vocabularies = Vocabularies()
    members = None
    if state.get("set") is not None:
        if state["set"] not in vocabularies.public_sets(records.visible()):
            raise no_records()  # unknown, or carried only by hidden testimonies
        members = vocabularies.members(state["set"])
    page = records.page(
        since=since, until=until, members=members, after=state["after"], whole=whole
    )
    if not page.testimonies:
        raise no_records()
    following = None
    if page.last is not None:
        following = {
            key: state[key]
            for key in ("metadataPrefix", "from", "until", "set")
            if state.get(key) is not None
        }
        following |= {"verb": request.verb, "after": page.last}
    shown = len(page.testimonies)

    def body(w):
        with w.element(request.verb):
            for testimony in page.testimonies:
                if whole:
                    write_record(w, testimony, vocabularies, context)
                else:
                    write_header(w, testimony, vocabularies)
            resumption(w, following, state["cursor"], shown, page.total)

    return body


def resumed(request, start):
    """The state of a list: from its resumption token, else its arguments."""
    token = request.get("resumptionToken")
    if token is None:
        return start | request.arguments
    return tokens.read(token, request.verb)


def resumption(w, following, cursor, shown, total):
    """The list's resumptionToken element: a token for the rest, or, on the last
    page of a list that took several, an empty one."""
    total = max(total, cursor + shown)
    if following is not None:
        token, expires = tokens.make(following | {"cursor": cursor + shown})
        attributes = {
            "expirationDate": format_datestamp(expires),
            "completeListSize": str(total),
            "cursor": str(cursor),
        }
        w.leaf("resumptionToken", token, attributes)
    elif cursor:
        w.leaf(
            "resumptionToken",
            "",
            {"completeListSize": str(total), "cursor": str(cursor)},
        )


def write_header(w, testimony, vocabularies):
    deleted = testimony.oai_deleted
    with w.element("header", {"status": "deleted"} if deleted else None):
        w.leaf("identifier", oai_identifier(testimony.identifier))
        w.leaf("datestamp", format_datestamp(datestamp(testimony)))
        if not deleted:  # the sets of a deleted record could point to its narrator
            for spec in vocabularies.header_specs(testimony):
                w.leaf("setSpec", spec)


def write_record(w, testimony, vocabularies, context):
    with w.element("record"):
        write_header(w, testimony, vocabularies)
        if testimony.oai_deleted:
            return
        url = context.absolute(testimony.get_absolute_url())
        found = dublin_core.elements(testimony, url=url, vocabularies=vocabularies)
        with w.element("metadata"):
            attributes = {
                "xmlns:oai_dc": dublin_core.OAI_DC,
                "xmlns:dc": dublin_core.DC,
                "xsi:schemaLocation": dublin_core.SCHEMA_LOCATION,
            }
            with w.element("oai_dc:dc", attributes):
                for name, text, language in found:
                    w.leaf(
                        f"dc:{name}", text, {"xml:lang": language} if language else None
                    )


def find(identifier):
    """The harvestable testimony named by OAI identifier ``identifier``."""
    local = local_identifier(identifier)
    testimony = records.find(local) if local is not None else None
    if testimony is None:
        raise OAIError("idDoesNotExist", _("No record has this identifier."))
    return testimony


def prefix_offered(prefix):
    if prefix not in FORMATS:
        raise OAIError(
            "cannotDisseminateFormat",
            _("Records are offered as oai_dc only."),
        )


def no_records():
    return OAIError("noRecordsMatch", _("No record matches the arguments."))


VERBS = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "GetRecord": get_record,
    "ListIdentifiers": list_identifiers,
    "ListRecords": list_records,
}

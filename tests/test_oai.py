"""OAI-PMH 2.0 at /oai/ (docs/oai-pmh.md): what harvesters get, and never get.

Every answer read here is validated against the protocol's schemas, from local
copies (tests/oai_schema.py): the envelope, the Dublin Core records and the
Identify description alike. A real harvester (oaipmh-scythe) harvests a live
server through resumption tokens at the end.
"""

import datetime
import random
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lxml import etree

from testimonies.dates import DatePrecision, archive_today
from testimonies.models import Source, Testimony, Translation
from testimonies.oai import datestamps, tokens
from testimonies.oai.sets import encode_slug

from .factories import (
    make_archivist,
    make_narrator,
    make_place,
    make_recording,
    make_researcher,
    make_testimony,
    make_theme,
)
from .oai_schema import validate
from .test_leaks import HIDDEN, REDACTED, Collection, identifier_of

pytestmark = pytest.mark.django_db

S, A = Testimony.Status, Testimony.Access
NS = {
    "o": "http://www.openarchives.org/OAI/2.0/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "id": "http://www.openarchives.org/OAI/2.0/oai-identifier",
}
REPOSITORY = "archive.test.example"
ENDPOINT = "/oai/"
FORM = "application/x-www-form-urlencoded"
UTC = datetime.UTC


@pytest.fixture(autouse=True)
def repository(settings):
    settings.TESTIMONY_OAI_REPOSITORY_IDENTIFIER = REPOSITORY
    settings.TESTIMONY_OAI_ADMIN_EMAILS = ["harvesting@archive.test.example"]


def oai_id(testimony):
    return f"oai:{REPOSITORY}:{testimony.identifier}"


def ask(client, method="get", **arguments):
    """Send ``arguments`` to /oai/; check the answer is valid OAI-PMH and return
    its root element."""
    if method == "post":  # as the protocol says: a form, URL-encoded
        body = urlencode(arguments, doseq=True)
        return checked(client.post(ENDPOINT, body, content_type=FORM))
    return checked(client.get(ENDPOINT, arguments))


def checked(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return validate(response.content)


def error_code(root):
    error = root.find("o:error", NS)
    return None if error is None else error.get("code")


def identifiers(root):
    return [e.text for e in root.iterfind(".//o:header/o:identifier", NS)]


def harvest(client, verb="ListIdentifiers", **arguments):
    """Every page of a list, following its tokens: the roots of the answers."""
    roots = [ask(client, verb=verb, **arguments)]
    while (token := roots[-1].find(f".//o:{verb}/o:resumptionToken", NS)) is not None:
        if not token.text:
            break
        roots.append(ask(client, verb=verb, resumptionToken=token.text))
    return roots


def listed(client, verb="ListIdentifiers", **arguments):
    """The identifiers of a whole list, in order ([] for noRecordsMatch)."""
    arguments.setdefault("metadataPrefix", "oai_dc")
    roots = harvest(client, verb, **arguments)
    if error_code(roots[0]) == "noRecordsMatch":
        return []
    assert error_code(roots[0]) is None, roots[0]
    return [identifier for root in roots for identifier in identifiers(root)]


def set_updated(testimony, moment):
    Testimony.objects.filter(pk=testimony.pk).update(updated_at=moment)


def once_public_withdrawn(**fields):
    """A testimony published for everyone, then withdrawn (as the admin does)."""
    testimony = make_testimony(**fields)
    testimony.status = S.WITHDRAWN
    testimony.save()
    return testimony


class TestIdentify:
    def test_describes_the_repository_with_its_settings(self, client):
        testimony = make_testimony()
        set_updated(testimony, datetime.datetime(2023, 4, 5, 6, 7, 8, 9, tzinfo=UTC))
        root = ask(client, verb="Identify")
        identify = root.find("o:Identify", NS)
        assert identify.findtext("o:repositoryName", namespaces=NS) == (
            "Testimony Archive"
        )
        assert identify.findtext("o:baseURL", namespaces=NS) == "http://testserver/oai/"
        assert identify.findtext("o:protocolVersion", namespaces=NS) == "2.0"
        assert identify.findtext("o:adminEmail", namespaces=NS) == (
            "harvesting@archive.test.example"
        )
        assert identify.findtext("o:earliestDatestamp", namespaces=NS) == (
            "2023-04-05T06:07:08Z"
        )
        assert identify.findtext("o:deletedRecord", namespaces=NS) == "persistent"
        assert identify.findtext("o:granularity", namespaces=NS) == (
            "YYYY-MM-DDThh:mm:ssZ"
        )
        description = identify.find("o:description/id:oai-identifier", NS)
        assert description.findtext("id:repositoryIdentifier", namespaces=NS) == (
            REPOSITORY
        )
        assert root.find("o:request", NS).attrib == {"verb": "Identify"}

    def test_the_earliest_datestamp_ignores_what_harvesters_never_see(self, client):
        draft = make_testimony(status=S.DRAFT)
        set_updated(draft, datetime.datetime(2001, 1, 1, tzinfo=UTC))
        make_testimony()
        earliest = ask(client, verb="Identify").findtext(
            ".//o:earliestDatestamp", namespaces=NS
        )
        assert not earliest.startswith("2001")

    def test_an_empty_archive_still_identifies_itself(self, client):
        assert error_code(ask(client, verb="Identify")) is None


class TestErrors:
    @pytest.mark.parametrize(
        "query",
        [{}, {"verb": "Frobnicate"}, {"verb": ["Identify", "Identify"]}, {"verb": ""}],
        ids=["missing", "unknown", "repeated", "empty"],
    )
    def test_a_bad_verb_is_a_bad_verb_and_echoes_no_argument(self, client, query):
        root = checked(client.get(ENDPOINT, query))
        assert error_code(root) == "badVerb"
        assert root.find("o:request", NS).attrib == {}
        assert root.findtext("o:request", namespaces=NS) == "http://testserver/oai/"

    @pytest.mark.parametrize(
        "query",
        [
            {"verb": "Identify", "set": "theme"},
            {"verb": "ListRecords"},
            {"verb": "GetRecord", "metadataPrefix": "oai_dc"},
            {"verb": "ListRecords", "metadataPrefix": ["oai_dc", "oai_dc"]},
            {"verb": "ListRecords", "metadataPrefix": ""},
            {"verb": "ListRecords", "metadataPrefix": "oai dc"},
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-02-30"},
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"},
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "until": "2024-1-1"},
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "0000-01-01"},
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2024-01-01T10:00:00+01:00",
            },
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2024-01-01",
                "until": "2024-02-01T00:00:00Z",
            },
            {
                "verb": "ListIdentifiers",
                "metadataPrefix": "oai_dc",
                "from": "2024-03-01",
                "until": "2024-02-01",
            },
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "theme::x"},
            {"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"},
            {"verb": "ListSets", "resumptionToken": "x", "set": "theme"},
            {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "a b"},
        ],
        ids=[
            "illegal argument",
            "missing metadataPrefix",
            "missing identifier",
            "repeated argument",
            "empty value",
            "illegal metadataPrefix",
            "no such day",
            "no date",
            "short date",
            "year zero",
            "not UTC",
            "mixed granularities",
            "from later than until",
            "illegal setSpec",
            "token with other arguments",
            "ListSets token with a set",
            "identifier that is no URI",
        ],
    )
    def test_a_bad_argument_is_a_bad_argument_and_echoes_nothing(self, client, query):
        make_testimony(themes=[make_theme("x")])
        root = checked(client.get(ENDPOINT, query))
        assert error_code(root) == "badArgument"
        assert root.find("o:request", NS).attrib == {}

    def test_the_same_day_for_from_and_until_is_not_from_after_until(self, client):
        root = ask(
            client,
            verb="ListIdentifiers",
            metadataPrefix="oai_dc",
            **{"from": "2024-03-01", "until": "2024-03-01"},
        )
        assert error_code(root) == "noRecordsMatch"

    @pytest.mark.parametrize("verb", ["GetRecord", "ListRecords", "ListIdentifiers"])
    def test_a_format_we_do_not_offer_cannot_be_disseminated(self, client, verb):
        testimony = make_testimony()
        arguments = {"verb": verb, "metadataPrefix": "marc21"}
        if verb == "GetRecord":
            arguments["identifier"] = oai_id(testimony)
        root = checked(client.get(ENDPOINT, arguments))
        assert error_code(root) == "cannotDisseminateFormat"
        # Other errors than badVerb and badArgument echo the request.
        assert root.find("o:request", NS).attrib == arguments

    @pytest.mark.parametrize(
        "identifier",
        ["oai:other.example:T-1", "oai:archive.test.example:NOPE", "T-1", "urn:x"],
    )
    def test_an_unknown_identifier_does_not_exist(self, client, identifier):
        make_testimony(identifier="T-1")
        for arguments in [
            {"verb": "GetRecord", "metadataPrefix": "oai_dc"},
            {"verb": "ListMetadataFormats"},
        ]:
            root = ask(client, identifier=identifier, **arguments)
            assert error_code(root) == "idDoesNotExist", arguments

    def test_a_list_with_nothing_in_it_matches_no_records(self, client):
        make_testimony(status=S.DRAFT)
        for verb in ["ListRecords", "ListIdentifiers"]:
            assert error_code(ask(client, verb=verb, metadataPrefix="oai_dc")) == (
                "noRecordsMatch"
            )
        assert error_code(ask(client, verb="ListSets")) == "noSetHierarchy"

    def test_other_http_methods_are_refused_but_head_is_answered(self, client):
        assert client.put(ENDPOINT).status_code == 405
        assert client.delete(ENDPOINT).status_code == 405
        assert client.head(ENDPOINT, {"verb": "Identify"}).status_code == 200


class TestPost:
    def test_a_form_post_is_answered_like_a_get(self, client):
        make_testimony(themes=[make_theme("Evacuation")])
        for arguments in [
            {"verb": "ListRecords", "metadataPrefix": "oai_dc"},
            {"verb": "ListSets"},
            {"verb": "Identify"},
        ]:
            by_get = ask(client, **arguments)
            by_post = ask(client, method="post", **arguments)
            for root in (by_get, by_post):
                root.remove(root.find("o:responseDate", NS))
            assert by_get.find("o:request", NS).attrib == arguments
            assert etree.tostring(by_get) == etree.tostring(by_post)

    def test_a_post_that_is_not_a_form_carries_no_verb(self, client):
        response = client.post(
            ENDPOINT, '{"verb": "Identify"}', content_type="application/json"
        )
        assert error_code(checked(response)) == "badVerb"
        response = client.post(ENDPOINT, {"verb": "Identify"})  # multipart
        assert error_code(checked(response)) == "badVerb"

    def test_needs_no_csrf_token(self):
        from django.test import Client

        strict = Client(enforce_csrf_checks=True)
        response = strict.post(ENDPOINT, "verb=Identify", content_type=FORM)
        assert error_code(checked(response)) is None


class TestHostileInput:
    @pytest.mark.parametrize(
        "query",
        [
            "verb=Identify&" + "x=1&" * 2500,
            "verb=" + "A" * 100_000,
            "verb=ListRecords&metadataPrefix=" + "a" * 100_000,
            "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai%3Aa%00b",
            "verb=GetRecord&metadataPrefix=oai_dc&identifier=%00",
            "verb=List%00Records&metadataPrefix=oai_dc",
            "verb=ListRecords&metadataPrefix=oai_dc&set=%ff%fe",
            "verb=ListRecords&metadataPrefix=oai_dc&from=%ff",
            "verb=ListRecords&resumptionToken=%00%01%02",
            "verb=ListRecords&resumptionToken=" + "A:" * 1500,
            "verb=ListRecords&resumptionToken=%3Cx%3E%26%22",
            "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai%3A%C3%28%A0%A1",
            "verb=GetRecord&metadataPrefix=oai_dc&identifier=%25zz%25",
            "verb=GetRecord&metadataPrefix=oai_dc&identifier="
            + "oai%3Aarchive.test.example%3A"
            + "x" * 1000,
            "%ff%fe=%00&verb=Identify",
            "verb=Identify&%3Cx%3E=%26",
            "verb=ListSets&resumptionToken=.eJyrVkpJLEpRslIqzs8tSM3L",
        ],
    )
    def test_no_input_gets_a_server_error_or_invalid_xml(self, client, query):
        make_testimony(identifier="T-1", themes=[make_theme("x")])
        response = client.generic("GET", ENDPOINT, QUERY_STRING=query)
        root = checked(response)
        assert error_code(root) is not None

    def test_a_body_too_large_is_a_bad_argument(self, client, settings):
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
        body = "verb=Identify&x=" + "a" * 5000
        response = client.post(ENDPOINT, body, content_type=FORM)
        assert error_code(checked(response)) == "badArgument"

    def test_characters_xml_cannot_carry_are_left_out_of_records(self, client):
        testimony = make_testimony(
            title="Bell\x07 and\x0b escape\x1b [1m", summary="Tab\tkept\ufffe\uffff."
        )
        root = ask(
            client,
            verb="GetRecord",
            metadataPrefix="oai_dc",
            identifier=oai_id(testimony),
        )
        assert root.findtext(".//dc:title", namespaces=NS) == "Bell and escape [1m"
        assert root.findtext(".//dc:description", namespaces=NS) == "Tab\tkept."


def test_clean_drops_what_xml_1_0_forbids_and_keeps_the_rest():
    from testimonies.oai.writing import clean

    assert clean("a\x00b\x01c\udc80d\ufffee\uffff\r\nf\tg 🌻 ё") == "abcde\nf\tg 🌻 ё"


def dublin_core(root):
    """``[(element, text, xml:lang)]`` of the first record's metadata."""
    dc = root.find(".//oai_dc:dc", NS)
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    return [(e.tag.split("}")[1], e.text, e.get(lang)) for e in dc]


class TestDublinCore:
    @pytest.fixture
    def testimony(self):
        region = make_place("Kursk Oblast", kind="region")
        town = make_place("Sudzha", parent=region)
        narrator = make_narrator(
            alias="Valentina K.",
            code="N-SECRET-CODE",
            real_name="Realname Secretova",
            contact="secret@example.org",
            private_notes="privatenote",
        )
        source = Source.objects.create(
            title="Oral history project",
            organisation="Volunteers' group",
            interviewer="Interviewer Olena",
            url="https://example.org/project",
            rights="© The narrator",
            licence="CC BY-NC 4.0",
        )
        testimony = make_testimony(
            identifier="DC-1",
            title="Twenty days [[in Ivan's]] basement",
            summary="She stayed [[at 12 Sadovaya]] with neighbours.",
            body="The full text is not part of the record.",
            language="ru",
            recorded_on=datetime.date(2024, 9, 1),
            recorded_precision=DatePrecision.MONTH,
            events_from=datetime.date(2024, 8, 6),
            events_to=datetime.date(2024, 8, 31),
            narrator=narrator,
            source=source,
            consent="given",
            consent_scope="public",
            consent_date=datetime.date(2024, 9, 2),
            themes=[make_theme("Shelter in basements"), make_theme("Drones")],
            places=[town],
        )
        Translation.objects.create(
            testimony=testimony,
            language="en",
            title="Twenty days [[with Ivan]]",
            summary="In English.",
        )
        return testimony

    def test_a_record_maps_the_public_fields(self, client, testimony):
        root = ask(
            client,
            verb="GetRecord",
            metadataPrefix="oai_dc",
            identifier=oai_id(testimony),
        )
        assert dublin_core(root) == [
            ("title", "Twenty days █████ basement", "ru"),
            ("title", "Twenty days █████", "en"),
            ("creator", "Valentina K.", None),
            ("contributor", "Interviewer Olena", None),
            ("subject", "Drones", None),
            ("subject", "Shelter in basements", None),
            ("coverage", "Sudzha", None),
            ("coverage", "2024-08-06/2024-08-31", None),
            ("description", "She stayed █████ with neighbours.", "ru"),
            ("description", "In English.", "en"),
            ("publisher", "Testimony Archive", None),
            ("date", "2024-09", None),
            ("type", "Text", None),
            ("identifier", "http://testserver/testimonies/DC-1/", None),
            ("identifier", "DC-1", None),
            ("language", "ru", None),
            ("source", "Oral history project, Volunteers' group", None),
            ("relation", "https://example.org/project", None),
            ("rights", "© The narrator", None),
            ("rights", "CC BY-NC 4.0", None),
        ]
        header = root.find(".//o:header", NS)
        assert [e.text for e in header.iterfind("o:setSpec", NS)] == [
            "place:kursk-oblast:sudzha",
            "theme:drones",
            "theme:shelter-in-basements",
        ]

    def test_nothing_private_or_redacted_is_ever_written(self, client, testimony):
        for verb in ["GetRecord", "ListRecords"]:
            response = client.get(
                ENDPOINT,
                {
                    "verb": verb,
                    "metadataPrefix": "oai_dc",
                    "identifier": oai_id(testimony),
                }
                if verb == "GetRecord"
                else {"verb": verb, "metadataPrefix": "oai_dc"},
            )
            text = response.content.decode()
            for secret in [
                "N-SECRET-CODE",
                "Realname",
                "secret@example.org",
                "privatenote",
                "Ivan",
                "Sadovaya",
                "full text",
                "2024-09-02",  # the consent date
                "given",
            ]:
                assert secret not in text, (verb, secret)

    def test_public_recordings_add_their_dcmi_types(self, client, testimony):
        make_recording(testimony, access=A.RESTRICTED, kind="video")
        root = ask(
            client,
            verb="GetRecord",
            metadataPrefix="oai_dc",
            identifier=oai_id(testimony),
        )
        assert [t for e, t, _ in dublin_core(root) if e == "type"] == ["Text"]
        make_recording(testimony, access=A.PUBLIC)
        root = ask(
            client,
            verb="GetRecord",
            metadataPrefix="oai_dc",
            identifier=oai_id(testimony),
        )
        assert [t for e, t, _ in dublin_core(root) if e == "type"] == ["Text", "Sound"]

    def test_a_sample_says_it_is_fictional(self, client):
        sample = make_testimony(is_sample=True)
        root = ask(
            client, verb="GetRecord", metadataPrefix="oai_dc", identifier=oai_id(sample)
        )
        descriptions = [t for e, t, _ in dublin_core(root) if e == "description"]
        assert any("Fictional composite" in text for text in descriptions)

    def test_a_page_of_records_costs_the_same_queries_however_long(
        self, client, settings
    ):
        settings.TESTIMONY_OAI_PAGE_SIZE = 50
        theme, place = make_theme("Drones"), make_place("Sumy")

        def make(count):
            for _ in range(count):
                testimony = make_testimony(
                    narrator=make_narrator(),
                    source=Source.objects.create(title="S", interviewer="I"),
                    themes=[theme],
                    places=[place],
                )
                Translation.objects.create(
                    testimony=testimony, language="uk", title="T"
                )

        def queries():
            with CaptureQueriesContext(connection) as captured:
                root = ask(client, verb="ListRecords", metadataPrefix="oai_dc")
            return len(captured), len(identifiers(root))

        make(3)
        few, shown = queries()
        assert shown == 3
        make(20)
        many, shown = queries()
        assert shown == 23
        assert many == few <= 12


class TestVisibility:
    def test_lists_hold_only_what_anonymous_visitors_read_whoever_asks(self, client):
        public = make_testimony()
        for fields in [
            {"status": S.DRAFT},
            {"status": S.IN_REVIEW},
            {"status": S.WITHDRAWN},
            {"access": A.RESTRICTED},
            {"access": A.RESEARCHERS},
            {"sealed_until": archive_today()},
        ]:
            make_testimony(**fields)
        for user in [None, make_researcher(), make_archivist()]:
            if user is not None:
                client.force_login(user)
            for verb in ["ListRecords", "ListIdentifiers"]:
                assert listed(client, verb) == [oai_id(public)], (user, verb)

    def test_a_hidden_testimony_does_not_exist_for_get_record(self, client):
        client.force_login(make_archivist())
        for fields in [{"status": S.DRAFT}, {"access": A.RESEARCHERS}]:
            hidden = make_testimony(**fields)
            for verb, extra in [
                ("GetRecord", {"metadataPrefix": "oai_dc"}),
                ("ListMetadataFormats", {}),
            ]:
                root = ask(client, verb=verb, identifier=oai_id(hidden), **extra)
                assert error_code(root) == "idDoesNotExist"


class TestDeletedRecords:
    def test_a_withdrawn_testimony_once_public_is_a_deleted_header_only(self, client):
        theme, place = make_theme("Evacuation"), make_place("Tiny village")
        gone = once_public_withdrawn(
            title="xylogone",
            narrator=make_narrator(alias="xylogone"),
            themes=[theme],
            places=[place],
        )
        make_testimony(themes=[theme])
        for verb in ["ListRecords", "ListIdentifiers"]:
            roots = harvest(client, verb, metadataPrefix="oai_dc")
            headers = [h for r in roots for h in r.iterfind(".//o:header", NS)]
            deleted = [h for h in headers if h.get("status") == "deleted"]
            assert [h.findtext("o:identifier", namespaces=NS) for h in deleted] == [
                oai_id(gone)
            ]
            assert [child.tag.split("}")[1] for child in deleted[0]] == [
                "identifier",
                "datestamp",
            ]
        root = ask(
            client, verb="GetRecord", metadataPrefix="oai_dc", identifier=oai_id(gone)
        )
        record = root.find(".//o:record", NS)
        assert record.find("o:metadata", NS) is None
        assert record.find("o:header", NS).get("status") == "deleted"
        assert (
            "xylogone"
            not in client.get(
                ENDPOINT, {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
            ).content.decode()
        )
        formats = ask(client, verb="ListMetadataFormats", identifier=oai_id(gone))
        assert error_code(formats) == "noMetadataFormats"

    def test_a_set_harvest_holds_no_deleted_record(self, client):
        theme = make_theme("Evacuation")
        once_public_withdrawn(themes=[theme])
        kept = make_testimony(themes=[theme])
        assert listed(client, set="theme:evacuation") == [oai_id(kept)]

    @pytest.mark.parametrize(
        "fields",
        [
            {"status": S.WITHDRAWN},
            {
                "status": S.WITHDRAWN,
                "access": A.RESEARCHERS,
                "published_at": timezone.now(),
            },
            {
                "status": S.WITHDRAWN,
                "access": A.RESTRICTED,
                "published_at": timezone.now(),
            },
        ],
        ids=["never published", "published for researchers", "restricted"],
    )
    def test_a_testimony_never_public_is_never_named(self, client, fields):
        hidden = make_testimony(**fields)
        assert listed(client) == []
        root = ask(
            client, verb="GetRecord", metadataPrefix="oai_dc", identifier=oai_id(hidden)
        )
        assert error_code(root) == "idDoesNotExist"

    def test_withdrawn_while_still_sealed_was_never_public(self, client):
        """Published under an embargo, withdrawn 40 days ago while the embargo
        still ran; the embargo date passed 10 days ago, with no write."""
        today = archive_today()
        sealed = make_testimony(sealed_until=today - datetime.timedelta(days=10))
        sealed.status = S.WITHDRAWN
        sealed.save()
        set_updated(sealed, timezone.now() - datetime.timedelta(days=40))
        assert listed(client) == []
        # Withdrawn after the embargo ended: public in between, so deleted now.
        set_updated(sealed, timezone.now() - datetime.timedelta(days=5))
        assert listed(client) == [oai_id(sealed)]


class TestSets:
    def test_sets_follow_the_hierarchies_and_only_what_the_public_reads(self, client):
        country = make_place("Ukraine", kind="country")
        region = make_place("Sumy Oblast", kind="region", parent=country)
        town = make_place("Krasnopillia", parent=region)
        secret = make_place("Hidden hamlet", parent=region)
        parent_theme = make_theme("Displacement")
        child_theme = make_theme("Evacuation", parent=parent_theme)
        make_theme("Unused")
        make_testimony(themes=[child_theme], places=[town])
        make_testimony(
            status=S.DRAFT, themes=[make_theme("Draft only")], places=[secret]
        )
        root = ask(client, verb="ListSets")
        sets = {
            s.findtext("o:setSpec", namespaces=NS): s.findtext(
                "o:setName", namespaces=NS
            )
            for s in root.iterfind(".//o:set", NS)
        }
        assert sets == {
            "place": "Places",
            "place:ukraine": "Ukraine",
            "place:ukraine:sumy-oblast": "Sumy Oblast",
            "place:ukraine:sumy-oblast:krasnopillia": "Krasnopillia",
            "theme": "Themes",
            "theme:displacement": "Displacement",
            "theme:displacement:evacuation": "Evacuation",
        }

    def test_a_set_holds_the_records_of_the_tags_below_it(self, client):
        country = make_place("Ukraine", kind="country")
        region = make_place("Sumy Oblast", kind="region", parent=country)
        in_town = make_testimony(places=[make_place("Sumy", parent=region)])
        in_region = make_testimony(places=[region])
        elsewhere = make_testimony(places=[make_place("Kursk")])
        themed = make_testimony(themes=[make_theme("Drones")])
        assert sorted(listed(client, set="place:ukraine")) == sorted(
            [oai_id(in_town), oai_id(in_region)]
        )
        assert listed(client, set="place:ukraine:sumy-oblast:sumy") == [oai_id(in_town)]
        assert sorted(listed(client, set="place")) == sorted(
            [oai_id(in_town), oai_id(in_region), oai_id(elsewhere)]
        )
        assert listed(client, set="theme") == [oai_id(themed)]

    def test_a_hidden_tag_answers_like_a_set_nobody_made(self, client):
        secret = make_place("Hidden hamlet", slug="hidden-hamlet")
        make_testimony(status=S.DRAFT, places=[secret])
        make_testimony(places=[make_place("Open town")])
        for spec in ["place:hidden-hamlet", "place:nowhere-at-all"]:
            for verb in ["ListRecords", "ListIdentifiers"]:
                root = ask(client, verb=verb, metadataPrefix="oai_dc", set=spec)
                assert error_code(root) == "noRecordsMatch"
                assert root.findtext("o:error", namespaces=NS) == (
                    "No record matches the arguments."
                )

    def test_cyrillic_and_japanese_slugs_become_valid_set_specs(self, client):
        town = make_place("Суджа")
        theme = make_theme("避難")
        testimony = make_testimony(places=[town], themes=[theme])
        specs = {
            s.findtext("o:setSpec", namespaces=NS)
            for s in ask(client, verb="ListSets").iterfind(".//o:set", NS)
        }
        place_spec = f"place:{encode_slug(town.slug)}"
        assert place_spec.startswith("place:xn--") and place_spec in specs
        assert f"theme:{encode_slug(theme.slug)}" in specs
        assert listed(client, set=place_spec) == [oai_id(testimony)]

    def test_slug_encoding_never_gives_two_slugs_one_spec(self):
        slugs = ["суджа", "xn--80aaxrcq", "sudzha", "xn--sudzha", "sudzha-"]
        encoded = [encode_slug(slug) for slug in slugs]
        assert len(set(encoded)) == len(slugs)

    def test_list_sets_pages_through_resumption_tokens(self, client, settings):
        settings.TESTIMONY_OAI_PAGE_SIZE = 2
        make_testimony(themes=[make_theme(f"Theme {n}") for n in range(5)])
        roots = harvest(client, "ListSets")
        specs = [s.text for r in roots for s in r.iterfind(".//o:setSpec", NS)]
        assert len(roots) == 3
        assert specs == sorted(specs) and len(specs) == len(set(specs)) == 6
        last = roots[-1].find(".//o:resumptionToken", NS)
        assert last.get("completeListSize") == "6" and last.get("cursor") == "4"


def stamp(root, testimony):
    for header in root.iterfind(".//o:header", NS):
        if header.findtext("o:identifier", namespaces=NS) == oai_id(testimony):
            return header.findtext("o:datestamp", namespaces=NS)
    return None


class TestDatestamps:
    def test_from_and_until_select_by_datestamp_at_both_granularities(self, client):
        moments = {
            "old": datetime.datetime(2024, 1, 1, 23, 59, 59, 900_000, tzinfo=UTC),
            "mid": datetime.datetime(2024, 1, 2, 12, 0, 0, 500_000, tzinfo=UTC),
            "new": datetime.datetime(2024, 1, 3, 0, 0, 0, tzinfo=UTC),
        }
        made = {}
        for name, moment in moments.items():
            made[name] = make_testimony()
            set_updated(made[name], moment)

        def between(**dates):
            found = listed(client, **dates)
            return {name for name, t in made.items() if oai_id(t) in found}

        assert between(**{"from": "2024-01-02"}) == {"mid", "new"}
        assert between(until="2024-01-02") == {"old", "mid"}
        assert between(**{"from": "2024-01-02", "until": "2024-01-02"}) == {"mid"}
        # A datestamp is whole seconds: "until" that second holds it.
        assert between(until="2024-01-02T12:00:00Z") == {"old", "mid"}
        assert between(until="2024-01-02T11:59:59Z") == {"old"}
        assert between(**{"from": "2024-01-02T12:00:00Z"}) == {"mid", "new"}
        assert between(**{"from": "2024-01-02T12:00:01Z"}) == {"new"}
        root = ask(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
        assert stamp(root, made["mid"]) == "2024-01-02T12:00:00Z"
        assert stamp(root, made["old"]) == "2024-01-01T23:59:59Z"

    @pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo", "America/Los_Angeles"])
    def test_an_embargo_ending_stamps_the_record_at_the_archives_midnight(
        self, client, settings, zone
    ):
        """Sealed until yesterday, unchanged for a year: it opened at midnight,
        and a harvest "from" just before then must meet it."""
        settings.TIME_ZONE = zone
        today = archive_today()
        opened = datetime.datetime.combine(
            today, datetime.time.min, tzinfo=timezone.get_default_timezone()
        ).astimezone(UTC)
        sealed = make_testimony(sealed_until=today - datetime.timedelta(days=1))
        set_updated(sealed, opened - datetime.timedelta(days=365))
        shown = opened.strftime("%Y-%m-%dT%H:%M:%SZ")
        root = ask(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
        assert stamp(root, sealed) == shown
        assert listed(client, **{"from": shown}) == [oai_id(sealed)]
        before = (opened - datetime.timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        after = (opened + datetime.timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        assert listed(client, **{"from": after}) == []
        assert listed(client, until=before) == []
        assert listed(client, until=shown) == [oai_id(sealed)]

    def test_the_filter_agrees_with_the_datestamps_shown(self, client, settings):
        """Random writes and embargoes against random windows: a record is listed
        exactly when the datestamp it shows lies in the window."""
        settings.TIME_ZONE = "Pacific/Kiritimati"  # UTC+14: days split far from UTC
        rng = random.Random(20261202)
        today = archive_today()
        base = timezone.now() - datetime.timedelta(days=20)
        for _ in range(25):
            sealed = rng.choice(
                [None, today - datetime.timedelta(days=rng.randint(1, 15))]
            )
            testimony = make_testimony(sealed_until=sealed)
            set_updated(
                testimony, base + datetime.timedelta(seconds=rng.randint(0, 20 * 86400))
            )
        root = ask(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
        shown = {
            h.findtext("o:identifier", namespaces=NS): h.findtext(
                "o:datestamp", namespaces=NS
            )
            for h in root.iterfind(".//o:header", NS)
        }
        assert len(shown) == 25
        windows = sorted(shown.values()) + [
            (base + datetime.timedelta(seconds=rng.randint(0, 20 * 86400))).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            )
            for _ in range(10)
        ]
        for _ in range(12):
            since, until = sorted(rng.sample(windows, 2))
            expected = sorted(i for i, s in shown.items() if since <= s <= until)
            assert sorted(listed(client, **{"from": since, "until": until})) == expected
            days = (since[:10], until[:10])
            expected = sorted(
                i for i, s in shown.items() if days[0] <= s[:10] <= days[1]
            )
            assert (
                sorted(listed(client, **{"from": days[0], "until": days[1]}))
                == expected
            )

    def test_embargo_end_is_the_next_midnight_in_the_archives_zone(self, settings):
        settings.TIME_ZONE = "Europe/Kyiv"
        assert datestamps.embargo_end(datetime.date(2024, 7, 1)) == datetime.datetime(
            2024, 7, 1, 21, 0, tzinfo=UTC
        )
        assert datestamps.embargo_end(datetime.date.max).year == 9999


class TestResumptionTokens:
    @pytest.fixture
    def five(self, settings):
        settings.TESTIMONY_OAI_PAGE_SIZE = 2
        return [make_testimony() for _ in range(5)]

    def test_a_list_comes_in_pages_with_cursor_size_and_expiry(self, client, five):
        roots = harvest(client, "ListIdentifiers", metadataPrefix="oai_dc")
        assert [identifiers(r) for r in roots] == [
            [oai_id(t) for t in five[0:2]],
            [oai_id(t) for t in five[2:4]],
            [oai_id(t) for t in five[4:]],
        ]
        tokens_ = [r.find(".//o:resumptionToken", NS) for r in roots]
        assert [t.get("cursor") for t in tokens_] == ["0", "2", "4"]
        assert {t.get("completeListSize") for t in tokens_} == {"5"}
        assert tokens_[-1].text is None and tokens_[-1].get("expirationDate") is None
        expires = datetime.datetime.fromisoformat(tokens_[0].get("expirationDate"))
        assert expires - timezone.now() > datetime.timedelta(hours=23)
        assert roots[1].find("o:request", NS).attrib == {
            "verb": "ListIdentifiers",
            "resumptionToken": tokens_[0].text,
        }

    def test_a_list_in_one_page_has_no_token(self, client):
        make_testimony()
        root = ask(client, verb="ListRecords", metadataPrefix="oai_dc")
        assert root.find(".//o:resumptionToken", NS) is None

    def test_writes_between_pages_neither_skip_nor_repeat_records(self, client, five):
        first = ask(client, verb="ListRecords", metadataPrefix="oai_dc")
        token = first.find(".//o:resumptionToken", NS).text
        # A record of the first page is edited, one of the rest too, one is new.
        five[0].title = "Edited"
        five[0].save()
        five[3].title = "Edited too"
        five[3].save()
        newcomer = make_testimony()
        rest = [ask(client, verb="ListRecords", resumptionToken=token)]
        while (t := rest[-1].find(".//o:resumptionToken", NS)).text:
            rest.append(ask(client, verb="ListRecords", resumptionToken=t.text))
        seen = identifiers(first) + [i for r in rest for i in identifiers(r)]
        assert seen == [oai_id(t) for t in [*five, newcomer]]

    def test_the_arguments_ride_in_the_token(self, client, five):
        theme = make_theme("Evacuation")
        themed = [make_testimony(themes=[theme]) for _ in range(3)]
        for testimony in themed:
            set_updated(testimony, datetime.datetime(2020, 5, 5, tzinfo=UTC))
        assert listed(client, set="theme:evacuation", until="2020-05-05") == [
            oai_id(t) for t in themed
        ]

    def test_a_tampered_forged_expired_or_foreign_token_is_refused(
        self, client, five, monkeypatch
    ):
        first = ask(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
        token = first.find(".//o:resumptionToken", NS).text
        flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
        payload = signing.loads(token, salt=tokens.SALT)
        forged = signing.dumps(
            payload | {"after": 0}, key="not-our-key", salt=tokens.SALT
        )
        other_salt = signing.dumps(payload, salt="something else")
        for bad in [flipped, forged, other_salt, "", "x" * 40]:
            if not bad:
                continue
            root = ask(client, verb="ListIdentifiers", resumptionToken=bad)
            assert error_code(root) == "badResumptionToken", bad
        # Made for another verb.
        assert error_code(ask(client, verb="ListRecords", resumptionToken=token)) == (
            "badResumptionToken"
        )
        assert error_code(ask(client, verb="ListSets", resumptionToken=token)) == (
            "badResumptionToken"
        )
        # A day and a minute later.
        later = timezone.now().timestamp() + 24 * 3600 + 60
        monkeypatch.setattr(signing.time, "time", lambda: later)
        root = ask(client, verb="ListIdentifiers", resumptionToken=token)
        assert error_code(root) == "badResumptionToken"
        assert "expired" in root.findtext("o:error", namespaces=NS)


def oai_addresses(collection):
    """Every OAI address a harvester might try against the leak collection."""
    from testimonies.oai.sets import Vocabularies

    vocabularies = Vocabularies()
    specs = ["theme", "place"] + [
        vocabularies.spec(root, tag.pk)
        for root, tags in [("theme", collection.themes), ("place", collection.places)]
        for tag in tags.values()
    ]
    specs += [
        vocabularies.spec("theme", collection.shared_theme.pk),
        vocabularies.spec("place", collection.shared_place.pk),
    ]
    queries = [{"verb": v} for v in ["Identify", "ListSets", "ListMetadataFormats"]]
    for verb in ["ListIdentifiers", "ListRecords"]:
        queries.append({"verb": verb, "metadataPrefix": "oai_dc"})
        queries += [{"verb": verb, "metadataPrefix": "oai_dc", "set": s} for s in specs]
    for testimony in [collection.public, *collection.hidden.values()]:
        identifier = oai_id(testimony)
        queries.append(
            {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": identifier}
        )
        queries.append({"verb": "ListMetadataFormats", "identifier": identifier})
    return [f"{ENDPOINT}?{urlencode(query)}" for query in queries]


@pytest.mark.parametrize("audience", ["anonymous", "researcher", "archivist"])
def test_nothing_hidden_reaches_any_harvester(client, audience):
    """Every hidden kind of the leak suite, every OAI address, every audience:
    no marker, no hidden identifier; the once-public withdrawn testimony is a
    bare deleted header."""
    collection = Collection()
    gone = once_public_withdrawn(
        identifier="quonkgone",
        title="xylogone title",
        narrator=make_narrator(alias="xylogone narrator"),
        themes=[make_theme("xylogone theme", slug="gone-theme")],
        places=[make_place("xylogone village", slug="gone-village")],
    )
    if audience == "researcher":
        client.force_login(make_researcher())
    elif audience == "archivist":
        client.force_login(make_archivist())
    forbidden = {marker for marker, _fields in HIDDEN.values()} | {REDACTED, "xylogone"}
    forbidden |= {identifier_of(marker) for marker, _fields in HIDDEN.values()}
    forbidden |= {"gone-theme", "gone-village"}
    leaks = []
    for url in oai_addresses(collection):
        response = client.get(url)
        checked(response)
        text = response.content.decode().lower()
        leaks += [(url, w) for w in forbidden if w in text and w not in url.lower()]
    assert not leaks
    records = harvest(client, "ListRecords", metadataPrefix="oai_dc")
    headers = [h for r in records for h in r.iterfind(".//o:header", NS)]
    assert {
        h.findtext("o:identifier", namespaces=NS): h.get("status") for h in headers
    } == {
        oai_id(collection.public): None,
        oai_id(gone): "deleted",
    }


@pytest.mark.django_db(transaction=True)
def test_a_real_harvester_gets_exactly_the_public_and_the_deleted_records(
    live_server, settings
):
    from oaipmh_scythe import Scythe

    settings.TESTIMONY_OAI_PAGE_SIZE = 3
    region = make_place("Sumy Oblast", kind="region")
    theme = make_theme("Evacuation")
    public = [
        make_testimony(
            title=f"Public {n}",
            narrator=make_narrator(alias=f"Alias {n}"),
            themes=[theme],
            places=[make_place(f"Village {n}", parent=region)],
        )
        for n in range(8)
    ]
    gone = [once_public_withdrawn() for _ in range(2)]
    for fields in [
        {"status": S.DRAFT},
        {"access": A.RESEARCHERS},
        {"status": S.WITHDRAWN},
    ]:
        make_testimony(**fields)
    with Scythe(f"{live_server.url}{ENDPOINT}") as scythe:
        identify = scythe.identify()
        assert identify.repositoryName == "Testimony Archive"
        records = list(scythe.list_records(metadata_prefix="oai_dc"))
        assert sorted(r.header.identifier for r in records) == sorted(
            oai_id(t) for t in [*public, *gone]
        )
        deleted = {r.header.identifier for r in records if r.header.deleted}
        assert deleted == {oai_id(t) for t in gone}
        titles = {r.metadata["title"][0] for r in records if not r.header.deleted}
        assert titles == {f"Public {n}" for n in range(8)}
        headers = list(scythe.list_identifiers(set_="place:sumy-oblast"))
        assert sorted(h.identifier for h in headers) == sorted(
            oai_id(t) for t in public
        )
        specs = {s.setSpec for s in scythe.list_sets()}
        assert "place:sumy-oblast:village-7" in specs and "theme:evacuation" in specs
        formats = [f.metadataPrefix for f in scythe.list_metadata_formats()]
        assert formats == ["oai_dc"]
        record = scythe.get_record(identifier=oai_id(public[0]))
        assert record.metadata["creator"] == ["Alias 0"]


def test_the_rule_for_deleted_records_stands_beside_visibility():
    """``withdrawn_after_publication`` names only what the public could read."""
    once_public = once_public_withdrawn()
    make_testimony(status=S.WITHDRAWN)
    assert list(Testimony.objects.withdrawn_after_publication()) == [once_public]
    assert not Testimony.objects.visible_to(AnonymousUser()).filter(pk=once_public.pk)

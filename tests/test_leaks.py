"""The leak suite: every surface, every kind of hidden record, every audience.

Each hidden testimony carries a made-up marker word in everything it has (identifier,
title, summary, text, translation, narrator alias, its own theme and place, photo
caption, document title, recording title), and a recording as open as it may be,
so that only the testimony's state closes it. An anonymous visitor must never meet
any marker in any response; an approved researcher meets only the researcher-only
one. A public testimony hides a redacted word that nobody may meet on the site or
find by search, and two voices closer than its text (researchers, archivists).

Surfaces are walked from the address list below; the search page and the API join
it when their routes exist (``SEARCH`` and ``API`` below). Runs on SQLite and
PostgreSQL (scripts/with_postgres.py).
"""

import datetime
import io
import json
import re
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import Resolver404, resolve, reverse

from testimonies import public_copy
from testimonies.dates import archive_today
from testimonies.downloads import FORMATS as DOWNLOAD_FORMATS
from testimonies.models import (
    Recording,
    RedactedRange,
    Segment,
    Testimony,
    Transcript,
    Translation,
)
from testimonies.search import search
from testimonies.signals import testimonies_changed
from testimonies.timedtext import TimedCue
from testimonies.transcripts import write_cues

from .avsamples import loudness, make_converted
from .factories import (
    make_document,
    make_narrator,
    make_photo,
    make_place,
    make_recording,
    make_researcher,
    make_testimony,
    make_theme,
)

pytestmark = pytest.mark.django_db

S, A = Testimony.Status, Testimony.Access
#: The hidden kinds, each with its marker word (lower case: slugs are).
HIDDEN = {
    "draft": ("xylodraft", {"status": S.DRAFT}),
    "in_review": ("xyloreview", {"status": S.IN_REVIEW}),
    "withdrawn": ("xylowithdrawn", {"status": S.WITHDRAWN}),
    "restricted": ("xylorestricted", {"access": A.RESTRICTED}),
    "researchers": ("xyloresearch", {"access": A.RESEARCHERS}),
    # Published and public, but under an embargo to the end of today.
    "sealed": ("xylosealed", {"sealed_until": archive_today()}),
}
REDACTED = "xyloredacted"
#: The markers the public testimony's hidden voices say (see ``speak``).
SPOKEN = {HIDDEN["researchers"][0], HIDDEN["restricted"][0]}
SEARCH = "/search/"
API = "/api/v1/testimonies/"
AUDIENCES = {
    # audience: markers it may meet
    "anonymous": set(),
    "researcher": {"xyloresearch"},
}


def identifier_of(marker):
    """The hidden testimony's identifier: no marker in it, as addresses holding it
    are echoed back (a 404 page shows the path), yet just as distinctive."""
    return marker.replace("xylo", "quonk")


def route_exists(path):
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


class Collection:
    """One public testimony and one of every hidden kind, sharing a theme and a
    place, with photos, documents and translations."""

    def __init__(self):
        self.shared_theme = make_theme("Shared theme")
        self.shared_place = make_place("Shared village", kind="settlement")
        self.public = make_testimony(
            identifier="OPEN-1",
            title=f"Open testimony [[{REDACTED}]]",
            summary=f"Open summary of [[{REDACTED}'s]] drive.",
            body=f"The driver [[{REDACTED} Petrov]] took us out at dawn.",
            language="en",
            consent="given",
            consent_scope="public",
            themes=[self.shared_theme, make_theme("Open theme")],
            places=[self.shared_place],
        )
        Translation.objects.create(
            testimony=self.public,
            language="uk",
            title=f"Відкрите свідчення [[{REDACTED}]]",
            body=f"Водій [[{REDACTED}]] вивіз нас.",
        )
        self.files = {"public": self.attach(self.public, "open")}
        # The text is public; these voices are not (a voice identifies).
        self.voices = {
            access: make_recording(self.public, access=access)
            for access in (A.RESEARCHERS, A.RESTRICTED)
        }
        # What each voice says carries the marker of those who may hear it.
        self.files["hidden voices"] = [
            url
            for access, marker in [
                (A.RESEARCHERS, HIDDEN["researchers"][0]),
                (A.RESTRICTED, HIDDEN["restricted"][0]),
            ]
            for url in (
                self.voices[access].file.url,
                speak(self.voices[access], marker),
            )
        ]
        # A public voice with a range nobody but archivists may hear: its
        # words are the redacted marker, its sound silenced in the copy played.
        self.redacted_voice = make_recording(self.public, seconds=4, access=A.PUBLIC)
        self.files["redacted voice"] = [
            self.redacted_voice.file.url,
            speak_redacted(self.redacted_voice),
        ]
        self.hidden = {}
        self.themes, self.places = {}, {}
        for number, (kind, (marker, fields)) in enumerate(HIDDEN.items()):
            # Slugs without the marker: an address a visitor typed is echoed back
            # (canonical links, filter chips); the tag's name must not be.
            theme = make_theme(f"{marker} theme", slug=f"hidden-theme-{number}")
            place = make_place(
                f"{marker} village",
                slug=f"hidden-place-{number}",
                parent=self.shared_place,
            )
            testimony = make_testimony(
                identifier=identifier_of(marker),
                title=f"{marker} title",
                summary=f"{marker} summary",
                body=f"{marker} body about the shared road",
                language="ja",
                consent="given",
                consent_scope="public",
                narrator=make_narrator(alias=f"{marker} narrator"),
                themes=[self.shared_theme, theme],
                places=[place],
                **fields,
            )
            Translation.objects.create(
                testimony=testimony, language="uk", title=f"{marker} translation"
            )
            self.hidden[kind] = testimony
            self.themes[kind], self.places[kind] = theme, place
            self.files[kind] = self.attach(testimony, marker)

    @staticmethod
    def attach(testimony, marker):
        photo = make_photo(testimony, alt_text=f"{marker} alt", caption=f"{marker} cap")
        document = make_document(testimony, title=f"{marker} document")
        # As open as its testimony allows: only the testimony's state hides it.
        recording = make_recording(
            testimony, title=f"{marker} recording", access=testimony.access
        )
        urls = [photo.image.url, photo.thumbnail.url, document.file.url]
        return [*urls, recording.file.url, speak(recording, marker)]

    def urls(self):
        """Every address a visitor or a crawler may try, with what is known."""
        theme_slugs = [self.shared_theme.slug, *(t.slug for t in self.themes.values())]
        place_slugs = [self.shared_place.slug, *(p.slug for p in self.places.values())]
        testimonies = [self.public, *self.hidden.values()]
        urls = ["/", "/testimonies/", "/testimonies/?sort=published", "/themes/"]
        urls += ["/themes.ttl", "/themes.csv", "/places.ttl", "/places.csv"]
        urls += ["/places/", "/feeds/latest/", "/robots.txt", "/sitemap.xml"]
        urls += [f"/sitemap-{name}.xml" for name in self.sitemap_sections()]
        urls += ["/testimonies/?language=ja", "/testimonies/?language=uk"]
        # Browse filtered by a hidden tag: test_browse_filter_by_a_hidden_tag_*.
        urls += [f"/testimonies/?theme={self.shared_theme.slug}"]
        urls += [f"/testimonies/?place={self.shared_place.slug}"]
        urls += [f"/themes/{slug}/" for slug in theme_slugs]
        urls += [f"/places/{slug}/" for slug in place_slugs]
        # Maps of places (docs/maps.md): the page and the GeoJSON behind each map.
        urls += ["/map/", "/places.geojson"]
        urls += [f"/places.geojson?within={slug}" for slug in place_slugs]
        urls += [f"/places.geojson?testimony={t.identifier}" for t in testimonies]
        for testimony in testimonies:
            page = testimony.get_absolute_url()
            urls += [page, f"{page}?lang=uk", f"{page}takedown/"]
            # The page with a search marked, as passages link to it.
            urls += [f"{page}?q=body", f"{page}?{urlencode({'q': 'shared'})}#p1"]
        for files in self.files.values():
            urls += files
        # Searches for the markers themselves echo them: test_search_* cover those.
        if route_exists(SEARCH):
            urls += [f"{SEARCH}?q=shared", f"{SEARCH}?q=driver", f"{SEARCH}?q=body"]
            urls += [f"{SEARCH}?theme={self.shared_theme.slug}"]
            urls += [f"{SEARCH}?place={self.shared_place.slug}"]
            urls += [f"{SEARCH}?language=ja", f"{SEARCH}?q=body&language=ja"]
        if route_exists(API):
            urls += [API, f"{API}?language=ja", f"{API}?q=shared", f"{API}?q=body"]
            urls += [f"{API}?{urlencode({'theme': s})}" for s in theme_slugs]
            # Several values at once (passages and "matched" ride in every hit).
            several = urlencode({"theme": theme_slugs[:2], "q": "body"}, doseq=True)
            urls += [f"{API}?{several}", f"{SEARCH}?{several}"]
            urls += [f"{API}{t.identifier}/" for t in testimonies]
        # Downloads of whole result sets, in every format (test_downloads.py).
        for name in DOWNLOAD_FORMATS:
            urls += [f"/testimonies/?format={name}", f"{SEARCH}?q=body&format={name}"]
            urls += [f"{SEARCH}?q=shared&format={name}&language=ja"]
            urls += [f"{API}?q=body&format={name}", f"{API}?format={name}"]
        # OAI-PMH for harvesters: public only, whoever asks (tests/test_oai.py).
        if route_exists("/oai/"):
            from testimonies.oai.protocol import oai_identifier
            from testimonies.oai.sets import Vocabularies

            vocabularies = Vocabularies()
            specs = [
                vocabularies.spec("theme", self.shared_theme.pk),
                vocabularies.spec("place", self.shared_place.pk),
            ]
            queries = [{"verb": "Identify"}, {"verb": "ListSets"}]
            for verb in ["ListIdentifiers", "ListRecords"]:
                queries += [{"verb": verb, "metadataPrefix": "oai_dc"}]
                queries += [
                    {"verb": verb, "metadataPrefix": "oai_dc", "set": spec}
                    for spec in specs
                ]
            queries += [
                {
                    "verb": "GetRecord",
                    "metadataPrefix": "oai_dc",
                    "identifier": oai_identifier(t.identifier),
                }
                for t in testimonies
            ]
            urls += [f"/oai/?{urlencode(query)}" for query in queries]
        return urls

    @staticmethod
    def sitemap_sections():
        from testimonies.views.sitemaps import SITEMAPS

        return list(SITEMAPS)


def speak(recording, marker):
    """A transcript and a segment of ``recording`` saying ``marker``, and a
    redacted word, written as the admin and the import write them (telling the
    search index); the address of its captions."""
    transcript = Transcript.objects.create(recording=recording, language="uk")
    text = f"{marker} {marker}spoken cue about the shared road, [[{REDACTED}]]"
    write_cues(transcript, [TimedCue(0, 500, text, f"{marker} speaker")])
    Segment.objects.create(
        recording=recording,
        start_ms=0,
        end_ms=500,
        language="uk",
        title=f"{marker} segment",
        synopsis=f"[[{REDACTED}]] drove",
        keywords=[f"{marker}keyword"],
    )
    testimonies_changed.send(sender=Testimony, ids=[recording.testimony_id])
    return reverse(
        "testimonies:captions",
        args=[recording.testimony.identifier, recording.pk, "uk"],
    )


def speak_redacted(recording):
    """A transcript of ``recording`` whose second cue lies in a redacted range
    and says the redacted marker; the address of its captions."""
    RedactedRange.objects.create(recording=recording, start_ms=1000, end_ms=2400)
    transcript = Transcript.objects.create(recording=recording, language="en")
    cues = [
        TimedCue(0, 900, "On the shared road at dawn.", ""),
        TimedCue(1000, 2400, f"The neighbour {REDACTED} drove us.", f"{REDACTED}"),
    ]
    write_cues(transcript, cues)
    testimonies_changed.send(sender=Testimony, ids=[recording.testimony_id])
    return reverse(
        "testimonies:captions",
        args=[recording.testimony.identifier, recording.pk, "en"],
    )


@pytest.fixture
def collection():
    return Collection()


def login(client, audience):
    if audience == "researcher":
        client.force_login(make_researcher())
    return client


def forbidden_markers(audience):
    markers = {marker for marker, _ in HIDDEN.values()} - AUDIENCES[audience]
    return markers | {REDACTED}


def content(response):
    if getattr(response, "streaming", False):
        data = b"".join(response.streaming_content)
    else:
        data = response.content
    return data.decode("utf-8", errors="replace").lower()


@pytest.mark.parametrize("audience", AUDIENCES)
def test_no_surface_shows_what_the_audience_may_not_see(client, collection, audience):
    login(client, audience)
    forbidden = forbidden_markers(audience)
    forbidden |= {identifier_of(marker) for marker in forbidden}
    leaks, errors = [], []
    for url in collection.urls():
        response = client.get(url)
        if response.status_code >= 500:
            errors.append(f"{url}: {response.status_code}")
        text = content(response)
        leaks += [
            f"{url}: {word}"
            for word in forbidden
            if word in text and word not in url.lower()
        ]
    assert not errors
    assert not leaks


@pytest.mark.parametrize("audience", AUDIENCES)
def test_each_testimony_answers_with_the_right_status(client, collection, audience):
    login(client, audience)
    may_read = AUDIENCES[audience]
    assert client.get(collection.public.get_absolute_url()).status_code == 200
    for kind, testimony in collection.hidden.items():
        marker = HIDDEN[kind][0]
        expected = 200 if marker in may_read else 410 if kind == "withdrawn" else 404
        for url in [testimony.get_absolute_url(), *collection.files[kind]]:
            assert client.get(url).status_code == expected, (url, expected)
        takedown = reverse("testimonies:takedown", args=[testimony.identifier])
        assert client.get(takedown).status_code == (200 if expected == 200 else 404)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_a_voice_closer_than_its_public_text_stays_closed(client, collection, audience):
    login(client, audience)
    for access, recording in collection.voices.items():
        hears = audience == "researcher" and access == A.RESEARCHERS
        for headers in ({}, {"HTTP_RANGE": "bytes=0-99"}):
            response = client.get(recording.file.url, **headers)
            expected = (206 if headers else 200) if hears else 404
            assert response.status_code == expected, (access, headers)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_a_redacted_range_is_silent_for_all_but_archivists(
    client, collection, audience, tmp_path
):
    login(client, audience)
    voice = collection.redacted_voice
    page_url = collection.public.get_absolute_url()
    # Until its copy is made, nothing of the voice is played.
    assert "being prepared" in content(client.get(page_url))
    assert client.get(voice.file.url).status_code == 404
    assert public_copy.refresh(voice.pk) == "made"
    voice.refresh_from_db()
    page = content(client.get(page_url))
    assert voice.public_file.url.lower() in page
    assert voice.file.url.lower() not in page
    for headers in ({}, {"HTTP_RANGE": "bytes=0-99"}):
        assert client.get(voice.file.url, **headers).status_code == 404
    assert client.get(voice.public_file.url, HTTP_RANGE="bytes=0-99").status_code == 206
    played = tmp_path / "played.m4a"
    played.write_bytes(content_bytes(client.get(voice.public_file.url)))
    assert loudness(played, 1.1, 2.3) < -60  # -91 is digital silence
    assert loudness(played, 0.1, 0.8) > -30


@pytest.mark.parametrize("audience", AUDIENCES)
def test_a_file_browsers_cannot_play_reaches_only_archivists(
    client, collection, audience, tmp_path
):
    """Kept as it came (its container may carry what cleaning could not reach),
    while everyone else hears the converted copy."""
    source = make_converted(tmp_path / "card.avi")
    recording = Recording(
        testimony=collection.public,
        access=A.PUBLIC,
        file=SimpleUploadedFile("card.avi", source.read_bytes()),
    )
    recording.save()
    login(client, audience)
    assert client.get(recording.file.url).status_code == 404
    assert public_copy.refresh(recording.pk) == "made"
    recording.refresh_from_db()
    for headers in ({}, {"HTTP_RANGE": "bytes=0-99"}):
        assert client.get(recording.file.url, **headers).status_code == 404
    assert client.get(recording.public_file.url).status_code == 200


def content_bytes(response):
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_browse_filter_by_a_hidden_tag_answers_like_an_unknown_one(
    client, collection, audience
):
    login(client, audience)
    lists = ["/testimonies/"] + [url for url in [SEARCH, API] if route_exists(url)]
    for kind, (marker, _fields) in HIDDEN.items():
        if marker in AUDIENCES[audience]:
            continue
        for name, tag in [("theme", collection.themes), ("place", collection.places)]:
            for url in lists:
                page = content(client.get(url, {name: tag[kind].slug}))
                assert marker not in page, (url, name, kind)
                assert f"there is no {name}" in page, (url, name, kind)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_the_old_address_of_a_merged_tag_answers_as_the_kept_ones_page(
    client, collection, audience
):
    from testimonies.admin.merging import merge_tags

    login(client, audience)
    for number, (kind, (marker, _fields)) in enumerate(HIDDEN.items()):
        for kept, make, prefix in [
            (collection.themes[kind], make_theme, "themes"),
            (collection.places[kind], make_place, "places"),
        ]:
            merge_tags(kept, [make(f"Merged away {number}", slug=f"old-{number}")])
            own = client.get(f"/{prefix}/{kept.slug}/").status_code
            response = client.get(f"/{prefix}/old-{number}/")
            assert response.status_code == (301 if own == 200 else 404), kind
            assert (own == 200) == (marker in AUDIENCES[audience]), kind
            assert marker not in content(response)


def test_researchers_do_read_what_is_open_to_them(client, collection):
    login(client, "researcher")
    researchers = collection.hidden["researchers"]
    for url in [researchers.get_absolute_url(), "/testimonies/", "/themes/"]:
        assert "xyloresearch" in content(client.get(url)), url
    for url in collection.files["researchers"]:
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("audience", AUDIENCES)
def test_tag_counts_count_only_what_the_audience_sees(client, collection, audience):
    login(client, audience)
    expected = 1 + len(AUDIENCES[audience])
    themes = client.get("/themes/").context["tree"]
    assert themes.get(collection.shared_theme.slug).count == expected
    places = client.get("/places/").context["tree"]
    assert places.get(collection.shared_place.slug).count == expected
    assert client.get("/").context["total"] == expected
    browse = client.get(f"/testimonies/?theme={collection.shared_theme.slug}")
    assert browse.context["paginator"].count == expected
    for kind, theme in collection.themes.items():
        visible = HIDDEN[kind][0] in AUDIENCES[audience]
        assert (themes.get(theme.slug) is not None) == visible, kind


@pytest.mark.parametrize("audience", AUDIENCES)
def test_related_testimonies_are_visible_ones(client, collection, audience):
    login(client, audience)
    related = client.get(collection.public.get_absolute_url()).context["related"]
    expected = {
        collection.hidden[k].pk for k in ["researchers"] if audience != "anonymous"
    }
    assert {t.pk for t in related} == expected


def test_feed_and_sitemap_are_for_everyone_whoever_asks(client, collection):
    login(client, "researcher")
    for url in ["/feeds/latest/", *(f"/sitemap-{s}.xml" for s in ["testimonies"])]:
        text = content(client.get(url))
        assert "open-1" in text
        assert "xyloresearch" not in text and REDACTED not in text


def test_admin_is_closed_to_non_staff(client, collection):
    draft = collection.hidden["draft"]
    urls = [
        "/admin/",
        reverse("admin:testimonies_testimony_changelist"),
        reverse("admin:testimonies_testimony_change", args=[draft.pk]),
        reverse("admin:testimonies_takedownrequest_changelist"),
    ]
    for audience in AUDIENCES:
        login(client, audience)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 302, (audience, url)
            assert "/login/" in response["Location"]
            assert "xylodraft" not in content(response)


def test_search_finds_nothing_hidden_in_the_queryset(collection):
    """The rule below every search surface: ``search(visible_to(...), query)``."""
    researcher = make_researcher("searching-researcher")
    for audience, user in [("anonymous", None), ("researcher", researcher)]:
        visible = Testimony.objects.visible_to(user)
        for marker, _fields in HIDDEN.values():
            found = {t.identifier for t in search(visible, marker)}
            expected = (
                {identifier_of(marker)} if marker in AUDIENCES[audience] else set()
            )
            if marker in AUDIENCES[audience] and marker in SPOKEN:
                # The public testimony's voice for researchers says it too.
                expected.add(collection.public.identifier)
            assert found == expected, (audience, marker)
            # The words of a voice one may not hear: neither found, nor
            # excluded (a search of the public text without them would
            # otherwise tell they are spoken).
            for word in (f"{marker}keyword", f"{marker}spoken"):
                spoken = {t.identifier for t in search(visible, word)}
                assert spoken == expected, (audience, word)
            without = {t.identifier for t in search(visible, f"driver -{marker}")}
            assert without == (
                set()
                if marker in AUDIENCES[audience] and marker in SPOKEN
                else {collection.public.identifier}
            ), (audience, marker)
        assert not search(visible, REDACTED)
        assert not search(Testimony.objects.all(), REDACTED)  # nor for archivists
        hits = search(visible, "driver")
        assert [t.identifier for t in hits] == ["OPEN-1"]
        facets = hits.facets()
        assert REDACTED not in str(facets).lower()


@pytest.mark.skipif(not route_exists(SEARCH), reason="no search page yet")
@pytest.mark.parametrize("audience", AUDIENCES)
def test_search_page_counts_and_facets(client, collection, audience):
    login(client, audience)
    expected = 1 + len(AUDIENCES[audience])
    response = client.get(SEARCH, {"q": "shared"})
    assert response.status_code == 200
    text = content(response)
    for marker in forbidden_markers(audience):
        assert marker not in text
    response = client.get(SEARCH, {"theme": collection.shared_theme.slug})
    assert re.search(rf"\b{expected} testimon", content(response))
    for word in [
        REDACTED,
        *(m for m, _ in HIDDEN.values() if m not in AUDIENCES[audience]),
    ]:
        assert "open-1" not in content(client.get(SEARCH, {"q": word}))


@pytest.mark.skipif(not route_exists(API), reason="no API yet")
@pytest.mark.parametrize("audience", AUDIENCES)
def test_api_counts_and_facets(client, collection, audience):
    login(client, audience)
    expected = 1 + len(AUDIENCES[audience])
    data = client.get(API, {"theme": collection.shared_theme.slug}).json()
    assert data["count"] == expected
    shared = [
        f for f in data["facets"]["themes"] if f["slug"] == collection.shared_theme.slug
    ]
    assert shared and shared[0]["count"] == expected
    languages = {f["code"]: f["count"] for f in data["facets"]["languages"]}
    assert languages.get("ja", 0) == expected - 1
    assert client.get(API, {"q": REDACTED}).json()["count"] == 0
    detail = client.get(f"{API}{collection.public.identifier}/").json()
    assert REDACTED not in json.dumps(detail, ensure_ascii=False).lower()
    hidden = collection.hidden["draft"].identifier
    assert client.get(f"{API}{hidden}/").status_code == 404


def test_public_export_holds_only_what_anonymous_visitors_read(collection):
    out = io.StringIO()
    call_command("export_testimonies", "--public", stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert [json.loads(line)["identifier"] for line in text.splitlines()] == ["OPEN-1"]
    for marker in forbidden_markers("anonymous"):
        assert marker not in text.lower()
    full = io.StringIO()
    call_command("export_testimonies", stdout=full, stderr=io.StringIO())
    assert REDACTED in full.getvalue() and "xylodraft" in full.getvalue()


DAY = datetime.timedelta(days=1)


@pytest.mark.parametrize(
    ("sealed_until", "open_today"),
    [(DAY, False), (0 * DAY, False), (-DAY, True)],
    ids=["the day before", "the last day", "the day after"],
)
@pytest.mark.parametrize("audience", AUDIENCES)
def test_an_embargo_ends_by_itself_the_day_after(
    client, collection, audience, sealed_until, open_today
):
    """Sealed until D: hidden on D-1 and on D, on every surface; open on D+1."""
    login(client, audience)
    sealed = collection.hidden["sealed"]
    Testimony.objects.filter(pk=sealed.pk).update(
        sealed_until=archive_today() + sealed_until
    )
    leaks, missing = [], []
    for url in collection.urls():
        response = client.get(url)
        assert response.status_code < 500, url
        (missing if open_today else leaks).append(
            ("xylosealed" in content(response), url)
        )
    if open_today:
        # Every listing that shows the shared road now shows it too.
        assert any(found for found, _url in missing)
        page = client.get(sealed.get_absolute_url())
        assert page.status_code == 200
        for url in collection.files["sealed"]:
            assert client.get(url).status_code == 200
        assert client.get(API, {"q": "xylosealed"}).json()["count"] == 1
    else:
        assert not [url for found, url in leaks if found and "xylo" not in url]
        assert client.get(sealed.get_absolute_url()).status_code == 404
        assert client.get(API, {"q": "xylosealed"}).json()["count"] == 0


@pytest.mark.parametrize(
    ("zone", "open_now"),
    [("Pacific/Kiritimati", True), ("UTC", False), ("Pacific/Pago_Pago", False)],
)
def test_the_embargo_day_is_the_archives_day(client, monkeypatch, zone, open_now):
    """At 11:00 UTC on 1 December it is already 2 December at UTC+14: an embargo
    "until 1 December" has ended there, and not yet at UTC or UTC-11."""
    from django.utils import timezone

    moment = datetime.datetime(2026, 12, 1, 11, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    testimony = make_testimony(
        identifier="SEALED-TZ",
        title="xylozone title",
        sealed_until=datetime.date(2026, 12, 1),
    )
    with override_settings(TIME_ZONE=zone):
        response = client.get(testimony.get_absolute_url())
        listed = "xylozone" in content(client.get("/testimonies/"))
    assert (response.status_code == 200) == open_now
    assert listed == open_now


def test_archivists_see_and_filter_what_is_sealed(client, collection):
    from .factories import make_archivist

    client.force_login(make_archivist())
    sealed = collection.hidden["sealed"]
    page = client.get(sealed.get_absolute_url())
    assert page.status_code == 200
    assert "sealed until" in content(page)  # the notice, so nobody quotes it
    assert "sealed until" in content(client.get("/testimonies/"))  # the badge
    changelist = reverse("admin:testimonies_testimony_changelist")
    page = content(client.get(changelist, {"embargo": "sealed"}))
    assert sealed.identifier.lower() in page
    assert "sealed until" in page
    assert collection.public.identifier.lower() not in page
    never = content(client.get(changelist, {"embargo": "none"}))
    assert sealed.identifier.lower() not in never
    assert collection.public.identifier.lower() in never


def test_search_notices_midnight_without_any_write(client, monkeypatch):
    """The hit sets kept in memory (SQLite) belong to a data version; an embargo
    ending at midnight changes no data, yet must open the testimony to search."""
    from django.utils import timezone

    testimony = make_testimony(
        identifier="SEALED-MIDNIGHT", title="xylomidnight", sealed_until=archive_today()
    )
    assert client.get(API, {"q": "xylomidnight"}).json()["count"] == 0
    tomorrow = timezone.now() + DAY
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)
    found = client.get(API, {"q": "xylomidnight"}).json()
    assert [hit["identifier"] for hit in found["results"]] == [testimony.identifier]
    assert client.get("/search/", {"q": "xylomidnight"}).status_code == 200


@pytest.mark.parametrize("audience", AUDIENCES)
def test_an_empty_answer_takes_as_long_whatever_hides_behind_it(
    client, collection, audience, settings
):
    """A word only hidden testimonies contain must not answer later than a word
    nobody wrote: every empty answer is held to the same floor."""
    import time

    settings.TESTIMONY_SEARCH_EMPTY_ANSWER_SECONDS = 0.05
    login(client, audience)
    hidden = [m for m in forbidden_markers(audience) if m != REDACTED]
    for word in [*hidden, REDACTED, "nobodywrotethis"]:
        for url in [SEARCH, API]:
            started = time.perf_counter()
            response = client.get(url, {"q": word})
            assert time.perf_counter() - started >= 0.05, (url, word)
            assert "open-1" not in content(response)

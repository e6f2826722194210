"""The first public pages: a list of testimonies and a page to read one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from testimonies.models import Testimony

from .factories import make_researcher, make_testimony

pytestmark = pytest.mark.django_db


def test_list_shows_published_public_testimonies_only(client):
    make_testimony(title="Nine days in the basement")
    make_testimony(title="Unfinished draft", status=Testimony.Status.DRAFT)
    make_testimony(title="For researchers", access=Testimony.Access.RESEARCHERS)
    make_testimony(title="Taken down", status=Testimony.Status.WITHDRAWN)
    page = client.get("/testimonies/").content.decode()
    assert "Nine days in the basement" in page
    for hidden in ["Unfinished draft", "For researchers", "Taken down"]:
        assert hidden not in page


def test_researcher_sees_researcher_only_testimonies(client):
    make_testimony(title="For researchers", access=Testimony.Access.RESEARCHERS)
    client.force_login(make_researcher())
    assert "For researchers" in client.get("/testimonies/").content.decode()


def test_home_lists_recent_testimonies(client):
    make_testimony(title="Road closed at the checkpoint")
    response = client.get("/")
    assert response.status_code == 200
    assert "Road closed at the checkpoint" in response.content.decode()


def test_detail_shows_text_with_markup_as_text(client):
    testimony = make_testimony(
        title="Drones over the road", body="<script>alert(1)</script>\n\nSecond part"
    )
    page = client.get(testimony.get_absolute_url()).content.decode()
    assert "&lt;script&gt;" in page and "<script>alert" not in page
    assert '<p id="p2">Second part</p>' in page  # numbered for passages


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Testimony.Status.DRAFT},
        {"status": Testimony.Status.IN_REVIEW},
        {"access": Testimony.Access.RESTRICTED},
        {"access": Testimony.Access.RESEARCHERS},
    ],
)
def test_detail_of_non_public_testimony_is_not_found(client, fields):
    testimony = make_testimony(**fields)
    assert client.get(testimony.get_absolute_url()).status_code == 404


def test_unknown_identifier_is_not_found(client):
    assert client.get("/testimonies/NO-SUCH-ID/").status_code == 404


def test_list_queries_do_not_grow_with_rows(client):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/testimonies/").status_code == 200
        return len(queries)

    make_testimony(themes=["Drones"], places=["Sumy"])
    few = count_queries()
    for number in range(15):
        make_testimony(themes=[f"Theme {number}"], places=[f"Place {number}"])
    assert count_queries() == few


# The reading site (issue 4): home, the testimony page, languages, error pages.

import datetime  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
from html.parser import HTMLParser  # noqa: E402

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.views.defaults import server_error  # noqa: E402
from PIL import Image  # noqa: E402

from testimonies.dates import DatePrecision  # noqa: E402
from testimonies.models import Photo, Source, Translation  # noqa: E402

from .factories import (  # noqa: E402
    make_archivist,
    make_narrator,
    make_place,
    make_theme,
)

S = Testimony.Status
A = Testimony.Access

HIDDEN_KINDS = [
    {"status": S.DRAFT},
    {"status": S.IN_REVIEW},
    {"status": S.WITHDRAWN},
    {"access": A.RESTRICTED},
    {"access": A.RESEARCHERS},
]


def png(name="photo.png", size=(40, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 90, 60)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def make_photo(testimony, number=0, **fields):
    fields.setdefault("alt_text", f"A cellar door with a chalk mark {number}")
    fields.setdefault("caption", f"The shelter under the school {number}")
    return Photo.objects.create(
        testimony=testimony, image=png(f"p{number}.png"), position=number, **fields
    )


def html(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


class TestHome:
    def test_counts_recent_and_entry_points_show_only_visible(self, client):
        region = make_place("Kursk Oblast", kind="region")
        sudzha = make_place("Sudzha", parent=region)
        drones = make_theme("Drones")
        make_testimony(title="Night of the drones", themes=[drones], places=[sudzha])
        make_testimony(title="Second public", language="ru")
        make_testimony(title="Secret draft", status=S.DRAFT, themes=[drones])
        page = html(client.get("/"))
        assert "Night of the drones" in page and "Second public" in page
        assert "Secret draft" not in page
        counts = dict(re.findall(r"<dt>(\w+)</dt><dd>(\d+)</dd>", page))
        assert counts == {"Testimonies": "2", "Languages": "2", "Themes": "1"}
        assert reverse("testimonies:theme", args=[drones.slug]) in page
        assert reverse("testimonies:place", args=[region.slug]) in page

    def test_recently_published_is_not_all_one_language(self, client):
        now = timezone.now()
        for number in range(8):
            make_testimony(
                identifier=f"JA-NEW-{number}",
                language="ja",
                published_at=now - datetime.timedelta(hours=number),
            )
        for language, days in (("en", 3), ("ru", 5)):
            make_testimony(
                identifier=f"{language.upper()}-OLDER",
                language=language,
                published_at=now - datetime.timedelta(days=days),
            )
        page = html(client.get("/"))
        recent = page[page.index('id="recent-heading"') :]
        shown = re.findall(r'class="identifier">([^<]+)<', recent)
        assert len(shown) == 6
        assert shown[:3] == ["JA-NEW-0", "EN-OLDER", "RU-OLDER"]
        assert shown[3:] == ["JA-NEW-1", "JA-NEW-2", "JA-NEW-3"]

    def test_home_has_search_box_and_entry_links(self, client):
        page = html(client.get("/"))
        assert 'action="/search/"' in page and 'name="q"' in page
        assert '<label for="site-search-q">' in page
        for name in ["list", "themes", "places"]:
            assert f'href="{reverse("testimonies:" + name)}"' in page


class TestTestimonyPage:
    def test_content_warning_comes_before_the_text_which_waits_in_details(self, client):
        testimony = make_testimony(
            summary="What the night was like.",
            body="We counted the explosions.",
            content_warnings=["shelling", "death"],
        )
        page = html(client.get(testimony.get_absolute_url()))
        page = page[page.index("<main") :]
        warning = page.index("Content warning")
        opened, closed = page.index("<details"), page.index("</details>")
        assert "shelling and explosions" in page[warning:opened]
        assert warning < opened < page.index("We counted the explosions.") < closed
        assert opened < page.index("What the night was like.") < closed
        assert "<summary>" in page[opened:closed]

    def test_without_warnings_the_text_is_shown_directly(self, client):
        testimony = make_testimony(body="Plain account.")
        page = html(client.get(testimony.get_absolute_url()))
        assert "<details" not in page and "Plain account." in page

    def test_paragraphs_are_kept_and_markup_is_text(self, client):
        testimony = make_testimony(
            body='First <b onclick="x()">bold</b>\n\nSecond\nline', title="<i>T</i>"
        )
        page = html(client.get(testimony.get_absolute_url()))
        assert (
            '<p id="p1">First &lt;b onclick=&quot;x()&quot;&gt;bold&lt;/b&gt;</p>'
            in page
        )
        assert '<p id="p2">Second<br>line</p>' in page
        assert "<i>T</i>" not in page and "&lt;i&gt;T&lt;/i&gt;" in page

    def test_narrator_public_profile_never_private_fields(self, client):
        home = make_place("Velyka Pysarivka", names={"uk": "Велика Писарівка"})
        narrator = make_narrator(
            alias="Halyna P.",
            age_group="60_74",
            gender="female",
            role="teacher",
            home_place=home,
            profile="Taught in the village school for thirty years.",
            real_name="Zzyzx Realname",
            contact="zzyzx@example.invalid",
            private_notes="PRIVATE-NOTE-MARKER",
        )
        testimony = make_testimony(narrator=narrator)
        make_testimony(narrator=narrator, title="Second by the same narrator")
        pages = [
            html(client.get(url))
            for url in [testimony.get_absolute_url(), "/", "/testimonies/"]
        ]
        detail = pages[0]
        for shown in ["Halyna P.", "60–74", "female", "teacher", "thirty years"]:
            assert shown in detail
        assert reverse("testimonies:place", args=[home.slug]) in detail
        for page in pages:
            for secret in ["Zzyzx", "zzyzx@example", "PRIVATE-NOTE-MARKER"]:
                assert secret not in page

    @pytest.mark.parametrize(
        "recorded_on, precision, shown, absent",
        [
            ("2024-08-01", DatePrecision.MONTH, "August 2024", "Aug. 1"),
            ("2024-01-01", DatePrecision.YEAR, "2024", "January"),
            ("2024-08-20", DatePrecision.DAY, "August 20, 2024", "August 2024"),
        ],
    )
    def test_recorded_date_at_its_precision(
        self, client, recorded_on, precision, shown, absent
    ):
        testimony = make_testimony(
            recorded_on=datetime.date.fromisoformat(recorded_on),
            recorded_precision=precision,
        )
        page = html(client.get(testimony.get_absolute_url()))
        facts = page[page.index("Recorded</dt>") :][:200]
        assert shown in facts and absent not in facts

    def test_places_with_hierarchy_and_themes_link_to_their_pages(self, client):
        region = make_place("Kursk Oblast", kind="region")
        district = make_place("Sudzhansky District", kind="district", parent=region)
        sudzha = make_place("Sudzha", parent=district)
        theme = make_theme("Shelter in basements")
        testimony = make_testimony(places=[sudzha], themes=[theme])
        page = html(client.get(testimony.get_absolute_url()))
        links = [
            reverse("testimonies:place", args=[place.slug])
            for place in [sudzha, district, region]
        ]
        positions = [page.index(f'href="{link}"') for link in links]
        assert positions == sorted(positions), "settlement, then district, region"
        assert f'href="{reverse("testimonies:theme", args=[theme.slug])}"' in page

    def test_source_and_rights(self, client):
        source = Source.objects.create(
            title="Border villages oral history project",
            interviewer="Field team 3",
            rights="Shared under the narrator's consent for public reading.",
            licence="CC BY-NC 4.0",
        )
        page = html(client.get(make_testimony(source=source).get_absolute_url()))
        for shown in [source.title, "Field team 3", "CC BY-NC 4.0", "public reading"]:
            assert shown in page

    def test_photos_have_alt_text_captions_and_link_to_the_large_image(self, client):
        testimony = make_testimony()
        photo = make_photo(testimony, credit="Volunteer archive")
        page = html(client.get(testimony.get_absolute_url()))
        assert f'alt="{photo.alt_text}"' in page
        assert photo.caption in page and "Volunteer archive" in page
        assert f'<a href="{photo.image.url}"><img' in page

    def test_translation_switcher_shows_the_chosen_translation_and_its_kind(
        self, client
    ):
        testimony = make_testimony(
            title="Ночь в подвале", body="Мы сидели в подвале.", language="ru"
        )
        Translation.objects.create(
            testimony=testimony,
            language="en",
            title="A night in the basement",
            body="We sat in the basement.",
            kind=Translation.Kind.MACHINE,
        )
        Translation.objects.create(
            testimony=testimony,
            language="uk",
            title="Ніч у підвалі",
            body="Ми сиділи в підвалі.",
            translator="Volunteer translator",
        )
        url = testimony.get_absolute_url()
        original = html(client.get(url))
        assert "Мы сидели в подвале." in original
        assert 'href="?lang=en"' in original and 'href="?lang=uk"' in original
        assert "machine translation" in original and "human translation" in original

        english = html(client.get(url, {"lang": "en"}))
        assert "We sat in the basement." in english
        assert "Мы сидели в подвале." not in english
        assert '<h1 id="testimony-title" lang="en">A night in the basement' in english
        assert "You are reading a machine translation" in english

        ukrainian = html(client.get(url, {"lang": "uk"}))
        assert "Ми сиділи в підвалі." in ukrainian
        assert "Volunteer translator" in ukrainian

    @pytest.mark.parametrize("lang", ["de", "<script>", "x" * 500])
    def test_unknown_translation_falls_back_to_the_original(self, client, lang):
        testimony = make_testimony(body="Original words.")
        page = html(client.get(testimony.get_absolute_url(), {"lang": lang}))
        assert "Original words." in page
        assert "There is no translation into" in page and "<script>" not in page

    def test_citation_block(self, client):
        narrator = make_narrator(alias="Oleksii")
        testimony = make_testimony(
            identifier="SM-2024-017",
            title="The last bus",
            narrator=narrator,
            recorded_on=datetime.date(2024, 8, 1),
            recorded_precision=DatePrecision.MONTH,
        )
        page = html(client.get(testimony.get_absolute_url(), {"lang": "xx"}))
        citation = page[page.index('id="cite-heading"') :]
        url = "http://testserver/testimonies/SM-2024-017/"
        assert f'href="{url}"' in citation and "SM-2024-017" in citation
        today = timezone.localdate()
        assert f'datetime="{today.isoformat()}"' in citation
        assert (
            "Oleksii. “The last bus.” Testimony SM-2024-017, August 2024. "
            "Testimony Archive. Accessed" in citation
        )
        assert "@misc{SM-2024-017," in citation
        assert f"url = {{{url}}}," in citation
        assert f"urldate = {{{today.isoformat()}}}," in citation
        assert "date = {2024-08}," in citation

    def test_citation_adds_no_second_full_stop(self, client):
        narrator = make_narrator(alias="Valentina K.")
        testimony = make_testimony(
            identifier="SM-2024-018", title="Where was the bus?", narrator=narrator
        )
        page = html(client.get(testimony.get_absolute_url(), {"lang": "xx"}))
        citation = page[page.index('id="cite-heading"') :]
        assert "Valentina K. “Where was the bus?” Testimony SM-2024-018." in citation
        assert ".." not in citation.replace("...", "")

    def test_reference_managers_read_the_same_citation_from_the_page(self, client):
        narrator = make_narrator(alias="Oleksii", real_name="Fictional Real Name")
        testimony = make_testimony(
            identifier="SM-2024-017",
            title="The last bus [[from Ivan's yard]]",
            narrator=narrator,
            recorded_on=datetime.date(2024, 8, 1),
            recorded_precision=DatePrecision.MONTH,
            themes=[make_theme("Evacuation")],
            places=[make_place("Sumy")],
        )
        page = html(client.get(testimony.get_absolute_url()))
        found = EmbeddedMetadata()
        found.feed(page)
        url = "http://testserver/testimonies/SM-2024-017/"
        # What Zotero's "Embedded Metadata" translator reads.
        assert found.tags == {
            "citation_title": ["The last bus █████"],
            "citation_author": ["Oleksii"],
            "citation_date": ["2024/08"],
            "citation_publisher": ["Testimony Archive"],
            "citation_archive_id": ["SM-2024-017"],
            "citation_language": ["en"],
            "citation_public_url": [url],
            "citation_keywords": ["Evacuation", "Sumy"],
        }
        [data] = found.json_ld
        assert data["@type"] == "ArchiveComponent"
        assert data["name"] == found.tags["citation_title"][0]
        assert data["author"] == {"@type": "Person", "name": "Oleksii"}
        assert (data["dateCreated"], data["identifier"], data["url"]) == (
            "2024-08",
            "SM-2024-017",
            url,
        )
        assert data["holdingArchive"]["name"] == "Testimony Archive"
        # The same facts as the cite block's BibTeX.
        assert "date = {2024-08}," in page and f"url = {{{url}}}," in page
        assert "Fictional Real Name" not in page and "Ivan" not in page

    def test_embedded_metadata_cannot_end_its_block(self, client):
        title = "</script><script>alert(1)</script><!--"
        testimony = make_testimony(title=title)
        page = html(client.get(testimony.get_absolute_url()))
        found = EmbeddedMetadata()
        found.feed(page)
        assert [data["name"] for data in found.json_ld] == [title]
        assert "<script>alert" not in page

    def test_bibtex_escapes_special_characters(self, client):
        testimony = make_testimony(title="Fuel & bread {50%}")
        page = html(client.get(testimony.get_absolute_url()))
        assert r"title = {{Fuel \&amp; bread \{50\%\}}}," in page

    def test_related_testimonies_share_themes_and_places_and_are_visible(self, client):
        drones, aid = make_theme("Drones"), make_theme("Humanitarian aid")
        sumy = make_place("Sumy")
        testimony = make_testimony(themes=[drones, aid], places=[sumy])
        best = make_testimony(title="Shares three", themes=[drones, aid], places=[sumy])
        some = make_testimony(title="Shares one", themes=[aid])
        make_testimony(title="Shares nothing", themes=[make_theme("Return home")])
        for number, fields in enumerate(HIDDEN_KINDS):
            make_testimony(title=f"Hidden {number}", themes=[drones], **fields)
        page = html(client.get(testimony.get_absolute_url()))
        related = page[page.index('id="related-heading"') :]
        assert related.index(best.title) < related.index(some.title)
        assert "Shares nothing" not in related and "Hidden" not in related

    def test_sample_data_carries_a_fictional_composite_notice(self, client):
        sample = make_testimony(is_sample=True)
        assert "Fictional composite." in html(client.get(sample.get_absolute_url()))
        assert "fictional composite" in html(client.get("/testimonies/"))
        real = make_testimony()
        assert "Fictional composite" not in html(client.get(real.get_absolute_url()))

    def test_head_carries_open_graph_canonical_and_description(self, client):
        testimony = make_testimony(
            identifier="KS-1", title="Road out", summary="We left at dawn."
        )
        page = html(client.get(testimony.get_absolute_url(), {"utm": "x"}))
        url = "http://testserver/testimonies/KS-1/"
        assert f'<link rel="canonical" href="{url}">' in page
        assert f'<meta property="og:url" content="{url}">' in page
        assert '<meta property="og:title" content="Road out">' in page
        assert '<meta name="description" content="We left at dawn.">' in page
        assert "<title>Road out · Testimony Archive</title>" in page

    @pytest.mark.parametrize("access", [A.PUBLIC, A.RESEARCHERS, A.RESTRICTED])
    def test_withdrawn_testimony_is_gone_with_a_friendly_page(self, client, access):
        testimony = make_testimony(
            title="Taken down title", status=S.WITHDRAWN, access=access
        )
        response = client.get(testimony.get_absolute_url())
        assert response.status_code == 410
        page = response.content.decode()
        assert "has been withdrawn" in page and testimony.identifier in page
        assert "Taken down title" not in page

    def test_researcher_reads_researcher_only_with_a_badge(self, client):
        testimony = make_testimony(access=A.RESEARCHERS, title="For research")
        client.force_login(make_researcher())
        page = html(client.get(testimony.get_absolute_url()))
        assert "For research" in page and "Not public: researchers only" in page

    def test_archivist_may_read_a_draft(self, client):
        testimony = make_testimony(status=S.DRAFT, title="Work in progress")
        client.force_login(make_archivist())
        assert "Work in progress" in html(client.get(testimony.get_absolute_url()))

    def test_queries_do_not_grow_with_tags_photos_translations_or_related(self, client):
        def build(size):
            testimony = make_testimony(narrator=make_narrator())
            for number in range(size):
                region = make_place(f"Region {size}-{number}", kind="region")
                place = make_place(f"Village {size}-{number}", parent=region)
                theme = make_theme(f"Theme {size}-{number}")
                testimony.places.add(place)
                testimony.themes.add(theme)
                make_photo(testimony, number)
                Translation.objects.create(
                    testimony=testimony, language=f"x{number:02d}", title="T"
                )
                make_testimony(themes=[theme], narrator=make_narrator())
            return testimony.get_absolute_url()

        def count(url):
            with CaptureQueriesContext(connection) as queries:
                html(client.get(url))
            return len(queries)

        assert count(build(2)) == count(build(20))


class TestLanguages:
    def test_switcher_posts_to_set_language_and_the_choice_sticks(self, client):
        page = html(client.get("/"))
        assert 'action="/i18n/setlang/"' in page
        assert 'name="language" value="ja" lang="ja"' in page
        response = client.post(
            "/i18n/setlang/", {"language": "ja", "next": "/testimonies/"}
        )
        assert response.status_code == 302 and response["Location"] == "/testimonies/"
        response = client.get("/")
        assert response["Content-Language"] == "ja"
        assert '<html lang="ja"' in response.content.decode()

    def test_browser_language_is_used(self, client):
        response = client.get("/", headers={"accept-language": "uk,en;q=0.5"})
        assert response["Content-Language"] == "uk"
        assert '<html lang="uk"' in response.content.decode()

    def test_dates_and_tag_names_follow_the_interface_language(self, client):
        place = make_place("Sudzha", names={"ja": "スジャ", "ru": "Суджа"})
        testimony = make_testimony(
            places=[place],
            recorded_on=datetime.date(2024, 8, 1),
            recorded_precision=DatePrecision.MONTH,
        )
        client.post("/i18n/setlang/", {"language": "ja", "next": "/"})
        page = html(client.get(testimony.get_absolute_url()))
        assert "2024年8月" in page and "スジャ" in page
        client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
        assert "Суджа" in html(client.get(testimony.get_absolute_url()))

    def test_suggests_the_translation_in_the_interface_language(self, client):
        testimony = make_testimony(language="ru", title="Дорога")
        Translation.objects.create(testimony=testimony, language="uk", title="Шлях")
        page = html(
            client.get(testimony.get_absolute_url(), headers={"accept-language": "uk"})
        )
        assert 'href="?lang=uk"' in page


PAGES = [
    ("/", "Home"),
    ("/testimonies/", "Testimonies"),
    ("/themes/", "Themes"),
    ("/places/", "Places"),
]


@pytest.mark.parametrize("url, current", PAGES)
def test_every_page_has_title_description_canonical_breadcrumb_and_search(
    client, url, current
):
    page = html(client.get(url))
    assert re.search(r"<title>[^<]+</title>", page)
    assert re.search(r'<meta name="description" content="[^"]+">', page)
    assert f'<link rel="canonical" href="http://testserver{url}">' in page
    breadcrumb = page[page.index('aria-label="Breadcrumb"') :]
    breadcrumb = breadcrumb[: breadcrumb.index("</nav>")]
    assert f'aria-current="page">{current}</a>' in breadcrumb
    assert '<a class="skip-link" href="#main">' in page and 'id="main"' in page
    assert 'role="search"' in page and 'name="q"' in page


def test_unknown_address_gets_the_friendly_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page and 'href="/testimonies/"' in page


def test_server_error_page_renders_without_a_request_context(rf):
    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/testimonies/%00/",
        "/testimonies/a%00b/",
        "/testimonies/" + "x" * 3000 + "/",
        "/themes/%00/",
        "/places/%E2%80%AE/",
    ],
)
def test_odd_addresses_are_not_found_never_an_error(client, path):
    assert client.get(path).status_code == 404


class EmbeddedMetadata(HTMLParser):
    """The citation metadata a reference manager reads from a page: Highwire
    ``citation_*`` meta tags and schema.org JSON-LD blocks."""

    def __init__(self):
        super().__init__()
        self.tags, self.json_ld, self._in_ld = {}, [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and (attrs.get("name") or "").startswith("citation_"):
            self.tags.setdefault(attrs["name"], []).append(attrs.get("content"))
        self._in_ld = tag == "script" and attrs.get("type") == "application/ld+json"

    def handle_data(self, data):
        if self._in_ld:
            self.json_ld.append(json.loads(data))
            self._in_ld = False

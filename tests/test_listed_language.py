"""Lists in the reader's language: browse, theme pages, the home page, search
hits, related testimonies and the feed show a testimony's title and summary in
the interface language when a translation into it exists, marked as one; and
the "available in" filter finds testimonies readable in a language."""

import pytest

from testimonies.models import Theme, Translation

from .factories import make_testimony

pytestmark = pytest.mark.django_db

UK_TITLE = "Льох, у якому ми рахували вибухи"
EN_TITLE = "The cellar where we counted the explosions"


@pytest.fixture
def cellar():
    theme = Theme.objects.create(name="Shelter in basements")
    testimony = make_testimony(
        identifier="UK-LIST-1",
        title=UK_TITLE,
        language="uk",
        summary="Дев'ять днів у льоху.",
        body="Ми сиділи в льоху дев'ять днів.",
        themes=[theme],
        consent="given",
        consent_scope="public",
    )
    Translation.objects.create(
        testimony=testimony,
        language="en",
        title=EN_TITLE,
        summary="Nine days in the cellar.",
        body="We sat in the cellar for nine days.",
        kind=Translation.Kind.HUMAN,
    )
    Translation.objects.create(
        testimony=testimony,
        language="ja",
        title="爆発を数えた地下室",
        summary="地下室での九日間。",
        body="私たちは九日間地下室にいました。",
        kind=Translation.Kind.MACHINE,
    )
    return testimony


def page(client, url, language, **params):
    response = client.get(url, params, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


class TestLists:
    def test_browse_in_english_shows_the_english_translation_marked(
        self, client, cellar
    ):
        html = page(client, "/testimonies/", "en")
        assert EN_TITLE in html and UK_TITLE not in html
        assert "Nine days in the cellar." in html
        assert "translated from Ukrainian (human translation)" in html
        assert f'href="{cellar.get_absolute_url()}?lang=en" lang="en"' in html

    def test_in_the_originals_language_the_original(self, client, cellar):
        html = page(client, "/testimonies/", "uk")
        assert UK_TITLE in html and EN_TITLE not in html
        assert f'href="{cellar.get_absolute_url()}" lang="uk"' in html

    def test_a_machine_translation_says_so(self, client, cellar):
        html = page(client, "/testimonies/", "ja")
        assert "爆発を数えた地下室" in html
        assert 'lang="ja"' in html

    def test_without_a_translation_the_original(self, client, cellar):
        html = page(client, "/testimonies/", "ru")
        assert UK_TITLE in html and EN_TITLE not in html

    def test_home_theme_page_and_feed(self, client, cellar):
        assert EN_TITLE in page(client, "/", "en")
        theme = cellar.themes.get()
        assert EN_TITLE in page(client, f"/themes/{theme.slug}/", "en")
        feed = page(client, "/feeds/latest/", "en")
        assert EN_TITLE in feed and "Nine days in the cellar." in feed
        assert UK_TITLE in page(client, "/feeds/latest/", "uk")

    def test_search_hits(self, client, cellar):
        html = page(client, "/search/", "en", q="льоху")
        assert EN_TITLE in html
        assert "translated from Ukrainian (human translation)" in html

    def test_related_testimonies(self, client, cellar):
        other = make_testimony(identifier="EN-LIST-2", themes=[cellar.themes.get()])
        html = page(client, other.get_absolute_url(), "en")
        related = html[html.index('id="related-heading"') :]
        assert EN_TITLE in related

    def test_the_list_costs_no_query_per_testimony(
        self, client, cellar, django_assert_max_num_queries
    ):
        for number in range(10):
            testimony = make_testimony(identifier=f"MANY-{number}", language="uk")
            Translation.objects.create(testimony=testimony, language="en", title="T")
        client.get("/testimonies/", HTTP_ACCEPT_LANGUAGE="en")  # warm caches
        with django_assert_max_num_queries(20) as captured:
            client.get("/testimonies/", HTTP_ACCEPT_LANGUAGE="en")
        translation_queries = [
            q for q in captured.captured_queries if "translation" in q["sql"]
        ]
        assert len(translation_queries) <= 2


class TestAvailableIn:
    def test_finds_originals_and_translations(self, client, cellar):
        make_testimony(identifier="EN-ORIG", title="Written in English")
        make_testimony(identifier="RU-ONLY", title="Только по-русски", language="ru")
        html = page(client, "/testimonies/", "en", available="en")
        assert EN_TITLE in html and "Written in English" in html
        assert "Только по-русски" not in html
        html = page(client, "/testimonies/", "en", available="ja")
        assert "UK-LIST-1" in html and "EN-ORIG" not in html

    def test_the_browse_form_offers_every_readable_language(self, client, cellar):
        html = page(client, "/testimonies/", "en")
        form = html[html.index("Available in") :]
        assert 'name="available" value="ja"' in form
        assert 'name="available" value="uk"' in form

    def test_search_narrows_too(self, client, cellar):
        make_testimony(identifier="RU-CELLAR", language="ru", body="Мы в льоху.")
        html = page(client, "/search/", "en", q="льоху", available="en")
        assert "UK-LIST-1" in html and "RU-CELLAR" not in html
        assert 'name="available" value="en" id="facet-available-' in html

    def test_a_bad_code_is_explained(self, client, cellar):
        html = page(client, "/testimonies/", "en", available="not a code!")
        assert "is not a language code" in html
        assert "UK-LIST-1" not in html

    def test_hidden_translations_give_nothing_away(self, client):
        hidden = make_testimony(identifier="HIDDEN-1", language="uk", status="draft")
        Translation.objects.create(testimony=hidden, language="de", title="Geheim")
        html = page(client, "/testimonies/", "en")
        assert 'value="de"' not in html
        assert "HIDDEN-1" not in page(client, "/testimonies/", "en", available="de")

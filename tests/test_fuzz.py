"""Random input at every public address: the archive answers, it never fails.

Hypothesis throws query strings and parameters (control characters, quotes,
brackets, query syntax, Japanese and Cyrillic text, very long values, unknown and
repeated parameters) and random path segments at each public page and the API. The
answer may be a page, a redirect, a 400, 404 or 410, never a 500.

Bounded and reproducible: ``derandomize=True`` draws the same examples on every run
(CI included), and each surface gets a fixed number of examples.
"""

from urllib.parse import quote

import pytest
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .factories import make_place, make_testimony, make_theme

pytestmark = pytest.mark.django_db

ACCEPTED = {200, 301, 302, 400, 404, 410}
FUZZ = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PARAMETERS = [
    "q",
    "theme",
    "place",
    "language",
    "recorded_from",
    "recorded_to",
    "sort",
    "page",
    "page_size",
    "lang",
]
NASTY = [
    '"',
    "'",
    "(((",
    "NEAR(",
    "*",
    "-",
    "OR",
    '"unclosed phrase',
    "' OR 1=1 --",
    "[[",
    "]]",
    "\\",
    "%",
    "\x00",
    "\u202e",
    "地下",
    "подвал",
    "0",
    "-1",
    "99999999999999999999",
    "2024-13",
    "2024-02-30",
    "0000",
    "newest",
    "relevance",
    "x" * 10_000,
]
text = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.text(st.sampled_from("[]()\"'*-:^~ 避難подвал\t\n\x00\x1f"), max_size=30),
)
parameters = st.dictionaries(
    st.one_of(st.sampled_from(PARAMETERS), st.text(min_size=1, max_size=12)),
    st.one_of(text, st.lists(text, min_size=2, max_size=3)),
    max_size=5,
)
segment = st.one_of(st.sampled_from(NASTY), st.text(min_size=1, max_size=60))


@pytest.fixture
def collection():
    region = make_place("Kursk Oblast", kind="region", names={"ru": "Курская область"})
    town = make_place("Sudzha", kind="settlement", parent=region)
    theme = make_theme("Shelter in basements", names={"ja": "地下への避難"})
    for number, language in enumerate(["en", "ru", "ja"]):
        make_testimony(
            identifier=f"FZ-{number}",
            language=language,
            body="Мы ночевали в подвале. 地下に避難した。 We sheltered.",
            themes=[theme],
            places=[town],
        )
    return {"theme": theme.slug, "place": town.slug, "testimony": "FZ-0"}


PUBLIC_URLS = [
    "/",
    "/testimonies/",
    "/testimonies/{testimony}/",
    "/themes/",
    "/themes/{theme}/",
    "/places/",
    "/places/{place}/",
    "/feeds/latest/",
    "/sitemap.xml",
    "/search/",
    "/api/v1/testimonies/",
    "/api/v1/testimonies/{testimony}/",
]


def _routed(url):
    try:
        resolve(url)
    except Resolver404:
        return False
    return True


def check(response, url):
    assert response.status_code in ACCEPTED, (url, response.status_code)


@pytest.mark.parametrize("pattern", PUBLIC_URLS)
def test_every_public_address_takes_any_parameters(client, collection, pattern):
    url = pattern.format(**{name: quote(v) for name, v in collection.items()})
    if not _routed(url):
        pytest.skip(f"{url} does not exist yet")

    @FUZZ
    @given(parameters)
    def run(params):
        check(client.get(url, params), url)

    run()


@pytest.mark.parametrize("url", ["/search/", "/api/v1/testimonies/"])
def test_search_takes_any_query(client, collection, url):
    if not _routed(url):
        pytest.skip(f"{url} does not exist yet")

    @FUZZ
    @given(text, parameters)
    def run(query, params):
        check(client.get(url, {**params, "q": query}), url)

    run()


@pytest.mark.parametrize(
    "pattern",
    [
        "/testimonies/{}/",
        "/testimonies/{}/takedown/",
        "/themes/{}/",
        "/places/{}/",
        "/media/{}",
        "/media/photos/{}",
        "/api/v1/testimonies/{}/",
        "/sitemap-{}.xml",
    ],
)
def test_any_path_segment(client, collection, pattern):
    @FUZZ
    @given(segment)
    def run(value):
        url = pattern.format(quote(value, safe=""))
        check(client.get(url), url)

    run()

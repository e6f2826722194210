"""Timing one query three ways, as an anonymous visitor.

* **API**: the request through Django's test client: URL routing, middleware, form,
  search, facets, page of 20 with snippets, JSON. What a client waits for, minus
  the network.
* **Naive**: the same request written the obvious way with the ORM: ``icontains``
  on the title, summary and text of the original (translations, names and
  inflected forms are not even looked at, which only makes it faster), count, a
  page of 20 newest first, and the three facets with ``GROUP BY``.
* **Bare engine**: only the full-text engine, without Django: the number of
  matches and the best 20 by the engine's own ranking, on the raw DB-API
  connection (FTS5 ``MATCH``/``bm25``; PostgreSQL ``@@``/``ts_rank``). No
  visibility, no filters, no facets, no rows loaded.
"""

import statistics
import time
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import override_settings

from testimonies.forms import SearchApiForm
from testimonies.models import PlacedItem, Testimony, ThemedItem
from testimonies.search import hitsets
from testimonies.search.backends import postgres
from testimonies.search.backends.base import TABLE
from testimonies.search.backends.sqlite import compile_match
from testimonies.search.query import parse_query

API_PATH = "/api/v1/testimonies/"
PAGE_SIZE = 20


@dataclass
class Timing:
    hits: int  # None when the API did not answer 200
    times: list  # milliseconds
    first: float = None  # the warm-up run, milliseconds
    #: The API's answer when it was not 200: "HTTP 400: {…}".
    error: str = None

    @property
    def p50(self):
        return statistics.median(self.times)

    @property
    def p95(self):
        return percentile(self.times, 95)


def percentile(values, share):
    """The nearest-rank percentile (of 20 runs, p95 is the 19th fastest)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 100))
    return ordered[int(rank) - 1]


def timed(function, runs, warmup=1):
    first = None
    for _ in range(warmup):
        start = time.perf_counter()
        function()
        first = first or (time.perf_counter() - start) * 1000
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - start) * 1000)
    return Timing(result, times, first)


def api_client():
    """A client of the API view; use inside :func:`serving`."""
    return Client()


def serving():
    # The test client checks the host against ALLOWED_HOSTS ("testserver").
    return override_settings(ALLOWED_HOSTS=["testserver"])


def answer(response):
    """``(hits, error)`` of an API response: an error answer is reported (the
    query set may use what the API does not accept yet), not raised."""
    if response.status_code == 200:
        return response.json()["count"], None
    body = response.content.decode("utf-8", "replace")
    return None, f"HTTP {response.status_code}: {' '.join(body.split())[:200]}"


def through_api(query, runs):
    client = api_client()

    def request():
        return client.get(API_PATH, query.params)

    # The warm-up run starts with nothing kept in memory (testimonies.search.
    # hitsets), as the first request after any change to the data does.
    hitsets.forget()
    with serving():
        timing = timed(request, runs)
    timing.hits, timing.error = answer(timing.hits)
    return timing


def naive(query, runs):
    """``None`` without runs, or when the form refuses the parameters."""
    params = dict(query.params)
    form = SearchApiForm(params)
    if runs < 1 or not form.is_valid():
        return None
    filters = form.filters()
    text = query.naive_text

    def request():
        found = Testimony.objects.visible_to(AnonymousUser()).filter_by(**filters)
        if text:
            found = found.filter(
                Q(title__icontains=text)
                | Q(summary__icontains=text)
                | Q(body__icontains=text)
            )
        count = found.count()
        list(found.with_related().order_by("-recorded_on", "identifier")[:PAGE_SIZE])
        for through in (ThemedItem, PlacedItem):
            list(
                through.objects.filter(content_object__in=found)
                .values("tag")
                .annotate(n=Count("pk"))
                .order_by("-n")[:30]
            )
        list(found.order_by().values("language").annotate(n=Count("pk")))
        return count

    return timed(request, runs, warmup=0)


def bare_engine(query, runs):
    """``None`` for a request without search text: there is no engine query."""
    parsed = parse_query(query.text)
    if not parsed.groups:
        return None
    connection.ensure_connection()
    raw = connection.connection
    if connection.vendor == "sqlite":
        match = compile_match(parsed)
        statements = [
            (
                f"SELECT count(*) FROM {TABLE} WHERE {TABLE} MATCH ?",
                (match,),
            ),
            (
                "SELECT rowid, rank FROM testimonies_search WHERE testimonies_search "
                "MATCH ? ORDER BY rank LIMIT ?",
                (match, PAGE_SIZE),
            ),
        ]
    else:
        tsquery = postgres.compile_tsquery(parsed)
        statements = [
            (
                "SELECT count(*) FROM testimonies_search WHERE vector @@ %s::tsquery",
                (tsquery,),
            ),
            (
                "SELECT testimony_id, ts_rank(%s::float4[], vector, %s::tsquery, %s) "
                f"AS s FROM {TABLE} WHERE vector @@ %s::tsquery "
                "ORDER BY s DESC LIMIT %s",
                (
                    postgres.RANK_WEIGHTS,
                    tsquery,
                    postgres.RANK_NORMALIZATION,
                    tsquery,
                    PAGE_SIZE,
                ),
            ),
        ]

    def request():
        cursor = raw.cursor()
        try:
            cursor.execute(*statements[0])
            count = cursor.fetchone()[0]
            cursor.execute(*statements[1])
            cursor.fetchall()
        finally:
            cursor.close()
        return count

    return timed(request, runs)

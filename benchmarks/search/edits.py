"""The first request after a one-testimony edit.

An archivist saves a testimony (a changed title, through the ORM in one
transaction, as the admin does: the index is updated in the same transaction);
the next search request then pays for whatever the change made stale — on SQLite
the hit sets kept in memory, which a change drops (testimonies.search.hitsets).
Each round: the query once untimed (what it needs is kept), an edit (timed), the
query again (timed). The rounds edit different visible testimonies.
"""

import statistics
import time
from dataclasses import dataclass

from django.db import transaction

from testimonies.models import Testimony

from .measure import API_PATH, answer, api_client, serving


@dataclass
class AfterEdit:
    query: object  # BenchQuery
    times: list  # the request after each edit, milliseconds
    saves: list  # each edit, milliseconds
    error: str = None

    @property
    def p50(self):
        return statistics.median(self.times)

    @property
    def save_p50(self):
        return statistics.median(self.saves)


def first_requests(queries, rounds):
    """An :class:`AfterEdit` per query of ``queries``, over ``rounds`` edits each."""
    edited = list(
        Testimony.objects.visible_to(None)
        .order_by("pk")
        .values_list("pk", flat=True)[: rounds * len(queries)]
    )
    client = api_client()
    results = []
    with serving():
        for number, query in enumerate(queries):
            times, saves, error = [], [], None
            for round_ in range(rounds):
                pk = edited[(number * rounds + round_) % len(edited)]
                client.get(API_PATH, query.params)
                start = time.perf_counter()
                edit(pk)
                middle = time.perf_counter()
                response = client.get(API_PATH, query.params)
                end = time.perf_counter()
                saves.append((middle - start) * 1000)
                times.append((end - middle) * 1000)
                error = error or answer(response)[1]
            results.append(AfterEdit(query, times, saves, error))
    return results


def edit(pk):
    with transaction.atomic():
        testimony = Testimony.objects.get(pk=pk)
        testimony.title = f"{testimony.title} (edited)"
        testimony.save()

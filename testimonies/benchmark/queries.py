"""The benchmark's fixed query set, built from what the corpus planted.

Each query is an API request (its parameters) and the text a naive scan looks for.
Filters name tags by slug, which only the database knows: :func:`query_set` reads
them after the import.
"""

from dataclasses import dataclass, field

from . import corpus


@dataclass(frozen=True)
class BenchQuery:
    label: str
    params: dict = field(default_factory=dict)
    #: What a naive ``icontains`` scan looks for ("" for a filter-only request).
    naive_text: str = ""

    @property
    def text(self):
        return self.params.get("q", "")


def query_set():
    """Words of each language at ~0.1, 1, 10 and 30 % of the testimonies, a
    two-character Japanese word, a phrase, a word with two filters, and a request
    with filters only."""
    from ..models import Place, Theme

    queries = []
    for language in corpus.LANGUAGES:
        for share, forms in corpus.PLANTED[language]:
            word = forms[0]
            queries.append(
                BenchQuery(f"{language} {share:.1%} {word}", {"q": word}, word)
            )
    word = corpus.TWO_CHARACTER_WORD
    queries.append(BenchQuery(f"ja 2 characters {word}", {"q": word}, word))
    queries.append(
        BenchQuery(
            f"en phrase {corpus.PHRASE}",
            {"q": corpus.PHRASE},
            corpus.PHRASE.strip('"'),
        )
    )
    # The most used theme and the first region: wide filters, many rows to join.
    theme = Theme.objects.get(name=corpus.THEMES[0][0])
    region = Place.objects.get(name=corpus.REGIONS[0][0])
    word = corpus.PLANTED["ru"][-1][1][0]
    queries.append(
        BenchQuery(
            f"{word} + theme + place",
            {"q": word, "theme": theme.slug, "place": region.slug},
            word,
        )
    )
    queries.append(
        BenchQuery(
            "filters only: theme + 2024",
            {"theme": theme.slug, "recorded_to": "2024"},
        )
    )
    return queries

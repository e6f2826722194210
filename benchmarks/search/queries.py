"""The benchmark's fixed query set, built from what the corpus planted.

Each query is an API request (its parameters) and the text a naive scan looks for.
Filters name tags by slug, which only the database knows: :func:`query_set` reads
them after the import. A parameter given as a list is sent repeated
(``theme=a&theme=b``).
"""

from dataclasses import dataclass, field

from . import corpus


@dataclass(frozen=True)
class BenchQuery:
    label: str
    params: dict = field(default_factory=dict)
    #: What a naive ``icontains`` scan looks for ("" for a filter-only request).
    naive_text: str = ""
    #: Also timed as the first request after a one-testimony edit (.edits).
    after_edit: bool = False

    @property
    def text(self):
        return self.params.get("q", "")


# Timed again after edits: a rare and a frequent word, a Japanese word of
# frequent characters, and the two requests with filters.
AFTER_EDIT = {"ru 1.0% генератор", "en 30.0% basement", "ja 3 characters 1.0% 避難所"}


def query_set():
    """Words of each language at ~0.1, 1, 10 and 30 % of the testimonies, a
    two-character Japanese word, Japanese words of frequent characters (hiragana,
    three and four characters), a phrase, a word with two filters, a word with two
    themes and a place, and a request with filters only."""
    from testimonies.models import Place, Theme

    queries = []
    for language in corpus.LANGUAGES:
        for share, forms in corpus.PLANTED[language]:
            word = forms[0]
            label = f"{language} {share:.1%} {word}"
            queries.append(
                BenchQuery(label, {"q": word}, word, after_edit=label in AFTER_EDIT)
            )
    word = corpus.TWO_CHARACTER_WORD
    queries.append(BenchQuery(f"ja 2 characters {word}", {"q": word}, word))
    for kind, share, word in corpus.JAPANESE_WORDS:
        label = f"ja {kind} {share:.1%} {word}"
        queries.append(
            BenchQuery(label, {"q": word}, word, after_edit=label in AFTER_EDIT)
        )
    queries.append(
        BenchQuery(
            f"en phrase {corpus.PHRASE}",
            {"q": corpus.PHRASE},
            corpus.PHRASE.strip('"'),
        )
    )
    # The most used theme and the first region: wide filters, many rows to join.
    theme, second = (Theme.objects.get(name=names[0]) for names in corpus.THEMES[:2])
    region, other_region = (Place.objects.get(name=r[0]) for r in corpus.REGIONS)
    word = corpus.PLANTED["ru"][-1][1][0]
    queries.append(
        BenchQuery(
            f"{word} + theme + place",
            {"q": word, "theme": theme.slug, "place": region.slug},
            word,
            after_edit=True,
        )
    )
    # Two values of one filter mean either (the API takes repeated parameters).
    queries.append(
        BenchQuery(
            f"{word} + 2 themes + place",
            {"q": word, "theme": [theme.slug, second.slug], "place": other_region.slug},
            word,
        )
    )
    queries.append(
        BenchQuery(
            "filters only: theme + 2024",
            {"theme": theme.slug, "recorded_to": "2024"},
            after_edit=True,
        )
    )
    return queries

"""A synthetic multilingual collection for the search benchmark, as import lines.

Texts are made of pseudo-words built from syllables (kana and Han characters for
Japanese), drawn with Zipf frequencies from a vocabulary of 20,000 words per
language, so word and document frequencies look like natural language: a few short
words everywhere, a long tail of rare ones. Real words are *planted* at known rates
and in inflected forms (the text says «подвале», the query «подвал»), which gives
the query set words matching about 0.1 %, 1 %, 10 % and 30 % of the testimonies.
Themes and places are drawn with Zipf frequencies too. Everything is derived from
the seed: the same seed gives the same collection. Every name and text is
fictional; only the two regions are real.

Each testimony is written in one of four languages and, like many in the archive,
60 % carry a translation into another one. A word of a language therefore occurs
in more testimonies than that language's share, which is what lets a Japanese or
English word match 30 % of the collection.
"""

import datetime
import itertools
import json
import random
from dataclasses import dataclass, field

from ..search import analyzer

LANGUAGES = ("ru", "uk", "en", "ja")
SHARES = {"ru": 0.30, "uk": 0.25, "en": 0.20, "ja": 0.25}
TRANSLATED = 0.6
VOCABULARY_SIZE = 20_000
ZIPF_EXPONENT = 1.0
MIN_BYTES, MAX_BYTES = 1_000, 5_000
FIRST_DAY = datetime.date(2024, 8, 1)  # recordings span 2024-08-01 … 2025-06-30

# The planted words: language → [(share of all testimonies, forms written)]. The
# query is the first form.
PLANTED = {
    "ru": [
        (0.001, ("колокольня", "колокольни", "колокольне", "колокольню")),
        (0.01, ("генератор", "генератора", "генераторе", "генераторы")),
        (0.10, ("эвакуация", "эвакуации", "эвакуацию", "эвакуацией")),
        (0.30, ("подвал", "подвале", "подвала", "подвалах", "подвалы")),
    ],
    "uk": [
        (0.001, ("дзвіниця", "дзвіниці", "дзвіницю")),
        (0.01, ("волонтер", "волонтери", "волонтерів", "волонтерам")),
        (0.10, ("евакуація", "евакуації", "евакуацію")),
        (0.30, ("підвал", "підвалі", "підвалу", "підвали")),
    ],
    "en": [
        (0.001, ("lighthouse", "lighthouses")),
        (0.01, ("generator", "generators")),
        (0.10, ("evacuation", "evacuations")),
        (0.30, ("basement", "basements")),
    ],
    "ja": [
        (0.001, ("灯台守",)),
        (0.01, ("配給所",)),
        (0.10, ("地下室",)),
        (0.30, ("避難生活",)),
    ],
}
# A two-character Japanese word, and an English phrase whose words also occur
# apart and in the other order (so the phrase must be checked by position).
EXTRA_PLANTED = {
    "ja": [(0.02, ("停電",))],
    "en": [
        (0.005, ("closed road",)),
        (0.01, ("road closed",)),
        (0.05, ("closed",)),
        (0.05, ("road",)),
    ],
}
PHRASE = '"closed road"'
TWO_CHARACTER_WORD = "停電"

THEMES = [
    ("Daily life under shelling", "Жизнь под обстрелами", "Життя під обстрілами"),
    ("Humanitarian aid", "Гуманитарная помощь", "Гуманітарна допомога"),
    ("Drones", "Дроны", "Дрони"),
    ("Information chaos", "Информационный хаос", "Інформаційний хаос"),
    ("Family separation", "Разлучённые семьи", "Розлучені родини"),
    ("Administrative collapse", "Развал администрации", "Розпад адміністрації"),
    ("Blocked routes", "Перекрытые дороги", "Перекриті дороги"),
    ("Return home", "Возвращение домой", "Повернення додому"),
]
THEMES_JA = [
    "砲撃の日々",
    "人道支援",
    "ドローン",
    "情報の混乱",
    "家族の離散",
    "行政の崩壊",
]
THEMES_JA += ["封鎖された道", "帰郷"]
THEME_COUNT = 40
REGIONS = [
    ("Kursk Oblast", {"ru": "Курская область", "uk": "Курська область"}),
    ("Sumy Oblast", {"ru": "Сумская область", "uk": "Сумська область"}),
]
DISTRICTS_PER_REGION = 6
SETTLEMENTS_PER_DISTRICT = 25
NARRATORS = 20_000
SOURCES = 50
STATUSES = [("published", 85), ("draft", 6), ("in_review", 5), ("withdrawn", 4)]
ACCESS = [("public", 80), ("researchers", 15), ("restricted", 5)]

SYLLABLES = {
    "ru": ("бвгдзклмнпрстфхцчшж", "аоуеиыя"),
    "uk": ("бвгґдзклмнпрстфхцчшж", "аоуеиіїєя"),
    "en": ("bcdfghklmnprstvwz", "aeiouy"),
}
HIRAGANA = [chr(c) for c in range(0x3042, 0x3094) if chr(c) not in "ぃぅぇぉっゃゅょゎ"]
KATAKANA = [chr(c) for c in range(0x30A2, 0x30F4) if chr(c) not in "ィゥェォッャュョヮ"]


def zipf_weights(size, exponent=ZIPF_EXPONENT):
    return list(
        itertools.accumulate(1 / (rank**exponent) for rank in range(1, size + 1))
    )


def presence(language):
    """The share of testimonies with some text in ``language``."""
    others = sum(share for code, share in SHARES.items() if code != language)
    return SHARES[language] + TRANSLATED * others / (len(LANGUAGES) - 1)


def planted_tokens():
    """Every index token a planted word can produce: pseudo-words must avoid them."""
    tokens = set()
    for table in (PLANTED, EXTRA_PLANTED):
        for entries in table.values():
            for _share, forms in entries:
                for form in forms:
                    tokens.update(t for w in analyzer.query_tokens(form) for t in w)
    return tokens


class Vocabulary:
    """Pseudo-words of one language, most frequent first, with Zipf weights."""

    def __init__(self, language, rng, avoid, size=VOCABULARY_SIZE):
        self.language = language
        self.words = self._make(language, rng, avoid, size)
        self.cumulative = zipf_weights(len(self.words))
        separator = 0 if language == "ja" else 1
        total = self.cumulative[-1]
        self.bytes_per_word = sum(
            (len(word.encode()) + separator) / rank / total
            for rank, word in enumerate(self.words, 1)
        )

    def draw(self, rng, count):
        return rng.choices(self.words, cum_weights=self.cumulative, k=count)

    @staticmethod
    def _make(language, rng, avoid, size):
        if language == "ja":
            make = _japanese_maker(rng, avoid)
        else:
            consonants, vowels = SYLLABLES[language]

            def make():
                syllables = 1 + min(int(rng.expovariate(0.8)), 4)
                return "".join(
                    rng.choice(consonants)
                    + rng.choice(vowels)
                    + (rng.choice(consonants) if rng.random() < 0.25 else "")
                    for _ in range(syllables)
                )

        words, seen = [], set()
        while len(words) < size:
            word = make()
            if word in seen:
                continue
            seen.add(word)
            if avoid.intersection(analyzer.index_forms(word)):
                continue
            words.append(word)
        # Frequent words are short, as in natural language.
        return sorted(words, key=len)


def _japanese_maker(rng, avoid):
    han = [chr(c) for c in range(0x4E00, 0x9FA6)]
    han = [c for c in rng.sample(han, 2500) if c not in avoid]

    def make():
        kind = rng.random()
        if kind < 0.3:
            return "".join(rng.choice(HIRAGANA) for _ in range(rng.randint(1, 3)))
        if kind < 0.45:
            return "".join(rng.choice(KATAKANA) for _ in range(rng.randint(2, 5)))
        return "".join(rng.choice(han) for _ in range(rng.randint(1, 3)))

    return make


@dataclass
class Statistics:
    documents: int = 0
    text_bytes: int = 0
    smallest: int = 0
    largest: int = 0
    by_language: dict = field(default_factory=dict)


class Collection:
    """Generates the import lines of a synthetic collection.

    ``lines(count)`` yields one JSON object (a dict) per testimony; ``write``
    writes them as JSON Lines. ``statistics`` sums the raw text written.
    """

    def __init__(self, seed=20240806):
        self.rng = random.Random(seed)
        avoid = planted_tokens()
        self.vocabularies = {
            code: Vocabulary(code, random.Random(f"{seed}-{code}"), avoid)
            for code in LANGUAGES
        }
        self.statistics = Statistics()
        self._defined = set()
        self._themes = self._make_themes()
        self._theme_weights = zipf_weights(len(self._themes))
        self._settlements = self._make_places()
        self._settlement_weights = zipf_weights(len(self._settlements))
        self._plants = {
            code: [
                (share / presence(code), forms)
                for share, forms in PLANTED[code] + EXTRA_PLANTED.get(code, [])
            ]
            for code in LANGUAGES
        }

    # Vocabularies of tags.

    def _pseudo_name(self, language, rng):
        words = self.vocabularies[language].words
        word = words[rng.randrange(len(words) // 4, len(words))]
        return word if language == "ja" else word.capitalize()

    def _make_themes(self):
        rng = random.Random("themes")
        themes = []
        for (en, ru, uk), ja in zip(THEMES, THEMES_JA, strict=True):
            themes.append({"name": en, "names": {"ru": ru, "uk": uk, "ja": ja}})
        names = {theme["name"] for theme in themes}
        while len(themes) < THEME_COUNT:
            name = f"{self._pseudo_name('en', rng)} {self._pseudo_name('en', rng)}"
            if name not in names:
                names.add(name)
                themes.append({"name": name, "names": {}})
        return themes

    def _make_places(self):
        rng = random.Random("places")
        settlements, names = [], set()

        def unique(make):
            while True:
                name = make()
                if name not in names:
                    names.add(name)
                    return name

        for region, region_names in REGIONS:
            parent = {"name": region, "kind": "region", "names": region_names}
            for _ in range(DISTRICTS_PER_REGION):
                district = {
                    "name": unique(lambda: self._pseudo_name("en", rng) + " district"),
                    "kind": "district",
                    "parent": parent,
                }
                for _ in range(SETTLEMENTS_PER_DISTRICT):
                    settlements.append(
                        {
                            "name": unique(lambda: self._pseudo_name("en", rng)),
                            "kind": "settlement",
                            "parent": district,
                            "names": {
                                code: self._pseudo_name(code, rng)
                                for code in ("ru", "uk", "ja")
                            },
                        }
                    )
        rng.shuffle(settlements)  # the most used places are spread over districts
        return settlements

    def _mention(self, definition):
        """A tag's full definition the first time, its name afterwards."""
        if definition["name"] in self._defined:
            return definition["name"]
        self._defined.add(definition["name"])
        return definition

    def _pick(self, items, weights, count):
        chosen = []
        while len(chosen) < count:
            item = self.rng.choices(items, cum_weights=weights)[0]
            if item not in chosen:
                chosen.append(item)
        return chosen

    # Texts.

    def _words(self, language, size):
        """About ``size`` bytes of words."""
        vocabulary = self.vocabularies[language]
        return vocabulary.draw(self.rng, max(1, int(size / vocabulary.bytes_per_word)))

    def _plant(self, language, parts):
        """Insert planted words into ``parts`` (lists of words: title, summary,
        body), mostly into the body."""
        rng = self.rng
        for probability, forms in self._plants[language]:
            if rng.random() >= probability:
                continue
            where = rng.random()
            target = (
                parts[0] if where < 0.05 else parts[1] if where < 0.15 else parts[2]
            )
            target.insert(rng.randint(0, len(target)), rng.choice(forms))

    def _text(self, language, words, sentence=True):
        rng = self.rng
        if language == "ja":
            out = []
            for index, word in enumerate(words, 1):
                out.append(word)
                if sentence and index % 12 == 0:
                    out.append("。")
                elif index % 5 == 0:
                    out.append("、")
            return "".join(out) + ("。" if sentence else "")
        if not sentence:
            return " ".join(words).capitalize()
        sentences, start = [], 0
        while start < len(words):
            length = rng.randint(6, 18)
            chunk = words[start : start + length]
            sentences.append(" ".join(chunk).capitalize() + ".")
            start += length
        return " ".join(sentences)

    def _document(self, language, budget):
        rng = self.rng
        title = self.vocabularies[language].draw(rng, rng.randint(3, 8))
        summary = self._words(language, rng.randint(150, 350))
        body = self._words(language, budget - 400)
        self._plant(language, (title, summary, body))
        return (
            self._text(language, title, sentence=False),
            self._text(language, summary),
            self._text(language, body),
        )

    # Lines.

    def line(self, number):
        rng = self.rng
        language = rng.choices(LANGUAGES, weights=[SHARES[c] for c in LANGUAGES])[0]
        budget = rng.randint(MIN_BYTES, MAX_BYTES)
        translation = None
        if rng.random() < TRANSLATED:
            other = rng.choice([code for code in LANGUAGES if code != language])
            share = int(budget * rng.uniform(0.15, 0.3))
            budget -= share
            title, summary, body = self._document(other, max(share, 500))
            translation = {
                "language": other,
                "title": title,
                "summary": summary,
                "body": body,
                "kind": "machine",
            }
        title, summary, body = self._document(language, max(budget, 600))
        narrator = rng.randrange(NARRATORS)
        alias_language = LANGUAGES[narrator % len(LANGUAGES)]
        alias = self._pseudo_name(alias_language, random.Random(narrator))
        recorded = FIRST_DAY + datetime.timedelta(days=rng.randrange(334))
        precision = rng.random()
        recorded = recorded.isoformat()[
            : 10 if precision < 0.6 else 7 if precision < 0.9 else 4
        ]
        access = _weighted(rng, ACCESS)
        record = {
            "identifier": f"BENCH-{number:06d}",
            "title": title[:300],
            "language": language,
            "summary": summary,
            "body": body,
            "recorded_on": recorded,
            "status": _weighted(rng, STATUSES),
            "access": access,
            # Publishing needs the narrator's consent for the audience.
            "consent": {
                "status": "given",
                "scope": "research" if access == "researchers" else "public",
                "date": recorded if len(recorded) == 10 else None,
            },
            "sample": True,
            "themes": [
                self._mention(theme)
                for theme in self._pick(
                    self._themes, self._theme_weights, rng.choice((1, 2, 2, 3, 3, 4))
                )
            ],
            "places": [
                self._mention(place)
                for place in self._pick(
                    self._settlements, self._settlement_weights, rng.choice((1, 1, 2))
                )
            ],
            "narrator": {
                "code": f"N-{narrator:05d}",
                "alias": f"{alias}, {60 + narrator % 30}",
            },
            "source": {
                "title": f"Synthetic oral history project {rng.randrange(SOURCES)}"
            },
        }
        if translation:
            translation["title"] = translation["title"][:300]
            record["translations"] = [translation]
        texts = [title, summary]
        if translation:
            texts += [translation["title"], translation["summary"], translation["body"]]
        others = sum(len(text.encode()) for text in texts)
        record["body"] = body = self._fit(language, body, MIN_BYTES - others)
        size = others + len(body.encode())
        stats = self.statistics
        stats.documents += 1
        stats.text_bytes += size
        stats.smallest = min(stats.smallest or size, size)
        stats.largest = max(stats.largest, size)
        stats.by_language[language] = stats.by_language.get(language, 0) + 1
        return record

    def _fit(self, language, body, least):
        """``body`` grown to at least ``least`` bytes or cut so that the whole
        testimony stays within MAX_BYTES (at a word, for spaced scripts)."""
        while len(body.encode()) < least:
            body += ("" if language == "ja" else " ") + self._text(
                language, self._words(language, least - len(body.encode()) + 50)
            )
        most = MAX_BYTES - (MIN_BYTES - least)
        encoded = body.encode()
        if len(encoded) > most:
            body = encoded[:most].decode("utf-8", "ignore")
            if language != "ja" and " " in body:
                body = body.rsplit(" ", 1)[0]
        return body

    def write(self, stream, count):
        """Write ``count`` lines of JSON to the text ``stream``."""
        for number in range(1, count + 1):
            stream.write(json.dumps(self.line(number), ensure_ascii=False))
            stream.write("\n")


def _weighted(rng, choices):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]

"""A synthetic multilingual collection for the search benchmark, as import lines.

Texts are made of the pseudo-words of :mod:`.vocabulary`, drawn with Zipf
frequencies, so word and document frequencies look like natural language. Real
words are *planted* at known rates and in inflected forms (the text says
«подвале», the query «подвал»), which gives the query set words matching about
0.1 %, 1 %, 10 % and 30 % of the testimonies. Japanese words are planted into text
whose characters are as frequent as in real Japanese: a planted word also occurs
where its characters happen to meet across words, as in a real archive, so its
hits may exceed the planted share a little. Themes and places are drawn with Zipf
frequencies too. Everything is derived from the seed: the same seed gives the same
collection. Every name and text is fictional; only the two regions are real.

Each testimony is written in one of four languages and, like many in the archive,
60 % carry a translation into another one. A word of a language therefore occurs
in more testimonies than that language's share, which is what lets a Japanese or
English word match 30 % of the collection.
"""

import datetime
import json
import random
from dataclasses import dataclass, field

from testimonies.search import analyzer

from .vocabulary import Vocabulary, zipf_weights

LANGUAGES = ("ru", "uk", "en", "ja")
SHARES = {"ru": 0.30, "uk": 0.25, "en": 0.20, "ja": 0.25}
TRANSLATED = 0.6
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
# Japanese words of frequent characters, each with its own query: (what it is,
# share of all testimonies, the word). Their characters are everywhere (ところ is
# hiragana; 避難所 shares 避難 with 避難生活), so the engine must check positions.
JAPANESE_WORDS = [
    ("hiragana", 0.01, "ところ"),
    ("3 characters", 0.001, "発電機"),
    ("3 characters", 0.01, "避難所"),
    ("4 characters", 0.001, "仮設住宅"),
    ("4 characters", 0.01, "一時帰宅"),
]

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


def presence(language):
    """The share of testimonies with some text in ``language``."""
    others = sum(share for code, share in SHARES.items() if code != language)
    return SHARES[language] + TRANSLATED * others / (len(LANGUAGES) - 1)


def planted(language):
    """``(share of all testimonies, forms written)`` of each word planted in
    ``language``."""
    entries = PLANTED[language] + EXTRA_PLANTED.get(language, [])
    if language == "ja":
        entries += [(share, (word,)) for _kind, share, word in JAPANESE_WORDS]
    return entries


def planted_forms(language):
    """Every form written of a word planted in ``language``."""
    return [form for _share, forms in planted(language) for form in forms]


def avoided(language):
    """What the pseudo-words of ``language`` must not produce (see Vocabulary):
    the planted words themselves for Japanese, else every index token a planted
    word of any language can produce."""
    if language == "ja":
        return set(planted_forms("ja"))
    return {
        token
        for code in LANGUAGES
        for form in planted_forms(code)
        for word in analyzer.query_tokens(form)
        for token in word
    }


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
        self.vocabularies = {
            code: Vocabulary(code, random.Random(f"{seed}-{code}"), avoided(code))
            for code in LANGUAGES
        }
        self.statistics = Statistics()
        self._defined = set()
        self._themes = self._make_themes()
        self._theme_weights = zipf_weights(len(self._themes))
        self._settlements = self._make_places()
        self._settlement_weights = zipf_weights(len(self._settlements))
        self._plants = {
            code: [(share / presence(code), forms) for share, forms in planted(code)]
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

    def planted_words(self, language):
        """``[(probability, forms)]``: how often each word the query set looks
        for is planted in a testimony of ``language``, and its forms."""
        return self._plants[language]

    def sentence(self, language, words, rng):
        """``words`` words of ``language`` as a sentence, drawn with ``rng`` (a
        stream apart from the collection's, which stays as it was)."""
        drawn = self.vocabularies[language].draw(rng, words)
        if language == "ja":
            return "".join(drawn) + "。"
        return " ".join(drawn).capitalize() + "."

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

"""The testimonies the load benchmark starts with and the file it imports.

Small and quick to make (the search benchmark's corpus takes seconds to build its
vocabularies): texts of filler words with real words of the four languages mixed
in, which the visitors then search for. Every line of the import carries one word
no other testimony has (``MARKER``), and every one is published for everyone, so
a search for it counts exactly the imported testimonies a visitor may see.
"""

import json
import random

#: The word only the imported testimonies carry.
MARKER = "zorvanite"
#: Words the visitors search for, found in the starting testimonies.
WORDS = {
    "en": ["basement", "evacuation", "generator", "checkpoint", "drones"],
    "ru": ["подвал", "эвакуация", "генератор", "блокпост", "дроны"],
    "uk": ["підвал", "евакуація", "генератор", "блокпост", "дрони"],
    "ja": ["地下室", "避難", "発電機", "検問所", "ドローン"],
}
FILLER = {
    language: words.split()
    for language, words in {
        "en": "we the night road house water light neighbours bus days street",
        "ru": "мы ночь дорога дом вода свет соседи автобус дни улица",
        "uk": "ми ніч дорога дім вода світло сусіди автобус дні вулиця",
        "ja": "私たち 夜 道 家 水 明かり 近所 バス 日々 通り",
    }.items()
}
THEMES = [
    {"name": "Shelter in basements", "names": {"ru": "Укрытие в подвалах"}},
    {"name": "Evacuation routes", "names": {"uk": "Шляхи евакуації"}},
    {"name": "Drones", "names": {"ja": "ドローン"}},
    {"name": "No information"},
    {"name": "Checkpoints"},
    {"name": "Volunteers"},
]
REGION = {"name": "Kursk Oblast", "kind": "region", "names": {"ru": "Курская область"}}
PLACES = [
    {"name": name, "kind": "settlement", "parent": REGION}
    for name in ("Sudzha", "Guevo", "Plekhovo", "Martynovka", "Zaoleshenka")
]


def line(rng, identifier, *, public=None, marker=False):
    language = rng.choice(sorted(WORDS))
    separator = "" if language == "ja" else " "

    def text(count):
        words = [rng.choice(FILLER[language]) for _ in range(count)]
        for word in rng.sample(WORDS[language], 2):
            words.insert(rng.randrange(len(words) + 1), word)
        if marker:
            words.insert(rng.randrange(len(words) + 1), MARKER)
        return separator.join(words)

    if public is None:
        public = rng.random() < 0.85
    return {
        "identifier": identifier,
        "title": text(4)[:200],
        "language": language,
        "summary": text(20),
        "body": text(rng.randint(150, 300)),
        "recorded_on": f"2024-{rng.randint(8, 12):02d}",
        "status": "published" if public else "draft",
        "access": "public" if public else "restricted",
        "consent": {"status": "given", "scope": "public"},
        "sample": True,
        "themes": rng.sample(THEMES, rng.randint(1, 2)),
        "places": [rng.choice(PLACES)],
    }


def write(path, count, *, prefix, seed, marker=False):
    """Write ``count`` import lines to ``path``; with ``marker``, all published for
    everyone and carrying MARKER."""
    rng = random.Random(f"{seed}-{prefix}")
    with open(path, "w", encoding="utf-8") as stream:
        for number in range(1, count + 1):
            record = line(
                rng,
                f"{prefix}-{number:06d}",
                public=True if marker else None,
                marker=marker,
            )
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path

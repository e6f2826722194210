"""The pseudo-words of the benchmark's collection: 20,000 per language, drawn with
Zipf frequencies (a few short words everywhere, a long tail of rare ones).

Russian, Ukrainian and English words are built from syllables. Japanese is built to
read like running Japanese text as far as a search engine that indexes it
character by character can tell: the most frequent "words" are the particles and
endings (の, に, は, を, た, と, が, て, で…), content words are kanji compounds
from a few hundred common kanji drawn with Zipf frequencies (often with a kana
ending), hiragana words and some katakana words. Running text comes out about
two thirds hiragana, a quarter kanji and a few per cent katakana, as real text
does, so a word of frequent characters (ところ, 避難所, 地下) meets long posting
lists for each of its characters, as it would in a real archive.
"""

import itertools

from testimonies.search import analyzer

VOCABULARY_SIZE = 20_000
ZIPF_EXPONENT = 1.0

SYLLABLES = {
    "ru": ("бвгдзклмнпрстфхцчшж", "аоуеиыя"),
    "uk": ("бвгґдзклмнпрстфхцчшж", "аоуеиіїєя"),
    "en": ("bcdfghklmnprstvwz", "aeiouy"),
}

# Particles, auxiliaries, endings and other function words, most frequent first
# (separated by spaces).
JAPANESE_FUNCTION_WORDS = (
    "の に は て を た が と で し も な い ます です から ない まし か こと れ "
    "よう ある いる その この だ まで へ や ので など する られ ん ね よ なっ "
    "って それ また あり さ せ だっ でし いう もの ため けど ながら しか だけ "
    "なり あっ たち くれ みんな そう すぐ もう まだ とても ずっと ここ そこ"
)
# Common kanji, roughly in the order of their frequency in newspaper text…
COMMON_KANJI = (
    "日一国会人年大十二本中長出三同時政事自行社見月分議後前民生連五発間対上部"
    "東者党地合市業内相方四定今回新場金員九入選立開手米力学問高代明実円関決子"
    "動京全目表戦経通外最言氏現理調体化田当八六約主題下首意法不来作性的要用制"
    "治度務強気小七成期公持野協取都和統以機平総加山思家話世受区領多県続進正安"
    "設保改数記院女初北午指権心界支第産結百派点教報済書府活原先共得解名交資予"
    "川向際査勝面委告軍文反元重近千考判認画海参売利組知案道信策集在件団別物側"
    "任引使求所次水半品昨論計死官増係感特情投示変打男基私各始島直両朝革価式確"
    "村提運終挙果西勢減台広容必応演電歳住争談能無再位置企真流格有疑口過局少放"
    "税検藤町常校料沢裁状工建語球営空職証土与急止送援供可役構木割聞身費付施切"
    "由説転食比難防補車優夫研収断井何南石足違消境神番規術護展態導鮮備宅害配副"
)
# … and those a collection of war and evacuation testimonies uses more than a
# newspaper does, mixed in among the less frequent common ones.
TOPIC_KANJI = "避室灯給停仮守帰砲爆壊逃救災弾夜暗怖寒窓壁祖孫娘息泣叫静音光煙燃傷痛"
KANJI_EXPONENT = 0.7
# Hiragana as they occur inside words, most frequent first (no small kana).
HIRAGANA_BY_FREQUENCY = (
    "いうんしかのとたてになるすまくこがはつできられりあさもよおだけどちわせみえ"
    "そじろめやねばびごげぶずぼべぐほへひふむゆぜぞづぴぱぷぺぽぬ"
)
KATAKANA = [chr(c) for c in range(0x30A2, 0x30F4) if chr(c) not in "ィゥェォッャュョヮ"]


def zipf_weights(size, exponent=ZIPF_EXPONENT):
    """Cumulative weights of ranks 1…size (for ``random.choices``)."""
    return list(
        itertools.accumulate(1 / (rank**exponent) for rank in range(1, size + 1))
    )


def kanji():
    """The kanji the Japanese words are made of, most frequent first."""
    common = list(COMMON_KANJI)
    mixed = common[:120]
    for index, char in enumerate(common[120:]):
        mixed.append(char)
        if index % 3 == 0 and index // 3 < len(TOPIC_KANJI):
            mixed.append(TOPIC_KANJI[index // 3])
    return list(dict.fromkeys(mixed + list(TOPIC_KANJI)))


class Vocabulary:
    """Pseudo-words of one language, most frequent first, with Zipf weights.

    ``avoid`` holds what a pseudo-word must not produce: index tokens of the
    planted words (spaced languages), or planted words as substrings (Japanese,
    whose index holds single characters that any word may share).
    """

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
            first = JAPANESE_FUNCTION_WORDS.split()
            make = _japanese_maker(rng)

            def allowed(word):
                return not any(planted in word for planted in avoid)
        else:
            first = []
            make = _syllable_maker(language, rng)

            def allowed(word):
                return not avoid.intersection(analyzer.index_forms(word))

        words, seen = [], set(first)
        while len(words) + len(first) < size:
            word = make()
            if word in seen:
                continue
            seen.add(word)
            if allowed(word):
                words.append(word)
        # Frequent words are short, as in natural language.
        return first + sorted(words, key=len)


def _syllable_maker(language, rng):
    consonants, vowels = SYLLABLES[language]

    def make():
        syllables = 1 + min(int(rng.expovariate(0.8)), 4)
        return "".join(
            rng.choice(consonants)
            + rng.choice(vowels)
            + (rng.choice(consonants) if rng.random() < 0.25 else "")
            for _ in range(syllables)
        )

    return make


def _japanese_maker(rng):
    han = kanji()
    han_weights = zipf_weights(len(han), KANJI_EXPONENT)
    hiragana = list(HIRAGANA_BY_FREQUENCY)
    hiragana_weights = zipf_weights(len(hiragana), 0.8)

    def kana(count):
        return "".join(rng.choices(hiragana, cum_weights=hiragana_weights, k=count))

    def make():
        kind = rng.random()
        if kind < 0.45:  # a kanji compound, often with a kana ending
            length = rng.choices((1, 2, 3), weights=(30, 60, 10))[0]
            word = "".join(rng.choices(han, cum_weights=han_weights, k=length))
            return word + (kana(rng.randint(1, 2)) if rng.random() < 0.6 else "")
        if kind < 0.9:
            return kana(rng.randint(2, 4))
        word = [rng.choice(KATAKANA) for _ in range(rng.randint(2, 5))]
        if rng.random() < 0.3:
            word.insert(rng.randint(1, len(word)), "ー")
        return "".join(word)

    return make

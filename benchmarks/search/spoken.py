"""Hour-long transcripts for the search benchmark (``--recorded N``).

After the import, ``N`` testimonies spread evenly over the collection (every
k-th by id) each get a public recording with an hour-long transcript in the
testimony's language: ``CUES`` cues of about ``WORDS_PER_CUE`` words drawn from
the language's vocabulary, so frequent words become more frequent, as they do
in speech, and the words the query set looks for planted in as many
transcripts as texts (each once, in a cue chosen at random). The rows are
written in bulk, each transcript's ``text`` made by ``transcripts.cue_text`` as
``write_cues`` makes it (no media file is needed to search); then the
testimonies are indexed again through ``index.reindex``, the path every writer
of transcripts takes (``testimonies_changed``), and timed.
"""

import random
import time
from dataclasses import dataclass

from django.db import transaction

from testimonies.models import Cue, Recording, Testimony, Transcript
from testimonies.search import index
from testimonies.transcripts import cue_text

#: An hour of speech in cues of six seconds.
CUES = 600
CUE_MS = 6_000
WORDS_PER_CUE = 15
BATCH = 100


@dataclass
class Spoken:
    recordings: int
    cues: int
    text_bytes: int
    written_seconds: float
    indexed_seconds: float


def add_transcripts(collection, count, seed, progress=lambda message: None):
    """Give ``count`` testimonies a recording with an hour-long transcript and
    index them again; return what was written and how long it took."""
    rows = list(Testimony.objects.order_by("pk").values_list("pk", "language"))
    step = max(1, len(rows) // max(count, 1))
    chosen = rows[::step][:count]
    rng = random.Random(f"{seed}-spoken")
    text_bytes = 0
    start = time.perf_counter()
    with transaction.atomic():
        for begin in range(0, len(chosen), BATCH):
            batch = chosen[begin : begin + BATCH]
            recordings = Recording.objects.bulk_create(
                Recording(
                    testimony_id=pk,
                    file=f"recordings/bench/{pk}.ogg",
                    kind=Recording.Kind.AUDIO,
                    access=Testimony.Access.PUBLIC,
                    languages=[language],
                    duration_ms=CUES * CUE_MS,
                    content_type="audio/ogg",
                    size=0,
                    sha256="0" * 64,
                )
                for pk, language in batch
            )
            spoken = [
                [
                    Cue(
                        start_ms=number * CUE_MS,
                        end_ms=number * CUE_MS + CUE_MS - 500,
                        text=text,
                    )
                    for number, text in enumerate(_speech(collection, language, rng))
                ]
                for _pk, language in batch
            ]
            transcripts = Transcript.objects.bulk_create(
                Transcript(recording=recording, language=language, text=cue_text(rows))
                for recording, (_pk, language), rows in zip(
                    recordings, batch, spoken, strict=True
                )
            )
            cues = []
            for transcript, rows in zip(transcripts, spoken, strict=True):
                for cue in rows:
                    cue.transcript = transcript
                    text_bytes += len(cue.text.encode())
                cues.extend(rows)
            Cue.objects.bulk_create(cues, batch_size=2_000)
            progress(f"Transcripts written: {begin + len(batch):,} of {len(chosen):,}")
    written = time.perf_counter() - start
    progress("Indexing the recorded testimonies again")
    start = time.perf_counter()
    index.reindex([pk for pk, _language in chosen])
    indexed = time.perf_counter() - start
    return Spoken(len(chosen), len(chosen) * CUES, text_bytes, written, indexed)


def _speech(collection, language, rng):
    """The texts of an hour's cues in ``language``, the words the queries look
    for planted as often as in the texts."""
    texts = [collection.sentence(language, WORDS_PER_CUE, rng) for _ in range(CUES)]
    for probability, forms in collection.planted_words(language):
        if rng.random() < probability:
            where = rng.randrange(CUES)
            texts[where] = f"{texts[where][:-1]} {rng.choice(forms)}."
    return texts

"""Small builders for test data. Every name here is fictional."""

import functools
import itertools

from django.contrib.auth.models import Group, User

from testimonies.access import ARCHIVISTS_GROUP, RESEARCHERS_GROUP
from testimonies.models import Narrator, Testimony

_numbers = itertools.count(1)


def make_testimony(**fields):
    """A testimony, published and public unless told otherwise."""
    number = next(_numbers)
    themes = fields.pop("themes", [])
    places = fields.pop("places", [])
    fields.setdefault("identifier", f"TEST-{number:05d}")
    fields.setdefault("title", f"Test testimony {number}")
    fields.setdefault("language", "en")
    fields.setdefault("status", Testimony.Status.PUBLISHED)
    fields.setdefault("access", Testimony.Access.PUBLIC)
    testimony = Testimony.objects.create(**fields)
    if themes:
        testimony.themes.add(*themes)
    if places:
        testimony.places.add(*places)
    return testimony


def make_narrator(**fields):
    fields.setdefault("alias", f"Narrator {next(_numbers)}")
    return Narrator.objects.create(**fields)


def make_user(username, *, group=None, **fields):
    user = User.objects.create_user(
        username, password="correct horse battery", **fields
    )
    if group:
        user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


def make_researcher(username="researcher"):
    return make_user(username, group=RESEARCHERS_GROUP)


def make_archivist(username="archivist"):
    return make_user(username, group=ARCHIVISTS_GROUP, is_staff=True)


def make_theme(name, **fields):
    """A theme (pages tests: description, parent, names in other languages)."""
    from testimonies.models import Theme

    return Theme.objects.create(name=name, **fields)


def make_place(name, **fields):
    """A place; ``parent``, ``kind``, ``names``, ``latitude``/``longitude`` optional."""
    from testimonies.models import Place

    return Place.objects.create(name=name, **fields)


def make_photo(testimony, *, size=(40, 30), **fields):
    """A small PNG photo attached to ``testimony`` (stored with its thumbnail)."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from testimonies.models import Photo

    output = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(output, "PNG")
    fields.setdefault("alt_text", "A red square")
    image = SimpleUploadedFile("photo.png", output.getvalue(), "image/png")
    return Photo.objects.create(testimony=testimony, image=image, **fields)


def make_document(testimony, content=b"A plain text document.\n", **fields):
    """A document attached to ``testimony``: plain text unless ``content`` says."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from testimonies.models import Document

    fields.setdefault("title", "Interview notes")
    upload = SimpleUploadedFile("notes.txt", content, "text/plain")
    return Document.objects.create(testimony=testimony, file=upload, **fields)


def make_recording(testimony, *, seconds=1, **fields):
    """A recording of ``testimony``: a tone of ``seconds``, stored as a checked
    upload would be, without running ffmpeg again (tests of the checks upload
    files)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from testimonies import avmedia
    from testimonies.models import Recording

    data, copy = _clean_tone(seconds)
    name = default_storage.save(
        avmedia.recording_path(None, f"tone{copy.found.extension}"), ContentFile(data)
    )
    stored = copy.fields() | fields
    return Recording.objects.create(testimony=testimony, file=name, **stored)


def make_transcript(recording, cues, *, language="ru", **fields):
    """A transcript of ``recording`` made of ``cues`` (``(start_ms, end_ms,
    text)`` or with a speaker), written as the admin writes it: the cues
    replaced whole, then the search index told."""
    from testimonies.models import Testimony, Transcript
    from testimonies.signals import testimonies_changed
    from testimonies.timedtext import TimedCue
    from testimonies.transcripts import replace_cues

    transcript = Transcript.objects.create(
        recording=recording, language=language, **fields
    )
    replace_cues(transcript=transcript, cues=[TimedCue(*cue) for cue in cues])
    testimonies_changed.send(sender=Testimony, ids=[recording.testimony_id])
    return transcript


def make_segment(recording, start_ms, end_ms, title, **fields):
    """A segment of ``recording``'s index, the search index told."""
    from testimonies.models import Segment, Testimony
    from testimonies.signals import testimonies_changed

    fields.setdefault("language", "en")
    segment = Segment.objects.create(
        recording=recording, start_ms=start_ms, end_ms=end_ms, title=title, **fields
    )
    testimonies_changed.send(sender=Testimony, ids=[recording.testimony_id])
    return segment


@functools.cache
def _clean_tone(seconds):
    """An MP3 tone as a save stores it, and its :class:`CleanCopy` (made once
    per length and test run)."""
    import tempfile
    from pathlib import Path

    from testimonies import avmedia

    from .avsamples import make_tone

    with tempfile.TemporaryDirectory() as folder:
        copy = avmedia.clean_copy(make_tone(Path(folder) / "tone.mp3", seconds=seconds))
    data = Path(copy.path).read_bytes()
    Path(copy.path).unlink()
    return data, copy


def make_search_collection():
    """A small multilingual collection for the search page and API tests.

    Public testimonies in four languages sharing a theme and places, plus one of
    each kind the public must not see (draft, researchers only, restricted,
    withdrawn), all carrying the searched word «подвал» and the same tags.
    Returns the testimonies by a short key, with the theme and places.
    """
    import datetime

    from testimonies.dates import DatePrecision
    from testimonies.models import Testimony, Translation

    region = make_place("Kursk Oblast", kind="region", names={"ru": "Курская область"})
    sudzha = make_place(
        "Sudzha", parent=region, names={"ru": "Суджа", "uk": "Суджа", "ja": "スジャ"}
    )
    sumy = make_place("Sumy", kind="settlement", names={"uk": "Суми"})
    shelter = make_theme(
        "Shelter in basements", names={"ru": "Укрытие под землёй", "ja": "シェルター"}
    )
    aid = make_theme("Humanitarian aid", names={"ru": "Гуманитарная помощь"})
    day = datetime.date.fromisoformat
    made = {
        "ru": make_testimony(
            identifier="SRCH-RU",
            language="ru",
            title="Ночи в подвале",
            summary="Жительница Суджи о неделях внизу.",
            body="Мы сидели в подвалах всю неделю. В подвале было холодно.",
            recorded_on=day("2024-08-01"),
            recorded_precision=DatePrecision.MONTH,
            themes=[shelter],
            places=[sudzha],
        ),
        "uk": make_testimony(
            identifier="SRCH-UK",
            language="uk",
            title="Тиждень у школі",
            body="Ми ховалися в підвалі школи, поки не приїхав автобус.",
            recorded_on=day("2024-09-12"),
            themes=[shelter, aid],
            places=[sumy],
        ),
        "ja": make_testimony(
            identifier="SRCH-JA",
            language="ja",
            title="三日間",
            body="私たちは近所の地下室に避難した。三日間、上には戻らなかった。",
            recorded_on=day("2024-08-20"),
            themes=[aid],
            places=[sudzha],
        ),
        "en": make_testimony(
            identifier="SRCH-EN",
            title="The closed road",
            body="Nobody came because of the closed road. We waited in basements.",
            recorded_on=day("2025-01-05"),
            themes=[shelter],
        ),
    }
    Translation.objects.create(
        testimony=made["ja"],
        language="ru",
        title="Три дня",
        body="Мы укрылись в подвале у соседей.",
    )
    hidden = {
        "draft": {"status": Testimony.Status.DRAFT},
        "in_review": {"status": Testimony.Status.IN_REVIEW},
        "withdrawn": {"status": Testimony.Status.WITHDRAWN},
        "restricted": {"access": Testimony.Access.RESTRICTED},
        "researchers": {"access": Testimony.Access.RESEARCHERS},
    }
    for key, fields in hidden.items():
        made[key] = make_testimony(
            identifier=f"SRCH-{key.upper().replace('_', '-')}",
            language="ru",
            title=f"Скрытое: {key}",
            body="Подвал, подвалы, снова подвал.",
            recorded_on=day("2024-10-01"),
            themes=[shelter, aid],
            places=[sudzha, sumy],
            **fields,
        )
    made.update(shelter=shelter, aid=aid, sudzha=sudzha, sumy=sumy, region=region)
    return made

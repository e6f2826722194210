"""Photos and documents in an import: the files a line's ``photos`` and
``documents`` name, with what the admin asks of them.

Files are named as recordings' are, relative to the file being imported and never
outside its folder (:meth:`.recordings.Media.resolve`). Reading a line checks each
file under the admin's upload rules (:mod:`testimonies.media`): an image is
decoded and re-encoded without its metadata, a document must be a PDF, plain
text or an image. The clean bytes wait in temporary files until the import
writes; a line's list replaces the testimony's photos (or documents) as a whole,
and a list that already matches what is stored, file by file, changes nothing.
"""

import os
import tempfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

from .. import media
from ..models import Document, Photo
from .fields import INVALID, join


@dataclass(frozen=True)
class Kind:
    """Photos or documents: the key of a line, the model and what it asks for."""

    key: str
    model: type
    keys: tuple  # the format's keys, "file" first
    required: tuple
    clean: object  # bytes → media.CleanFile
    upload_to: object  # (instance, filename) → stored name

    @property
    def texts(self):
        """The model's text fields a line sets, in the format's order."""
        return self.keys[1:]


PHOTOS = Kind(
    "photos",
    Photo,
    ("file", "alt_text", "caption", "credit"),
    ("file", "alt_text"),
    media.clean_photo,
    media.photo_path,
)
DOCUMENTS = Kind(
    "documents",
    Document,
    ("file", "title", "description", "credit"),
    ("file", "title"),
    media.clean_document,
    media.document_path,
)
KINDS = (PHOTOS, DOCUMENTS)


@dataclass
class AttachmentPlan:
    """One photo or document of a line, its clean file waiting on disk."""

    values: dict  # the model's text fields and position
    extension: str
    content: str  # temporary file of the clean bytes
    facts: dict  # what is stored beside the file: sha256, size, width…
    source_sha256: str  # of the file as the import found it
    thumbnail: str = ""  # temporary file of a photo's thumbnail

    @property
    def sha256s(self):
        """The stored checksums that mean "this very file": the clean copy's, or
        the file's own (an export gives the stored bytes, and an image cleaned
        twice is not the same bytes)."""
        return {self.facts["sha256"], self.source_sha256}


def clean_attachments(c, kind, value, files):
    """The line's whole list of ``kind``, each file checked and cleaned."""
    if c.array(value, kind.key) is INVALID:
        return INVALID
    plans = []
    for index, item in enumerate(value):
        path = f"{kind.key}[{index}]"
        data = c.object(item, path, kind.keys, required=kind.required)
        if data is INVALID:
            continue
        values = {"position": index}
        for key in kind.texts:
            if key in data:
                values[key] = c.field(kind.model, key, data[key], join(path, key))
        if "file" not in data:
            continue
        source = files.resolve(c, data["file"], join(path, "file"))
        if source is INVALID:
            continue
        try:
            original = media.read_file(source)
            clean = kind.clean(original)
        except ValidationError as error:
            c.error(join(path, "file"), " ".join(error.messages))
            continue
        plans.append(_plan(files, values, clean, media.sha256(original)))
    return plans if c.ok else INVALID


def _plan(files, values, clean, source_sha256):
    facts = {"sha256": clean.sha256}
    if clean.width is not None:
        facts.update(width=clean.width, height=clean.height)
    else:
        facts.update(content_type=clean.content_type, size=len(clean.content))
    plan = AttachmentPlan(
        values,
        clean.extension,
        _waiting(files, clean.content, clean.extension),
        facts,
        source_sha256,
    )
    if clean.thumbnail:
        plan.thumbnail = _waiting(files, clean.thumbnail, ".webp")
    return plan


def _waiting(files, content, extension):
    """A temporary file holding ``content``, removed when the import ends."""
    handle, path = tempfile.mkstemp(suffix=extension, dir=settings.FILE_UPLOAD_TEMP_DIR)
    with os.fdopen(handle, "wb") as stream:
        stream.write(content)
    files.temporary.append(path)
    return path


def replace_attachments(kind, listing, files):
    """Give each testimony whose line lists ``kind`` exactly those, in order."""
    for batch in listing:
        changed, _stored_rows = compare(kind, batch)
        changed = [
            (testimony, plans) for testimony, plans in batch if testimony.pk in changed
        ]
        # One by one: each deletion removes its files once the import commits.
        kind.model.objects.filter(
            testimony__in=[testimony.pk for testimony, _plans in changed]
        ).delete()
        for testimony, plans in changed:
            for plan in plans:
                attachment = kind.model(
                    testimony_id=testimony.pk,
                    **_stored_files(kind, plan, files),
                    **plan.facts,
                    **plan.values,
                )
                # The files are stored clean already: save() reads nothing again.
                attachment.save()


def compare(kind, pairs):
    """For ``pairs`` ((testimony, plans), planned and stored): the pks of the
    testimonies whose ``kind`` the import would change, and what each stores
    now (rows of sha256 and texts, in order), in one query."""
    stored = _stored(kind, [testimony.pk for testimony, _plans in pairs])
    changed = {
        testimony.pk
        for testimony, plans in pairs
        if not _unchanged(kind, stored.get(testimony.pk, []), plans)
    }
    return changed, stored


def _stored(kind, pks):
    pks = [pk for pk in pks if pk is not None]
    rows = {}
    if not pks:
        return rows
    for row in (
        kind.model.objects.filter(testimony_id__in=pks)
        .order_by("position", "pk")
        .values("testimony_id", "sha256", *kind.texts)
    ):
        rows.setdefault(row.pop("testimony_id"), []).append(row)
    return rows


def _unchanged(kind, stored, plans):
    if len(stored) != len(plans):
        return False
    for row, plan in zip(stored, plans, strict=True):
        if row["sha256"] not in plan.sha256s:
            return False
        for key in kind.texts:
            default = kind.model._meta.get_field(key).get_default()
            if row[key] != plan.values.get(key, default):
                return False
    return True


def _stored_files(kind, plan, files):
    """Move the plan's clean files into storage; the fields that name them."""
    names = {}
    main = kind.model.FILE_FIELD
    names[main] = files.move(
        plan.content,
        kind.upload_to(None, f"{kind.key[:-1]}{plan.extension}"),
        kind.model._meta.get_field(main).storage,
    )
    if plan.thumbnail:
        names["thumbnail"] = files.move(
            plan.thumbnail,
            media.thumbnail_path(None, "thumbnail.webp"),
            kind.model._meta.get_field("thumbnail").storage,
        )
    return names

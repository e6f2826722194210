"""Validation and processing of the photos and documents attached to testimonies.

A photo can reveal where and when it was taken and by which device: every new image
is decoded, checked and re-encoded without its metadata before it is stored (see
:mod:`testimonies.imaging`). Files are recognised by their content, never by their
name or the browser's content type, and are stored under random names so that a
file's address tells nothing about the narrator and cannot be guessed.

Accepted documents: PDF (starting with ``%PDF-``), plain UTF-8 text, and images
under the photo rules. Anything that a browser could run or render as a page (HTML,
SVG, XML) is refused, as is everything else (archives, executables, office files).
PDF metadata is kept as uploaded: archivists should check it before publishing.

Limits come from settings, read at call time: TESTIMONY_MAX_UPLOAD_BYTES,
TESTIMONY_MAX_IMAGE_PIXELS and TESTIMONY_THUMBNAIL_SIZE.
"""

import hashlib
import re
import uuid
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from . import imaging

PDF_TYPE = "application/pdf"
TEXT_TYPE = "text/plain; charset=utf-8"

# Markup a browser would render or run if the file were ever served as a page.
_MARKUP = re.compile(
    r"<\s*(?:!doctype|\?xml|html|head|body|script|iframe|frame|svg|object|embed|"
    r"meta|style|link|form|img)\b",
    re.IGNORECASE,
)
# Text may hold tabs, line breaks and form feeds, but no other control characters:
# those mark binary data that happens to decode as UTF-8.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def random_name(folder, filename):
    # Only a short, plain extension survives from the name we are given.
    suffix = PurePath(filename).suffix.lower()
    if not re.fullmatch(r"\.[a-z0-9]{1,5}", suffix):
        suffix = ""
    return f"{folder}/{uuid.uuid4().hex}{suffix}"


def photo_path(instance, filename):
    return random_name("photos", filename)


def thumbnail_path(instance, filename):
    return random_name("thumbnails", filename)


def document_path(instance, filename):
    return random_name("documents", filename)


def validate_image_upload(file):
    """Refuse an upload that is not a readable JPEG, PNG, WebP or GIF within limits.

    A file already in storage passed these checks when it arrived; it is not read
    again, so editing a caption never fails because a limit was lowered since.
    """
    if is_stored(file):
        return
    imaging.open_image(_read_upload(file))


def validate_document_upload(file):
    """Refuse an upload that is not a PDF, plain UTF-8 text or an accepted image."""
    if is_stored(file):
        return
    data = _read_upload(file)
    if _document_kind(data) == "image":
        imaging.open_image(data)


def prepare_photo(photo):
    """Before saving: re-encode a new image without metadata and make its thumbnail.

    Does nothing when the image did not change, so saving a caption decodes nothing.
    A bad image raises ValidationError even when the caller skipped full_clean(), so
    an unchecked file is never stored. A replaced image's files are deleted once
    the change is committed.
    """
    if not photo.image or is_stored(photo.image):
        return
    clean = clean_photo(_read_upload(photo.image))
    replaced = stored_names(photo, "image", "thumbnail")
    photo.image = ContentFile(clean.content, name=f"photo{clean.extension}")
    photo.sha256 = clean.sha256
    photo.thumbnail = ContentFile(clean.thumbnail, name="thumbnail.webp")
    delete_on_commit(type(photo), replaced)


def prepare_document(document):
    """Before saving: check a new file, record its content type and size.

    Images among documents get the photo treatment (metadata stripped); PDF and
    text are stored byte for byte. The stored extension follows the content.
    """
    if not document.file or is_stored(document.file):
        return
    clean = clean_document(_read_upload(document.file))
    replaced = stored_names(document, "file")
    document.file = ContentFile(clean.content, name=f"document{clean.extension}")
    document.content_type = clean.content_type
    document.size = len(clean.content)
    document.sha256 = clean.sha256
    delete_on_commit(type(document), replaced)


@dataclass(frozen=True)
class CleanFile:
    """A photo's or document's bytes as they are stored, and what is known of
    them; a photo's thumbnail (WebP) and pixel size."""

    content: bytes
    extension: str
    content_type: str
    thumbnail: bytes = b""
    width: int | None = None
    height: int | None = None

    @property
    def sha256(self):
        return sha256(self.content)


def clean_photo(data):
    """The :class:`CleanFile` of an image's bytes: decoded, checked against the
    limits and re-encoded without metadata; ValidationError when refused."""
    clean = imaging.sanitize(imaging.open_image(data))
    width, height = clean.picture.size
    return CleanFile(
        clean.content,
        clean.extension,
        clean.content_type,
        thumbnail=imaging.thumbnail(clean.picture),
        width=width,
        height=height,
    )


def clean_document(data):
    """The :class:`CleanFile` of a document's bytes: a PDF or text as it is, an
    image as :func:`clean_photo` makes it; ValidationError for anything else."""
    kind = _document_kind(data)
    if kind == "image":
        clean = imaging.sanitize(imaging.open_image(data))
        return CleanFile(clean.content, clean.extension, clean.content_type)
    if kind == "pdf":
        return CleanFile(data, ".pdf", PDF_TYPE)
    return CleanFile(data, ".txt", TEXT_TYPE)


def read_file(path):
    """The bytes of the file at ``path`` under the upload rules: refused
    (ValidationError) when empty or larger than TESTIMONY_MAX_UPLOAD_BYTES,
    without reading past the limit."""
    with open(path, "rb") as stream:
        return _read_upload(File(stream))


def delete_stored_files(instance):
    """Delete a photo's or document's files once the deletion is committed.

    Meant for a ``post_delete`` receiver: Django leaves files behind on delete, and
    a removed photo must not stay reachable in the media tree.
    """
    names = {}
    for field in instance._meta.get_fields():
        if hasattr(field, "upload_to"):
            name = getattr(instance, field.attname).name
            if name:
                names[field.attname] = name
    delete_on_commit(type(instance), names)


def sha256(data):
    """The hex SHA-256 of ``data``: the fixity recorded for a stored file."""
    return hashlib.sha256(data).hexdigest()


def stored_sha256(storage, name, chunk_size=1 << 20):
    """The hex SHA-256 of the stored file ``name``, read in chunks.

    Raises FileNotFoundError when the file is missing.
    """
    with storage.open(name, "rb") as stream:
        return sha256_of_stream(stream, chunk_size)


def sha256_of_stream(stream, chunk_size=1 << 20):
    """The hex SHA-256 of what is left to read in ``stream``, read in chunks."""
    digest = hashlib.sha256()
    while chunk := stream.read(chunk_size):
        digest.update(chunk)
    return digest.hexdigest()


def download_name(title, stored_name):
    """A safe file name for a download: the title as a slug, the stored extension.

    Keeps Japanese and Cyrillic letters; drops path separators, control and
    direction-override characters. The uploader's original name is never used.
    """
    stem = slugify(str(title), allow_unicode=True)[:80].strip("-_") or "document"
    return f"{stem}{PurePath(stored_name).suffix.lower()}"


def is_stored(file):
    # FieldFile marks a file it already wrote to storage (or read from the database)
    # as committed; a fresh upload is not.
    return getattr(file, "_committed", False)


def _read_upload(file):
    """The upload's bytes, refused before reading past the size limit."""
    limit = settings.TESTIMONY_MAX_UPLOAD_BYTES
    try:
        size = file.size
    except (AttributeError, OSError):
        size = None
    if size is not None and size > limit:
        raise _too_large(limit)
    try:
        file.seek(0)
        data = file.read(limit + 1)
    finally:
        file.seek(0)
    if len(data) > limit:
        raise _too_large(limit)
    if not data:
        raise ValidationError(_("The file is empty."), code="empty_file")
    return data


def _too_large(limit):
    return ValidationError(
        _("The file is too large: files may be at most %(limit)s."),
        code="file_too_large",
        params={"limit": filesizeformat(limit)},
    )


def _document_kind(data):
    """ "pdf", "image" or "text", judged by content; a ValidationError otherwise."""
    # Strict: a PDF must start with its signature, so a page with a PDF hidden
    # further down (a polyglot) is not one.
    if data.startswith(b"%PDF-"):
        return "pdf"
    if imaging.looks_like_image(data):
        return "image"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = None
    if text is not None and not _CONTROL.search(text):
        if text.lstrip().startswith("<") or _MARKUP.search(text):
            raise ValidationError(
                _(
                    "Web pages, SVG and other markup files cannot be attached: "
                    "they could run in a reader's browser. Attach a PDF instead."
                ),
                code="markup_document",
            )
        return "text"
    raise ValidationError(
        _(
            "This kind of file cannot be attached. Attach a PDF, a plain text file "
            "(UTF-8) or a JPEG, PNG, WebP or GIF image."
        ),
        code="unsupported_document",
    )


def stored_names(instance, *fields):
    """The file names the saved row holds now, before this save replaces them."""
    if instance.pk is None:
        return {}
    row = type(instance)._default_manager.filter(pk=instance.pk).values(*fields)
    row = row.first() or {}
    return {field: name for field, name in row.items() if name}


def delete_on_commit(model, names):
    """Delete files after commit, unless another row still refers to one."""
    if not names:
        return

    def delete():
        for field, name in names.items():
            if not model._default_manager.filter(**{field: name}).exists():
                model._meta.get_field(field).storage.delete(name)

    transaction.on_commit(delete)

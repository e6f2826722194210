"""Photos, thumbnails, documents and recordings, served only to those who may see
them: readers of their testimony, and for a recording, listeners at its own
access level (``Recording.objects.visible_to``).

The media folder is never published as it is: a photo of a draft or restricted
testimony would otherwise be one guessed (or leaked) address away. Every file is
served here, after finding the photo or document that holds it and checking that
the requesting user may see its testimony (``visible_to``). Addresses stay those
of ``MEDIA_URL``, so ``photo.image.url`` keeps working in templates.

A ``Range`` request (a player seeking in an hour's recording) is answered with
the part asked for (206); the web server does the same in the modes below.

In production the application only decides; the web server sends the bytes when
``TESTIMONY_MEDIA_ACCEL`` says how (docs/deployment.md):

- ``""`` (default): Django streams the file itself.
- ``"x-accel-redirect"`` (nginx): ``X-Accel-Redirect: <prefix><name>``, the prefix
  being an ``internal`` location that aliases the media folder.
- ``"x-sendfile"`` (Apache mod_xsendfile, lighttpd): ``X-Sendfile: <path>``, the
  prefix being the media folder as the web server sees it (default: MEDIA_ROOT).
"""

import re
from pathlib import PurePath
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseGone,
    StreamingHttpResponse,
)
from django.urls import path
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from ..access import Audience, audience_of
from ..media import download_name
from ..models import Document, Photo, Recording, Testimony

IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
}
#: How long browsers and shared caches may keep a file of a public testimony: a
#: withdrawn testimony's photos disappear from caches within this time.
PUBLIC_MAX_AGE = 60 * 60
ACCEL_MODES = ("", "x-accel-redirect", "x-sendfile")
#: One range of bytes: ``bytes=0-99``, ``bytes=100-``, ``bytes=-500`` (the last 500).
# ASCII digits only, and at most 19 (no file is larger): a longer number is a
# range this does not read, answered with the whole file.
_RANGE = re.compile(r"bytes=[ \t]*([0-9]{0,19})[ \t]*-[ \t]*([0-9]{0,19})[ \t]*")
_CHUNK = 1 << 16


@require_safe
def serve_media(request, name):
    """The file stored as ``name``, if the user may see what holds it.

    404 for unknown names and for what the user may not see, 410 for a withdrawn
    testimony's files, as its page answers.
    """
    if len(name) > 255 or not name.isprintable() or ".." in PurePath(name).parts:
        raise Http404
    attachment, field = find_attachment(name)
    if attachment is None:
        raise Http404
    testimony = attachment.testimony
    if isinstance(attachment, Recording):
        visible = Recording.objects.visible_to(request.user).filter(pk=attachment.pk)
    else:
        visible = Testimony.objects.visible_to(request.user).filter(pk=testimony.pk)
    if not visible.exists():
        if testimony.status == Testimony.Status.WITHDRAWN:
            return HttpResponseGone()
        raise Http404
    if isinstance(attachment, Recording) and not _played(
        attachment, name, request.user
    ):
        raise Http404
    if isinstance(attachment, Photo):
        content_type = IMAGE_TYPES.get(PurePath(name).suffix.lower())
        if content_type is None:
            raise Http404
        filename, as_attachment = PurePath(name).name, False
    else:
        if isinstance(attachment, Recording):
            content_type = attachment.type_of(getattr(attachment, field.name))
        else:
            content_type = attachment.content_type or "application/octet-stream"
        # A document is a download; a recording plays in the page.
        as_attachment = isinstance(attachment, Document)
        title = attachment.title or testimony.identifier
        filename = download_name(title, name)
    response = _file_response(request, field.storage, name, content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment, filename
    )
    holder = attachment if isinstance(attachment, Recording) else testimony
    return protected(response, public=holder.is_public())


def protected(response, *, public):
    """``response`` (a file of a testimony) with its content sniffing off, kept
    by shared caches for an hour when anybody may see it, else by nobody."""
    response["X-Content-Type-Options"] = "nosniff"
    if public:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    else:
        patch_cache_control(response, private=True, no_store=True)
    return response


def find_attachment(name):
    """The photo, document or recording storing a file called ``name``, and its
    file field."""
    photo = (
        Photo.objects.filter(Q(image=name) | Q(thumbnail=name))
        .select_related("testimony")
        .first()
    )
    if photo is not None:
        field = "image" if photo.image.name == name else "thumbnail"
        return photo, Photo._meta.get_field(field)
    document = Document.objects.filter(file=name).select_related("testimony").first()
    if document is not None:
        return document, Document._meta.get_field("file")
    recording = (
        Recording.objects.filter(Q(file=name) | Q(public_file=name))
        .select_related("testimony")
        .first()
    )
    if recording is not None:
        field = "file" if recording.file.name == name else "public_file"
        return recording, Recording._meta.get_field(field)
    return None, None


def _played(recording, name, user):
    """Whether ``name``, a file of ``recording``, is one ``user`` may be sent:
    the file the site plays (``playable_file``), or any of its files for an
    archivist (the original of a recording with redacted ranges is theirs)."""
    if audience_of(user) == Audience.ARCHIVIST:
        return True
    playable = recording.playable_file()
    return bool(playable) and playable.name == name


def _file_response(request, storage, name, content_type):
    mode = getattr(settings, "TESTIMONY_MEDIA_ACCEL", "")
    prefix = getattr(settings, "TESTIMONY_MEDIA_ACCEL_PREFIX", "")
    if mode not in ACCEL_MODES:
        raise ImproperlyConfigured(
            f"TESTIMONY_MEDIA_ACCEL must be one of {ACCEL_MODES}, not {mode!r}."
        )
    if mode and not storage.exists(name):
        raise Http404
    if mode == "x-accel-redirect":
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = (prefix or "/protected-media/") + quote(name)
        return response
    if mode == "x-sendfile":
        response = HttpResponse(content_type=content_type)
        response["X-Sendfile"] = (
            str(PurePath(prefix) / name) if prefix else storage.path(name)
        )
        return response
    try:
        stream = storage.open(name, "rb")
    except (FileNotFoundError, IsADirectoryError):
        raise Http404 from None
    size = storage.size(name)
    # If-Range asks for a part only if the file is still the one a validator
    # names; none is sent, so none can match: the whole file.
    ranged = "If-Range" not in request.headers
    wanted = requested_range(request.headers.get("Range"), size) if ranged else None
    if wanted is None:
        response = FileResponse(stream, content_type=content_type)
    elif wanted == UNSATISFIABLE:
        stream.close()
        response = HttpResponse(status=416, content_type="text/plain")
        response["Content-Range"] = f"bytes */{size}"
    else:
        first, last = wanted
        response = StreamingHttpResponse(
            _read_part(stream, first, last), status=206, content_type=content_type
        )
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
        response["Content-Length"] = str(last - first + 1)
    response["Accept-Ranges"] = "bytes"
    return response


UNSATISFIABLE = "unsatisfiable"


def requested_range(header, size):
    """(first, last) byte of a ``Range`` header's one range, within ``size``;
    ``None`` to send the whole file (no header, several ranges, a syntax this
    does not read: RFC 9110 lets a server ignore them); :data:`UNSATISFIABLE`
    when the range lies past the end."""
    if not header:
        return None
    match = _RANGE.fullmatch(header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            return UNSATISFIABLE
        return max(size - length, 0), size - 1
    first = int(first)
    if last and int(last) < first:
        return None
    if first >= size:
        return UNSATISFIABLE
    return first, (min(int(last), size - 1) if last else size - 1)


def _read_part(stream, first, last):
    with stream:
        stream.seek(first)
        left = last - first + 1
        while left > 0:
            chunk = stream.read(min(_CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk


def media_urlpatterns():
    """The route of ``MEDIA_URL`` to :func:`serve_media`; none when media live on
    another host (object storage serves them, with its own access rules)."""
    parts = urlsplit(settings.MEDIA_URL)
    if parts.scheme or parts.netloc:
        return []
    prefix = parts.path.strip("/")
    return [path(f"{prefix}/<path:name>", serve_media, name="media")]

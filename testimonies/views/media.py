"""Photos, thumbnails and documents, served only to readers of their testimony.

The media folder is never published as it is: a photo of a draft or restricted
testimony would otherwise be one guessed (or leaked) address away. Every file is
served here, after finding the photo or document that holds it and checking that
the requesting user may see its testimony (``visible_to``). Addresses stay those
of ``MEDIA_URL``, so ``photo.image.url`` keeps working in templates.

In production the application only decides; the web server sends the bytes when
``TESTIMONY_MEDIA_ACCEL`` says how (docs/deployment.md):

- ``""`` (default): Django streams the file itself.
- ``"x-accel-redirect"`` (nginx): ``X-Accel-Redirect: <prefix><name>``, the prefix
  being an ``internal`` location that aliases the media folder.
- ``"x-sendfile"`` (Apache mod_xsendfile, lighttpd): ``X-Sendfile: <path>``, the
  prefix being the media folder as the web server sees it (default: MEDIA_ROOT).
"""

from pathlib import PurePath
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse, HttpResponseGone
from django.urls import path
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from ..media import download_name
from ..models import Document, Photo, Testimony

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


@require_safe
def serve_media(request, name):
    """The file stored as ``name``, if its testimony is visible to the user.

    404 for unknown names and for testimonies the user may not see, 410 for a
    withdrawn testimony's files, as its page answers.
    """
    if len(name) > 255 or not name.isprintable() or ".." in PurePath(name).parts:
        raise Http404
    attachment, field = find_attachment(name)
    if attachment is None:
        raise Http404
    testimony = attachment.testimony
    if not Testimony.objects.visible_to(request.user).filter(pk=testimony.pk).exists():
        if testimony.status == Testimony.Status.WITHDRAWN:
            return HttpResponseGone()
        raise Http404
    if isinstance(attachment, Document):
        content_type = attachment.content_type or "application/octet-stream"
        filename = download_name(attachment.title, name)
        as_attachment = True
    else:
        content_type = IMAGE_TYPES.get(PurePath(name).suffix.lower())
        if content_type is None:
            raise Http404
        filename, as_attachment = PurePath(name).name, False
    response = _file_response(field.storage, name, content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment, filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    if testimony.is_public():
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    else:
        patch_cache_control(response, private=True, no_store=True)
    return response


def find_attachment(name):
    """The photo or document storing a file called ``name``, and its file field."""
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
    return None, None


def _file_response(storage, name, content_type):
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
    return FileResponse(stream, content_type=content_type)


def media_urlpatterns():
    """The route of ``MEDIA_URL`` to :func:`serve_media`; none when media live on
    another host (object storage serves them, with its own access rules)."""
    parts = urlsplit(settings.MEDIA_URL)
    if parts.scheme or parts.netloc:
        return []
    prefix = parts.path.strip("/")
    return [path(f"{prefix}/<path:name>", serve_media, name="media")]

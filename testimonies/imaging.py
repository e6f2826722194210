"""Reading untrusted images safely and re-encoding them without metadata.

Pure Pillow work on bytes already in memory; :mod:`testimonies.media` decides when to
call it and where the results are stored. Every check here looks at the content:
file names and the browser's content type are the uploader's word, not evidence.
"""

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

# Formats we decode, and what each is stored as. MPO is how Pillow names the JPEGs
# many phones write (a JPEG with extra preview frames). GIF becomes PNG: we keep
# only the first frame, and PNG holds a palette and transparency losslessly.
STORED_AS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "GIF": "PNG"}
EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# The decoders Pillow may use on an upload (MPO files come through the JPEG one).
_DECODERS = ["JPEG", "PNG", "WEBP", "GIF"]

# Signatures of the accepted formats, for callers that must tell images from other
# files before choosing which rules apply (documents).
_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")

_ACCEPTED = _("Upload a photo in JPEG, PNG, WebP or GIF format.")


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    format: str
    picture: Image.Image

    @property
    def extension(self):
        return EXTENSIONS[self.format]

    @property
    def content_type(self):
        return CONTENT_TYPES[self.format]


def looks_like_image(data):
    """Whether the bytes start like one of the image formats we accept."""
    return data.startswith(_SIGNATURES) or (
        data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    )


def open_image(data):
    """The first frame of an uploaded image, fully decoded, or a ValidationError.

    The pixel count is checked from the header before anything is decoded, so a
    small file claiming a huge picture (a decompression bomb) costs nothing.
    Decoding the whole frame is the only reliable way to find a truncated JPEG:
    ``verify()`` checks little beyond PNG checksums.
    """
    # Pillow reports moderately oversized images only with a warning; make it an
    # error here. catch_warnings() is process-wide and not thread-safe: a race can at
    # worst let the warning through, and our own pixel limit (below Pillow's) still
    # applies.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=_DECODERS)
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise _too_many_pixels(None) from None
        except UnidentifiedImageError:
            raise _unidentified(data) from None
        except Exception:  # Pillow raises many kinds of error for malformed data.
            raise _damaged() from None
        _check_pixels(image.size)
        try:
            image.verify()
            # verify() leaves the image unusable: decode from a fresh start.
            image = Image.open(io.BytesIO(data), formats=_DECODERS)
            image.load()
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise _too_many_pixels(image.size) from None
        except Exception:
            raise _damaged() from None
    return image


def sanitize(image):
    """Re-encode a decoded image as a :class:`CleanImage` carrying no metadata.

    The EXIF orientation is applied to the pixels first, so the picture still looks
    the way the camera meant. Nothing of the original's metadata is copied: EXIF
    (with GPS), XMP, IPTC, comments and PNG text chunks are all left behind. An ICC
    profile is converted into the pixels (as sRGB) and then dropped too: profiles
    can name the device, and sRGB is what browsers assume without one.
    """
    target = STORED_AS[image.format]
    icc_profile = image.info.get("icc_profile")
    try:
        picture = ImageOps.exif_transpose(image)
    except Exception:  # Malformed EXIF: keep the pixels as they are.
        picture = image.copy()
    if icc_profile and picture.mode in ("RGB", "RGBA", "CMYK"):
        picture = _to_srgb(picture, icc_profile)
    if target == "JPEG" and picture.mode not in ("L", "RGB"):
        picture = picture.convert("RGB")
    # Everything Pillow would copy into the new file comes from info (a JPEG comment,
    # a PNG profile...): keep only what the pixels need to look the same.
    transparency = picture.info.get("transparency")
    picture.info = {} if transparency is None else {"transparency": transparency}
    output = io.BytesIO()
    if target == "JPEG":
        picture.save(output, "JPEG", quality=90, optimize=True)
    elif target == "WEBP":
        picture.save(output, "WEBP", quality=90)
    else:
        picture.save(output, "PNG")
    return CleanImage(content=output.getvalue(), format=target, picture=picture)


def thumbnail(picture):
    """WebP bytes of a copy no larger than TESTIMONY_THUMBNAIL_SIZE (keeps alpha)."""
    small = picture.convert("RGBA" if picture.has_transparency_data else "RGB")
    small.thumbnail(tuple(settings.TESTIMONY_THUMBNAIL_SIZE), Image.Resampling.LANCZOS)
    small.info = {}
    output = io.BytesIO()
    small.save(output, "WEBP", quality=80)
    return output.getvalue()


def _to_srgb(picture, icc_profile):
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        mode = "RGBA" if picture.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(
            picture, source, ImageCms.createProfile("sRGB"), outputMode=mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        # A broken profile: the colours may be slightly off, the picture is intact.
        return picture


def _check_pixels(size):
    width, height = size
    if width * height > settings.TESTIMONY_MAX_IMAGE_PIXELS:
        raise _too_many_pixels(size)


def _too_many_pixels(size):
    limit = settings.TESTIMONY_MAX_IMAGE_PIXELS
    if size is None:
        return ValidationError(
            _("This image has too many pixels; the limit is %(limit)s pixels."),
            code="too_many_pixels",
            params={"limit": number_format(limit, force_grouping=True)},
        )
    return ValidationError(
        _(
            "This image is %(width)s × %(height)s pixels; the limit is %(limit)s "
            "pixels in all. Scale it down and upload it again."
        ),
        code="too_many_pixels",
        params={
            "width": size[0],
            "height": size[1],
            "limit": number_format(limit, force_grouping=True),
        },
    )


def _damaged():
    return ValidationError(
        _("This image is damaged or incomplete and cannot be read. %(accepted)s"),
        code="damaged_image",
        params={"accepted": _ACCEPTED},
    )


def _unidentified(data):
    """Say which format an unaccepted image has, when Pillow can tell."""
    if looks_like_image(data):  # Our format's signature, then nonsense.
        return _damaged()
    try:
        # Reads the header only, never the pixels.
        other = Image.open(io.BytesIO(data)).format
    except Exception:
        other = None
    if other:
        return ValidationError(
            _("%(format)s images are not accepted. %(accepted)s"),
            code="unsupported_image_format",
            params={"format": other, "accepted": _ACCEPTED},
        )
    return ValidationError(
        _("This file is not an image. %(accepted)s"),
        code="not_an_image",
        params={"accepted": _ACCEPTED},
    )

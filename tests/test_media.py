"""Attached photos and documents: checked by content, stored without metadata."""

import io
import re
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import modelform_factory
from django.test import override_settings
from PIL import Image, ImageCms, PngImagePlugin

from testimonies import media
from testimonies.models import Document, Photo

from .factories import make_testimony

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
MAKE, MODEL, ORIENTATION = 0x010F, 0x0110, 0x0112
RED, BLUE = (255, 0, 0), (0, 0, 255)
PhotoForm = modelform_factory(Photo, fields=["testimony", "image", "alt_text"])


# Builders -------------------------------------------------------------------------


def image_bytes(fmt="JPEG", size=(40, 20), color=RED, **save_options):
    image = Image.new("RGBA" if fmt == "PNG" else "RGB", size, color)
    output = io.BytesIO()
    image.save(output, fmt, **save_options)
    return output.getvalue()


def two_colour_jpeg(exif):
    """40 × 20: left half red, right half blue, with the given EXIF."""
    image = Image.new("RGB", (40, 20), RED)
    image.paste(BLUE, (20, 0, 40, 20))
    output = io.BytesIO()
    image.save(output, "JPEG", quality=95, exif=exif)
    return output.getvalue()


def camera_exif(orientation=1):
    exif = Image.Exif()
    exif[MAKE] = "FictionalCam"
    exif[MODEL] = "Model Z9"
    exif[ORIENTATION] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (51.0, 12.0, 30.0)
    gps[3] = "E"
    gps[4] = (35.0, 17.0, 10.0)
    return exif


def png_header_only(width, height):
    """A PNG that only claims its size: a decompression bomb stripped to the header."""

    def chunk(kind, body):
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


def upload(data, name="upload.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def new_photo(data, name="upload.jpg", **fields):
    fields.setdefault("testimony", make_testimony())
    fields.setdefault("alt_text", "A street after shelling")
    return Photo(image=upload(data, name), **fields)


def saved_photo(data, name="upload.jpg"):
    photo = new_photo(data, name)
    photo.full_clean()
    photo.save()
    return Photo.objects.get(pk=photo.pk)


def stored_image(field_file):
    with field_file.open("rb") as handle:
        data = handle.read()
    return data, Image.open(io.BytesIO(data))


def image_errors(data, name="upload.jpg"):
    with pytest.raises(ValidationError) as caught:
        new_photo(data, name).full_clean()
    return " ".join(caught.value.message_dict["image"])


def stored_files(folder):
    path = Path(default_storage.location) / folder
    return set(path.iterdir()) if path.exists() else set()


# Photos: metadata stripped ----------------------------------------------------------


class TestPhotoMetadataIsStripped:
    def test_gps_and_camera_tags_are_gone(self):
        original = two_colour_jpeg(camera_exif())
        assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)

        data, stored = stored_image(saved_photo(original).image)

        assert stored.format == "JPEG"
        assert dict(stored.getexif()) == {}
        assert stored.getexif().get_ifd(GPS_IFD) == {}
        assert b"FictionalCam" not in data
        assert b"Exif\x00\x00" not in data

    def test_jpeg_comment_and_xmp_are_gone(self):
        original = image_bytes(
            comment=b"shot at 12 Fictional Street",
            xmp=b"<x:xmpmeta>Fictional Photographer</x:xmpmeta>",
        )
        data, stored = stored_image(saved_photo(original).image)
        assert b"Fictional Street" not in data
        assert b"Fictional Photographer" not in data
        assert "comment" not in stored.info
        assert "xmp" not in stored.info

    def test_orientation_is_applied_to_the_pixels(self):
        """Orientation 6 (rotate 90° clockwise): the stored picture stands upright."""
        photo = saved_photo(two_colour_jpeg(camera_exif(orientation=6)))
        _, stored = stored_image(photo.image)
        assert stored.size == (20, 40)
        assert (photo.width, photo.height) == (20, 40)
        assert ORIENTATION not in stored.getexif()
        top, bottom = stored.getpixel((10, 5)), stored.getpixel((10, 35))
        assert top[0] > 200 and top[2] < 60  # the left (red) half is now on top
        assert bottom[2] > 200 and bottom[0] < 60

    def test_png_text_chunks_are_removed(self):
        info = PngImagePlugin.PngInfo()
        info.add_text("Author", "Fictional Narrator")
        info.add_itxt("Location", "Fictional Village", zip=True)
        original = image_bytes("PNG", pnginfo=info)
        assert Image.open(io.BytesIO(original)).text

        data, stored = stored_image(saved_photo(original, "scan.png").image)

        assert stored.format == "PNG"
        assert stored.text == {}
        assert b"Fictional" not in data
        assert stored.mode == "RGBA"

    @pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
    def test_icc_profile_is_not_kept(self, fmt):
        srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
        original = image_bytes(fmt, icc_profile=srgb)
        assert Image.open(io.BytesIO(original)).info["icc_profile"]
        _, stored = stored_image(saved_photo(original, "x.img").image)
        assert "icc_profile" not in stored.info
        assert stored.getpixel((5, 5))[0] > 200  # still red

    def test_webp_stays_webp_and_gif_becomes_png(self):
        _, webp = stored_image(saved_photo(image_bytes("WEBP"), "a.webp").image)
        assert webp.format == "WEBP"
        gif = saved_photo(image_bytes("GIF"), "b.gif")
        assert gif.image.name.endswith(".png")
        assert stored_image(gif.image)[1].format == "PNG"

    def test_upload_form_accepts_a_good_photo_and_strips_it(self):
        form = PhotoForm(
            {"testimony": make_testimony().pk, "alt_text": "x"},
            {"image": upload(two_colour_jpeg(camera_exif()), "IMG_0001.JPG")},
        )
        assert form.is_valid(), form.errors
        photo = form.save()
        _, stored = stored_image(photo.image)
        assert stored.getexif().get_ifd(GPS_IFD) == {}
        assert photo.thumbnail

    def test_phone_mpo_is_stored_as_a_plain_jpeg(self):
        first, preview = Image.new("RGB", (40, 30), RED), Image.new("RGB", (8, 6))
        output = io.BytesIO()
        first.save(
            output, "MPO", save_all=True, append_images=[preview], exif=camera_exif()
        )
        assert Image.open(io.BytesIO(output.getvalue())).format == "MPO"
        data, stored = stored_image(saved_photo(output.getvalue()).image)
        assert stored.format == "JPEG"
        assert stored.size == (40, 30)
        assert b"FictionalCam" not in data

    def test_cmyk_jpeg_is_stored_as_rgb(self):
        image = Image.new("CMYK", (10, 10), (0, 255, 255, 0))
        output = io.BytesIO()
        image.save(output, "JPEG")
        _, stored = stored_image(saved_photo(output.getvalue()).image)
        assert stored.mode == "RGB"
        assert stored.getpixel((5, 5))[0] > 200

    def test_animated_gif_keeps_its_first_frame(self):
        frames = [Image.new("P", (16, 16), index) for index in (1, 2, 3)]
        output = io.BytesIO()
        frames[0].save(output, "GIF", save_all=True, append_images=frames[1:])
        _, stored = stored_image(saved_photo(output.getvalue(), "anim.gif").image)
        assert getattr(stored, "n_frames", 1) == 1
        assert stored.size == (16, 16)


class TestPhotoStorage:
    def test_stored_names_are_random_and_keep_nothing_of_the_upload(self):
        photo = saved_photo(image_bytes(), "Narrator-Secret-Home-Village.JPG")
        for name in (photo.image.name, photo.thumbnail.name):
            assert "secret" not in name.lower()
            assert "village" not in name.lower()
        assert re.fullmatch(r"photos/[0-9a-f]{32}\.jpg", photo.image.name)
        assert re.fullmatch(r"thumbnails/[0-9a-f]{32}\.webp", photo.thumbnail.name)

    def test_extension_follows_content_not_name(self):
        photo = saved_photo(image_bytes("PNG"), "picture.jpg.exe")
        assert photo.image.name.endswith(".png")

    def test_thumbnail_is_a_small_valid_image(self):
        photo = saved_photo(image_bytes(size=(1200, 800)))
        _, thumb = stored_image(photo.thumbnail)
        thumb.load()
        assert thumb.format == "WEBP"
        assert thumb.size == (480, 320)

    @override_settings(TESTIMONY_THUMBNAIL_SIZE=(64, 64))
    def test_thumbnail_size_comes_from_settings(self):
        _, thumb = stored_image(saved_photo(image_bytes(size=(300, 200))).thumbnail)
        assert thumb.size == (64, 43)

    def test_resaving_without_a_new_image_does_not_reencode(self):
        photo = saved_photo(two_colour_jpeg(camera_exif()))
        names = (photo.image.name, photo.thumbnail.name)
        photo.caption = "Corrected caption"
        photo.full_clean()
        photo.save()
        photo.refresh_from_db()
        assert (photo.image.name, photo.thumbnail.name) == names
        assert photo.caption == "Corrected caption"

    def test_replacing_the_image_deletes_the_old_files(
        self, django_capture_on_commit_callbacks
    ):
        photo = saved_photo(image_bytes())
        old = [photo.image.name, photo.thumbnail.name]
        photo.image = upload(image_bytes(color=BLUE), "new.jpg")
        with django_capture_on_commit_callbacks(execute=True):
            photo.save()
        assert not any(default_storage.exists(name) for name in old)
        assert default_storage.exists(photo.image.name)
        assert stored_image(photo.image)[1].getpixel((5, 5))[2] > 200

    def test_delete_stored_files_removes_them(self, django_capture_on_commit_callbacks):
        photo = saved_photo(image_bytes())
        names = [photo.image.name, photo.thumbnail.name]
        with django_capture_on_commit_callbacks(execute=True):
            photo.delete()
            media.delete_stored_files(photo)
        assert not any(default_storage.exists(name) for name in names)


# Photos: bad input refused ----------------------------------------------------------


class TestBadPhotosAreRefused:
    def test_text_renamed_jpg(self):
        message = image_errors(b"Dear archive, here is my story.\n" * 20)
        assert "not an image" in message

    def test_truncated_jpeg(self):
        whole = image_bytes(size=(200, 200), color=(90, 120, 30))
        assert "damaged or incomplete" in image_errors(whole[: len(whole) // 2])

    def test_svg(self):
        svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
        assert "not an image" in image_errors(svg, "picture.svg")

    @pytest.mark.parametrize("fmt", ["BMP", "TIFF"])
    def test_unsupported_format(self, fmt):
        message = image_errors(image_bytes(fmt), "photo.jpg")
        assert f"{fmt} images are not accepted" in message
        assert "JPEG, PNG, WebP or GIF" in message

    @override_settings(TESTIMONY_MAX_UPLOAD_BYTES=1000)
    def test_too_large(self):
        data = image_bytes(size=(300, 300), quality=100)
        assert len(data) > 1000
        assert "too large" in image_errors(data)

    @override_settings(TESTIMONY_MAX_IMAGE_PIXELS=100)
    def test_too_many_pixels(self):
        message = image_errors(image_bytes(size=(20, 20)))
        assert "20 × 20 pixels" in message

    def test_decompression_bomb_is_refused_from_its_header(self):
        assert "8000 × 8000 pixels" in image_errors(png_header_only(8000, 8000))

    def test_pillow_bomb_error_becomes_a_validation_error(self):
        """Past twice Pillow's own limit it refuses to open at all; we say why."""
        with pytest.raises(ValidationError) as caught:
            media.validate_image_upload(upload(png_header_only(30000, 30000)))
        assert "too many pixels" in caught.value.messages[0]

    @pytest.mark.parametrize(
        "data",
        [
            png_header_only(30000, 30000),
            png_header_only(8000, 8000),
            b"just text",
            image_bytes("BMP"),
        ],
        ids=["pillow-bomb", "bomb", "text", "bmp"],
    )
    def test_upload_form_shows_an_error_instead_of_failing(self, data):
        form = PhotoForm(
            {"testimony": make_testimony().pk, "alt_text": "x"},
            {"image": upload(data)},
        )
        assert not form.is_valid()
        assert form.errors["image"]
        assert Photo.objects.count() == 0

    def test_save_without_full_clean_stores_nothing(self):
        before = stored_files("photos")
        with pytest.raises(ValidationError):
            new_photo(b"not an image at all").save()
        assert Photo.objects.count() == 0
        assert stored_files("photos") == before

    def test_refused_upload_shows_one_error_on_the_image_field(self):
        with pytest.raises(ValidationError) as caught:
            new_photo(b"plain text").full_clean()
        assert set(caught.value.message_dict) == {"image"}


class TestImageValidator:
    def test_good_image_passes_and_file_position_is_rewound(self):
        file = upload(image_bytes())
        file.read(7)
        media.validate_image_upload(file)
        assert file.tell() == 0

    def test_bad_image_refused_and_file_position_is_rewound(self):
        file = upload(b"GIF89a but then nothing sensible")
        with pytest.raises(ValidationError) as caught:
            media.validate_image_upload(file)
        assert caught.value.code == "damaged_image"
        assert file.tell() == 0

    def test_content_type_and_extension_are_ignored(self):
        file = SimpleUploadedFile("x.png", b"<html></html>", content_type="image/png")
        with pytest.raises(ValidationError) as caught:
            media.validate_image_upload(file)
        assert caught.value.code == "not_an_image"

    def test_empty_file(self):
        with pytest.raises(ValidationError) as caught:
            media.validate_image_upload(upload(b""))
        assert caught.value.code == "empty_file"

    def test_stored_file_is_not_checked_again(self):
        photo = saved_photo(image_bytes(size=(30, 30)))
        with override_settings(TESTIMONY_MAX_IMAGE_PIXELS=10):
            photo.full_clean()  # an old photo stays editable under a lower limit


# Documents ----------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def new_document(data, name, **fields):
    fields.setdefault("testimony", make_testimony())
    fields.setdefault("title", "Evacuation notice")
    return Document(file=SimpleUploadedFile(name, data), **fields)


def saved_document(data, name):
    document = new_document(data, name)
    document.full_clean()
    document.save()
    return Document.objects.get(pk=document.pk)


def document_errors(data, name):
    with pytest.raises(ValidationError) as caught:
        new_document(data, name).full_clean()
    return " ".join(caught.value.message_dict["file"])


def zip_bytes():
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("notes.txt", "hello")
    return output.getvalue()


class TestDocuments:
    def test_pdf_is_accepted_byte_for_byte(self):
        document = saved_document(PDF, "Scan of my passport.pdf")
        assert document.content_type == "application/pdf"
        assert document.size == len(PDF)
        assert re.fullmatch(r"documents/[0-9a-f]{32}\.pdf", document.file.name)
        with document.file.open("rb") as handle:
            assert handle.read() == PDF

    def test_utf8_text_is_accepted(self):
        text = "Мы сидели в подвале.\n地下に避難しました。\n".encode()
        document = saved_document(text, "notes")
        assert document.content_type == "text/plain; charset=utf-8"
        assert document.size == len(text)
        assert document.file.name.endswith(".txt")

    def test_image_document_loses_its_metadata(self):
        document = saved_document(two_colour_jpeg(camera_exif()), "letter.jpg")
        data, stored = stored_image(document.file)
        assert document.content_type == "image/jpeg"
        assert document.size == len(data)
        assert stored.getexif().get_ifd(GPS_IFD) == {}
        assert b"FictionalCam" not in data

    def test_resaving_keeps_the_file(self):
        document = saved_document(PDF, "a.pdf")
        name = document.file.name
        document.title = "Renamed"
        document.save()
        document.refresh_from_db()
        assert document.file.name == name

    @pytest.mark.parametrize(
        "data",
        [
            b"<!DOCTYPE html><html><body>hi</body></html>",
            b"  \n<html><script>alert(1)</script></html>",
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
            b"Looks like text\n<script>alert(1)</script>\n",
            "\ufeff<svg onload=alert(1)>".encode(),
        ],
        ids=["html", "html-after-space", "svg", "script-inside-text", "svg-bom"],
    )
    def test_markup_is_refused(self, data):
        assert "markup" in document_errors(data, "notes.txt")

    @pytest.mark.parametrize(
        "data",
        [
            zip_bytes(),
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff",
            b"\x7fELF\x02\x01\x01\x00" + bytes(24),
            "Записка".encode("cp1251"),
            b"text with a \x00 byte",
        ],
        ids=["zip", "exe", "elf", "not-utf8", "nul-bytes"],
    )
    def test_other_files_are_refused(self, data):
        assert "cannot be attached" in document_errors(data, "file.pdf")

    def test_pdf_hidden_after_a_page_is_not_a_pdf(self):
        polyglot = b"<html><body>page</body></html>\n" + PDF
        assert "markup" in document_errors(polyglot, "file.pdf")

    def test_broken_image_document_is_refused(self):
        assert "damaged" in document_errors(b"\x89PNG\r\n\x1a\nbroken", "a.png")

    @override_settings(TESTIMONY_MAX_UPLOAD_BYTES=10)
    def test_too_large(self):
        assert "too large" in document_errors(PDF, "a.pdf")

    def test_validator_directly_rewinds(self):
        file = SimpleUploadedFile("a.pdf", PDF)
        media.validate_document_upload(file)
        assert file.tell() == 0
        with pytest.raises(ValidationError) as caught:
            media.validate_document_upload(SimpleUploadedFile("a.zip", zip_bytes()))
        assert caught.value.code == "unsupported_document"

    def test_save_without_full_clean_refuses_bad_file(self):
        with pytest.raises(ValidationError):
            new_document(b"<html></html>", "a.txt").save()
        assert Document.objects.count() == 0


class TestDownloadName:
    @pytest.mark.parametrize(
        ("title", "stored", "expected"),
        [
            ("Evacuation notice", "documents/ab.pdf", "evacuation-notice.pdf"),
            ("Приказ об эвакуации", "documents/ab.PDF", "приказ-об-эвакуации.pdf"),
            ("避難 指示", "documents/ab.txt", "避難-指示.txt"),
            ("../../etc/passwd", "documents/ab.txt", "etcpasswd.txt"),
            ("evil\u202efdp.exe", "documents/ab.pdf", "evilfdpexe.pdf"),
            ("///", "documents/ab.pdf", "document.pdf"),
        ],
    )
    def test_safe_names(self, title, stored, expected):
        assert media.download_name(title, stored) == expected


def test_deleting_a_photo_removes_its_files(django_capture_on_commit_callbacks):
    photo = saved_photo(image_bytes())
    names = [photo.image.name, photo.thumbnail.name]
    assert all(names) and all(default_storage.exists(name) for name in names)
    with django_capture_on_commit_callbacks(execute=True):
        photo.delete()
    assert not any(default_storage.exists(name) for name in names)

"""Photos and documents in an import (JSON Lines, CSV, ZIP bundle) and in the
export with media: cleaned as the admin cleans an upload, checked before
anything is written, replaced as a whole, and carried from one archive to
another."""

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from PIL import Image

from testimonies.exporting import export_bundle, export_testimonies
from testimonies.exporting_media import MediaFolder
from testimonies.importing import ImportFailed, import_testimonies
from testimonies.models import Document, Photo, Testimony

from .test_media import GPS_IFD, camera_exif, image_bytes, two_colour_jpeg

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a fictional letter\n%%EOF\n"
NOTE = "Записка волонтёра (вымышленная): автобус в 6:00.\n".encode()


@pytest.fixture(autouse=True)
def own_temporary_folder(settings, tmp_path_factory):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path_factory.mktemp("uploads"))


@pytest.fixture
def folder(tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    (media / "basement.jpg").write_bytes(two_colour_jpeg(camera_exif()))
    (media / "road.png").write_bytes(image_bytes("PNG", size=(30, 30)))
    (media / "letter.pdf").write_bytes(PDF)
    (media / "note.txt").write_bytes(NOTE)
    return tmp_path


def photo(**changes):
    value = {
        "file": "media/basement.jpg",
        "alt_text": "A basement lit by one lamp",
        "caption": "Where we counted the explosions (fictional composite)",
        "credit": "Demo collection",
    }
    value.update(changes)
    return value


def document(**changes):
    value = {"file": "media/letter.pdf", "title": "Letter", "description": "Sent"}
    value.update(changes)
    return value


def line(**changes):
    value = {
        "identifier": "ATT-1",
        "title": "Подвал",
        "language": "ru",
        "status": "published",
        "access": "public",
        "consent": {"status": "given", "scope": "public"},
        "photos": [photo(), photo(file="media/road.png", alt_text="A road")],
        "documents": [document(), document(file="media/note.txt", title="Note")],
    }
    value.update(changes)
    return value


def jsonl(*values):
    return "".join(json.dumps(value, ensure_ascii=False) + "\n" for value in values)


def run(text, folder, **options):
    return import_testimonies(
        io.BytesIO(text.encode()), folder=folder, name="t.jsonl", **options
    )


def problems(text, folder):
    with pytest.raises(ImportFailed) as failed:
        run(text, folder)
    return {(p.line, p.field): p.message for p in failed.value.problems}


def stored_names():
    names = set()
    for model in (Photo, Document):
        for item in model.objects.all():
            names |= {f.name for f in (getattr(item, model.FILE_FIELD),) if f}
            if model is Photo:
                names.add(item.thumbnail.name)
    return names


def media_tree():
    root = Path(default_storage.location)
    found = set()
    for folder in ("photos", "thumbnails", "documents"):
        if (root / folder).exists():
            found |= {f"{folder}/{p.name}" for p in (root / folder).iterdir()}
    return found


class TestImport:
    def test_photos_and_documents_are_stored_clean_in_order(self, folder):
        result = run(jsonl(line()), folder)
        assert result.created == 1
        testimony = Testimony.objects.get()
        first, second = testimony.photos.all()
        assert first.alt_text == "A basement lit by one lamp"
        assert first.caption.startswith("Where we counted")
        assert first.credit == "Demo collection"
        assert second.alt_text == "A road" and (second.width, second.height) == (30, 30)
        with first.image.open("rb") as stream:
            stored = Image.open(io.BytesIO(stream.read()))
        # The camera's tags and its position are not kept, as in the admin.
        assert dict(stored.getexif()) == {}
        assert stored.getexif().get_ifd(GPS_IFD) == {}
        assert (first.width, first.height) == stored.size
        assert first.thumbnail.name.startswith("thumbnails/")
        assert first.sha256 and first.image.name.startswith("photos/")
        assert "basement" not in first.image.name
        letter, note = testimony.documents.all()
        assert (letter.title, letter.description) == ("Letter", "Sent")
        assert letter.content_type == "application/pdf"
        assert letter.size == len(PDF)
        with letter.file.open("rb") as stream:
            assert stream.read() == PDF
        assert note.file.name.endswith(".txt") and note.content_type.startswith(
            "text/plain"
        )

    def test_the_same_file_again_changes_nothing(self, folder):
        run(jsonl(line()), folder)
        before = stored_names()
        pks = set(Photo.objects.values_list("pk", flat=True))
        run(jsonl(line()), folder)
        assert stored_names() == before
        assert set(Photo.objects.values_list("pk", flat=True)) == pks

    def test_a_new_list_replaces_the_old_and_its_files_go(
        self, folder, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            run(jsonl(line()), folder)
        old = stored_names()
        with django_capture_on_commit_callbacks(execute=True):
            run(jsonl(line(photos=[photo(alt_text="Changed")], documents=[])), folder)
        testimony = Testimony.objects.get()
        assert [p.alt_text for p in testimony.photos.all()] == ["Changed"]
        assert not testimony.documents.exists()
        assert not (old & media_tree())  # the replaced files are gone
        assert stored_names() <= media_tree()

    def test_a_line_without_the_keys_leaves_them(self, folder):
        run(jsonl(line()), folder)
        value = line(title="Новое")
        del value["photos"], value["documents"]
        run(jsonl(value), folder)
        assert Photo.objects.count() == 2 and Document.objects.count() == 2

    def test_the_dry_run_shows_the_change_and_stores_nothing(self, folder):
        run(jsonl(line()), folder)
        before = media_tree()
        result = run(
            jsonl(line(photos=[photo(alt_text="Another view")])), folder, dry_run=True
        )
        (update,) = result.updates
        assert {
            "field": "photos",
            "old": "A basement lit by one lamp; A road",
            "new": "Another view",
        } in update["changes"]
        assert not any(c["field"] == "documents" for c in update["changes"])
        assert media_tree() == before
        assert Photo.objects.count() == 2

    def test_the_command_reads_files_beside_the_file(self, folder, capsys):
        path = folder / "t.jsonl"
        path.write_text(jsonl(line()), encoding="utf-8")
        call_command("import_testimonies", str(path))
        assert Photo.objects.count() == 2 and Document.objects.count() == 2


class TestBadFiles:
    def test_every_fault_is_named_and_nothing_is_written(self, folder):
        (folder / "media" / "page.txt").write_text("<html><script>x</script>")
        (folder / "media" / "fake.jpg").write_bytes(b"not an image at all")
        text = jsonl(
            line(
                photos=[
                    photo(file="media/missing.jpg"),
                    photo(file="media/fake.jpg"),
                    photo(file="../outside.jpg"),
                    {"file": "media/road.png"},
                    photo(colour="red"),
                ],
                documents=[document(file="media/page.txt"), {"title": "No file"}],
            )
        )
        (folder.parent / "outside.jpg").write_bytes(image_bytes())
        before = media_tree()
        found = problems(text, folder)
        assert "no such file: media/missing.jpg" in found[(1, "photos[0].file")]
        assert found[(1, "photos[1].file")]
        assert "outside" in found[(1, "photos[2].file")]
        assert "required" in found[(1, "photos[3].alt_text")]
        assert "unknown key" in found[(1, "photos[4].colour")]
        assert "markup" in found[(1, "documents[0].file")].lower() or (
            "Web pages" in found[(1, "documents[0].file")]
        )
        assert "required" in found[(1, "documents[1].file")]
        assert not Testimony.objects.exists() and not Photo.objects.exists()
        assert media_tree() == before

    def test_a_file_over_the_upload_limit_is_refused(self, folder, settings):
        settings.TESTIMONY_MAX_UPLOAD_BYTES = 100
        found = problems(jsonl(line(documents=[])), folder)
        assert "too large" in found[(1, "photos[0].file")]

    def test_not_a_list(self, folder):
        found = problems(jsonl(line(photos={"file": "media/road.png"})), folder)
        assert (1, "photos") in found

    def test_files_need_a_folder(self):
        with pytest.raises(ImportFailed) as failed:
            import_testimonies(io.BytesIO(jsonl(line()).encode()), name="t.jsonl")
        assert any(p.field == "photos[0].file" for p in failed.value.problems)

    def test_an_import_failing_as_it_writes_leaves_no_file_stored(
        self, folder, monkeypatch
    ):
        def fail(*args):
            raise RuntimeError("the disk filled up")

        # After the photos and documents are stored, before the import commits.
        monkeypatch.setattr("testimonies.importing.replace_recordings", fail)
        before = media_tree()
        with pytest.raises(RuntimeError):
            run(jsonl(line()), folder)
        assert media_tree() == before and not Photo.objects.exists()


class TestSpreadsheets:
    HEADER = [
        "identifier",
        "title",
        "language",
        "photo.1.file",
        "photo.1.alt_text",
        "photo.2.file",
        "photo.2.alt_text",
        "photo.2.caption",
        "document.1.file",
        "document.1.title",
    ]

    def csv(self, *rows):
        lines = [",".join(self.HEADER), *(",".join(row) for row in rows)]
        return ("\r\n".join(lines) + "\r\n").encode()

    def test_a_csv_in_a_bundle_names_photos_and_documents(self, folder):
        data = self.csv(
            [
                "ATT-CSV",
                "Подвал",
                "ru",
                "media/basement.jpg",
                "Basement",
                "media/road.png",
                "Road",
                "At dawn",
                "media/letter.pdf",
                "Letter",
            ]
        )
        stream = io.BytesIO()
        with zipfile.ZipFile(stream, "w") as archive:
            archive.writestr("rows.csv", data)
            for path in (folder / "media").iterdir():
                archive.writestr(f"media/{path.name}", path.read_bytes())
        import_testimonies(io.BytesIO(stream.getvalue()), name="b.zip")
        testimony = Testimony.objects.get()
        assert [(p.alt_text, p.caption) for p in testimony.photos.all()] == [
            ("Basement", ""),
            ("Road", "At dawn"),
        ]
        assert [d.title for d in testimony.documents.all()] == ["Letter"]

    def test_empty_cells_leave_the_photos(self, folder):
        run(jsonl(line(identifier="ATT-CSV")), folder)
        data = self.csv(["ATT-CSV", "Новое", "ru", "", "", "", "", "", "", ""])
        import_testimonies(io.BytesIO(data), folder=folder, name="t.csv")
        assert Testimony.objects.get().title == "Новое"
        assert Photo.objects.count() == 2

    def test_a_group_without_its_file_or_a_bad_column(self, folder):
        data = self.csv(["ATT-CSV", "T", "ru", "", "Alt only", "", "", "", "", ""])
        with pytest.raises(ImportFailed) as failed:
            import_testimonies(io.BytesIO(data), folder=folder, name="t.csv")
        assert [p.field for p in failed.value.problems] == ["photos[0].file"]
        header = "identifier,title,language,photo.0.file,photo.01.file,photo.1.size\r\n"
        with pytest.raises(ImportFailed) as failed:
            import_testimonies(
                io.BytesIO((header + "A,T,ru,,,\r\n").encode()), name="t.csv"
            )
        messages = " ".join(p.message for p in failed.value.problems)
        for column in ("photo.0.file", "photo.01.file", "photo.1.size"):
            assert column in messages


class TestExport:
    def test_a_bundle_carries_them_to_another_archive(self, folder, tmp_path):
        run(jsonl(line()), folder)
        original = {
            "photos": list(Photo.objects.values("alt_text", "caption", "width")),
            "documents": list(Document.objects.values("title", "sha256", "size")),
        }
        stream = io.BytesIO()
        assert export_bundle(stream) == 1
        with zipfile.ZipFile(io.BytesIO(stream.getvalue())) as archive:
            record = json.loads(archive.read("testimonies.jsonl").decode())
            names = set(archive.namelist())
        assert [p["file"] for p in record["photos"]] == [
            "media/ATT-1-photo-1.jpg",
            "media/ATT-1-photo-2.png",
        ]
        assert record["documents"][1]["file"] == "media/ATT-1-document-2.txt"
        assert {p["file"] for p in record["photos"]} <= names
        # Into the archive it came from: nothing changes, no file is stored again.
        before = stored_names()
        import_testimonies(io.BytesIO(stream.getvalue()), name="b.zip")
        assert stored_names() == before
        # Into an empty one: the same photos and documents.
        Testimony.objects.all().delete()
        import_testimonies(io.BytesIO(stream.getvalue()), name="b.zip")
        assert {
            "photos": list(Photo.objects.values("alt_text", "caption", "width")),
            "documents": list(Document.objects.values("title", "sha256", "size")),
        } == original

    def test_the_export_lists_them_only_with_a_media_folder(self, folder, tmp_path):
        run(jsonl(line()), folder)
        plain = io.StringIO()
        export_testimonies(plain)
        assert "photos" not in json.loads(plain.getvalue())
        out = tmp_path / "out"
        out.mkdir()
        with_media = io.StringIO()
        export_testimonies(with_media, media=MediaFolder(out / "media", out))
        record = json.loads(with_media.getvalue())
        assert record["photos"][0]["alt_text"] == "A basement lit by one lamp"
        assert (out / record["documents"][0]["file"]).read_bytes() == PDF

    def test_a_public_export_holds_only_public_testimonies_files(
        self, folder, tmp_path
    ):
        run(
            jsonl(
                line(),
                line(identifier="ATT-HIDDEN", status="draft", access="restricted"),
            ),
            folder,
        )
        out = tmp_path / "out"
        out.mkdir()
        stream = io.StringIO()
        export_testimonies(stream, public=True, media=MediaFolder(out / "media", out))
        written = {p.name for p in (out / "media").iterdir()}
        assert written and all(name.startswith("ATT-1-") for name in written)
        assert "ATT-HIDDEN" not in stream.getvalue()

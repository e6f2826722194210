"""Photos and documents reach only those who may read their testimony."""

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import override_settings

from testimonies.models import Testimony
from testimonies.views.media import media_urlpatterns

from .factories import (
    make_archivist,
    make_document,
    make_photo,
    make_researcher,
    make_testimony,
)

pytestmark = pytest.mark.django_db

S, A = Testimony.Status, Testimony.Access
HIDDEN_KINDS = {
    "draft": {"status": S.DRAFT},
    "in_review": {"status": S.IN_REVIEW},
    "restricted": {"access": A.RESTRICTED},
    "researchers": {"access": A.RESEARCHERS},
}


def body(response):
    return (
        b"".join(response.streaming_content) if response.streaming else response.content
    )


@pytest.fixture
def public_photo():
    return make_photo(make_testimony(identifier="PUB-1"))


class TestPublicFiles:
    def test_photo_is_served_inline_with_its_type(self, client, public_photo):
        assert public_photo.image.url.startswith(settings.MEDIA_URL)
        response = client.get(public_photo.image.url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["Content-Disposition"].startswith("inline")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "public" in response["Cache-Control"]
        with default_storage.open(public_photo.image.name) as stored:
            assert body(response) == stored.read()

    def test_thumbnail(self, client, public_photo):
        response = client.get(public_photo.thumbnail.url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/webp"

    def test_document_is_a_download_with_a_safe_name(self, client):
        testimony = make_testimony()
        document = make_document(testimony, title="Нотатки: інтерв'ю / 2024")
        response = client.get(document.file.url)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert "filename*=utf-8''" in disposition and "/" not in disposition[30:]
        assert body(response) == b"A plain text document.\n"

    def test_pdf_keeps_its_type(self, client):
        document = make_document(make_testimony(), content=b"%PDF-1.4\n%%EOF\n")
        response = client.get(document.file.url)
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"

    def test_testimony_page_links_work(self, client, public_photo):
        page = client.get(public_photo.testimony.get_absolute_url()).content.decode()
        assert public_photo.image.url in page and public_photo.thumbnail.url in page


class TestHiddenFiles:
    @pytest.mark.parametrize("kind", HIDDEN_KINDS)
    def test_anonymous_visitors_get_not_found(self, client, kind):
        photo = make_photo(make_testimony(**HIDDEN_KINDS[kind]))
        document = make_document(photo.testimony)
        for url in [photo.image.url, photo.thumbnail.url, document.file.url]:
            response = client.get(url)
            assert response.status_code == 404, url
            assert b"PNG" not in response.content

    def test_withdrawn_files_are_gone(self, client):
        photo = make_photo(make_testimony(status=S.WITHDRAWN))
        assert client.get(photo.image.url).status_code == 410
        client.force_login(make_researcher())
        assert client.get(photo.thumbnail.url).status_code == 410

    def test_researchers_get_researcher_only_files_privately(self, client):
        photo = make_photo(make_testimony(access=A.RESEARCHERS))
        draft = make_photo(make_testimony(status=S.DRAFT, access=A.RESEARCHERS))
        client.force_login(make_researcher())
        response = client.get(photo.image.url)
        assert response.status_code == 200
        assert "private" in response["Cache-Control"]
        assert "no-store" in response["Cache-Control"]
        assert client.get(draft.image.url).status_code == 404

    def test_archivists_get_everything(self, client):
        photo = make_photo(make_testimony(status=S.DRAFT, access=A.RESTRICTED))
        client.force_login(make_archivist())
        assert client.get(photo.image.url).status_code == 200

    def test_a_file_no_attachment_refers_to_is_not_served(self, client):
        name = default_storage.save("photos/orphan.png", ContentFile(b"\x89PNG..."))
        assert client.get(f"{settings.MEDIA_URL}{name}").status_code == 404

    def test_file_missing_from_storage_is_not_found(self, client, public_photo):
        default_storage.delete(public_photo.image.name)
        assert client.get(public_photo.image.url).status_code == 404

    @pytest.mark.parametrize(
        "name",
        [
            "../archive/settings/base.py",
            "photos/../../etc/passwd",
            "photos/%00.png",
            "photos/\x07bell.png",
            "x" * 300,
            "",
        ],
    )
    def test_bad_names_are_not_found(self, client, name):
        assert client.get(f"{settings.MEDIA_URL}{name}").status_code == 404

    def test_only_reading_methods(self, client, public_photo):
        assert client.post(public_photo.image.url).status_code == 405
        assert client.head(public_photo.image.url).status_code == 200


class TestAcceleration:
    @override_settings(
        TESTIMONY_MEDIA_ACCEL="x-accel-redirect",
        TESTIMONY_MEDIA_ACCEL_PREFIX="/protected-media/",
    )
    def test_nginx_sends_the_file(self, client, public_photo):
        response = client.get(public_photo.image.url)
        assert response.status_code == 200
        assert response["X-Accel-Redirect"] == (
            f"/protected-media/{public_photo.image.name}"
        )
        assert response.content == b""
        assert response["Content-Type"] == "image/png"
        hidden = make_photo(make_testimony(status=S.DRAFT))
        response = client.get(hidden.image.url)
        assert response.status_code == 404
        assert "X-Accel-Redirect" not in response

    @override_settings(TESTIMONY_MEDIA_ACCEL="x-sendfile")
    def test_apache_sends_the_file(self, client, public_photo):
        response = client.get(public_photo.image.url)
        assert response["X-Sendfile"] == default_storage.path(public_photo.image.name)
        assert response.content == b""

    @override_settings(
        TESTIMONY_MEDIA_ACCEL="x-sendfile", TESTIMONY_MEDIA_ACCEL_PREFIX="/srv/media"
    )
    def test_sendfile_prefix_is_the_folder_the_server_sees(self, client, public_photo):
        response = client.get(public_photo.image.url)
        assert response["X-Sendfile"] == f"/srv/media/{public_photo.image.name}"

    @override_settings(TESTIMONY_MEDIA_ACCEL="x-magic")
    def test_unknown_mode_is_a_configuration_error(self, rf, public_photo):
        from testimonies.views.media import serve_media

        request = rf.get("/")
        request.user = make_archivist()
        with pytest.raises(ImproperlyConfigured):
            serve_media(request, public_photo.image.name)


def test_media_on_another_host_needs_no_route():
    with override_settings(MEDIA_URL="https://media.example.org/"):
        assert media_urlpatterns() == []
    with override_settings(MEDIA_URL="/files/"):
        (route,) = media_urlpatterns()
        assert str(route.pattern) == "files/<path:name>"

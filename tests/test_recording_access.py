"""Recordings are served to those who may hear them, in parts when a player seeks."""

import datetime

import pytest
from django.core.files.storage import default_storage
from django.test import override_settings

from testimonies.models import Testimony
from testimonies.views.media import UNSATISFIABLE, requested_range

from .factories import make_archivist, make_recording, make_researcher, make_testimony

pytestmark = pytest.mark.django_db

S, A = Testimony.Status, Testimony.Access


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def stored(recording):
    with default_storage.open(recording.file.name) as stream:
        return stream.read()


@pytest.fixture
def public_recording():
    return make_recording(make_testimony(identifier="PUB-REC"), access=A.PUBLIC)


class TestServed:
    def test_a_public_recording_plays_inline_with_its_type(
        self, client, public_recording
    ):
        response = client.get(public_recording.file.url)
        assert response.status_code == 200
        assert response["Content-Type"] == "audio/mpeg"
        assert response["Content-Disposition"].startswith("inline")
        assert response["Accept-Ranges"] == "bytes"
        assert "public" in response["Cache-Control"]
        assert body(response) == stored(public_recording)

    def test_a_part_for_a_player_that_seeks(self, client, public_recording):
        data = stored(public_recording)
        response = client.get(public_recording.file.url, HTTP_RANGE="bytes=100-199")
        assert response.status_code == 206
        assert response["Content-Range"] == f"bytes 100-199/{len(data)}"
        assert response["Content-Length"] == "100"
        assert body(response) == data[100:200]

    def test_from_a_byte_to_the_end_and_the_last_bytes(self, client, public_recording):
        data = stored(public_recording)
        url = public_recording.file.url
        assert body(client.get(url, HTTP_RANGE="bytes=1000-")) == data[1000:]
        assert body(client.get(url, HTTP_RANGE="bytes=-300")) == data[-300:]
        beyond = client.get(url, HTTP_RANGE=f"bytes=10-{len(data) * 2}")
        assert beyond["Content-Range"] == f"bytes 10-{len(data) - 1}/{len(data)}"

    def test_a_range_past_the_end_is_unsatisfiable(self, client, public_recording):
        size = len(stored(public_recording))
        response = client.get(public_recording.file.url, HTTP_RANGE=f"bytes={size}-")
        assert response.status_code == 416
        assert response["Content-Range"] == f"bytes */{size}"

    @pytest.mark.parametrize(
        "header", ["bytes=abc", "bytes=0-1,5-6", "items=0-5", "bytes=9-2", "bytes=-"]
    )
    def test_a_range_it_does_not_read_gets_the_whole_file(
        self, client, public_recording, header
    ):
        response = client.get(public_recording.file.url, HTTP_RANGE=header)
        assert response.status_code == 200
        assert body(response) == stored(public_recording)

    def test_a_number_of_thousands_of_digits_gets_the_whole_file(
        self, client, public_recording
    ):
        header = "bytes=0-" + "9" * 5000
        response = client.get(public_recording.file.url, HTTP_RANGE=header)
        assert response.status_code == 200
        assert body(response) == stored(public_recording)

    def test_if_range_gets_the_whole_file(self, client, public_recording):
        response = client.get(
            public_recording.file.url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"x"'
        )
        assert response.status_code == 200

    def test_photos_and_documents_can_be_read_in_parts_too(self, client):
        from .factories import make_document

        document = make_document(make_testimony(), content=b"0123456789" * 10)
        response = client.get(document.file.url, HTTP_RANGE="bytes=5-14")
        assert response.status_code == 206
        assert body(response) == b"5678901234"

    @override_settings(
        TESTIMONY_MEDIA_ACCEL="x-accel-redirect",
        TESTIMONY_MEDIA_ACCEL_PREFIX="/protected/",
    )
    def test_nginx_sends_the_bytes_and_the_ranges(self, client, public_recording):
        response = client.get(public_recording.file.url, HTTP_RANGE="bytes=0-9")
        assert response.status_code == 200
        assert (
            response["X-Accel-Redirect"] == f"/protected/{public_recording.file.name}"
        )
        assert response.content == b""


class TestWhoHears:
    """The testimony's state and the recording's own access level, together."""

    CASES = {
        # name: (testimony fields, recording access, (public, researcher, archivist))
        "public voice": ({}, A.PUBLIC, (200, 200, 200)),
        "voice for researchers": ({}, A.RESEARCHERS, (404, 200, 200)),
        "voice restricted": ({}, A.RESTRICTED, (404, 404, 200)),
        "researchers' testimony": (
            {"access": A.RESEARCHERS},
            A.RESEARCHERS,
            (404, 200, 200),
        ),
        "draft": ({"status": S.DRAFT}, A.PUBLIC, (404, 404, 200)),
        "withdrawn": ({"status": S.WITHDRAWN}, A.PUBLIC, (410, 410, 200)),
        "sealed": (
            {"sealed_until": datetime.date(2999, 1, 1)},
            A.PUBLIC,
            (404, 404, 200),
        ),
    }

    @pytest.mark.parametrize("case", CASES)
    @pytest.mark.parametrize("audience", [0, 1, 2])
    def test_status_for_each_audience(self, client, case, audience):
        fields, access, expected = self.CASES[case]
        recording = make_recording(make_testimony(**fields), access=access)
        user = [None, make_researcher(), make_archivist()][audience]
        if user:
            client.force_login(user)
        response = client.get(recording.file.url, HTTP_RANGE="bytes=0-9")
        allowed = expected[audience] == 200
        assert response.status_code == (206 if allowed else expected[audience])
        assert (body(response) == stored(recording)[:10]) == allowed

    def test_a_hidden_voice_is_never_kept_by_shared_caches(self, client):
        recording = make_recording(make_testimony(), access=A.RESEARCHERS)
        client.force_login(make_researcher())
        response = client.get(recording.file.url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert "public" not in response["Cache-Control"]

    def test_a_deleted_recording_is_gone_from_its_address(self, client):
        recording = make_recording(make_testimony(), access=A.PUBLIC)
        url = recording.file.url
        recording.delete()
        assert client.get(url).status_code == 404


class TestRangeHeader:
    @pytest.mark.parametrize(
        "header, expected",
        [
            (None, None),
            ("bytes=0-0", (0, 0)),
            ("bytes=0-", (0, 999)),
            ("bytes = 10 - 20", None),
            ("bytes=10 - 20", (10, 20)),
            ("bytes=-1", (999, 999)),
            ("bytes=-5000", (0, 999)),
            ("bytes=-0", UNSATISFIABLE),
            ("bytes=1000-", UNSATISFIABLE),
            ("bytes=999-5000", (999, 999)),
            ("bytes=0-1,2-3", None),
            ("bytes=" + "9" * 19 + "-", UNSATISFIABLE),
            ("bytes=" + "9" * 20 + "-", None),
            ("bytes=" + "9" * 5000 + "-", None),
            ("bytes=-" + "9" * 5000, None),
            ("bytes=١٢-", None),  # digits, but not ASCII ones
        ],
    )
    def test_read(self, header, expected):
        assert requested_range(header, 1000) == expected

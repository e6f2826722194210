"""The first public pages: a list of testimonies and a page to read one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from testimonies.models import Testimony

from .factories import make_researcher, make_testimony

pytestmark = pytest.mark.django_db


def test_list_shows_published_public_testimonies_only(client):
    make_testimony(title="Nine days in the basement")
    make_testimony(title="Unfinished draft", status=Testimony.Status.DRAFT)
    make_testimony(title="For researchers", access=Testimony.Access.RESEARCHERS)
    make_testimony(title="Taken down", status=Testimony.Status.WITHDRAWN)
    page = client.get("/testimonies/").content.decode()
    assert "Nine days in the basement" in page
    for hidden in ["Unfinished draft", "For researchers", "Taken down"]:
        assert hidden not in page


def test_researcher_sees_researcher_only_testimonies(client):
    make_testimony(title="For researchers", access=Testimony.Access.RESEARCHERS)
    client.force_login(make_researcher())
    assert "For researchers" in client.get("/testimonies/").content.decode()


def test_home_lists_recent_testimonies(client):
    make_testimony(title="Road closed at the checkpoint")
    response = client.get("/")
    assert response.status_code == 200
    assert "Road closed at the checkpoint" in response.content.decode()


def test_detail_shows_text_with_markup_as_text(client):
    testimony = make_testimony(
        title="Drones over the road", body="<script>alert(1)</script>\n\nSecond part"
    )
    page = client.get(testimony.get_absolute_url()).content.decode()
    assert "&lt;script&gt;" in page and "<script>alert" not in page
    assert "<p>Second part</p>" in page


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Testimony.Status.DRAFT},
        {"status": Testimony.Status.IN_REVIEW},
        {"access": Testimony.Access.RESTRICTED},
        {"access": Testimony.Access.RESEARCHERS},
    ],
)
def test_detail_of_non_public_testimony_is_not_found(client, fields):
    testimony = make_testimony(**fields)
    assert client.get(testimony.get_absolute_url()).status_code == 404


def test_unknown_identifier_is_not_found(client):
    assert client.get("/testimonies/NO-SUCH-ID/").status_code == 404


def test_list_queries_do_not_grow_with_rows(client):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/testimonies/").status_code == 200
        return len(queries)

    make_testimony(themes=["Drones"], places=["Sumy"])
    few = count_queries()
    for number in range(15):
        make_testimony(themes=[f"Theme {number}"], places=[f"Place {number}"])
    assert count_queries() == few

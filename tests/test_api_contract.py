"""The API keeps its own promise: Schemathesis generates requests from
``/api/v1/openapi.json`` and sends them, as a client would, to a live test server;
every response must match the description (status, content type, headers,
schema), methods it does not declare must get 405, no input a 500.
tests/data/schemathesis.toml says what the description cannot express."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from testimonies.models import Testimony, Translation

from .factories import make_narrator, make_place, make_testimony, make_theme

pytestmark = pytest.mark.django_db(transaction=True)

CONFIG = Path(__file__).parent / "data" / "schemathesis.toml"
#: Bounded: enough to try every parameter, well under a minute.
EXAMPLES = 25


@pytest.fixture
def collection():
    theme = make_theme("Evacuation")
    place = make_place("Sudzha", kind="settlement")
    for number, language in enumerate(["ru", "uk", "ja", "en"]):
        testimony = make_testimony(
            identifier=f"CONTRACT-{number}",
            title=f"Подвал {number}",
            body="подвал дорога バス basement",
            language=language,
            consent="given",
            consent_scope="public",
            narrator=make_narrator(alias=f"Narrator {number}"),
            themes=[theme],
            places=[place],
        )
        Translation.objects.create(testimony=testimony, language="en", title="T")
    make_testimony(identifier="CONTRACT-DRAFT", status=Testimony.Status.DRAFT)


def test_every_generated_request_gets_the_answer_the_description_promises(
    live_server, collection, tmp_path
):
    report = tmp_path / "report"
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(CONFIG),
        "run",
        f"{live_server.url}/api/v1/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(EXAMPLES),
        "--workers",
        "1",
        "--seed",
        "20261202",
        # No examples kept from earlier runs: the same seed, the same requests.
        "--generation-database",
        "none",
        "--no-color",
        "--report",
        "junit",
        "--report-dir",
        str(report),
    ]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "failure" not in result.stdout.splitlines()[-1].lower() or (
        " 0 failure" in result.stdout
    )
    assert list(report.glob("*.xml")), "Schemathesis wrote no report"


def test_the_description_is_valid_json_with_every_method_it_answers(client):
    data = json.loads(client.get("/api/v1/openapi.json").content)
    for path, operations in data["paths"].items():
        assert set(operations) == {"get"}, path
        response = client.generic("QUERY", path.replace("{identifier}", "X-1"))
        assert response.status_code == 405 and response["Allow"] == "GET, HEAD"

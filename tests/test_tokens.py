"""Personal API tokens: the account page that makes and revokes them, and
``Authorization: Bearer`` on the API and downloads (testimonies.accounts.tokens)."""

import datetime
import re

import pytest
from django.utils import timezone

from testimonies.accounts import tokens
from testimonies.models import ApiToken, Testimony

from .factories import make_archivist, make_researcher, make_testimony, make_user

pytestmark = pytest.mark.django_db

PAGE = "/accounts/tokens/"
API = "/api/v1/testimonies/"


@pytest.fixture
def closed():
    """A testimony for researchers, and a draft."""
    make_testimony(identifier="OPEN-1", title="Open to all")
    make_testimony(
        identifier="RES-1", title="For researchers", access=Testimony.Access.RESEARCHERS
    )
    make_testimony(identifier="DRAFT-1", status=Testimony.Status.DRAFT)


def make_token(client, name="scripts", days="90"):
    response = client.post(PAGE, {"name": name, "days": days})
    assert response.status_code == 200
    match = re.search(
        r'value="(ta_[0-9a-f]{8}_[A-Za-z0-9_-]{43})"', response.content.decode()
    )
    assert match, response.content.decode()[:3000]
    return match[1]


def bearer(text):
    return {"HTTP_AUTHORIZATION": f"Bearer {text}"}


def identifiers(response):
    assert response.status_code == 200, response.content
    return {hit["identifier"] for hit in response.json()["results"]}


def test_the_page_is_for_signed_in_accounts(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_token_is_shown_once_and_stored_only_as_a_hash(client):
    client.force_login(make_researcher())
    text = make_token(client, name="thesis scripts")
    token = ApiToken.objects.get()
    assert token.name == "thesis scripts" and text.startswith(f"ta_{token.lookup}_")
    assert token.key_hash == tokens.digest(text) and text not in token.key_hash
    assert (token.expires_at - timezone.now()).days in (89, 90)
    page = client.get(PAGE).content.decode()
    assert "thesis scripts" in page and f"ta_{token.lookup}…" in page
    assert text not in page
    assert client.get(PAGE)["Cache-Control"].startswith("max-age=0")


def test_a_researchers_token_reads_what_the_researcher_may(client, closed):
    client.force_login(make_researcher())
    text = make_token(client)
    client.logout()
    assert identifiers(client.get(API)) == {"OPEN-1"}
    assert identifiers(client.get(API, **bearer(text))) == {"OPEN-1", "RES-1"}
    response = client.get(f"{API}RES-1/", **bearer(text))
    assert response.status_code == 200
    download = client.get("/search/", {"format": "csv"}, **bearer(text))
    assert b"RES-1" in b"".join(download.streaming_content)
    assert ApiToken.objects.get().last_used_at is not None


def test_a_token_revoked_mid_use_stops_at_the_next_request(client, closed):
    client.force_login(make_researcher())
    text = make_token(client)
    assert identifiers(client.get(API, **bearer(text))) == {"OPEN-1", "RES-1"}
    token = ApiToken.objects.get()
    response = client.post(PAGE, {"revoke": token.pk})
    assert response.status_code == 302
    assert "revoked" in client.get(PAGE).content.decode()
    response = client.get(API, **bearer(text))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert "revoked" in response.json()["detail"]


def test_an_expired_or_forged_token_is_refused(client, closed):
    client.force_login(make_researcher())
    text = make_token(client)
    client.logout()
    forged = text[:-4] + ("AAAA" if not text.endswith("AAAA") else "BBBB")
    for wrong in [forged, "ta_00000000_" + "x" * 43, "nonsense", text + "x"]:
        assert client.get(API, **bearer(wrong)).status_code == 401
    ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get(API, **bearer(text)).status_code == 401


def test_a_token_opens_neither_the_admin_nor_pages_nor_forms(client, closed):
    archivist = make_archivist()
    client.force_login(archivist)
    text = make_token(client)
    client.logout()
    # The admin and the pages stay as an anonymous visitor sees them.
    assert client.get("/admin/", **bearer(text)).status_code == 302
    assert client.get("/testimonies/DRAFT-1/", **bearer(text)).status_code == 404
    # The API is the archivist's.
    assert client.get(f"{API}DRAFT-1/", **bearer(text)).status_code == 200
    # A write with a token is a write without one: refused by CSRF.
    csrf_client = type(client)(enforce_csrf_checks=True)
    response = csrf_client.post(PAGE, {"name": "more", "days": "30"}, **bearer(text))
    assert response.status_code in (302, 403)
    assert ApiToken.objects.count() == 1


def test_another_scheme_is_ignored(client, closed):
    response = client.get(API, HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")
    assert identifiers(response) == {"OPEN-1"}


def test_each_token_has_its_own_rate_limit(client, closed, settings):
    limits = settings.ACCOUNT_RATE_LIMITS
    settings.ACCOUNT_RATE_LIMITS = {**limits, "api_token": (2, 3600)}
    client.force_login(make_researcher())
    first, second = make_token(client), make_token(client, name="other")
    client.logout()
    for _ in range(2):
        assert client.get(API, **bearer(first)).status_code == 200
    response = client.get(API, **bearer(first))
    assert response.status_code == 429 and response["Retry-After"] == "3600"
    assert client.get(API, **bearer(second)).status_code == 200


def test_wrong_tokens_are_limited_per_address(client, settings):
    limits = settings.ACCOUNT_RATE_LIMITS
    settings.ACCOUNT_RATE_LIMITS = {**limits, "token_failure": (2, 3600)}
    wrong = bearer("ta_00000000_" + "x" * 43)
    assert [client.get(API, **wrong).status_code for _ in range(3)] == [401, 401, 429]


def test_an_account_holds_at_most_ten_tokens_in_use(client):
    client.force_login(make_researcher())
    for number in range(tokens.MAX_ACTIVE):
        make_token(client, name=f"token {number}")
    response = client.post(PAGE, {"name": "one more", "days": "30"})
    assert "the most an account may have" in response.content.decode()
    assert ApiToken.objects.count() == tokens.MAX_ACTIVE


def test_bad_input_on_the_form_is_explained(client):
    client.force_login(make_researcher())
    response = client.post(PAGE, {"name": "", "days": "7"})
    text = response.content.decode()
    assert response.status_code == 200 and "field--error" in text
    assert not ApiToken.objects.exists()
    assert client.post(PAGE, {"revoke": "not-a-number"}).status_code == 302


def test_nobody_revokes_another_accounts_token(client):
    owner = make_user("owner")
    token, text = tokens.issue(owner, name="mine", days=30)
    client.force_login(make_researcher())
    client.post(PAGE, {"revoke": token.pk})
    token.refresh_from_db()
    assert token.revoked_at is None and tokens.authenticate(text) == token


def test_a_deactivated_accounts_tokens_stop(client, closed):
    user = make_researcher()
    _token, text = tokens.issue(user, name="mine", days=30)
    user.is_active = False
    user.save()
    assert client.get(API, **bearer(text)).status_code == 401


def test_archivists_see_and_revoke_tokens_in_the_admin_never_their_text(client):
    token, text = tokens.issue(make_researcher(), name="leaked", days=30)
    client.force_login(make_archivist())
    page = client.get("/admin/testimonies/apitoken/").content.decode()
    assert "leaked" in page and f"ta_{token.lookup}…" in page
    assert text not in page and token.key_hash not in page
    response = client.post(
        "/admin/testimonies/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )
    assert "Tokens revoked: 1." in response.content.decode()
    assert tokens.authenticate(text) is None
    assert client.get("/admin/testimonies/apitoken/add/").status_code == 403

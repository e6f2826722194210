"""Admin inputs filled with anything answer a message, a form error or a 404, never
a 500: action selections that are not ids, history addresses with words for ids,
names in other languages nested thousands of levels deep."""

import pytest
from django.contrib import admin
from django.urls import reverse

from .factories import make_archivist, make_place, make_testimony, make_theme

pytestmark = pytest.mark.django_db

MODELS = [
    model._meta.model_name
    for model in admin.site._registry
    if model._meta.app_label == "testimonies"
]


class FakeSuperuserRequest:
    class user:  # noqa: N801 (stands in for request.user)
        is_active = is_staff = is_superuser = True

        @staticmethod
        def has_perm(permission, obj=None):
            return True


#: The admins whose lists offer actions (fixity checks are read-only records).
WITH_ACTIONS = [
    model._meta.model_name
    for model, model_admin in admin.site._registry.items()
    if model._meta.app_label == "testimonies"
    and model_admin.has_delete_permission(FakeSuperuserRequest())
]
DEEP_LIST = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a":' * 5_000 + "1" + "}" * 5_000


@pytest.fixture
def archivist_client(client):
    client.raise_request_exception = False
    user = make_archivist()
    user.is_superuser = True  # every admin, researcher applications included
    user.save()
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", WITH_ACTIONS)
@pytest.mark.parametrize("selected", [["abc"], ["1e9999"], ["99999999999999999999"]])
def test_an_action_on_rows_that_are_not_ids(archivist_client, model, selected):
    changelist = reverse(f"admin:testimonies_{model}_changelist")
    response = archivist_client.post(
        changelist, {"action": "delete_selected", "_selected_action": selected}
    )
    assert response.status_code == 302
    page = archivist_client.get(response["Location"])
    assert "The selection was not understood" in page.content.decode()


@pytest.mark.parametrize("model", ["testimony", "theme", "place", "narrator", "source"])
def test_history_addresses_with_words_for_ids(archivist_client, model):
    objects = {
        "testimony": lambda: make_testimony(),
        "theme": lambda: make_theme("History theme"),
        "place": lambda: make_place("History place"),
    }
    obj = objects.get(model, lambda: None)()
    pk = obj.pk if obj else 1
    history = reverse(f"admin:testimonies_{model}_history", args=[pk])
    changelist = reverse(f"admin:testimonies_{model}_changelist")
    for url in [
        f"{history}abc/",
        f"{history}99999999999999999999/",
        f"{changelist}abc/history/",
        f"{changelist}99999999999999999999/history/",
    ]:
        assert archivist_client.get(url).status_code == 404, url


@pytest.mark.parametrize("model", ["theme", "place"])
@pytest.mark.parametrize(
    "names", [DEEP_LIST, DEEP_OBJECT, '{"ru": ' + DEEP_LIST + "}"], ids=len
)
def test_names_nested_too_deeply_are_a_form_error(archivist_client, model, names):
    tag = (make_theme if model == "theme" else make_place)("Nested")
    url = reverse(f"admin:testimonies_{model}_change", args=[tag.pk])
    data = {"name": "Nested", "names": names, "kind": "settlement", "parent": ""}
    response = archivist_client.post(url, data)
    assert response.status_code == 200
    assert "This is not valid JSON" in response.content.decode()


@pytest.mark.parametrize("model", MODELS)
def test_date_drill_downs_and_filters_out_of_range(archivist_client, model):
    model_admin = admin.site._registry[
        next(m for m in admin.site._registry if m._meta.model_name == model)
    ]
    changelist = reverse(f"admin:testimonies_{model}_changelist")
    field = model_admin.date_hierarchy
    queries = [{"p": "99999999999999999999"}, {"o": "abc.xyz"}]
    if field:
        huge = "99999999999999999999"
        queries += [
            {f"{field}__year": huge},
            {f"{field}__year": "2024", f"{field}__month": huge},
            {f"{field}__year": "2024", f"{field}__month": "2", f"{field}__day": "31"},
        ]
    for query in queries:
        response = archivist_client.get(changelist, query)
        assert response.status_code in (200, 302), (model, query)

"""`?ordering=` is validated on every list that orders (core/api/ordering.py), documented as an enum,
and every list refuses an unknown query parameter by name (core/api/params.py)."""

import re

import pytest

from core.api.params import documented_query_parameters
from tests.factories import FirmFactory

ORDERED_LISTS = {
    "/api/v1/proposals/": "score",
    "/api/v1/firms/": "name",
    "/api/v1/directory/": "name",
    "/api/v1/notifications/": "created_at",
    "/api/v1/capabilities/": "code",
}


@pytest.fixture
def verified_alice(alice, firm_a):
    firm_a.status = "verified"
    firm_a.save(update_fields=["status"])
    return alice


def _client(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("url", sorted(ORDERED_LISTS))
def test_an_unknown_ordering_field_is_a_400_naming_the_parameter_and_the_choices(verified_alice, url):
    response = _client(verified_alice).get(url + "?ordering=-scroe")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert list(error["fields"]) == ["ordering"]
    message = error["fields"]["ordering"][0]
    assert "-scroe" in message and ORDERED_LISTS[url] in message and "id" in message


@pytest.mark.parametrize("url", sorted(ORDERED_LISTS))
def test_every_documented_ordering_value_is_accepted(verified_alice, url):
    values = _schema_ordering_enum(url)
    assert values, f"{url} documents no ordering enum"
    client = _client(verified_alice)
    for value in values:
        response = client.get(url, {"ordering": value})
        assert response.status_code == 200, (value, response.content)


def test_the_ordering_message_is_translated(verified_alice):
    response = _client(verified_alice).get("/api/v1/firms/?ordering=nmae", HTTP_ACCEPT_LANGUAGE="uk")
    assert response.status_code == 400
    assert "nmae" in response.json()["error"]["fields"]["ordering"][0]
    assert "Невідоме поле сортування" in response.json()["error"]["fields"]["ordering"][0]


def test_firms_are_ordered_as_asked_with_the_id_breaking_ties(verified_alice, firm_a):
    FirmFactory(name="Aardvark Optics", status="verified", partner=True)
    FirmFactory(name="Zenith Arms", status="verified", partner=True)
    client = _client(verified_alice)
    names = [f["name"] for f in client.get("/api/v1/firms/?ordering=-name").json()["results"]]
    assert names == sorted(names, reverse=True) and names[0] == "Zenith Arms"


def test_the_directory_orders_by_the_given_field_and_refuses_it_with_sort_fit(verified_alice):
    FirmFactory(name="Aardvark Optics", status="verified", partner=True)
    FirmFactory(name="Zenith Arms", status="verified", partner=True)
    client = _client(verified_alice)
    response = client.get("/api/v1/directory/?ordering=-name")
    assert response.status_code == 200
    names = [f["name"] for f in response.json()["results"]]
    assert names == sorted(names, reverse=True) and len(names) >= 2
    refused = client.get("/api/v1/directory/?ordering=name&sort=fit")
    assert refused.status_code == 400 and "ordering" in refused.json()["error"]["fields"]


def _schema_ordering_enum(url: str) -> list[str]:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for parameter in schema["paths"][url]["get"].get("parameters", []):
        if parameter["name"] == "ordering":
            return parameter["schema"]["enum"]
    return []


def test_only_lists_that_order_document_ordering():
    """A list that ignores `ordering` must not document it (then `?ordering=` there is a 400)."""
    documented = {path for (path, method), names in documented_query_parameters().items() if "ordering" in names}
    assert documented == {*ORDERED_LISTS, "/api/v1/proposals/export/"}


def _get_operations():
    return sorted(path for (path, method) in documented_query_parameters() if method == "GET")


@pytest.mark.parametrize("path", _get_operations())
def test_every_get_operation_refuses_an_unknown_query_parameter(db, path, verified_alice):
    url = re.sub(r"\{[^}]+\}", "1", path)
    response = _client(verified_alice).get(url + "?zz_typo=1")
    assert response.status_code == 400, (path, response.status_code)
    error = response.json()["error"]
    assert error["code"] == "unknown_parameter" and list(error["fields"]) == ["zz_typo"]

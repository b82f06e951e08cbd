"""Every operation says which scope a service-account token needs (`x-required-scopes`, and a sentence in
its description), generated from core.permissions.SCOPES_BY_URL_NAME, and the answers agree with it."""

import re

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from core.api.openapi import url_names_by_path
from core.permissions import SCOPES_BY_URL_NAME, TokenScope

METHODS = ("get", "post", "put", "patch", "delete")
PUBLIC = {
    ("/api/v1/auth/signup/", "post"),
    ("/api/v1/auth/token/", "post"),
    ("/api/v1/me/email-confirmation/confirm/", "post"),
}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def test_every_operation_says_whether_and_with_which_scope_a_service_account_may_call_it(schema):
    for path, method, operation in _operations(schema):
        if (path, method) in PUBLIC:
            assert "x-required-scopes" not in operation and "x-service-accounts" not in operation
            continue
        read, write = SCOPES_BY_URL_NAME.get(url_names_by_path().get(path, ""), (None, None))
        needed = read if method == "get" else write
        if needed is None:
            assert operation.get("x-service-accounts") is False, (method, path)
            assert "x-required-scopes" not in operation
            assert "Service-account tokens cannot call this operation." in operation["description"]
        else:
            assert operation.get("x-required-scopes") == ([str(needed)] if needed else []), (method, path)
            assert str(needed) in operation["description"]


def test_every_entry_of_the_scope_map_is_an_operation_of_the_schema(schema):
    named = {url_names_by_path().get(path) for path, _, _ in _operations(schema)}
    assert set(SCOPES_BY_URL_NAME) <= named


def _scoped_operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        (path, method, operation["x-required-scopes"][0])
        for path, method, operation in _operations(schema)
        if operation.get("x-required-scopes")
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method", "scope"), _scoped_operations())
def test_a_token_with_every_scope_but_the_annotated_one_is_refused_naming_it(alice_client, firm_a, path, method, scope):
    others = [s for s in TokenScope.values if s != scope]
    created = alice_client.post(f"/api/v1/firms/{firm_a.pk}/service-accounts/", {"name": "ERP", "scopes": others})
    assert created.status_code == 201
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {created.json()['token']}")
    fillers = {"kind": "offer", "role": "repairs"}
    url = re.sub(r"\{([^}]+)\}", lambda m: fillers.get(m.group(1), str(firm_a.pk)), path)
    response = getattr(client, method)(url, {}, format="json")
    assert response.status_code == 403, (method, path, response.status_code)
    error = response.json()["error"]
    assert error["code"] == "insufficient_scope" and error["required_scope"] == scope

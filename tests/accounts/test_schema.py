"""/api/schema/ documents the accounts endpoints, the Bearer scheme and their error responses."""

import pytest
import yaml


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from drf_spectacular.generators import SchemaGenerator

    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


ENDPOINTS = {
    ("/api/v1/auth/token/", "post"): {"201", "400", "429"},
    ("/api/v1/auth/tokens/", "get"): {"200", "401"},
    ("/api/v1/auth/tokens/{token_key}/", "delete"): {"204", "401", "404"},
    ("/api/v1/auth/logout/", "post"): {"204", "401"},
    ("/api/v1/auth/signup/", "post"): {"202", "400"},
    ("/api/v1/me/", "get"): {"200", "401"},
    ("/api/v1/me/", "patch"): {"200", "400", "401"},
    ("/api/v1/firms/{firm_id}/members/", "get"): {"200", "401", "404"},
    ("/api/v1/firms/{firm_id}/invitations/", "get"): {"200", "401", "403", "404"},
    ("/api/v1/firms/{firm_id}/invitations/", "post"): {"201", "400", "401", "403", "404"},
    ("/api/v1/firms/{firm_id}/invitations/{invitation_id}/", "delete"): {"204", "401", "403", "404"},
    ("/api/v1/invitations/accept/", "post"): {"201", "400", "401", "403", "409"},
    ("/api/v1/firms/{firm_id}/members/{membership_id}/", "patch"): {"200", "400", "401", "403", "404", "409"},
    ("/api/v1/firms/{firm_id}/members/{membership_id}/", "delete"): {"204", "401", "403", "404", "409"},
    ("/api/v1/firms/{firm_id}/service-accounts/", "get"): {"200", "401", "403", "404"},
    ("/api/v1/firms/{firm_id}/service-accounts/", "post"): {"201", "400", "401", "403", "404"},
    ("/api/v1/firms/{firm_id}/service-accounts/{account_id}/", "delete"): {"204", "401", "403", "404"},
}


@pytest.mark.parametrize(("path", "method"), list(ENDPOINTS))
def test_every_accounts_endpoint_is_documented_with_its_errors(schema, path, method):
    operation = schema["paths"][path][method]
    assert ENDPOINTS[(path, method)] <= set(operation["responses"])
    for status, response in operation["responses"].items():
        if status.startswith("4"):
            assert response["content"]["application/json"]["schema"]["$ref"].endswith("/Error")


def test_the_bearer_scheme_is_documented_and_used(schema):
    assert schema["components"]["securitySchemes"]["BearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["BearerAuth"]["description"],
    }
    assert {"BearerAuth": []} in schema["paths"]["/api/v1/me/"]["get"]["security"]
    assert "security" not in schema["paths"]["/api/v1/auth/token/"]["post"] or schema["paths"]["/api/v1/auth/token/"][
        "post"
    ]["security"] in ([], [{}])


def test_the_schema_endpoint_serves_it(anon, db):
    response = anon.get("/api/schema/")
    assert response.status_code == 200
    assert "/api/v1/auth/token/" in yaml.safe_load(response.content)["paths"]


def test_members_are_added_by_invitation_only(schema):
    assert "post" not in schema["paths"]["/api/v1/firms/{firm_id}/members/"]


def test_the_invitation_never_says_whether_the_address_has_an_account(schema):
    properties = schema["components"]["schemas"]["Invitation"]["properties"]
    assert set(properties) == {"id", "email", "role", "created_at", "expires_at"}


def test_changing_the_email_documents_the_current_password_as_write_only(schema):
    request = schema["paths"]["/api/v1/me/"]["patch"]["requestBody"]["content"]["application/json"]["schema"]
    name = request["$ref"].rsplit("/", 1)[-1]
    field = schema["components"]["schemas"][name]["properties"]["current_password"]
    assert field["writeOnly"] is True and "email" in field["description"]
    me = schema["components"]["schemas"]["Me"]["properties"]
    assert "current_password" not in me


def test_sign_up_documents_no_token(schema):
    answer = schema["paths"]["/api/v1/auth/signup/"]["post"]["responses"]["202"]
    name = answer["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][name]["properties"]) == {"message"}


def test_the_bearer_scheme_lists_the_service_account_scopes(schema):
    from core.permissions import TokenScope

    description = schema["components"]["securitySchemes"]["BearerAuth"]["description"]
    assert "insufficient_scope" in description
    assert all(f"`{scope}`" in description for scope in TokenScope.values)
    created = schema["components"]["schemas"]["ServiceAccountCreateRequest"]["properties"]["scopes"]
    assert created["items"]["$ref"].endswith("/TokenScopeEnum")

"""Every query parameter the schema documents with an enum refuses other values: a 400 naming it
(NUL included: PostgreSQL cannot store it, which was a 500), never a 200 with an empty or full list."""

import pytest

from tests.security.schema import operations

pytestmark = pytest.mark.django_db


def _enum_parameters():
    for (method, path), operation in sorted(operations().items()):
        if method != "GET" or "{" in path:
            continue
        for parameter in operation.get("parameters", []):
            schema = parameter.get("schema", {})
            enum = schema.get("enum") or schema.get("items", {}).get("enum")
            if parameter.get("in") == "query" and enum:
                yield path, parameter["name"]


@pytest.mark.parametrize("value", ["\x00", "bogus"])
@pytest.mark.parametrize("path, name", list(_enum_parameters()))
def test_an_enum_query_parameter_refuses_other_values_by_name(path, name, value, rita_client, alice_client):
    query = {"file": "csv"} if path.endswith("/export/") and name != "file" else {}  # a download needs one
    query[name] = value
    response = rita_client.get(path, query)
    if response.status_code == 403:  # firm members' lists
        response = alice_client.get(path, query)
    assert response.status_code == 400, (path, name, response.status_code, response.content[:300])
    assert name in response.json()["error"]["fields"], response.json()

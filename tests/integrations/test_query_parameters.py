"""Unknown query parameters answer 400 naming them (core/api/params.py); documented ones pass."""

import pytest


@pytest.mark.parametrize(
    ("url", "unknown"),
    [
        ("/api/v1/proposals/?staus=approved", ["staus"]),
        ("/api/v1/firms/?contry=DE&side=partner", ["contry"]),
        ("/api/v1/notifications/?unred=true&x=1", ["unred", "x"]),
        ("/api/v1/me/?verbose=1", ["verbose"]),
    ],
)
def test_an_unknown_query_parameter_is_a_400_naming_it(alice_token, url, unknown):
    response = alice_token.get(url)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "unknown_parameter" and sorted(error["fields"]) == unknown
    assert "this operation takes" in error["fields"][unknown[0]][0]


def test_documented_parameters_still_work(alice_token, firm_a):
    assert alice_token.get("/api/v1/proposals/?status=approved&ordering=-score&page=1&page_size=10").status_code == 200
    assert alice_token.get("/api/v1/firms/?side=partner&page_size=5").status_code == 200
    assert alice_token.get("/api/v1/notifications/?unread=true").status_code == 200


@pytest.mark.parametrize("value", ["0", "-1", "abc", "1.5", ""])
@pytest.mark.parametrize(
    "url", ["/api/v1/proposals/", "/api/v1/firms/", "/api/v1/notifications/", "/api/v1/directory/"]
)
def test_a_page_size_below_one_or_not_a_number_is_a_400_naming_it(alice_token, firm_a, url, value):
    response = alice_token.get(url, {"page_size": value})
    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"] == {"page_size": ["Must be a whole number from 1 to 200."]}
    ukrainian = alice_token.get(url, {"page_size": value}, HTTP_ACCEPT_LANGUAGE="uk").json()["error"]["fields"]
    assert ukrainian == {"page_size": ["Має бути ціле число від 1 до 200."]}


def test_the_answer_is_translated(alice_token):
    response = alice_token.get("/api/v1/me/?verbose=1", HTTP_ACCEPT_LANGUAGE="uk")
    assert "Невідомі параметри запиту" in response.json()["error"]["message"]


def test_every_schema_operation_is_found_from_its_url_pattern():
    """The check finds an operation by its route: every documented path must map back (else it is skipped)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    from core.api.params import documented_query_parameters, route_template

    routes = set()

    def walk(entries, prefix):
        for entry in entries:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                routes.add(route_template(prefix + str(entry.pattern)))

    walk(get_resolver().url_patterns, "")
    missing = {path for path, _ in documented_query_parameters()} - routes
    assert not missing

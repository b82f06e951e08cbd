"""Every 4xx under /api/ has the one JSON error shape, even for URLs that no view matches."""

import pytest


@pytest.mark.parametrize("url", ["/api/v1/firms/0.5/", "/api/v1/no-such-thing/", "/api/v1/proposals/-1/events/"])
def test_an_unmatched_api_url_answers_the_json_error_shape(alice_client, url):
    response = alice_client.get(url)

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"error": {"code": "not_found", "message": "Not found.", "fields": {}}}


def test_an_unmatched_page_url_still_answers_a_page(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")

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


TOO_BIG = b'{"name": "' + b"x" * (1024 * 1024 + 10) + b'"}'


@pytest.mark.parametrize(
    "language, message",
    [
        ("en", "The request body is larger than the limit of 1048576 bytes; send less data."),
        ("uk", "Тіло запиту перевищує ліміт (1048576 Б); надішліть менше даних."),
    ],
)
@pytest.mark.parametrize(
    "persona, method, url",
    [("alice_client", "PATCH", "/api/v1/firms/{firm}/"), ("anon", "POST", "/api/v1/auth/token/")],
    indirect=["persona"],
)
def test_a_body_over_the_upload_limit_answers_413_in_the_json_error_shape(
    persona, method, url, language, message, firm_a
):
    url = url.format(firm=firm_a.pk)
    response = persona.generic(method, url, TOO_BIG, content_type="application/json", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"error": {"code": "request_too_large", "message": message, "fields": {}}}


@pytest.mark.parametrize(
    "language, message",
    [
        ("en", "The request has more than 5000 parameters or form fields; send fewer."),
        ("uk", "Запит містить понад 5000 параметрів або полів форми; надішліть менше."),
    ],
)
def test_too_many_query_parameters_answer_400_in_the_json_error_shape(alice_client, language, message, db):
    query = "&".join(f"p{i}=1" for i in range(5001))
    response = alice_client.get(f"/api/v1/firms/?{query}", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    assert response.json() == {"error": {"code": "too_many_fields", "message": message, "fields": {}}}


def test_a_page_refused_for_its_size_still_answers_the_400_page(client, db):
    too_big = client.generic(
        "POST", "/accounts/login/", b"username=" + b"x" * (1024 * 1024 + 10), "application/x-www-form-urlencoded"
    )
    too_many = client.post("/accounts/login/", {f"f{i}": "1" for i in range(5001)})
    for response in (too_big, too_many):
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")

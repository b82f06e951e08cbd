"""No input to the directory is ever a 500: huge ids, odd parameters, control characters."""

import pytest

from tests.directory.conftest import names  # noqa: F401

HUGE = 10**30


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/directory/{HUGE}/",
        f"/api/v1/directory/saved-searches/{HUGE}/",
    ],
)
def test_a_huge_id_in_a_path_is_a_404(bob_client, market, path):
    assert bob_client.get(path).status_code == 404


def test_a_huge_id_in_a_page_path_is_a_404(bob, market):
    from django.test import Client

    client = Client()
    client.force_login(bob)
    assert client.get(f"/directory/{HUGE}/").status_code == 404
    assert client.post(f"/directory/searches/{HUGE}/delete/").status_code == 404


def test_a_huge_id_in_an_introduction_path_is_a_404(bob_client, market):
    response = bob_client.post(f"/api/v1/directory/{HUGE}/introductions/", {"message": "x" * 30}, format="json")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"firm": str(HUGE), "sort": "fit"},
        {"search": "bad\x01text"},
        {"page": "abc"},
        {"page": str(HUGE)},
        {"country": "Germany"},
    ],
)
def test_odd_parameters_are_a_400_or_404_never_a_500(bob_client, market, params):
    assert bob_client.get("/api/v1/directory/", params).status_code in (400, 404)


def test_a_message_with_control_characters_is_refused_by_name(bob_client, market):
    response = bob_client.post(
        f"/api/v1/directory/{market['arsenal'].pk}/introductions/",
        {"message": "We propose co-production\x07 of shells."},
        format="json",
    )
    assert response.status_code == 400
    assert "message" in response.json()["error"]["fields"]


def test_unknown_fields_in_a_request_are_named(bob_client, market):
    response = bob_client.post(
        f"/api/v1/directory/{market['arsenal'].pk}/introductions/",
        {"message": "We propose co-production of 155 mm shells.", "status": "approved"},
        format="json",
    )
    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("language", "label", "rule"),
    [("en", "Search", "must not contain NUL characters"), ("uk", "Пошук", "не може містити символів NUL")],
)
def test_a_nul_in_the_directory_search_is_one_error_beside_the_search_field(bob, market, language, label, rule):
    import re

    from django.test import Client

    client = Client()
    client.force_login(bob)
    html = client.get("/directory/", {"search": "ab\x00c"}, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    errors = re.findall(r'<ul class="errorlist" id="id_(\w+)_error">(.*?)</ul>', html, re.S)
    assert [(field, re.findall(r"<li>(.*?)</li>", items)) for field, items in errors] == [
        ("search", [f"{rule} (U+0000, {'at character' if language == 'en' else 'символ'} 3)"])
    ]
    assert f'<label for="id_search">{label}</label>' in html
    assert html.count(rule) == 1  # no second, general message above the results


@pytest.mark.parametrize("path", ["/api/v1/directory/", "/api/v1/firms/"])
def test_a_nul_in_a_search_parameter_is_a_400_naming_the_parameter_once(bob_client, market, path):
    response = bob_client.get(path, {"search": "ab\x00c"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["fields"] == {"search": ["must not contain NUL characters (U+0000, at character 3)"]}
    assert error["message"].count("search: must not contain NUL characters") == 1


def test_a_nul_in_a_page_forms_text_field_is_one_error(bob, market):
    from django.test import Client

    client = Client()
    client.force_login(bob)
    response = client.post(
        "/directory/searches/save/", {"q_search": "155", "name": "Sh\x00ells", "frequency": "immediate"},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert response.status_code == 400
    assert response.context["save_form"].errors == {
        "name": ["must not contain NUL characters (U+0000, at character 3)"]
    }

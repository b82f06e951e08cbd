"""The API documentation pages: local assets only, and inline styles allowed on those two pages alone."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _policy(path: str) -> dict[str, list[str]]:
    response = Client().get(path)
    assert response.status_code == 200, path
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/api/redoc/", "/api/docs/"])
def test_the_docs_pages_allow_inline_styles_but_nothing_else_more(path):
    policy = _policy(path)
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]


@pytest.mark.parametrize("path", ["/accounts/login/", "/api/schema/", "/"])
def test_the_rest_of_the_site_keeps_style_src_self(path):
    response = Client().get(path, follow=True)
    header = response["Content-Security-Policy"]
    assert "style-src 'self';" in header + ";" and "unsafe-inline" not in header


@pytest.mark.parametrize("path", ["/api/redoc/", "/api/docs/"])
def test_the_docs_pages_load_nothing_from_other_sites(path):
    body = Client().get(path).content.decode()
    assert "googleapis" not in body and "gstatic" not in body and "cdn.jsdelivr" not in body
    assert "/static/drf_spectacular_sidecar/" in body

"""The API documentation pages render in a real browser under the site's Content-Security-Policy
(the `new_page` fixture fails the test on any console error, CSP violations included)."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TITLE = "Alliance Match API"


def test_redoc_renders_the_api_without_a_csp_violation(new_page, shots):
    page = new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto("/api/redoc/")
    expect(page.locator("h1").first).to_contain_text(TITLE, timeout=30_000)
    expect(page.get_by_text("Something went wrong")).to_have_count(0)
    # The viewport only: a full-page picture of the whole reference takes longer than the timeout.
    page.screenshot(path=str(shots.dir / "01-redoc.png"))
    assert not violations


def test_swagger_ui_renders_the_api_without_a_csp_violation(new_page, shots):
    page = new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text(TITLE, timeout=30_000)
    shots(page, "swagger", run_axe=False)  # Swagger UI's own markup is not ours to fix
    assert not violations

"""Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

Every test saves a screenshot of each page it passes through into
test-artifacts/browser/<test name>/ (git-ignored), and fails on any browser console error
such as a Content-Security-Policy violation.
"""

import os
import re
from pathlib import Path

import pytest

from tests.browser import axe

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
# body are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's password


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium (`.ci/run` does) to run browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


class Shots:
    """Numbered screenshots of one test, in pass-through order."""

    def __init__(self, name: str):
        self.dir = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
        self.dir.mkdir(parents=True, exist_ok=True)
        for old in self.dir.glob("*.png"):
            old.unlink()
        self.n = 0
        self.axe_blocking: list[str] = []

    def __call__(self, page, label: str, *, run_axe: bool = True) -> None:
        self.n += 1
        page.screenshot(path=str(self.dir / f"{self.n:02d}-{label}.png"), full_page=True)
        if not run_axe:  # a context without JavaScript: axe cannot run there (evaluate never returns)
            return
        # axe on every page a test passes through: serious and critical violations fail the test
        # (at its end, with the list); every violation goes to test-artifacts/browser/axe-report.txt.
        self.axe_blocking += axe.check(page, f"{self.dir.name}/{self.n:02d}-{label}")


@pytest.fixture
def shots(request):
    taken = Shots(request.node.name)
    yield taken
    assert not taken.axe_blocking, "axe: serious or critical accessibility violations:\n" + "\n".join(
        taken.axe_blocking
    )


@pytest.fixture
def new_page(browser, live_server):
    """Factory of pages, one browser context (cookies, language) per person; console errors fail the test."""
    contexts = []
    errors: list[str] = []

    def make(locale: str = "en-GB", *, width: int = 1280, javascript: bool = True):
        context = browser.new_context(
            base_url=live_server.url,
            locale=locale,
            viewport={"width": width, "height": 900},
            java_script_enabled=javascript,
        )
        axe.install(context)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, f"browser console errors: {errors}"


def log_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label(re.compile("Username|Ім.я користувача")).fill(username)
    page.get_by_label(re.compile("Password|Пароль")).fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def log_out(page) -> None:
    page.locator("header form[action='/accounts/logout/'] button").click()
    page.wait_for_load_state()

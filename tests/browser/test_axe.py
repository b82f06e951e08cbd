"""The accessibility check itself (tests/browser/axe.py) finds what it must, so a green run means something."""

import pytest

from tests.browser import axe

pytestmark = pytest.mark.browser


def test_axe_reports_an_orphaned_list_item_as_serious_and_passes_the_fixed_markup(browser):
    context = browser.new_context()
    axe.install(context)
    page = context.new_page()
    page.set_content(
        '<html lang="uk"><head><title>Т</title></head><body><main><h1>Т</h1><ul role="status"><li>Збережено.</li></ul></main></body></html>'
    )
    found = axe.check(page, "axe-self-test")
    assert any("serious listitem" in line for line in found), found
    page.set_content(
        '<html lang="uk"><head><title>Т</title></head><body><main><h1>Т</h1><div role="status"><ul><li>Збережено.</li></ul></div></main></body></html>'
    )
    assert axe.check(page, "axe-self-test") == []
    context.close()

"""A download from a reviewer's page is in the page's language (the request's: the language cookie, the
saved choice, else Accept-Language), not English because the reviewer never saved a language."""

import csv
import io

import pytest

from tests.factories import FirmFactory, ProposalFactory

pytestmark = pytest.mark.django_db

EXPORTS = {
    "/review/export/": ("Пропозиція", "Proposal"),
    "/review/firms/all/export/": ("Назва", "Name"),
    "/review/dashboard/export/": ("Показник", "Figure"),
}


@pytest.fixture
def data(firm_a, firm_b):
    ProposalFactory(ukrainian=firm_a, partner=firm_b, status="proposed")
    FirmFactory(ref="de-extra", name="Extra GmbH", partner=True)


def _first_header(response) -> str:
    assert response.status_code == 200, response.content[:300]
    return next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[0]


@pytest.mark.parametrize("url", list(EXPORTS))
def test_a_reviewer_without_a_saved_language_downloads_in_the_language_browsed_in(page_rita, rita, data, url):
    assert rita.language == ""
    uk, en = EXPORTS[url]
    assert _first_header(page_rita.get(url, {"file": "csv"}, HTTP_ACCEPT_LANGUAGE="uk")) == uk
    assert _first_header(page_rita.get(url, {"file": "csv"}, HTTP_ACCEPT_LANGUAGE="en")) == en


@pytest.mark.parametrize("url", list(EXPORTS))
def test_the_language_switch_of_the_page_wins_over_a_saved_language(page_rita, rita, data, url):
    rita.language = "en"
    rita.save(update_fields=["language"])
    page_rita.cookies["django_language"] = "uk"  # the page's language switch (its cookie)
    assert _first_header(page_rita.get(url, {"file": "csv"})) == EXPORTS[url][0]

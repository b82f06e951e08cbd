"""`/api/v1/firms/?search=`: any part of a firm's name, or words (as prefixes) of its description."""

import pytest
from django.db import connection

from alliance.models import Firm
from tests.factories import FirmFactory


@pytest.fixture
def registry(firm_a, firm_b):
    FirmFactory(ref="fr-radar", name="Radar Systems SAS", partner=True, country="FR", status=Firm.Status.VERIFIED,
                description="We build ground surveillance radars and thermal optics for air defence.")  # fmt: skip
    FirmFactory(ref="ua-dnipro", name="Dnipro Repair Plant", country="UA", status=Firm.Status.VERIFIED,
                description="Ремонт бронетехніки та виробництво дронів-перехоплювачів.")  # fmt: skip
    FirmFactory(ref="pl-hidden", name="Hidden Radar Works", partner=True, country="PL", status=Firm.Status.PENDING,
                description="Pending firms stay out of other firms' searches.")  # fmt: skip


def _refs(client, term: str) -> list[str]:
    response = client.get("/api/v1/firms/", {"search": term})
    assert response.status_code == 200, response.content
    return sorted(f["ref"] for f in response.json()["results"])


@pytest.mark.parametrize(
    ("term", "refs"),
    [
        ("radar", ["fr-radar"]),  # name and description; the pending firm stays hidden
        ("SYSTEMS sas", ["fr-radar"]),  # any part of the name, any case
        ("surveil", ["fr-radar"]),  # a word of the description by its beginning
        ("thermal optic", ["fr-radar"]),  # every word, in any order
        ("optic thermal", ["fr-radar"]),
        ("thermal sonar", []),
        ("дронів", ["ua-dnipro"]),  # Ukrainian descriptions too
        pytest.param(
            "Бронетехн",
            ["ua-dnipro"],
            marks=pytest.mark.skipif(
                connection.vendor != "postgresql", reason="SQLite folds the case of ASCII letters only"
            ),
        ),
        ("it's & | ! :* (", []),  # tsquery syntax is only ever text
        ("'", []),
    ],
)
def test_search_by_name_part_or_description_words(registry, bob_client, term, refs):
    assert _refs(bob_client, term) == refs


def test_reviewers_search_pending_firms_too(registry, rita_client):
    assert _refs(rita_client, "radar") == ["fr-radar", "pl-hidden"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the stored tsvector column is PostgreSQL's")
def test_the_description_words_follow_every_edit(registry, bob_client):
    firm = Firm.objects.get(ref="fr-radar")
    Firm.objects.filter(pk=firm.pk).update(description="Now we only make hydrophones for naval drones.")
    assert _refs(bob_client, "hydrophone") == ["fr-radar"]
    assert _refs(bob_client, "surveillance") == []

"""`/api/v1/firms/?search=`: any part of a firm's name, or words (as prefixes) of its description."""

import pytest
from django.db import connection

from registry.models import Firm
from tests.factories import FirmFactory


@pytest.fixture
def registry(firm_a, firm_b):
    FirmFactory(ref="fr-radar", name="Radar Systems SAS", partner=True, country="FR", status=Firm.Status.VERIFIED,
                description="We build ground surveillance radars and thermal optics for air defence; "
                            "licensed 7.62mm barrels, C++ fire-control code, see radar.example.com.")  # fmt: skip
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
        ("\\ '\\'", []),
        ("7.62mm", ["fr-radar"]),  # words as PostgreSQL's parser splits them: calibres, hosts, C++
        ("7.62", ["fr-radar"]),
        ("radar.example.com", ["fr-radar"]),
        ("c++ fire", ["fr-radar"]),
    ],
)
def test_search_by_name_part_or_description_words(registry, bob_client, term, refs):
    assert _refs(bob_client, term) == refs


@pytest.mark.parametrize(
    ("term", "rule"), [("x" * 201, "at most 200 characters"), (" ".join(["drone"] * 11), "at most 10 words")]
)
def test_an_overlong_search_is_a_400_naming_the_field_and_the_rule(registry, bob_client, term, rule):
    response = bob_client.get("/api/v1/firms/", {"search": term})
    assert response.status_code == 400
    error = response.json()["error"]
    assert list(error["fields"]) == ["search"]
    assert rule in " ".join(error["fields"]["search"]).lower().replace("ensure this value has ", "at most ")


def test_the_search_works_inside_a_subquery(registry):
    from registry.api.filters import FirmFilter

    matches = FirmFilter({"search": "surveil"}, queryset=Firm.objects.all()).qs.values("pk")
    assert list(Firm.objects.filter(pk__in=matches).values_list("ref", flat=True)) == ["fr-radar"]


def test_reviewers_search_pending_firms_too(registry, rita_client):
    assert _refs(rita_client, "radar") == ["fr-radar", "pl-hidden"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the stored tsvector column is PostgreSQL's")
def test_the_description_words_follow_every_edit(registry, bob_client):
    firm = Firm.objects.get(ref="fr-radar")
    Firm.objects.filter(pk=firm.pk).update(description="Now we only make hydrophones for naval drones.")
    assert _refs(bob_client, "hydrophone") == ["fr-radar"]
    assert _refs(bob_client, "surveillance") == []

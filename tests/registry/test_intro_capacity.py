"""A firm's own "introductions at once" and the ministry's override: the rule, the format, the API."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from registry.exchange import firm_document_problems
from registry.models import Capability, Firm, FirmRevision
from registry.selectors import firm_intro_capacity
from tests.factories import FirmCapabilityFactory, FirmFactory
from tests.registry.test_api_firms import _payload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("own", "override", "expected"),
    [(None, None, None), (4, None, 4), (None, 12, 12), (4, 12, 12), (4, 0, 0), (0, None, 0)],
)
def test_the_ministry_override_wins_then_the_firms_own_value_then_none(own, override, expected):
    firm = FirmFactory(intro_capacity=own, intro_capacity_override=override)
    assert firm_intro_capacity(firm=firm) == expected


def test_the_database_refuses_more_than_50():
    firm = FirmFactory()
    for field in ("intro_capacity", "intro_capacity_override"):
        with pytest.raises(IntegrityError), transaction.atomic():
            Firm.objects.filter(pk=firm.pk).update(**{field: 51})
    firm.intro_capacity = 51
    with pytest.raises(ValidationError) as error:
        firm.full_clean()
    assert "intro_capacity" in error.value.message_dict


def _problems(**changes):
    codes = set(Capability.objects.values_list("code", flat=True))
    return firm_document_problems(_payload(**changes), capability_codes=codes)


@pytest.mark.parametrize("value", [-1, 51, 2.5, "3", True])
def test_the_exchange_format_names_intro_capacity_and_its_rule(value):
    problems = [p for p in _problems(intro_capacity=value)[1] if p[0] == "intro_capacity"]
    assert problems == [("intro_capacity", "must be a whole number from 0 to 50")]


@pytest.mark.parametrize("value", [None, 0, 1, 50])
def test_the_exchange_format_takes_intro_capacity_from_0_to_50(value):
    clean, problems = _problems(intro_capacity=value)
    assert problems == [] and clean["intro_capacity"] == value


def test_the_exchange_format_refuses_the_override_by_name():
    problems = _problems(intro_capacity_override=3)[1]
    assert ("intro_capacity_override", "is read-only and cannot be set") in problems


@pytest.fixture
def firms(firm_a, firm_b, alice, alice_editor, alice_viewer, bob, rita, adam):
    FirmCapabilityFactory(firm=firm_a, capability=Capability.objects.get(code="uav.fixed_wing_isr"))
    return firm_a, firm_b


def test_the_owner_sets_intro_capacity_and_sees_the_override_read_only(firms, alice_client):
    firm_a = firms[0]
    response = alice_client.patch(f"/api/v1/firms/{firm_a.pk}/", {"intro_capacity": 2}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["intro_capacity"] == 2 and response.json()["intro_capacity_override"] is None
    firm_a.refresh_from_db()
    assert firm_a.intro_capacity == 2


def test_the_owner_cannot_set_the_override(firms, alice_client):
    firm_a = firms[0]
    response = alice_client.patch(f"/api/v1/firms/{firm_a.pk}/", {"intro_capacity_override": 40}, format="json")
    assert response.status_code == 400
    assert "intro_capacity_override" in response.json()["error"]["fields"]
    response = alice_client.post(f"/api/v1/firms/{firm_a.pk}/capacity-override/", {"value": 40}, format="json")
    assert response.status_code == 403
    firm_a.refresh_from_db()
    assert firm_a.intro_capacity_override is None


def test_an_api_intro_capacity_over_50_names_the_field(firms, alice_client):
    response = alice_client.patch(f"/api/v1/firms/{firms[0].pk}/", {"intro_capacity": 51}, format="json")
    assert response.status_code == 400
    assert "intro_capacity" in response.json()["error"]["fields"]


def test_an_outsider_cannot_set_either(firms, bob_client):
    firm_a = firms[0]
    assert bob_client.patch(f"/api/v1/firms/{firm_a.pk}/", {"intro_capacity": 1}, format="json").status_code == 403
    response = bob_client.post(f"/api/v1/firms/{firm_a.pk}/capacity-override/", {"value": 1}, format="json")
    assert response.status_code == 403


def test_a_reviewer_sets_and_clears_the_override_kept_in_history(firms, rita_client, rita):
    firm_a = firms[0]
    url = f"/api/v1/firms/{firm_a.pk}/capacity-override/"
    response = rita_client.post(url, {"value": 15, "note": "State holding"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["intro_capacity_override"] == 15
    revision = FirmRevision.objects.filter(firm=firm_a, source="capacity").latest("id")
    assert revision.changes == {"intro_capacity_override": {"old": None, "new": 15}}
    assert revision.changed_by == rita and revision.note == "State holding"
    assert rita_client.post(url, {"value": None}, format="json").json()["intro_capacity_override"] is None
    firm_a.refresh_from_db()
    assert firm_a.intro_capacity_override is None


@pytest.mark.parametrize("value", [-1, 51, "many"])
def test_a_bad_override_names_value(firms, rita_client, value):
    response = rita_client.post(f"/api/v1/firms/{firms[0].pk}/capacity-override/", {"value": value}, format="json")
    assert response.status_code == 400
    assert "value" in response.json()["error"]["fields"]

"""A verified firm cannot become another firm (security review, issue 11 section 3).

registry/services.py: a change of name, country, EDRPOU, LEI or NCAGE sends a verified firm back
to pending with a revision of old and new values, withdraws its open proposals and screens it
again; the verification queue shows what changed. Other edits keep it verified.
"""

import copy
import json
from pathlib import Path

import pytest
from django.urls import reverse

from core.models import OutboxMessage
from matching.models import Proposal
from registry.models import Capability, Firm, FirmRevision
from registry.services import REMATCH_TASK, firm_update, firms_import
from review.services import workflow as review
from tests.factories import FirmCapabilityFactory, FirmFactory, ProposalFactory

S = Proposal.Status
SCREEN_TASKS = {"compliance.tasks.screen_firm_task", "compliance.tasks.screen_firms_task"}
SAMPLE = Path(__file__).parent / "data" / "sample-firms.json"


@pytest.fixture(autouse=True)
def _complete_profiles(request):
    """Firms A and B with an offer each: a valid profile to edit."""
    for name, code in (("firm_a", "uav.fixed_wing_isr"), ("firm_b", "sensors.optics_thermal")):
        if name in request.fixturenames:
            firm = request.getfixturevalue(name)
            FirmCapabilityFactory(firm=firm, capability=Capability.objects.get(code=code))


def _url(firm) -> str:
    return f"/api/v1/firms/{firm.pk}/"


@pytest.fixture
def open_proposals(firm_a, firm_b, rita):
    """An approved and a proposed proposal of firm A, and a connected one that must stay."""
    approved = review.proposal_approve(proposal=ProposalFactory(ukrainian=firm_a, partner=firm_b), reviewer=rita)
    proposed = ProposalFactory(ukrainian=firm_a, partner=FirmFactory(ref="de-two", partner=True))
    connected = ProposalFactory(ukrainian=firm_a, partner=FirmFactory(ref="de-three", partner=True), status=S.CONNECTED)
    return approved, proposed, connected


def _tasks() -> set[str]:
    return set(OutboxMessage.objects.values_list("task", flat=True))


@pytest.mark.parametrize(
    ("payload", "field", "old", "new"),
    [
        ({"name": "Totally Different Arms LLC"}, "name", "SkyForge Robotics LLC", "Totally Different Arms LLC"),
        ({"country": "PL", "edrpou": ""}, "country", "UA", "PL"),
        ({"edrpou": "14352659"}, "edrpou", "32855961", "14352659"),
        ({"lei": "5493001KJTIIGC8Y1R12"}, "lei", None, "5493001KJTIIGC8Y1R12"),
        ({"ncage": "U1234"}, "ncage", None, "U1234"),
    ],
    ids=["name", "country", "edrpou", "lei", "ncage"],
)
def test_an_identity_change_sends_a_verified_firm_back_to_pending(
    alice_client, alice, firm_a, open_proposals, payload, field, old, new
):
    OutboxMessage.objects.all().delete()
    response = alice_client.patch(_url(firm_a), payload, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "pending"
    firm_a.refresh_from_db()
    assert firm_a.status == Firm.Status.PENDING and firm_a.status_changed_by is None

    revision = FirmRevision.objects.filter(firm=firm_a).latest("id")
    assert revision.changed_by == alice and field in revision.changed_fields and "status" in revision.changed_fields
    assert revision.changes[field] == {"old": old, "new": new}
    assert revision.changes["status"] == {"old": "verified", "new": "pending"}
    assert revision.note == "" and revision.note_code == "identity_changed"
    assert field in revision.note_params["fields"]

    approved, proposed, connected = open_proposals
    for proposal in (approved, proposed):
        proposal.refresh_from_db()
        assert proposal.status == S.WITHDRAWN
        event = proposal.events.last()
        assert event.to_status == S.WITHDRAWN and event.actor_role == "system"
        assert event.data["reason"] == "identity_changed" and field in event.data["fields"]
        assert event.data["revision"] == revision.pk
    connected.refresh_from_db()
    assert connected.status == S.CONNECTED

    assert _tasks() & SCREEN_TASKS, "screened again"
    assert REMATCH_TASK not in _tasks(), "a pending firm gets no proposals until a reviewer verifies it"


def test_a_partner_that_becomes_ukrainian_goes_back_to_pending(bob_client, firm_b):
    response = bob_client.patch(_url(firm_b), {"country": "UA", "edrpou": "14352659"}, format="json")
    assert response.status_code == 200, response.json()
    firm_b.refresh_from_db()
    assert (firm_b.status, firm_b.side) == (Firm.Status.PENDING, "ua")


def test_a_description_change_keeps_the_firm_verified_and_records_old_and_new(alice_client, firm_a, open_proposals):
    old_description = firm_a.description
    new_description = "Builds fixed-wing reconnaissance drones and trains their crews in Lviv."
    response = alice_client.patch(_url(firm_a), {"description": new_description}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "verified"
    firm_a.refresh_from_db()
    assert firm_a.status == Firm.Status.VERIFIED
    revision = FirmRevision.objects.filter(firm=firm_a).latest("id")
    assert revision.changed_fields == ["description"]
    assert revision.changes == {"description": {"old": old_description, "new": new_description}}
    assert [p.status for p in Proposal.objects.filter(pk__in=[p.pk for p in open_proposals]).order_by("pk")] == [
        S.APPROVED,
        S.PROPOSED,
        S.CONNECTED,
    ]
    assert REMATCH_TASK in _tasks() and not _tasks() & SCREEN_TASKS


def test_a_pending_firm_stays_pending_and_a_suspended_one_suspended(alice, firm_a, rita):
    Firm.objects.filter(pk=firm_a.pk).update(status=Firm.Status.SUSPENDED)
    firm_update(firm=firm_a, user=alice, data={"name": "Renamed While Suspended LLC"}, partial=True)
    assert Firm.objects.get(pk=firm_a.pk).status == Firm.Status.SUSPENDED


def test_the_history_shows_the_identity_change_to_the_firm(alice_client, firm_a):
    alice_client.patch(_url(firm_a), {"name": "Totally Different Arms LLC"}, format="json")
    history = alice_client.get(_url(firm_a) + "history/").json()["results"]
    assert history[0]["changed_fields"] == ["name", "status"]
    assert history[0]["changes"]["name"] == {"old": "SkyForge Robotics LLC", "new": "Totally Different Arms LLC"}
    assert history[0]["changes"]["status"] == {"old": "verified", "new": "pending"}


def test_the_web_profile_form_goes_through_the_same_rule(alice, client, firm_a):
    from tests.web.test_firm_pages import _profile

    client.force_login(alice)
    response = client.post(reverse("web:firm_edit", args=[firm_a.pk]), _profile(name="Totally Different Arms LLC"))
    assert response.status_code == 302
    assert Firm.objects.get(pk=firm_a.pk).status == Firm.Status.PENDING


def test_the_verification_queue_shows_what_changed_in_both_languages(alice_client, firm_a, rita, client):
    alice_client.patch(_url(firm_a), {"name": "Totally Different Arms LLC"}, format="json")
    client.force_login(rita)
    for language, label, field in (
        ("en", "Identity changed, re-verify", "Legal name"),
        ("uk", "Змінено реквізити", "Юридична назва"),
    ):
        response = client.get(reverse("web:review_firms"), HTTP_ACCEPT_LANGUAGE=language)
        page = response.content.decode()
        assert response.status_code == 200
        assert label in page
        assert f"{field} SkyForge Robotics LLC → Totally Different Arms LLC" in page


def test_an_import_that_changes_a_verified_firms_identity_sends_it_to_pending(db, rita):
    sample = json.loads(SAMPLE.read_text(encoding="utf-8"))
    firms_import(document=sample)
    doc = copy.deepcopy(sample)
    first = doc["firms"][0]
    firm = Firm.objects.get(ref=first["ref"])
    other = FirmFactory(ref="other-side", partner=not firm.is_ukrainian)
    pair = {"ukrainian": firm, "partner": other} if firm.is_ukrainian else {"ukrainian": other, "partner": firm}
    proposal = ProposalFactory(**pair)
    unchanged_ref = doc["firms"][1]["ref"]
    first["name"] = "Renamed By Import Ltd"
    doc["firms"][1]["description"] = doc["firms"][1]["description"] + " Now also repairs radars."

    result = firms_import(document=doc, user=rita)

    firm.refresh_from_db()
    assert firm.status == Firm.Status.PENDING
    assert firm.pk not in result.rematched
    revision = FirmRevision.objects.filter(firm=firm).latest("id")
    assert revision.changes["name"]["new"] == "Renamed By Import Ltd" and revision.changes["status"]["new"] == "pending"
    proposal.refresh_from_db()
    assert proposal.status == S.WITHDRAWN
    assert Firm.objects.get(ref=unchanged_ref).status == Firm.Status.VERIFIED

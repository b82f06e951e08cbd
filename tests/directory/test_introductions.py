"""Introduction requests: POST /api/v1/directory/{id}/introductions/ and what follows in the workflow."""

from datetime import timedelta

import pytest
from django.test.utils import override_settings
from django.utils import timezone

from matching.models import Notification, Proposal, ProposalEvent
from review.services import workflow
from tests.factories import FirmFactory, MembershipFactory, ProposalFactory, UserFactory

MESSAGE = "We produce 155 mm shells under licence and seek a Ukrainian co-production partner."


def url(firm) -> str:
    return f"/api/v1/directory/{firm.pk}/introductions/"


def test_a_partner_owner_asks_and_gets_a_scored_requested_proposal_for_review(bob_client, bob, market, firm_b):
    arsenal = market["arsenal"]
    response = bob_client.post(url(arsenal), {"message": MESSAGE}, format="json")
    assert response.status_code == 201, response.content
    proposal = Proposal.objects.get(pk=response.json()["id"])
    assert (proposal.ukrainian, proposal.partner, proposal.status) == (arsenal, firm_b, "proposed")
    assert proposal.origin == "requested" and proposal.requested_by_firm == firm_b and proposal.requested_by == bob
    assert proposal.request_message == MESSAGE
    assert proposal.score > 0 and proposal.components["complementarity"] > 0
    assert proposal.reasons["en"] and proposal.reasons["uk"]
    event = proposal.events.get()
    assert (event.to_status, event.data, event.actor, event.firm) == ("proposed", {"action": "request"}, bob, firm_b)


@pytest.mark.parametrize(
    ("message", "rule"), [("", "between 20 and 1,000"), ("Too short", "(now 9)"), ("x" * 1001, "(now 1001)")]
)
def test_the_message_must_be_20_to_1000_characters_and_the_error_says_so(bob_client, market, message, rule):
    response = bob_client.post(url(market["arsenal"]), {"message": message}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert rule in error["fields"]["message"][0]
    assert not Proposal.objects.exists()


@pytest.mark.parametrize(("message", "code"), [("", "required"), ("x" * 1001, "length"), (" " * 30 + "x" * 1000, None)])
def test_the_schema_states_the_message_rule_the_server_enforces(bob_client, market, message, code):
    """maxLength 1,000 (it said 2,000: the field's own bound, far above the service's rule), minLength 20,
    and the codes the service answers with, in the operation's description."""
    from tests.security.schema import api_schema, operations

    prop = api_schema()["components"]["schemas"]["IntroductionRequestInputRequest"]["properties"]["message"]
    text = next(p for p in prop["oneOf"] if p.get("maxLength") != 0)  # the other: "" (answered `required`)
    assert (text["minLength"], text["maxLength"]) == (20, 1000)
    description = operations()[("POST", "/api/v1/directory/{id}/introductions/")]["description"]
    assert "`required`" in description and "`length`" in description
    response = bob_client.post(url(market["arsenal"]), {"message": message}, format="json")
    if code is None:  # surrounding spaces are not counted
        assert response.status_code == 201, response.content
    else:
        assert response.status_code == 400 and response.json()["error"]["code"] == code


def test_the_message_error_is_in_ukrainian_for_a_ukrainian_request(bob_client, market):
    response = bob_client.post(url(market["arsenal"]), {"message": "коротко"}, format="json", HTTP_ACCEPT_LANGUAGE="uk")
    assert response.status_code == 400
    assert "від 20 до 1\u00a0000 символів" in response.json()["error"]["fields"]["message"][0]


def test_viewers_reviewers_and_unverified_members_cannot_ask(alice_viewer_client, rita_client, market, firm_b):
    from tests.conftest import _client_for

    assert alice_viewer_client.post(url(firm_b), {"message": MESSAGE}, format="json").status_code == 403
    assert rita_client.post(url(firm_b), {"message": MESSAGE}, format="json").status_code == 403
    assert _client_for(market["stranger"]).post(url(firm_b), {"message": MESSAGE}, format="json").status_code == 403
    assert not Proposal.objects.exists()


def test_a_firm_on_the_same_side_cannot_be_asked(alice_client, market):
    response = alice_client.post(url(market["arsenal"]), {"message": MESSAGE}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "same_side"


def test_an_unlisted_firm_cannot_be_asked(bob_client, market):
    for key in ("pending", "suspended", "flagged", "owned"):
        assert bob_client.post(url(market[key]), {"message": MESSAGE}, format="json").status_code == 404


@override_settings(DIRECTORY={"MAX_OPEN_REQUESTS": 2, "REQUEST_COOLDOWN_DAYS": 90})
def test_a_firm_has_at_most_n_open_requests(bob_client, market, firm_a):
    third = FirmFactory(ref="ua-third", name="Third LLC")
    assert bob_client.post(url(firm_a), {"message": MESSAGE}, format="json").status_code == 201
    assert bob_client.post(url(market["arsenal"]), {"message": MESSAGE}, format="json").status_code == 201
    response = bob_client.post(url(third), {"message": MESSAGE}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "too_many_requests"


def test_no_repeat_request_within_the_cooldown_after_a_rejection(bob_client, rita, market):
    arsenal = market["arsenal"]
    pk = bob_client.post(url(arsenal), {"message": MESSAGE}, format="json").json()["id"]
    workflow.proposal_reject(proposal=pk, reviewer=rita, reason="Not now")
    response = bob_client.post(url(arsenal), {"message": MESSAGE}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "cooling_down"
    Proposal.objects.filter(pk=pk).update(status_changed_at=timezone.now() - timedelta(days=91))
    again = bob_client.post(url(arsenal), {"message": MESSAGE + " Again."}, format="json")
    assert again.status_code == 201 and again.json()["id"] == pk  # the pair's one row, asked for again
    proposal = Proposal.objects.get(pk=pk)
    assert (proposal.status, proposal.request_message) == ("proposed", MESSAGE + " Again.")
    assert list(proposal.events.values_list("from_status", "to_status")) == [
        ("", "proposed"),
        ("proposed", "rejected"),
        ("rejected", "proposed"),
    ]


def test_a_pair_already_under_review_is_not_asked_for_twice(bob_client, market, firm_b):
    ProposalFactory(ukrainian=market["arsenal"], partner=firm_b, status="approved")
    response = bob_client.post(url(market["arsenal"]), {"message": MESSAGE}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "already_introduced"


def test_requests_count_against_the_targets_capacity(bob_client, market, firm_b):
    arsenal = market["arsenal"]
    arsenal.intro_capacity = 1
    arsenal.save()
    other = FirmFactory(ref="pl-other", name="Other Sp. z o.o.", partner=True, country="PL")
    ProposalFactory(ukrainian=arsenal, partner=other, status="approved")
    response = bob_client.post(url(arsenal), {"message": MESSAGE}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "target_at_capacity"


def test_after_approval_only_the_other_firm_accepts_and_both_see_contacts(bob_client, bob, rita, market):
    arsenal = market["arsenal"]
    olena = UserFactory(username="olena", language="uk")
    MembershipFactory(user=olena, firm=arsenal, role="owner")
    pk = bob_client.post(url(arsenal), {"message": MESSAGE}, format="json").json()["id"]
    workflow.proposal_approve(proposal=pk, reviewer=rita)
    proposal = Proposal.objects.get(pk=pk)
    assert proposal.status == "approved" and proposal.partner_accepted_at is not None
    implied = proposal.events.get(data__implied=True)
    assert (implied.firm, implied.data["action"]) == (proposal.partner, "accept")
    # The target is told, in its language, that the requester accepted.
    told = Notification.objects.get(user=olena, kind="accepted")
    assert "прийня" in told.title.lower() or "прийня" in told.body.lower()
    workflow.proposal_accept(proposal=pk, user=olena)
    proposal.refresh_from_db()
    assert proposal.status == "connected"
    detail = bob_client.get(f"/api/v1/proposals/{pk}/").json()
    assert arsenal.contact_email in str(detail)


def test_a_decline_reason_stays_private_to_the_declining_firm(bob_client, rita, market):
    arsenal = market["arsenal"]
    olena = UserFactory(username="olena")
    MembershipFactory(user=olena, firm=arsenal, role="owner")
    pk = bob_client.post(url(arsenal), {"message": MESSAGE}, format="json").json()["id"]
    workflow.proposal_approve(proposal=pk, reviewer=rita)
    workflow.proposal_decline(proposal=pk, user=olena, reason="Our line is fully booked until 2027")
    assert "fully booked" not in bob_client.get(f"/api/v1/proposals/{pk}/").content.decode()
    assert "fully booked" not in bob_client.get(f"/api/v1/proposals/{pk}/events/").content.decode()


def test_requested_proposals_are_in_the_reviewers_queue_with_the_message(bob_client, rita_client, market):
    pk = bob_client.post(url(market["arsenal"]), {"message": MESSAGE}, format="json").json()["id"]
    queue = rita_client.get("/api/v1/proposals/", {"status": "proposed"}).json()["results"]
    assert [p["id"] for p in queue] == [pk]
    assert queue[0]["origin"] == "requested" and queue[0]["request_message"] == MESSAGE
    assert rita_client.get(f"/api/v1/proposals/{pk}/").json()["origin"] == "requested"
    assert ProposalEvent.objects.filter(proposal_id=pk, data__action="request").exists()


def test_a_rematch_of_the_requester_keeps_its_requested_proposal_under_review(bob_client, market, firm_b):
    from matching.services.rematch import rematch_firm

    # A Ukrainian firm the algorithm would not pick for B: nothing in common but the wish to meet.
    bakery = FirmFactory(ref="ua-bakery", name="Пекарня ТОВ", description="Хліб і булки.")
    pk = bob_client.post(url(bakery), {"message": MESSAGE}, format="json").json()["id"]
    rematch_firm(firm_id=firm_b.pk)
    assert Proposal.objects.get(pk=pk).status == "proposed"
    rematch_firm(firm_id=bakery.pk)
    assert Proposal.objects.get(pk=pk).status == "proposed"


def test_a_full_run_leaves_a_request_under_review_alone_and_counts_it_against_capacity(
    bob_client, market, firm_b, django_capture_on_commit_callbacks
):
    from matching.features import features_load
    from matching.services.runs import match_params, match_run_execute, match_run_start
    from matching.services.selection import firm_capacities

    bakery = FirmFactory(ref="ua-bakery", name="Пекарня ТОВ", description="Хліб і булки.")
    pk = bob_client.post(url(bakery), {"message": MESSAGE}, format="json").json()["id"]
    features = features_load()
    before = firm_capacities(features=features, params=match_params())
    Proposal.objects.filter(pk=pk).update(status="superseded")  # what the capacity would be without the request
    without = firm_capacities(features=features, params=match_params())
    Proposal.objects.filter(pk=pk).update(status="proposed")
    row = features.partner_rows([firm_b.pk])[0]
    assert before[1][row] == without[1][row] - 1
    run = match_run_start(enqueue=False)
    match_run_execute(run_id=run.pk)
    proposal = Proposal.objects.get(pk=pk)
    assert proposal.status == "proposed" and proposal.origin == "requested" and proposal.request_message


def test_reviewers_hear_of_a_request_in_their_daily_digest_in_their_language(bob_client, rita, market):
    from review.services.notifications import reviewer_digest_send

    rita.language = "uk"
    rita.save()
    bob_client.post(url(market["arsenal"]), {"message": MESSAGE}, format="json")
    assert reviewer_digest_send() == 1
    digest = Notification.objects.get(user=rita, kind="digest")
    assert "1" in digest.title and "розгляд" in (digest.title + digest.body).lower()

"""The events API end to end (in-process tasks): who does what, error shapes, query counts."""

from __future__ import annotations

import pytest

from events.models import Event, Participation
from tests.events.helpers import DAY, accepted, make_event, register
from tests.factories import FirmFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
V1 = "/api/v1"
EVENT = {
    "name_en": "Kyiv Forum",
    "name_uk": "Київський форум",
    "venue": "Kyiv",
    "days": [DAY],
    "blocks": [{"start": "09:00", "end": "11:00"}],
    "tables": [{"number": 1}, {"number": 2}],
}


def test_the_whole_flow_through_the_api(
    rita_client, alice_client, bob_client, alice, bob, firm_a, firm_b, django_capture_on_commit_callbacks
):
    event = rita_client.post(f"{V1}/events/", EVENT, format="json").json()
    assert event["status"] == "draft"
    assert alice_client.get(f"{V1}/events/{event['id']}/").status_code == 404  # drafts are the organisers'
    assert (
        rita_client.post(f"{V1}/events/{event['id']}/status/", {"to_status": "open"}, format="json").status_code == 200
    )
    pa = alice_client.post(
        f"{V1}/events/{event['id']}/participations/", {"firm": firm_a.pk, "attendees": [alice.pk]}, format="json"
    ).json()
    pb = bob_client.post(
        f"{V1}/events/{event['id']}/participations/",
        {"firm": firm_b.pk, "attendees": [bob.pk], "blocked_slots": [0]},
        format="json",
    ).json()
    sent = alice_client.post(
        f"{V1}/participations/{pa['id']}/requests/",
        {"receiver": pb["id"], "reason": "Optics", "priority": 1},
        format="json",
    )
    assert sent.status_code == 201, sent.json()
    assert (
        bob_client.post(f"{V1}/meeting-requests/{sent.json()['id']}/accept/", {}, format="json").json()["status"]
        == "accepted"
    )
    rita_client.post(f"{V1}/events/{event['id']}/status/", {"to_status": "scheduling"}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        run = rita_client.post(f"{V1}/events/{event['id']}/schedule/", {"time_limit": 3}, format="json")
    assert run.status_code == 202
    progress = rita_client.get(f"{V1}/events/{event['id']}/schedule/").json()
    assert progress["status"] == "succeeded" and progress["meetings"] == 1 and progress["upper_bound"] == 1
    assert alice_client.get(f"{V1}/participations/{pa['id']}/agenda/").json() == []  # not yet published
    assert rita_client.post(f"{V1}/events/{event['id']}/publish/", {"final": True}, format="json").status_code == 200
    mine = alice_client.get(f"{V1}/participations/{pa['id']}/agenda/").json()
    theirs = bob_client.get(f"{V1}/participations/{pb['id']}/agenda/").json()
    assert len(mine) == 1 and (mine[0]["start"], mine[0]["table"]) == (theirs[0]["start"], theirs[0]["table"])
    assert mine[0]["counterpart"]["name"] == firm_b.name and theirs[0]["counterpart"]["name"] == firm_a.name
    assert mine[0]["slot"] != 0
    stats = rita_client.get(f"{V1}/events/{event['id']}/stats/").json()
    assert stats["meetings"] == 1 and stats["upper_bound"] == 1 and stats["by_country"] == {"DE": 1, "UA": 1}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"blocks": [{"start": "25:00", "end": "26:00"}]}, "blocks"),
        ({"blocks": [{"start": "9", "end": "10:00"}]}, "blocks"),
        ({"days": ["someday"]}, "days"),
        ({"tables": [{"number": "x"}]}, "tables"),
        ({"tables": "many"}, "tables"),
        ({"timezone": "Nowhere"}, "timezone"),
        ({"colour": "red"}, "colour"),
        ({"name_en": "\u202eevil"}, "name_en"),
    ],
)
def test_bad_event_input_is_a_400_naming_the_field(rita_client, body, field):
    response = rita_client.post(f"{V1}/events/", {**EVENT, **body}, format="json")
    assert response.status_code == 400, response.content
    assert any(key.startswith(field) for key in response.json()["error"]["fields"]), response.json()


def test_bad_participation_input_names_the_field(alice_client, alice, firm_a):
    event = make_event()
    response = alice_client.post(
        f"{V1}/events/{event.pk}/participations/",
        {"firm": firm_a.pk, "attendees": [alice.pk], "blocks": [7]},
        format="json",
    )
    assert response.status_code == 400 and "blocks" in response.json()["error"]["fields"]
    response = alice_client.post(
        f"{V1}/events/{event.pk}/participations/", {"firm": 999999, "attendees": [alice.pk]}, format="json"
    )
    assert response.status_code == 400 and "firm" in response.json()["error"]["fields"]


def _crowd(event, n):
    out = []
    for i in range(n):
        firm = FirmFactory(ref=f"crowd-{n}-{i}", name=f"Crowd {i}", country="PL", edrpou="")
        user = UserFactory(username=f"crowd{n}-{i}")
        MembershipFactory(user=user, firm=firm)
        out.append(register(event, firm, user))
    return out


@pytest.mark.parametrize("n", [3, 30])
def test_list_endpoints_read_a_fixed_number_of_queries(
    rita_client, alice_client, alice, firm_a, n, django_assert_max_num_queries
):
    event = make_event(status=Event.Status.PUBLISHED)
    pa = register(event, firm_a, alice)
    for other in _crowd(event, n):
        accepted(other, pa)
    with django_assert_max_num_queries(8):
        assert len(alice_client.get(f"{V1}/events/{event.pk}/participants/").json()["results"]) == n + 1
    with django_assert_max_num_queries(8):
        assert len(alice_client.get(f"{V1}/participations/{pa.pk}/requests/").json()["results"]) == n
    with django_assert_max_num_queries(8):
        assert alice_client.get(f"{V1}/events/").status_code == 200


def test_withdrawing_a_registration(alice_client, alice, firm_a):
    event = make_event()
    pa = register(event, firm_a, alice)
    assert alice_client.delete(f"{V1}/participations/{pa.pk}/").json()["status"] == "withdrawn"
    assert Participation.objects.get().status == "withdrawn"


@pytest.mark.parametrize("state", ["pending", "accepted", "declined", "cancelled"])
def test_a_meeting_request_in_each_state_matches_the_schema(
    alice_client, bob_client, alice, bob, firm_a, firm_b, state
):
    """The answer's `status` is one of MeetingRequestStatusEnum's values (it pointed at the meeting's enum)."""
    from events.models import MeetingRequest
    from tests.api.test_required_fields import check, components_of_the_schema

    event = make_event()
    pa, pb = register(event, firm_a, alice), register(event, firm_b, bob)
    MeetingRequest.objects.create(event=event, sender=pa, receiver=pb, reason="Optics", priority=1, status=state)
    body = alice_client.get(f"{V1}/participations/{pa.pk}/requests/").json()
    assert [r["status"] for r in body["results"]] == [state]
    check(components_of_the_schema(), "PaginatedMeetingRequestList", body, closed=True)


@pytest.mark.parametrize(
    "language, message",
    [
        ("en", '"published" is not a valid choice. Must be one of: draft, open, scheduling, closed.'),
        ("uk", '"published" не є коректним вибором. Має бути одним із: draft, open, scheduling, closed.'),
    ],
)
def test_a_status_outside_the_choices_lists_the_allowed_ones(rita_client, language, message):
    event = make_event()
    response = rita_client.post(
        f"{V1}/events/{event.pk}/status/", {"to_status": "published"}, format="json", HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"to_status": [message]}

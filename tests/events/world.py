"""Firm A's event objects for the security tests (tests/security/schema.py PATH_OBJECTS): made on first use.

A published event where firm A (alice, alice_viewer attending) and firm C (its counterpart, cora)
take part; C asked A for a meeting, A accepted, and it is scheduled at slot 0, table 1.
"""

from __future__ import annotations

from events.models import Event, Meeting, ScheduleRun
from tests.events.helpers import accepted, make_event, register
from tests.factories import MembershipFactory, UserFactory


def event_world(world) -> dict:
    if "event" not in world.extra:
        alice = world.firm_a.memberships.get(user__username="alice").user
        cora = UserFactory(username="cora")
        MembershipFactory(user=cora, firm=world.firm_c, role="owner")
        event = make_event(status=Event.Status.PUBLISHED)
        pa = register(event, world.firm_a, alice)
        pc = register(event, world.firm_c, cora)
        request = accepted(pc, pa)
        meeting = Meeting.objects.create(
            event=event, request=request, slot=0, table=0, published_slot=0, published_table=0
        )
        ScheduleRun.objects.create(event=event, status="succeeded", progress=1.0, meetings=1, upper_bound=1)
        world.extra.update(event=event, participation=pa, request=request, meeting=meeting, cora=cora)
    return world.extra


def set_event_status(status: str, *, withdraw_a: bool = False, request_status: str | None = None, drop_meeting=False):
    """A SETUP for the matrix: the event in `status` (and A's registration or C's request as needed)."""

    def setup(world):
        objects = event_world(world)
        Event.objects.filter(pk=objects["event"].pk).update(status=status)
        if withdraw_a:
            objects["participation"].status = "withdrawn"
            objects["participation"].save()
        if drop_meeting:
            Meeting.objects.filter(pk=objects["meeting"].pk).delete()
        if request_status:
            objects["request"].status = request_status
            objects["request"].save()

    return setup

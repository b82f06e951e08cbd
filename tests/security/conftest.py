"""The world the security tests probe: firm A's private objects and the personas around them.

Every object an operation's path can name is created here for firm A (Ukrainian, alice's),
so firm B's owner bob must get 404 on the private ones. A third firm C (partner) is A's
counterpart, so no proposal of A's involves bob's firm; firm D (Ukrainian) is B's.
"""

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.models import Membership
from matching.models import MatchRun, Notification, Proposal, ProposalEvent
from registry.models import Capability, Firm
from tests.factories import FirmCapabilityFactory, FirmFactory, MembershipFactory, ProposalFactory, UserFactory

# Strings that only firm A's members, reviewers and admins may ever read.
A_CONTACT_EMAIL = "secret-contact@skyforge.example"
A_CONTACT_PHONE = "+380441112233"
REVIEWER_NOTE = "Reviewer-only note: check the export licence first"
PENDING_FIRM_NAME = "Pending Stranger Firm LLC"

# Persona key -> fixture name (tests/conftest.py).
PERSONA_FIXTURES = {
    "anon": "anon",
    "viewer": "alice_viewer_client",
    "editor": "alice_editor_client",
    "owner": "alice_client",
    "outsider": "bob_client",
    "token": "alice_token",
    "reviewer": "rita_client",
    "admin": "adam_client",
}
PERSONAS = list(PERSONA_FIXTURES)


@dataclass
class World:
    firm_a: Firm
    firm_b: Firm
    firm_c: Firm
    firm_d: Firm
    pending_firm: Firm
    proposal_a: Proposal  # A <-> C, approved: private to A, C, reviewers
    proposal_b: Proposal  # D <-> B: private to B, D, reviewers
    run: MatchRun
    notification_a: Notification
    membership_other: Membership  # carol, a viewer of A
    alice_token_key: str
    capability: Capability | None
    extra: dict[str, Any] = field(default_factory=dict)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Seven personas each hash a password: PBKDF2 would make every test take seconds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db, firm_a, firm_b, alice, alice_editor, alice_viewer, bob, rita, adam) -> World:
    Firm.objects.filter(pk=firm_a.pk).update(contact_email=A_CONTACT_EMAIL, contact_phone=A_CONTACT_PHONE)
    firm_a.refresh_from_db()
    firm_c = FirmFactory(
        ref="fr-lumiere", name="Lumiere Optique SA", country="FR", edrpou="", contact_phone="+33140000000"
    )
    FirmCapabilityFactory(firm=firm_a, kind="seek", detail="Thermal optics for reconnaissance drones")
    FirmCapabilityFactory(firm=firm_c, kind="offer", detail="Thermal and night-vision optics")
    firm_d = FirmFactory(ref="ua-dnipro-armor", name="Dnipro Armor LLC", edrpou="00032945")
    stranger = UserFactory(username="stranger")
    # carol is a viewer of A whom the paths name, so nobody acts on their own membership.
    carol = UserFactory(username="carol")
    MembershipFactory(user=carol, firm=firm_a, role="viewer")
    pending = FirmFactory(ref="pl-pending", name=PENDING_FIRM_NAME, country="PL", edrpou="", status=Firm.Status.PENDING)
    MembershipFactory(user=stranger, firm=pending, role="owner")

    proposal_a = ProposalFactory(ukrainian=firm_a, partner=firm_c, score=0.81, status=Proposal.Status.APPROVED)
    ProposalEvent.objects.create(
        proposal=proposal_a,
        actor=rita,
        actor_role="reviewer",
        from_status="proposed",
        to_status="approved",
        note=REVIEWER_NOTE,
    )
    proposal_b = ProposalFactory(ukrainian=firm_d, partner=firm_b, score=0.77)
    run = MatchRun.objects.create(status=MatchRun.Status.SUCCEEDED, created_by=rita, finished_at=timezone.now())
    notification_a = Notification.objects.create(
        user=alice, kind="approved", proposal=proposal_a, title="Proposal approved", idempotency_key="sec-alice-1"
    )
    token, _ = AuthToken.objects.create(alice)
    return World(
        firm_a=firm_a,
        firm_b=firm_b,
        firm_c=firm_c,
        firm_d=firm_d,
        pending_firm=pending,
        proposal_a=proposal_a,
        proposal_b=proposal_b,
        run=run,
        notification_a=notification_a,
        membership_other=Membership.objects.get(user=carol, firm=firm_a),
        alice_token_key=token.token_key,
        capability=Capability.objects.order_by("code").first(),
    )


@pytest.fixture
def persona_client(request, world) -> APIClient:
    """Indirect: `@pytest.mark.parametrize("persona_client", PERSONAS, indirect=True)`."""
    return request.getfixturevalue(PERSONA_FIXTURES[request.param])


def client_for(request, persona: str) -> APIClient:
    return request.getfixturevalue(PERSONA_FIXTURES[persona])

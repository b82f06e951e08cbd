"""The OpenAPI operations of the live URL conf, and their paths filled with firm A's objects."""

import re
from functools import cache

from drf_spectacular.generators import SchemaGenerator

METHODS = ("get", "post", "put", "patch", "delete")


@cache
def api_schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def operations() -> dict[tuple[str, str], dict]:
    """(METHOD, path template) -> OpenAPI operation, for every operation the schema documents."""
    ops = {}
    for path, item in api_schema()["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                ops[(method.upper(), path)] = operation
    return ops


# The collection a path parameter belongs to (the segment before it) -> the object of firm A's it names.
PATH_OBJECTS = {
    "firms": lambda w: w.firm_a.pk,
    "members": lambda w: w.membership_other.pk,
    "invitations": lambda w: _open_invitation(w).pk,
    "tokens": lambda w: w.alice_token_key,
    "proposals": lambda w: w.proposal_a.pk,
    "notifications": lambda w: w.notification_a.pk,
    "match-runs": lambda w: w.run.pk,
    "runs": lambda w: w.run.pk,
    "capabilities": lambda w: w.capability.code,
    "screenings": lambda w: w.firm_a.pk,
    "screening": lambda w: w.firm_a.pk,
    "beneficial-owners": lambda w: w.extra["beneficial_owner"].pk,
    # Events (issue 18): a published event with firms A and C taking part (tests/events/world.py).
    "events": lambda w: _event_world(w)["event"].pk,
    "participations": lambda w: _event_world(w)["participation"].pk,
    "meeting-requests": lambda w: _event_world(w)["request"].pk,
    "meetings": lambda w: _event_world(w)["meeting"].pk,
    "directory": lambda w: w.firm_a.pk,
    "saved-searches": lambda w: _saved_search(w).pk,
    "webhooks": lambda w: _webhook_delivery(w).endpoint_id,
    "deliveries": lambda w: _webhook_delivery(w).pk,
    "service-accounts": lambda w: _service_account(w).pk,
    "owners": lambda w: _beneficial_owner(w).pk,
    "platforms": lambda w: platform_code(),
}

# Parameters filled by their name wherever they are (issue 16: one capability or platform of a firm).
NAMED_PARAMS = {
    "kind": lambda w: "offer",
    "capability": lambda w: w.capability.code,
    "role": lambda w: "repairs",
}


def _beneficial_owner(world):
    """A declared owner of firm A's (made on first use)."""
    if "declared_owner" not in world.extra:
        from registry.models import BeneficialOwner

        world.extra["declared_owner"] = BeneficialOwner.objects.create(
            firm=world.firm_a, name="Olena Koval", country="UA", share_percent=40
        )
    return world.extra["declared_owner"]


def platform_code() -> str:
    from registry.models import Platform

    return Platform.objects.order_by("code").values_list("code", flat=True).first()


def _service_account(world):
    """A service account of firm A, made by alice on first use (like the invitation)."""
    if "service_account" not in world.extra:
        from accounts.services import service_account_create

        owner = world.firm_a.memberships.get(user__username="alice").user
        world.extra["service_account"], _ = service_account_create(
            firm=world.firm_a, actor=owner, name="ERP", scopes=["proposals:read"]
        )
    return world.extra["service_account"]


def _event_world(world):
    from tests.events.world import event_world

    return event_world(world)


def _saved_search(world):
    """alice's saved directory search (made on first use, like the invitation)."""
    if "saved_search" not in world.extra:
        from directory.models import SavedSearch

        owner = world.firm_a.memberships.get(user__username="alice").user
        world.extra["saved_search"] = SavedSearch.objects.create(user=owner, name="Optics", query={"search": "optics"})
    return world.extra["saved_search"]


def _webhook_delivery(world):
    """A webhook endpoint of firm A's with one failed delivery (made on first use)."""
    if "webhook_delivery" not in world.extra:
        from integrations.models import WebhookDelivery, WebhookEndpoint

        endpoint = WebhookEndpoint.objects.create(
            firm=world.firm_a,
            url="https://hooks.skyforge.example/alliance",
            event_types=["proposal.approved"],
            secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        )
        world.extra["webhook_delivery"] = WebhookDelivery.objects.create(
            endpoint=endpoint,
            msg_id="msg_sec_1",
            event_type="proposal.approved",
            dedupe_key="sec:1",
            payload={},
            status="failed",
        )
    return world.extra["webhook_delivery"]


def _open_invitation(world):
    """An open invitation of firm A's (made on first use, so the world fixture stays as it is)."""
    if "invitation" not in world.extra:
        from accounts.services import invitation_create

        owner = world.firm_a.memberships.get(user__username="alice").user
        world.extra["invitation"] = invitation_create(
            firm=world.firm_a, actor=owner, email="invited@example.org", role="viewer"
        )
    return world.extra["invitation"]


# A parameter that names a firm by reference rather than by id.
REF_PARAMS = {"ref", "firm_ref"}


def fill_path(template: str, world) -> str:
    """Replace each `{param}` with firm A's object of the collection that precedes it."""

    def replace(match: re.Match) -> str:
        name = match.group(1)
        before = template[: match.start()].rstrip("/").rsplit("/", 1)[-1]
        if name in REF_PARAMS:
            return world.firm_a.ref
        if name in NAMED_PARAMS:
            return str(NAMED_PARAMS[name](world))
        if before not in PATH_OBJECTS:
            raise AssertionError(
                f"tests/security/schema.py PATH_OBJECTS does not know which object of firm A fills "
                f"{{{name}}} after '{before}/' in {template}: add it."
            )
        return str(PATH_OBJECTS[before](world))

    return re.sub(r"\{(\w+)\}", replace, template)

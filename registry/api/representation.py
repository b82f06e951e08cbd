"""A firm as the API shows it to one caller (GET /api/v1/firms/{id}/), and the JSON its ETag is the hash
of: the firm endpoints render with it, and every edit of the firm that takes `If-Match` (its capability,
platform and owner sub-resources) compares with it."""

from __future__ import annotations

from typing import Any

from rest_framework.renderers import JSONRenderer

from registry.api.serializers import FirmSerializer
from registry.exchange import (
    firm_capabilities_prefetch,
    firm_capability_entries,
    firm_platform_entries,
    firm_platforms_prefetch,
)
from registry.models import Firm
from registry.selectors import firm_ids_contact_visible_to, firm_screening_visible_to, platform_names


def firm_representation(firms: list[Firm], *, user, many: bool, context: dict | None = None) -> Any:
    """The firms as `user` may see them: contacts of their own firms only, screening for reviewers."""
    ids = [f.pk for f in firms]
    platforms = firm_platform_entries(ids)
    context = {
        **(context or {}),
        "contact_visible_ids": firm_ids_contact_visible_to(firm_ids=ids, user=user),
        "capabilities": firm_capability_entries(ids),
        "platforms": platforms,
        "platform_names": platform_names(codes={e["platform"] for entries in platforms.values() for e in entries}),
        "screening_visible": firm_screening_visible_to(user=user),
    }
    if many:
        return FirmSerializer(firms, many=True, context=context).data
    return FirmSerializer(firms[0], context=context).data


def firm_reloaded(firm: Firm) -> Firm:
    """The firm as stored now (after an edit, or under its row lock), with what its rendering reads."""
    return Firm.objects.prefetch_related(firm_capabilities_prefetch(), firm_platforms_prefetch()).get(pk=firm.pk)


def firm_representation_json(firm: Firm, *, user) -> bytes:
    """GET /api/v1/firms/{id}/'s body for `user` now: what its ETag (`core.api.conditional.etag_of`) hashes."""
    return JSONRenderer().render(firm_representation([firm_reloaded(firm)], user=user, many=False))

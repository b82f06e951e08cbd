"""Declared beneficial owners: replacing them rescreens the firm's matching eligibility."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext

from compliance.services.screening import rematch_request
from core.errors import ApplicationError
from core.outbox import outbox_enqueue
from registry.models import BeneficialOwner, Firm
from registry.selectors import firm_blocking_owners

if TYPE_CHECKING:
    from accounts.models import User


SCREEN_FIRM_TASK = "compliance.tasks.screen_firm_task"


# --- Beneficial owners -----------------------------------------------------------------------------


def beneficial_owners_replace(*, firm: Firm, owners: Sequence[dict], user: User) -> list[BeneficialOwner]:
    """Replace the firm's declared owners (each above 10%) in one transaction."""
    total = sum(owner["share_percent"] for owner in owners)
    if total > 100:
        raise ApplicationError(
            gettext("owners: shares add up to more than 100%%.") % {},
            code="share_total",
            fields={"owners": [gettext("Shares add up to %(total)s%%, at most 100%% allowed.") % {"total": total}]},
        )
    with transaction.atomic():
        Firm.objects.select_for_update().filter(pk=firm.pk).first()
        was_blocked = firm_blocking_owners(firm=firm).exists()
        firm.beneficial_owners.all().delete()
        created = BeneficialOwner.objects.bulk_create(
            [
                BeneficialOwner(
                    firm=firm, name=owner["name"], country=owner["country"], share_percent=owner["share_percent"]
                )
                for owner in owners
            ]
        )
        if was_blocked != firm_blocking_owners(firm=firm).exists():
            rematch_request(firm_id=firm.pk)  # it enters or leaves matching
        # Owners' names are screened against the list's persons: screen the firm again after commit.
        outbox_enqueue(SCREEN_FIRM_TASK, firm_id=firm.pk)
    return created

"""Declared beneficial owners: replacing them rescreens the firm's matching eligibility.

Every change is kept in the firm's profile history as `owners` (old and new, by whom) and changes the
firm's ETag (`registry.services.firm_owners_change_record`). `precondition` (the API's If-Match,
core.api.conditional.if_match_check) runs once the firm's row is locked and refuses the change by raising."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext

from compliance.services.screening import rematch_request
from core.errors import ApplicationError
from core.outbox import outbox_enqueue
from registry.models import BeneficialOwner, Firm
from registry.selectors import firm_blocking_owners, firm_owner_lines
from registry.services import Precondition, firm_owners_change_record

if TYPE_CHECKING:
    from accounts.models import User


SCREEN_FIRM_TASK = "compliance.tasks.screen_firm_task"


# --- Beneficial owners -----------------------------------------------------------------------------


def _shares_checked(owners: Sequence[dict]) -> None:
    total = sum(owner["share_percent"] for owner in owners)
    if total > 100:
        raise ApplicationError(
            gettext("owners: shares add up to more than 100%%.") % {},
            code="share_total",
            fields={"owners": [gettext("Shares add up to %(total)s%%, at most 100%% allowed.") % {"total": total}]},
        )


def beneficial_owner_shares_check(*, owners: Sequence[dict]) -> None:
    """The owners' rule on shares, for callers that check before saving (the web form, in the same
    round as its other errors): ApplicationError `share_total` naming `owners` above 100% together."""
    _shares_checked(owners)


def _locked(firm: Firm, precondition: Precondition) -> list[str]:
    """Lock the firm's row until commit, check the caller's precondition; the owners before the change."""
    Firm.objects.select_for_update().filter(pk=firm.pk).first()
    if precondition is not None:
        precondition()
    return firm_owner_lines(firm=firm)


def _owners_changed(*, firm: Firm, was_blocked: bool) -> None:
    if was_blocked != firm_blocking_owners(firm=firm).exists():
        rematch_request(firm_id=firm.pk)  # it enters or leaves matching
    # Owners' names are screened against the list's persons: screen the firm again after commit.
    outbox_enqueue(SCREEN_FIRM_TASK, firm_id=firm.pk)


def beneficial_owners_replace(
    *, firm: Firm, owners: Sequence[dict], user: User, source: str = "api", precondition: Precondition = None
) -> list[BeneficialOwner]:
    """Replace the firm's declared owners (each above 10%) in one transaction."""
    _shares_checked(owners)
    with transaction.atomic():
        before = _locked(firm, precondition)
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
        _owners_changed(firm=firm, was_blocked=was_blocked)
        firm_owners_change_record(firm=firm, user=user, before=before, source=source)
    return created


@transaction.atomic
def beneficial_owner_add(
    *, firm: Firm, owner: dict, user: User, source: str = "api", precondition: Precondition = None
) -> tuple[BeneficialOwner, bool]:
    """Declare one more owner, or change the share of one already declared (same name and country): the
    rules of a replacement (shares, screening, rematch). Returns the owner and whether it is new."""
    before = _locked(firm, precondition)
    current = list(firm.beneficial_owners.all())
    same = next((o for o in current if (o.name, str(o.country)) == (owner["name"], str(owner["country"]))), None)
    _shares_checked([*({"share_percent": o.share_percent} for o in current if o is not same), owner])
    if same is not None and same.share_percent == owner["share_percent"]:
        return same, False
    was_blocked = firm_blocking_owners(firm=firm).exists()
    if same is None:
        same = BeneficialOwner.objects.create(
            firm=firm, name=owner["name"], country=owner["country"], share_percent=owner["share_percent"]
        )
        created = True
    else:
        same.share_percent = owner["share_percent"]
        same.save(update_fields=["share_percent"])
        created = False
    _owners_changed(firm=firm, was_blocked=was_blocked)
    firm_owners_change_record(firm=firm, user=user, before=before, source=source)
    return same, created


@transaction.atomic
def beneficial_owner_remove(
    *, firm: Firm, owner_id: int, user: User, source: str = "api", precondition: Precondition = None
) -> None:
    """Withdraw one declared owner; one not declared (any more) changes nothing (idempotent)."""
    before = _locked(firm, precondition)
    was_blocked = firm_blocking_owners(firm=firm).exists()
    deleted, _ = firm.beneficial_owners.filter(pk=owner_id).delete()
    if deleted:
        _owners_changed(firm=firm, was_blocked=was_blocked)
        firm_owners_change_record(firm=firm, user=user, before=before, source=source)

"""Reads of the firm registry."""

from django.db.models import Exists, OuterRef, QuerySet

from alliance.models import BeneficialOwner, Firm

BLOCKING_OWNER_COUNTRIES = ("RU", "BY")
BLOCKING_OWNER_SHARE = 10


def firm_blocking_owners(*, firm: Firm) -> QuerySet[BeneficialOwner]:
    """Declared owners above 10% from Russia or Belarus: any one of them keeps the firm out of matching."""
    return firm.beneficial_owners.filter(
        country__in=BLOCKING_OWNER_COUNTRIES, share_percent__gt=BLOCKING_OWNER_SHARE
    )


def firms_eligible_for_matching() -> QuerySet[Firm]:
    """Verified firms not held back by screening nor by a Russian or Belarusian beneficial owner."""
    blocking_owner = BeneficialOwner.objects.filter(
        firm=OuterRef("pk"), country__in=BLOCKING_OWNER_COUNTRIES, share_percent__gt=BLOCKING_OWNER_SHARE
    )
    return Firm.objects.filter(
        status=Firm.Status.VERIFIED,
        screening_status__in=[Firm.ScreeningStatus.CLEAR, Firm.ScreeningStatus.FALSE_POSITIVE],
    ).exclude(Exists(blocking_owner))

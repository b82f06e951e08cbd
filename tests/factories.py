"""factory_boy factories for every model the tests need, in one place."""

import factory
from django.utils import timezone

from accounts.models import Membership, User
from matching.models import Proposal
from registry.models import Capability, Firm, FirmCapability
from registry.validators import edrpou_with_check_digit


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    # Confirmed, as an account that followed its link: pass email_confirmed_at=None for one that did not.
    email_confirmed_at = factory.LazyAttribute(lambda u: timezone.now() if u.email else None)
    password = factory.django.Password("correct-horse-battery")


class FirmFactory(factory.django.DjangoModelFactory):
    """A verified Ukrainian firm by default; pass country="DE" (and edrpou="") for a partner."""

    class Meta:
        model = Firm
        django_get_or_create = ("ref",)

    ref = factory.Sequence(lambda n: f"firm-{n}")
    name = factory.Sequence(lambda n: f"Firm Number {n} LLC")
    country = "UA"
    # Unique and valid (one firm per EDRPOU); 9xxxxxxx, a range no test writes out, so no clash with those.
    edrpou = factory.Sequence(lambda n: edrpou_with_check_digit(9_000_000 + n % 1_000_000))
    description = "Builds reconnaissance drones and repairs armoured vehicles near the front."
    partnership_types = factory.LazyFunction(lambda: ["co_production"])
    contact_name = "Olena Petrenko"
    contact_email = factory.LazyAttribute(lambda f: f"contact@{f.ref}.example")
    contact_phone = "+380441234567"
    status = Firm.Status.VERIFIED
    status_changed_at = factory.LazyFunction(timezone.now)

    class Params:
        partner = factory.Trait(country="DE", edrpou="", contact_phone="+4930123456")


class FirmCapabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FirmCapability

    firm = factory.SubFactory(FirmFactory)
    capability = factory.LazyFunction(lambda: Capability.objects.order_by("code").first())
    kind = FirmCapability.Kind.OFFER


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    firm = factory.SubFactory(FirmFactory)
    role = Membership.Role.OWNER


class ProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proposal

    ukrainian = factory.SubFactory(FirmFactory)
    partner = factory.SubFactory(FirmFactory, partner=True)
    score = 0.75
    rank_for_ukrainian = 1
    rank_for_partner = 1
    components = factory.LazyFunction(lambda: {"complementarity": 0.9, "text": 0.3})
    reasons = factory.LazyFunction(lambda: {"en": ["Both hold AQAP-2110"], "uk": ["Обидві мають AQAP-2110"]})

"""Every page of `web/`, as every persona, in both languages, on realistic state: never a 5xx.

The URL patterns come from the URLconf, so a new page is crawled without editing this file.
Path arguments are filled from the state below by their name (`firm_id`: each firm; `pk`:
every object id of the state, so each page meets ids it owns, ids it must refuse and ids
that do not exist). Each page is asked for with GET, then with an empty POST.
"""

import itertools
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Membership
from matching.models import MatchRun, Notification, Proposal
from registry.models import BeneficialOwner, Capability, Firm, FirmCapability
from review.services.workflow import proposal_accept, proposal_approve
from tests.factories import FirmFactory, MembershipFactory, ProposalFactory, UserFactory

pytestmark = pytest.mark.django_db

LANGUAGES = ["uk", "en"]
PERSONAS = ["anonymous", "viewer", "editor", "owner", "outsider", "partner", "reviewer", "admin"]
MISSING_ID = 2_000_000_000


def _web_patterns() -> list[URLPattern]:
    """The `web` namespace's patterns, resolved from the project's URLconf."""
    found: list[URLPattern] = []

    def walk(entries, namespace):
        for entry in entries:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, entry.namespace or namespace)
            elif isinstance(entry, URLPattern) and namespace == "web" and entry.name:
                found.append(entry)

    walk(get_resolver().url_patterns, None)
    return found


def _filled_firm(users) -> Firm:
    """Firm A with every profile field filled, capacities, details and beneficial owners."""
    firm = FirmFactory(
        ref="ua-crawl-full",
        name="Дніпровські Дрони ТОВ",
        country="UA",
        edrpou="32855961",
        ncage="U1234",
        website="https://dnipro-drones.example",
        employees=420,
        founded=1994,
        description="Серійне виробництво БпЛА та ремонт бронетехніки. Drones and armour repair.",
        partnership_types=["co_production", "licensed_production", "repair_hub"],
        certifications=["AQAP-2110", "ISO-9001"],
        security_clearance="NATO_RESTRICTED",
        export_regimes=["EU_MILITARY"],
        languages=["uk", "en"],
    )
    codes = list(Capability.objects.order_by("code").values_list("pk", flat=True)[:4])
    for i, capability_id in enumerate(codes):
        FirmCapability.objects.create(
            firm=firm,
            capability_id=capability_id,
            kind="offer" if i % 2 == 0 else "seek",
            detail="Серія 500 од./міс.",
            monthly_capacity=500,
        )
    BeneficialOwner.objects.create(firm=firm, name="Олена Коваль", country="UA", share_percent=Decimal("60"))
    for role in ("owner", "editor", "viewer"):
        MembershipFactory(user=users[role], firm=firm, role=role)
    return firm


@pytest.fixture
def state():
    users = {
        "owner": UserFactory(username="crawl_owner"),
        "editor": UserFactory(username="crawl_editor"),
        "viewer": UserFactory(username="crawl_viewer", language="uk"),
        "outsider": UserFactory(username="crawl_outsider"),
        "partner": UserFactory(username="crawl_partner"),
        "reviewer": UserFactory(username="crawl_reviewer", is_reviewer=True),
        "admin": UserFactory(username="crawl_admin", is_superuser=True, is_staff=True),
    }
    full = _filled_firm(users)
    # An empty profile: pending, no capabilities, none of the optional fields.
    empty = Firm.objects.create(
        ref="ua-crawl-empty",
        name="Порожня фірма",
        country="UA",
        edrpou="14360570",
        description="-",
        contact_name="Іван",
        contact_email="ivan@empty.example",
        status=Firm.Status.PENDING,
    )
    MembershipFactory(user=users["owner"], firm=empty, role="owner")
    suspended = FirmFactory(ref="ua-crawl-suspended", status=Firm.Status.SUSPENDED)
    flagged = FirmFactory(ref="de-crawl-flagged", partner=True, screening_status=Firm.ScreeningStatus.POTENTIAL_MATCH)
    partner = FirmFactory(ref="de-crawl-partner", name="Optik Werke GmbH", partner=True)
    MembershipFactory(user=users["partner"], firm=partner, role="owner")
    outsider = FirmFactory(ref="fr-crawl-outsider", name="Outsider SAS", country="FR", edrpou="")
    MembershipFactory(user=users["outsider"], firm=outsider, role="owner")

    # Proposals of firm A in every state; the workflow's own services write the first ones, so
    # their events and unread notifications are real.
    ids = []
    approved = ProposalFactory(ukrainian=full, partner=partner, score=0.9)
    proposal_approve(proposal=approved, reviewer=users["reviewer"], note="Сильна пара")
    ids.append(approved.pk)
    connected = ProposalFactory(ukrainian=full, partner=FirmFactory(partner=True), score=0.8)
    proposal_approve(proposal=connected, reviewer=users["reviewer"])
    proposal_accept(proposal=connected, user=users["owner"])
    ids.append(connected.pk)
    for status in Proposal.Status.values:
        if status == "approved":
            continue  # written by the service above
        p = ProposalFactory(ukrainian=full, partner=FirmFactory(partner=True), status=status, score=0.5)
        if status == "partnership":
            p.outcome_kind, p.outcome_date = "joint_venture", "2026-10-01"
            p.save()
        ids.append(p.pk)
    ids.append(ProposalFactory(ukrainian=suspended, partner=flagged).pk)
    ids.append(ProposalFactory(ukrainian=empty, partner=outsider).pk)
    for user in users.values():
        Notification.objects.create(
            user=user, kind="proposal_approved", title="Нове знайомство", idempotency_key=f"crawl-{user.pk}"
        )
    run = MatchRun.objects.create(status=MatchRun.Status.SUCCEEDED, chunks_total=4, chunks_done=4)
    firms = [full, empty, partner, outsider, suspended]
    pks = sorted(
        {
            *ids,
            *(f.pk for f in firms),
            *Notification.objects.values_list("pk", flat=True),
            run.pk,
            *Membership.objects.values_list("pk", flat=True),
            MISSING_ID,
        }
    )
    assert Notification.objects.filter(read_at__isnull=True).count() >= len(users)
    notifications = sorted(Notification.objects.values_list("pk", flat=True))
    memberships = sorted(Membership.objects.values_list("pk", flat=True))
    values = {
        "firm_id": [full.pk, empty.pk, partner.pk, MISSING_ID],
        "pk": pks,
        # `pk` by what the route names (every id of that kind: owned, refused, missing); other
        # routes (events, directory, webhooks, ...) get a small mixed sample, not all ~40 ids.
        "pk:proposals": sorted({*ids, MISSING_ID}),
        "pk:firms": sorted({*(f.pk for f in firms), MISSING_ID}),
        "pk:notifications": [*notifications, MISSING_ID],
        "pk:members": [*memberships, MISSING_ID],
        "pk:runs": [run.pk, MISSING_ID],
        "pk:other": sorted(
            {approved.pk, full.pk, partner.pk, outsider.pk, run.pk, notifications[0], memberships[0], MISSING_ID}
        ),
        "uidb64": ["MQ", "bad"],
        "token": ["set-password", "x"],
    }
    return users, values


def _values_for(pattern: URLPattern, name: str, values: dict) -> list:
    if name != "pk":
        return values[name]
    route = str(pattern.pattern)
    if route.startswith("directory/<int:pk>"):
        return values["pk:firms"]  # a firm's directory profile
    for kind in ("proposals", "firms", "notifications", "members", "runs"):
        if f"{kind}/<int:pk>" in route:
            return values[f"pk:{kind}"]
    return values["pk:other"]


def _urls(values) -> list[str]:
    urls = []
    for pattern in _web_patterns():
        names = list(pattern.pattern.converters) or []
        if not names:
            urls.append(reverse(f"web:{pattern.name}"))
            continue
        for combo in itertools.product(*(_values_for(pattern, name, values) for name in names)):
            urls.append(reverse(f"web:{pattern.name}", kwargs=dict(zip(names, combo, strict=True))))
    return urls


def _client(users, persona: str, language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language, raise_request_exception=False)
    if persona != "anonymous":
        user = users[persona]
        if user.language != language:
            user.language = language
            user.save(update_fields=["language"])
        client.force_login(user)
    return client


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_no_page_answers_a_server_error_for_any_persona_in_either_language(state, persona, language):
    users, values = state
    urls = _urls(values)
    assert len(urls) > 40, "the crawl found too few pages"
    failures = []
    client = _client(users, persona, language)
    for url in urls:
        status = client.get(url).status_code
        if status >= 500:
            failures.append(f"GET {url} -> {status}")
    for url in urls:
        # An empty POST: each form must refuse it with a page or a redirect, never a crash.
        # A fresh log-in each time: the log-out and language pages change the session.
        client = _client(users, persona, language)
        status = client.post(url, {}).status_code
        if status >= 500:
            failures.append(f"POST {url} -> {status}")
    assert not failures, "\n".join(failures)


def test_the_crawl_covers_every_page_of_the_web_urlconf():
    names = {p.name for p in _web_patterns()}
    assert {"home", "firm_dashboard", "firm_proposal", "notifications", "review_queue", "review_dashboard"} <= names


def test_a_ukrainian_page_with_unread_notifications_shows_the_badge_with_the_plural_form(state):
    users, _ = state
    client = _client(users, "owner", "uk")
    response = client.get(reverse("web:notifications"))
    assert response.status_code == 200
    unread = Notification.objects.filter(user=users["owner"], read_at__isnull=True).count()
    assert unread >= 2
    forms = {1: "непрочитане", 2: "непрочитані", 3: "непрочитані", 4: "непрочитані"}
    word = forms.get(unread, "непрочитаних")
    assert f'<span class="badge" aria-label="{unread} {word}">{unread}</span>' in response.content.decode()

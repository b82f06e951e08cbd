"""Firm pages: onboarding, dashboard, introductions, accept/decline, notifications; who sees what."""

import pytest
from django.urls import reverse

from matching.models import Notification, Proposal
from registry.models import Firm
from tests.factories import ProposalFactory
from tests.web.conftest import PAGE_PERSONAS

pytestmark = pytest.mark.django_db


def _profile(**overrides) -> dict:
    data = {
        "name": "Kyiv Drone Works LLC",
        "country": "UA",
        "edrpou": "41234569",
        "description": "Builds multirotor reconnaissance drones for the front line.",
        "offers": ["uav.multirotor_isr"],
        "seeks": ["sensors.optics_thermal"],
        "partnership_types": ["co_production"],
        "security_clearance": "NONE",
        "languages": "uk, en",
        "contact_name": "Olena Petrenko",
        "contact_email": "olena@kyivdrone.example",
        "contact_phone": "+380441234567",
    }
    data.update(overrides)
    return data


# ---- access -------------------------------------------------------------------------------------

FIRM_A_PAGE = {  # firm A's own pages
    "page_anon": 302,
    "page_alice_token": 302,
    "page_alice": 200,
    "page_alice_viewer": 200,
    "page_bob": 404,  # outsider: A's pages do not exist for him
    "page_rita": 404,  # reviewers use the review pages, not a firm's
    "page_adam": 404,
}


@pytest.mark.parametrize("page_persona", PAGE_PERSONAS, indirect=True)
def test_firm_pages_are_for_the_firms_members(page_persona, firm_a, proposal_ab, request):
    persona = request.node.callspec.params["page_persona"]
    for url in (
        reverse("web:firm_dashboard", args=[firm_a.pk]),
        reverse("web:firm_proposal", args=[firm_a.pk, proposal_ab.pk]),
        reverse("web:firm_proposal_accept", args=[firm_a.pk, proposal_ab.pk]),
        reverse("web:firm_proposal_decline", args=[firm_a.pk, proposal_ab.pk]),
    ):
        response = page_persona.get(url)
        expected = FIRM_A_PAGE[persona]
        if persona == "page_alice_viewer" and url.endswith(("/accept/", "/decline/")):
            expected = 403  # a viewer follows the introduction; the answer forms are for owners and editors
        assert response.status_code == expected, (persona, url, response.status_code)


@pytest.mark.parametrize("page_persona", PAGE_PERSONAS, indirect=True)
def test_notifications_and_onboarding_need_a_login(page_persona, request):
    persona = request.node.callspec.params["page_persona"]
    for url in (reverse("web:notifications"), reverse("web:firm_create")):
        response = page_persona.get(url)
        assert response.status_code == (302 if persona in ("page_anon", "page_alice_token") else 200)


def test_home_sends_each_person_to_their_place(page_anon, page_alice, page_rita, firm_a, db):
    assert page_anon.get("/")["Location"] == reverse("web:login")
    assert page_alice.get("/")["Location"] == reverse("web:firm_dashboard", args=[firm_a.pk])
    assert page_rita.get("/")["Location"] == reverse("web:review_queue")


def test_bob_cannot_see_firm_as_proposal_through_his_own_firm_url(page_bob, firm_b, firm_a):
    other = ProposalFactory(ukrainian=firm_a, status="approved")  # A with someone else
    assert page_bob.get(reverse("web:firm_proposal", args=[firm_b.pk, other.pk])).status_code == 404


def test_a_proposal_waiting_for_review_is_invisible_to_the_firms(page_alice, firm_a, proposal_pending_ab):
    assert page_alice.get(reverse("web:firm_proposal", args=[firm_a.pk, proposal_pending_ab.pk])).status_code == 404
    assert (
        proposal_pending_ab not in page_alice.get(reverse("web:firm_dashboard", args=[firm_a.pk])).context["proposals"]
    )


def test_the_viewer_cannot_edit_the_profile(page_alice_viewer, firm_a):
    response = page_alice_viewer.get(reverse("web:firm_edit", args=[firm_a.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("web:firm_dashboard", args=[firm_a.pk])


# ---- onboarding -------------------------------------------------------------------------------


def test_a_new_user_registers_a_firm_that_waits_for_verification(page_bob, bob):
    response = page_bob.post(reverse("web:firm_create"), _profile())
    firm = Firm.objects.get(name="Kyiv Drone Works LLC")
    assert response["Location"] == reverse("web:firm_dashboard", args=[firm.pk])
    assert firm.status == Firm.Status.PENDING
    assert set(firm.capabilities.values_list("kind", "capability__code")) == {
        ("offer", "uav.multirotor_isr"),
        ("seek", "sensors.optics_thermal"),
    }
    assert firm.memberships.get(user=bob).role == "owner"
    body = page_bob.get(response["Location"]).content.decode()
    assert "Pending verification" in body


def test_a_bad_edrpou_is_named_next_to_the_field_and_the_form_keeps_what_was_typed(page_alice):
    response = page_alice.post(reverse("web:firm_create"), _profile(edrpou="32855968"))
    assert response.status_code == 200
    form = response.context["form"]
    assert "check the 8 digits on your extract from the state register" in " ".join(form.errors["edrpou"])
    body = response.content.decode()
    assert 'value="Kyiv Drone Works LLC"' in body
    assert 'value="uav.multirotor_isr" checked' in body
    assert not Firm.objects.filter(name="Kyiv Drone Works LLC").exists()


def test_a_partner_from_an_ineligible_country_is_told_why(page_bob):
    response = page_bob.post(reverse("web:firm_create"), _profile(country="CN", edrpou=""))
    assert "eligible" in " ".join(response.context["form"].errors["country"])


def test_a_profile_without_capabilities_is_refused_beside_the_capability_section(page_bob):
    response = page_bob.post(reverse("web:firm_create"), _profile(offers=[], seeks=[]))
    assert "Pick at least one capability" in " ".join(response.context["form"].errors["offers"])
    assert not response.context["form"].non_field_errors()


def _record_offer(firm, **fields):
    """An offer recorded outside the form (API, import) for the multirotor drones the form picks."""
    from registry.models import Capability, FirmCapability

    FirmCapability.objects.create(
        firm=firm, capability=Capability.objects.get(code="uav.multirotor_isr"), kind="offer", **fields
    )


def test_alice_edits_her_profile_and_keeps_capability_details(page_alice, firm_a):
    _record_offer(firm_a, detail="Shark", monthly_capacity=40)
    form = page_alice.get(reverse("web:firm_edit", args=[firm_a.pk])).context["form"]
    assert form.initial["offers"] == ["uav.multirotor_isr"]
    response = page_alice.post(reverse("web:firm_edit", args=[firm_a.pk]), _profile(name="SkyForge Robotics LLC"))
    assert response.status_code == 302
    kept = firm_a.capabilities.get(kind="offer")
    assert (kept.detail, kept.monthly_capacity) == ("Shark", 40)
    assert firm_a.capabilities.filter(kind="seek", capability__code="sensors.optics_thermal").exists()


def test_alice_records_capacity_and_detail_for_each_capability_she_picks(page_alice, firm_a):
    response = page_alice.post(
        reverse("web:firm_edit", args=[firm_a.pk]),
        _profile(
            **{
                "offers-capacity-uav.multirotor_isr": "1 200",
                "offers-detail-uav.multirotor_isr": "  Shark-M, 60 km datalink ",
                "seeks-capacity-sensors.optics_thermal": "",
                "seeks-detail-sensors.optics_thermal": "640x512 cores",
                "offers-capacity-uav.fpv": "999",  # not picked: ignored
            }
        ),
    )
    assert response.status_code == 302
    rows = set(firm_a.capabilities.values_list("kind", "capability__code", "detail", "monthly_capacity"))
    assert rows == {
        ("offer", "uav.multirotor_isr", "Shark-M, 60 km datalink", 1200),
        ("seek", "sensors.optics_thermal", "640x512 cores", None),
    }
    body = page_alice.get(reverse("web:firm_edit", args=[firm_a.pk])).content.decode()
    assert 'name="offers-capacity-uav.multirotor_isr" value="1200"' in body
    assert 'name="seeks-detail-sensors.optics_thermal" value="640x512 cores"' in body
    dashboard = page_alice.get(reverse("web:firm_dashboard", args=[firm_a.pk])).content.decode()
    assert "Shark-M, 60 km datalink (1200 a month)" in dashboard


def test_an_untouched_multiline_detail_recorded_through_the_api_is_kept_as_stored(page_alice, firm_a):
    _record_offer(firm_a, detail="Shark-M\nBlock  2", monthly_capacity=40)
    # A browser strips line breaks from a one-line input's value: this is what comes back.
    typed = {"offers-detail-uav.multirotor_isr": "Shark-MBlock  2", "offers-capacity-uav.multirotor_isr": "40"}
    response = page_alice.post(reverse("web:firm_edit", args=[firm_a.pk]), _profile(name="Renamed LLC", **typed))
    assert response.status_code == 302
    offer = firm_a.capabilities.get(kind="offer")
    assert (offer.detail, offer.monthly_capacity) == ("Shark-M\nBlock  2", 40)
    assert "offers" not in firm_a.revisions.first().changed_fields


@pytest.mark.parametrize(
    "typed, rule",
    [
        ("-5", "whole number from 0 to 2,147,483,647 (got -5)"),
        ("12.5", "whole number from 0 to 2,147,483,647 (got 12.5)"),
        ("lots", "whole number from 0 to 2,147,483,647 (got lots)"),
        ("2147483648", "whole number from 0 to 2,147,483,647 (got 2147483648)"),
    ],
)
def test_a_bad_capacity_names_the_capability_and_the_rule_and_changes_nothing(page_alice, firm_a, typed, rule):
    before = list(firm_a.capabilities.values_list("kind", "capability__code", "detail", "monthly_capacity"))
    response = page_alice.post(
        reverse("web:firm_edit", args=[firm_a.pk]),
        _profile(name="Renamed LLC", **{"offers-capacity-uav.multirotor_isr": typed}),
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["offers"])
    assert "Multirotor reconnaissance drones: units per month must be a " + rule in errors
    assert f'name="offers-capacity-uav.multirotor_isr" value="{typed}"' in response.content.decode()
    firm_a.refresh_from_db()
    assert firm_a.name != "Renamed LLC"
    assert list(firm_a.capabilities.values_list("kind", "capability__code", "detail", "monthly_capacity")) == before


def test_a_detail_over_500_characters_is_refused_by_name(page_alice, firm_a):
    response = page_alice.post(
        reverse("web:firm_edit", args=[firm_a.pk]), _profile(**{"offers-detail-uav.multirotor_isr": "x" * 501})
    )
    assert response.status_code == 200
    assert "the detail must be at most 500 characters (it has 501)" in " ".join(
        response.context["form"].errors["offers"]
    )


def test_capability_names_come_in_the_pages_language(page_alice, alice):
    alice.language = "uk"
    alice.save()
    body = page_alice.get(reverse("web:firm_create")).content.decode()
    assert "Ударні FPV-дрони" in body and "Безпілотні авіаційні системи" in body


# ---- introductions ------------------------------------------------------------------------------


def test_the_dashboard_shows_introductions_with_score_and_reasons_but_no_contact_yet(
    page_alice, firm_a, proposal_ab, firm_b
):
    body = page_alice.get(reverse("web:firm_dashboard", args=[firm_a.pk])).content.decode()
    assert firm_b.name in body and "0.81" in body and "Both hold AQAP-2110" in body
    assert firm_b.contact_email not in body


def test_accepting_asks_for_confirmation_first(page_alice, firm_a, proposal_ab):
    url = reverse("web:firm_proposal_accept", args=[firm_a.pk, proposal_ab.pk])
    assert "Yes, accept" in page_alice.get(url).content.decode()
    proposal_ab.refresh_from_db()
    assert proposal_ab.ukrainian_accepted_at is None


def test_when_both_accept_each_sees_the_others_contact(page_alice, page_bob, firm_a, firm_b, proposal_ab):
    page_alice.post(reverse("web:firm_proposal_accept", args=[firm_a.pk, proposal_ab.pk]))
    page_bob.post(reverse("web:firm_proposal_accept", args=[firm_b.pk, proposal_ab.pk]))
    proposal_ab.refresh_from_db()
    assert proposal_ab.status == Proposal.Status.CONNECTED
    assert firm_b.contact_email in page_alice.get(reverse("web:firm_dashboard", args=[firm_a.pk])).content.decode()
    assert (
        firm_a.contact_email
        in page_bob.get(reverse("web:firm_proposal", args=[firm_b.pk, proposal_ab.pk])).content.decode()
    )


def test_the_viewer_cannot_accept(page_alice_viewer, firm_a, proposal_ab):
    response = page_alice_viewer.get(reverse("web:firm_proposal", args=[firm_a.pk, proposal_ab.pk]))
    assert response.context["can_answer"] is False
    page_alice_viewer.post(reverse("web:firm_proposal_accept", args=[firm_a.pk, proposal_ab.pk]))
    proposal_ab.refresh_from_db()
    assert proposal_ab.ukrainian_accepted_at is None


def test_declining_needs_a_reason(page_alice, firm_a, proposal_ab):
    url = reverse("web:firm_proposal_decline", args=[firm_a.pk, proposal_ab.pk])
    response = page_alice.post(url, {"note": ""})
    assert "note" in response.context["form"].errors
    page_alice.post(url, {"note": "We already have a supplier."})
    proposal_ab.refresh_from_db()
    assert proposal_ab.status == Proposal.Status.DECLINED


def test_the_dashboard_query_count_does_not_grow_with_introductions(page_alice, firm_a, django_assert_max_num_queries):
    ProposalFactory(ukrainian=firm_a, status="approved")
    with django_assert_max_num_queries(30) as small:
        page_alice.get(reverse("web:firm_dashboard", args=[firm_a.pk]))
    for _ in range(10):
        ProposalFactory(ukrainian=firm_a, status="approved")
    with django_assert_max_num_queries(len(small.captured_queries)):
        page_alice.get(reverse("web:firm_dashboard", args=[firm_a.pk]))


# ---- notifications -------------------------------------------------------------------------------


def _note(user, key="n1"):
    return Notification.objects.create(user=user, kind="approved", title="Proposal approved", idempotency_key=key)


def test_notifications_are_listed_and_marked_read(page_alice, alice, bob):
    mine = _note(alice)
    _note(bob, key="n2")
    response = page_alice.get(reverse("web:notifications"))
    assert list(response.context["notifications"]) == [mine]
    page_alice.post(reverse("web:notification_read", args=[mine.pk]))
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_marking_read_with_htmx_returns_just_the_item(page_alice, alice):
    mine = _note(alice)
    response = page_alice.post(reverse("web:notification_read", args=[mine.pk]), HTTP_HX_REQUEST="true")
    assert response.content.decode().strip().startswith("<li")


def test_nobody_marks_someone_elses_notification(page_bob, alice):
    mine = _note(alice)
    assert page_bob.post(reverse("web:notification_read", args=[mine.pk])).status_code == 404


def test_mark_all_read(page_alice, alice):
    _note(alice, "a")
    _note(alice, "b")
    page_alice.post(reverse("web:notification_read_all"))
    assert not alice.notifications.filter(read_at__isnull=True).exists()


@pytest.mark.parametrize(
    ("language", "label", "help_text"),
    [
        ("en", "Introductions I can handle at once", "3 below 50 employees"),
        ("uk", "Скільки пропозицій партнерства я можу опрацьовувати одночасно", "3 — до 50 працівників"),
    ],
)
def test_alice_sets_introductions_at_once_on_her_profile(page_alice, alice, firm_a, language, label, help_text):
    alice.language = language
    alice.save()
    body = page_alice.get(reverse("web:firm_edit", args=[firm_a.pk])).content.decode()
    assert label in body and help_text in body and 'name="intro_capacity"' in body
    response = page_alice.post(reverse("web:firm_edit", args=[firm_a.pk]), _profile(intro_capacity="4"))
    assert response.status_code == 302
    firm_a.refresh_from_db()
    assert firm_a.intro_capacity == 4
    page_alice.post(reverse("web:firm_edit", args=[firm_a.pk]), _profile(intro_capacity=""))
    firm_a.refresh_from_db()
    assert firm_a.intro_capacity is None


def test_an_intro_capacity_over_50_is_named_next_to_the_field(page_alice, firm_a):
    response = page_alice.post(reverse("web:firm_edit", args=[firm_a.pk]), _profile(intro_capacity="51"))
    assert response.status_code == 200
    assert "intro_capacity" in response.context["form"].errors


@pytest.mark.parametrize(
    ("language", "state", "suspended", "empty"),
    [
        (
            "uk",
            "Контакт встановлено",
            "Компанія-партнер зараз не може брати участь у пропозиціях партнерства: її контакти тимчасово приховано.",
            "Контакти зʼявляться тут, щойно обидві компанії приймуть пропозицію партнерства.",
        ),
        (
            "en",
            "Connected",
            "The partner firm cannot be introduced at the moment: its contacts are hidden for now.",
            "Contacts appear here once both firms accept an introduction.",
        ),
    ],
)
def test_the_dashboard_says_a_suspended_partners_contacts_are_hidden_without_saying_why(
    page_alice, firm_a, firm_b, proposal_ab, language, state, suspended, empty
):
    Proposal.objects.filter(pk=proposal_ab.pk).update(status=Proposal.Status.CONNECTED)
    url = reverse("web:firm_dashboard", args=[firm_a.pk])
    body = page_alice.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert firm_b.contact_email in body and suspended not in body  # connected, partner in good standing
    firm_b.status = firm_b.Status.SUSPENDED
    firm_b.save(update_fields=["status"])
    body = page_alice.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert firm_b.contact_email not in body
    assert state in body
    assert body.count(suspended) == 2  # in the contacts section and beside the introduction's state
    assert empty not in body  # not "contacts will appear once both accept": they did


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "uk",
            "Компанія-партнер зараз не може брати участь у пропозиціях партнерства: її контакти тимчасово приховано.",
        ),
        ("en", "The partner firm cannot be introduced at the moment: its contacts are hidden for now."),
    ],
)
def test_the_dashboard_says_why_a_held_back_partners_contacts_are_hidden(
    page_alice, firm_a, firm_b, proposal_ab, language, message
):
    # Held back by sanctions screening: the page does not say why (that is the reviewers' business), only that.
    Proposal.objects.filter(pk=proposal_ab.pk).update(status=Proposal.Status.CONNECTED)
    firm_b.screening_status = firm_b.ScreeningStatus.POTENTIAL_MATCH
    firm_b.save(update_fields=["screening_status"])
    body = page_alice.get(reverse("web:firm_dashboard", args=[firm_a.pk]), HTTP_ACCEPT_LANGUAGE=language).content
    body = body.decode()
    assert message in body and firm_b.contact_email not in body

"""The registry's Django admin: reviewers find firms, verify/suspend through the services."""

import pytest
from django.test import Client

from registry.models import Capability, Firm, FirmRevision
from tests.factories import FirmCapabilityFactory, FirmFactory, UserFactory


@pytest.fixture
def admin_client_for(db):
    def make(**flags):
        user = UserFactory(username=f"staff-{len(flags)}-{'-'.join(flags)}", is_staff=True, **flags)
        client = Client()
        client.force_login(user)
        return client, user

    return make


@pytest.fixture
def registry(firm_a, firm_b):
    FirmCapabilityFactory(firm=firm_a)
    pending = FirmFactory(ref="pl-pending", name="Pending Arms S.A.", partner=True, country="PL", status="pending")
    FirmCapabilityFactory(firm=pending)
    return firm_a, firm_b, pending


def test_a_reviewer_searches_and_filters_firms(registry, admin_client_for, django_assert_max_num_queries):
    client, _ = admin_client_for(is_reviewer=True)
    response = client.get("/admin/alliance/firm/?q=32855961")
    assert response.status_code == 200
    assert "SkyForge Robotics LLC" in response.content.decode()
    response = client.get("/admin/alliance/firm/?status__exact=pending")
    assert "Pending Arms" in response.content.decode() and "SkyForge" not in response.content.decode()


def test_a_reviewer_opens_a_firm_with_its_inlines(registry, admin_client_for):
    client, _ = admin_client_for(is_reviewer=True)
    response = client.get(f"/admin/alliance/firm/{registry[0].pk}/change/")
    assert response.status_code == 200
    assert "Ukrainian" in response.content.decode() or "ua" in response.content.decode()


def test_the_verify_action_goes_through_the_service(registry, admin_client_for):
    client, user = admin_client_for(is_reviewer=True)
    pending = registry[2]
    response = client.post(
        "/admin/alliance/firm/",
        {"action": "verify_selected", "_selected_action": [pending.pk, registry[0].pk]},
        follow=True,
    )
    assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.status == "verified" and pending.status_changed_by == user
    assert FirmRevision.objects.get(firm=pending).source == "status"
    assert "already verified" in response.content.decode()  # firm A: reported, not crashed on


def test_the_suspend_action_records_a_reason(registry, admin_client_for):
    client, user = admin_client_for(is_reviewer=True)
    client.post("/admin/alliance/firm/", {"action": "suspend_selected", "_selected_action": [registry[1].pk]})
    registry[1].refresh_from_db()
    assert registry[1].status == "suspended"
    # A code naming the reviewer, worded in each reader's language (tests/review/test_system_notes_i18n.py).
    revision = FirmRevision.objects.get(firm=registry[1])
    assert (revision.note, revision.note_code, revision.note_params) == (
        "",
        "suspended_in_admin",
        {"by": user.get_username()},
    )


def test_firm_members_without_review_rights_cannot_use_the_registry_admin(registry, admin_client_for):
    client, _ = admin_client_for()
    assert client.get("/admin/alliance/firm/").status_code == 403


def test_only_administrators_add_capabilities(db, admin_client_for):
    reviewer, _ = admin_client_for(is_reviewer=True)
    assert reviewer.get("/admin/alliance/capability/add/").status_code == 403
    admin, _ = admin_client_for(is_superuser=True)
    response = admin.post(
        "/admin/alliance/capability/add/",
        {"code": "uav.tethered", "domain": "uav", "name_en": "Tethered drones", "name_uk": "Прив'язні дрони"},
    )
    assert response.status_code == 302
    assert Capability.objects.filter(code="uav.tethered").exists()


def test_an_admin_edit_with_a_bad_edrpou_is_refused_and_a_good_one_is_in_the_history(registry, admin_client_for):
    client, _ = admin_client_for(is_superuser=True)
    firm = registry[0]
    url = f"/admin/alliance/firm/{firm.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update(
        partnership_types='["co_production"]', certifications="[]", export_regimes="[]", languages="[]",
        edrpou="32855968", contact_phone="+380441234567",
    )  # fmt: skip
    for prefix in ("capabilities", "platforms", "memberships", "beneficial_owners", "revisions"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(url, data)
    assert response.status_code == 200
    assert "check the 8 digits on your extract" in response.content.decode()
    data["edrpou"] = "14360570"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    firm.refresh_from_db()
    assert firm.edrpou == "14360570"
    assert FirmRevision.objects.get(firm=firm, source="admin").changed_fields == ["edrpou"]
    assert Firm.objects.get(pk=firm.pk).capabilities.count() == 1

"""The Django admin pages for people and memberships open for administrators."""

import pytest
from django.test import Client

from accounts.models import Membership


@pytest.fixture
def admin_browser(adam):
    client = Client()
    client.force_login(adam)
    return client


def test_user_changelist_search_and_filters(admin_browser, alice, bob, rita):
    response = admin_browser.get("/admin/accounts/user/", {"q": "SkyForge"})
    assert response.status_code == 200
    assert [u.username for u in response.context["cl"].result_list] == ["alice"]
    assert admin_browser.get("/admin/accounts/user/", {"is_reviewer__exact": "1"}).context["cl"].result_count == 1


def test_user_change_page_shows_memberships_inline(admin_browser, alice):
    response = admin_browser.get(f"/admin/accounts/user/{alice.pk}/change/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "is_reviewer" in content and "language" in content and "memberships-0-role" in content


def test_membership_changelist(admin_browser, alice, bob):
    response = admin_browser.get("/admin/accounts/membership/", {"role__exact": "owner"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == Membership.objects.filter(role="owner").count() == 2
    assert admin_browser.get(f"/admin/accounts/membership/{Membership.objects.first().pk}/change/").status_code == 200


def test_a_firm_member_cannot_open_the_admin(alice):
    client = Client()
    client.force_login(alice)
    assert client.get("/admin/accounts/user/").status_code == 302


def test_a_reviewer_may_view_registry_models_in_the_admin_but_not_change_people(db):
    from accounts import services

    reviewer = services.user_create(username="rev", password="a-long-pass-phrase-9", is_reviewer=True)
    assert reviewer.is_staff
    assert reviewer.has_perm("alliance.view_firm") and reviewer.has_perm("matching.view_proposal")
    assert reviewer.has_perm("alliance.add_capability")
    assert not reviewer.has_perm("accounts.change_user") and not reviewer.has_perm("alliance.delete_firm")
    assert reviewer.has_module_perms("alliance") and not reviewer.has_module_perms("auth")
    client = Client()
    client.force_login(reviewer)
    assert client.get("/admin/accounts/membership/").status_code == 200
    assert client.get("/admin/accounts/user/add/").status_code == 403


def test_a_firm_member_gets_no_admin_permissions_from_the_reviewer_backend(alice):
    assert not alice.has_perm("alliance.view_firm")


def test_the_admin_keeps_the_last_owner(admin_browser, alice, firm_a, alice_viewer):
    owner = Membership.objects.get(user=alice)
    response = admin_browser.post(
        f"/admin/accounts/membership/{owner.pk}/change/", {"user": alice.pk, "firm": firm_a.pk, "role": "viewer"}
    )
    assert response.status_code == 200  # the form again, with the error
    assert "at least one owner" in response.content.decode()
    assert admin_browser.get(f"/admin/accounts/membership/{owner.pk}/delete/").status_code == 403
    viewer = Membership.objects.get(user=alice_viewer)
    bulk = admin_browser.post(
        "/admin/accounts/membership/",
        {"action": "delete_selected", "_selected_action": [owner.pk, viewer.pk], "post": "yes"},
    )
    assert bulk.status_code == 403
    assert Membership.objects.filter(firm=firm_a).count() == 2
    admin_browser.post(
        "/admin/accounts/membership/",
        {"action": "delete_selected", "_selected_action": [viewer.pk], "post": "yes"},
    )
    assert list(Membership.objects.filter(firm=firm_a).values_list("role", flat=True)) == ["owner"]


def test_the_user_admin_inline_keeps_the_last_owner(admin_browser, alice, firm_a):
    owner = Membership.objects.get(user=alice)
    page = admin_browser.get(f"/admin/accounts/user/{alice.pk}/change/")
    form = page.context["adminform"].form
    data = {
        k: v for k, v in form.initial.items() if v is not None and k not in {"password", "groups", "user_permissions"}
    }
    data |= {
        "date_joined_0": alice.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": alice.date_joined.strftime("%H:%M:%S"),
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "1",
        "memberships-0-id": owner.pk,
        "memberships-0-user": alice.pk,
        "memberships-0-firm": firm_a.pk,
        "memberships-0-role": "owner",
        "memberships-0-DELETE": "on",
    }
    data.pop("date_joined", None)
    data.pop("last_login", None)
    response = admin_browser.post(f"/admin/accounts/user/{alice.pk}/change/", data)
    assert response.status_code == 200
    assert "at least one owner" in response.content.decode()
    assert Membership.objects.filter(pk=owner.pk).exists()


def test_an_address_an_administrator_sets_counts_as_confirmed_and_drops_a_pending_change(admin_browser, alice):
    from accounts.models import User

    alice.email_confirmed_at = None
    alice.pending_email = "elsewhere@example.com"
    alice.save()
    page = admin_browser.get(f"/admin/accounts/user/{alice.pk}/change/")
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list | tuple)}
    data.update(
        {
            "username": alice.username,
            "email": "alice.new@example.com",
            "date_joined_0": alice.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": alice.date_joined.strftime("%H:%M:%S"),
            "language": alice.language,
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        }
    )
    data.pop("last_login", None)
    data.pop("password", None)
    response = admin_browser.post(f"/admin/accounts/user/{alice.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    alice = User.objects.get(pk=alice.pk)
    assert alice.email == "alice.new@example.com"
    assert alice.email_confirmed and alice.pending_email == ""
    shown = admin_browser.get(f"/admin/accounts/user/{alice.pk}/change/").content.decode()
    assert "email confirmed at" in shown.lower() or "email_confirmed_at" in shown

"""Owners set and remove roles on the members page; marking a notification read updates the header badge."""

from html import unescape

import pytest
from django.urls import reverse

from accounts.models import Membership
from matching.models import Notification

pytestmark = pytest.mark.django_db


def _role_url(firm, m):
    return reverse("web:firm_member_role", args=[firm.pk, m.pk])


def _remove_url(firm, m):
    return reverse("web:firm_member_remove", args=[firm.pk, m.pk])


def _m(user, firm):
    return Membership.objects.get(user=user, firm=firm)


def test_the_owner_sees_role_controls_and_others_do_not(page_alice, page_alice_viewer, firm_a, alice_viewer):
    m = _m(alice_viewer, firm_a)
    assert _role_url(firm_a, m) in page_alice.get(reverse("web:firm_members", args=[firm_a.pk])).content.decode()
    assert (
        _role_url(firm_a, m)
        not in page_alice_viewer.get(reverse("web:firm_members", args=[firm_a.pk])).content.decode()
    )


@pytest.mark.parametrize(("lang", "text"), [("en", "alice_viewer is now Editor."), ("uk", "alice_viewer")])
def test_the_owner_changes_a_role_in_both_languages(page_alice, alice, firm_a, alice_viewer, lang, text):
    alice.language = lang
    alice.save()
    m = _m(alice_viewer, firm_a)
    response = page_alice.post(_role_url(firm_a, m), {"role": "editor"}, follow=True)
    assert response.status_code == 200 and text in unescape(response.content.decode())
    assert _m(alice_viewer, firm_a).role == "editor"


def test_the_owner_removes_a_member(page_alice, firm_a, alice_viewer):
    m = _m(alice_viewer, firm_a)
    response = page_alice.post(_remove_url(firm_a, m), follow=True)
    assert "alice_viewer no longer belongs to SkyForge Robotics LLC." in unescape(response.content.decode())
    assert not Membership.objects.filter(pk=m.pk).exists()


def test_the_last_owner_is_neither_demoted_nor_removed_and_is_told_why(page_alice, alice, firm_a):
    m = _m(alice, firm_a)
    response = page_alice.post(_role_url(firm_a, m), {"role": "viewer"}, follow=True)
    assert "Role: A firm must keep at least one owner" in unescape(response.content.decode())
    response = page_alice.post(_remove_url(firm_a, m), follow=True)
    assert "A firm must keep at least one owner" in unescape(response.content.decode())
    assert _m(alice, firm_a).role == "owner"


def test_an_unknown_role_is_refused_by_name(page_alice, firm_a, alice_viewer):
    m = _m(alice_viewer, firm_a)
    response = page_alice.post(_role_url(firm_a, m), {"role": "emperor"}, follow=True)
    assert response.status_code == 200
    assert "Role: Unknown role" in unescape(response.content.decode())
    assert _m(alice_viewer, firm_a).role == "viewer"


def test_non_owners_and_outsiders_cannot_change_roles(page_alice_viewer, page_bob, page_rita, page_anon, firm_a, alice):
    m = _m(alice, firm_a)
    assert page_alice_viewer.post(_role_url(firm_a, m), {"role": "viewer"}).status_code == 403
    assert page_alice_viewer.post(_remove_url(firm_a, m)).status_code == 403
    for client in (page_bob, page_rita):  # not members of A: 404, as on every page of A's
        assert client.post(_role_url(firm_a, m), {"role": "viewer"}).status_code == 404
        assert client.post(_remove_url(firm_a, m)).status_code == 404
    assert page_anon.post(_role_url(firm_a, m), {"role": "viewer"}).status_code == 302
    assert page_alice_viewer.get(_role_url(firm_a, m)).status_code == 405
    assert _m(alice, firm_a).role == "owner"


def _note(user, key):
    return Notification.objects.create(user=user, kind="approved", title="Proposal approved", idempotency_key=key)


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_marking_read_with_htmx_also_swaps_the_header_badge(page_alice, alice, lang):
    alice.language = lang
    alice.save()
    first, _second = _note(alice, "a"), _note(alice, "b")
    page = page_alice.get(reverse("web:notifications")).content.decode()
    assert '<span id="nav-unread"> <span class="badge"' in page and ">2</span></span>" in page
    body = page_alice.post(reverse("web:notification_read", args=[first.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert body.strip().startswith("<li")
    assert '<span id="nav-unread" hx-swap-oob="true"> <span class="badge"' in body and ">1</span></span>" in body
    body = page_alice.post(reverse("web:notification_read", args=[_second.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert '<span id="nav-unread" hx-swap-oob="true"></span>' in body  # no unread left: the badge goes


def test_marking_read_without_javascript_shows_the_new_count_after_the_redirect(page_alice, alice):
    first, _ = _note(alice, "a"), _note(alice, "b")
    response = page_alice.post(reverse("web:notification_read", args=[first.pk]), follow=True)
    assert ">1</span></span>" in response.content.decode()

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_every_page_renders_for_rita(page_rita, proposal_pending_ab, firm_a):
    for name, args in [
        ("web:review_queue", []),
        ("web:review_proposal", [proposal_pending_ab.pk]),
        ("web:review_firms", []),
        ("web:review_firm", [firm_a.pk]),
        ("web:review_runs", []),
        ("web:review_dashboard", []),
        ("web:notifications", []),
    ]:
        r = page_rita.get(reverse(name, args=args))
        assert r.status_code == 200, (name, r.status_code)


@pytest.mark.django_db
def test_every_page_renders_for_alice(page_alice, proposal_ab, firm_a):
    for name, args in [
        ("web:firm_dashboard", [firm_a.pk]),
        ("web:firm_edit", [firm_a.pk]),
        ("web:firm_proposal", [firm_a.pk, proposal_ab.pk]),
        ("web:firm_proposal_accept", [firm_a.pk, proposal_ab.pk]),
        ("web:firm_proposal_decline", [firm_a.pk, proposal_ab.pk]),
        ("web:firm_create", []),
        ("web:notifications", []),
    ]:
        r = page_alice.get(reverse(name, args=args))
        assert r.status_code == 200, (name, r.status_code)


@pytest.mark.django_db
def test_auth_pages_render(page_anon):
    for name in ["web:login", "web:signup", "web:password_reset"]:
        assert page_anon.get(reverse(name)).status_code == 200

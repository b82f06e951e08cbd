"""The firm dashboard keeps a profile current and complete: freshness banner, one-click confirmation,
completeness hints (English and Ukrainian); reviewers see completeness in the verification queue."""

import pytest
from dateutil.relativedelta import relativedelta
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from registry.models import Capability, Firm
from tests.factories import FirmCapabilityFactory, FirmFactory

pytestmark = pytest.mark.django_db


def _age(firm: Firm, **delta) -> None:
    """Confirmed so long ago that it goes stale after `delta` from now (negative: stale since)."""
    Firm.objects.filter(pk=firm.pk).update(
        confirmed_at=timezone.now() - relativedelta(months=12) + relativedelta(**delta)
    )


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _dashboard(client: Client, firm: Firm, language: str = "en") -> str:
    response = client.get(reverse("web:firm_dashboard", args=[firm.pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_a_fresh_profile_shows_when_it_was_confirmed_and_no_banner(firm_a, alice):
    body = _dashboard(_client(alice), firm_a)
    assert "Confirmed on " in body and "; stale on " in body
    assert 'id="freshness"' not in body
    assert reverse("web:firm_confirm", args=[firm_a.pk]) in body  # confirming early is allowed


def test_a_profile_within_30_days_of_going_stale_warns_in_english_and_ukrainian(firm_a, alice):
    _age(firm_a, days=12)
    client = _client(alice)
    english = _dashboard(client, firm_a)
    assert 'id="freshness"' in english and "Is the profile still current?" in english
    assert "Confirm the profile is current" in english
    ukrainian = _dashboard(client, firm_a, "uk")
    assert "Профіль досі актуальний?" in ukrainian and "Підтвердити актуальність профілю" in ukrainian
    assert "Підтверджено " in ukrainian


def test_a_stale_profile_says_it_is_hidden_and_the_owner_confirms_it_with_one_click(firm_a, alice):
    _age(firm_a, days=-3)
    client = _client(alice)
    english = _dashboard(client, firm_a)
    assert "Stale profile" in english and "hidden from the directory and paused from matching" in english
    assert "Застарілий профіль" in _dashboard(client, firm_a, "uk")
    response = client.post(reverse("web:firm_confirm", args=[firm_a.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("web:firm_dashboard", args=[firm_a.pk])
    assert "the profile is confirmed" in response.content.decode()
    firm_a.refresh_from_db()
    assert not firm_a.is_stale()
    assert 'id="freshness"' not in _dashboard(client, firm_a)


def test_a_viewer_sees_the_banner_but_cannot_confirm(firm_a, alice_viewer):
    _age(firm_a, days=-3)
    client = _client(alice_viewer)
    body = _dashboard(client, firm_a)
    assert "An owner or editor of the firm can confirm it with one click." in body
    assert reverse("web:firm_confirm", args=[firm_a.pk]) not in body
    response = client.post(reverse("web:firm_confirm", args=[firm_a.pk]), follow=True)
    assert "Only the firm&#x27;s owners and editors can confirm its profile." in response.content.decode()
    firm_a.refresh_from_db()
    assert firm_a.is_stale()


def test_outsiders_and_anonymous_people_cannot_confirm(firm_a, alice, bob):
    _age(firm_a, days=-3)
    url = reverse("web:firm_confirm", args=[firm_a.pk])
    assert _client(bob).post(url).status_code == 404
    anonymous = Client().post(url)
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    assert _client(alice).get(url).status_code == 405  # one click is a POST
    firm_a.refresh_from_db()
    assert firm_a.is_stale()


def test_the_dashboard_shows_completeness_hints_linking_to_the_fields_in_both_languages(firm_a, alice):
    client = _client(alice)
    english = _dashboard(client, firm_a)
    edit = reverse("web:firm_edit", args=[firm_a.pk])
    assert "% complete" in english and "Add what you seek" in english
    assert f'href="{edit}#id_seeks_filter"' in english and f'href="{edit}#platforms"' in english
    ukrainian = _dashboard(client, firm_a, "uk")
    assert "Ваш профіль заповнено на" in ukrainian
    assert "3x" not in english and "3 рази" not in ukrainian


def test_a_viewer_sees_the_hints_without_links_to_a_form_they_cannot_use(firm_a, alice_viewer):
    body = _dashboard(_client(alice_viewer), firm_a)
    assert "Add what you seek" in body
    assert reverse("web:firm_edit", args=[firm_a.pk]) + "#" not in body


def test_certification_expiry_dates_show_on_the_dashboard(firm_a, alice):
    soon = (timezone.localdate() + relativedelta(days=10)).isoformat()
    Firm.objects.filter(pk=firm_a.pk).update(certifications=["ISO-9001"], certification_expiry={"ISO-9001": soon})
    assert "ISO-9001 valid until" in _dashboard(_client(alice), firm_a)
    assert "ISO-9001 дійсний до" in _dashboard(_client(alice), firm_a, "uk")


def _pending(n: int) -> None:
    radar = Capability.objects.get(code="sensors.radar")
    for _ in range(n):
        firm = FirmFactory(status=Firm.Status.PENDING)
        FirmCapabilityFactory(firm=firm, capability=radar, kind="seek", monthly_capacity=None)


def test_the_verification_queue_shows_completeness_in_a_constant_number_of_queries(rita, django_assert_max_num_queries):
    client = _client(rita)
    url = reverse("web:review_firms")
    _pending(2)
    with django_assert_max_num_queries(40) as few:
        body = client.get(url).content.decode()
    assert "Completeness" in body and "%</summary>" in body
    _pending(15)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["firms"]) == 17
    assert all(0 <= f.completeness <= 100 for f in response.context["firms"])
    seeks_only = response.context["firms"][-1]
    assert "seeks" not in {h.key for h in seeks_only.completeness_hints}


def test_the_verification_queue_in_ukrainian(rita):
    rita.language = "uk"
    rita.save(update_fields=["language"])
    _pending(1)
    body = _client(rita).get(reverse("web:review_firms"), HTTP_ACCEPT_LANGUAGE="uk").content.decode()
    assert "Заповненість" in body

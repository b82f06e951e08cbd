"""POST /api/v1/firms/{id}/confirm/: owners and editors confirm a profile is current, for every persona."""

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from registry.models import Firm
from tests.conftest import PERSONAS

EDITORS = {"alice_client", "alice_editor_client", "alice_token"}


@pytest.fixture
def stale_a(firm_a, firm_b, alice, alice_editor, alice_viewer, bob, rita, adam):
    long_ago = timezone.now() - relativedelta(months=13)
    Firm.objects.filter(pk=firm_a.pk).update(confirmed_at=long_ago)
    return firm_a


def _url(firm) -> str:
    return f"/api/v1/firms/{firm.pk}/confirm/"


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_confirm_by_persona(stale_a, persona, request):
    name = request.node.callspec.params["persona"]
    response = persona.post(_url(stale_a))
    expected = 401 if name == "anon" else 200 if name in EDITORS else 403
    assert response.status_code == expected, response.content
    stale_a.refresh_from_db()
    assert stale_a.is_stale() is (expected != 200)
    if expected == 200:
        body = response.json()
        assert body["stale"] is False
        confirmed = dt.datetime.fromisoformat(body["confirmed_at"].replace("Z", "+00:00"))
        assert abs(confirmed - timezone.now()) < dt.timedelta(minutes=1)
        assert body["stale_on"] > body["confirmed_at"]
    elif expected == 403:
        assert response.json()["error"]["code"] == "permission_denied"


def test_an_outsider_gets_404_for_a_firm_they_cannot_see(stale_a, bob_client):
    Firm.objects.filter(pk=stale_a.pk).update(status=Firm.Status.PENDING)
    assert bob_client.post(_url(stale_a)).status_code == 404
    assert bob_client.post("/api/v1/firms/2000000000/confirm/").status_code == 404


def test_the_firm_says_when_it_goes_stale(stale_a, alice_client):
    body = alice_client.get(f"/api/v1/firms/{stale_a.pk}/").json()
    assert body["stale"] is True
    assert body["certification_expiry"] == {}


def test_confirmed_at_and_staleness_are_read_only(stale_a, alice_client):
    response = alice_client.patch(
        f"/api/v1/firms/{stale_a.pk}/", {"confirmed_at": "2030-01-01T00:00:00Z"}, format="json"
    )
    assert response.status_code == 400
    assert "read-only" in response.json()["error"]["fields"]["confirmed_at"][0]

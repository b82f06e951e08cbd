"""`event.agenda_published`: events publishes the domain event when a reviewer publishes an agenda;
integrations delivers it, signed, to each participating firm's subscribed endpoints only."""

import pytest
from standardwebhooks.webhooks import Webhook

from events.models import Event
from events.services import events as event_services
from integrations.models import EVENT_TYPES, WebhookDelivery
from tests.events.helpers import accepted, make_event, register
from tests.factories import FirmFactory, MembershipFactory, UserFactory
from tests.integrations.conftest import make_endpoint
from tests.integrations.receiver import webhook_receiver

pytestmark = pytest.mark.django_db


def test_the_event_type_is_offered(alice_token, firm_a):
    assert "event.agenda_published" in EVENT_TYPES
    response = alice_token.post(
        f"/api/v1/firms/{firm_a.pk}/webhooks/",
        {"url": "https://hooks.example/alliance", "event_types": ["event.agenda_published"]},
    )
    assert response.status_code == 201, response.content


def test_publishing_an_agenda_reaches_each_participating_firm_signed(
    alice, bob, rita, firm_a, firm_b, alice_token, django_capture_on_commit_callbacks
):
    event = make_event(status=Event.Status.SCHEDULING)
    pa, pb = register(event, firm_a, alice), register(event, firm_b, bob)
    accepted(pa, pb)
    outsider = FirmFactory(ref="pl-outsider", name="Outsider Sp. z o.o.", partner=True)
    MembershipFactory(user=UserFactory(username="olek"), firm=outsider, role="owner")
    with webhook_receiver() as receiver:
        endpoint_a = make_endpoint(firm_a, receiver.url + "/a", event_types=["event.agenda_published"], user=alice)
        make_endpoint(firm_b, receiver.url + "/b", event_types=["proposal.approved"], user=bob)
        make_endpoint(outsider, receiver.url + "/c", event_types=["event.agenda_published"])
        with django_capture_on_commit_callbacks(execute=True):
            event_services.event_publish(event=event, reviewer=rita, final=True)

    assert [r.path for r in receiver.requests] == ["/hooks/alliance/a"]  # b did not subscribe, c does not take part
    got = receiver.requests[0]
    payload = Webhook(endpoint_a.secret).verify(got.body, got.headers)
    assert payload["type"] == "event.agenda_published"
    assert payload["data"]["event"] == {"id": event.pk, "name": event.name}
    agenda = payload["data"]["agenda"]
    assert agenda["final"] is True and agenda["participation"] == pa.pk
    assert alice_token.get(agenda["url"]).status_code == 200  # where firm A reads its own meetings
    assert set(agenda) == {"final", "version", "participation", "url"}  # nothing of firm B's
    assert WebhookDelivery.objects.get().status == "succeeded"


def test_publishing_again_is_a_new_message(alice, bob, rita, firm_a, firm_b, django_capture_on_commit_callbacks):
    event = make_event(status=Event.Status.SCHEDULING)
    register(event, firm_a, alice)
    make_endpoint(firm_a, "https://hooks.example/a", event_types=["event.agenda_published"], user=alice)
    with django_capture_on_commit_callbacks(execute=False):
        event_services.event_publish(event=event, reviewer=rita)
        assert WebhookDelivery.objects.count() == 1

"""/api/v1/notifications/: `kind` is a typed enum in OpenAPI, and `ordering` is validated (an unknown
field answers 400 naming it, like an unknown parameter)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from matching.models import Notification
from review.api.proposals import NotificationKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(alice):
    now = timezone.now()
    rows = []
    for i, kind in enumerate(["approved", "connected", "saved_search"]):
        n = Notification.objects.create(user=alice, kind=kind, title=f"n{i}", idempotency_key=f"k{i}")
        Notification.objects.filter(pk=n.pk).update(created_at=now - timedelta(minutes=10 - i))
        rows.append(n.pk)
    Notification.objects.filter(pk=rows[0]).update(read_at=now)
    return rows


def ids(response):
    assert response.status_code == 200, response.content
    return [n["id"] for n in response.json()["results"]]


def test_default_is_newest_first_and_ordering_changes_it(alice_token, three):
    assert ids(alice_token.get("/api/v1/notifications/")) == three[::-1]
    assert ids(alice_token.get("/api/v1/notifications/?ordering=created_at")) == three
    assert ids(alice_token.get("/api/v1/notifications/?ordering=-id")) == three[::-1]
    assert ids(alice_token.get("/api/v1/notifications/?ordering=read_at,id"))[0] == three[0]


def test_the_sync_ordering_still_pages_by_cursor(alice_token, three):
    response = alice_token.get("/api/v1/notifications/?ordering=created_at,id&page_size=2")
    assert ids(response) == three[:2]
    assert "cursor=" in response.json()["next"]


@pytest.mark.parametrize("ordering", ["title", "-bogus", "created_at,secret"])
def test_an_unknown_ordering_field_is_400_naming_it(alice_token, three, ordering):
    response = alice_token.get(f"/api/v1/notifications/?ordering={ordering}")
    assert response.status_code == 400
    error = response.json()["error"]
    assert list(error["fields"]) == ["ordering"]
    unknown = [t for t in ordering.split(",") if t.lstrip("-") not in ("created_at", "read_at", "id")]
    assert all(name in error["fields"]["ordering"][0] for name in unknown)
    assert "created_at" in error["fields"]["ordering"][0]


def test_the_answer_is_translated(alice_token, three):
    response = alice_token.get("/api/v1/notifications/?ordering=title", HTTP_ACCEPT_LANGUAGE="uk")
    assert "Невідоме поле сортування" in response.json()["error"]["fields"]["ordering"][0]


def test_kind_is_an_enum_in_the_schema(django_db_blocker):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    kind = schema["components"]["schemas"]["Notification"]["properties"]["kind"]
    assert (kind.get("$ref") or kind["allOf"][0]["$ref"]).endswith("/NotificationKindEnum")
    assert schema["components"]["schemas"]["NotificationKindEnum"]["enum"] == NotificationKind.values
    ordering = next(
        p for p in schema["paths"]["/api/v1/notifications/"]["get"]["parameters"] if p["name"] == "ordering"
    )
    assert "`-created_at`" in ordering["description"]


def test_every_kind_the_apps_write_is_in_the_enum():
    """The producers' constants (review, events, directory, registry) are all listed."""
    import inspect

    from directory import services as directory_services
    from events.services import notify as event_notify
    from registry import freshness
    from review.services.notifications import Kind

    written = {v for k, v in vars(Kind).items() if k.isupper()}
    written |= {v for k, v in vars(event_notify).items() if k.startswith("KIND_")}
    written |= {v for k, v in vars(freshness).items() if k.startswith("KIND_")}
    assert 'kind="saved_search"' in inspect.getsource(directory_services)
    written.add("saved_search")
    assert written <= set(NotificationKind.values), written - set(NotificationKind.values)

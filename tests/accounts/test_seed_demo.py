"""`manage.py seed_demo`: ~200 realistic firms through the importer, demo log-ins, idempotent."""

from io import StringIO

import pytest
from django.core import serializers
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from accounts.models import Membership, User
from registry.models import Firm, FirmCapability, FirmRevision


@pytest.fixture(autouse=True)
def _debug_on(settings):
    # pytest-django runs with DEBUG off, where seed_demo refuses; a developer's machine has it on.
    settings.DEBUG = True


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> str:
    querysets = [
        Firm.objects.order_by("ref"),
        FirmCapability.objects.order_by("id"),
        FirmRevision.objects.order_by("id"),
        User.objects.order_by("username"),
        Membership.objects.order_by("id"),
    ]
    return "".join(serializers.serialize("json", qs) for qs in querysets)


@pytest.mark.django_db
def test_the_default_demo_has_200_firms_a_review_queue_and_working_log_ins():
    output = seed()
    assert Firm.objects.count() == 200
    assert Firm.objects.filter(status="pending").count() == 8
    assert Firm.objects.filter(status="verified").count() == 192
    sides = dict.fromkeys(["ua", "partner"], 0) | {
        side: Firm.objects.filter(side=side).count() for side in ["ua", "partner"]
    }
    assert 50 <= sides["ua"] <= 80 and sides["partner"] >= 120  # about one Ukrainian firm in three
    assert FirmCapability.objects.filter(kind="offer").values("firm").distinct().count() == 200

    assert User.objects.get(username="reviewer").role == "reviewer"
    assert User.objects.get(username="admin").role == "administrator"
    ua = Membership.objects.get(user__username="ua_owner")
    partner = Membership.objects.get(user__username="partner_owner")
    assert (ua.role, ua.firm.side, ua.firm.status) == ("owner", "ua", "verified")
    assert (partner.role, partner.firm.side, partner.firm.status) == ("owner", "partner", "verified")

    # The printed log-ins work against the API.
    for username in ["admin", "reviewer", "ua_owner", "partner_owner"]:
        line = next(line for line in output.splitlines() if line.strip().startswith(username + " "))
        password = line.split()[1]
        response = APIClient().post("/api/v1/auth/token/", {"username": username, "password": password})
        assert response.status_code == 201, (username, response.content)


@pytest.mark.django_db
def test_running_it_twice_changes_nothing():
    seed("--firms", "60", "--seed", "7")
    before = snapshot()
    second = seed("--firms", "60", "--seed", "7")
    assert "created 0, updated 0, unchanged 58" in second
    assert snapshot() == before


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_firms_and_another_seed_others():
    seed("--firms", "30", "--seed", "1")
    first = list(Firm.objects.order_by("ref").values_list("ref", "name", "status"))
    Firm.objects.all().delete()
    seed("--firms", "30", "--seed", "1")
    assert list(Firm.objects.order_by("ref").values_list("ref", "name", "status")) == first
    seed("--firms", "30", "--seed", "2")
    assert Firm.objects.count() > 30


@pytest.mark.django_db
def test_it_refuses_to_create_published_passwords_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        seed("--firms", "10")
    assert not Firm.objects.exists()

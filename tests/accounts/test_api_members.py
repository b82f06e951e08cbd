"""Firm member management: owners manage, the last owner stays, outsiders see nothing."""

import threading

import pytest
from django.db import close_old_connections, connection

from accounts import services
from accounts.models import Membership
from core.errors import ApplicationError
from tests.factories import FirmFactory, MembershipFactory, UserFactory


def members_url(firm, membership=None) -> str:
    base = f"/api/v1/firms/{firm.id}/members/"
    return f"{base}{membership.id}/" if membership else base


def test_adding_someone_by_username_is_gone_and_points_to_invitations(alice_client, firm_a):
    dave = UserFactory(username="dave")
    response = alice_client.post(members_url(firm_a), {"username": "dave", "role": "editor"})
    assert response.status_code == 405
    assert f"/api/v1/firms/{firm_a.id}/invitations/" in response.json()["error"]["message"]
    assert not Membership.objects.filter(user=dave).exists()


def _emails(client, firm) -> dict:
    return {m["username"]: m["email"] for m in client.get(members_url(firm)).json()["results"]}


def test_only_owners_reviewers_and_administrators_see_members_emails(
    alice_client, alice_viewer_client, alice_editor_client, rita_client, adam_client, firm_a, alice
):
    everyone = {"alice": "alice@example.org", "alice_editor": "alice_editor@example.org", "alice_viewer": "alice_viewer@example.org"}  # fmt: skip
    for client in (alice_client, rita_client, adam_client):
        assert _emails(client, firm_a) == everyone
    # Other members see names and roles, and their own address only.
    assert _emails(alice_viewer_client, firm_a) == {"alice": None, "alice_editor": None, "alice_viewer": "alice_viewer@example.org"}  # fmt: skip
    assert _emails(alice_editor_client, firm_a) == {"alice": None, "alice_editor": "alice_editor@example.org", "alice_viewer": None}  # fmt: skip


def test_the_last_owner_can_be_neither_demoted_nor_removed(alice_client, alice, firm_a):
    own = Membership.objects.get(user=alice, firm=firm_a)
    demote = alice_client.patch(members_url(firm_a, own), {"role": "editor"})
    assert demote.status_code == 409
    assert demote.json()["error"]["code"] == "last_owner"
    assert alice_client.delete(members_url(firm_a, own)).status_code == 409
    assert Membership.objects.get(pk=own.pk).role == "owner"


def test_with_a_second_owner_alice_may_step_down(alice_client, alice, firm_a):
    MembershipFactory(user=UserFactory(username="olga"), firm=firm_a, role="owner")
    own = Membership.objects.get(user=alice, firm=firm_a)
    assert alice_client.patch(members_url(firm_a, own), {"role": "editor"}).status_code == 200
    assert alice_client.patch(members_url(firm_a, own), {"role": "owner"}).status_code == 403  # no longer an owner


def test_a_viewer_may_leave_but_not_remove_others(alice_viewer_client, alice_viewer, alice_editor, firm_a):
    editor = Membership.objects.get(user=alice_editor)
    assert alice_viewer_client.delete(members_url(firm_a, editor)).status_code == 403
    mine = Membership.objects.get(user=alice_viewer)
    assert alice_viewer_client.delete(members_url(firm_a, mine)).status_code == 204
    assert alice_viewer_client.get(members_url(firm_a)).status_code == 404  # no longer a member


def test_a_membership_of_another_firm_is_404_even_for_its_owner(alice_client, firm_a, bob, firm_b):
    bobs = Membership.objects.get(user=bob)
    assert alice_client.patch(members_url(firm_a, bobs), {"role": "viewer"}).status_code == 404
    assert alice_client.delete(members_url(firm_a, bobs)).status_code == 404


def test_bob_gets_404_on_firm_a_and_learns_nothing(bob_client, firm_a, alice):
    response = bob_client.get(members_url(firm_a))
    assert response.status_code == 404
    assert "alice" not in response.content.decode()


def test_the_member_list_query_count_does_not_grow(alice_client, alice, firm_a, django_assert_max_num_queries):
    def count_queries() -> int:
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert alice_client.get(members_url(firm_a)).status_code == 200
        return len(ctx.captured_queries)

    few = count_queries()
    for n in range(15):
        MembershipFactory(user=UserFactory(username=f"member{n}"), firm=firm_a, role="viewer")
    with django_assert_max_num_queries(few):
        body = alice_client.get(members_url(firm_a)).json()
    assert body["count"] == 16


def test_membership_set_is_idempotent(db, alice, firm_a):
    membership, created = services.membership_set(firm=firm_a, user=alice, role="owner")
    assert not created and membership.role == "owner"
    with pytest.raises(ApplicationError) as err:
        services.membership_set(firm=firm_a, user=alice, role="chief")
    assert "role" in err.value.fields


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_owners_demoting_each_other_at_once_leave_one_owner():
    firm = FirmFactory(ref="ua-race")
    olga = MembershipFactory(user=UserFactory(username="olga"), firm=firm, role="owner")
    petro = MembershipFactory(user=UserFactory(username="petro"), firm=firm, role="owner")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def demote(target: Membership, actor_id: int) -> None:
        try:
            barrier.wait()
            fresh = Membership.objects.select_related("firm", "user").get(pk=target.pk)
            actor = type(fresh.user).objects.get(pk=actor_id)
            services.membership_change_role(membership=fresh, actor=actor, role="viewer")
            outcomes.append("ok")
        except ApplicationError as exc:
            outcomes.append(exc.code)
        finally:
            close_old_connections()
            connection.close()

    threads = [
        threading.Thread(target=demote, args=(petro, olga.user_id)),
        threading.Thread(target=demote, args=(olga, petro.user_id)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # One demotion wins; the other either finds itself no longer an owner or hits the last-owner rule.
    assert sorted(outcomes) in (["last_owner", "ok"], ["ok", "permission_denied"])
    assert Membership.objects.filter(firm=firm, role="owner").count() == 1

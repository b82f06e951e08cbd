"""/api/v1/match-runs/: reviewers and administrators only, for every persona."""

import pytest

from matching.models import MatchRun, Proposal
from tests.conftest import PERSONAS
from tests.matching.population import make_population

LIST = "/api/v1/match-runs/"
STATUS_BY_PERSONA = {
    "anon": 401,
    "alice_client": 403,
    "alice_editor_client": 403,
    "alice_viewer_client": 403,
    "bob_client": 403,
    "alice_token": 403,
    "rita_client": 200,
    "adam_client": 200,
}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The personas' password hashing dominates these tests otherwise; nobody logs in with a password here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def finished_run(db):
    return MatchRun.objects.create(
        kind=MatchRun.Kind.FULL,
        status=MatchRun.Status.SUCCEEDED,
        chunks_total=4,
        chunks_done=4,
        parameters={"top_k": 5},
    )


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_list_and_detail_are_for_reviewers_and_admins_only(persona, request, finished_run):
    name = request.node.callspec.params["persona"]
    expected = STATUS_BY_PERSONA[name]
    listing = persona.get(LIST)
    detail = persona.get(f"{LIST}{finished_run.pk}/")
    assert (listing.status_code, detail.status_code) == (expected, expected)
    if expected == 200:
        assert listing.json()["results"][0]["id"] == finished_run.pk
        body = detail.json()
        assert body["progress"] == 1.0 and body["status"] == "succeeded" and body["parameters"] == {"top_k": 5}
    else:
        assert set(listing.json()["error"]) >= {"code", "message", "fields"}


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_starting_a_run_is_for_reviewers_and_admins_only(
    db, persona, request, settings, django_capture_on_commit_callbacks
):
    settings.MATCHING = {**settings.MATCHING, "CHUNK_SIZE": 2}
    make_population()
    name = request.node.callspec.params["persona"]
    expected = {200: 202}.get(STATUS_BY_PERSONA[name], STATUS_BY_PERSONA[name])
    with django_capture_on_commit_callbacks(execute=True):
        response = persona.post(LIST, {}, format="json")
    assert response.status_code == expected, response.content
    if expected == 202:
        body = response.json()
        run = MatchRun.objects.get(pk=body["id"])
        assert run.created_by.username in ("rita", "adam")
        assert run.status == MatchRun.Status.SUCCEEDED  # eager tasks: done after commit
        assert Proposal.objects.filter(run=run).exists()
    else:
        assert not MatchRun.objects.exists()


def test_a_second_start_while_one_is_active_answers_409_run_in_progress(rita_client):
    first = rita_client.post(LIST, {}, format="json")  # no on-commit execution: stays queued
    assert first.status_code == 202 and first.json()["status"] == "queued"
    second = rita_client.post(LIST, {}, format="json")
    assert second.status_code == 409
    error = second.json()["error"]
    assert error["code"] == "run_in_progress" and error["run_id"] == first.json()["id"]
    assert "already in progress" in error["message"]


def test_unknown_start_fields_are_refused_by_name(rita_client):
    response = rita_client.post(LIST, {"top_k": 3}, format="json")
    assert response.status_code == 400
    assert "top_k" in response.json()["error"]["fields"]
    assert not MatchRun.objects.exists()


def test_unknown_run_is_404_for_reviewers(rita_client, db):
    assert rita_client.get(f"{LIST}999999/").status_code == 404


def test_list_query_count_does_not_grow_with_runs(rita_client, rita, django_assert_max_num_queries):
    for status in ("succeeded", "failed", "succeeded", "failed", "succeeded"):
        MatchRun.objects.create(kind=MatchRun.Kind.FIRM, status=status, created_by=rita)
    with django_assert_max_num_queries(4):  # session user, count, page (+ savepoint slack)
        response = rita_client.get(LIST)
    assert response.json()["count"] == 5


def test_list_filters_by_kind_and_status(rita_client, finished_run):
    MatchRun.objects.create(kind=MatchRun.Kind.FIRM, status=MatchRun.Status.FAILED)
    assert rita_client.get(LIST, {"kind": "firm"}).json()["count"] == 1
    assert rita_client.get(LIST, {"status": "succeeded"}).json()["results"][0]["id"] == finished_run.pk


@pytest.mark.parametrize("name", ["kind", "status"])
@pytest.mark.parametrize("value", ["\x00", "bogus"])
def test_a_kind_or_status_outside_the_choices_is_a_400_naming_it_and_its_values(rita_client, finished_run, name, value):
    response = rita_client.get(LIST, {name: value})
    assert response.status_code == 400, response.content
    fields = response.json()["error"]["fields"]
    allowed = MatchRun.Kind.values if name == "kind" else MatchRun.Status.values
    assert list(fields) == [name] and ", ".join(allowed) in fields[name][0]


def test_both_filters_wrong_name_both_parameters(rita_client, finished_run):
    response = rita_client.get(LIST, {"status": "bogus", "kind": "nope"})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"kind", "status"}


def test_a_refused_choice_lists_the_values_in_ukrainian_too(rita_client, finished_run):
    response = rita_client.get(LIST, {"status": "bogus"}, HTTP_ACCEPT_LANGUAGE="uk")
    message = response.json()["error"]["fields"]["status"][0]
    assert "Має бути одним із: queued, running, succeeded, failed." in message


def test_a_run_nobody_started_matches_the_schema(rita_client, finished_run):
    from tests.api.test_required_fields import check, components_of_the_schema

    body = rita_client.get(f"{LIST}{finished_run.pk}/").json()
    assert body["created_by"] is None
    check(components_of_the_schema(), "MatchRun", body)

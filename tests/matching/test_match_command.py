"""`manage.py match`: in-process without a broker, with a progress bar and a summary."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from matching.models import MatchRun, Proposal
from tests.matching.population import make_population


@pytest.fixture
def population(db, settings):
    settings.MATCHING = {**settings.MATCHING, "CHUNK_SIZE": 2}
    settings.CELERY_TASK_ALWAYS_EAGER = True
    return make_population()


def test_match_runs_in_process_and_prints_a_summary(population):
    out, err = StringIO(), StringIO()
    call_command("match", "--wait", stdout=out, stderr=err)
    run = MatchRun.objects.get()
    assert run.status == MatchRun.Status.SUCCEEDED and run.created_by is None
    summary = out.getvalue()
    assert f"Match run #{run.pk} succeeded" in summary
    assert f"proposals {run.proposals_created} created, 0 updated, 0 superseded" in summary
    assert "12 pairs scored in 2 chunks" in summary
    assert "2/2" in err.getvalue()  # the progress bar reached the end
    assert Proposal.objects.count() == run.proposals_created > 0


def test_match_twice_updates_instead_of_duplicating(population):
    call_command("match", stdout=StringIO(), stderr=StringIO())
    out = StringIO()
    call_command("match", stdout=out, stderr=StringIO())
    first, second = MatchRun.objects.order_by("id")
    assert second.proposals_created == 0 and second.proposals_updated == first.proposals_created
    assert Proposal.objects.count() == first.proposals_created


def test_match_refuses_while_a_full_run_is_active(population):
    MatchRun.objects.create(kind=MatchRun.Kind.FULL, status=MatchRun.Status.RUNNING)
    with pytest.raises(CommandError, match="already in progress"):
        call_command("match", stdout=StringIO(), stderr=StringIO())


def test_with_a_broker_and_no_wait_the_run_is_only_queued(population, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    out = StringIO()
    call_command("match", stdout=out, stderr=StringIO())  # the test transaction never commits: nothing is sent
    run = MatchRun.objects.get()
    assert run.status == MatchRun.Status.QUEUED
    assert f"Match run #{run.pk} queued" in out.getvalue()

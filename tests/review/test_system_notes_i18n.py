"""The notes the system writes when a firm's change withdraws its proposals (a changed identity, a
suspension, a confirmed sanctions match) and the suspension notes of the admin's bulk action and of a
confirmed sanctions match are codes and values, read in the reader's language on the pages and in the
API; the English sentences stored before are converted by the data migrations."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from matching.models import Proposal, ProposalEvent
from registry.history import revision_note
from registry.models import Firm, FirmRevision
from registry.services import firm_suspend
from review.services import workflow as review
from tests.factories import FirmCapabilityFactory, FirmFactory, ProposalFactory, UserFactory

S = Proposal.Status
IDENTITY = {
    "en": "Identity changed (Legal name): back to pending for re-verification.",
    "uk": "Змінено реквізити (Юридична назва): компанія знову чекає на верифікацію.",
}
IN_ADMIN = {
    "en": "Suspended in the admin by {user}.",
    "uk": "Призупинено через панель адміністратора (користувач {user}).",
}
SUSPENDED = {"en": "Firm suspended: Export licence revoked", "uk": "Компанію призупинено: Export licence revoked"}


@pytest.fixture
def proposal(firm_a, firm_b, rita):
    FirmCapabilityFactory(firm=firm_a)
    FirmCapabilityFactory(firm=firm_b)
    return review.proposal_approve(proposal=ProposalFactory(ukrainian=firm_a, partner=firm_b), reviewer=rita)


def _api(user, language):
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user=user)
    return client


def _page(user, language):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _withdrawal(proposal) -> ProposalEvent:
    return proposal.events.get(to_status=S.WITHDRAWN)


def _api_note(user, proposal, language) -> dict:
    response = _api(user, language).get(f"/api/v1/proposals/{proposal.pk}/events/")
    assert response.status_code == 200, response.content
    return next(e for e in response.json() if e["to_status"] == S.WITHDRAWN)


@pytest.mark.parametrize("language", ["en", "uk"])
def test_proposals_withdrawn_by_an_identity_change_read_in_the_readers_language(
    alice, rita, firm_a, proposal, language
):
    response = _api(alice, "en").patch(f"/api/v1/firms/{firm_a.pk}/", {"name": "SkyForge Defence LLC"}, format="json")
    assert response.status_code == 200, response.content
    event = _withdrawal(proposal)
    assert (event.note, event.note_code, event.note_params) == ("", "identity_changed", {"fields": ["name"]})
    assert _api_note(rita, proposal, language)["note"] == IDENTITY[language]  # firms do not see withdrawn ones
    page = _page(rita, language).get(reverse("web:review_proposal", args=[proposal.pk])).content.decode()
    assert IDENTITY[language] in page and "withdrawn: identity changed" not in page


@pytest.mark.parametrize("language", ["en", "uk"])
def test_the_admins_suspension_note_reads_in_the_readers_language(alice, rita, firm_a, proposal, language):
    staff = UserFactory(username="rita-admin", is_staff=True, is_reviewer=True)
    admin = Client()
    admin.force_login(staff)
    admin.post("/admin/alliance/firm/", {"action": "suspend_selected", "_selected_action": [firm_a.pk]})
    firm_a.refresh_from_db()
    assert firm_a.status == "suspended"
    note = IN_ADMIN[language].format(user="rita-admin")
    revision = FirmRevision.objects.filter(firm=firm_a).latest("id")
    assert (revision.note_code, revision.note_params) == ("suspended_in_admin", {"by": "rita-admin"})
    page = _page(rita, language).get(reverse("web:review_firm", args=[firm_a.pk])).content.decode()
    assert note in page
    history = _api(rita, language).get(f"/api/v1/firms/{firm_a.pk}/history/")
    assert history.status_code == 200, history.content
    assert note in [entry["note"] for entry in history.json()["results"]]
    event = _withdrawal(proposal)
    assert (event.note, event.note_code, event.note_params) == ("", "suspended_in_admin", {"by": "rita-admin"})
    assert _api_note(rita, proposal, language)["note"] == note
    assert (
        IN_ADMIN[language].format(user="rita-admin")
        in _page(rita, language).get(reverse("web:review_proposal", args=[proposal.pk])).content.decode()
    )


@pytest.mark.parametrize("language", ["en", "uk"])
def test_a_reviewers_suspension_reason_is_kept_as_written_in_the_readers_sentence(rita, firm_a, proposal, language):
    firm_suspend(firm=firm_a, reviewer=rita, reason="Export licence revoked")
    event = _withdrawal(proposal)
    assert (event.note, event.note_code, event.note_params) == (
        "",
        "firm_suspended",
        {"reason": "Export licence revoked"},
    )
    assert _api_note(rita, proposal, language)["note"] == SUSPENDED[language]
    page = _page(rita, language).get(reverse("web:review_proposal", args=[proposal.pk])).content.decode()
    assert SUSPENDED[language] in page


def _migration(app, name):
    return importlib.import_module(f"{app}.migrations.{name}")


def test_the_migrations_turn_the_stored_english_notes_into_codes(rita, firm_a, firm_b):
    third = FirmFactory(ref="de-third", partner=True)
    proposals = [ProposalFactory(ukrainian=firm_a, partner=p, status=S.WITHDRAWN) for p in (firm_b, third)]
    proposals.append(ProposalFactory(ukrainian=FirmFactory(ref="ua-x", edrpou="14352659"), partner=firm_b))
    proposals.append(ProposalFactory(ukrainian=FirmFactory(ref="ua-y", edrpou="00032945"), partner=firm_b))
    notes = [
        "withdrawn: identity changed (name, edrpou)",
        "withdrawn: firm suspended: Suspended in the admin by rita",
        "withdrawn: firm suspended: Export licence\nrevoked",
        "withdrawn: confirmed sanctions match",
    ]
    events = [
        ProposalEvent.objects.create(proposal=p, actor_role="system", to_status=S.WITHDRAWN, note=note)
        for p, note in zip(proposals, notes, strict=True)
    ]
    typed = ProposalEvent.objects.create(
        proposal=proposals[0], actor_role="reviewer", to_status=S.WITHDRAWN, note="A reviewer wrote this"
    )
    revision = FirmRevision.objects.create(
        firm=firm_a, source="status", changed_fields=[], note="Suspended in the admin by rita", data={}
    )
    sanctions = FirmRevision.objects.create(
        firm=firm_a, source="status", changed_fields=[], note="Confirmed sanctions match: Same directors", data={}
    )
    other = FirmRevision.objects.create(firm=firm_a, source="status", changed_fields=[], note="Sanctions", data={})
    with connection.schema_editor() as editor:
        _migration("matching", "0011_proposalevent_note_code").notes_to_codes(apps, editor)
        _migration("registry", "0016_suspension_note_codes").notes_to_codes(apps, editor)
    got = [ProposalEvent.objects.values_list("note", "note_code", "note_params").get(pk=e.pk) for e in events]
    # The English sentence stays beside the code, so rolling the migration back loses nothing.
    assert got == [
        (notes[0], "identity_changed", {"fields": ["name", "edrpou"]}),
        (notes[1], "suspended_in_admin", {"by": "rita"}),
        (notes[2], "firm_suspended", {"reason": "Export licence\nrevoked"}),
        (notes[3], "sanctions_confirmed", {}),
    ]
    with translation.override("uk"):
        assert "rita" in revision_note(ProposalEvent.objects.get(pk=events[1].pk))
        assert "withdrawn" not in revision_note(ProposalEvent.objects.get(pk=events[0].pk))
    assert ProposalEvent.objects.values_list("note", "note_code").get(pk=typed.pk) == ("A reviewer wrote this", "")
    revision.refresh_from_db()
    sanctions.refresh_from_db()
    other.refresh_from_db()
    assert (sanctions.note, sanctions.note_code, sanctions.note_params) == (
        "",
        "sanctions_confirmed",
        {"reason": "Same directors"},
    )
    assert (revision.note, revision.note_code, revision.note_params) == ("", "suspended_in_admin", {"by": "rita"})
    assert (other.note, other.note_code) == ("Sanctions", "")
    with pytest.raises(Exception, match="append-only"):  # the trigger is on again
        ProposalEvent.objects.filter(pk=typed.pk).update(note="changed")


def test_a_reviewers_coded_note_is_hidden_from_firms_like_a_written_one(alice, rita, proposal):
    from review.selectors import proposal_event_list

    ProposalEvent.objects.create(
        proposal=proposal, actor=rita, actor_role="reviewer", to_status=S.APPROVED,
        note_code="firm_suspended", note_params={"reason": "Reviewer's own words"},
    )  # fmt: skip
    seen = proposal_event_list(proposal=proposal, user=alice)[-1]
    assert (seen.note, seen.note_code, seen.note_hidden) == ("", "", True)
    assert proposal_event_list(proposal=proposal, user=rita)[-1].note_code == "firm_suspended"


@pytest.mark.parametrize(
    ("language", "withdrawn", "suspended"),
    [
        ("en", "Confirmed sanctions match.", "Confirmed sanctions match: Same directors"),
        ("uk", "Підтверджено збіг із санкційним списком.", "Підтверджено збіг із санкційним списком: Same directors"),
    ],
)
def test_a_confirmed_sanctions_match_reads_in_the_readers_language(
    rita, firm_a, proposal, language, withdrawn, suspended
):
    from compliance.models import Screening
    from compliance.services import screening_confirm

    Firm.objects.filter(pk=firm_a.pk).update(screening_status=Firm.ScreeningStatus.POTENTIAL_MATCH)
    Screening.objects.create(firm=firm_a, status="potential_match", screened_name=firm_a.name)
    screening_confirm(firm=firm_a, reviewer=rita, note="Same directors")
    assert _api_note(rita, proposal, language)["note"] == withdrawn
    page = _page(rita, language).get(reverse("web:review_proposal", args=[proposal.pk])).content.decode()
    assert withdrawn in page
    page = _page(rita, language).get(reverse("web:review_firm", args=[firm_a.pk])).content.decode()
    assert suspended in page

"""Importing lists, screening firms, and reviewers' confirm/dismiss decisions."""

import pytest

from compliance.models import (
    SanctionsEntry,
    SanctionsKey,
    SanctionsList,
    Screening,
    ScreeningDecision,
    ScreeningMatch,
)
from compliance.services import (
    SanctionsImportError,
    firm_screen,
    firms_screen,
    sanctions_list_import,
    screening_confirm,
    screening_dismiss,
)
from core.errors import ApplicationError, ConflictError
from matching.models import Proposal, ProposalEvent
from registry.models import Firm, FirmRevision
from registry.selectors import firms_eligible_for_matching
from tests.compliance.conftest import SMALL_LIST
from tests.factories import FirmFactory, ProposalFactory

FS = Firm.ScreeningStatus


# --- Import ---------------------------------------------------------------------------------------


def test_import_keeps_companies_organisations_legal_entities_and_persons(small_list):
    assert small_list.is_active
    assert (small_list.rows_read, small_list.entries_count, small_list.skipped_count) == (9, 8, 1)
    assert len(small_list.sha256) == 64 and small_list.source_name == "sanctions_small.csv"
    person = SanctionsEntry.objects.get(sanctions_list=small_list, entity_id="NK-sidorov")
    assert person.schema == "Person"
    assert person.aliases == ["Ivan Petrovich Sidorov", "Sidorov Ivan"]
    assert person.sanctions == ["EU 269/2014"] and person.dataset == "EU Financial Sanctions Files"
    assert person.first_seen == "2022-03-15T00:00:00"
    obscure = SanctionsEntry.objects.get(sanctions_list=small_list, entity_id="NK-obscure")
    assert obscure.identifiers == ["LEI 213800QZXR4B9CJ7KL55", "41234567"]
    assert not SanctionsEntry.objects.filter(entity_id="NK-vessel").exists()


def test_the_stored_lookup_keys_are_every_key_of_every_entry_and_the_import_keeps_its_index(small_list):
    from compliance import namematch
    from compliance.services.screening import active_list, screening_index_cached

    for entry in SanctionsEntry.objects.filter(sanctions_list=small_list):
        expected = namematch.entry_keys(entry.name, entry.aliases, entry.countries) | namematch.identifier_keys(
            entry.identifiers
        )
        stored = set(SanctionsKey.objects.filter(entry=entry).values_list("key", flat=True))
        assert stored == {k[:255] for k in expected}, entry.entity_id
    # The re-screen in this process uses the index the import built (same object, no second read).
    kept = screening_index_cached(sanctions_list=active_list())
    assert len(kept) > 0
    assert screening_index_cached(sanctions_list=active_list()) is kept
    rebuilt = namematch.ScreeningIndex()
    for e in SanctionsEntry.objects.filter(sanctions_list=small_list):
        rebuilt.add(e.pk, e.name, e.aliases, e.identifiers, countries=e.countries, schema=e.schema)
    assert len(rebuilt) == len(kept)
    assert rebuilt.screen("Uraltekhpribor GmbH") == kept.screen("Uraltekhpribor GmbH")


def test_import_rescreens_every_firm_after_commit(db, django_capture_on_commit_callbacks):
    suspect = FirmFactory(ref="de-ural", name="Uraltekhpribor GmbH", partner=True)
    with django_capture_on_commit_callbacks(execute=True):
        sanctions_list_import(path=SMALL_LIST)
    suspect.refresh_from_db()
    assert suspect.screening_status == FS.POTENTIAL_MATCH
    assert Screening.objects.get(firm=suspect).sanctions_list.is_active


def test_a_new_import_replaces_the_list_and_screenings_record_their_version(small_list, list_variant):
    firm = FirmFactory(ref="de-kz", name="Optika Krasnaya Zvezda Ltd", partner=True)
    first = firm_screen(firm=firm)
    second_list = sanctions_list_import(path=list_variant("v2.csv", drop_ids=("NK-krasnaya-zvezda",)))
    small_list.refresh_from_db()
    assert not small_list.is_active and second_list.is_active
    assert SanctionsList.objects.filter(is_active=True).count() == 1
    assert second_list.entries_count == 7
    assert set(SanctionsKey.objects.values_list("sanctions_list", flat=True).distinct()) == {second_list.pk}
    assert SanctionsEntry.objects.filter(sanctions_list=small_list).count() == 8  # kept for past screenings
    second = firm_screen(firm=firm)
    assert (first.sanctions_list, first.status) == (small_list, FS.POTENTIAL_MATCH)
    assert (second.sanctions_list, second.status) == (second_list, FS.CLEAR)


def _assert_nothing_imported(before: SanctionsList | None):
    assert SanctionsList.objects.filter(is_active=True).first() == before
    assert SanctionsList.objects.count() == (1 if before else 0)


@pytest.mark.parametrize(
    ("replace", "row", "why"),
    [
        ({",identifiers,": ",idents,"}, 1, "missing required column(s) identifiers"),
        (
            {"2022-06-01T00:00:00,2026-11-01T00:00:00,2022-06-01T00:00:00": "2022-06-01T00:00:00"},
            4,
            "expected 15 columns",
        ),
        ({"NK-zhuravl,Organization,Zhuravl Avionika OOO,": "NK-zhuravl,Organization,,"}, 5, "empty name"),
        ({"NK-obscure,": ","}, 6, "empty id"),
        ({"NK-almaz-def,": "NK-uraltekh,"}, 7, "duplicate id 'NK-uraltekh'"),
    ],
)
def test_a_malformed_file_imports_nothing_and_names_the_row(small_list, list_variant, replace, row, why):
    with pytest.raises(SanctionsImportError) as error:
        sanctions_list_import(path=list_variant(replace=replace))
    assert error.value.row == row
    assert f"row {row}: " in error.value.message and why in error.value.message
    _assert_nothing_imported(small_list)


def test_an_empty_or_binary_file_imports_nothing(db, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(SanctionsImportError, match="row 1: the file is empty"):
        sanctions_list_import(path=empty)
    binary = tmp_path / "binary.csv"
    binary.write_bytes(SMALL_LIST.read_bytes() + b"NK-x,Company,\xff\xfe,,,,,,,,,,,,\n")
    with pytest.raises(SanctionsImportError, match="not UTF-8"):
        sanctions_list_import(path=binary)
    _assert_nothing_imported(None)


def test_extra_and_reordered_columns_are_read_by_header_name(db, tmp_path):
    path = tmp_path / "newer.csv"
    path.write_text(
        "schema,id,target,name,aliases,birth_date,countries,addresses,identifiers,sanctions,phones,emails,dataset,"
        "first_seen,last_seen,last_change,referents\n"
        "Company,NK-new,true,Новая Компания Ромашка,,,,,,,,,ds,,,,x;y\n",
        encoding="utf-8",
    )
    imported = sanctions_list_import(path=path)
    entry = imported.entries.get()
    assert (entry.entity_id, entry.name, entry.dataset) == ("NK-new", "Новая Компания Ромашка", "ds")


# --- Screening ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fields", "entity_id", "reason"),
    [
        ("Uraltekhpribor GmbH", {}, "NK-uraltekh", "name"),  # Latin firm, Cyrillic entry
        # The Cyrillic name itself now matches: its spelled-out legal form is removed before romanising.
        ("ТОВ Харківський завод Електротяжмаш", {"country": "UA", "edrpou": "38123456"}, "NK-kharkov-etm", "name"),
        ("Optika Krasnaya Zvezda Ltd", {}, "NK-krasnaya-zvezda", "name"),  # reordered words
        ("Zhuravl Avionika S.A.", {}, "NK-zhuravl", "name"),  # changed legal form
        ("Westbridge Precision BV", {"lei": "213800QZXR4B9CJ7KL55"}, "NK-obscure", "identifier"),  # LEI only
        ("ТОВ Промінь", {"country": "UA", "edrpou": "41234567"}, "NK-obscure", "identifier"),  # EDRPOU only
        ("Sidorov Ivan", {}, "NK-sidorov", "name"),  # a person, no patronymic: the Cyrillic name matches
        ("ФОП Сидоров Іван Петрович", {"country": "UA", "edrpou": "38123457"}, "NK-sidorov", "name"),
    ],
)
def test_suspect_firms_become_potential_matches(small_list, name, fields, entity_id, reason):
    fields = {"country": "DE", "edrpou": "", **fields}
    firm = FirmFactory(ref="suspect", name=name, **fields)
    screening = firm_screen(firm=firm)
    firm.refresh_from_db()
    assert firm.screening_status == screening.status == FS.POTENTIAL_MATCH
    match = screening.matches.select_related("entry").get()
    assert (match.entry.entity_id, match.reason) == (entity_id, reason)
    assert 0.8 <= match.score <= 1.0
    assert not firms_eligible_for_matching().filter(pk=firm.pk).exists()


@pytest.mark.parametrize(
    "name",
    [
        "Defence Systems Group Ltd",  # vs sanctioned "Almaz Defence Systems JSC"
        "Engineering Industries Trading Group",  # generic words shared with "Aerospace Engineering ..."
        "Zhuravlev Consulting",  # shares a short prefix with "Zhuravl Avionika"
        "Uralis Technologies",  # shares "Ural" with "Uraltekhpribor"
        "Krasnaya Zarya Foods",  # one common word with "Krasnaya Zvezda Optika"
        "Sidorova Olena Consulting",
        "Admiral Sidorov Shipping",  # the Vessel entry was skipped
    ],
)
def test_look_alike_innocent_firms_stay_clear(small_list, name):
    firm = FirmFactory(ref="innocent", name=name, partner=True)
    screening = firm_screen(firm=firm)
    assert screening.status == FS.CLEAR and not screening.matches.exists()
    assert Firm.objects.get(pk=firm.pk).screening_status == FS.CLEAR


def test_screening_twice_with_the_same_result_adds_nothing(small_list):
    firm = FirmFactory(ref="de-ural", name="Uraltekhpribor GmbH", partner=True)
    assert firm_screen(firm=firm) == firm_screen(firm=firm)
    assert Screening.objects.filter(firm=firm).count() == 1


def test_without_a_list_screening_does_nothing(db):
    firm = FirmFactory(ref="de-ural", name="Uraltekhpribor GmbH", partner=True)
    assert firm_screen(firm=firm) is None
    assert firms_screen() == {"clear": 0, "potential_match": 0, "confirmed_match": 0, "false_positive": 0}


def test_bulk_screening_counts_by_status(small_list, firm_a, firm_b):
    FirmFactory(ref="de-ural", name="Uraltekhpribor GmbH", partner=True)
    counts = firms_screen()
    assert counts["potential_match"] == 1 and counts["clear"] == 2


def test_bulk_screening_twice_adds_nothing_and_keeps_a_fixed_number_of_queries(
    small_list, firm_a, firm_b, django_assert_max_num_queries
):
    for n, name in enumerate(["Uraltekhpribor GmbH", "Optika Krasnaya Zvezda Ltd", "Zhuravl Avionika S.A."]):
        FirmFactory(ref=f"s-{n}", name=name, partner=True)
    first = firms_screen()
    screenings = Screening.objects.count()
    matches = {
        (m.screening.firm_id, m.entry_id, m.score, m.reason, m.explanation) for m in ScreeningMatch.objects.all()
    }
    assert first["potential_match"] == 3 and screenings == 5
    with django_assert_max_num_queries(12):  # the same for five firms or a thousand: a chunk's queries
        assert firms_screen() == first
    assert Screening.objects.count() == screenings  # the same result against the same list: no new screening
    Firm.objects.filter(name="Uraltekhpribor GmbH").update(name="Uraltekhpribor Handels GmbH")
    firms_screen()
    assert Screening.objects.count() == screenings + 1  # the renamed firm only
    assert matches <= {
        (m.screening.firm_id, m.entry_id, m.score, m.reason, m.explanation) for m in ScreeningMatch.objects.all()
    }


# --- Decisions ------------------------------------------------------------------------------------


@pytest.fixture
def suspect(small_list):
    firm = FirmFactory(ref="de-kz", name="Optika Krasnaya Zvezda Ltd", partner=True)
    firm_screen(firm=firm)
    return firm


def test_dismissed_firm_stays_false_positive_until_the_entry_changes(suspect, rita, list_variant):
    decision = screening_dismiss(firm=suspect, reviewer=rita, note="Different company, German register HRB 1234")
    assert decision.entry_keys == ["NK-krasnaya-zvezda@2022-06-01T00:00:00"]
    firm_screen(firm=suspect)
    assert Firm.objects.get(pk=suspect.pk).screening_status == FS.FALSE_POSITIVE
    assert firms_eligible_for_matching().filter(pk=suspect.pk).exists()
    # The same list again: still dismissed.
    sanctions_list_import(path=list_variant("same.csv"))
    firm_screen(firm=suspect)
    assert Firm.objects.get(pk=suspect.pk).screening_status == FS.FALSE_POSITIVE
    # The entry changed: a reviewer must look again.
    changed = {
        "UK HMT Consolidated List,2022-06-01T00:00:00,2026-11-01T00:00:00,2022-06-01T00:00:00": (
            "UK HMT Consolidated List,2022-06-01T00:00:00,2026-11-01T00:00:00,2025-01-01T00:00:00"
        )
    }
    sanctions_list_import(path=list_variant("changed.csv", replace=changed))
    firm_screen(firm=suspect)
    assert Firm.objects.get(pk=suspect.pk).screening_status == FS.POTENTIAL_MATCH


def test_confirming_suspends_the_firm_and_withdraws_its_open_proposals(suspect, rita, firm_a):
    proposed = ProposalFactory(ukrainian=firm_a, partner=suspect, status=Proposal.Status.PROPOSED)
    other_ua = FirmFactory(ref="ua-other")
    approved = ProposalFactory(ukrainian=other_ua, partner=suspect, status=Proposal.Status.APPROVED)
    connected = ProposalFactory(
        ukrainian=FirmFactory(ref="ua-third"), partner=suspect, status=Proposal.Status.CONNECTED
    )
    untouched = ProposalFactory(ukrainian=firm_a, partner=FirmFactory(ref="de-clean", partner=True))

    decision = screening_confirm(firm=suspect, reviewer=rita, note="Same entity: address and directors match")

    suspect.refresh_from_db()
    assert decision.decision == ScreeningDecision.Decision.CONFIRM and decision.reviewer == rita
    assert suspect.screening_status == FS.CONFIRMED_MATCH
    assert suspect.status == Firm.Status.SUSPENDED and suspect.status_changed_by == rita
    for proposal, before in ((proposed, "proposed"), (approved, "approved")):
        proposal.refresh_from_db()
        assert proposal.status == Proposal.Status.WITHDRAWN
        event = ProposalEvent.objects.get(proposal=proposal)
        assert (event.from_status, event.to_status, event.actor, event.actor_role) == (
            before,
            "withdrawn",
            rita,
            "reviewer",
        )
        # A code, worded in the reader's language (tests/review/test_system_notes_i18n.py).
        assert (event.note, event.note_code, event.note_params) == ("", "sanctions_confirmed", {})
        assert event.data == {"action": "withdraw", "reason": "sanctions", "firm": suspect.pk}
    revision = FirmRevision.objects.filter(firm=suspect).latest("id")
    assert (revision.note, revision.note_code, revision.note_params) == (
        "",
        "sanctions_confirmed",
        {"reason": "Same entity: address and directors match"},
    )
    connected.refresh_from_db()
    untouched.refresh_from_db()
    assert connected.status == Proposal.Status.CONNECTED and untouched.status == Proposal.Status.PROPOSED
    # A confirmed match is sticky: re-screening does not undo the reviewer's decision.
    firm_screen(firm=suspect)
    assert Firm.objects.get(pk=suspect.pk).screening_status == FS.CONFIRMED_MATCH


def test_only_a_potential_match_can_be_decided(suspect, rita, firm_b):
    screening_dismiss(firm=suspect, reviewer=rita, note="not them")
    with pytest.raises(ConflictError) as error:
        screening_confirm(firm=suspect, reviewer=rita, note="changed my mind")
    assert error.value.status == 409 and error.value.extra == {"current_state": "false_positive"}
    with pytest.raises(ConflictError):
        screening_dismiss(firm=firm_b, reviewer=rita, note="clear firm")


def test_decisions_need_a_reviewer_and_a_note(suspect, bob, rita):
    with pytest.raises(ApplicationError) as error:
        screening_confirm(firm=suspect, reviewer=bob, note="x")
    assert error.value.status == 403
    with pytest.raises(ApplicationError) as error:
        screening_dismiss(firm=suspect, reviewer=rita, note="   ")
    assert error.value.fields == {"note": ["This field is required."]}
    assert not ScreeningDecision.objects.exists()


def test_decisions_are_immutable(suspect, rita):
    decision = screening_dismiss(firm=suspect, reviewer=rita, note="not them")
    with pytest.raises(PermissionError):
        decision.save()
    with pytest.raises(PermissionError):
        decision.delete()


def test_the_registry_screening_request_reaches_the_compliance_tasks(small_list, django_capture_on_commit_callbacks):
    from registry.services import firm_screening_request

    suspect = FirmFactory(ref="de-zh", name="Zhuravl Avionika S.A.", partner=True)
    innocent = FirmFactory(ref="de-dsg", name="Defence Systems Group Ltd", partner=True)
    with django_capture_on_commit_callbacks(execute=True):
        firm_screening_request(firm_ids=[suspect.pk, innocent.pk])
    assert Firm.objects.get(pk=suspect.pk).screening_status == FS.POTENTIAL_MATCH
    assert Firm.objects.get(pk=innocent.pk).screening_status == FS.CLEAR


def test_a_potential_match_cleared_by_a_new_screening_is_rematched_and_a_new_hit_is_not(small_list):
    from core.models import OutboxMessage

    rematches = OutboxMessage.objects.filter(task="matching.tasks.rematch_firm_task")
    firm = FirmFactory(ref="de-kz", name="Optika Krasnaya Zvezda Ltd", partner=True)
    firm_screen(firm=firm)
    assert Firm.objects.get(pk=firm.pk).screening_status == FS.POTENTIAL_MATCH
    assert not rematches.exists()  # held back from matching: nothing to match
    Firm.objects.filter(pk=firm.pk).update(name="Optika Nord Ltd")  # renamed; the list no longer hits
    firm_screen(firm=firm)
    assert Firm.objects.get(pk=firm.pk).screening_status == FS.CLEAR
    assert [m.kwargs for m in rematches] == [{"firm_id": firm.pk}]
    firm_screen(firm=firm)  # clear again: nothing new
    assert rematches.count() == 1


def test_dismissal_and_an_ownership_block_change_ask_matching_for_a_rematch(suspect, rita):
    from compliance.services import beneficial_owners_replace
    from core.models import OutboxMessage

    screening_dismiss(firm=suspect, reviewer=rita, note="not them")
    owner = {"name": "Petr Ivanov", "country": "RU", "share_percent": 30}
    beneficial_owners_replace(firm=suspect, owners=[owner], user=rita)
    beneficial_owners_replace(firm=suspect, owners=[{**owner, "share_percent": 35}], user=rita)  # still blocked
    rematches = OutboxMessage.objects.filter(task="matching.tasks.rematch_firm_task", kwargs={"firm_id": suspect.pk})
    assert rematches.count() == 2

"""The kept prepared model behind single-firm rematches (matching/services/prepared.py)."""

import pytest

from matching.models import Proposal
from matching.services import prepared
from matching.services.rematch import rematch_firm
from registry.models import Firm, FirmCapability
from tests.matching.population import make_population


@pytest.fixture
def population(db):
    prepared.prepared_forget()
    yield make_population()
    prepared.prepared_forget()


def _proposals(firm) -> dict:
    return {
        (p.ukrainian_id, p.partner_id): (round(p.score, 5), p.rank_for_ukrainian, p.reasons)
        for p in Proposal.objects.filter(ukrainian=firm).exclude(status=Proposal.Status.SUPERSEDED)
    }


def test_a_second_rematch_reuses_the_kept_model_and_proposes_the_same_pairs(population):
    firm = population["ua-arsenal"]
    before = dict(prepared.STATS)
    rematch_firm(firm_id=firm.pk)
    first = _proposals(firm)
    rematch_firm(firm_id=firm.pk)
    assert prepared.STATS["rebuilt"] == before["rebuilt"] + 1
    assert prepared.STATS["reused"] == before["reused"] + 1
    assert _proposals(firm) == first
    assert (firm.pk, population["pl-energetics"].pk) in first


def test_an_edit_on_the_other_side_is_spliced_in_without_a_rebuild_and_scores_like_a_fresh_model(population):
    firm = population["ua-arsenal"]
    rematch_firm(firm_id=firm.pk)
    rebuilt, spliced = prepared.STATS["rebuilt"], prepared.STATS["spliced"]
    # The energetics maker stops offering fuzes (a capability edit; its text is unchanged).
    energetics = Firm.objects.get(pk=population["pl-energetics"].pk)
    FirmCapability.objects.filter(firm=energetics, capability__code="munitions.fuzes", kind="offer").delete()
    energetics.save()  # bumps updated_at, as every service does
    rematch_firm(firm_id=firm.pk)
    assert (prepared.STATS["rebuilt"], prepared.STATS["spliced"]) == (rebuilt, spliced + 1)
    spliced_result = _proposals(firm)
    reasons = " ".join(spliced_result[(firm.pk, energetics.pk)][2]["en"])
    assert "offers the adjacent" in reasons and "Energetics offers fuzes" not in reasons
    prepared.prepared_forget()
    rematch_firm(firm_id=firm.pk)  # a freshly prepared model over the same registry
    assert _proposals(firm) == spliced_result


def test_too_many_changes_on_the_other_side_rebuild_the_model(population, monkeypatch):
    monkeypatch.setattr(prepared, "SPLICE_MIN", 0)
    monkeypatch.setattr(prepared, "SPLICE_SHARE", 0.0)
    firm = population["ua-arsenal"]
    rematch_firm(firm_id=firm.pk)
    rebuilt = prepared.STATS["rebuilt"]
    Firm.objects.get(pk=population["pl-energetics"].pk).save()
    rematch_firm(firm_id=firm.pk)
    assert prepared.STATS["rebuilt"] == rebuilt + 1


def test_a_firm_verified_on_the_other_side_enters_the_kept_model(population):
    firm = population["ua-arsenal"]
    energetics = population["pl-energetics"]
    Firm.objects.filter(pk=energetics.pk).update(status=Firm.Status.PENDING)
    rematch_firm(firm_id=firm.pk)
    assert (firm.pk, energetics.pk) not in _proposals(firm)
    Firm.objects.filter(pk=energetics.pk).update(status=Firm.Status.VERIFIED)  # no updated_at bump
    rematch_firm(firm_id=firm.pk)
    assert (firm.pk, energetics.pk) in _proposals(firm)


def test_an_edit_of_the_firm_itself_is_scored_without_a_rebuild(population):
    firm = population["ua-dnipro-repair"]
    rematch_firm(firm_id=firm.pk)
    assert (firm.pk, population["cz-armour"].pk) in _proposals(firm)
    rebuilt = prepared.STATS["rebuilt"]
    # It now seeks what the optics maker offers: the reused model must see the new profile.
    from registry.models import Capability, FirmCapability

    FirmCapability.objects.filter(firm=firm, kind=FirmCapability.Kind.SEEK).delete()
    FirmCapability.objects.create(
        firm=firm, capability=Capability.objects.get(code="sensors.optics_thermal"), kind=FirmCapability.Kind.SEEK
    )
    firm.save()
    rematch_firm(firm_id=firm.pk)
    assert prepared.STATS["rebuilt"] == rebuilt
    got = _proposals(firm)
    assert (firm.pk, population["de-optronik"].pk) in got
    reasons = " ".join(got[(firm.pk, population["de-optronik"].pk)][2]["en"])
    assert "Thermal" in reasons or "thermal" in reasons


def test_a_suspended_counterpart_leaves_the_kept_model(population):
    firm = population["ua-arsenal"]
    rematch_firm(firm_id=firm.pk)
    rebuilt = prepared.STATS["rebuilt"]
    Firm.objects.filter(pk=population["pl-energetics"].pk).update(status=Firm.Status.SUSPENDED)
    rematch_firm(firm_id=firm.pk)
    assert prepared.STATS["rebuilt"] == rebuilt  # spliced out, not rebuilt
    assert (firm.pk, population["pl-energetics"].pk) not in _proposals(firm)

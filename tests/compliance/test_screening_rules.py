"""Screening through the database: the single-firm key lookup reaches romanisations, typos and owners."""

import pytest

from compliance.models import SanctionsKey, Screening
from compliance.services import firm_screen, firms_screen
from registry.models import BeneficialOwner, Firm
from tests.factories import FirmFactory

FS = Firm.ScreeningStatus


@pytest.mark.parametrize(
    ("name", "country"),
    [
        ("Uraltechpribor GmbH", "DE"),  # German romanisation of Уралтехприбор
        ("Uraltekhpribr LLC", "CY"),  # one letter dropped, transit country
        ("ТОВ «Уралтехприбор»", "UA"),
    ],
)
def test_a_single_firm_lookup_through_stored_keys_finds_disguised_names(small_list, name, country):
    assert SanctionsKey.objects.filter(sanctions_list=small_list, key__startswith="-").exists()
    firm = FirmFactory(ref="disguised", name=name, country=country, edrpou="32855961" if country == "UA" else "")
    screening = firm_screen(firm=firm)
    [match] = screening.matches.select_related("entry")
    assert match.entry.entity_id == "NK-uraltekh" and match.explanation


def test_the_bulk_path_gives_the_single_firm_paths_results(small_list):
    names = ["Uraltechpribor GmbH", "Zhuravl Avionika Ltd", "Harmless Optics GmbH", "Optika Krasnaya Zvezda"]
    firms = [FirmFactory(ref=f"bulk-{n}", name=name, partner=True) for n, name in enumerate(names)]
    single = {firm.pk: sorted((m.entry_id, m.score) for m in firm_screen(firm=firm).matches.all()) for firm in firms}
    Screening.objects.filter(firm__in=firms).delete()
    Firm.objects.filter(pk__in=[f.pk for f in firms]).update(screening_status=FS.CLEAR)
    firms_screen(firm_ids=[f.pk for f in firms] * 60)  # above the per-firm lookup limit: the in-memory path
    assert sum(bool(matches) for matches in single.values()) == 3
    for firm in firms:
        latest = firm.screenings.get()
        assert sorted((m.entry_id, m.score) for m in latest.matches.all()) == single[firm.pk]


def test_a_beneficial_owner_on_the_list_makes_a_potential_match(small_list):
    firm = FirmFactory(ref="owned", name="Harmless Optics GmbH", partner=True)
    BeneficialOwner.objects.create(firm=firm, name="Ivan Sidorov", country="CY", share_percent=40)
    screening = firm_screen(firm=firm)
    [match] = screening.matches.select_related("entry")
    assert (match.entry.entity_id, match.reason) == ("NK-sidorov", "owner")
    assert "beneficial owner Ivan Sidorov" in match.explanation
    firm.refresh_from_db()
    assert firm.screening_status == FS.POTENTIAL_MATCH


def test_declaring_a_listed_owner_screens_the_firm_again(small_list, django_capture_on_commit_callbacks):
    from accounts.models import User
    from compliance.services import beneficial_owners_replace

    firm = FirmFactory(ref="owned-later", name="Harmless Optics GmbH", partner=True)
    firm_screen(firm=firm)
    user = User.objects.create_user(username="owner-declarer")
    with django_capture_on_commit_callbacks(execute=True):
        beneficial_owners_replace(
            firm=firm, owners=[{"name": "Ivan Sidorov", "country": "CY", "share_percent": 40}], user=user
        )
    firm.refresh_from_db()
    assert firm.screening_status == FS.POTENTIAL_MATCH
    assert firm.screenings.first().matches.get().reason == "owner"

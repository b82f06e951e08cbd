"""Loading the scoring core's features from the database."""

import numpy as np
import pytest

from matching.features import features_load, rows_of, taxonomy_load
from matching.scoring import CERTIFICATIONS, PARTNERSHIP_TYPES
from registry.models import Capability, Firm
from tests.factories import FirmCapabilityFactory, FirmFactory
from tests.matching.population import make_population


def test_taxonomy_has_one_column_per_capability_in_code_order(db):
    taxonomy = taxonomy_load()
    assert taxonomy.codes == sorted(Capability.objects.values_list("code", flat=True))
    assert taxonomy.domain_names[taxonomy.domains[taxonomy.codes.index("uav.fpv")]] == "uav"
    assert taxonomy.names_uk[taxonomy.codes.index("uav.fpv")] == Capability.objects.get(code="uav.fpv").name_uk


def test_each_side_gets_its_firms_capabilities_capacities_and_profile(db):
    firms = make_population()
    f = features_load()
    assert list(f.ua.firm_ids) == sorted(firms[r].pk for r in ("ua-skyforge", "ua-arsenal", "ua-dnipro-repair"))
    assert len(f.partners) == 4
    col = f.taxonomy.index()
    row = f.ua_rows([firms["ua-arsenal"].pk])[0]
    assert f.ua.names[row] == "Kharkiv Arsenal JSC"
    assert f.ua.offers[row, col["munitions.shell_bodies"]] == 1.0
    assert f.ua.seeks[row, col["munitions.fuzes"]] == 1.0 and f.ua.seeks[row].nnz == 2
    assert f.ua.offer_capacity[row, col["munitions.shell_bodies"]] == 100.0
    assert f.ua.seek_capacity[row, col["munitions.energetics"]] == 50.0
    assert f.ua.partnership_types[row, PARTNERSHIP_TYPES.index("co_production")]
    assert f.ua.partnership_types[row].sum() == 2
    assert f.ua.certifications[row, CERTIFICATIONS.index("AQAP-2110")]
    assert f.ua.clearance[row] == 0
    assert "ammunition" in f.ua.texts[row]
    assert f.ua.offers.dtype == np.float32 and f.ua.offers.shape == (3, len(f.taxonomy.codes))


def test_clearance_and_capability_details_are_loaded(db):
    firm = FirmFactory(ref="de-secret", country="DE", edrpou="", security_clearance="NATO_SECRET")
    FirmCapabilityFactory(firm=firm, detail="Uncooled 640x512 thermal cores", monthly_capacity=None)
    f = features_load()
    assert f.partners.clearance[0] == 3
    assert "Uncooled 640x512 thermal cores" in f.partners.texts[0]
    assert f.partners.offer_capacity.nnz == 0  # no quantity given


def test_only_eligible_firms_are_loaded(db):
    firms = make_population()
    Firm.objects.filter(pk=firms["de-optronik"].pk).update(status=Firm.Status.SUSPENDED)
    Firm.objects.filter(pk=firms["ua-arsenal"].pk).update(screening_status=Firm.ScreeningStatus.POTENTIAL_MATCH)
    f = features_load()
    assert firms["de-optronik"].pk not in f.partners.firm_ids
    assert firms["ua-arsenal"].pk not in f.ua.firm_ids
    assert f.partner_rows([firms["de-optronik"].pk])[0] == -1


@pytest.mark.parametrize("n_firms", [4, 40])
def test_the_query_count_does_not_depend_on_the_population(db, django_assert_num_queries, n_firms):
    caps = list(Capability.objects.values_list("id", flat=True)[:6])
    for i in range(n_firms):
        firm = FirmFactory(**({} if i % 2 else {"country": "DE", "edrpou": ""}))
        for c in caps[i % 3 : i % 3 + 3]:
            FirmCapabilityFactory(firm=firm, capability_id=c, kind="offer" if c % 2 else "seek")
    with django_assert_num_queries(5):  # taxonomy, platform catalogue, firms, capability rows, platform rows
        f = features_load()
    assert len(f.ua) + len(f.partners) == n_firms


def test_rows_of_maps_ids_to_rows_and_unknown_ids_to_minus_one():
    ids = np.array([3, 7, 11], dtype=np.int64)
    assert list(rows_of(ids, [11, 3, 5, 12])) == [2, 0, -1, -1]
    assert list(rows_of(np.zeros(0, np.int64), [1])) == [-1]


def test_firm_platforms_are_loaded_as_role_bits_with_the_catalogue(db):
    from matching.scoring.platforms import ROLE_BIT
    from registry.models import FirmPlatform, Platform

    maker = FirmFactory(ref="de-kmw", country="DE", edrpou="")
    repairer = FirmFactory(ref="ua-remont")
    pzh = Platform.objects.get(code="spg.pzh2000")
    FirmPlatform.objects.create(firm=maker, platform=pzh, role="oem")
    FirmPlatform.objects.create(firm=repairer, platform=pzh, role="repairs")
    FirmPlatform.objects.create(firm=repairer, platform=pzh, role="supplies_parts")
    f = features_load()
    cat = f.ua.platform_catalogue
    assert cat is not None and cat.codes == sorted(Platform.objects.values_list("code", flat=True))
    j = cat.index()["spg.pzh2000"]
    assert f.partners.platform_roles[f.partner_rows([maker.pk])[0], j] == ROLE_BIT["oem"]
    assert f.ua.platform_roles[f.ua_rows([repairer.pk])[0], j] == ROLE_BIT["repairs"] | ROLE_BIT["supplies_parts"]
    assert f.partners.countries[f.partner_rows([maker.pk])[0]] == "DE"

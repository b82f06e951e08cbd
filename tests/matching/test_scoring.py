"""The Django-free scoring core on small hand-made firms whose right answer is obvious."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from matching.scoring import COMPONENTS, MatchParams, Model, SideFeatures, Taxonomy, explain, select_proposals

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def taxonomy():
    return Taxonomy.from_csv()


def firm(id, name="Firm", offers=(), seeks=(), types=("co_production",), certs=(), clearance="NONE", text="", **kw):
    """A firm record in the exchange shape; offers/seeks are codes or (code, monthly capacity)."""

    def items(xs):
        return [
            {"capability": x, "monthly_capacity": None}
            if isinstance(x, str)
            else {"capability": x[0], "monthly_capacity": x[1]}
            for x in xs
        ]

    return {
        "id": id,
        "name": name,
        "description": text or name,
        "offers": items(offers),
        "seeks": items(seeks),
        "partnership_types": list(types),
        "certifications": list(certs),
        "security_clearance": clearance,
        **kw,
    }


def model_for(taxonomy, ua_records, partner_records, **params):
    ua = SideFeatures.from_records(ua_records, taxonomy)
    pa = SideFeatures.from_records(partner_records, taxonomy)
    return Model(ua, pa, taxonomy, MatchParams(**params))


def test_importing_the_scoring_core_does_not_import_django():
    code = "import sys, matching.scoring; sys.exit('django' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr or "django was imported"


def test_sample_firms_pair_with_their_obvious_partners(taxonomy):
    skyforge = firm(1, "SkyForge", offers=["uav.fixed_wing_isr"], seeks=["sensors.optics_thermal"])
    shells = firm(2, "Kyiv Shells", offers=["munitions.shell_bodies"], seeks=["munitions.artillery_155"])
    optronik = firm(11, "Optronik", offers=["sensors.optics_thermal"], seeks=["uav.fixed_wing_isr"])
    amunicja = firm(12, "Amunicja", offers=["munitions.artillery_155"], seeks=["munitions.shell_bodies"])
    model = model_for(taxonomy, [skyforge, shells], [optronik, amunicja])
    block = model.score_rows(np.arange(2))
    assert block.total.shape == (2, 2) and block.components.shape == (len(COMPONENTS), 2, 2)
    assert block.total[0, 0] > block.total[0, 1] and block.total[1, 1] > block.total[1, 0]
    sel = select_proposals(model.candidates(np.arange(2)), 2, 2, model.params)
    assert sorted(zip(sel.ua_rows.tolist(), sel.partner_rows.tolist(), strict=True)) == [(0, 0), (1, 1)]
    reasons = explain(model, 0, 0, sel.components[0])
    assert (
        "SkyForge seeks Thermal and night-vision optics; Optronik offers Thermal and night-vision optics"
        in reasons["en"]
    )
    assert any("Optronik пропонує: Тепловізійна та нічна оптика" in r for r in reasons["uk"])

"""`manage.py export_proposals [PATH]`."""

import json
from io import StringIO

from django.core.management import call_command

from tests.factories import FirmFactory, ProposalFactory


def test_export_writes_every_proposal_sorted_by_firm_refs(db, tmp_path):
    ua_b = FirmFactory(ref="ua-b")
    ua_a = FirmFactory(ref="ua-a")
    de = FirmFactory(ref="de-z", partner=True)
    pl = FirmFactory(ref="pl-y", country="PL", edrpou="", contact_phone="+48221234567")
    ProposalFactory(ukrainian=ua_b, partner=de, score=0.9, status="approved")
    ProposalFactory(ukrainian=ua_a, partner=de, score=0.4, rank_for_ukrainian=2, rank_for_partner=None)
    ProposalFactory(ukrainian=ua_a, partner=pl, score=0.6)
    path = tmp_path / "proposals.json"

    call_command("export_proposals", str(path), stderr=StringIO())

    data = json.loads(path.read_text(encoding="utf-8"))
    assert [(d["ukrainian"], d["partner"]) for d in data] == [("ua-a", "de-z"), ("ua-a", "pl-y"), ("ua-b", "de-z")]
    first = data[0]
    assert set(first) == {
        "ukrainian", "partner", "score", "rank_for_ukrainian", "rank_for_partner", "status", "components", "reasons",
    }  # fmt: skip
    assert first["score"] == 0.4 and first["rank_for_ukrainian"] == 2 and first["rank_for_partner"] is None
    assert first["status"] == "proposed" and first["components"]["complementarity"] == 0.9
    assert first["reasons"]["uk"] == ["Обидві мають AQAP-2110"]
    assert data[2]["status"] == "approved"


def test_export_to_stdout_is_identical_run_to_run_and_filters_by_status(db):
    ProposalFactory(status="approved")
    ProposalFactory(status="proposed")
    first, second = StringIO(), StringIO()
    call_command("export_proposals", stdout=first)
    call_command("export_proposals", stdout=second)
    assert first.getvalue() == second.getvalue() and len(json.loads(first.getvalue())) == 2
    only = StringIO()
    call_command("export_proposals", "--status", "approved", stdout=only)
    assert [d["status"] for d in json.loads(only.getvalue())] == ["approved"]


def test_export_of_nothing_is_an_empty_list(db):
    out = StringIO()
    call_command("export_proposals", stdout=out)
    assert json.loads(out.getvalue()) == []

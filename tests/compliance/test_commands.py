"""import_sanctions, screen_firms and screening_report as an operator runs them."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from compliance.models import SanctionsList
from tests.compliance.conftest import SMALL_LIST
from tests.factories import FirmFactory


def _run(*args) -> str:
    out = StringIO()
    call_command(*args, "--no-progress", stdout=out, stderr=StringIO())
    return out.getvalue()


def test_import_sanctions_reports_counts_and_rescreens_after_commit(db, django_capture_on_commit_callbacks):
    suspect = FirmFactory(ref="de-zh", name="Zhuravl Avionika S.A.", partner=True)
    with django_capture_on_commit_callbacks(execute=True):
        output = _run("import_sanctions", str(SMALL_LIST))
    assert "8 entries kept, 1 of other schemata skipped, 9 rows read" in output
    suspect.refresh_from_db()
    assert suspect.screening_status == "potential_match"


def test_import_sanctions_fails_loudly_and_imports_nothing(db, list_variant):
    bad = list_variant(replace={"NK-zhuravl,Organization,Zhuravl Avionika OOO,": "NK-zhuravl,Organization,,"})
    with pytest.raises(CommandError, match=r"Nothing imported: row 5: empty name for id 'NK-zhuravl'"):
        _run("import_sanctions", str(bad))
    assert not SanctionsList.objects.exists()
    with pytest.raises(CommandError, match="no such file"):
        _run("import_sanctions", "/nonexistent/targets.simple.csv")


def test_screen_firms_needs_a_list_then_summarises(small_list, firm_a, firm_b):
    FirmFactory(ref="de-kz", name="Optika Krasnaya Zvezda Ltd", partner=True)
    output = _run("screen_firms")
    assert "Screened 3 firms" in output and "potential_match 1" in output and "clear 2" in output


def test_screen_firms_without_a_list_is_an_error(db):
    with pytest.raises(CommandError, match="No sanctions list imported yet"):
        _run("screen_firms")


def test_screening_report_json_lists_every_firm_with_its_matches(small_list, firm_a):
    FirmFactory(ref="de-west", name="Westbridge Precision BV", partner=True, lei="213800QZXR4B9CJ7KL55")
    _run("screen_firms")
    out = StringIO()
    call_command("screening_report", "--format", "json", stdout=out)
    rows = {row["ref"]: row for row in json.loads(out.getvalue())}
    assert rows["ua-skyforge"] == {
        "ref": "ua-skyforge",
        "name": "SkyForge Robotics LLC",
        "status": "clear",
        "matches": [],
    }
    assert rows["de-west"]["status"] == "potential_match"
    assert rows["de-west"]["matches"] == [
        {"list_id": "NK-obscure", "name": "Obscure Holdings Ltd", "score": 1.0, "reason": "identifier"}
    ]
    text = StringIO()
    call_command("screening_report", stdout=text)
    assert "de-west" in text.getvalue() and "ua-skyforge" not in text.getvalue()

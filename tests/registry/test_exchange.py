"""registry/exchange.py + the import/export services and commands: validation, atomic import, round trip."""

import copy
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from core.models import OutboxMessage
from registry.demo import generate_firm_documents
from registry.exchange import FORMAT, ExchangeFileError, dump_exchange_document, export_firms_document
from registry.models import Firm, FirmCapability, FirmRevision
from registry.services import firms_import

SAMPLE = Path(__file__).parent / "data" / "sample-firms.json"


@pytest.fixture
def sample() -> dict:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def _import_command(path, *args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_firms", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _export_text() -> str:
    out = io.StringIO()
    call_command("export_firms", stdout=out)
    return out.getvalue()


def test_the_sample_file_imports_as_verified_firms_with_history_and_screening(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        out, _ = _import_command(SAMPLE)
    assert out.strip() == "created 8, updated 0, unchanged 0; 8 verified firm(s) queued for rematching"
    assert Firm.objects.count() == 8
    assert set(Firm.objects.values_list("status", flat=True)) == {"verified"}
    skyforge = Firm.objects.get(ref="ua-skyforge")
    assert skyforge.side == "ua" and skyforge.edrpou == "41234569"
    assert Firm.objects.get(ref="de-optronik").side == "partner"
    assert list(skyforge.capabilities.values_list("kind", "capability__code", "monthly_capacity")) == [
        ("offer", "uav.fixed_wing_isr", 40),
        ("seek", "sensors.optics_thermal", 80),
    ]
    assert FirmRevision.objects.filter(source="import").count() == 8
    # One screening request covers the whole import (bulk task) or one per firm (fallback).
    messages = OutboxMessage.objects.filter(task__startswith="compliance.tasks.screen_firm")
    screened = {i for m in messages for i in m.kwargs.get("firm_ids", [m.kwargs.get("firm_id")])}
    assert screened == set(Firm.objects.values_list("pk", flat=True))
    assert all(m.sent_at for m in messages)


def test_pending_option_imports_new_firms_pending(db):
    _import_command(SAMPLE, "--pending")
    assert set(Firm.objects.values_list("status", flat=True)) == {"pending"}


def test_a_file_with_every_kind_of_error_reports_all_of_them_and_imports_nothing(db, sample, tmp_path):
    firms = sample["firms"]
    firms[0]["edrpou"] = "32855968"  # bad check digit
    firms[4]["lei"] = "213800KUD8LAJWSQ9D16"  # bad LEI check digits
    firms[5]["country"] = "CN"  # not an eligible partner
    firms[6]["offers"][0]["capability"] = "uav.teleporter"  # unknown capability
    firms[7]["colour"] = "green"  # unknown field
    firms[3]["ref"] = firms[2]["ref"]  # duplicate ref
    del firms[1]["contact"]  # missing contact
    firms[2]["seeks"].append(dict(firms[2]["seeks"][0]))  # capability twice in one list
    firms[4]["edrpou"] = "14360570"  # EDRPOU on a partner firm
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(sample), encoding="utf-8")

    with pytest.raises(CommandError) as excinfo:
        _import_command(path)
    assert excinfo.value.returncode == 1
    assert "nothing was imported" in str(excinfo.value)
    with pytest.raises(ExchangeFileError) as excinfo:
        firms_import(document=sample)
    assert excinfo.value.problems == [
        "firms[0] (ua-skyforge): edrpou: This EDRPOU is not valid: check the 8 digits on your extract from the state register",
        "firms[1] (ua-dnipro-repair): contact: is required: an object with name, email and optional phone",
        "firms[2] (ua-kyiv-shells): seeks[2].capability: 'munitions.artillery_155' is listed twice (also seeks[0])",
        "firms[3] (ua-kyiv-shells): ref: duplicate ref, first used by firms[2]",
        "firms[4] (de-optronik): edrpou: only Ukrainian (UA) firms have an EDRPOU code; remove it for country DE",
        "firms[4] (de-optronik): lei: check digits are 16, expected 15 (ISO 7064 MOD 97-10)",
        "firms[5] (pl-amunicja): country: CN is not on the list of eligible partner countries",
        "firms[6] (nl-ems): offers[0].capability: unknown capability 'uav.teleporter'",
        "firms[7] (cz-vehicles): colour: unknown field (allowed: " + ", ".join(
            ["ref", "name", "country", "edrpou", "lei", "ncage", "website", "employees", "founded", "intro_capacity",
             "description",
             "offers", "seeks", "platforms", "partnership_types", "certifications", "certification_expiry",
             "security_clearance", "export_regimes", "languages", "contact"]) + ")",
    ]  # fmt: skip
    assert Firm.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


def test_the_command_prints_every_problem_one_a_line(db, sample, tmp_path):
    sample["firms"][0]["edrpou"] = "41234560"
    sample["firms"][5]["country"] = "RU"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(sample), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_firms", str(path), stderr=err)
    assert err.getvalue().splitlines() == [
        "firms[0] (ua-skyforge): edrpou: This EDRPOU is not valid: check the 8 digits on your extract from the state register",
        "firms[5] (pl-amunicja): country: RU is refused: firms from this country cannot register",
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (b"{not json", "file: not valid JSON: Expecting property name enclosed in double quotes at line 1 column 2"),
        (b'{"format": "alliance-firms/2", "firms": []}', "format: must be 'alliance-firms/1' (got 'alliance-firms/2')"),
        (b'{"format": "alliance-firms/1"}', "firms: must be a list of firm objects"),
        (b'{"format": "alliance-firms/1", "firms": [], "extra": 1}', "extra: unknown field (allowed: format, firms)"),
        (b'{"format": "alliance-firms/1", "firms": [42]}', "firms[0] (?): firm: must be an object"),
    ],
)
def test_malformed_files_are_reported_not_crashed_on(db, tmp_path, text, problem):
    path = tmp_path / "f.json"
    path.write_bytes(text)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_firms", str(path), stderr=err)
    assert problem in err.getvalue().splitlines()


def test_missing_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        _import_command(tmp_path / "nope.json")


def test_each_field_rule_is_checked(db, sample):
    firm = sample["firms"][0]
    firm.update(
        ref="UA Skyforge",
        name="X",
        website="ftp://skyforge.example",
        employees=0,
        founded=3000,
        description="too short",
        partnership_types=[],
        certifications=["ISO-9001", "ISO-9001"],
        security_clearance="COSMIC",
        export_regimes=["ITAR", "WASSENAAR"],
        languages=["uk", "ua"],
        ncage="u12",
        contact={"name": "", "email": "not-an-email", "phone": "044 123", "fax": "1"},
        offers=[{"capability": "uav.fpv", "monthly_capacity": -1, "price": 3}],
    )
    with pytest.raises(ExchangeFileError) as excinfo:
        firms_import(document={"format": FORMAT, "firms": [firm]})
    lines = [p.split(": ", 1)[1] for p in excinfo.value.problems]
    assert lines == [
        "ref: must be 1-64 characters of a-z 0-9 . _ -",
        "name: must be 2-200 characters (got 1)",
        "ncage: must be 5 characters A-Z 0-9",
        "website: must be an http(s) URL",
        "employees: must be a positive integer",
        f"founded: must be a year from 1800 to {timezone.localdate().year} (got 3000)",
        "description: must be 20-5000 characters (got 9)",
        "offers[0].price: unknown field (allowed: capability, detail, monthly_capacity)",
        "offers[0].monthly_capacity: must be a non-negative integer",
        "partnership_types: must list at least one of: joint_venture, licensed_production, co_production, "
        "co_development, repair_hub, supply, technology_transfer, investment",
        "certifications[1]: 'ISO-9001' is listed twice",
        "security_clearance: 'COSMIC' is not one of: NONE, NATO_RESTRICTED, NATO_CONFIDENTIAL, NATO_SECRET",
        "export_regimes[1]: 'WASSENAAR' is not one of: ITAR, EAR, EU_MILITARY, EU_DUAL_USE",
        "languages[1]: 'ua' is not an ISO 639-1 language code",
        "contact.fax: unknown field (allowed: name, email, phone)",
        "contact.name: is required",
        "contact.email: is not a valid email address",
        "contact.phone: is not a phone number we can read: write it with its area code, e.g. 044 123 4567 or +380 44 123 4567",
    ]


def test_counts_beyond_the_database_integer_are_refused_by_name_not_by_the_database(db, sample):
    """PostgreSQL's integer columns would refuse 10^12 mid-import with a server error."""
    firm = sample["firms"][0]
    firm["employees"] = 10**12
    firm["offers"][0]["monthly_capacity"] = 2_147_483_648
    with pytest.raises(ExchangeFileError) as excinfo:
        firms_import(document=sample)
    assert [p.split(": ", 1)[1] for p in excinfo.value.problems] == [
        "employees: must be at most 2,147,483,647",
        "offers[0].monthly_capacity: must be at most 2,147,483,647",
    ]
    assert not Firm.objects.exists()
    firm["employees"], firm["offers"][0]["monthly_capacity"] = 2_147_483_647, 2_147_483_647
    assert len(firms_import(document=sample).created) == 8


def test_a_firm_must_offer_or_seek_something(db, sample):
    firm = sample["firms"][0]
    firm["offers"], firm["seeks"] = [], []
    with pytest.raises(ExchangeFileError) as excinfo:
        firms_import(document={"format": FORMAT, "firms": [firm]})
    assert excinfo.value.problems == [
        "firms[0] (ua-skyforge): offers: at least one of offers and seeks must be non-empty"
    ]


def test_ukrainian_firms_need_an_edrpou(db, sample):
    firm = sample["firms"][0]
    del firm["edrpou"]
    with pytest.raises(ExchangeFileError) as excinfo:
        firms_import(document={"format": FORMAT, "firms": [firm]})
    assert excinfo.value.problems == ["firms[0] (ua-skyforge): edrpou: is required for Ukrainian (UA) firms"]


def test_export_import_into_an_empty_database_export_gives_identical_json(db, sample):
    firms_import(document=sample)
    first = _export_text()
    assert json.loads(first)["format"] == FORMAT
    assert [f["ref"] for f in json.loads(first)["firms"]] == sorted(f["ref"] for f in sample["firms"])

    Firm.objects.all().delete()
    assert FirmCapability.objects.count() == 0
    firms_import(document=json.loads(first))
    assert _export_text() == first


def test_round_trip_of_generated_firms_is_identical(db):
    document = {"format": FORMAT, "firms": generate_firm_documents(60, seed=7)}
    firms_import(document=document)
    first = dump_exchange_document(export_firms_document())
    Firm.objects.all().delete()
    firms_import(document=json.loads(first))
    assert dump_exchange_document(export_firms_document()) == first


def test_export_to_a_file(db, sample, tmp_path):
    firms_import(document=sample)
    path = tmp_path / "out.json"
    call_command("export_firms", str(path), stderr=io.StringIO())
    assert path.read_text(encoding="utf-8") == _export_text()


def test_importing_the_same_file_twice_changes_nothing(db, sample):
    first = firms_import(document=sample)
    revisions = FirmRevision.objects.count()
    second = firms_import(document=sample)
    assert (len(second.created), len(second.updated), second.unchanged) == (0, 0, 8)
    assert sorted(first.created) == sorted(Firm.objects.values_list("pk", flat=True))
    assert FirmRevision.objects.count() == revisions


def test_an_existing_ref_is_updated_offers_replaced_and_status_kept(db, sample, django_capture_on_commit_callbacks):
    firms_import(document=sample, status="pending")
    changed = copy.deepcopy(sample)
    skyforge = changed["firms"][0]
    skyforge["name"] = "SkyForge Robotics Group LLC"
    skyforge["offers"] = [{"capability": "uav.fpv", "monthly_capacity": 1000}]
    changed["firms"][1]["employees"] = 950

    with django_capture_on_commit_callbacks(execute=True):
        result = firms_import(document=changed)
    assert (len(result.created), len(result.updated), result.unchanged) == (0, 2, 6)
    firm = Firm.objects.get(ref="ua-skyforge")
    assert firm.name == "SkyForge Robotics Group LLC"
    assert firm.status == "pending"  # an import updates profiles; reviewers own the status
    assert list(firm.capabilities.filter(kind="offer").values_list("capability__code", flat=True)) == ["uav.fpv"]
    revision = firm.revisions.first()
    assert revision.source == "import" and revision.changed_fields == ["name", "offers"]
    # Only the renamed firm is screened again; an employee count does not change sanctions exposure.
    assert result.screened == [firm.pk]


def test_generated_demo_firms_are_valid_and_reproducible(db):
    docs = generate_firm_documents(300, seed=1)
    assert docs == generate_firm_documents(300, seed=1)
    assert docs != generate_firm_documents(300, seed=2)
    result = firms_import(document={"format": FORMAT, "firms": docs})
    assert len(result.created) == 300
    sides = Firm.objects.values_list("side", flat=True)
    assert 0.25 < list(sides).count("ua") / 300 < 0.4

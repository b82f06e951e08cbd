"""Platforms (issue 13): the catalogue and its data migration, a firm's platforms in the exchange
format (validation, import, export, history), the firm API and GET /api/v1/platforms/."""

import copy
import csv
import importlib
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import translation

from registry.exchange import (
    FORMAT,
    ExchangeFileError,
    dump_exchange_document,
    export_firms_document,
    file_problems,
    firm_clean_document,
    firm_document_problems,
)
from registry.models import Capability, Firm, FirmPlatform, FirmRevision, Platform, PlatformRole
from registry.services import firm_update, firms_import
from tests.conftest import PERSONAS
from tests.factories import FirmCapabilityFactory, FirmFactory

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = Path(__file__).parent / "data" / "sample-firms.json"
EDITORS = {"alice_client", "alice_editor_client", "alice_token"}
MEMBERS = {*EDITORS, "alice_viewer_client"}
REVIEWERS = {"rita_client", "adam_client"}


@pytest.fixture(autouse=True)
def _platforms_loaded(db):
    """A transactional test elsewhere may have flushed the catalogue: load it as the migration does."""
    if not Platform.objects.exists():
        importlib.import_module("registry.migrations.0010_load_platforms").load(apps, None)


@pytest.fixture
def sample() -> dict:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def _doc(**changes) -> dict:
    doc = {
        "ref": "ua-tank-works",
        "name": "Kharkiv Tank Works LLC",
        "country": "UA",
        "edrpou": "14360570",
        "description": "Overhauls T-64 and T-72 tanks and makes 5TDF engine parts.",
        "offers": [{"capability": "repair.tanks"}],
        "partnership_types": ["repair_hub"],
        "contact": {"name": "Oksana Melnyk", "email": "oksana@tank-works.example"},
    }
    doc.update(changes)
    return doc


def _codes() -> set[str]:
    return set(Capability.objects.values_list("code", flat=True))


def _problems(doc) -> list[tuple[str, str]]:
    return firm_document_problems(doc, capability_codes=_codes())[1]


# --- The catalogue ---------------------------------------------------------------------------------


def test_the_data_migration_loads_all_130_platforms_of_the_spec_with_both_names(db):
    rows = list(csv.DictReader((ROOT / "registry" / "data" / "platforms.csv").open(encoding="utf-8")))
    assert len(rows) == 130 and Platform.objects.count() == 130
    assert not Platform.objects.filter(name_en="").exists() and not Platform.objects.filter(name_uk="").exists()
    t64 = Platform.objects.get(code="tank.t_64bv")
    assert (t64.kind, t64.name_en, t64.name_uk, t64.origin, t64.calibre) == ("tank", "T-64BV", "Т-64БВ", "SU", "125mm")
    assert t64.capabilities[:2] == ["vehicles.armoured", "repair.tanks"] and t64.in_ukraine is True
    assert Platform.objects.filter(in_ukraine=False).count() == 2
    assert Platform.objects.get(code="mrap.kozak_2").calibre == ""
    # Every capability a platform calls for is a code of the taxonomy.
    used = {code for caps in Platform.objects.values_list("capabilities", flat=True) for code in caps}
    assert used <= _codes()


def test_loading_the_catalogue_again_changes_nothing(db):
    importlib.import_module("registry.migrations.0010_load_platforms").load(apps, None)
    assert Platform.objects.count() == 130


def test_a_platform_name_follows_the_language(db):
    t64 = Platform.objects.get(code="tank.t_64bv")
    assert (t64.name_in("uk"), t64.name_in("en"), t64.name_in("uk-UA")) == ("Т-64БВ", "T-64BV", "Т-64БВ")
    with translation.override("uk"):
        assert t64.name == "Т-64БВ"
        assert str(PlatformRole.REPAIRS.label) == "Ремонтує"
    with translation.override("en"):
        assert t64.name == "T-64BV"
        assert str(PlatformRole.REPAIRS.label) == "Repairs"


def test_a_firm_holds_a_platform_once_per_role_and_a_used_platform_cannot_be_deleted(db):
    firm, t64 = FirmFactory(), Platform.objects.get(code="tank.t_64bv")
    FirmPlatform.objects.create(firm=firm, platform=t64, role=PlatformRole.REPAIRS)
    FirmPlatform.objects.create(firm=firm, platform=t64, role=PlatformRole.SUPPLIES_PARTS)
    with pytest.raises(IntegrityError), transaction.atomic():
        FirmPlatform.objects.create(firm=firm, platform=t64, role=PlatformRole.REPAIRS)
    with pytest.raises(ProtectedError):
        t64.delete()
    firm.delete()
    assert not FirmPlatform.objects.exists()


# --- The exchange format -----------------------------------------------------------------------------


def test_platforms_are_an_optional_known_field(db):
    clean, problems = firm_document_problems(_doc(), capability_codes=_codes())
    assert problems == [] and clean["platforms"] == []
    platforms = [{"platform": "tank.t_64bv", "role": "repairs"}, {"platform": "tank.t_64bv", "role": "supplies_parts"}]
    clean, problems = firm_document_problems(_doc(platforms=platforms), capability_codes=_codes())
    assert problems == [] and clean["platforms"] == platforms


@pytest.mark.parametrize(
    ("platforms", "expected"),
    [
        ("tank.t_64bv", [("platforms", "must be a list")]),
        (["tank.t_64bv"], [("platforms[0]", "must be an object with platform and role")]),
        (
            [{"platform": "tank.t_64bv", "role": "repairs"}, {"platform": "x", "role": "repairs"}],
            [("platforms[1].platform", "unknown platform code 'x'")],
        ),
        (
            [{"platform": "tank.t_64bv", "role": "sells"}],
            [
                (
                    "platforms[0].role",
                    "'sells' is not one of: oem, produces, repairs, supplies_parts, supplies_ammunition, "
                    "operates_needs_support",
                )
            ],
        ),
        (
            [{"platform": "tank.t_64bv"}],
            [
                (
                    "platforms[0].role",
                    "is required (one of: oem, produces, repairs, "
                    "supplies_parts, supplies_ammunition, operates_needs_support)",
                )
            ],
        ),  # fmt: skip
        ([{"role": "repairs"}], [("platforms[0].platform", "is required")]),
        (
            [{"platform": "tank.t_64bv", "role": "repairs"}, {"platform": "tank.t_64bv", "role": "repairs"}],
            [("platforms[1].platform", "'tank.t_64bv' with role 'repairs' is listed twice (also platforms[0])")],
        ),
        (
            [{"platform": "tank.t_64bv", "role": "repairs", "colour": "green"}],
            [("platforms[0].colour", "unknown field (allowed: platform, role)")],
        ),
    ],
)
def test_bad_platforms_are_refused_naming_the_path_and_the_rule(db, platforms, expected):
    with translation.override("en"):
        assert _problems(_doc(platforms=platforms)) == expected


def test_an_import_file_names_the_firm_and_the_platform_path(db):
    document = {"format": FORMAT, "firms": [_doc(platforms=[{"platform": "tank.t_64bv", "role": "repairs"},
                                                            {"platform": "x", "role": "repairs"}])]}  # fmt: skip
    _, problems = file_problems(document, capability_codes=_codes())
    assert problems == ["firms[0] (ua-tank-works): platforms[1].platform: unknown platform code 'x'"]
    with pytest.raises(ExchangeFileError):
        firms_import(document=document)
    assert not Firm.objects.exists() and not FirmPlatform.objects.exists()


def test_one_bad_platform_imports_nothing_of_the_file(db, sample):
    sample["firms"][0]["platforms"] = [{"platform": "tank.t_64bv", "role": "repairs"}]
    sample["firms"][5]["platforms"] = [{"platform": "tank.t_64bv", "role": "sells"}]
    with pytest.raises(ExchangeFileError) as excinfo:
        firms_import(document=sample)
    assert len(excinfo.value.problems) == 1 and "platforms[0].role" in excinfo.value.problems[0]
    assert not Firm.objects.exists() and not FirmPlatform.objects.exists()


def test_import_writes_platforms_and_export_gives_them_back_exactly(db, sample):
    firms_import(document=sample)
    old_text = dump_exchange_document(export_firms_document())
    assert '"platforms"' not in old_text  # files without platforms export as before
    Firm.objects.all().delete()

    with_platforms = copy.deepcopy(sample)
    entries = [
        {"platform": "tank.t_64bv", "role": "repairs"},
        {"platform": "engine.5tdf", "role": "produces"},
        {"platform": "tank.t_64bv", "role": "supplies_parts"},
    ]
    with_platforms["firms"][0]["platforms"] = entries
    firms_import(document=with_platforms)
    firm = Firm.objects.get(ref=with_platforms["firms"][0]["ref"])
    assert list(firm.platforms.values_list("platform__code", "role")) == [(e["platform"], e["role"]) for e in entries]
    first = dump_exchange_document(export_firms_document())
    exported = {f["ref"]: f for f in json.loads(first)["firms"]}
    assert exported[firm.ref]["platforms"] == entries
    assert sum("platforms" in f for f in exported.values()) == 1
    Firm.objects.all().delete()
    firms_import(document=json.loads(first))
    assert dump_exchange_document(export_firms_document()) == first
    again = firms_import(document=json.loads(first))
    assert (len(again.created), len(again.updated)) == (0, 0)


def test_an_import_that_changes_platforms_replaces_them_and_records_the_change(db, sample):
    sample["firms"][0]["platforms"] = [{"platform": "tank.t_64bv", "role": "repairs"}]
    firms_import(document=sample)
    ref = sample["firms"][0]["ref"]
    sample["firms"][0]["platforms"] = [{"platform": "tank.t_72", "role": "repairs"}]
    result = firms_import(document=sample)
    firm = Firm.objects.get(ref=ref)
    assert result.updated == [firm.pk] and firm.status == "verified"  # not an identity change
    assert list(firm.platforms.values_list("platform__code", flat=True)) == ["tank.t_72"]
    revision = FirmRevision.objects.filter(firm=firm).first()
    assert revision.changed_fields == ["platforms"]
    assert revision.changes == {
        "platforms": {
            "old": [{"platform": "tank.t_64bv", "role": "repairs"}],
            "new": [{"platform": "tank.t_72", "role": "repairs"}],
        }
    }


def test_the_replay_file_platforms_are_all_in_the_catalogue(db):
    document = json.loads((ROOT / "bench" / "replay" / "firms.json").read_text(encoding="utf-8"))
    _, problems = file_problems(document, capability_codes=_codes())
    assert [p for p in problems if "platforms" in p] == []
    assert sum(len(f.get("platforms", [])) for f in document["firms"]) == 54


# --- Firm API ---------------------------------------------------------------------------------------


@pytest.fixture
def firms(firm_a, firm_b, alice, alice_editor, alice_viewer, bob, rita, adam):
    FirmCapabilityFactory(firm=firm_a, capability=Capability.objects.get(code="uav.fixed_wing_isr"))
    FirmCapabilityFactory(firm=firm_b, capability=Capability.objects.get(code="sensors.optics_thermal"))
    FirmPlatform.objects.create(firm=firm_a, platform=Platform.objects.get(code="tank.t_64bv"), role="repairs")
    return firm_a, firm_b


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_a_firms_platforms_are_read_with_names_in_the_requests_language(firms, persona, request):
    name = request.node.callspec.params["persona"]
    response = persona.get(f"/api/v1/firms/{firms[0].pk}/", HTTP_ACCEPT_LANGUAGE="uk")
    assert response.status_code == (401 if name == "anon" else 200)
    if name != "anon":
        assert response.json()["platforms"] == [{"platform": "tank.t_64bv", "role": "repairs", "name": "Т-64БВ"}]
        listed = persona.get("/api/v1/firms/", HTTP_ACCEPT_LANGUAGE="en").json()["results"]
        assert {f["ref"]: f["platforms"] for f in listed} == {
            "ua-skyforge": [{"platform": "tank.t_64bv", "role": "repairs", "name": "T-64BV"}],
            "de-optronik": [],
        }


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_only_the_firms_owners_and_editors_set_its_platforms(firms, persona, request):
    name = request.node.callspec.params["persona"]
    body = {"platforms": [{"platform": "engine.5tdf", "role": "produces"}, {"platform": "tank.t_64bv", "role": "oem"}]}
    response = persona.patch(f"/api/v1/firms/{firms[0].pk}/", body, format="json")
    expected = 401 if name == "anon" else 200 if name in EDITORS else 403
    assert response.status_code == expected
    codes = list(firms[0].platforms.values_list("platform__code", "role"))
    if expected == 200:
        assert [(p["platform"], p["role"]) for p in response.json()["platforms"]] == codes
        assert codes == [("engine.5tdf", "produces"), ("tank.t_64bv", "oem")]
        revision = FirmRevision.objects.filter(firm=firms[0]).first()
        assert revision.changed_fields == ["platforms"]
        assert revision.changes["platforms"]["old"] == [{"platform": "tank.t_64bv", "role": "repairs"}]
    else:
        assert codes == [("tank.t_64bv", "repairs")]


def test_an_outsider_gets_404_on_the_platforms_of_a_pending_firm(firms, bob_client):
    Firm.objects.filter(pk=firms[0].pk).update(status="pending")
    body = {"platforms": []}
    assert bob_client.patch(f"/api/v1/firms/{firms[0].pk}/", body, format="json").status_code == 404
    assert bob_client.get(f"/api/v1/firms/{firms[0].pk}/").status_code == 404


def test_a_bad_platform_through_the_api_is_a_400_naming_the_path(firms, alice_client):
    body = {"platforms": [{"platform": "tank.t_64bv", "role": "repairs"}, {"platform": "tank.t_99", "role": "oem"}]}
    response = alice_client.patch(f"/api/v1/firms/{firms[0].pk}/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"platforms[1].platform": ["unknown platform code 'tank.t_99'"]}
    response = alice_client.patch(f"/api/v1/firms/{firms[0].pk}/", body, format="json", HTTP_ACCEPT_LANGUAGE="uk")
    assert response.json()["error"]["fields"] == {"platforms[1].platform": ["невідомий код платформи 'tank.t_99'"]}
    assert list(firms[0].platforms.values_list("platform__code", flat=True)) == ["tank.t_64bv"]


def test_a_firm_registered_through_the_api_keeps_its_platforms_and_clearing_them_works(firms, bob_client):
    body = _doc(ref="ua-api-tanks", platforms=[{"platform": "tank.t_72", "role": "repairs"}])
    response = bob_client.post("/api/v1/firms/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["platforms"] == [{"platform": "tank.t_72", "role": "repairs", "name": "T-72 (T-72A/AV/B)"}]
    firm = Firm.objects.get(ref="ua-api-tanks")
    response = bob_client.patch(f"/api/v1/firms/{firm.pk}/", {"platforms": []}, format="json")
    assert response.status_code == 200 and response.json()["platforms"] == []
    assert not firm.platforms.exists()


def test_the_firm_list_query_count_does_not_grow_with_platforms(firms, bob_client, django_assert_max_num_queries):
    def make(n, start):
        for i in range(start, start + n):
            firm = FirmFactory(ref=f"de-p{i}", partner=True)
            FirmCapabilityFactory(firm=firm)
            for code in ("tank.t_72", "engine.5tdf"):
                FirmPlatform.objects.create(firm=firm, platform=Platform.objects.get(code=code), role="repairs")

    make(3, 0)
    with django_assert_max_num_queries(10) as small:
        assert bob_client.get("/api/v1/firms/").status_code == 200
    make(20, 3)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(bob_client.get("/api/v1/firms/?page_size=100").json()["results"]) == 25


def test_firm_update_service_keeps_unchanged_platforms_without_a_revision(firms, alice):
    before = FirmRevision.objects.filter(firm=firms[0]).count()
    doc = firm_clean_document(firms[0])
    firm_update(firm=firms[0], user=alice, data={"platforms": doc["platforms"]}, partial=True)
    assert FirmRevision.objects.filter(firm=firms[0]).count() == before


# --- GET /api/v1/platforms/ ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_the_platform_catalogue_is_for_anyone_signed_in(firms, persona, request, django_assert_max_num_queries):
    name = request.node.callspec.params["persona"]
    with django_assert_max_num_queries(6):
        response = persona.get("/api/v1/platforms/", HTTP_ACCEPT_LANGUAGE="uk")
    assert response.status_code == (401 if name == "anon" else 200)
    if name == "anon":
        return
    rows = response.json()
    assert len(rows) == 130
    t64 = next(r for r in rows if r["code"] == "tank.t_64bv")
    assert t64 == {
        "code": "tank.t_64bv", "kind": "tank", "name": "Т-64БВ", "name_en": "T-64BV", "name_uk": "Т-64БВ",
        "oem": "Kharkiv Morozov Machine Building Design Bureau", "origin": "SU", "calibre": "125mm",
        "capabilities": Platform.objects.get(code="tank.t_64bv").capabilities, "in_ukraine": True,
    }  # fmt: skip


def test_the_catalogue_filters_by_kind_and_searches_both_names(firms, bob_client):
    tanks = bob_client.get("/api/v1/platforms/?kind=tank").json()
    assert len(tanks) == 9 and {r["kind"] for r in tanks} == {"tank"}
    assert [r["code"] for r in bob_client.get("/api/v1/platforms/?q=Gvozdika").json()] == ["spg.2s1"]
    assert [r["code"] for r in bob_client.get("/api/v1/platforms/?q=Гвоздика").json()] == ["spg.2s1"]
    assert "tank.t_64bv" in [r["code"] for r in bob_client.get("/api/v1/platforms/?q=t-64bv").json()]
    assert bob_client.get("/api/v1/platforms/?kind=tank&q=Gvozdika").json() == []
    assert bob_client.get("/api/v1/platforms/?kind=submarine").json() == []


def test_the_catalogue_query_count_is_constant(firms, bob_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):  # force-authenticated: only the catalogue itself
        assert len(bob_client.get("/api/v1/platforms/?q=T").json()) > 10


def test_a_bad_catalogue_filter_is_a_400_naming_the_parameter(firms, bob_client):
    response = bob_client.get("/api/v1/platforms/", {"q": "x" * 201})
    assert response.status_code == 400
    assert "q" in response.json()["error"]["fields"]
    response = bob_client.get("/api/v1/platforms/", {"q": "t\x07"})
    assert response.status_code == 400 and "q" in response.json()["error"]["fields"]

"""`certification_expiry`: an additive field of `alliance-firms/1` ({code: last valid day})."""

import pytest

from registry.exchange import export_document, firm_clean_document, firm_document_problems
from registry.models import Capability, Firm
from registry.services import firm_update, firms_import
from tests.factories import FirmCapabilityFactory

pytestmark = pytest.mark.django_db

CODES = {"uav.fpv", "sensors.radar"}


def _doc(**changes) -> dict:
    doc = {
        "ref": "de-optik",
        "name": "Optik GmbH",
        "country": "DE",
        "description": "Thermal cores and optics for small drones.",
        "offers": [{"capability": "uav.fpv"}],
        "partnership_types": ["supply"],
        "certifications": ["ISO-9001", "AQAP-2110"],
        "contact": {"name": "Jan Weber", "email": "jan@optik.example"},
    }
    doc.update(changes)
    return doc


def test_a_file_without_the_field_reads_as_before():
    clean, problems = firm_document_problems(_doc(), capability_codes=CODES)
    assert problems == [] and clean["certification_expiry"] == {}
    assert "certification_expiry" not in export_document(clean)


def test_dates_are_kept_sorted_and_exported():
    clean, problems = firm_document_problems(
        _doc(certification_expiry={"ISO-9001": "2028-01-31", "AQAP-2110": "2027-06-30"}), capability_codes=CODES
    )
    assert problems == []
    assert export_document(clean)["certification_expiry"] == {"AQAP-2110": "2027-06-30", "ISO-9001": "2028-01-31"}


@pytest.mark.parametrize(
    ("value", "path"),
    [
        ({"AS9100": "2027-01-01"}, "certification_expiry.AS9100"),  # not among the certifications
        ({"ISO-9001": "31.01.2028"}, "certification_expiry.ISO-9001"),
        ({"ISO-9001": "2028-02-30"}, "certification_expiry.ISO-9001"),
        ({"ISO-9001": "2028-W05-1"}, "certification_expiry.ISO-9001"),
        ({"ISO-9001": 20280131}, "certification_expiry.ISO-9001"),
        (["ISO-9001"], "certification_expiry"),
    ],
)
def test_bad_dates_are_named(value, path):
    _clean, problems = firm_document_problems(_doc(certification_expiry=value), capability_codes=CODES)
    assert [p for p, _m in problems] == [path]


def test_an_update_without_the_field_keeps_the_dates_of_certifications_still_listed(firm_b, bob):
    FirmCapabilityFactory(firm=firm_b, capability=Capability.objects.get(code="uav.fpv"))
    Firm.objects.filter(pk=firm_b.pk).update(
        certifications=["ISO-9001", "AQAP-2110"],
        certification_expiry={"AQAP-2110": "2027-06-30", "ISO-9001": "2028-01-31"},
    )
    firm_b.refresh_from_db()
    doc = export_document(firm_clean_document(firm_b))
    del doc["certification_expiry"]
    doc["certifications"] = ["ISO-9001"]  # e.g. the web form, which has no date fields
    firm_update(firm=firm_b, user=bob, data=doc)
    firm_b.refresh_from_db()
    assert firm_b.certification_expiry == {"ISO-9001": "2028-01-31"}
    firm_update(firm=firm_b, user=bob, data={"certifications": ["ISO-9001", "AS9100"]}, partial=True)
    firm_b.refresh_from_db()
    assert firm_b.certification_expiry == {"ISO-9001": "2028-01-31"}
    firm_update(firm=firm_b, user=bob, data={"certification_expiry": {}}, partial=True)
    firm_b.refresh_from_db()
    assert firm_b.certification_expiry == {}


def test_an_import_without_the_field_keeps_the_dates_and_with_it_sets_them(db):
    firms_import(
        document={"format": "alliance-firms/1", "firms": [_doc(certification_expiry={"ISO-9001": "2028-01-31"})]}
    )
    firm = Firm.objects.get(ref="de-optik")
    assert firm.certification_expiry == {"ISO-9001": "2028-01-31"}
    result = firms_import(document={"format": "alliance-firms/1", "firms": [_doc()]})
    assert result.unchanged == 1
    firm.refresh_from_db()
    assert firm.certification_expiry == {"ISO-9001": "2028-01-31"}


def test_the_api_takes_and_gives_the_dates(firm_b, bob_client):
    FirmCapabilityFactory(firm=firm_b, capability=Capability.objects.get(code="uav.fpv"))
    url = f"/api/v1/firms/{firm_b.pk}/"
    response = bob_client.patch(
        url, {"certifications": ["ISO-9001"], "certification_expiry": {"ISO-9001": "2028-01-31"}}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["certification_expiry"] == {"ISO-9001": "2028-01-31"}
    bad = bob_client.patch(url, {"certification_expiry": {"AS9100": "2028-01-31"}}, format="json")
    assert bad.status_code == 400
    assert "certification_expiry.AS9100" in bad.json()["error"]["fields"]

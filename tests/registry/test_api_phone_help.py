"""The API documents the contact phone as the registry reads it (`registry/phones.py`), not as E.164 only."""

import pytest
import yaml

from tests.factories import FirmCapabilityFactory

pytestmark = pytest.mark.django_db


def test_the_schema_says_local_formats_are_read_and_stored_internationally(anon):
    schema = yaml.safe_load(anon.get("/api/schema/").content)
    help_text = schema["components"]["schemas"]["Contact"]["properties"]["phone"]["description"]
    assert "067 123 45 67" in help_text and "+38 (067) 123-45-67" in help_text
    assert "local to the firm's `country`" in help_text and "E.164" in help_text


def test_a_local_number_is_stored_internationally_as_the_help_says(bob_client, firm_b):
    FirmCapabilityFactory(firm=firm_b)
    response = bob_client.patch(f"/api/v1/firms/{firm_b.pk}/", {"contact": {"phone": "030 1234567"}}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["contact"]["phone"] == "+49301234567"


def test_a_number_that_is_not_valid_is_a_400_naming_contact_phone(bob_client, firm_b):
    response = bob_client.patch(f"/api/v1/firms/{firm_b.pk}/", {"contact": {"phone": "12"}}, format="json")
    assert response.status_code == 400
    assert "contact.phone" in response.json()["error"]["fields"]

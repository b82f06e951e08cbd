"""alliance/api/strict.py: unknown request fields are rejected by name (lives here because accounts owns it)."""

from rest_framework import serializers

from core.api.strict import StrictFieldsMixin


class ContactSerializer(StrictFieldsMixin, serializers.Serializer):
    email = serializers.EmailField()


class ProfileSerializer(StrictFieldsMixin, serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField()
    contact = ContactSerializer(required=False)


class EchoSerializer(StrictFieldsMixin, serializers.Serializer):
    strict_allow_read_only = True
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField()


def test_known_fields_pass():
    s = ProfileSerializer(data={"name": "SkyForge", "contact": {"email": "a@b.example"}})
    assert s.is_valid(), s.errors


def test_an_unknown_field_is_named_with_the_allowed_ones():
    s = ProfileSerializer(data={"name": "SkyForge", "nmae": "x"})
    assert not s.is_valid()
    assert list(s.errors) == ["nmae"]
    assert "Unknown field" in s.errors["nmae"][0]
    assert "contact, name" in s.errors["nmae"][0]


def test_unknown_fields_are_reported_together_with_ordinary_errors():
    s = ProfileSerializer(data={"bogus": 1})
    assert not s.is_valid()
    assert set(s.errors) == {"name", "bogus"}


def test_an_unknown_field_in_a_nested_serializer_is_named_under_its_parent():
    s = ProfileSerializer(data={"name": "SkyForge", "contact": {"email": "a@b.example", "fax": "1"}})
    assert not s.is_valid()
    assert "fax" in s.errors["contact"]


def test_a_read_only_field_is_rejected_unless_the_serializer_allows_echoing():
    s = ProfileSerializer(data={"name": "SkyForge", "id": 3})
    assert not s.is_valid()
    assert "read-only" in s.errors["id"][0]
    assert EchoSerializer(data={"name": "SkyForge", "id": 3}).is_valid()


def test_many_true_checks_every_item():
    s = ContactSerializer(data=[{"email": "a@b.example"}, {"email": "c@d.example", "x": 1}], many=True)
    assert not s.is_valid()
    assert 0 not in s.errors and "x" in s.errors[1]

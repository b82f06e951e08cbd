"""registry/validators.py against the spec's test vectors and, by hypothesis, the check-digit rules."""

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st
from stdnum.iso7064 import mod_97_10
from stdnum.ua import edrpou as stdnum_edrpou

from registry.validators import (
    country_problem,
    edrpou_problem,
    language_problem,
    lei_problem,
    ncage_problem,
    phone_problem,
    validate_edrpou,
    validate_lei,
)


@pytest.mark.parametrize("code", ["14360570", "40075815", "32855961", "00032129"])
def test_spec_valid_edrpou_codes_pass(code):
    assert edrpou_problem(code) is None
    validate_edrpou(code)


def test_an_invalid_edrpou_says_where_to_check_it_not_which_digit_would_pass():
    # Not "expected 1": a code made valid by changing its last digit is usually another firm's.
    assert (
        edrpou_problem("32855968")
        == "This EDRPOU is not valid: check the 8 digits on your extract from the state register"
    )
    with pytest.raises(ValidationError, match="check the 8 digits on your extract"):
        validate_edrpou("32855968")


@pytest.mark.parametrize("code", ["1436057", "143605701", "1436057A", "", " 14360570", 14360570])
def test_edrpou_of_wrong_shape_is_refused(code):
    assert (
        edrpou_problem(code)
        == "This EDRPOU is not valid: it is exactly 8 digits, as on your extract from the state register"
    )


@pytest.mark.parametrize("code", ["213800KUD8LAJWSQ9D15", "969500KSV493XWY0PS33"])
def test_spec_valid_leis_pass(code):
    assert lei_problem(code) is None
    validate_lei(code)


def test_lei_with_wrong_check_digits_names_the_expected_ones():
    assert lei_problem("213800KUD8LAJWSQ9D16") == "check digits are 16, expected 15 (ISO 7064 MOD 97-10)"


@pytest.mark.parametrize("code", ["213800KUD8LAJWSQ9D1", "213800kud8lajwsq9d15", "213800KUD8LAJWSQ9D15X"])
def test_lei_of_wrong_shape_is_refused(code):
    assert lei_problem(code) == "must be 20 characters A-Z 0-9"


@given(st.text(alphabet="0123456789", min_size=7, max_size=7))
def test_any_seven_digits_with_the_computed_check_digit_are_valid(body):
    assert edrpou_problem(body + stdnum_edrpou.calc_check_digit(body)) is None


@given(st.text(alphabet="0123456789", min_size=7, max_size=7), st.integers(min_value=1, max_value=9))
def test_any_other_last_digit_is_refused(body, offset):
    expected = stdnum_edrpou.calc_check_digit(body)
    wrong = str((int(expected) + offset) % 10)
    assert (
        edrpou_problem(body + wrong)
        == "This EDRPOU is not valid: check the 8 digits on your extract from the state register"
    )


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=18, max_size=18))
def test_any_lei_body_with_computed_check_digits_is_valid(body):
    assert lei_problem(body + mod_97_10.calc_check_digits(body)) is None


@given(
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=18, max_size=18),
    st.integers(min_value=1, max_value=96),
)
def test_any_other_lei_check_digits_are_refused(body, offset):
    good = int(mod_97_10.calc_check_digits(body))
    wrong = f"{(good + offset) % 97:02d}"
    # MOD 97-10 check digits run 02..98: 00, 01 (and 99) never validate, any other value differs from `good`.
    assert lei_problem(body + wrong) is not None


@pytest.mark.parametrize(
    ("code", "ok"), [("U1234", True), ("D8A2F", True), ("u1234", False), ("U123", False), ("U12345", False)]
)
def test_ncage_is_five_upper_case_letters_or_digits(code, ok):
    assert (ncage_problem(code) is None) is ok


def test_ukraine_and_eligible_partners_may_register():
    assert country_problem("UA") is None
    assert country_problem("DE") is None


@pytest.mark.parametrize("code", ["RU", "BY", "IR", "KP"])
def test_forbidden_countries_are_refused_even_when_configured_eligible(code):
    with override_settings(ELIGIBLE_PARTNER_COUNTRIES=["DE", code]):
        assert country_problem(code) == f"{code} is refused: firms from this country cannot register"


def test_countries_off_the_eligible_list_are_refused():
    assert country_problem("CN") == "CN is not on the list of eligible partner countries"
    assert country_problem("XX") == "'XX' is not an ISO 3166-1 alpha-2 country code"
    assert country_problem("de") == "'de' is not an ISO 3166-1 alpha-2 country code"


def test_phone_numbers_must_be_valid_e164():
    assert phone_problem("+380441234567") is None
    assert (
        phone_problem("0441234567")
        == "is not a phone number we can read: write it with its area code, e.g. 044 123 4567 or +380 44 123 4567"
    )
    assert phone_problem("+3800000000") == "is not a valid phone number for its country code: check the digits"


def test_languages_are_iso_639_1_codes():
    assert language_problem("uk") is None
    assert language_problem("ua") == "'ua' is not an ISO 639-1 language code"

"""Phone numbers as people write them, stored in E.164: the one place a typed number is read.

The profile form, the API and the import all pass the contact phone through `phone_e164` (via
`registry.exchange`), so `067 123 45 67`, `0671234567` and `+38 (067) 123-45-67` are the same
number, +380671234567, wherever they are typed. A local number is read in the firm's country.
Parsing and validity come from `phonenumbers` (Google's libphonenumber metadata), never hand-written.
"""

import phonenumbers


def phone_e164(value: str, *, country: str | None = None) -> str | None:
    """`value` in E.164 (+380671234567) when it is a valid number written internationally
    (+38 (067) 123-45-67, 00380...) or locally in `country` (067 123 45 67 for UA); None otherwise."""
    if not isinstance(value, str) or not value.strip() or len(value) > 64:
        return None
    region = country.upper() if isinstance(country, str) and len(country) == 2 else None
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

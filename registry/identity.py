"""One legal entity, one registry record: no two firms share a non-blank EDRPOU code or LEI.

The one home of the rule in words; the database enforces it too (`firm_edrpou_unique`,
`firm_lei_unique`), so a race between two registrations ends in the same message
(`identity_integrity_problem`). The LEI is compared case-insensitively (LEIs are upper case).
"""

from collections.abc import Iterator, Mapping, Sequence

from django.db import IntegrityError
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils.translation import gettext as _

from registry.models import Firm
from registry.validators import edrpou_with_check_digit

# The identifiers a firm may not share with another, and the database constraint of each.
UNIQUE_IDENTIFIERS = {"edrpou": "firm_edrpou_unique", "lei": "firm_lei_unique"}
BATCH_SIZE = 1000

Problem = tuple[str, str]


def identity_taken_message(field: str) -> str:
    """What to tell someone whose firm's `field` (edrpou or lei) is another firm's, in the active language."""
    if field == "edrpou":
        return _(
            "A firm with this EDRPOU code is already registered. Ask its owners to invite you to it, "
            "or contact the ministry if you think this is a mistake."
        )
    return _(
        "A firm with this LEI is already registered. Ask its owners to invite you to it, "
        "or contact the ministry if you think this is a mistake."
    )


def _key(field: str, value: object) -> str:
    """The compared form of an identifier: "" (no identifier) unless a non-blank string."""
    if not isinstance(value, str) or not value.strip():
        return ""
    return value.upper() if field == "lei" else value


def firm_identity_problems(*, clean: Mapping, firm_pk: int | None = None) -> list[Problem]:
    """(field, message) for each identifier of the clean document `clean` that another firm than
    `firm_pk` (None: a new firm) already holds. One query."""
    condition = Q()
    for field in UNIQUE_IDENTIFIERS:
        if value := _key(field, clean.get(field)):
            condition |= Q(**{f"{field}__iexact" if field == "lei" else field: value})
    if not condition:
        return []
    others = Firm.objects.filter(condition)
    if firm_pk is not None:
        others = others.exclude(pk=firm_pk)
    taken = {
        field for row in others.values("edrpou", "lei") for field in UNIQUE_IDENTIFIERS if _match(field, row, clean)
    }
    return [(field, identity_taken_message(field)) for field in UNIQUE_IDENTIFIERS if field in taken]


def _match(field: str, row: Mapping, clean: Mapping) -> bool:
    key = _key(field, clean.get(field))
    return bool(key) and _key(field, row[field]) == key


def file_identity_problems(cleans: Sequence[Mapping]) -> dict[int, list[Problem]]:
    """{index in `cleans`: problems} for an import: an identifier held by a registered firm of another
    ref, or by an earlier firm of the file. A firm's own record (same ref) is no clash, so a file
    imports again. A constant number of queries per BATCH_SIZE firms."""
    out: dict[int, list[Problem]] = {}
    for field in UNIQUE_IDENTIFIERS:
        keys = sorted({key for clean in cleans if (key := _key(field, clean.get(field)))})
        holders: dict[str, str] = {}  # identifier -> ref of the registered firm holding it
        for start in range(0, len(keys), BATCH_SIZE):
            chunk = keys[start : start + BATCH_SIZE]
            rows = Firm.objects.annotate(key=Upper(field) if field == "lei" else F(field)).filter(key__in=chunk)
            holders.update((_key(field, value), ref) for value, ref in rows.values_list(field, "ref"))
        first: dict[str, int] = {}
        for index, clean in enumerate(cleans):
            if not (key := _key(field, clean.get(field))):
                continue
            message = identity_taken_message(field)
            if key in holders and holders[key] != clean.get("ref"):
                out.setdefault(index, []).append((field, f"{message} (registered firm {holders[key]})"))
            elif key in first:
                out.setdefault(index, []).append((field, f"{message} (also firms[{first[key]}])"))
            else:
                first[key] = index
    return out


def identity_integrity_problem(error: IntegrityError) -> Problem | None:
    """The (field, message) of a unique-identifier constraint that `error` reports, or None."""
    text = str(error)
    for field, constraint in UNIQUE_IDENTIFIERS.items():
        if constraint in text:
            return field, identity_taken_message(field)
    return None


def free_edrpou_codes(start: int = 9_000_000) -> Iterator[str]:
    """Valid EDRPOU codes no firm holds yet, from `start` (first seven digits) up: for generated data."""
    taken = set(Firm.objects.exclude(edrpou="").values_list("edrpou", flat=True))
    for number in range(start, 10_000_000):
        if (code := edrpou_with_check_digit(number)) not in taken:
            yield code

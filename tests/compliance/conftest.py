"""Compliance fixtures: the hand-made small sanctions list and helpers to write variants of it."""

from pathlib import Path

import pytest

from compliance.services import sanctions_list_import

SMALL_LIST = Path(__file__).parent / "data" / "sanctions_small.csv"


@pytest.fixture
def small_list(db):
    """The small list imported and active (re-screening not run: on_commit callbacks are not executed)."""
    return sanctions_list_import(path=SMALL_LIST)


@pytest.fixture
def list_variant(tmp_path):
    """Write a copy of the small list with text replacements; returns its path."""

    def make(name: str = "variant.csv", replace: dict[str, str] | None = None, drop_ids: tuple[str, ...] = ()) -> Path:
        lines = SMALL_LIST.read_text(encoding="utf-8").splitlines(keepends=True)
        lines = [line for line in lines if not any(line.startswith(f"{i},") for i in drop_ids)]
        text = "".join(lines)
        for old, new in (replace or {}).items():
            assert old in text, old
            text = text.replace(old, new)
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return make


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The personas' passwords are hashed with PBKDF2 by default: seconds per test under load, useless here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

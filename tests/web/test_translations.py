"""The Ukrainian catalogue is complete, well-formed, and its committed .mo matches the .po."""

import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

PO = Path(settings.BASE_DIR) / "locale" / "uk" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def test_every_ukrainian_entry_is_translated_and_none_is_fuzzy():
    po = polib.pofile(str(PO))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"untranslated in {PO}: {untranslated}"
    assert not fuzzy, f"fuzzy in {PO}: {fuzzy}"
    assert po.percent_translated() == 100


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
def test_placeholders_agree_between_english_and_ukrainian(tmp_path):
    # --check-format refuses a translation whose %(name)s placeholders differ from the msgid's.
    result = subprocess.run(
        ["msgfmt", "--check-format", "--check-header", "-o", str(tmp_path / "x.mo"), str(PO)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_the_committed_mo_is_compiled_from_the_current_po():
    po = {
        (e.msgctxt, e.msgid): (e.msgstr or tuple(sorted(e.msgstr_plural.items())))
        for e in polib.pofile(str(PO))
        if not e.obsolete
    }
    mo = {(e.msgctxt, e.msgid): (e.msgstr or tuple(sorted(e.msgstr_plural.items()))) for e in polib.mofile(str(MO))}
    mo.pop((None, ""), None)  # the header
    stale = {k for k in po.keys() | mo.keys() if po.get(k) != mo.get(k)}
    assert not stale, (
        f"{MO} is out of date; run `manage.py compilemessages -l uk --ignore=.venv`. Differs: {sorted(stale, key=str)[:10]}"
    )


def test_pages_really_use_the_catalogue():
    with translation.override("uk"):
        assert translation.gettext("Log in") == "Увійти"
        assert str(translation.gettext("Pending verification")) == "Очікує верифікації"


def test_every_entry_keeps_the_msgids_named_placeholders_flagged_or_not():
    """msgfmt --check-format only looks at entries flagged python-format; this looks at all of them."""
    import re

    names = re.compile(r"%\((\w+)\)[sdfir]|\{(\w+)\}")

    def found(text: str) -> set[str]:
        return {a or b for a, b in names.findall(text)}

    wrong = []
    for entry in polib.pofile(str(PO)):
        if entry.obsolete or entry.fuzzy:
            continue
        if entry.msgid_plural:
            expected = found(entry.msgid_plural) | found(entry.msgid)
            for n, text in entry.msgstr_plural.items():
                if text and found(text) - expected or (text and found(entry.msgid_plural) - found(text)):
                    wrong.append((entry.msgid, n, text))
        elif entry.msgstr and found(entry.msgstr) != found(entry.msgid):
            wrong.append((entry.msgid, entry.msgstr))
    assert not wrong, wrong[:10]

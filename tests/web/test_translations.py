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


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext's xgettext is not installed")
def test_every_message_in_the_python_code_has_a_ukrainian_translation(tmp_path):
    """The catalogue's own checks only see entries it has: a gettext() call whose msgid never reached
    the .po shows English on a Ukrainian page. xgettext reads every module (not tests, benchmarks or
    migrations) with Django's keywords; each msgid must be translated in the .po."""
    root = PO.parents[3]
    files = subprocess.run(["git", "ls-files", "*.py"], cwd=root, capture_output=True, text=True, check=True)
    modules = [
        f for f in files.stdout.split() if not f.startswith(("tests/", "bench/", "tools/")) and "/migrations/" not in f
    ]
    (tmp_path / "files.txt").write_text("\n".join(modules))
    keywords = [
        "gettext", "gettext_lazy", "_", "ngettext:1,2", "ngettext_lazy:1,2", "pgettext:1c,2", "pgettext_lazy:1c,2",
        "npgettext:1c,2,3", "npgettext_lazy:1c,2,3", "gettext_noop",
    ]  # fmt: skip
    subprocess.run(
        ["xgettext", "-L", "Python", "--from-code=UTF-8", *(f"--keyword={k}" for k in keywords)]
        + ["-f", str(tmp_path / "files.txt"), "-o", str(tmp_path / "code.pot")],
        cwd=root,
        check=True,
    )
    translated = {(e.msgctxt, e.msgid) for e in polib.pofile(str(PO)) if not e.obsolete and e.translated()}
    missing = [
        f"{e.occurrences[0][0]}:{e.occurrences[0][1]} {e.msgid!r}"
        for e in polib.pofile(str(tmp_path / "code.pot"))
        if e.msgid and (e.msgctxt, e.msgid) not in translated
    ]
    assert not missing, "not in the Ukrainian catalogue:\n" + "\n".join(missing)

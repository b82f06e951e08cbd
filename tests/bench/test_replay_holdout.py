"""The held-out replay set (bench/replay/holdout): its pairs, its firms and their independence."""

import csv
import json
import re
from pathlib import Path

import pytest

from bench.replay.population import load_pairs, load_real_firms
from registry.exchange import firm_document_problems

ROOT = Path(__file__).resolve().parents[2]
HOLDOUT = ROOT / "bench" / "replay" / "holdout"
FIRST = ROOT / "bench" / "replay"
KINDS = {"joint_venture", "licence", "co_production", "repair_hub", "supply", "mou"}
UKRAINE = re.compile(r"ukrain|україн|украин", re.IGNORECASE)


def _codes(name: str) -> set[str]:
    with open(ROOT / "registry" / "data" / name, newline="", encoding="utf-8") as fh:
        return {row["code"] for row in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def firms():
    real, platforms = load_real_firms(HOLDOUT / "firms.json")
    return {f["ref"]: f for f in real}, platforms


@pytest.fixture(scope="module")
def raw_firms():
    with open(HOLDOUT / "firms.json", encoding="utf-8") as fh:
        doc = json.load(fh)
    assert doc["format"] == "alliance-firms/1"
    return doc["firms"]


@pytest.fixture(scope="module")
def pairs():
    return load_pairs(HOLDOUT / "partnerships.csv")


def _text(firm: dict) -> str:
    """Everything a profile says in words: description and offer/seek details."""
    details = [e.get("detail") or "" for kind in ("offers", "seeks") for e in firm.get(kind) or ()]
    return " ".join([firm["description"], *details])


def _name_tokens(name: str) -> set[str]:
    """The distinctive words of a firm's name (legal forms and short words left out)."""
    forms = {"llc", "gmbh", "s.l.", "inc", "holdings", "group", "d.o.o", "прат", "нво", "ТОВ", "france"}
    words = re.findall(r"[\w&-]+", name)
    return {w.lower() for w in words if len(w) >= 4 and w.lower() not in {f.lower() for f in forms}}


def test_the_csv_has_the_documented_columns_unique_ids_allowed_kinds_and_years(pairs):
    with open(HOLDOUT / "partnerships.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["id", "ukrainian_ref", "partner_ref", "year", "kind", "basis"]
    ids = [p.id for p in pairs]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"h\d{2}", i) for i in ids)
    assert {p.kind for p in pairs} <= KINDS
    assert all(2022 <= p.year <= 2026 for p in pairs)
    assert all(r["basis"].strip() and "\n" not in r["basis"] for r in rows)
    assert len({(p.ua_ref, p.partner_ref) for p in pairs}) == len(pairs)


def test_every_ref_in_the_csv_is_a_firm_and_every_firm_is_in_a_pair(firms, pairs):
    by_ref, _ = firms
    referenced = {p.ua_ref for p in pairs} | {p.partner_ref for p in pairs}
    assert referenced == set(by_ref)
    assert all(by_ref[p.ua_ref]["country"] == "UA" for p in pairs)
    assert all(by_ref[p.partner_ref]["country"] != "UA" for p in pairs)


def test_no_pair_repeats_one_of_the_first_set(pairs):
    first = {(p.ua_ref, p.partner_ref) for p in load_pairs(FIRST / "partnerships.csv")}
    assert not first & {(p.ua_ref, p.partner_ref) for p in pairs}


def test_firms_shared_with_the_first_set_are_copied_verbatim(raw_firms):
    with open(FIRST / "firms.json", encoding="utf-8") as fh:
        first = {f["ref"]: f for f in json.load(fh)["firms"]}
    shared = [f for f in raw_firms if f["ref"] in first]
    assert shared, "the set reuses AIRO Group and KNDS France with new Ukrainian partners"
    assert all(f == first[f["ref"]] for f in shared)
    # Every other firm has identifiers of its own.
    taken = {v for f in first.values() for v in (f.get("edrpou"), f.get("lei")) if v}
    new = [f for f in raw_firms if f["ref"] not in first]
    assert not taken & {v for f in new for v in (f.get("edrpou"), f.get("lei")) if v}


def test_every_firm_is_a_valid_exchange_document_with_platforms_set_aside(firms):
    by_ref, _ = firms
    codes = _codes("capabilities.csv")
    problems = {ref: firm_document_problems(f, capability_codes=codes)[1] for ref, f in by_ref.items()}
    assert {ref: p for ref, p in problems.items() if p} == {}
    assert not any("platforms" in f for f in by_ref.values())


def test_the_platforms_extension_uses_catalogue_codes_and_validates(raw_firms, firms):
    _, platforms = firms
    assert platforms, "at least one firm lists the platforms it makes"
    codes, platform_codes = _codes("capabilities.csv"), _codes("platforms.csv")
    for f in raw_firms:
        if f.get("platforms"):
            clean, problems = firm_document_problems(f, capability_codes=codes, platform_codes=platform_codes)
            assert problems == [], f["ref"]
            assert clean["platforms"] == f["platforms"]


def test_no_partner_profile_mentions_ukraine(firms):
    by_ref, _ = firms
    partners = [f for f in by_ref.values() if f["country"] != "UA"]
    assert [f["ref"] for f in partners if UKRAINE.search(_text(f)) or UKRAINE.search(f["name"])] == []


def test_no_profile_names_its_counterpart(firms, pairs):
    by_ref, _ = firms
    leaks = []
    for p in pairs:
        for own, other in ((p.ua_ref, p.partner_ref), (p.partner_ref, p.ua_ref)):
            text = _text(by_ref[own]).lower()
            leaks += [(p.id, own, token) for token in _name_tokens(by_ref[other]["name"]) if token in text]
    assert leaks == []


def test_the_name_check_would_catch_a_leak(firms, pairs):
    """The leak test is not vacuous: a description naming the partner is caught."""
    by_ref, _ = firms
    p = pairs[0]
    leaked = dict(by_ref[p.ua_ref], description=by_ref[p.ua_ref]["description"] + " " + by_ref[p.partner_ref]["name"])
    assert any(t in _text(leaked).lower() for t in _name_tokens(by_ref[p.partner_ref]["name"]))
    assert UKRAINE.search("Supplies the Ukrainian army") and UKRAINE.search("для України")


def test_about_half_of_the_ukrainian_descriptions_are_in_ukrainian(firms):
    by_ref, _ = firms
    ua = [f for f in by_ref.values() if f["country"] == "UA"]
    in_ukrainian = [f for f in ua if any("\u0400" <= ch <= "\u04ff" for ch in f["description"])]
    assert 0.3 <= len(in_ukrainian) / len(ua) <= 0.7


def test_evaluate_ranks_the_held_out_pairs_when_asked_for_that_set():
    from bench.evaluate import evaluate_replay

    result = evaluate_replay(seed=1, n_ua_decoys=30, n_partner_decoys=200, replay_set="holdout")
    pairs = list(csv.DictReader(open(HOLDOUT / "partnerships.csv", encoding="utf-8")))
    assert result["set"] == "holdout" and result["pairs"] == len(pairs)
    assert [p["id"] for p in result["per_pair"]] == [p["id"] for p in pairs]
    main = evaluate_replay(seed=1, n_ua_decoys=30, n_partner_decoys=200)
    assert main["set"] == "main" and main["pairs"] == 24

"""The replay of real partnerships: the population it ranks them in, and the figures it reports."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings

from bench.evaluate import evaluate_replay
from bench.replay.metrics import pair_ranks, rank_metrics
from bench.replay.population import DOMINANT_UA, build_population, load_pairs, load_real_firms
from matching.scoring import Taxonomy
from registry.exchange import firm_document_problems

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def taxonomy():
    return Taxonomy.from_csv()


@pytest.fixture(scope="module")
def population(taxonomy):
    return build_population(seed=1, taxonomy=taxonomy)


def test_the_population_holds_every_real_firm_among_enough_decoys(population):
    real_ua = [f for f in population.ua if f["ref"] in population.real_refs]
    real_partners = [f for f in population.partners if f["ref"] in population.real_refs]
    assert (len(real_ua), len(real_partners)) == (12, 21)
    assert len(population.ua) - len(real_ua) >= 300
    assert len(population.partners) - len(real_partners) >= 2500
    assert len(population.pairs) == 24
    assert len(population.pair_rows()) == 24 and len(population.pair_rows(exclude_ua=DOMINANT_UA)) == 11
    assert all(f["country"] == "UA" for f in population.ua)
    assert all(f["country"] != "UA" for f in population.partners)


def test_the_real_profiles_are_taken_as_they_are_with_platforms_set_aside(population):
    real, platforms = load_real_firms()
    assert sum(len(v) for v in platforms.values()) == 54 and len(platforms) == 15
    by_ref = {f["ref"]: f for f in population.ua + population.partners}
    assert all(by_ref[f["ref"]] == f for f in real)
    assert not any("platforms" in f for f in by_ref.values())
    assert all(population.platforms[ref] == entries for ref, entries in platforms.items())


def test_look_alikes_copy_some_of_their_models_platforms(population):
    _, platforms = load_real_firms()
    copied = {ref: v for ref, v in population.platforms.items() if ref not in platforms}
    assert copied, "some look-alikes work on their model's platforms"
    for ref, entries in copied.items():
        model = population.look_alike_of[ref]
        assert all(e in platforms[model] for e in entries)


def test_replay_features_carry_platforms_only_with_a_catalogue(population, taxonomy):
    from matching.scoring.platforms import PlatformCatalogue

    ua, partners = population.side_features(taxonomy)
    assert partners.platform_roles is None
    ua, partners = population.side_features(taxonomy, PlatformCatalogue.from_csv())
    assert partners.platform_roles.nnz > 0 and ua.platform_roles.nnz > 0


def test_the_population_is_deterministic_for_a_seed(population, taxonomy):
    again = build_population(seed=1, taxonomy=taxonomy)
    other = build_population(seed=2, taxonomy=taxonomy)
    assert json.dumps(again.ua + again.partners) == json.dumps(population.ua + population.partners)
    assert json.dumps(other.partners) != json.dumps(population.partners)


def test_every_capability_code_is_in_the_taxonomy_and_every_decoy_is_a_valid_exchange_document(population, taxonomy):
    codes = set(taxonomy.codes)
    firms = population.ua + population.partners
    used = {e["capability"] for f in firms for kind in ("offers", "seeks") for e in f.get(kind) or ()}
    assert used <= codes
    decoys = [f for f in firms if f["ref"] not in population.real_refs]
    problems = [(f["ref"], firm_document_problems(f, capability_codes=codes)[1]) for f in decoys]
    assert [p for p in problems if p[1]] == []
    assert len({f["ref"] for f in firms}) == len(firms)
    assert {f["country"] for f in population.partners} <= set(settings.ELIGIBLE_PARTNER_COUNTRIES)


def test_decoys_look_like_a_market_with_competitors_of_each_real_firm(population):
    decoys = [f for f in population.ua + population.partners if f["ref"] not in population.real_refs]
    ua_decoys = [f for f in population.ua if f["ref"] not in population.real_refs]
    sparse = [f for f in decoys if len(f["offers"]) == 1 and not f.get("seeks")]
    primes = [f for f in decoys if (f.get("employees") or 0) >= 10000]
    assert 0.1 < len(sparse) / len(decoys) < 0.6 and len(primes) / len(decoys) < 0.03
    in_ukrainian = [f for f in ua_decoys if any("\u0400" <= ch <= "\u04ff" for ch in f["description"])]
    assert 0.35 < len(in_ukrainian) / len(ua_decoys) < 0.65
    # Every real firm has look-alikes on its side that share at least one of its offers' domains.
    by_ref = {f["ref"]: f for f in population.ua + population.partners}
    for ref in population.real_refs:
        mimics = [d for d, real in population.look_alike_of.items() if real == ref]
        domains = {e["capability"].split(".")[0] for e in by_ref[ref]["offers"]}
        assert len(mimics) >= 6, ref
        assert all(domains & {e["capability"].split(".")[0] for e in by_ref[d]["offers"]} for d in mimics), ref


def test_pairs_name_real_firms_on_the_right_sides():
    real, _ = load_real_firms()
    side = {f["ref"]: f["country"] == "UA" for f in real}
    assert all(side[p.ua_ref] and not side[p.partner_ref] for p in load_pairs())


def test_ranks_count_both_sides_and_ties_take_the_mid_rank():
    scores = np.array(
        [
            [0.9, 0.5, 0.5, 0.1],
            [0.2, 0.8, 0.5, 0.0],
            [0.3, 0.1, 0.7, 0.6],
        ]
    )
    pairs = [(0, 1), (1, 3), (2, 3)]
    # (0, 1): row 0 has 0.9 above and ties with 0.5 -> 2.5; column 1 has 0.8 above -> 2.
    # (1, 3): 0.0 is last in row 1 -> 4; column 3: 0.6 and 0.1 above -> 3.
    # (2, 3): row 2 has 0.7 above -> 2; column 3: best -> 1.
    assert pair_ranks(scores, pairs).tolist() == [[2.5, 2.0], [4.0, 3.0], [2.0, 1.0]]
    m = rank_metrics(scores, pairs, ks=(1, 2))
    assert m == {"pairs": 3, "top1": round(1 / 3, 4), "top2": round(2 / 3, 4), "median_best_rank": 2.0,
                 "mrr": round((1 / 2 + 1 / 3 + 1) / 3, 4)}  # fmt: skip


def test_the_replay_reports_every_ranker_pooled_and_without_the_dominant_firm():
    result = evaluate_replay(seed=1, n_ua_decoys=30, n_partner_decoys=200)
    assert (result["ukrainian"], result["partners"], result["pairs"]) == (42, 221, 24)
    for key in ("engine", "baseline_jaccard", "baseline_tfidf"):
        assert result[key]["all"]["pairs"] == 24 and result[key]["without"]["pairs"] == 11
        assert 0 <= result[key]["all"]["top5"] <= result[key]["all"]["top10"] <= 1
    assert len(result["per_pair"]) == 24


def test_the_replay_says_which_pairs_share_nothing_the_engine_reads():
    result = evaluate_replay(seed=1, n_ua_decoys=30, n_partner_decoys=200)
    signals = {p["id"]: p["signals"] for p in result["per_pair"]}
    # Summa Defence (machining, investment) and four drone makers: no need met, field, platform or word.
    assert all(signals[i] == [] for i in ("p13", "p14", "p15"))
    # Ukroboronprom - PGZ: PGZ meets a stated need, both make ammunition, 125 mm rounds, shared terms.
    assert {"complementarity", "coproduction", "platforms"} <= set(signals["p08"])
    assert result["pairs_without_signal"] == sum(1 for s in signals.values() if not s)
    # A pair with no signal scores what unrelated firms score: it can rank no better than the ties.
    engine = {p["id"]: p["engine"] for p in result["per_pair"]}
    assert min(engine["p13"]) > 5


def test_the_script_prints_the_replay_table_then_json():
    cmd = [sys.executable, "bench/evaluate.py", "--population", "replay", "--ukrainian", "20", "--partners", "100"]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip().splitlines()
    assert out[0].startswith("Replay: 24 real partnerships among 32 Ukrainian x 121 partner firms")
    assert [line.split()[0] for line in out[3:6]] == ["engine", "capability", "TF-IDF"]
    assert json.loads(out[-1])["population"] == "replay"

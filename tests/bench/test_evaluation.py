"""The labelled evaluation: the engine must beat a plain capability-Jaccard baseline clearly."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from bench.evaluate import evaluate, precision_recall, top_k
from matching.scoring import COMPONENTS, MatchParams

ROOT = Path(__file__).resolve().parents[2]


def test_engine_beats_the_jaccard_baseline_by_a_clear_margin():
    result = evaluate(200, 2000, seed=7)
    engine, baseline = result["engine"], result["baseline_jaccard"]
    assert result["queries"] == 80 and result["planted_pairs"] > 160
    # Shares are counts over 400 slots: compare with a float tolerance, not a looser margin.
    assert engine["precision_at_k"] >= baseline["precision_at_k"] + 0.1 - 1e-9, result
    assert engine["recall_at_k"] >= baseline["recall_at_k"] + 0.1 - 1e-9, result
    assert engine["precision_at_k"] <= result["ceiling"]["precision_at_k"]
    # Where the wins come from: needs written only in words, and one-sided decoys on bad terms.
    assert result["queries_with_untagged_need"] > 10
    assert engine["recall_at_k_untagged_need"] >= baseline["recall_at_k_untagged_need"] + 0.2, result
    assert engine["top_k"]["one_sided"] < baseline["top_k"]["one_sided"], result


def test_an_engine_that_only_reads_paperwork_does_not_beat_the_baseline():
    # The margin assertion above can fail: weigh only certificates and clearance and it does.
    weights = {c: 0.0 for c in COMPONENTS} | {"assurance": 1.0}
    result = evaluate(200, 2000, seed=7, params=MatchParams(weights=weights, min_substance=0.0))
    assert result["engine"]["precision_at_k"] < result["baseline_jaccard"]["precision_at_k"] + 0.1


def test_precision_and_recall_at_k_count_hits_against_the_truth():
    ranked = np.array([[3, 1, 2], [0, 4, 5]])
    truth = {10: [1, 2], 11: [9]}
    p, r = precision_recall(ranked, np.array([10, 11]), truth, k=2)
    assert p == (1 / 2 + 0 / 2) / 2
    assert r == (1 / 2 + 0 / 1) / 2
    assert top_k(np.array([[0.1, 0.5, 0.5, 0.2]]), 2).tolist() == [[1, 2]]  # ties by lower index


def test_the_script_prints_a_table_then_json():
    out = (
        subprocess.run(
            [sys.executable, "bench/evaluate.py", "--ukrainian", "40", "--partners", "300", "--seed", "3"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()
    )
    assert out[1].split() == ["ranker", "precision@5", "recall@5"]
    assert out[2].startswith("engine") and out[3].startswith("capability Jaccard")
    assert set(json.loads(out[-1])) >= {"engine", "baseline_jaccard", "ceiling", "queries"}

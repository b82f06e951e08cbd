"""bench/screening_eval: the labelled set's size and the targets of issue 17, as a regression guard."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parents[2] / "bench" / "screening_eval"


@pytest.fixture(scope="module")
def evaluate():
    sys.path.insert(0, str(HERE))
    spec = importlib.util.spec_from_file_location("screening_evaluate", HERE / "evaluate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module
    sys.path.remove(str(HERE))


def test_the_set_has_the_sizes_the_issue_asks_for(evaluate):
    from entities import ENTITIES
    from firms import DISGUISED, INNOCENT

    assert len(ENTITIES) >= 60 and len(DISGUISED) >= 70 and len(INNOCENT) >= 80
    assert len(evaluate.list_rows(2400)) == 2400
    assert len({row[0] for row in evaluate.list_rows(2400)}) == 2400  # ids are unique


def test_recall_and_false_alarms_meet_the_targets(evaluate, capsys):
    assert evaluate.main([]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["recall"] >= 0.9
    assert result["false_alarms"] <= 0.05

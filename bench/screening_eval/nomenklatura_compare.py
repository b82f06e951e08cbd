"""OpenSanctions' matcher (nomenklatura `logic-v2`) over the same labelled set, for comparison.

nomenklatura is NOT a dependency of the service: run this with its own virtualenv.

    python3 -m venv /tmp/nk-venv && /tmp/nk-venv/bin/pip install nomenklatura
    .venv/bin/python bench/screening_eval/evaluate.py --write-json /tmp/screening_eval_list.json
    /tmp/nk-venv/bin/python bench/screening_eval/nomenklatura_compare.py --list-json /tmp/screening_eval_list.json

Candidates: each firm is compared with every real entity of the set (entities.py, the ids
not starting "ev-pad-") and with every generated entry sharing a lower-cased, ASCII-folded word
of four or more letters with it. That is kinder to logic-v2 than a search index would be
(its candidate lookup never misses a real entity), so its recall here is an upper bound. A firm is flagged for an entry whose logic-v2 score reaches the threshold
(yente's default, 0.7). Same counting as evaluate.py; the last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from firms import DISGUISED, INNOCENT  # noqa: E402


def _words(text: str) -> set[str]:
    from normality import ascii_text

    return {w for w in re.split(r"[^a-z0-9]+", (ascii_text(text) or "").lower()) if len(w) >= 4}


def _identifier_props(entity, identifiers) -> None:
    for value in identifiers:
        label, _, number = value.partition(" ")
        prop = {"LEI": "leiCode", "INN": "innCode", "EDRPOU": "registrationNumber"}.get(label, "registrationNumber")
        entity.add(prop, number or value)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=0.7)
    parser.add_argument(
        "--list-json", required=True, help="the padded list, from evaluate.py --write-json (same rows as evaluate.py)"
    )
    options = parser.parse_args(argv)
    from followthemoney import model
    from nomenklatura.matching import LogicV2
    from nomenklatura.matching.types import ScoringConfig

    config = ScoringConfig.defaults()
    rows = json.loads(Path(options.list_json).read_text(encoding="utf-8"))
    listed, block = {}, defaultdict(set)
    real = [row[0] for row in rows if not row[0].startswith("ev-pad-")]
    for entity_id, schema, name, aliases, countries, identifiers in rows:
        entity = model.make_entity(schema if schema in ("Person", "Company", "Organization") else "LegalEntity")
        entity.id = entity_id
        entity.add("name", name)
        entity.add("alias", aliases)
        entity.add("country", countries)
        _identifier_props(entity, identifiers)
        listed[entity_id] = entity
        for text in (name, *aliases):
            for word in _words(text):
                block[word].add(entity_id)
    started = time.perf_counter()
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    kinds = {}
    for number, (category, expected, name, country, identifiers) in enumerate(DISGUISED + INNOCENT):
        schema = "Person" if category in ("person", "person_namesake") else "LegalEntity"
        query = model.make_entity(schema)
        query.id = f"firm-{number}"  # a fresh id: the matcher may cache by id
        query.add("name", name)
        query.add("country", country.lower())
        _identifier_props(query, identifiers)
        candidates = set(real) | set().union(*(block.get(w, set()) for w in _words(name)))
        hits = set()
        for entity_id in candidates:
            result = LogicV2.compare(query, listed[entity_id], config)
            if result.score >= options.threshold:
                hits.add(entity_id)
        if expected is not None:
            kinds[category] = "recall"
            tally[category][0] += expected in hits
        else:
            kinds[category] = "false alarms"
            tally[category][0] += bool(hits)
        tally[category][1] += 1
    print(f"nomenklatura LogicV2, threshold {options.threshold}, {time.perf_counter() - started:.1f} s\n")
    print("| category | measure | firms | rate |\n|---|---|---|---|")
    for category in sorted(tally, key=lambda k: (kinds[k], k)):
        pos, count = tally[category]
        print(f"| {category} | {kinds[category]} | {count} | {pos}/{count} |")
    summary = {}
    for kind in ("recall", "false alarms"):
        pos = sum(v[0] for k, v in tally.items() if kinds[k] == kind)
        count = sum(v[1] for k, v in tally.items() if kinds[k] == kind)
        print(f"| **all** | **{kind}** | {count} | **{pos}/{count} = {100 * pos / count:.1f} %** |")
        summary[kind.replace(" ", "_")] = round(pos / count, 4)
    print(json.dumps({**summary, "by_category": {k: f"{v[0]}/{v[1]}" for k, v in sorted(tally.items())}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

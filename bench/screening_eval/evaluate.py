"""Recall and false-alarm rate of the production screening core on the labelled evaluation set.

    .venv/bin/python bench/screening_eval/evaluate.py            # table by category
    .venv/bin/python bench/screening_eval/evaluate.py --misses   # plus every miss and false alarm
    .venv/bin/python bench/screening_eval/evaluate.py --write-csv /tmp/eval_list.csv  # the list as targets.simple.csv

The list is the real entities (entities.py) padded with generated ones (padding.py) to --rows;
the firms are firms.py. A disguised firm counts as caught only when the entity it disguises is
among its hits; an innocent counts as a false alarm when it has any hit. The last line is JSON.
"""

from __future__ import annotations

import argparse
import csv
import inspect
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
for path in (str(ROOT), str(HERE)):
    if path not in sys.path:
        sys.path.insert(0, path)

from entities import ENTITIES  # noqa: E402
from firms import DISGUISED, INNOCENT  # noqa: E402
from padding import padding_entries  # noqa: E402


def list_rows(rows: int) -> list[tuple]:
    return ENTITIES + padding_entries(max(rows - len(ENTITIES), 0))


def _accepts(function, name: str) -> bool:
    return name in inspect.signature(function).parameters


def build_index(entries: list[tuple]):
    from compliance.namematch import ScreeningIndex

    index = ScreeningIndex()
    extra = _accepts(index.add, "countries")
    for entity_id, schema, name, aliases, countries, identifiers in entries:
        if extra:
            index.add(entity_id, name, aliases, identifiers, countries=countries, schema=schema)
        else:
            index.add(entity_id, name, aliases, identifiers)
    return index


def screen_all(index, firms: list[tuple]) -> list[tuple[tuple, list]]:
    extra = _accepts(index.screen, "country")
    results = []
    for firm in firms:
        _, _, name, country, identifiers = firm
        hits = index.screen(name, identifiers, country=country) if extra else index.screen(name, identifiers)
        results.append((firm, hits))
    return results


def write_csv(path: str, entries: list[tuple]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings")
    import django

    django.setup()
    from compliance.services import REQUIRED_COLUMNS

    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REQUIRED_COLUMNS)
        for entity_id, schema, name, aliases, countries, identifiers in entries:
            row = dict.fromkeys(REQUIRED_COLUMNS, "")
            row.update(
                id=entity_id, schema=schema, name=name, aliases=";".join(aliases), countries=";".join(countries),
                identifiers=";".join(identifiers), sanctions="EU 833/2014", dataset="screening_eval",
                last_change="2026-01-01T00:00:00",
            )  # fmt: skip
            writer.writerow([row[column] for column in REQUIRED_COLUMNS])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2400, help="list rows, real entities padded with generated ones")
    parser.add_argument("--misses", action="store_true", help="print every miss and false alarm")
    parser.add_argument("--write-csv", metavar="PATH")
    parser.add_argument("--write-json", metavar="PATH", help="the list rows as JSON (for nomenklatura_compare.py)")
    options = parser.parse_args(argv)
    entries = list_rows(options.rows)
    if options.write_json:
        Path(options.write_json).write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
        print(json.dumps({"written": len(entries), "path": options.write_json}))
        return 0
    if options.write_csv:
        write_csv(options.write_csv, entries)
        print(json.dumps({"written": len(entries), "path": options.write_csv}))
        return 0
    started = time.perf_counter()
    index = build_index(entries)
    results = screen_all(index, DISGUISED + INNOCENT)
    seconds = time.perf_counter() - started

    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # category -> [positives, total]
    kinds: dict[str, str] = {}
    problems = []
    for firm, hits in results:
        category, expected, name, country, _ = firm
        hit_ids = [hit.entry for hit in hits]
        if expected is not None:
            kinds[category] = "recall"
            ok = expected in hit_ids
            tally[category][0] += ok
            if not ok:
                problems.append(f"MISS  [{category}] {name} ({country}) -> expected {expected}, got {hit_ids[:3]}")
        else:
            kinds[category] = "false alarms"
            tally[category][0] += bool(hits)
            if hits:
                detail = "; ".join(f"{h.entry} {h.score:.2f} {getattr(h, 'explanation', h.reason)}" for h in hits[:2])
                problems.append(f"ALARM [{category}] {name} ({country}) -> {detail}")
        tally[category][1] += 1

    def total(kind: str) -> tuple[int, int]:
        pos = sum(v[0] for k, v in tally.items() if kinds[k] == kind)
        return pos, sum(v[1] for k, v in tally.items() if kinds[k] == kind)

    print(f"{len(entries)} list rows, {len(results)} firms, {seconds:.2f} s\n")
    print("| category | measure | firms | rate |\n|---|---|---|---|")
    for category in sorted(tally, key=lambda k: (kinds[k], k)):
        pos, count = tally[category]
        print(f"| {category} | {kinds[category]} | {count} | {pos}/{count} = {100 * pos / count:.0f}% |")
    summary = {}
    for kind in ("recall", "false alarms"):
        pos, count = total(kind)
        print(f"| **all** | **{kind}** | {count} | **{pos}/{count} = {100 * pos / count:.1f}%** |")
        summary[kind.replace(" ", "_")] = round(pos / count, 4)
    if options.misses:
        print()
        print("\n".join(problems))
    summary.update(
        rows=len(entries), firms=len(results), seconds=round(seconds, 2),
        by_category={k: f"{v[0]}/{v[1]}" for k, v in sorted(tally.items())},
    )  # fmt: skip
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())

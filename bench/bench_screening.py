"""Benchmark the screening core: N generated firms against M generated list entries, in memory.

    .venv/bin/python bench/bench_screening.py --firms 20000 --entries 100000
    .venv/bin/python bench/bench_screening.py --entries 300000 --write-csv /tmp/list.csv  # for import_sanctions

Names are built from a random syllable vocabulary, with generic words, legal forms, Cyrillic
spellings and aliases; a few firms are planted copies of entries (reordered, other legal form,
transliterated) so recall is measured too. Prints a summary; the last line is JSON.
"""

import argparse
import csv
import json
import os
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

LATIN_TO_CYRILLIC = {
    "a": "а", "b": "б", "v": "в", "g": "г", "d": "д", "e": "е", "z": "з", "i": "и", "k": "к", "l": "л",
    "m": "м", "n": "н", "o": "о", "p": "п", "r": "р", "s": "с", "t": "т", "u": "у", "f": "ф", "h": "х",
}  # fmt: skip
CONSONANTS = "bvgdzklmnprstfh"
VOWELS = "aeiou"
LEGAL_LATIN = ["LLC", "JSC", "Ltd", "GmbH", "S.A.", "OOO", "AO", "PJSC", ""]
LEGAL_CYRILLIC = ["ООО", "АО", "ПАО", "ТОВ", "ПАТ", "АТ", ""]


def _cyrillic(word: str) -> str:
    return "".join(LATIN_TO_CYRILLIC.get(ch, ch) for ch in word.lower()).capitalize()


def _django() -> None:
    """compliance.namematch reads settings (transliteration); set Django up unless a test did."""
    from django.apps import apps

    if not apps.ready:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings")
        import django

        django.setup()


class Command:
    """Time screening FIRMS generated names against ENTRIES generated list entries (in-memory core)."""

    def __init__(self, stdout=None):
        self.stdout = _Out(stdout or sys.stdout)

    def add_arguments(self, parser):
        parser.add_argument("--firms", type=int, default=20000)
        parser.add_argument("--entries", type=int, default=100000)
        parser.add_argument("--vocabulary", type=int, default=60000, help="distinct distinctive words")
        parser.add_argument("--planted", type=float, default=0.01, help="share of firms copied from entries")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--write-csv",
            metavar="PATH",
            help="only write the generated entries as a targets.simple.csv (for import_sanctions)",
        )

    def handle(self, *args, **options):
        from compliance.namematch import GENERIC_TOKENS, ScreeningIndex, bulk_indexing

        rng = random.Random(options["seed"])
        generic = sorted(GENERIC_TOKENS)
        vocabulary = self._vocabulary(rng, options["vocabulary"])
        # Firms share half their words with the list's vocabulary, as real registries share words with lists.
        firm_vocabulary = vocabulary[: len(vocabulary) // 2] + self._vocabulary(rng, options["vocabulary"] // 2, 5)

        def words(low: int, high: int, source: list[str] = vocabulary) -> list[str]:
            return [rng.choice(source).capitalize() for _ in range(rng.randint(low, high))]

        entries = []
        for n in range(options["entries"]):
            distinctive = words(1, 3)
            extra = [rng.choice(generic).capitalize() for _ in range(rng.randint(0, 2))]
            name = " ".join(distinctive + extra + [rng.choice(LEGAL_LATIN)]).strip()
            aliases = []
            if rng.random() < 0.4:  # a Cyrillic spelling
                aliases.append(" ".join([rng.choice(LEGAL_CYRILLIC), *map(_cyrillic, distinctive)]).strip())
            identifiers = [f"{rng.randrange(10**7, 10**8)}"] if rng.random() < 0.3 else []
            entries.append((f"NK-{n}", name, aliases, identifiers, distinctive))

        if options["write_csv"]:
            self._write_csv(options["write_csv"], entries)
            return

        planted_count = int(options["firms"] * options["planted"])
        firms = []
        for n in range(options["firms"] - planted_count):
            name = " ".join(
                words(1, 2, firm_vocabulary) + [rng.choice(generic).capitalize()] + [rng.choice(LEGAL_LATIN)]
            ).strip()
            firms.append((f"firm-{n}", name, [f"{rng.randrange(10**7, 10**8)}"], None))
        for n in range(planted_count):
            entity_id, _, _, _, distinctive = rng.choice(entries)
            reordered = list(reversed(distinctive))
            if n % 2:
                name = " ".join([rng.choice(LEGAL_CYRILLIC), *map(_cyrillic, reordered)])
            else:
                name = " ".join([*reordered, rng.choice(LEGAL_LATIN)])
            firms.append((f"planted-{n}", name, [], entity_id))

        started = time.perf_counter()
        index = ScreeningIndex()
        with bulk_indexing():  # as the import and the workers build it
            for entity_id, name, aliases, identifiers, _ in entries:
                index.add(entity_id, name, aliases, identifiers)
        built = time.perf_counter()
        flagged = found = 0
        for _, name, identifiers, planted_from in firms:
            hits = index.screen(name, identifiers)
            flagged += bool(hits)
            if planted_from is not None and any(hit.entry == planted_from for hit in hits):
                found += 1
        finished = time.perf_counter()

        result = {
            "firms": len(firms),
            "entries": len(entries),
            "names_indexed": len(index),
            "index_seconds": round(built - started, 2),
            "screen_seconds": round(finished - built, 2),
            "total_seconds": round(finished - started, 2),
            "firms_per_second": round(len(firms) / max(finished - built, 1e-9)),
            "flagged_firms": flagged,
            "planted": planted_count,
            "planted_found": found,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
        self.stdout.write(
            f"Indexed {result['names_indexed']} names of {len(entries)} entries in {result['index_seconds']} s; "
            f"screened {len(firms)} firms in {result['screen_seconds']} s ({result['firms_per_second']}/s); "
            f"{flagged} flagged, {found}/{planted_count} planted found; peak RSS {result['peak_rss_mb']} MB"
        )
        self.stdout.write(json.dumps(result))

    def _write_csv(self, path: str, entries: list) -> None:
        from compliance.services import REQUIRED_COLUMNS

        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(REQUIRED_COLUMNS)
            for n, (entity_id, name, aliases, identifiers, _) in enumerate(entries):
                schema = ("Company", "Organization", "LegalEntity", "Person", "Vessel")[n % 5]
                writer.writerow(
                    [entity_id, schema, name, ";".join(aliases), "", "ru", "", ";".join(identifiers), "EU 833/2014",
                     "", "", "bench", "2024-01-01T00:00:00", "2026-11-01T00:00:00", "2024-01-01T00:00:00"]
                )  # fmt: skip
        self.stdout.write(json.dumps({"written": len(entries), "path": path}))

    @staticmethod
    def _vocabulary(rng: random.Random, size: int, max_syllables: int = 4) -> list[str]:
        words: set[str] = set()
        while len(words) < size:
            syllables = rng.randint(2, max_syllables)
            words.add("".join(rng.choice(CONSONANTS) + rng.choice(VOWELS) for _ in range(syllables)))
        return sorted(words)


class _Out:
    def __init__(self, stream):
        self.stream = stream

    def write(self, text: str) -> None:
        print(text, file=self.stream)


def main(argv: list[str] | None = None, stdout=None) -> int:
    parser = argparse.ArgumentParser(description=Command.__doc__)
    command = Command(stdout)
    command.add_arguments(parser)
    options = vars(parser.parse_args(argv))
    _django()
    command.handle(**options)
    return 0


if __name__ == "__main__":
    sys.exit(main())

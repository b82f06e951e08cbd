"""Sanctions name and identifier matching: plain Python, no Django.

Names are reduced to sorted ASCII tokens with OpenSanctions' own libraries (rigour removes
legal forms such as LLC, GmbH, ТОВ, ООО and transliterates Cyrillic), so Latin, Ukrainian and
Russian spellings of one name meet. An inverted index over distinctive tokens (and their
romanisation-folded keys, for transliteration drift) picks candidates; each candidate is then scored by
aligning tokens with a Levenshtein similarity (rapidfuzz). Generic words weigh little and
never make a hit alone; short tokens must match exactly, so a shared prefix is not a hit.
Identifier matches (LEI, EDRPOU, NCAGE) are strong hits by themselves.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import icu
from normality import ascii_text
from rapidfuzz.distance import Levenshtein
from rigour.names import normalize_name, remove_org_types
from rigour.text import is_stopword

# Score at or above which a name match becomes a potential match for a reviewer.
NAME_THRESHOLD = 0.8
IDENTIFIER_SCORE = 1.0

# Words common in company names (English and transliterated Ukrainian/Russian): they add a
# little to a score but never produce a candidate or a hit alone.
GENERIC_TOKENS = frozenset(
    """
    group groups grupa gruppa holding holdings trading trade company companies co corp corporation
    international intl global worldwide defence defense defensa defense systems system sistemy systemy
    centre center tsentr centr industries industry industrial industrial promyshlennost engineering
    engineers technologies technology technik technics tech solutions services service consulting
    partners enterprise enterprises manufacturing production products works plant factory zavod
    concern kontsern koncern konzern research scientific nauchno naukovo proizvodstvennoe proizvodstvennoye
    vyrobnyche obyedinenie obyedineniye obedinenie obiednannia kompaniya kompaniia predpriyatie
    pidpryiemstvo aerospace aviation aviatsionny electronics electronic logistics logistic supply
    supplies security military armament arms weapons munitions ammunition research development
    design bureau institute national state federal joint stock public private limited new first
    east west north south european euro ukraine ukrainian russia russian rossiya ukraina united
    general machine machinery machines mechanical metal metals steel energy resources capital invest
    investment investments management development import export imports exports digital network
    networks labs lab laboratory innovation innovations dynamics
    """.split()
)

_ID_CLEAN = re.compile(r"[^0-9A-Z]")


# ICU's BGN/PCGN romanisations (Харьковский -> kharkovskiy, Харківський -> kharkivskyy) are what
# English-language lists use; rigour's maybe_ascii gives similar spellings but is ~500x slower on
# unseen words. ICU transliterators are not thread-safe, hence the lock.
_RUSSIAN = icu.Transliterator.createInstance("Russian-Latin/BGN; Latin-ASCII")
_UKRAINIAN = icu.Transliterator.createInstance("Ukrainian-Latin/BGN; Latin-ASCII")
_UKRAINIAN_LETTERS = frozenset("іїєґ")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_APOSTROPHES = re.compile(r"[\u02b9\u02ba\u02bc'\u2019`\"]")
_ICU_LOCK = threading.Lock()


@lru_cache(maxsize=500_000)
def _ascii_token(token: str) -> str:
    """One lower-case token in ASCII; names repeat tokens, so this is cached."""
    if token.isascii():
        return token
    if _CYRILLIC.search(token):
        transliterator = _UKRAINIAN if _UKRAINIAN_LETTERS.intersection(token) else _RUSSIAN
        with _ICU_LOCK:
            token = transliterator.transliterate(token)
    # Soft signs become primes; they separate nothing ("Khar'kov" is one word).
    token = _APOSTROPHES.sub("", token)
    return (token if token.isascii() else ascii_text(token) or "").lower()


def normalise_name(name: str) -> tuple[str, ...]:
    """Sorted ASCII tokens of a name without legal forms, stopwords and punctuation."""
    text = remove_org_types(normalize_name(name) or "")
    tokens: list[str] = []
    for raw in text.split():
        token = _ascii_token(raw)
        for part in re.split(r"[^0-9a-z]+", token):
            if part and not is_stopword(part):
                tokens.append(part)
    return tuple(sorted(tokens))


def normalise_identifier(value: str) -> str:
    """Upper-case alphanumerics only: `5493 00ab-cd` and `549300ABCD` meet."""
    return _ID_CLEAN.sub("", value.upper())


def is_distinctive(token: str) -> bool:
    return len(token) >= 3 and token not in GENERIC_TOKENS and not token.isdigit()


def _weight(token: str) -> float:
    if token in GENERIC_TOKENS:
        return 0.35 * len(token)
    if len(token) <= 3:
        return 0.5 * len(token)
    return float(len(token))


_SKELETON_SUBS = (
    ("shch", "s"), ("kh", "h"), ("zh", "z"), ("ts", "c"), ("ch", "c"), ("sh", "s"), ("y", "i"), ("j", "i"),
)  # fmt: skip
_REPEATS = re.compile(r"(.)\1+")
_VOWELS = re.compile(r"[aeiou]")


@lru_cache(maxsize=500_000)
def _skeleton(token: str) -> str:
    """Fold romanisation variants (Kharkiv/Harkiv, -skyi/-sky, Antey/Antei) before an edit distance."""
    for old, new in _SKELETON_SUBS:
        token = token.replace(old, new)
    return _REPEATS.sub(r"\1", token)


def _digits(token: str) -> str:
    return "".join(ch for ch in token if ch.isdigit())


def _token_similarity(a: str, b: str) -> float:
    """Levenshtein similarity, zero unless close enough for the shorter token's length."""
    if a == b:
        return 1.0
    shorter = min(len(a), len(b))
    if shorter <= 4:  # short tokens: a common prefix or one letter off is another word
        return 0.0
    if _digits(a) != _digits(b):  # "Plant 42" is not "Plant 422": numbers must agree exactly
        return 0.0
    sim = max(Levenshtein.normalized_similarity(a, b), Levenshtein.normalized_similarity(_skeleton(a), _skeleton(b)))
    needed = 0.8 if shorter <= 7 else 0.75
    return sim if sim >= needed else 0.0


def name_score(a: Sequence[str], b: Sequence[str]) -> float:
    """0..1 similarity of two normalised names; 0 unless a distinctive token pairs up."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    pairs = []
    for i, ta in enumerate(a):
        for j, tb in enumerate(b):
            sim = _token_similarity(ta, tb)
            if sim:
                pairs.append((sim, i, j))
    if not pairs:
        # One name written as one word, the other split ("Almazantey" / "Almaz Antey").
        joined = Levenshtein.normalized_similarity("".join(a), "".join(b))
        return joined if joined >= 0.9 and min(len("".join(a)), len("".join(b))) >= 8 else 0.0
    pairs.sort(reverse=True)
    used_a: set[int] = set()
    used_b: set[int] = set()
    matched_a = matched_b = 0.0
    distinctive_hit = False
    for sim, i, j in pairs:
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        matched_a += sim * _weight(a[i])
        matched_b += sim * _weight(b[j])
        if is_distinctive(a[i]) and is_distinctive(b[j]) and len(a[i]) >= 4:
            distinctive_hit = True
    if not distinctive_hit:
        return 0.0
    cover_a = matched_a / sum(_weight(t) for t in a)
    cover_b = matched_b / sum(_weight(t) for t in b)
    # Extra words on one side (a parent concern's name, a department) cost less than missing ones.
    return round(0.6 * max(cover_a, cover_b) + 0.4 * min(cover_a, cover_b), 4)


def _index_keys(tokens: Iterable[str]) -> set[str]:
    keys = set()
    for token in tokens:
        if is_distinctive(token):
            keys.add(token)
            if len(token) >= 5:
                # Folded spelling (Kharkiv/Harkiv, Antey/Antei) and its consonants (Kharkivskyi/Kharkovsky).
                keys.add("~" + _skeleton(token))
                consonants = _VOWELS.sub("", _skeleton(token))
                if len(consonants) >= 4:
                    keys.add("%" + consonants)
    return keys


def name_keys(name: str) -> set[str]:
    """The index keys of one name (stored in the database for single-firm lookups)."""
    tokens = normalise_name(name)
    keys = _index_keys(tokens)
    if tokens and not keys:
        keys.add("=" + " ".join(tokens))  # all-generic names are found only when identical
    return keys


def identifier_keys(identifiers: Iterable[str]) -> set[str]:
    """Keys of identifiers, whole and by part ("LEI 2534..." also yields "2534...")."""
    keys = set()
    for value in identifiers:
        for part in [value, *re.split(r"[\s:,/]+", value)]:
            ident = normalise_identifier(part)
            if len(ident) >= 5:
                keys.add("#" + ident)
    return keys


@dataclass(frozen=True)
class Hit:
    entry: object  # the caller's entry key (a database id, an entity id...)
    score: float
    reason: str  # identifier, name, alias
    matched_name: str


@dataclass
class ScreeningIndex:
    """Inverted index of entry names and identifiers; `screen()` scores only candidates."""

    threshold: float = NAME_THRESHOLD
    max_postings: int = 1000
    _names: list[tuple[object, str, str, tuple[str, ...]]] = field(default_factory=list)
    _postings: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    _identifiers: dict[str, list[object]] = field(default_factory=lambda: defaultdict(list))

    def add(self, entry: object, name: str, aliases: Sequence[str] = (), identifiers: Sequence[str] = ()) -> None:
        seen: set[tuple[str, ...]] = set()
        for reason, text in [("name", name), *(("alias", alias) for alias in aliases)]:
            tokens = normalise_name(text)
            if not tokens or tokens in seen:
                continue
            seen.add(tokens)
            record = len(self._names)
            self._names.append((entry, reason, text, tokens))
            keys = _index_keys(tokens) or {"=" + " ".join(tokens)}
            for key in keys:
                self._postings[key].append(record)
        for key in identifier_keys(identifiers):
            self._identifiers[key].append(entry)

    def __len__(self) -> int:
        return len(self._names)

    def screen(self, name: str, identifiers: Sequence[str] = ()) -> list[Hit]:
        """Hits for one firm, best first, at most one per entry."""
        best: dict[object, Hit] = {}
        for key in identifier_keys(identifiers):
            for entry in self._identifiers.get(key, ()):
                best[entry] = Hit(entry, IDENTIFIER_SCORE, "identifier", key[1:])
        tokens = normalise_name(name)
        keys = _index_keys(tokens) or ({"=" + " ".join(tokens)} if tokens else set())
        candidates: set[int] = set()
        postings = sorted((self._postings.get(key, ()) for key in keys), key=len)
        for n, posting in enumerate(postings):
            if n and len(posting) > self.max_postings:
                break  # a key this common acts as a generic word; the rarer keys already gave candidates
            candidates.update(posting)
        for record in candidates:
            entry, reason, text, entry_tokens = self._names[record]
            score = name_score(tokens, entry_tokens)
            if score < self.threshold:
                continue
            current = best.get(entry)
            if current is None or (current.reason != "identifier" and score > current.score):
                best[entry] = Hit(entry, score, reason, text)
        return sorted(best.values(), key=lambda hit: (-hit.score, str(hit.entry)))

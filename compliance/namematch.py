"""Sanctions name and identifier matching: plain Python, no Django.

Names are reduced to sorted ASCII tokens with OpenSanctions' own libraries (rigour removes
legal forms such as LLC, GmbH, ТОВ, ООО) plus the forms rigour lacks (ЕООД, ДООЕЛ, ДП, Sp. z o.o.).
A Cyrillic list name is indexed under every romanisation a front might register (compliance.romanise:
BGN/PCGN, ISO 9, Ukrainian national, German, Polish, Czech, French, Turkish, Lithuanian), with
"named after ..." clauses and organisational-form words stripped (the full name is kept for display).
A firm's Cyrillic name is read as one language, from its letters and legal form.

Candidates come from an inverted index over distinctive tokens, their folded skeletons and the
skeletons' one-deletion neighbourhoods (so one edit on a word of 5+ letters still reaches scoring),
and over listed or derived acronyms. Each candidate is scored by aligning tokens with a Levenshtein
similarity (rapidfuzz); then the rules: containment (the list name plus only generic words), acronyms
(surrounded only by trading, holding or location words), persons (a missing patronymic costs nothing,
a different one rules the person out), identifiers (same kind, different value: another entity),
and the firm's country as evidence (a transit country keeps its score; another country that is not
the entry's costs a little). Every hit carries a one-line explanation for the reviewer.
"""

from __future__ import annotations

import gc
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from normality import ascii_text
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from rigour.names import remove_org_types
from rigour.text import is_stopword
from rigour.text.normalize import Normalize, normalize

from compliance import romanise

# Score at or above which a name match becomes a potential match for a reviewer.
NAME_THRESHOLD = 0.8
IDENTIFIER_SCORE = 1.0
CONTAINMENT_SCORE = 0.9  # the list name, plus only generic, trading or location words
ACRONYM_SCORE = 0.9  # a listed acronym, plus only generic, trading or location words
COUNTRY_PENALTY = 0.12  # registered in a country that is neither a transit country nor the entry's
STATE_ENTERPRISE_PENALTY = 0.15  # a Ukrainian state enterprise: its owner is the Ukrainian state
IDENTIFIER_CONFLICT_PENALTY = 0.35  # same kind of identifier, another value: another entity
DEFAULT_TRANSIT_COUNTRIES = frozenset("CY TR AE GE AM KZ KG UZ RS HK CN MD".split())

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
    networks labs lab laboratory innovation innovations dynamics radio instrument instruments
    parts part components spares handels handel vertrieb vertriebs sales distribution distributor
    marine maritime denizcilik havacilik savunma sanayi ticaret dis ltd sti industry industriya
    industrie aero avia korporatsiya korporatsiia korporacja korporace proizvodstvennaya
    obieednannia zavod sawod zawod zavodu zavody zavoda sawod zawod kontsern koncernu
    europe europa asia eurasia usa america american uk britain gulf middle emirates polska deutschland
    schweiz suisse france turkiye turkey cyprus dubai istanbul ankara limassol nicosia larnaca tbilisi
    yerevan almaty astana bishkek tashkent belgrade beograd skopje bitola ohrid kumanovo sofia sofiya
    plovdiv varna chisinau kishinev shenzhen hongkong hong kong china minsk asia pacific
    """.split()
)
# Legal forms rigour leaves in (after romanisation); dropped like the ones it removes.
EXTRA_LEGAL_FORMS = frozenset(
    """
    tov prat pat dp dk kp fop pp dak tdv aat taa zat up prup ap eood ood ead ad et dooel doo jtd
    gvtup fgup gup mup chup ip ooo oao zao pao ao pjsc jsc ojsc cjsc llc llp plc ltd sti as sp oo
    sarl sas sa srl spa fze fzco fzllc bv nv ou ab kft ag inc oy oyj gmbh kg sro
    """.split()
)
# Organisational-form words: what an entity is, not what it is called (NPO, OKB, KB, TsKB...).
ORG_FORM_TOKENS = frozenset(
    "npo npk npp nvk nvp okb kb tskb skb nii tsnii niii goz vpk gosmkb mkb nto ntc vo po sho".split()
)
_CLAUSES = (
    re.compile(r"\s(?:имени|им\.|імені|ім\.|імя)\s[^«»\"]*", re.IGNORECASE),
    re.compile(r"\s(?:named after|n\.\s?a\.|imeni)\s[^«»\"]*", re.IGNORECASE),
    re.compile(r"\s[-–—]\s*(?:управляющая компания|кіруючая кампанія|managing company|management company).*$", re.I),
)
# The seat a Balkan registry appends to a name ("... ДООЕЛ Скопје", "... ЕООД София"): part of the legal form.
CITY_SUFFIXES = frozenset(
    "skopje bitola ohrid kumanovo tetovo prilep sofiia sofiya sofia plovdiv varna burgas ruse".split()
)
_PERSIAN_PARTICLES = frozenset("e ye ol al el ul va".split())
_PATRONYMIC = re.compile(r"(?:vich|vych|vna|ovna|evna|ivna|ichna|ovych|ievych|yevych|ovich|evich)$")

_ID_CLEAN = re.compile(r"[^0-9A-Z]")
_APOSTROPHES = re.compile(r"[\u02b9\u02ba\u02bc'\u2019`\"]")
_SPLIT = re.compile(r"[^0-9a-z]+")
# rigour's normalize_name, with its flags combined once (combining enum flags cost more than the call).
_NAME_FLAGS = Normalize.CASEFOLD | Normalize.NAME


def normalize_name(name: str) -> str | None:
    return normalize(name, _NAME_FLAGS)


@lru_cache(maxsize=500_000)
def _ascii_token(token: str) -> str:
    """One lower-case token in ASCII; names repeat tokens, so this is cached."""
    if not token.isascii():
        if romanise.is_cyrillic(token):
            token = romanise.icu_romanise(token, romanise.detect_language(token))
        # Soft signs become primes; they separate nothing ("Khar'kov" is one word).
        token = _APOSTROPHES.sub("", token)
        token = token if token.isascii() else ascii_text(token) or ""
    return _APOSTROPHES.sub("", token).lower()


def _strip_clauses(text: str) -> str:
    for clause in _CLAUSES:
        text = clause.sub(" ", text)
    return text


def _latin_tokens(text: str, *, persian: bool = False) -> tuple[str, ...]:
    """Sorted ASCII tokens of one reading, without legal forms, org-form words and stopwords."""
    cleaned = remove_org_types(normalize_name(text) or "")
    tokens = [part for raw in cleaned.split() for part in _raw_parts(raw)]
    if persian:
        tokens = [part for part in tokens if part not in _PERSIAN_PARTICLES]
    return tuple(sorted(tokens))


@lru_cache(maxsize=500_000)
def _raw_parts(raw: str) -> tuple[str, ...]:
    """The tokens one cleaned word gives, as it is written (cached: names share words)."""
    return tuple(
        part
        for part in _SPLIT.split(_ascii_token(raw))
        if len(part) >= 2
        and not is_stopword(part)
        and part not in EXTRA_LEGAL_FORMS
        and part not in ORG_FORM_TOKENS
        and part not in CITY_SUFFIXES
    )


@lru_cache(maxsize=500_000)
def _word_parts(word: str, system: str) -> tuple[str, ...]:
    """The tokens one cleaned Cyrillic (or Latin) word gives in one system (cached: names share words)."""
    return _raw_parts(romanise.romanise_word(word, system) if romanise.is_cyrillic(word) else word)


def _words_tokens(words: Sequence[str], system: str) -> tuple[str, ...]:
    """Sorted ASCII tokens of cleaned Cyrillic words romanised in one system."""
    return tuple(sorted(part for word in words for part in _word_parts(word, system)))


def _ordered_tokens(text: str) -> list[str]:
    cleaned = remove_org_types(normalize_name(text) or "")
    return [
        part
        for raw in cleaned.split()
        for part in _SPLIT.split(_ascii_token(raw))
        if len(part) >= 2 and part not in EXTRA_LEGAL_FORMS and not is_stopword(part)
    ]


def normalise_name(name: str) -> tuple[str, ...]:
    """Sorted ASCII tokens of a name (a firm's reading: Cyrillic read in the name's own language)."""
    readings = romanise.firm_readings(name)
    return _latin_tokens(readings[0][1] if readings else name)


def firm_readings(name: str) -> list[tuple[str, tuple[str, ...]]]:
    """(how it was read, tokens) for a firm's name: one reading for Latin, one or two for Cyrillic."""
    readings = romanise.firm_readings(name)
    if not readings:
        return [("latin", _latin_tokens(name, persian=True))]
    out, seen = [], set()
    for system, latin in readings:
        tokens = _latin_tokens(latin)
        if tokens and tokens not in seen:
            seen.add(tokens)
            out.append((system, tokens))
    return out


# A name variant: (the full name with its clauses?, romanisation / as_listed / words_joined, system).
Variant = tuple[bool, str, str]


def variant_label(variant: Variant) -> str:
    """The English label of a name variant ("full name, German romanisation")."""
    full, kind, system = variant
    text = {"romanisation": f"{romanise.LABELS.get(system, system)} romanisation", "as_listed": "as listed"}.get(
        kind, "words joined"
    )
    return ("full name, " + text) if full else text


def list_readings(text: str, *, persian: bool = False) -> list[tuple[str, tuple[str, ...]]]:
    """(label, tokens) for a list name: every romanisation, with and without its clauses."""
    return [(variant_label(variant), tokens) for variant, tokens in _list_readings(text, persian=persian)]


def _list_readings(text: str, *, persian: bool = False) -> list[tuple[Variant, tuple[str, ...]]]:
    stripped = _strip_clauses(text)
    sources = [(stripped, False)] + ([(text, True)] if stripped.strip() != text.strip() else [])
    out: list[tuple[Variant, tuple[str, ...]]] = []
    seen: set[tuple[str, ...]] = set()

    def emit(variant: Variant, tokens: tuple[str, ...]) -> None:
        if tokens and tokens not in seen:
            seen.add(tokens)
            out.append((_VARIANTS.setdefault(variant, variant), tokens))

    for source, full in sources:
        if romanise.is_cyrillic(source):
            # Legal forms and case once, on the Cyrillic; then each system word by word (cached).
            words = remove_org_types(normalize_name(source) or "").split()
            for system in romanise.list_systems(romanise.detect_language(source)):
                emit((full, "romanisation", system), _words_tokens(words, system))
            continue
        readings = romanise.list_readings(source)
        if not readings:
            tokens = _latin_tokens(source, persian=persian)
            emit((full, "as_listed", ""), tokens)
            if persian:
                # Persian names are written joined or split ("Havapeymasazi" / "Hava Peyma Sazi").
                words = [w for w in _ordered_tokens(source) if w not in _PERSIAN_PARTICLES]
                for start in range(len(words)):
                    for stop in range(start + 2, min(len(words), start + 4) + 1):
                        joined = words[:start] + ["".join(words[start:stop])] + words[stop:]
                        emit((full, "words_joined", ""), tuple(sorted(joined)))
            continue
        for system, latin in readings:
            emit((full, "romanisation", system), _latin_tokens(latin))
    return out


_VARIANTS: dict[Variant, Variant] = {}  # one shared tuple per variant for the index's records


def normalise_identifier(value: str) -> str:
    """Upper-case alphanumerics only: `5493 00ab-cd` and `549300ABCD` meet."""
    return _ID_CLEAN.sub("", value.upper())


def identifier_kind(value: str) -> str:
    """lei, edrpou, inn, ogrn, ncage or other, from the value's shape (and a leading label)."""
    label = value.strip().split()[0].lower() if value.strip() else ""
    if label in ("lei", "edrpou", "inn", "ogrn", "ncage"):
        return label
    ident = normalise_identifier(value)
    if re.fullmatch(r"[0-9A-Z]{18}[0-9]{2}", ident) and not ident.isdigit():
        return "lei"
    if ident.isdigit():
        return {8: "edrpou", 10: "inn", 12: "inn", 13: "ogrn", 15: "ogrn"}.get(len(ident), "other")
    if len(ident) == 5:
        return "ncage"
    return "other"


def _identifier_values(identifiers: Iterable[str]) -> dict[str, set[str]]:
    values: dict[str, set[str]] = defaultdict(set)
    for value in identifiers:
        parts = value.split()
        ident = normalise_identifier(parts[-1] if len(parts) > 1 else value)
        if len(ident) >= 5:
            values[identifier_kind(value)].add(ident)
    values.pop("other", None)
    return values


def is_distinctive(token: str) -> bool:
    return len(token) >= 3 and token not in GENERIC_TOKENS and not token.isdigit()


@lru_cache(maxsize=500_000)
def _total_weight(tokens: tuple[str, ...]) -> float:
    return sum(_weight(t) for t in tokens)


def _weight(token: str) -> float:
    if token in GENERIC_TOKENS:
        return 0.35 * len(token)
    if len(token) <= 3:
        return 0.5 * len(token)
    return float(len(token))


_SKELETON_SUBS = (
    ("schtsch", "s"), ("shch", "s"), ("szcz", "s"), ("tsch", "c"), ("tch", "c"), ("sch", "s"), ("sz", "s"),
    ("cz", "c"), ("ye", "e"), ("ie", "e"), ("kh", "h"), ("zh", "z"), ("ts", "c"), ("ch", "c"), ("sh", "s"), ("gh", "q"), ("q", "k"),
    ("ou", "u"), ("ee", "i"), ("oo", "u"), ("w", "v"), ("y", "i"), ("j", "i"), ("ph", "f"),
)  # fmt: skip
_REPEATS = re.compile(r"(.)\1+")
_VOWELS = re.compile(r"[aeiou]")


@lru_cache(maxsize=500_000)
def _skeleton(token: str) -> str:
    """Fold romanisation variants (Kharkiv/Harkiv, Sewmasch/Sevmash, Ghods/Qods) before an edit distance."""
    for old, new in _SKELETON_SUBS:
        token = token.replace(old, new)
    return _REPEATS.sub(r"\1", token)


@lru_cache(maxsize=100_000)
def _deletions(token: str) -> frozenset[str]:
    return frozenset({token} | {token[:i] + token[i + 1 :] for i in range(len(token))})


def _digits(token: str) -> str:
    return "".join(ch for ch in token if ch.isdigit())


@lru_cache(maxsize=200_000)
def _token_similarity(a: str, b: str) -> float:
    """Levenshtein similarity, zero unless close enough for the shorter token's length."""
    if a == b:
        return 1.0
    shorter = min(len(a), len(b))
    if shorter <= 4:  # short tokens: a common prefix or one letter off is another word
        return 1.0 if shorter >= 3 and _skeleton(a) == _skeleton(b) else 0.0
    if abs(len(a) - len(b)) > 0.34 * max(len(a), len(b)):
        return 0.0  # too different in length to reach the similarity needed, even folded
    if not (a.isalpha() and b.isalpha()) and _digits(a) != _digits(b):
        return 0.0  # "Plant 42" is not "Plant 422": numbers must agree exactly
    sa, sb = _skeleton(a), _skeleton(b)
    if sa == sb:
        return 0.97
    needed = 0.8 if shorter <= 7 else 0.75
    sim = max(
        Levenshtein.normalized_similarity(a, b, score_cutoff=needed),
        Levenshtein.normalized_similarity(sa, sb, score_cutoff=needed),
    )
    return sim if sim >= needed else 0.0


def _similarity_rows(firm: Sequence[str], tokens: Sequence[str]) -> dict[str, list[float]]:
    """`_token_similarity` of each of `tokens` against every firm token, {token: [similarity to firm[i]]}:
    the same values from four rapidfuzz `cdist` calls (raw and folded spellings, two cutoffs) and a few
    numpy operations instead of a Python call per pair."""
    if not firm or not tokens:
        return dict.fromkeys(tokens, [0.0] * len(firm))

    def cdist(left: Sequence[str], right: Sequence[str], cutoff: float) -> np.ndarray:
        return process.cdist(
            left, right, scorer=Levenshtein.normalized_similarity, score_cutoff=cutoff, dtype=np.float64, workers=1
        )

    # Each cutoff separately, as _token_similarity passes it: rapidfuzz drops a similarity of exactly
    # 0.8 at cutoff 0.8 (float rounding) but keeps 0.75 at 0.75, and results must not change.
    skeletons_f, skeletons_t = [_skeleton(t) for t in firm], [_skeleton(t) for t in tokens]
    raw = cdist(firm, tokens, 0.75)  # 1.0 exactly when the tokens are equal
    folded = cdist(skeletons_f, skeletons_t, 0.75)
    raw_8, folded_8 = cdist(firm, tokens, 0.8), cdist(skeletons_f, skeletons_t, 0.8)
    len_f = np.array([len(t) for t in firm])[:, None]
    len_t = np.array([len(t) for t in tokens])[None, :]
    shorter, longer = np.minimum(len_f, len_t), np.maximum(len_f, len_t)
    same_skeleton = folded == 1.0
    alpha_f = np.array([t.isalpha() for t in firm])[:, None]
    alpha_t = np.array([t.isalpha() for t in tokens])[None, :]
    codes = {"": 0}  # the digits of a token, as a number; an all-letter token has none
    digits_f = np.array([0 if t.isalpha() else codes.setdefault(_digits(t), len(codes)) for t in firm])[:, None]
    digits_t = np.array([0 if t.isalpha() else codes.setdefault(_digits(t), len(codes)) for t in tokens])[None, :]
    # The branches of _token_similarity from last to first, so that the first that applies wins.
    best = np.where(shorter <= 7, np.maximum(raw_8, folded_8), np.maximum(raw, folded))
    sim = np.where(best >= np.where(shorter <= 7, 0.8, 0.75), best, 0.0)
    sim = np.where(same_skeleton, 0.97, sim)
    sim = np.where(~(alpha_f & alpha_t) & (digits_f != digits_t), 0.0, sim)
    sim = np.where(np.abs(len_f - len_t) > 0.34 * longer, 0.0, sim)
    sim = np.where(shorter <= 4, np.where((shorter >= 3) & same_skeleton, 1.0, 0.0), sim)
    sim = np.where(raw == 1.0, 1.0, sim)
    return dict(zip(tokens, sim.T.tolist(), strict=True))


def _align(
    a: Sequence[str], b: Sequence[str], rows: dict[str, list[float]] | None = None
) -> tuple[float, float, float, set[int], set[int], bool]:
    """Greedy one-to-one pairing of tokens, best similarity first (`rows`: precomputed similarities of b's tokens to a's)."""
    pairs = []
    for j, tb in enumerate(b):
        row = rows[tb] if rows is not None else [_token_similarity(ta, tb) for ta in a]
        for i, sim in enumerate(row):
            if sim:
                pairs.append((sim, i, j))
    pairs.sort(reverse=True)
    used_a: set[int] = set()
    used_b: set[int] = set()
    matched_a = matched_b = sims = 0.0
    distinctive_hit = False
    for sim, i, j in pairs:
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        matched_a += sim * _weight(a[i])
        matched_b += sim * _weight(b[j])
        sims += sim
        if is_distinctive(a[i]) and is_distinctive(b[j]) and len(a[i]) >= 4:
            distinctive_hit = True
    mean = sims / len(used_a) if used_a else 0.0
    return matched_a, matched_b, mean, used_a, used_b, distinctive_hit


def name_score(a: Sequence[str], b: Sequence[str]) -> float:
    """0..1 similarity of two normalised names; 0 unless a distinctive token pairs up."""
    return _name_score(a, b)[0]


def _score_bound(firm: Sequence[str], entry: Sequence[str], rows: dict[str, list[float]]) -> float | None:
    """An upper bound of `_name_score` from each token's best similarity, before the alignment; None when
    no pair is similar (only the "words joined" rule can apply)."""
    best_f = [0.0] * len(firm)
    matched_e = best = 0.0
    entry_complete = True  # possible at all: every distinctive entry word (and number) has a similar firm word
    for token in entry:
        row = rows[token]
        top = max(row)
        if top:
            matched_e += top * _weight(token)
            best = max(best, top)
            best_f = [max(a, b) for a, b in zip(best_f, row, strict=True)]
        elif is_distinctive(token) or token.isdigit():
            entry_complete = False
    if not best:
        return None
    cover_f = sum(b * _weight(t) for b, t in zip(best_f, firm, strict=True)) / _total_weight(tuple(firm))
    cover_e = matched_e / _total_weight(tuple(entry))
    bound = 0.6 * max(cover_f, cover_e) + 0.4 * min(cover_f, cover_e)  # matched weight only falls in the alignment
    if entry_complete:
        if all(best_f):
            bound = max(bound, best)  # the mean similarity of the pairs
        elif all(not is_distinctive(t) for b, t in zip(best_f, firm, strict=True) if not b):
            bound = max(bound, CONTAINMENT_SCORE * best)
    return bound


def _name_score(
    firm: Sequence[str], entry: Sequence[str], rows: dict[str, list[float]] | None = None, floor: float = 0.0
) -> tuple[float, str]:
    """(score, rule) of a firm's tokens against one reading of an entry's name; with `rows` and `floor`,
    (0, "") early for a pair that cannot reach `floor` (the caller discards any score below it)."""
    if not firm or not entry:
        return 0.0, ""
    if tuple(firm) == tuple(entry):
        return 1.0, "same name"
    if floor and rows is not None:
        bound = _score_bound(firm, entry, rows)
        if bound is not None and bound + 0.001 < floor:  # margin for the rounding to 4 places
            return 0.0, ""
    matched_f, matched_e, mean, used_f, used_e, distinctive_hit = _align(firm, entry, rows)
    if not used_f:
        # One name written as one word, the other split ("Almazantey" / "Almaz Antey").
        jf, je = "".join(firm), "".join(entry)
        joined = Levenshtein.normalized_similarity(jf, je)
        return (joined, "words joined") if joined >= 0.9 and min(len(jf), len(je)) >= 8 else (0.0, "")
    if not distinctive_hit:
        return 0.0, ""
    cover_f = matched_f / _total_weight(tuple(firm))
    cover_e = matched_e / _total_weight(tuple(entry))
    # Extra words on one side (a parent concern's name, a department) cost less than missing ones.
    score = round(0.6 * max(cover_f, cover_e) + 0.4 * min(cover_f, cover_e), 4)
    rule = "similar name"
    entry_complete = all(
        j in used_e or (not is_distinctive(t) and not t.isdigit()) for j, t in enumerate(entry)
    )  # numbers count: "2566 ... Repair Plant" is not "Repair Ltd"
    firm_extra = [t for i, t in enumerate(firm) if i not in used_f]
    if entry_complete and not firm_extra:
        # Every firm word pairs up; whatever the entry has besides is generic ("Concern", "Plant").
        same = len(used_e) == len(entry)
        score = max(score, round(mean, 4))
        rule = "same words, spelled differently" if same else "list name without its generic words"
    elif entry_complete and firm_extra and all(not is_distinctive(t) for t in firm_extra):
        contained = round(CONTAINMENT_SCORE * mean, 4)
        if contained > score or score > CONTAINMENT_SCORE:
            score, rule = contained, "list name contained, plus generic words"
    return score, rule


def _person_tokens(tokens: Sequence[str]) -> tuple[list[str], str]:
    names = [t for t in tokens if not _PATRONYMIC.search(t)]
    patronymics = [t for t in tokens if _PATRONYMIC.search(t)]
    return names, patronymics[0] if patronymics else ""


def _person_score(
    firm: Sequence[str], entry: Sequence[str], rows: dict[str, list[float]] | None = None, floor: float = 0.0
) -> tuple[float, str]:
    """A missing patronymic costs nothing; a different one is another person."""
    firm_names, firm_patronymic = _person_tokens(firm)
    entry_names, entry_patronymic = _person_tokens(entry)
    if firm_patronymic and entry_patronymic:
        if not _token_similarity(firm_patronymic, entry_patronymic):
            return 0.0, ""
        return _name_score(firm, entry, rows, floor)
    if entry_patronymic and not firm_patronymic:
        score, rule = _name_score(firm, tuple(sorted(entry_names)), rows, floor)
        return score, (rule + ", patronymic not given") if score else ""
    return _name_score(firm, entry, rows, floor)


@lru_cache(maxsize=100_000)
def _token_keys(token: str, fuzzy: bool) -> frozenset[str]:
    """Keys of one distinctive token: itself, its folded skeleton, consonants and one-deletion neighbourhood."""
    keys = {token}
    skeleton = _skeleton(token)
    if len(skeleton) >= 4:
        keys.add("~" + skeleton)  # folded spelling (Kharkiv/Harkiv, Antey/Antei, Qods/Ghods)
    if len(token) >= 5:
        # ... and its consonants (Kharkivskyi/Kharkovsky).
        consonants = _VOWELS.sub("", skeleton)
        if len(consonants) >= 4:
            keys.add("%" + consonants)
    if fuzzy and len(skeleton) >= 5:
        keys.update("-" + d for d in _deletions(skeleton))
    return frozenset(keys)


def _index_keys(tokens: Iterable[str], *, fuzzy: bool = True) -> set[str]:
    keys: set[str] = set()
    for token in tokens:
        if is_distinctive(token):
            keys |= _token_keys(token, fuzzy)
    return keys


def _acronyms(name: str, aliases: Sequence[str]) -> set[tuple[str, ...]]:
    """Listed acronyms (UVZ, КРЭТ, RSK MiG) and the initials of a name of three or more words."""
    found = set()
    for text in (name, *aliases):
        words = re.findall(r"[^\W_]+", text)
        if not words or len(words) > 3:
            continue
        if all(len(w) <= 5 for w in words) and any(len(w) >= 2 and w.isupper() for w in words):
            tokens = tuple(_ascii_token(w) for w in words if w.lower() not in EXTRA_LEGAL_FORMS)
            if tokens and all(tokens):
                found.add(tokens)
    words = [w for w in _ordered_tokens(name) if w not in ORG_FORM_TOKENS]
    if 3 <= len(words) <= 5 and not romanise.is_cyrillic(name):
        found.add(("".join(w[0] for w in words),))
    return {acronym for acronym in found if 2 <= len(max(acronym, key=len)) <= 5 or len(acronym) > 1}


def _acronym_key(acronym: tuple[str, ...]) -> str:
    return "@" + max(acronym, key=len)


def name_keys(name: str, *, countries: Sequence[str] = (), fuzzy: bool = True) -> set[str]:
    """The index keys of one list name (stored in the database for single-firm lookups)."""
    keys: set[str] = set()
    persian = "ir" in {c.lower() for c in countries}
    for _, tokens in _list_readings(name, persian=persian):
        keys |= _index_keys(tokens, fuzzy=fuzzy) or {"=" + " ".join(tokens)}
    return keys


def entry_keys(name: str, aliases: Sequence[str] = (), countries: Sequence[str] = ()) -> set[str]:
    """All name and acronym keys of one list entry."""
    keys: set[str] = set()
    for text in (name, *aliases):
        keys |= name_keys(text, countries=countries)
    keys |= {_acronym_key(acronym) for acronym in _acronyms(name, aliases)}
    return keys


def firm_keys(name: str) -> set[str]:
    """The keys a firm's name looks up (names, fuzzy neighbourhoods, acronym candidates)."""
    keys: set[str] = set()
    for _, tokens in firm_readings(name):
        keys |= _index_keys(tokens) or {"=" + " ".join(tokens)}
        keys |= {"@" + t for t in tokens if 2 <= len(t) <= 5}
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


_UA_STATE_FORMS = re.compile(
    r"(?:^|[\s«\"(])(?:ДП|ДК|КП|ДАК|ДержККБ|ДККБ|державне підприємство|казенне підприємство|"
    r"state enterprise|state company)(?=$|[\s«\"»)])",
    re.IGNORECASE,
)


@contextmanager
def bulk_indexing() -> Iterator[None]:
    """Cyclic garbage collection paused while many entries are indexed: the index holds no cycles (plain
    tuples, lists and dicts, freed by reference counting), but every full collection walked all the
    objects indexed so far, a third of the time of indexing a large list."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True)
class Hit:
    entry: object  # the caller's entry key (a database id, an entity id...)
    score: float
    reason: str  # identifier, name, alias
    matched_name: str
    explanation: str = ""  # which name variant, which rule, which identifier, which country evidence
    # The same as structured codes, [(code, params)], for rendering in the reader's language.
    codes: tuple[tuple[str, dict], ...] = field(default=(), compare=False)  # dicts: kept out of hash and ==


# Explanations as codes: one (code, params) per clause, rendered in English by `explanation_text`
# (and in the reader's language by compliance.explanations, from the same templates).
RULES = {
    "same_name": "same name",
    "words_joined": "words joined",
    "similar_name": "similar name",
    "same_words": "same words, spelled differently",
    "without_generic": "list name without its generic words",
    "contained": "list name contained, plus generic words",
}
_RULE_CODES = {text: code for code, text in RULES.items()}
_PATRONYMIC_NOT_GIVEN = ", patronymic not given"


def _rule_params(rule: str) -> dict:
    missing = rule.endswith(_PATRONYMIC_NOT_GIVEN)
    return {"rule": _RULE_CODES[rule.removesuffix(_PATRONYMIC_NOT_GIVEN)], "patronymic_missing": missing}


def explanation_text(codes: Sequence[tuple[str, dict]]) -> str:
    """The English explanation of a hit from its codes."""
    owner = ""
    clauses = []
    for code, p in codes:
        if code == "owner":
            owner = f"beneficial owner {p['name']}: "
        elif code == "identifier":
            clauses.append(f"identifier {p['value']} is on the list entry")
        elif code == "read_as":
            clauses.append(f"firm name read as {romanise.LABELS.get(p['system'], p['system'])}")
        elif code == "name":
            rule = RULES[p["rule"]] + (_PATRONYMIC_NOT_GIVEN if p.get("patronymic_missing") else "")
            label = variant_label((p["full"], p["kind"], p["system"]))
            clauses.append(f"{p['reason']} ({label}): {rule} {p['score']:.2f}")
        elif code == "acronym":
            clauses.append(f"acronym {p['acronym']} with only generic words {p['score']:.2f}")
        elif code == "identifier_conflict":
            clauses.append(f"{'/'.join(p['kinds'])} differs from the list's (-{p['penalty']})")
        elif code == "country_penalty":
            clauses.append(f"registered in {p['country']}, neither a transit country nor the entry's (-{p['penalty']})")
        elif code == "transit_country":
            clauses.append(f"registered in {p['country']}, a transit country")
        elif code == "state_enterprise":
            clauses.append(f"a Ukrainian state enterprise (-{p['penalty']})")
    return owner + "; ".join(clauses)


@dataclass
class _Entry:
    countries: frozenset[str]
    schema: str
    identifiers: dict[str, set[str]]


@dataclass
class ScreeningIndex:
    """Inverted index of entry names and identifiers; `screen()` scores only candidates."""

    threshold: float = NAME_THRESHOLD
    max_postings: int = 1000
    transit_countries: frozenset[str] = DEFAULT_TRANSIT_COUNTRIES
    _names: list[tuple[object, str, str, tuple[str, ...], Variant]] = field(default_factory=list)
    # Postings point at an entry's group of name records (every reading of its name and aliases):
    # a key shared by several readings of one entry is posted once, which keeps the index small.
    _groups: list[tuple[int, ...]] = field(default_factory=list)
    _postings: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    _identifiers: dict[str, list[object]] = field(default_factory=lambda: defaultdict(list))
    _acronyms: dict[str, list[tuple[object, tuple[str, ...], str]]] = field(default_factory=lambda: defaultdict(list))
    _entries: dict[object, _Entry] = field(default_factory=dict)

    def add(
        self,
        entry: object,
        name: str,
        aliases: Sequence[str] = (),
        identifiers: Sequence[str] = (),
        *,
        countries: Sequence[str] = (),
        schema: str = "",
    ) -> set[str]:
        """Index one entry; returns its lookup keys (the same as `entry_keys` | `identifier_keys`), which
        the import stores for single-firm lookups without reading every name a second time."""
        self._entries[entry] = _Entry(frozenset(c.upper() for c in countries), schema, _identifier_values(identifiers))
        persian = "IR" in self._entries[entry].countries
        seen: set[tuple[str, ...]] = set()
        keys: set[str] = set()
        distinctive: set[str] = set()
        records: list[int] = []
        names = self._names
        for reason, text in [("name", name), *(("alias", alias) for alias in aliases)]:
            for label, tokens in _list_readings(text, persian=persian):
                if tokens in seen:
                    continue
                seen.add(tokens)
                records.append(len(names))
                names.append((entry, reason, text, tokens, label))
                # The keys of `_index_keys(tokens)`, collected over the readings' distinct tokens (they share most).
                found = [t for t in tokens if is_distinctive(t)]
                if found:
                    distinctive.update(found)
                else:
                    keys.add("=" + " ".join(tokens))
        for token in distinctive:
            keys |= _token_keys(token, True)
        if records:
            group = len(self._groups)
            self._groups.append(tuple(records))
            postings = self._postings
            for key in keys:
                postings[key].append(group)
        for acronym in _acronyms(name, aliases):
            self._acronyms[_acronym_key(acronym)].append((entry, acronym, name))
            keys.add(_acronym_key(acronym))
        for key in identifier_keys(identifiers):
            self._identifiers[key].append(entry)
            keys.add(key)
        return keys

    def __len__(self) -> int:
        return len(self._names)

    def screen(
        self, name: str, identifiers: Sequence[str] = (), *, country: str = "", persons_only: bool = False
    ) -> list[Hit]:
        """Hits for one firm (or, with persons_only, one owner), best first, at most one per entry."""
        best: dict[object, Hit] = {}
        if not persons_only:
            for key in identifier_keys(identifiers):
                for entry in self._identifiers.get(key, ()):
                    codes = (("identifier", {"value": key[1:]}),)
                    best[entry] = Hit(entry, IDENTIFIER_SCORE, "identifier", key[1:], explanation_text(codes), codes)
        country = (country or "").upper()
        firm_ids = _identifier_values(identifiers)
        state_enterprise = country == "UA" and bool(_UA_STATE_FORMS.search(name))
        scored: dict[object, tuple[float, str, str, tuple]] = {}
        for system, tokens in firm_readings(name):
            how = () if system == "latin" else (("read_as", {"system": system}),)
            records = [record for group in self._candidates(tokens) for record in self._groups[group]]
            if persons_only:
                records = [r for r in records if self._is_person(self._names[r][0])]
            # Every candidate's token similarities at once; readings of one entry share most tokens.
            rows = _similarity_rows(tokens, list({t for r in records for t in self._names[r][3]}))
            for record in records:
                entry, reason, text, entry_tokens, variant = self._names[record]
                # A score below the threshold is dropped below, whatever the penalties: skip it early.
                if self._is_person(entry):
                    score, rule = _person_score(tokens, entry_tokens, rows, self.threshold)
                else:
                    score, rule = _name_score(tokens, entry_tokens, rows, self.threshold)
                if score and (entry not in scored or score > scored[entry][0]):
                    full, kind, variant_system = variant
                    params = {"reason": reason, "full": full, "kind": kind, "system": variant_system}
                    scored[entry] = (
                        score,
                        reason,
                        text,
                        (*how, ("name", {**params, **_rule_params(rule), "score": score})),
                    )
            if not persons_only:
                self._acronym_hits(tokens, how, scored)
        for entry, (score, reason, text, codes) in scored.items():
            if entry in best:
                continue
            meta = self._entries.get(entry)
            evidence: list[tuple[str, dict]] = []
            if meta is not None:
                conflict = [
                    kind
                    for kind, values in firm_ids.items()
                    if meta.identifiers.get(kind) and not values & meta.identifiers[kind]
                ]
                if conflict:
                    score -= IDENTIFIER_CONFLICT_PENALTY
                    evidence.append(
                        (
                            "identifier_conflict",
                            {"kinds": [k.upper() for k in conflict], "penalty": IDENTIFIER_CONFLICT_PENALTY},
                        )
                    )
                if country and country not in self.transit_countries and country not in meta.countries:
                    score -= COUNTRY_PENALTY
                    evidence.append(("country_penalty", {"country": country, "penalty": COUNTRY_PENALTY}))
                elif country and country in self.transit_countries:
                    evidence.append(("transit_country", {"country": country}))
                if state_enterprise and "UA" not in meta.countries:
                    score -= STATE_ENTERPRISE_PENALTY
                    evidence.append(("state_enterprise", {"penalty": STATE_ENTERPRISE_PENALTY}))
            score = round(max(score, 0.0), 4)
            if score < self.threshold:
                continue
            codes = (*codes, *evidence)
            best[entry] = Hit(entry, score, reason, text, explanation_text(codes), codes)
        return sorted(best.values(), key=lambda hit: (-hit.score, str(hit.entry)))

    def _is_person(self, entry: object) -> bool:
        meta = self._entries.get(entry)
        return meta is not None and meta.schema == "Person"

    def _candidates(self, tokens: tuple[str, ...]) -> set[int]:
        keys = _index_keys(tokens) or ({"=" + " ".join(tokens)} if tokens else set())
        candidates: set[int] = set()
        postings = sorted((self._postings.get(key, ()) for key in keys), key=len)
        for n, posting in enumerate(postings):
            if n and len(posting) > self.max_postings:
                break  # a key this common acts as a generic word; the rarer keys already gave candidates
            candidates.update(posting)
        return candidates

    def postings_count(self) -> int:
        return sum(len(posting) for posting in self._postings.values())

    def _acronym_hits(self, tokens: tuple[str, ...], how: tuple, scored: dict) -> None:
        present = set(tokens)
        for token in present:
            if not 2 <= len(token) <= 5:
                continue
            for entry, acronym, text in self._acronyms.get("@" + token, ()):
                if not set(acronym) <= present:
                    continue
                others = present - set(acronym)
                if any(is_distinctive(t) for t in others):
                    continue  # "UVZ Holding" yes, "UVZ Pottery" no
                if entry not in scored or ACRONYM_SCORE > scored[entry][0]:
                    codes = (*how, ("acronym", {"acronym": " ".join(acronym).upper(), "score": ACRONYM_SCORE}))
                    scored[entry] = (ACRONYM_SCORE, "alias", text, codes)

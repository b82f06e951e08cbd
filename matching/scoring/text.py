"""Descriptions in English and Ukrainian as terms of one TF-IDF space.

`Analyzer(taxonomy)` turns a text into terms for `TfidfVectorizer(analyzer=...)`:
- words: Ukrainian lemmatised (pymorphy3, its Ukrainian dictionary ships as a package), English
  lower-cased with plurals stripped, stop words of both languages dropped; a Ukrainian word listed
  in `data/glossary.csv` also emits its English equivalent, so "снарядів" meets "shells";
- concepts: "cap:<code>" when every content word of a capability's English or Ukrainian name
  appears in one sentence (either language), "plat:<code>" when a platform is named (gazetteer
  over the platform list's names in Latin and Cyrillic, spacing and hyphens ignored: "PzH 2000",
  "PzH2000", "ПзГ-2000" are one key).
Deterministic: the same text always gives the same terms in the same order.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import cache, lru_cache
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

DATA = Path(__file__).resolve().parent / "data"
# The project's copy of spec/platforms.csv; matching keeps its own copy for a tree without it.
PLATFORMS_CSV = Path(__file__).resolve().parents[2] / "registry" / "data" / "platforms.csv"
PLATFORMS_FALLBACK = DATA / "platforms.csv"
GLOSSARY_CSV = DATA / "glossary.csv"

UK_STOP_WORDS = frozenset(
    """
    а або але б без би бо був була були було бути в вже від він вона вони воно все всі всього
    г де для до дуже є ж з за зі із й і її їх їхній к коли котрий крім ми між мій на над наш не
    ні нім о об один однак оскільки от під після по поза понад при про проте с свій себе сих
    так також такий там те тепер ти то тобто той тощо тут у увесь усі це цей ця через через
    що щоб щодо як який яка якщо який-небудь інший кожен весь сам саме лише тільки ще більш
    більше менш найбільший понад близько та тощо інш
    """.split()
)
_UK_LETTERS = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюяёыэъ"
_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh",
    "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n",
    "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu", "я": "ia", "ё": "e", "ы": "y", "э": "e",
    "ъ": "", "'": "",
}  # fmt: skip
_TRANSLIT_TABLE = str.maketrans(_TRANSLIT)
# [;!?\n] or [.:] not before a digit; one character class first, so the regex engine scans fast.
_SENTENCES = re.compile(r"[;!?\n.:](?!(?<=[.:])\d)")
_TOKENS = re.compile(rf"\d+(?:[.,]\d+)?(?:[xх×]\d+(?:[.,]\d+)?)*(?![a-z0-9{_UK_LETTERS}])|[a-z0-9{_UK_LETTERS}']+")
_UNIT = re.compile(r"^(\d+)(mm|мм|cm|см|km|км|kg|кг)$")
_CYRILLIC = re.compile(rf"^[{_UK_LETTERS}']+$")
_LATIN = re.compile(r"^[a-z]+$")
# Words of platform names too generic to name a platform alone ("Storm Shadow" is not "storm").
_GENERIC = frozenset(
    """
    light gun guided system sea drone armoured gunboat turbofan turboshaft turboprop family tank
    diesel rocket round shell cartridge nato artillery mortar bomb autocannon various marks radar
    counter fighting falcon storm shadow air surveillance equivalents anti aircraft howitzer
    vampire senator icv pmv bmg mlrs ew uas sam and the of
    """.split()
)
# Qualifiers that do not have to appear for a capability or calibre name to count as named.
_QUALIFIERS = frozenset({"nato", "нато", "various", "mark", "family", "equivalent", "and", "та", "і"})
# Spellings the platform list does not carry.
EXTRA_ALIASES = {
    "spg.caesar": ("Цезар", "Caesar"),
    "spg.pzh2000": ("ПзГ 2000", "Panzerhaubitze 2000"),
    "mlrs.himars": ("HIMARS", "Хімарс"),
    "manpads.stinger": ("Стінгер",),
    "sam.iris_t_slm": ("IRIS-T", "Айріс-Т"),
    "missile.storm_shadow": ("Сторм Шедоу",),
    "uav.bayraktar_tb2": ("Байрактар", "TB2"),
    "fighter.f_16": ("F-16",),
}


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text).lower()
    return text.replace("’", "'").replace("ʼ", "'").replace("`", "'").replace("‑", "-").replace("–", "-")


@cache
def _morph():
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="uk")


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """Normal form of one lower-case word: pymorphy3 for Ukrainian, plural strip for English."""
    if _CYRILLIC.match(word):
        return _morph().parse(word)[0].normal_form.replace("ё", "е")
    if _LATIN.match(word) and len(word) > 3:
        if word.endswith("ies") and len(word) > 4:
            return word[:-3] + "y"
        if word.endswith("s") and not word.endswith(("ss", "us", "is")):
            return word[:-1]
    return word


class Word(NamedTuple):
    lemma: str
    terms: tuple[str, ...]  # what the word adds to the TF-IDF: its lemma and glossary translations
    latin: str  # transliterated as written, for the gazetteer
    latin_lemma: str
    stem: str | None  # a Cyrillic word's stem, for inflected names


@lru_cache(maxsize=200_000)
def word(token: str) -> Word:
    lem = lemma(token)
    stop = stop_words()
    terms: tuple[str, ...] = ()
    if len(lem) >= 2 and token not in stop and lem not in stop:
        terms = (translit(lem) if lem[0].isdigit() else lem, *glossary().get(lem, ()))
    latin = translit(token)
    cyrillic = bool(_CYRILLIC.match(token))
    return Word(
        lem,
        terms,
        latin,
        translit(lem) if cyrillic else latin,
        _stem(latin) if cyrillic and len(latin) >= 5 else None,
    )


def translit(token: str) -> str:
    return token.translate(_TRANSLIT_TABLE)


@lru_cache(maxsize=200_000)
def _parts(raw: str) -> tuple[str, ...]:
    """The tokens one match of _TOKENS stands for: none, itself, or a number and its unit ("155мм")."""
    t = raw.strip("'")
    if not t:
        return ()
    m = _UNIT.match(t)
    if m:
        return m.groups()
    return (t.replace(",", ".").replace("х", "x").replace("×", "x") if t[0].isdigit() else t,)


def _tokens(sentence: str) -> list[str]:
    return [t for raw in _TOKENS.findall(sentence) for t in _parts(raw)]


def sentences(text: str) -> list[list[str]]:
    """Lower-case tokens per sentence (or bracketed aside) of a text."""
    return [toks for s in _SENTENCES.split(_normalise(text or "")) if (toks := _tokens(s))]


@cache
def stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | UK_STOP_WORDS


def _stop(word: str) -> bool:
    return word in stop_words()


def _content(name: str) -> frozenset[str]:
    """Content lemmas of a name, asides in brackets left out."""
    name = re.sub(r"\([^)]*\)?", " ", name)
    return frozenset(lemma(t) for toks in sentences(name) for t in toks if not _stop(t) and lemma(t) not in _QUALIFIERS)


class Gazetteer:
    """Platform names -> codes, matched over token n-grams with spacing, hyphens and script ignored."""

    MAX_N = 4

    def __init__(self, rows: list[dict]) -> None:
        keys: dict[str, set[str]] = {}
        for r in rows:
            for alias in self._aliases(r):
                keys.setdefault(alias, set()).add(r["code"])
        self.keys = {k: tuple(sorted(v)) for k, v in keys.items()}
        self.prefixes = {k[:i] for k in self.keys for i in range(1, len(k) + 1)}
        # Inflected Cyrillic names ("Богдани", "Цезарів") meet their alias by stem.
        stems: dict[str, set[str]] = {}
        for r in rows:
            for alias in self._cyrillic_words(r):
                stems.setdefault(_stem(alias), set()).add(r["code"])
        self.stems = {k: tuple(sorted(v)) for k, v in stems.items() if len(k) >= 4}

    @staticmethod
    def _cyrillic_words(r: dict) -> set[str]:
        names = [*EXTRA_ALIASES.get(r["code"], ()), *re.findall(r"«([^»]*)»", r.get("name_uk") or "")]
        return {
            translit(t)
            for n in names
            for s in sentences(n)
            for t in s
            if _CYRILLIC.match(t) and len(t) >= 4 and translit(t) not in _GENERIC
        }

    @staticmethod
    def _aliases(r: dict) -> set[str]:
        uk = r.get("name_uk") or ""
        # Names a single word of which names the platform; the full Ukrainian name often starts
        # with a generic noun ("бронеавтомобіль Roshel Senator"), so only its parts below count.
        proper = [r["name_en"], *EXTRA_ALIASES.get(r["code"], ())]
        proper += re.findall(r"«([^»]*)»", uk)  # the name proper inside a generic prefix
        proper += re.findall(r"[A-Za-z0-9][A-Za-z0-9 .\-/]*[A-Za-z0-9]", uk)  # a Latin run in it
        described = r.get("kind") in ("munition", "engine")  # "(Gepard, Skynex)" is what it fits
        out: set[str] = set()
        for name, single in [(n, True) for n in proper] + [(uk, False)]:
            core = re.sub(r"\([^)]*\)", " ", name)
            parts = {core, *re.split(r"/", core)} if described else {core, *re.split(r"[()/,]", name)}
            for part in parts:
                toks = [translit(t) for s in sentences(part) for t in s][: Gazetteer.MAX_N]
                if len(toks) > 1:
                    out.add("".join(toks))
                for i in range(len(toks)):  # designations: "AI-450 turboshaft" -> "ai450"
                    for j in range(i + 2, len(toks) + 1):
                        key = "".join(toks[i:j])
                        if any(c.isdigit() for c in key) and any(c.isalpha() for c in key):
                            out.add(key)
                for t in toks if single else ():  # a distinctive word ("Bohdana") or designation ("M777")
                    alpha = t.isalpha()
                    if (alpha and len(t) >= 4 and t not in _GENERIC and not _stop(t)) or (
                        not alpha and len(t) >= 3 and any(c.isalpha() for c in t) and any(c.isdigit() for c in t)
                    ):
                        out.add(t)
        return {k for k in out if len(k) >= 3 and k not in _GENERIC}

    def find(self, tokens: list[str]) -> set[str]:
        return self.find_words([word(t) for t in tokens])

    def find_words(self, words: list[Word]) -> set[str]:
        prefixes, keys = self.prefixes, self.keys
        found: set[str] = set()
        for seq in ([w.latin for w in words], [w.latin_lemma for w in words]):
            n = len(seq)
            for i, key in enumerate(seq):
                if key not in prefixes:  # most words start no name: skip the n-gram walk
                    continue
                codes = keys.get(key)
                if codes:
                    found.update(codes)
                for j in range(i + 1, min(i + self.MAX_N, n)):
                    key += seq[j]
                    if key not in prefixes:
                        break
                    codes = keys.get(key)
                    if codes:
                        found.update(codes)
            if all(w.latin == w.latin_lemma for w in words):
                break
        for w in words:
            if w.stem:
                found.update(self.stems.get(w.stem, ()))
        return found


_ENDINGS = re.compile(r"(iamy|amy|iakh|akh|ovi|evi|oiu|eiu|iam|om|em|iv|ei|am|ia|iu|a|y|i|u|e|o)$")


def _stem(word: str) -> str:
    """A transliterated Cyrillic word without its case ending ("bohdany" -> "bohdan")."""
    stem = _ENDINGS.sub("", word)
    return stem if len(stem) >= 4 else word


def _read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@cache
def platform_rows() -> tuple[dict, ...]:
    return tuple(_read_csv(PLATFORMS_CSV if PLATFORMS_CSV.exists() else PLATFORMS_FALLBACK))


@cache
def glossary() -> dict[str, tuple[str, ...]]:
    """Ukrainian lemma -> English normal forms."""
    out: dict[str, tuple[str, ...]] = {}
    for r in _read_csv(GLOSSARY_CSV):
        en = tuple(lemma(t) for s in sentences(r["en"]) for t in s if not _stop(t))
        out[lemma(_normalise(r["uk"]))] = out.get(lemma(_normalise(r["uk"])), ()) + en
    return out


@cache
def gazetteer() -> Gazetteer:
    return Gazetteer(list(platform_rows()))


def platforms_named(text: str) -> set[str]:
    """Codes of the platforms a text names ("PzH 2000", "САУ «Богдана»", "Leopard" = every Leopard)."""
    g = gazetteer()
    return set().union(*(g.find(toks) for toks in sentences(text)))


class Analyzer:
    """Text -> terms (words and concepts) for `TfidfVectorizer(analyzer=Analyzer(...))`."""

    def __init__(self, names_en: list[str], names_uk: list[str], codes: list[str]) -> None:
        concepts: list[tuple[str, frozenset[str]]] = []
        for code, en, uk in zip(codes, names_en, names_uk, strict=True):
            concepts += [(f"cap:{code}", _content(n)) for n in (en, uk) if n]
        for r in platform_rows():
            if re.match(r"munition\.\d", r["code"]):  # calibres are described, not named
                concepts += [(f"plat:{r['code']}", _content(n)) for n in (r["name_en"], r.get("name_uk")) if n]
        self.concepts = [(term, need) for term, need in concepts if need]
        self.trigger: dict[str, list[int]] = {}
        for i, (_, need) in enumerate(self.concepts):
            self.trigger.setdefault(min(need), []).append(i)
        self.gazetteer = gazetteer()
        self._cache: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self._words: dict[str, _Token] = {}  # a _TOKENS match -> what its words add

    @classmethod
    def for_taxonomy(cls, taxonomy) -> Analyzer:
        return _analyzer(tuple(taxonomy.codes), tuple(taxonomy.names_en), tuple(taxonomy.names_uk))

    def __call__(self, text: str) -> list[str]:
        terms: list[str] = []
        concepts: set[str] = set()
        for segment in _SENTENCES.split(_normalise(text or "")):
            t, c = self._sentence(segment)
            terms += t
            concepts.update(c)
        return terms + sorted(concepts)

    def _sentence(self, segment: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Terms and concepts of one sentence; cached, as profiles repeat whole sentences."""
        hit = self._cache.get(segment)
        if hit is not None:
            return hit
        known = self._words
        # Per distinct spelling the work is done once (_token); per sentence only C-level joins.
        toks = [known.get(raw) or self._token(raw) for raw in _TOKENS.findall(segment)]
        terms = list(_chain(map(_TERMS, toks)))
        concepts: set[str] = set()
        triggered = set().union(*map(_TRIGGER, toks))
        if triggered:
            seen = set(_chain(map(_LEMMAS, toks))).union(terms)
            concepts.update(self.concepts[i][0] for i in triggered if self.concepts[i][1] <= seen)
        if any(map(_PLATFORM, toks)):  # no word starts or stems a platform name: none named
            concepts.update(f"plat:{c}" for c in self.gazetteer.find_words(list(_chain(map(_WORDS, toks)))))
        if len(self._cache) > 100_000:
            self._cache.clear()
        self._cache[segment] = hit = (tuple(terms), tuple(sorted(concepts)))
        return hit

    def _token(self, raw: str) -> _Token:
        """What one _TOKENS match (none, one or two words) adds to a sentence, worked out once."""
        g = self.gazetteer
        words = tuple(word(t) for t in _parts(raw))
        tok = _Token(
            words,
            tuple(x for w in words for x in w.terms),
            tuple(w.lemma for w in words),
            frozenset(i for w in words for x in (w.lemma, *w.terms) for i in self.trigger.get(x, ())),
            any(
                w.latin in g.prefixes or w.latin_lemma in g.prefixes or (w.stem is not None and w.stem in g.stems)
                for w in words
            ),
        )
        if len(self._words) > 200_000:
            self._words.clear()
        self._words[raw] = tok
        return tok


class _Token(NamedTuple):
    """The words of one _TOKENS match and what they add to their sentence's terms and concepts."""

    words: tuple[Word, ...]
    terms: tuple[str, ...]
    lemmas: tuple[str, ...]
    trigger: frozenset[int]  # concepts whose trigger lemma a word is or adds
    platform: bool  # a word may start a platform name or meet one by stem


_WORDS, _TERMS, _LEMMAS, _TRIGGER, _PLATFORM = (itemgetter(i) for i in range(5))
_chain = chain.from_iterable


@cache
def _analyzer(codes: tuple[str, ...], names_en: tuple[str, ...], names_uk: tuple[str, ...]) -> Analyzer:
    return Analyzer(list(names_en), list(names_uk), list(codes))


def term_label(term: str, names: dict[str, str] | None = None) -> str:
    """A readable form of a term: concept tokens by their name where known ("cap:x" -> names["x"])."""
    kind, _, code = term.partition(":")
    if kind in ("cap", "plat") and code:
        if names and code in names:
            return names[code]
        if kind == "plat":
            return next((r["name_en"] for r in platform_rows() if r["code"] == code), code)
        return code
    return term

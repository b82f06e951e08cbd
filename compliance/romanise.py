"""Latin readings of Cyrillic names: the language of the whole name, then every romanisation a front might use.

ICU supplies the BGN/PCGN systems (Russian, Ukrainian, Belarusian, Bulgarian, Macedonian) and
ISO 9 (`Cyrillic-Latin`). Neither ICU nor rigour has the German, Polish, Czech, French, Turkish
and Lithuanian renderings of Russian names that registries in those countries carry, nor
Ukraine's national system (2010) applied to Russian names, so those are the tables below,
tested with real spellings in tests/compliance/test_romanise.py. Plain Python, no Django.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

import icu

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_WORD = re.compile(r"[\u0400-\u04ff]+", re.IGNORECASE)

# Letters only one of the languages writes, and legal forms only one of them uses.
_MACEDONIAN_LETTERS = frozenset("ѓќѕљњџј")
_BELARUSIAN_LETTERS = frozenset("ў")
_UKRAINIAN_LETTERS = frozenset("їєґ")
_LEGAL_FORMS = {
    "mk": {"доо", "дооел", "ад", "јтд"},
    "bg": {"еоод", "оод", "еад", "ад", "ет", "кд", "сд"},
    "be": {"аат", "таа", "зат", "уп", "прут", "ап"},
    "uk": {"тов", "прат", "пат", "ат", "дп", "дк", "кп", "фоп", "пп", "дак", "нвк", "нвп", "тдв"},
    "ru": {"ооо", "оао", "зао", "пао", "ао", "фгуп", "гуп", "муп", "нпп", "нпо", "ип"},
}

_ICU_IDS = {
    "ru": "Russian-Latin/BGN",
    "uk": "Ukrainian-Latin/BGN",
    "be": "Belarusian-Latin/BGN",
    "bg": "Bulgarian-Latin/BGN",
    "mk": "Macedonian-Latin/BGN",
    "iso9": "Cyrillic-Latin",
}
_ICU: dict[str, icu.Transliterator] = {}
_ICU_LOCK = threading.Lock()  # ICU transliterators are not thread-safe


def detect_language(text: str) -> str:
    """ru, uk, be, bg or mk for a Cyrillic name, from its letters first and its legal form second."""
    lower = text.lower()
    letters = set(lower)
    if letters & _MACEDONIAN_LETTERS:
        return "mk"
    if letters & _BELARUSIAN_LETTERS or ("і" in letters and "э" in letters):
        return "be"
    if letters & _UKRAINIAN_LETTERS:
        return "uk"
    words = set(_WORD.findall(lower))
    for language in ("mk", "bg", "be", "uk"):
        if words & _LEGAL_FORMS[language]:
            if language == "mk" and not words & {"доо", "дооел"}:
                continue  # "АД" alone is Bulgarian as often as Macedonian
            return language
    if "і" in letters:
        return "uk"
    if re.search(r"[\u0400-\u04ff]ъ[\u0400-\u04ff]", lower) and "ы" not in letters and "э" not in letters:
        return "bg"  # ъ inside a word is a vowel only in Bulgarian
    return "ru"


def icu_romanise(text: str, system: str) -> str:
    transliterator = _ICU.get(system)
    with _ICU_LOCK:
        if transliterator is None:
            transliterator = _ICU[system] = icu.Transliterator.createInstance(f"{_ICU_IDS[system]}; Latin-ASCII")
        return transliterator.transliterate(text)


# Russian letters in the conventions ICU lacks. е, ё, ю, я are written with a glide (je, jo...)
# at the start of a word and after a vowel, ъ or ь; "ий"/"ый" endings are simplified as
# each country's press writes them (Obuchowski, Oboukhovski).
_BASE = dict(
    а="a", б="b", в="v", г="g", д="d", е="e", ё="jo", ж="zh", з="z", и="i", й="j", к="k", л="l", м="m",
    н="n", о="o", п="p", р="r", с="s", т="t", у="u", ф="f", х="kh", ц="ts", ч="ch", ш="sh", щ="shch",
    ъ="", ы="y", ь="", э="e", ю="ju", я="ja", і="i", ў="w", є="je", ї="ji", ґ="g",
)  # fmt: skip
_TABLES: dict[str, dict] = {
    "de": {
        "letters": {**_BASE, "в": "w", "ж": "sch", "з": "s", "й": "i", "х": "ch", "ц": "z", "ч": "tsch",
                    "ш": "sch", "щ": "schtsch", "ы": "y"},
        "glide": {"е": "je", "ё": "jo", "ю": "ju", "я": "ja"},
        "ending": {"ий": "i", "ый": "y", "ой": "oi"},
    },
    "pl": {
        "letters": {**_BASE, "в": "w", "е": "ie", "ё": "io", "ж": "ż", "й": "j", "х": "ch", "ц": "c",
                    "ч": "cz", "ш": "sz", "щ": "szcz", "ю": "iu", "я": "ia", "л": "ł"},
        "glide": {"е": "je", "ё": "jo", "ю": "ju", "я": "ja"},
        "hard": {"е": "e", "ё": "o", "ю": "u", "я": "a"},  # after л, ж, ш, ч, ц, щ
        "ending": {"ий": "i", "ый": "y", "ой": "oj"},
    },
    "cs": {
        "letters": {**_BASE, "е": "e", "ж": "ž", "й": "j", "х": "ch", "ц": "c", "ч": "č", "ш": "š", "щ": "šč",
                    "ю": "ju", "я": "ja", "ё": "jo"},
        "glide": {"е": "je", "ё": "jo", "ю": "ju", "я": "ja"},
        "ending": {"ий": "ij", "ый": "yj", "ой": "oj"},
    },
    "lt": {
        "letters": {**_BASE, "ж": "ž", "й": "j", "х": "ch", "ц": "c", "ч": "č", "ш": "š", "щ": "šč",
                    "ю": "iu", "я": "ia", "ё": "io"},
        "glide": {"е": "je", "ё": "jo", "ю": "ju", "я": "ja"},
        "ending": {"ий": "ij", "ый": "yj", "ой": "oj"},
    },
    "fr": {
        "letters": {**_BASE, "ё": "io", "ж": "j", "й": "ï", "у": "ou", "х": "kh", "ц": "ts", "ч": "tch",
                    "ш": "ch", "щ": "chtch", "ю": "iou", "я": "ia", "э": "e"},
        "glide": {"е": "ie", "ё": "io", "ю": "iou", "я": "ia"},
        "ending": {"ий": "i", "ый": "y", "ой": "oï"},
    },
    "tr": {
        "letters": {**_BASE, "ё": "yo", "ж": "j", "й": "y", "х": "h", "ц": "ts", "ч": "ç", "ш": "ş",
                    "щ": "şç", "ы": "ı", "ю": "yu", "я": "ya"},
        "glide": {"е": "ye", "ё": "yo", "ю": "yu", "я": "ya"},
        "ending": {"ий": "i", "ый": "ı", "ой": "oy", "ов": "of", "ев": "ef"},
    },
    # Ukraine's national system (Cabinet resolution 55 of 2010) read onto Russian letters.
    "ua": {
        "letters": {**_BASE, "г": "h", "е": "e", "ё": "io", "и": "y", "й": "i", "ы": "y", "ю": "iu", "я": "ia"},
        "glide": {"ё": "io", "ю": "iu", "я": "ia"},
        "initial": {"й": "y", "ю": "yu", "я": "ya", "є": "ye", "ї": "yi"},
        "ending": {"ий": "yi", "ый": "yi"},
    },
}  # fmt: skip
_VOWELS = set("аеёиоуыэюяієї")
_HARD = set("лжшчцщ")


@lru_cache(maxsize=500_000)
def _cached_word(word: str, system: str) -> str:
    return _table_word(word, _TABLES[system])


def _table_word(word: str, table: dict) -> str:
    letters, glide, hard = table["letters"], table.get("glide", {}), table.get("hard", {})
    initial, ending = table.get("initial", {}), table.get("ending", {})
    tail = ""
    for suffix, spelling in ending.items():
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            word, tail = word[: -len(suffix)], spelling
            break
    out = []
    previous = ""
    for position, letter in enumerate(word):
        if position == 0 and letter in initial:
            out.append(initial[letter])
        elif letter in glide and (position == 0 or previous in _VOWELS or previous in "ъь"):
            out.append(glide[letter])
        elif letter in hard and previous in _HARD:
            out.append(hard[letter])
        elif (
            letter == "л"
            and letters["л"] == "ł"
            and word[position + 1 : position + 2] in ("е", "ё", "ю", "я", "и", "ь")
        ):
            out.append("l")  # Polish writes a soft л as l (Tupolew), a hard one as ł (Kałasznikow)
        else:
            out.append(letters.get(letter, letter))
        previous = letter
    return "".join(out) + tail


def table_romanise(text: str, system: str) -> str:
    """One of the table conventions (de, pl, cs, lt, fr, tr, ua) applied to a Cyrillic text."""
    return _WORD.sub(lambda match: _cached_word(match.group(0).lower(), system), text)


TABLE_SYSTEMS = tuple(_TABLES)
LABELS = {
    "ru": "BGN/PCGN (Russian)",
    "uk": "BGN/PCGN (Ukrainian)",
    "be": "BGN/PCGN (Belarusian)",
    "bg": "BGN/PCGN (Bulgarian)",
    "mk": "BGN/PCGN (Macedonian)",
    "iso9": "ISO 9",
    "de": "German",
    "pl": "Polish",
    "cs": "Czech",
    "lt": "Lithuanian",
    "fr": "French",
    "tr": "Turkish",
    "ua": "Ukrainian national",
}


def is_cyrillic(text: str) -> bool:
    return bool(_CYRILLIC.search(text))


def list_systems(language: str) -> tuple[str, ...]:
    """The romanisations a list name in `language` is indexed under."""
    systems = [language] + (["ru"] if language != "ru" else []) + ["iso9"]
    if language in ("ru", "be"):
        systems.extend(TABLE_SYSTEMS)
    return tuple(systems)


@lru_cache(maxsize=500_000)
def romanise_word(word: str, system: str) -> str:
    """One lower-case Cyrillic word in one system (cached: list names share their words)."""
    if system in _TABLES:
        return _table_word(word, _TABLES[system])
    return icu_romanise(word, system)


@lru_cache(maxsize=20_000)
def list_readings(text: str) -> tuple[tuple[str, str], ...]:
    """(system, Latin text) for every romanisation of a list name or alias; () for Latin text."""
    if not is_cyrillic(text):
        return ()
    language = detect_language(text)
    readings = [(language, icu_romanise(text, language))]
    if language != "ru":
        readings.append(("ru", icu_romanise(text, "ru")))
    readings.append(("iso9", icu_romanise(text, "iso9")))
    if language in ("ru", "be"):
        readings.extend((system, table_romanise(text, system)) for system in TABLE_SYSTEMS)
    seen: set[str] = set()
    unique = []
    for system, latin in readings:
        if latin.lower() not in seen:
            seen.add(latin.lower())
            unique.append((system, latin))
    return tuple(unique)


@lru_cache(maxsize=20_000)
def firm_readings(text: str) -> tuple[tuple[str, str], ...]:
    """How a firm's Cyrillic name reads: its own language's system, and Russian's when that differs."""
    if not is_cyrillic(text):
        return ()
    language = detect_language(text)
    readings = [(language, icu_romanise(text, language))]
    if language != "ru":
        russian = icu_romanise(text, "ru")
        if russian.lower() != readings[0][1].lower():
            readings.append(("ru", russian))
    return tuple(readings)

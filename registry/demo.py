"""Realistic, reproducible firm profiles in the `alliance-firms/1` exchange format.

Used by `seed_demo` (about 200 firms), by the import benchmark (10,000 firms) and by tests.
Pure Python: no database access, so it can run before migrations and in benchmarks.
Identifiers are valid (EDRPOU and LEI check digits computed with python-stdnum) and refs
are unique for a given `n`, so the output always imports cleanly.
"""

import csv
import random
from functools import cache
from pathlib import Path

import phonenumbers
from stdnum.iso7064 import mod_97_10
from stdnum.ua import edrpou as edrpou_std

CAPABILITIES_CSV = Path(__file__).resolve().parent / "data" / "capabilities.csv"

# Partner countries used by the generator: all on the default eligible list, weighted roughly
# by the size of their defence industries.
PARTNER_COUNTRIES = {
    "DE": 10, "PL": 9, "US": 8, "FR": 7, "GB": 7, "CZ": 6, "NL": 4, "SE": 4, "IT": 4, "NO": 3,
    "FI": 3, "DK": 3, "LT": 3, "ES": 3, "RO": 3, "SK": 3, "CA": 2, "EE": 2, "LV": 2, "TR": 2,
    "BE": 2, "AT": 1, "JP": 1, "KR": 1, "BG": 1,
}  # fmt: skip

LEGAL_FORMS = {
    "UA": ["LLC", "TOV", "PrJSC", "JSC", "SE"],
    "DE": ["GmbH", "AG", "GmbH & Co. KG"], "PL": ["Sp. z o.o.", "S.A."], "US": ["Inc.", "LLC", "Corp."],
    "FR": ["SAS", "SA"], "GB": ["Ltd", "plc"], "CZ": ["s.r.o.", "a.s."], "NL": ["B.V.", "N.V."],
    "SE": ["AB"], "IT": ["S.p.A.", "S.r.l."], "NO": ["AS", "ASA"], "FI": ["Oy", "Oyj"], "DK": ["A/S", "ApS"],
    "LT": ["UAB"], "ES": ["S.L.", "S.A."], "RO": ["S.R.L.", "S.A."], "SK": ["s.r.o.", "a.s."],
    "CA": ["Inc.", "Ltd."], "EE": ["OÜ", "AS"], "LV": ["SIA"], "TR": ["A.Ş."], "BE": ["NV", "SA"],
    "AT": ["GmbH"], "JP": ["K.K."], "KR": ["Co., Ltd."], "BG": ["EOOD", "AD"],
}  # fmt: skip

PLACES = {
    "UA": ["Kyiv", "Kharkiv", "Dnipro", "Lviv", "Zaporizhzhia", "Odesa", "Mykolaiv", "Poltava", "Vinnytsia",
           "Zhytomyr", "Chernihiv", "Sumy", "Ternopil", "Ivano-Frankivsk", "Kropyvnytskyi", "Cherkasy", "Rivne"],
    "DE": ["Rhein", "Bavaria", "Hansa", "Elbe", "Saxon", "Kiel", "Bremen"], "PL": ["Vistula", "Mazovia", "Silesia", "Baltic", "Krakow"],
    "US": ["Pacific", "Liberty", "Lakeshore", "Granite", "Redstone", "Keystone"], "FR": ["Loire", "Rhône", "Alpine", "Atlantique"],
    "GB": ["Thames", "Pennine", "Clyde", "Solent", "Wessex"], "CZ": ["Bohemia", "Moravia", "Vltava"], "NL": ["Delta", "Holland", "Zeeland"],
    "SE": ["Nordic", "Bofors", "Göta"], "IT": ["Ligure", "Padana", "Adriatica"], "NO": ["Fjord", "Kongsberg", "Nordkapp"],
    "FI": ["Saimaa", "Karelia", "Botnia"], "DK": ["Jutland", "Øresund"], "LT": ["Neris", "Baltic"], "ES": ["Iberia", "Navarra"],
    "RO": ["Carpathian", "Danube"], "SK": ["Tatra", "Danube"], "CA": ["Maple", "Laurentian"], "EE": ["Baltic", "Tallinn"],
    "LV": ["Daugava", "Riga"], "TR": ["Anatolian", "Bosphorus"], "BE": ["Flanders", "Meuse"], "AT": ["Alpen", "Donau"],
    "JP": ["Kanto", "Setouchi"], "KR": ["Hanbit", "Daehan"], "BG": ["Balkan", "Thracian"],
}  # fmt: skip

# Per capability domain: words for names, what such firms make, and what they typically need.
DOMAINS = {
    "uav": (["Aero", "Drone Works", "SkyTech", "Wing Systems", "UAS"], "unmanned aircraft",
            ["sensors", "comms", "engines", "industry", "ew"]),
    "naval": (["Marine", "Naval Systems", "Shipyard", "Maritime"], "naval platforms and sea drones",
              ["engines", "sensors", "comms", "industry"]),
    "ugv": (["Robotics", "Ground Systems"], "unmanned ground vehicles", ["engines", "sensors", "comms", "industry"]),
    "ew": (["Electronics", "EW Systems", "Signal", "Radio Lab"], "electronic-warfare equipment",
           ["industry", "sensors", "comms", "software"]),
    "munitions": (["Munitions", "Ammunition Works", "Defence Industries", "Arsenal"], "ammunition",
                  ["munitions", "industry", "artillery"]),
    "repair": (["Repair Works", "Overhaul Plant", "Maintenance", "Armour Repair"], "repair and overhaul services",
               ["vehicles", "engines", "training", "artillery", "industry"]),
    "vehicles": (["Vehicles", "Motor Works", "Armour"], "military vehicles", ["engines", "protection", "repair"]),
    "artillery": (["Artillery Systems", "Gun Works"], "artillery", ["munitions", "industry", "repair"]),
    "weapons": (["Arms", "Firearms"], "small arms", ["industry", "munitions"]),
    "air_defence": (["Air Defence", "Shield Systems"], "air-defence systems", ["sensors", "munitions", "repair"]),
    "sensors": (["Optics", "Photonics", "Radar", "Sensor Systems"], "sensors and optics", ["uav", "industry", "software"]),
    "comms": (["Communications", "Datalink", "Telecom"], "military communications", ["industry", "software", "space"]),
    "software": (["Software", "Digital", "Analytics", "Labs"], "defence software", ["comms", "space", "sensors"]),
    "space": (["Space", "Orbital", "Satellite Systems"], "space services", ["software", "comms"]),
    "protection": (["Protection", "Armour", "Shield"], "protective equipment", ["industry", "medical"]),
    "demining": (["Demining", "Clearance"], "demining equipment and services", ["ugv", "sensors", "training"]),
    "industry": (["Precision", "Manufacturing", "Industries", "Engineering"], "industrial manufacturing",
                 ["uav", "munitions", "repair", "vehicles"]),
    "engines": (["Motor", "Engines", "Propulsion"], "engines", ["industry", "repair", "uav"]),
    "training": (["Training", "Simulation"], "training and simulators", ["software", "repair"]),
    "medical": (["Medical", "MedTech"], "tactical medical equipment", ["industry", "training"]),
}  # fmt: skip

# Which domains each side's firms tend to lead with: Ukraine brings combat-proven drones,
# EW and repair capacity; partners bring industrial depth, sensors, munitions and engines.
UA_DOMAIN_WEIGHTS = {"uav": 8, "repair": 6, "ew": 4, "naval": 2, "ugv": 2, "software": 3, "munitions": 4,
                     "demining": 2, "vehicles": 2, "protection": 2, "industry": 2, "medical": 1, "artillery": 1,
                     "air_defence": 1}  # fmt: skip
PARTNER_DOMAIN_WEIGHTS = {"munitions": 6, "sensors": 5, "industry": 6, "engines": 3, "vehicles": 3, "artillery": 2,
                          "air_defence": 2, "comms": 3, "space": 1, "software": 2, "weapons": 1, "training": 2,
                          "protection": 2, "uav": 3, "naval": 1, "medical": 1, "ew": 1}  # fmt: skip

UA_CONTACTS = ["Olena Petrenko", "Andrii Kovalenko", "Iryna Shevchenko", "Dmytro Bondarenko", "Oksana Melnyk",
               "Serhii Tkachenko", "Nataliia Kravchenko", "Taras Boiko", "Yuliia Oliinyk", "Mykola Lysenko"]  # fmt: skip
PARTNER_CONTACTS = ["Anna Schmidt", "Piotr Nowak", "John Miller", "Claire Dubois", "James Taylor", "Jan Novák",
                    "Eva Lindqvist", "Marco Rossi", "Ingrid Hansen", "Mikko Virtanen", "Laura García", "Tomas Petrauskas"]  # fmt: skip

PARTNERSHIP_TYPES = ["joint_venture", "licensed_production", "co_production", "co_development", "repair_hub",
                     "supply", "technology_transfer", "investment"]  # fmt: skip
CERTIFICATIONS = ["AQAP-2110", "AQAP-2210", "AQAP-2310", "ISO-9001", "AS9100", "EN-9100", "ISO-14001", "ISO-27001"]
CLEARANCES = ["NONE", "NONE", "NATO_RESTRICTED", "NATO_CONFIDENTIAL", "NATO_SECRET"]
EXPORT_REGIMES = {"US": ["ITAR", "EAR"], "default": ["EU_MILITARY", "EU_DUAL_USE"]}
LOCAL_LANGUAGE = {"DE": "de", "PL": "pl", "FR": "fr", "CZ": "cs", "NL": "nl", "SE": "sv", "IT": "it", "NO": "no",
                  "FI": "fi", "DK": "da", "LT": "lt", "ES": "es", "RO": "ro", "SK": "sk", "EE": "et", "LV": "lv",
                  "TR": "tr", "AT": "de", "JP": "ja", "KR": "ko", "BG": "bg", "BE": "nl"}  # fmt: skip
LEI_PREFIXES = ["5299", "2138", "9695", "3912", "8156", "5493", "7245", "2594"]
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@cache
def _capabilities_by_domain() -> dict[str, list[tuple[str, str]]]:
    """{domain: [(code, english name), ...]} from the project's copy of the taxonomy."""
    out: dict[str, list[tuple[str, str]]] = {}
    with CAPABILITIES_CSV.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["domain"], []).append((row["code"], row["name_en"]))
    return out


def valid_edrpou(rng: random.Random) -> str:
    body = f"{rng.randrange(10**7):07d}"
    return body + edrpou_std.calc_check_digit(body)


def valid_lei(rng: random.Random) -> str:
    body = rng.choice(LEI_PREFIXES) + "00" + "".join(rng.choice(ALNUM) for _ in range(12))
    return body + mod_97_10.calc_check_digits(body)


def _phone(rng: random.Random, country: str) -> str:
    """A valid E.164 number for the country: the library's example with randomised last digits."""
    example = phonenumbers.example_number(country)
    digits = str(example.national_number)
    for _ in range(10):
        candidate = digits[:-4] + f"{rng.randrange(10_000):04d}"
        number = phonenumbers.parse(f"+{example.country_code}{candidate}")
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _slug(text: str) -> str:
    out = "".join(ch if ch.isalnum() and ch.isascii() else "-" for ch in text.lower())
    return "-".join(part for part in out.split("-") if part)


def _lower_first(text: str) -> str:
    # Keep acronyms ("FPV", "MALE") as they are; lower-case ordinary words mid-sentence.
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def _capability_entries(rng: random.Random, domains: list[str], count: int, capacity: bool) -> list[dict]:
    catalogue = _capabilities_by_domain()
    pool = [cap for d in domains for cap in catalogue.get(d, [])]
    entries = []
    for code, name in rng.sample(pool, min(count, len(pool))):
        entry: dict = {"capability": code}
        if rng.random() < 0.8:
            entry["detail"] = f"{name}, {rng.choice(['serial', 'pilot', 'scalable', 'certified', 'field-proven'])} " + (
                rng.choice(["production", "capacity", "line", "programme", "service"])
            )
        if capacity and rng.random() < 0.7:
            entry["monthly_capacity"] = rng.choice([5, 10, 20, 40, 80, 150, 300, 1000, 5000])
        entries.append(entry)
    return entries


def generate_firm_document(i: int, rng: random.Random) -> dict:
    """Firm number `i` (refs are unique across `i`); about one Ukrainian firm in three."""
    ukrainian = i % 3 == 0
    country = "UA" if ukrainian else _weighted(rng, PARTNER_COUNTRIES)
    domain = _weighted(rng, UA_DOMAIN_WEIGHTS if ukrainian else PARTNER_DOMAIN_WEIGHTS)
    words, what, needs = DOMAINS[domain]
    place = rng.choice(PLACES[country])
    name = f"{place} {rng.choice(words)} {rng.choice(LEGAL_FORMS[country])}"
    employees = rng.choice([12, 25, 40, 80, 150, 300, 600, 1200, 3000, 8000])
    founded = rng.randint(1950 if not ukrainian else 1991, 2024)

    second = [d for d in needs if d in _capabilities_by_domain()]
    offers = _capability_entries(rng, [domain], rng.randint(1, 3), capacity=True)
    seeks = _capability_entries(rng, rng.sample(second, min(2, len(second))), rng.randint(1, 2), capacity=False)
    names = {code: name for caps in _capabilities_by_domain().values() for code, name in caps}
    offered_names = "; ".join(_lower_first(names[e["capability"]]) for e in offers)
    sought_names = "; ".join(_lower_first(names[e["capability"]]) for e in seeks)
    description = (
        f"{name} develops and produces {what} ({offered_names}) with {employees} staff "
        f"{'in ' + place if ukrainian else 'at its ' + place + ' sites'}. "
        + (
            "Our products are in daily use by the Defence Forces of Ukraine and are refined from front-line feedback. "
            if ukrainian
            else "We supply NATO armed forces and are ready to expand production for Ukraine. "
        )
        + f"We are looking for partners for {sought_names}"
        + (" and for financing to scale up serial production." if rng.random() < 0.5 else ".")
    )
    contact_name = rng.choice(UA_CONTACTS if ukrainian else PARTNER_CONTACTS)
    domain_slug = _slug(f"{place} {words[0]}")
    doc: dict = {
        "ref": f"{country.lower()}-{domain_slug}-{i}",
        "name": name,
        "country": country,
    }
    if ukrainian:
        doc["edrpou"] = valid_edrpou(rng)
    if rng.random() < (0.3 if ukrainian else 0.7):
        doc["lei"] = valid_lei(rng)
    if rng.random() < (0.2 if ukrainian else 0.6):
        doc["ncage"] = ("U" if ukrainian else rng.choice("CDFKLS")) + "".join(rng.choice(ALNUM) for _ in range(4))
    if rng.random() < 0.8:
        doc["website"] = f"https://{domain_slug}-{i}.example"
    doc["employees"] = employees
    doc["founded"] = founded
    doc["description"] = description
    doc["offers"] = offers
    doc["seeks"] = seeks
    doc["partnership_types"] = sorted(rng.sample(PARTNERSHIP_TYPES, rng.randint(1, 3)))
    doc["certifications"] = sorted(rng.sample(CERTIFICATIONS, rng.randint(0, 3)))
    doc["security_clearance"] = rng.choice(CLEARANCES)
    doc["export_regimes"] = (
        []
        if ukrainian
        else sorted(rng.sample(EXPORT_REGIMES.get(country, EXPORT_REGIMES["default"]), rng.randint(0, 2)))
    )
    doc["languages"] = ["uk", "en"] if ukrainian else sorted({"en", LOCAL_LANGUAGE.get(country, "en")})
    first, last = contact_name.lower().split(" ", 1)
    doc["contact"] = {
        "name": contact_name,
        "email": f"{_slug(first)}.{_slug(last)}@{domain_slug}-{i}.example",
        "phone": _phone(rng, country),
    }
    return doc


def generate_firm_documents(n: int, seed: int = 42) -> list[dict]:
    """`n` firm documents, the same for the same (n, seed); wrap in {"format": ..., "firms": ...} to import."""
    rng = random.Random(seed)
    docs = [generate_firm_document(i, rng) for i in range(n)]
    # One firm per EDRPOU and per LEI (firm_edrpou_unique, firm_lei_unique): a repeat the draws made
    # gets a fresh code, drawn after the rest so that every other firm stays as it was.
    seen: dict[str, set[str]] = {"edrpou": set(), "lei": set()}
    for doc in docs:
        for key, draw in (("edrpou", valid_edrpou), ("lei", valid_lei)):
            if key not in doc:
                continue
            while doc[key] in seen[key]:
                doc[key] = draw(rng)
            seen[key].add(doc[key])
    return docs

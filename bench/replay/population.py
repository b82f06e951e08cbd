"""The replay population: the real firms of firms.json hidden among generated decoys.

    build_population(seed) -> ReplayPopulation

The 33 real firms are taken as they are (their `platforms` extension is kept in
`ReplayPopulation.platforms` and fed to the engine with a platform catalogue; each look-alike
decoy copies each of its model's platforms with probability 0.6, drawn from a separate random
stream so the decoy documents are the same with or without platforms). Around them, decoys in the
`alliance-firms/1` exchange format, so they would import as they are:

- a realistic market: many micro firms, subcontractors and SMEs, few primes (size bands by
  employees, the number of offers grows with size); a home domain drawn from each side's market
  (Ukrainian firms lean to drones, EW and repair; partners to industry, sensors, comms), most
  capabilities in the home domain, some in a neighbouring one; seeks drawn from what producers
  in those domains need; some sparse profiles (one offer, no seeks, one-line description);
- look-alikes: for every real firm, 6-10 decoys on its side with the same domains and
  overlapping codes (and seeks, types, size), so the true partner has to beat its competitors;
- descriptions from small bilingual phrase templates per domain with the taxonomy's
  name_en / name_uk; about half the Ukrainian decoys write in Ukrainian, partners in English;
- partnership types, certifications, clearance and export regimes by size band and country,
  countries drawn from the eligible partner states (`ELIGIBLE_PARTNER_COUNTRIES` in settings).

The real profiles are never tuned to the pairs. Deterministic for a seed (stdlib `random`).
"""

from __future__ import annotations

import copy
import csv
import json
import random
from dataclasses import dataclass
from pathlib import Path

from stdnum.ua import edrpou

from matching.scoring import SideFeatures, Taxonomy
from matching.scoring.platforms import PlatformCatalogue

HERE = Path(__file__).resolve().parent
FIRMS_JSON = HERE / "firms.json"
PAIRS_CSV = HERE / "partnerships.csv"
DOMINANT_UA = "ua-ukroboronprom"  # the Ukrainian side of 13 of the 24 pairs

# --- the market ---------------------------------------------------------------------------------

# Home-domain weights of each side's market (normalised when drawn).
UA_DOMAINS = {
    "uav": 28, "ew": 8, "repair": 12, "munitions": 9, "ugv": 5, "naval": 3, "vehicles": 5, "protection": 5,
    "industry": 8, "sensors": 4, "comms": 3, "software": 4, "artillery": 2, "weapons": 2, "demining": 3,
    "medical": 2, "training": 2, "engines": 2, "air_defence": 1, "space": 1,
}  # fmt: skip
PARTNER_DOMAINS = {
    "industry": 16, "sensors": 8, "comms": 7, "munitions": 10, "uav": 10, "vehicles": 6, "repair": 5,
    "engines": 5, "software": 7, "protection": 5, "ew": 4, "air_defence": 3, "artillery": 3, "weapons": 3,
    "naval": 3, "space": 2, "training": 2, "medical": 2, "demining": 2, "ugv": 1,
}  # fmt: skip
# Where a firm of a domain also tends to work (its second domain, if any).
NEIGHBOURS = {
    "uav": ("uav", "ew", "ugv", "software", "sensors"), "naval": ("uav", "engines", "comms"),
    "ugv": ("uav", "vehicles", "software"), "ew": ("sensors", "comms", "uav"),
    "munitions": ("artillery", "industry", "munitions"), "repair": ("vehicles", "engines", "repair", "artillery"),
    "vehicles": ("repair", "protection", "engines"), "artillery": ("munitions", "repair"),
    "weapons": ("munitions", "repair"), "air_defence": ("sensors", "munitions", "software"),
    "sensors": ("ew", "comms", "air_defence"), "comms": ("ew", "software", "space"),
    "software": ("comms", "uav", "training"), "space": ("comms", "software"),
    "protection": ("vehicles", "industry", "medical"), "demining": ("ugv", "uav", "training"),
    "industry": ("industry", "munitions", "engines"), "engines": ("repair", "industry"),
    "training": ("software", "medical"), "medical": ("protection", "training"),
}  # fmt: skip
# What producers in a domain look for.
NEEDS = {
    "uav": ("uav.components", "sensors.optics_thermal", "comms.tactical_radio", "industry.electronics_mfg",
            "industry.composites", "uav.autonomy", "engines.aero"),
    "naval": ("engines.vehicle", "comms.tactical_radio", "sensors.optics_thermal", "industry.composites"),
    "ugv": ("engines.vehicle", "comms.tactical_radio", "uav.autonomy", "industry.machining"),
    "ew": ("industry.electronics_mfg", "comms.tactical_radio", "software.c2", "sensors.radar"),
    "munitions": ("munitions.energetics", "munitions.shell_bodies", "munitions.fuzes", "industry.machining"),
    "repair": ("engines.vehicle", "industry.machining", "artillery.barrels", "repair.electronics",
               "protection.vehicle_armour"),
    "vehicles": ("engines.vehicle", "protection.vehicle_armour", "sensors.fire_control", "comms.tactical_radio",
                 "industry.machining"),
    "artillery": ("artillery.barrels", "sensors.fire_control", "munitions.artillery_155", "industry.machining"),
    "weapons": ("industry.machining", "munitions.small_arms", "sensors.optics_thermal"),
    "air_defence": ("sensors.radar", "munitions.missiles", "sensors.fire_control", "software.c2"),
    "sensors": ("industry.electronics_mfg", "software.c2", "industry.composites"),
    "comms": ("industry.electronics_mfg", "software.c2", "space.satcom_eo"),
    "software": ("comms.tactical_radio", "sensors.radar", "space.satcom_eo"),
    "space": ("comms.tactical_radio", "industry.electronics_mfg"),
    "protection": ("industry.composites", "industry.machining"),
    "demining": ("ugv.unmanned_ground", "uav.multirotor_isr", "sensors.optics_thermal"),
    "industry": ("industry.machining", "industry.electronics_mfg"),
    "engines": ("industry.machining", "industry.composites"),
    "training": ("software.c2", "uav.fpv"),
    "medical": ("vehicles.logistics", "protection.body_armour"),
}  # fmt: skip

# Size bands: (name, employees low, high, share of Ukrainian decoys, share of partner decoys,
# offers low, high, seeks high). Many subcontractors and SMEs, few primes.
BANDS = (
    ("micro", 2, 9, 0.22, 0.18, 1, 1, 1),
    ("small", 10, 49, 0.33, 0.32, 1, 2, 2),
    ("medium", 50, 249, 0.27, 0.30, 1, 3, 2),
    ("large", 250, 999, 0.12, 0.13, 2, 4, 3),
    ("group", 1000, 9999, 0.05, 0.06, 3, 6, 3),
    ("prime", 10000, 90000, 0.01, 0.01, 5, 9, 3),
)
SPARSE_SHARE = 0.2  # of micro and small firms: one offer, no seeks, one-line description

# Partner countries (all on the eligible list in alliance/settings.py) with rough weights by
# defence-industrial weight, their language and their legal-form suffix.
COUNTRIES = {
    "DE": (14, "de", "GmbH", "Germany"), "PL": (10, "pl", "Sp. z o.o.", "Poland"),
    "US": (12, "en", "Inc.", "the United States"), "GB": (9, "en", "Ltd", "the United Kingdom"),
    "FR": (8, "fr", "SAS", "France"), "CZ": (7, "cs", "s.r.o.", "Czechia"), "IT": (5, "it", "S.r.l.", "Italy"),
    "NL": (4, "nl", "B.V.", "the Netherlands"), "SE": (4, "sv", "AB", "Sweden"), "FI": (3, "fi", "Oy", "Finland"),
    "DK": (3, "da", "ApS", "Denmark"), "NO": (3, "no", "AS", "Norway"), "EE": (2, "et", "OÜ", "Estonia"),
    "LT": (3, "lt", "UAB", "Lithuania"), "LV": (2, "lv", "SIA", "Latvia"), "SK": (2, "sk", "s.r.o.", "Slovakia"),
    "RO": (2, "ro", "S.R.L.", "Romania"), "BG": (2, "bg", "EOOD", "Bulgaria"), "TR": (3, "tr", "A.Ş.", "Türkiye"),
    "CA": (3, "en", "Inc.", "Canada"), "ES": (3, "es", "S.L.", "Spain"), "BE": (2, "nl", "BV", "Belgium"),
    "AT": (1, "de", "GmbH", "Austria"), "CH": (1, "de", "AG", "Switzerland"), "JP": (1, "ja", "K.K.", "Japan"),
    "KR": (2, "ko", "Co., Ltd.", "South Korea"), "AU": (1, "en", "Pty Ltd", "Australia"),
    "PT": (1, "pt", "Lda.", "Portugal"), "HU": (1, "hu", "Kft.", "Hungary"), "GR": (1, "el", "S.A.", "Greece"),
    "HR": (1, "hr", "d.o.o.", "Croatia"), "SI": (1, "sl", "d.o.o.", "Slovenia"),
}  # fmt: skip
UA_CITIES = (("Kyiv", "Києві"), ("Kharkiv", "Харкові"), ("Lviv", "Львові"), ("Dnipro", "Дніпрі"),
             ("Zaporizhzhia", "Запоріжжі"), ("Odesa", "Одесі"), ("Mykolaiv", "Миколаєві"),
             ("Zhytomyr", "Житомирі"), ("Vinnytsia", "Вінниці"), ("Poltava", "Полтаві"))  # fmt: skip
NAME_ROOTS = (("Sokil", "Сокіл"), ("Berkut", "Беркут"), ("Oberih", "Оберіг"), ("Vartovyi", "Вартовий"),
              ("Tekhnoprom", "Технопром"), ("Arsenal", "Арсенал"), ("Zoria", "Зоря"), ("Horyzont", "Горизонт"),
              ("Shchyt", "Щит"), ("Kremin", "Кремінь"), ("Dnipro-Tekh", "Дніпро-Тех"), ("Polis", "Поліс"),
              ("Karpaty", "Карпати"), ("Stal", "Сталь"), ("Impuls", "Імпульс"), ("Vektor", "Вектор"))  # fmt: skip
PARTNER_ROOTS = ("Nordic", "Aegis", "Vanguard", "Helix", "Baltic", "Sentinel", "Orion", "Falcon", "Alpine",
                 "Meridian", "Atlas", "Kestrel", "Corvus", "Titan", "Argon", "Boreal", "Delta", "Lumen")  # fmt: skip
PARTNER_WORDS = ("Systems", "Defence", "Technologies", "Industries", "Engineering", "Dynamics", "Precision",
                 "Robotics", "Electronics", "Works")  # fmt: skip

# --- bilingual phrase templates -----------------------------------------------------------------

# One phrase per domain about how such a firm works, (English, Ukrainian).
DOMAIN_PHRASES = {
    "uav": ("serial assembly of airframes with flight testing at our own range",
            "серійне складання планерів і льотні випробування на власному полігоні"),
    "naval": ("hull fabrication, marine propulsion integration and sea trials",
              "виготовлення корпусів, інтеграція силових установок і морські випробування"),
    "ugv": ("tracked and wheeled robotic platforms for logistics and evacuation",
            "гусеничні та колісні роботизовані платформи для логістики й евакуації"),
    "ew": ("radio-frequency engineering, spectrum monitoring and fast field updates",
           "радіочастотна інженерія, моніторинг спектра та швидкі оновлення в полі"),
    "munitions": ("loading, assembly and packing lines with lot acceptance testing",
                  "лінії спорядження, складання та пакування з приймальними випробуваннями партій"),
    "repair": ("overhaul workshops, spare-parts supply and mobile repair teams",
               "ремонтні цехи, постачання запчастин і мобільні ремонтні бригади"),
    "vehicles": ("hull welding, final assembly and vehicle integration",
                 "зварювання корпусів, кінцеве складання та інтеграція техніки"),
    "artillery": ("heavy machining, barrel boring and firing trials",
                  "важка механообробка, розточування стволів і стрільбові випробування"),
    "weapons": ("small-batch and serial production of weapons and accessories",
                "дрібносерійне та серійне виробництво зброї й приладдя"),
    "air_defence": ("integration of sensors, launchers and command posts",
                    "інтеграція сенсорів, пускових установок і командних пунктів"),
    "sensors": ("optoelectronics design, calibration and environmental testing",
                "проєктування оптоелектроніки, калібрування та кліматичні випробування"),
    "comms": ("secure radio design, encryption and network integration",
              "розробка захищених радіостанцій, шифрування та мережева інтеграція"),
    "software": ("software for command posts and situational awareness",
                 "програмне забезпечення для командних пунктів і ситуаційної обізнаності"),
    "space": ("satellite ground segment, imagery processing and data services",
              "наземний сегмент супутників, обробка знімків і сервіси даних"),
    "protection": ("ballistic testing of armour materials and protective kits",
                   "балістичні випробування бронематеріалів і захисних комплектів"),
    "demining": ("humanitarian and military demining with certified teams",
                 "гуманітарне та військове розмінування сертифікованими командами"),
    "industry": ("CNC machining, sheet metal and contract manufacturing to drawings",
                 "обробка на верстатах з ЧПК, листовий метал і контрактне виробництво за кресленнями"),
    "engines": ("engine design, test benches and overhaul",
                "розробка двигунів, випробувальні стенди та капітальний ремонт"),
    "training": ("instructor-led courses, simulators and e-learning",
                 "курси з інструкторами, тренажери та дистанційне навчання"),
    "medical": ("tactical medical kits, stretchers and evacuation equipment",
                "тактичні аптечки, ноші та засоби евакуації"),
}  # fmt: skip
# Capability details a firm might add, per domain, (English, Ukrainian).
DOMAIN_DETAILS = {
    "uav": (("up to 20 km range", "дальність до 20 км"), ("night camera option", "нічна камера")),
    "naval": (("up to 800 km endurance", "автономність до 800 км"), ("modular payload bay", "модульний відсік")),
    "ugv": (("300 kg payload", "вантажопідйомність 300 кг"), ("remote control up to 5 km", "керування до 5 км")),
    "ew": (("wideband 20-6000 MHz", "діапазон 20-6000 МГц"), ("man-portable", "носимий варіант")),
    "munitions": (("NATO STANAG compliant", "відповідно до STANAG"), ("lot sizes from 1,000", "партії від 1000")),
    "repair": (("Soviet-era and NATO fleets", "радянська та натовська техніка"), ("field teams", "виїзні бригади")),
    "vehicles": (("STANAG 4569 level 2", "захист STANAG 4569 рівня 2"), ("4x4 chassis", "шасі 4x4")),
    "artillery": (("155 mm and 152 mm", "155 мм і 152 мм"), ("barrel life testing", "ресурсні випробування")),
    "weapons": (("5.56 and 7.62 mm", "5,56 і 7,62 мм"), ("suppressors", "глушники")),
    "air_defence": (("short-range", "ближня дія"), ("mobile launchers", "мобільні пускові")),
    "sensors": (("640x512 thermal cores", "тепловізійні ядра 640x512"), ("day/night", "день/ніч")),
    "comms": (("MANET mesh radios", "MANET-радіостанції"), ("AES-256 encryption", "шифрування AES-256")),
    "software": (("NATO APP-6 symbology", "символіка APP-6"), ("offline-first", "робота без зв'язку")),
    "space": (("sub-metre imagery", "знімки субметрової роздільності"), ("ground stations", "наземні станції")),
    "protection": (("NIJ level IV", "клас NIJ IV"), ("ceramic plates", "керамічні пластини")),
    "demining": (("certified to IMAS", "сертифіковано за IMAS"), ("mechanical clearance", "механічне розмінування")),
    "industry": (("5-axis CNC", "5-осьові верстати ЧПК"), ("ISO 2768 tolerances", "допуски за ISO 2768")),
    "engines": (("diesel 300-1000 hp", "дизелі 300-1000 к.с."), ("test bench", "випробувальний стенд")),
    "training": (("NATO-standard courses", "курси за стандартами НАТО"), ("VR simulators", "VR-тренажери")),
    "medical": (("IFAK kits", "індивідуальні аптечки"), ("CE marked", "маркування CE")),
}  # fmt: skip
OPENERS = {
    "micro": ("Small team of engineers", "Невелика команда інженерів"),
    "small": ("Private manufacturer", "Приватне виробниче підприємство"),
    "medium": ("Established manufacturer with its own design office", "Виробник із власним конструкторським бюро"),
    "large": ("Industrial company with several production sites",
              "Промислове підприємство з кількома виробничими майданчиками"),
    "group": ("Defence group of several companies", "Оборонна група з кількох компаній"),
    "prime": ("Major defence prime contractor", "Великий оборонний концерн"),
}  # fmt: skip
TYPE_WORDS = {
    "joint_venture": ("joint ventures", "спільні підприємства"),
    "licensed_production": ("licensed production", "ліцензійне виробництво"),
    "co_production": ("co-production", "спільне виробництво"),
    "co_development": ("co-development", "спільні розробки"),
    "repair_hub": ("repair hubs", "ремонтні хаби"),
    "supply": ("supply contracts", "постачання"),
    "technology_transfer": ("technology transfer", "передача технологій"),
    "investment": ("investment", "інвестиції"),
}
# Partnership types by band: subcontractors supply, primes license and form JVs.
TYPE_WEIGHTS = {
    "small": {"supply": 5, "co_production": 3, "co_development": 2, "licensed_production": 1, "investment": 1,
              "joint_venture": 1, "repair_hub": 1, "technology_transfer": 1},
    "large": {"supply": 3, "co_production": 4, "co_development": 3, "licensed_production": 3, "investment": 1,
              "joint_venture": 3, "repair_hub": 2, "technology_transfer": 3},
}  # fmt: skip
# Probability of holding a certificate, by band index (micro .. prime); (Ukrainian, partner).
ISO9001 = ((0.15, 0.3), (0.35, 0.55), (0.55, 0.75), (0.7, 0.9), (0.8, 0.95), (0.9, 1.0))
AQAP2110 = ((0.0, 0.05), (0.03, 0.15), (0.08, 0.3), (0.15, 0.55), (0.3, 0.75), (0.5, 0.9))
AERO_DOMAINS = {"uav", "engines", "space", "air_defence"}
EU = {"DE", "PL", "FR", "CZ", "IT", "NL", "SE", "FI", "DK", "EE", "LT", "LV", "SK", "RO", "BG", "ES", "BE", "AT", "PT",
      "HU", "GR", "HR", "SI"}  # fmt: skip


@dataclass(frozen=True)
class Pair:
    id: str
    ua_ref: str
    partner_ref: str
    year: int
    kind: str


@dataclass(frozen=True)
class ReplayPopulation:
    """Both sides as exchange-format firm documents (real firms at shuffled rows) and the true pairs."""

    seed: int
    ua: list[dict]
    partners: list[dict]
    pairs: list[Pair]
    real_refs: frozenset[str]
    platforms: dict[str, list[dict]]  # ref -> the firm's `platforms` entries (real firms and their look-alikes)
    look_alike_of: dict[str, str]  # decoy ref -> the real firm it was modelled on

    def rows(self) -> tuple[dict[str, int], dict[str, int]]:
        """ref -> row on each side."""
        return {f["ref"]: i for i, f in enumerate(self.ua)}, {f["ref"]: i for i, f in enumerate(self.partners)}

    def pair_rows(self, exclude_ua: str | None = None) -> list[tuple[int, int]]:
        ua_row, p_row = self.rows()
        return [(ua_row[p.ua_ref], p_row[p.partner_ref]) for p in self.pairs if p.ua_ref != exclude_ua]

    def side_features(
        self, taxonomy: Taxonomy, platforms: PlatformCatalogue | None = None
    ) -> tuple[SideFeatures, SideFeatures]:
        """The engine's inputs, through the record mapping the scoring core uses (ids = row + 1).

        With a platform catalogue, firms carry their platforms; without, the engine sees none.
        """
        return tuple(  # type: ignore[return-value]
            SideFeatures.from_records(
                [{**f, "id": i + 1, "platforms": self.platforms.get(f["ref"], [])} for i, f in enumerate(side)],
                taxonomy,
                platforms,
            )
            for side in (self.ua, self.partners)
        )


def load_real_firms(path: Path = FIRMS_JSON) -> tuple[list[dict], dict[str, list[dict]]]:
    """The firms of firms.json without their `platforms` field, and those platforms by ref."""
    with open(path, encoding="utf-8") as fh:
        firms = json.load(fh)["firms"]
    platforms = {f["ref"]: f["platforms"] for f in firms if f.get("platforms")}
    return [{k: v for k, v in f.items() if k != "platforms"} for f in firms], platforms


def load_pairs(path: Path = PAIRS_CSV) -> list[Pair]:
    with open(path, newline="", encoding="utf-8") as fh:
        return [
            Pair(r["id"], r["ukrainian_ref"], r["partner_ref"], int(r["year"]), r["kind"]) for r in csv.DictReader(fh)
        ]


SETS = {"main": HERE, "holdout": HERE / "holdout"}  # holdout: built later, by someone who never saw the engine


def build_population(
    seed: int,
    n_ua_decoys: int = 300,
    n_partner_decoys: int = 2500,
    taxonomy: Taxonomy | None = None,
    replay_set: str = "main",
) -> ReplayPopulation:
    """The real firms of `replay_set` plus n_ua_decoys Ukrainian and n_partner_decoys partner decoys, shuffled."""
    taxonomy = taxonomy or Taxonomy.from_csv()
    folder = SETS[replay_set]
    real, platforms = load_real_firms(folder / "firms.json")
    pairs = load_pairs(folder / "partnerships.csv")
    gen = _DecoyGen(taxonomy, seed)
    sides: dict[bool, list[dict]] = {False: [], True: []}
    for f in real:
        sides[f["country"] != "UA"].append(copy.deepcopy(f))
    look_alike_of: dict[str, str] = {}
    for partner, wanted in ((False, n_ua_decoys), (True, n_partner_decoys)):
        decoys: list[dict] = []
        for f in [f for f in real if (f["country"] != "UA") == partner]:
            for _ in range(gen.r.randrange(6, 11)):
                if len(decoys) < wanted:
                    decoys.append(gen.look_alike(f, partner, len(decoys)))
                    look_alike_of[decoys[-1]["ref"]] = f["ref"]
        while len(decoys) < wanted:
            decoys.append(gen.background(partner, len(decoys)))
        sides[partner] += decoys
        gen.r.shuffle(sides[partner])  # real firms at random rows
    _edrpou_unique(sides[False], random.Random(f"edrpou-{seed}"), keep={f["ref"] for f in real})
    # Competitors work on their model's platforms too (own stream: the documents above do not change).
    plat_r = random.Random(f"platforms-{seed}")
    platforms = dict(platforms)
    for ref, model_ref in sorted(look_alike_of.items()):
        copied = [e for e in platforms.get(model_ref, ()) if plat_r.random() < 0.6]
        if copied:
            platforms[ref] = copied
    return ReplayPopulation(
        seed=seed,
        ua=sides[False],
        partners=sides[True],
        pairs=pairs,
        real_refs=frozenset(f["ref"] for f in real),
        platforms=platforms,
        look_alike_of=look_alike_of,
    )


def _edrpou_unique(docs: list[dict], r: random.Random, keep: set[str]) -> None:
    """One firm per EDRPOU, as the registry requires: a decoy (not a firm of `keep`) that drew a code
    already used gets another (own stream, so every other document stays as it was)."""
    seen = {doc["edrpou"] for doc in docs if doc["ref"] in keep and doc.get("edrpou")}
    for doc in docs:
        if doc["ref"] in keep:
            continue
        while doc.get("edrpou") in seen:
            first7 = f"{r.randrange(10**7):07d}"
            doc["edrpou"] = first7 + edrpou.calc_check_digit(first7)
        if doc.get("edrpou"):
            seen.add(doc["edrpou"])


class _DecoyGen:
    def __init__(self, taxonomy: Taxonomy, seed: int) -> None:
        self.r = random.Random(seed)
        self.tax = taxonomy
        self.domain_of = {c: taxonomy.domain_names[d] for c, d in zip(taxonomy.codes, taxonomy.domains, strict=True)}
        self.codes_in: dict[str, list[str]] = {}
        for code, dom in self.domain_of.items():
            self.codes_in.setdefault(dom, []).append(code)
        index = taxonomy.index()
        self.name = {c: (taxonomy.names_en[index[c]], taxonomy.names_uk[index[c]]) for c in taxonomy.codes}
        # Within a domain some capabilities are far more common (FPV drones vs MALE UAS).
        self.popularity = {c: self.r.uniform(0.3, 3.0) for c in taxonomy.codes}
        missing = {c for needs in NEEDS.values() for c in needs} - set(taxonomy.codes)
        if missing:
            raise ValueError(f"NEEDS names capabilities outside the taxonomy: {sorted(missing)}")

    # --- profiles ---
    def _pick(self, domain: str, exclude: set[str]) -> str | None:
        pool = [c for c in self.codes_in.get(domain, ()) if c not in exclude]
        return self.r.choices(pool, weights=[self.popularity[c] for c in pool])[0] if pool else None

    def _band(self, partner: bool) -> int:
        return self.r.choices(range(len(BANDS)), weights=[b[4] if partner else b[3] for b in BANDS])[0]

    def _offers(self, home: str, band: int) -> list[str]:
        lo, hi = BANDS[band][5], BANDS[band][6]
        offers: list[str] = []
        for k in range(self.r.randint(lo, hi)):
            # Mostly the home domain; a neighbouring one now and then; primes spread wider.
            dom = home if k == 0 or self.r.random() < 0.55 else self.r.choice(NEIGHBOURS[home])
            if band == len(BANDS) - 1 and self.r.random() < 0.3:
                dom = self.r.choice(list(PARTNER_DOMAINS))
            code = self._pick(dom, set(offers))
            if code:
                offers.append(code)
        return offers

    def _seeks(self, offers: list[str], band: int) -> list[str]:
        pool = sorted({n for o in offers for n in NEEDS[self.domain_of[o]]} - set(offers))
        k = min(len(pool), self.r.randint(0, BANDS[band][7]))
        return self.r.sample(pool, k)

    def _types(self, band: int) -> list[str]:
        weights = TYPE_WEIGHTS["small" if band <= 2 else "large"]
        names = list(weights)
        chosen: set[str] = set()
        for _ in range(self.r.randint(1, 2 if band <= 1 else 4)):
            chosen.add(self.r.choices(names, weights=[weights[t] for t in names])[0])
        return sorted(chosen)

    def _assurance(self, band: int, partner: bool, domains: set[str]) -> tuple[list[str], str]:
        r, side = self.r, int(partner)
        certs = []
        if r.random() < ISO9001[band][side]:
            certs.append("ISO-9001")
        if r.random() < AQAP2110[band][side]:
            certs.append("AQAP-2110")
        if domains & AERO_DOMAINS and r.random() < 0.1 + 0.1 * band:
            certs.append("AS9100" if r.random() < 0.4 else "EN-9100")
        if band >= 3 and r.random() < 0.4:
            certs.append("ISO-14001")
        if "software" in domains and r.random() < 0.4:
            certs.append("ISO-27001")
        clearance = "NONE"
        if partner and band >= 2:
            levels = ("NONE", "NATO_RESTRICTED", "NATO_CONFIDENTIAL", "NATO_SECRET")
            clearance = r.choices(levels, weights=(6 - band, 2, band - 1, band - 1))[0]
        return certs, clearance

    # --- documents ---
    def background(self, partner: bool, i: int) -> dict:
        market = PARTNER_DOMAINS if partner else UA_DOMAINS
        home = self.r.choices(list(market), weights=list(market.values()))[0]
        band = self._band(partner)
        sparse = band <= 1 and self.r.random() < SPARSE_SHARE
        offers = self._offers(home, band)[:1] if sparse else self._offers(home, band)
        seeks = [] if sparse else self._seeks(offers, band)
        return self._document(partner, i, band, offers, seeks, self._types(band), sparse)

    def look_alike(self, real: dict, partner: bool, i: int) -> dict:
        """A competitor of `real`: same domains, overlapping offers and seeks, similar size."""
        r = self.r
        real_offers = [e["capability"] for e in real.get("offers") or ()]
        real_seeks = [e["capability"] for e in real.get("seeks") or ()]
        offers = [c for c in real_offers if r.random() < 0.6] or [r.choice(real_offers or real_seeks)]
        for _ in range(r.randint(0, 2)):  # siblings in the real firm's domains
            code = self._pick(self.domain_of[r.choice(real_offers or offers)], set(offers))
            if code:
                offers.append(code)
        seeks = [c for c in real_seeks if r.random() < 0.5 and c not in offers]
        if r.random() < (0.6 if real_seeks else 0.25):
            pool = sorted({n for o in offers for n in NEEDS[self.domain_of[o]]} - set(offers) - set(seeks))
            seeks += r.sample(pool, min(len(pool), 1))
        real_band = self._band_of(real.get("employees"))
        # Competitors are as big or somewhat smaller; a firm of unknown size gets a market draw.
        band = self._band(partner) if real_band is None else max(0, real_band - r.choice((0, 0, 1, 2)))
        types = sorted({t for t in real["partnership_types"] if r.random() < 0.7} | set(self._types(band)[:1]))
        sparse = len(offers) == 1 and not seeks and r.random() < 0.5
        country = real["country"] if partner and r.random() < 0.3 else None
        return self._document(partner, i, band, offers, seeks, types, sparse, country=country)

    @staticmethod
    def _band_of(employees: int | None) -> int | None:
        if not employees:
            return None
        return max(b for b, band in enumerate(BANDS) if employees >= band[1])

    def _document(
        self,
        partner: bool,
        i: int,
        band: int,
        offers: list[str],
        seeks: list[str],
        types: list[str],
        sparse: bool,
        country: str | None = None,
    ) -> dict:
        r = self.r
        if partner:
            country = country or r.choices(list(COUNTRIES), weights=[c[0] for c in COUNTRIES.values()])[0]
            uk = False
        else:
            country, uk = "UA", r.random() < 0.5
        lang = 1 if uk else 0
        domains = {self.domain_of[c] for c in offers + seeks}
        certs, clearance = self._assurance(band, partner, domains)
        name = self._name(partner, country, uk)
        lo, hi = BANDS[band][1], BANDS[band][2]

        def items(codes: list[str], offer: bool) -> list[dict]:
            out = []
            for c in codes:
                item: dict = {"capability": c}
                if not sparse and r.random() < 0.35:
                    item["detail"] = r.choice(DOMAIN_DETAILS[self.domain_of[c]])[lang]
                if offer and not sparse and r.random() < 0.25:
                    item["monthly_capacity"] = int(round(r.lognormvariate(3.0 + band, 1.0))) + 1
                out.append(item)
            return out

        doc: dict = {"ref": f"{country.lower()}-gen-{i:04d}", "name": name, "country": country}
        if not partner:
            first7 = f"{r.randrange(10**6, 10**7 - 1):07d}" if r.random() < 0.5 else f"4{r.randrange(10**6):06d}"
            doc["edrpou"] = first7 + edrpou.calc_check_digit(first7)
        if r.random() < 0.7:
            doc["employees"] = int(round(r.uniform(lo, hi)))
        doc["description"] = self._description(partner, country, band, offers, seeks, types, sparse, lang)
        doc["offers"] = items(offers, True)
        if seeks:
            doc["seeks"] = items(seeks, False)
        doc["partnership_types"] = types
        if certs:
            doc["certifications"] = certs
        if clearance != "NONE":
            doc["security_clearance"] = clearance
        if partner and r.random() < 0.5 and (country == "US" or country in EU):
            doc["export_regimes"] = ["ITAR"] if country == "US" else [r.choice(("EU_MILITARY", "EU_DUAL_USE"))]
        own = COUNTRIES[country][1] if partner else "uk"
        doc["languages"] = sorted({own, "en"})
        doc["contact"] = {"name": "Contact Person", "email": f"contact{i}@example.{'org' if partner else 'com'}"}
        return doc

    def _name(self, partner: bool, country: str, uk: bool) -> str:
        r = self.r
        if partner:
            return f"{r.choice(PARTNER_ROOTS)} {r.choice(PARTNER_WORDS)} {COUNTRIES[country][2]}"
        root = r.choice(NAME_ROOTS)
        return f"ТОВ «{root[1]}-{r.randrange(1, 100)}»" if uk else f"{root[0]}-{r.randrange(1, 100)} LLC"

    def _description(
        self,
        partner: bool,
        country: str,
        band: int,
        offers: list[str],
        seeks: list[str],
        types: list[str],
        sparse: bool,
        lang: int,
    ) -> str:
        r = self.r

        def names(codes: list[str]) -> str:
            words = [self.name[c][lang] for c in codes]
            return ", ".join(w[0].lower() + w[1:] if not w[:3].isupper() else w for w in words)

        if sparse:
            if lang:
                return f"Невелике підприємство оборонної галузі. Продукція: {names(offers)}."
            return f"Small company offering {names(offers)} to defence customers."
        city = r.choice(UA_CITIES)
        opener = OPENERS[BANDS[band][0]][lang]
        phrase = DOMAIN_PHRASES[self.domain_of[offers[0]]][lang]
        if lang:
            text = f"{opener} у {city[1]}. Пропонуємо: {names(offers)}; {phrase}."
            if seeks:
                text += f" Шукаємо постачальників і партнерів: {names(seeks)}."
            if r.random() < 0.5:
                text += f" Відкриті до співпраці: {', '.join(TYPE_WORDS[t][1] for t in types)}."
            return text
        where = COUNTRIES[country][3] if partner else city[0]
        text = f"{opener} based in {where}. We offer {names(offers)}; {phrase}."
        if seeks:
            text += f" Looking for suppliers of {names(seeks)}."
        if r.random() < 0.5:
            text += f" Open to {', '.join(TYPE_WORDS[t][0] for t in types)}."
        return text

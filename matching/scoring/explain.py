"""Plain-language reasons for one scored pair, in English and Ukrainian.

Runs per selected pair (thousands, not millions), so it reads the sparse rows directly.
"""

from __future__ import annotations

import numpy as np

from .features import CERTIFICATIONS, CLEARANCES, PARTNERSHIP_TYPES
from .model import CI, COPRODUCTION_TYPES, Model

DOMAIN_UK = {
    "air_defence": "протиповітряна оборона",
    "artillery": "артилерія",
    "comms": "зв'язок",
    "demining": "розмінування",
    "engines": "двигуни",
    "ew": "РЕБ",
    "industry": "промислове виробництво",
    "medical": "медицина",
    "munitions": "боєприпаси",
    "naval": "морські системи",
    "protection": "захист",
    "repair": "ремонт",
    "sensors": "сенсори",
    "software": "програмне забезпечення",
    "space": "космос",
    "training": "навчання",
    "uav": "БпЛА",
    "ugv": "наземні роботизовані комплекси",
    "vehicles": "техніка",
    "weapons": "зброя",
}
DOMAIN_EN = {"uav": "UAV", "ugv": "UGV", "ew": "EW", "air_defence": "air-defence"}
TYPE_EN = {t: t.replace("_", " ").replace("co ", "co-") for t in PARTNERSHIP_TYPES}
TYPE_UK = {
    "joint_venture": "спільне підприємство",
    "licensed_production": "ліцензійне виробництво",
    "co_production": "спільне виробництво",
    "co_development": "спільна розробка",
    "repair_hub": "ремонтний хаб",
    "supply": "постачання",
    "technology_transfer": "передача технологій",
    "investment": "інвестиції",
}
CLEARANCE_TEXT = {c: c.replace("_", " ") for c in CLEARANCES}


def _cols(m, row: int) -> list[int]:
    return m.indices[m.indptr[row] : m.indptr[row + 1]].tolist()


def _row(m, row: int) -> dict[int, float]:
    """One CSR row as {column: value}, read straight from the arrays (sparse indexing is slow)."""
    a, b = m.indptr[row], m.indptr[row + 1]
    return dict(zip(m.indices[a:b].tolist(), m.data[a:b].tolist(), strict=True))


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _short(name: str) -> str:
    """'SkyForge Robotics LLC' reads better as 'SkyForge Robotics' in a sentence."""
    for suffix in (" LLC", " JSC", " GmbH", " Ltd", " S.A.", " B.V.", " a.s.", " sp. z o.o.", " SE", " AG", " PLC"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _direction(model: Model, seeker, s_row, supplier, s_col, s_name, p_name, seeks, offers, en, uk) -> None:
    tax = model.taxonomy
    need = _cols(seeks, s_row)
    have = set(_cols(offers, s_col))
    exact = [c for c in need if c in have]
    if exact:
        en.append(
            f"{s_name} seeks {', '.join(tax.names_en[c] for c in exact)}; {p_name} offers {', '.join(tax.names_en[c] for c in exact)}"
        )
        uk.append(
            f"{s_name} шукає: {', '.join(tax.names_uk[c] for c in exact)}; {p_name} пропонує: {', '.join(tax.names_uk[c] for c in exact)}"
        )
    have_dom = {}
    for c in sorted(have):
        have_dom.setdefault(int(tax.domains[c]), []).append(c)
    for c in need:
        d = int(tax.domains[c])
        if c in have or d not in have_dom:
            continue
        related = have_dom[d]
        dname = tax.domain_names[d]
        en.append(
            f"{s_name} seeks {tax.names_en[c]}; {p_name} offers related {DOMAIN_EN.get(dname, dname)} capabilities "
            f"({', '.join(tax.names_en[x] for x in related)})"
        )
        uk.append(
            f"{s_name} шукає: {tax.names_uk[c]}; {p_name} пропонує суміжне в галузі «{DOMAIN_UK.get(dname, dname)}» "
            f"({', '.join(tax.names_uk[x] for x in related)})"
        )


def explain(model: Model, ua_row: int, partner_row: int, components: np.ndarray) -> dict:
    """{"en": [...], "uk": [...]}: the reasons behind one pair's score, strongest signals first."""
    ua, pa, tax = model.ua, model.partners, model.taxonomy
    u_name, p_name = _short(ua.names[ua_row]), _short(pa.names[partner_row])
    en: list[str] = []
    uk: list[str] = []
    # Complementarity, both directions.
    _direction(model, ua, ua_row, pa, partner_row, u_name, p_name, ua.seeks.tocsr(), pa.offers.tocsr(), en, uk)
    _direction(model, pa, partner_row, ua, ua_row, p_name, u_name, pa.seeks.tocsr(), ua.offers.tocsr(), en, uk)

    # Capacity, per matched capability where both gave quantities.
    for need_m, have_m, need_row, have_row, needer, haver in (
        (ua.seek_capacity.tocsr(), pa.offer_capacity.tocsr(), ua_row, partner_row, u_name, p_name),
        (pa.seek_capacity.tocsr(), ua.offer_capacity.tocsr(), partner_row, ua_row, p_name, u_name),
    ):
        haves = _row(have_m, have_row)
        for c, need in _row(need_m, need_row).items():
            have = haves.get(c, 0.0)
            if need <= 0 or have <= 0:
                continue
            cap_en, cap_uk = tax.names_en[c], tax.names_uk[c]
            if have >= need:
                en.append(
                    f"{_possessive(haver)} {have:g}/month covers {_possessive(needer)} need of {need:g}/month ({cap_en})"
                )
                uk.append(f"{haver}: {have:g}/міс. покриває потребу {needer} у {need:g}/міс. ({cap_uk})")
            else:
                pct = round(100 * have / need)
                en.append(
                    f"{_possessive(haver)} {have:g}/month covers {pct}% of {_possessive(needer)} need of {need:g}/month ({cap_en})"
                )
                uk.append(f"{haver}: {have:g}/міс. покриває {pct}% потреби {needer} у {need:g}/міс. ({cap_uk})")

    # Co-production: offers in the same domain, with a co-production type on either side.
    if components[CI["coproduction"]] > 0:
        doms = sorted(
            {int(tax.domains[c]) for c in _cols(ua.offers.tocsr(), ua_row)}
            & {int(tax.domains[c]) for c in _cols(pa.offers.tocsr(), partner_row)}
        )

        def wants(side, row) -> list[str]:
            return [t for t in COPRODUCTION_TYPES if side.partnership_types[row, PARTNERSHIP_TYPES.index(t)]]

        u_wants, p_wants = wants(ua, ua_row), wants(pa, partner_row)
        if doms and (u_wants or p_wants):
            d_en = ", ".join(DOMAIN_EN.get(tax.domain_names[d], tax.domain_names[d]) for d in doms)
            d_uk = ", ".join(DOMAIN_UK.get(tax.domain_names[d], tax.domain_names[d]) for d in doms)
            if u_wants and p_wants:
                both = [t for t in COPRODUCTION_TYPES if t in u_wants or t in p_wants]
                en.append(f"Both offer in the {d_en} domain and seek {' / '.join(TYPE_EN[t] for t in both)}")
                uk.append(f"Обидві пропонують у галузі «{d_uk}» і шукають: {' / '.join(TYPE_UK[t] for t in both)}")
            else:
                who, types = (u_name, u_wants) if u_wants else (p_name, p_wants)
                en.append(f"Both offer in the {d_en} domain; {who} seeks {' / '.join(TYPE_EN[t] for t in types)}")
                uk.append(f"Обидві пропонують у галузі «{d_uk}»; {who} шукає: {' / '.join(TYPE_UK[t] for t in types)}")

    # Partnership types in common.
    common = [
        t
        for i, t in enumerate(PARTNERSHIP_TYPES)
        if ua.partnership_types[ua_row, i] and pa.partnership_types[partner_row, i]
    ]
    if common:
        en.append(f"Both are open to {', '.join(TYPE_EN[t] for t in common)}")
        uk.append(f"Обидві відкриті до форм: {', '.join(TYPE_UK[t] for t in common)}")

    # Assurance.
    certs = [
        c for i, c in enumerate(CERTIFICATIONS) if ua.certifications[ua_row, i] and pa.certifications[partner_row, i]
    ]
    if certs:
        en.append(f"Both hold {', '.join(certs)}")
        uk.append(f"Обидві мають {', '.join(certs)}")
    cu, cp = int(ua.clearance[ua_row]), int(pa.clearance[partner_row])
    if cu > 0 and cp > 0:
        level = CLEARANCE_TEXT[CLEARANCES[min(cu, cp)]]
        en.append(f"Both hold facility security clearance (at least {level})")
        uk.append(f"Обидві мають допуск до секретної інформації (щонайменше {level})")

    # Text similarity: name the words that carried it.
    text = float(components[CI["text"]])
    if text >= 0.05 and model.vectorizer is not None:
        xu, xp = _row(model.ua_text, ua_row), _row(model.p_text, partner_row)
        shared = sorted((-xu[t] * xp[t], t) for t in xu.keys() & xp.keys())[:5]
        top = np.array([t for _, t in shared], dtype=np.int64)
        vocab = model.vocabulary()
        words = ", ".join(vocab[top].tolist())
        if words:
            en.append(f"Descriptions share terms: {words} (text similarity {text:.2f})")
            uk.append(f"Описи мають спільні терміни: {words} (текстова схожість {text:.2f})")
    return {"en": en, "uk": uk}

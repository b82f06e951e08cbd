"""Plain-language reasons for one scored pair, in English and Ukrainian.

Runs per selected pair (thousands, not millions), so it reads the sparse rows directly.
"""

from __future__ import annotations

import numpy as np

from .features import CERTIFICATIONS, CLEARANCES, PARTNERSHIP_TYPES
from .model import CI, COPRODUCTION_TYPES, Model
from .platforms import MAKES, ROLE_BIT

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


def _best_offer(model: Model, c: int, have: list[int]) -> int | None:
    return max(have, key=lambda o: (model.credit[c, o], -o)) if have else None


def _is_adjacent(model: Model, a: int, b: int) -> bool:
    """A curated adjacency edge (not just the same domain)."""
    adj = getattr(model, "adjacency_matrix", None)
    return adj is not None and adj[a, b] > 0


def _direction(model: Model, s_row, p_col, s_name, p_name, seeks, inferred, offers, s_types, en, uk) -> None:
    tax = model.taxonomy
    need = _cols(seeks, s_row)
    have_list = _cols(offers, p_col)
    have = set(have_list)
    exact = [c for c in need if c in have]
    if exact:
        en.append(
            f"{s_name} seeks {', '.join(tax.names_en[c] for c in exact)}; "
            f"{p_name} offers {', '.join(tax.names_en[c] for c in exact)}"
        )
        uk.append(
            f"{s_name} шукає: {', '.join(tax.names_uk[c] for c in exact)}; "
            f"{p_name} пропонує: {', '.join(tax.names_uk[c] for c in exact)}"
        )
    have_dom: dict[int, list[int]] = {}
    for c in sorted(have):
        have_dom.setdefault(int(tax.domains[c]), []).append(c)
    for c in need:
        if c in have:
            continue
        o = _best_offer(model, c, have_list)
        if o is not None and _is_adjacent(model, c, o):
            why = model.adjacency.rationale(tax.codes[c], tax.codes[o]) if model.adjacency else ""
            en.append(
                f"{s_name} seeks {tax.names_en[c]}; {p_name} offers the adjacent {tax.names_en[o]}"
                + (f" ({why})" if why else "")
            )
            uk.append(f"{s_name} шукає: {tax.names_uk[c]}; {p_name} пропонує суміжне: {tax.names_uk[o]}")
            continue
        d = int(tax.domains[c])
        if d not in have_dom:
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
    # Implied needs: met exactly or by a curated adjacent offer (a bare same-domain match is not named).
    if inferred is None or model.params.implied_need_weight <= 0:
        return
    t_en = " / ".join(TYPE_EN[t] for t in s_types)
    t_uk = " / ".join(TYPE_UK[t] for t in s_types)
    for c in _cols(inferred, s_row):
        o = c if c in have else _best_offer(model, c, have_list)
        if o is None or (o != c and not _is_adjacent(model, c, o)):
            continue
        offer_en = tax.names_en[o] if o == c else f"the adjacent {tax.names_en[o]}"
        offer_uk = tax.names_uk[o] if o == c else f"суміжне: {tax.names_uk[o]}"
        en.append(f"{s_name} is open to {t_en} of {tax.names_en[c]} (inferred need); {p_name} offers {offer_en}")
        uk.append(
            f"{s_name} відкрита до форм «{t_uk}» щодо: {tax.names_uk[c]} (виведена потреба); "
            f"{p_name} пропонує: {offer_uk}"
        )


ROLE_EN = {
    "repairs": "repairs",
    "supplies_parts": "supplies parts for",
    "supplies_ammunition": "supplies ammunition for",
    "operates_needs_support": "operates and needs support for",
}
ROLE_UK = {
    "repairs": "ремонтує",
    "supplies_parts": "постачає запчастини для",
    "supplies_ammunition": "постачає боєприпаси для",
    "operates_needs_support": "експлуатує й потребує підтримки для",
}
# The platforms' countries of origin (data/platforms.csv), named in Ukrainian where the English line gives the code.
ORIGIN_UK = {
    "AU": "Австралія",
    "CA": "Канада",
    "CZ": "Чехія",
    "DE": "Німеччина",
    "FR": "Франція",
    "GB": "Велика Британія",
    "IT": "Італія",
    "NO": "Норвегія",
    "PL": "Польща",
    "SE": "Швеція",
    "SK": "Словаччина",
    "SU": "СРСР",
    "TR": "Туреччина",
    "UA": "Україна",
    "US": "США",
}


def _named(model: Model, side, row: int) -> np.ndarray:
    """(N,) bool: platforms the firm names in its description without declaring them (inferred)."""
    named = getattr(model, "ua_platform_named" if side is model.ua else "p_platform_named", None)
    return named[row] if named is not None else np.zeros(model.platform_catalogue.n, dtype=bool)


def _platform_lines(model: Model, a_side, a_row, a_name, a_prov, b_side, b_row, b_name, b_counter, en, uk) -> None:
    """Lines for maker A (or its national industry) against B that services, needs or could license."""
    cat, fam = model.platform_catalogue, model.platform_family
    a_bits = _row(a_side.platform_roles, a_row) if a_side.platform_roles is not None else {}
    b_bits = _row(b_side.platform_roles, b_row) if b_side.platform_roles is not None else {}
    a_named, b_named = (_named(model, a_side, a_row), _named(model, b_side, b_row))
    for a in np.flatnonzero(a_prov).tolist():
        linked = [b for b in np.flatnonzero(b_counter).tolist() if fam[a, b] > 0]
        if not linked:
            continue
        made = int(a_bits.get(a, 0)) & MAKES
        by_role_en: dict[str, list[int]] = {}
        by_role_uk: dict[str, list[int]] = {}
        for b in linked:
            bits = int(b_bits.get(b, 0))
            roles = [r for r in ROLE_EN if bits & ROLE_BIT[r]]
            if roles:
                for r in roles:
                    by_role_en.setdefault(ROLE_EN[r], []).append(b)
                    by_role_uk.setdefault(ROLE_UK[r], []).append(b)
            elif b_named[b]:
                by_role_en.setdefault("names in its profile (inferred)", []).append(b)
                by_role_uk.setdefault("згадує у своєму профілі (виведено)", []).append(b)
            else:
                by_role_en.setdefault("could produce under licence (inferred)", []).append(b)
                by_role_uk.setdefault("могла б виробляти за ліцензією (виведено)", []).append(b)
        b_en = "; ".join(f"{v} {', '.join(cat.names_en[x] for x in bs)}" for v, bs in by_role_en.items())
        b_uk = "; ".join(f"{v}: {', '.join(cat.names_uk[x] for x in bs)}" for v, bs in by_role_uk.items())
        family = any(b != a for b in linked)
        fam_en = " (same family)" if family else ""
        fam_uk = " (та сама родина)" if family else ""
        if made:
            en.append(f"{b_name} {b_en}; {a_name} makes the {cat.names_en[a]}{fam_en}")
            # Platform names are nominative and of any gender or number ("105-мм гаубичні постріли"): the
            # Ukrainian lines put them after a colon, never where a case ending or "її" would have to agree.
            uk.append(f"{b_name} {b_uk}; {a_name} виробляє: {cat.names_uk[a]}{fam_uk}")
        elif a_named[a]:
            origin = cat.origins[a]
            en.append(
                f"{b_name} {b_en}; {a_name} names the {cat.names_en[a]} in its profile and is from its "
                f"country of origin ({origin}) (inferred){fam_en}"
            )
            uk.append(
                f"{b_name} {b_uk}; {a_name} згадує у своєму профілі: {cat.names_uk[a]}; "
                f"країна походження платформи й компанії: {ORIGIN_UK.get(origin, origin)} (виведено){fam_uk}"
            )
        else:
            origin = cat.origins[a]
            en.append(
                f"{b_name} {b_en}; {a_name} is from the {cat.names_en[a]}'s country of origin ({origin}) "
                f"and offers its components (inferred){fam_en}"
            )
            uk.append(
                f"{b_name} {b_uk}; {a_name} пропонує складові для платформи: {cat.names_uk[a]}; "
                f"країна походження платформи й компанії: {ORIGIN_UK.get(origin, origin)} (виведено){fam_uk}"
            )


def _times_uk(n: int) -> str:
    """ "раз" in the form Ukrainian takes after the number n ("у 2 рази", "у 5 разів", "у 21 раз")."""
    if n % 10 == 1 and n % 100 != 11:
        return "раз"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return "рази"
    return "разів"


def _staff(side, row: int) -> int | None:
    """Employees of the firm at `row`, or None where not given."""
    if side.employees is None or np.isnan(side.employees[row]):
        return None
    return int(side.employees[row])


def explain(model: Model, ua_row: int, partner_row: int, components: np.ndarray) -> dict:
    """{"en": [...], "uk": [...]}: the reasons behind one pair's score, strongest signals first."""
    ua, pa, tax = model.ua, model.partners, model.taxonomy
    u_name, p_name = _short(ua.names[ua_row]), _short(pa.names[partner_row])
    en: list[str] = []
    uk: list[str] = []

    # Complementarity, both directions, explicit needs then implied ones (marked inferred).
    def open_to(side, row) -> list[str]:
        return [t for t in COPRODUCTION_TYPES if side.partnership_types[row, PARTNERSHIP_TYPES.index(t)]]

    _direction(
        model, ua_row, partner_row, u_name, p_name, ua.seeks.tocsr(), getattr(model, "ua_inferred", None),
        pa.offers.tocsr(), open_to(ua, ua_row), en, uk,
    )  # fmt: skip
    _direction(
        model, partner_row, ua_row, p_name, u_name, pa.seeks.tocsr(), getattr(model, "p_inferred", None),
        ua.offers.tocsr(), open_to(pa, partner_row), en, uk,
    )  # fmt: skip

    # Platforms: a maker against a firm that services, needs or could license the same platform or family.
    if components[CI["platforms"]] > 0 and getattr(model, "has_platforms", False):
        _platform_lines(
            model, ua, ua_row, u_name, model.ua_platform_provider[ua_row],
            pa, partner_row, p_name, model.p_platform_counter[partner_row], en, uk,
        )  # fmt: skip
        _platform_lines(
            model, pa, partner_row, p_name, model.p_platform_provider[partner_row],
            ua, ua_row, u_name, model.ua_platform_counter[ua_row], en, uk,
        )  # fmt: skip

    # Capacity, per matched capability where both gave quantities.
    compared = False  # any quantity compared: then size says nothing more
    for need_m, have_m, need_row, have_row, needer, haver in (
        (ua.seek_capacity.tocsr(), pa.offer_capacity.tocsr(), ua_row, partner_row, u_name, p_name),
        (pa.seek_capacity.tocsr(), ua.offer_capacity.tocsr(), partner_row, ua_row, p_name, u_name),
    ):
        haves = _row(have_m, have_row)
        for c, need in _row(need_m, need_row).items():
            have = haves.get(c, 0.0)
            if need <= 0 or have <= 0:
                continue
            compared = True
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

    # Capacity by size, where no quantities were compared (Model._size_fit_into).
    if model.params.size_fit_per_decade > 0 and not compared:
        u_staff, p_staff = _staff(ua, ua_row), _staff(pa, partner_row)
        if u_staff is not None and p_staff is not None:
            u_uk, p_uk = f"{u_staff:,}".replace(",", "\u00a0"), f"{p_staff:,}".replace(",", "\u00a0")
            if u_staff >= p_staff:
                en.append(
                    f"{u_name} ({u_staff:,} staff) is large enough for {_possessive(p_name)} volumes ({p_staff:,} staff)"
                )
                uk.append(f"{u_name} ({u_uk} працівників) достатньо велика для обсягів {p_name} ({p_uk} працівників)")
            else:
                times = max(2, round(p_staff / max(u_staff, 1)))
                en.append(
                    f"{u_name} ({u_staff:,} staff) is about {times}x smaller than {p_name} ({p_staff:,} staff): "
                    "check it can carry the volumes"
                )
                uk.append(
                    f"{u_name} ({u_uk} працівників) приблизно у {times} {_times_uk(times)} менша за {p_name} "
                    f"({p_uk} працівників): перевірте, чи впорається з обсягами"
                )

    # Co-production: what one firm offers that the other can make (the same capability, else a curated
    # adjacent one, else the same domain), with a co-production type on either side.
    if components[CI["coproduction"]] > 0:
        u_off, p_off = _cols(ua.offers.tocsr(), ua_row), _cols(pa.offers.tocsr(), partner_row)
        u_wants, p_wants = open_to(ua, ua_row), open_to(pa, partner_row)
        same = sorted(set(u_off) & set(p_off))
        close = [(c, o) for c in p_off if (o := _best_offer(model, c, u_off)) is not None and _is_adjacent(model, c, o)]
        doms = sorted({int(tax.domains[c]) for c in u_off} & {int(tax.domains[c]) for c in p_off})
        if same:
            what_en = f"Both offer {', '.join(tax.names_en[c] for c in same)}"
            what_uk = f"Обидві пропонують: {', '.join(tax.names_uk[c] for c in same)}"
        elif close:
            c, o = close[0]
            what_en = f"{u_name} offers {tax.names_en[o]}, adjacent to {_possessive(p_name)} {tax.names_en[c]}"
            what_uk = f"{u_name} пропонує: {tax.names_uk[o]}, суміжне з тим, що пропонує {p_name}: {tax.names_uk[c]}"
        elif doms:
            d_en = ", ".join(DOMAIN_EN.get(tax.domain_names[d], tax.domain_names[d]) for d in doms)
            d_uk = ", ".join(DOMAIN_UK.get(tax.domain_names[d], tax.domain_names[d]) for d in doms)
            what_en, what_uk = f"Both offer in the {d_en} domain", f"Обидві пропонують у галузі «{d_uk}»"
        else:
            what_en = what_uk = ""
        if what_en and (u_wants or p_wants):
            if u_wants and p_wants:
                both = [t for t in COPRODUCTION_TYPES if t in u_wants or t in p_wants]
                if same or close:
                    en.append(f"{what_en}; both seek {' / '.join(TYPE_EN[t] for t in both)}")
                    uk.append(f"{what_uk}; обидві шукають: {' / '.join(TYPE_UK[t] for t in both)}")
                else:
                    en.append(f"{what_en} and seek {' / '.join(TYPE_EN[t] for t in both)}")
                    uk.append(f"{what_uk} і шукають: {' / '.join(TYPE_UK[t] for t in both)}")
            else:
                who, types = (u_name, u_wants) if u_wants else (p_name, p_wants)
                en.append(f"{what_en}; {who} seeks {' / '.join(TYPE_EN[t] for t in types)}")
                uk.append(f"{what_uk}; {who} шукає: {' / '.join(TYPE_UK[t] for t in types)}")

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
            uk_text = f"{text:.2f}".replace(".", ",")  # the Ukrainian decimal comma
            uk.append(f"Описи мають спільні терміни: {words} (текстова схожість {uk_text})")
    return {"en": en, "uk": uk}

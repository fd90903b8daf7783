"""The surveyed businesses (enterprises.csv): identity, size, compliance and market reach.

Drawn column by column with numpy so 100,000 businesses take a second or two. The
compliance answers are correlated the way the baseline found them: informal businesses lack
fiscal, VAT, pension and contract compliance; FVA and HACCP apply to food businesses only,
with HACCP rarer than FVA registration; larger and formal businesses reach further markets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from . import names, style
from .catalogue import SECTORS
from .places import NORTH, NORTH_WEIGHTS, SETTLEMENTS, Municipality, written
from .schema import (
    ETHNICITIES,
    GROWTH_CONSTRAINTS,
    LEGAL_FORMS,
    OWNER_GENDERS,
    TOPICS,
    Table,
)

INTERVIEW_START = np.datetime64("2019-03-04")
INTERVIEW_END = np.datetime64("2019-06-28")
INTERVIEW_YEAR = 2019
REGISTRATION_NUMBERS = (70_000_000, 3_000_000)
FISCAL_NUMBERS = (600_000_000, 10_000_000)
"""(first, how many) of the KBRA registration and TAK fiscal numbers the demo hands out."""

ETHNIC_MIX = {
    # serb albanian bosniak gorani roma ashkali egyptian turkish montenegrin other undisclosed
    38: (74.0, 11.0, 7.0, 3.0, 1.5, 0.5, 0.3, 0.5, 1.0, 0.5, 0.7),
    29: (86.0, 6.5, 1.0, 0.3, 2.0, 0.2, 0.0, 0.0, 1.5, 1.0, 1.5),
    12: (87.0, 6.5, 1.0, 0.3, 1.0, 0.2, 0.0, 0.0, 2.0, 1.0, 1.0),
    28: (87.0, 6.5, 1.0, 0.3, 1.0, 0.0, 0.0, 0.0, 2.2, 1.0, 1.0),
}
"""Owner community by municipality (weights in ``ETHNICITIES`` order); ~80% Serb overall."""

_FEMALE_OWNER = {"96.02": 0.65, "47.71": 0.45, "47.73": 0.55, "69.20": 0.45, "10.71": 0.3,
                 "56.30": 0.25, "62.01": 0.2, "86.23": 0.4, "01.49": 0.18}
_FEMALE_OWNER_LOW = ("02", "07", "16", "25", "41", "43", "45", "46.73", "47.30", "49")
_FEMALE_STAFF = {"96.02": 0.85, "47.71": 0.75, "47.73": 0.8, "69.20": 0.7, "10.71": 0.55,
                 "10.51": 0.5, "56.10": 0.45, "56.30": 0.45, "47.11": 0.6, "55.10": 0.5}
_TURNOVER = {"46": 4.0, "47.30": 6.0, "07": 8.0, "41": 2.5, "47": 1.7, "10": 1.5, "11": 1.3,
             "55": 1.4, "16": 1.4, "25": 1.3, "96": 0.6, "01": 0.8, "02": 1.0}


def _sector_value(table: dict[str, float], nace: str, default: float) -> float:
    """Lookup by class, then division; lets small tables speak in either."""
    return table.get(nace, table.get(nace[:2], default))


@dataclass
class Enterprises:
    """The table plus the drawn facts that products, trainings and B2B build on."""

    table: Table
    ids: np.ndarray
    kas: np.ndarray
    sector: np.ndarray
    pool: np.ndarray
    ethnicity: np.ndarray
    albanian: np.ndarray
    owner_female: np.ndarray
    owner_name: np.ndarray
    owner_age: np.ndarray
    formal: np.ndarray
    company: np.ndarray
    staff: np.ndarray
    food: np.ndarray
    certified: np.ndarray
    sells_rok: np.ndarray
    sells_serbia: np.ndarray
    exports: np.ndarray
    growth: np.ndarray
    needs: np.ndarray
    turnover: np.ndarray
    fva: np.ndarray
    haccp: np.ndarray
    labels: np.ndarray
    labelled: np.ndarray
    interview: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, rows: np.ndarray) -> Enterprises:
        """The given businesses (positions or a boolean mask), table and facts alike."""
        return Enterprises(**{f.name: getattr(self, f.name)[rows] for f in fields(self)
                              if f.name != "table"}, table=self.table.take(rows))

    def append(self, other: Enterprises) -> Enterprises:
        """These businesses followed by ``other``'s (a later survey wave's new ones)."""
        return Enterprises(**{f.name: np.concatenate([getattr(self, f.name),
                                                      getattr(other, f.name)])
                              for f in fields(self) if f.name != "table"},
                           table=self.table.append(other.table))


def id_width(n: int) -> int:
    """Zero-padding for ids: at least four digits, more when ``n`` needs them."""
    return max(4, len(str(n)))


def _by_group(rng: np.random.Generator, groups: np.ndarray, keys: list,
              weights: Callable[[object], list[float]], size_of: int) -> np.ndarray:
    """Categorical draw whose weights depend on each row's group."""
    out = np.zeros(size_of, dtype=np.int64)
    for k in keys:
        rows = groups == k
        if rows.any():
            out[rows] = style.choose(rng, weights(k), int(rows.sum()))
    return out


def _legal_weights(sector_idx: int) -> list[float]:
    """Legal-form weights: farms are sole traders or cooperatives, mines are companies."""
    s = SECTORS[sector_idx]
    # individual, general p., limited p., llc, jsc, cooperative, foreign branch, other
    w = [84.0, 1.5, 0.5, 10.5, 0.3, 0.0, 0.2, 1.5]
    if s.division == "01":
        w = [88.0, 0.5, 0.0, 3.0, 0.0, 4.0, 0.0, 3.0]
    elif s.division == "07":
        w = [25.0, 0.0, 0.0, 50.0, 20.0, 0.0, 5.0, 0.0]
    elif s.size >= 2.0:
        w[3] *= 2.4
    return w


def build(rng: np.random.Generator, n: int, munis: dict[int, Municipality]) -> Enterprises:
    """Draw ``n`` businesses across the four northern municipalities."""
    def rand() -> np.ndarray:
        return rng.random(n)

    muni = style.choose(rng, NORTH_WEIGHTS, n)
    kas = np.asarray(NORTH)[muni]

    # Sector, tilted by what each municipality is known for.
    sector = _by_group(rng, kas, list(NORTH),
                       lambda k: [s.weight * s.local.get(k, 1.0) for s in SECTORS], n)
    nace = np.array([s.nace for s in SECTORS], dtype=object)[sector]
    division = np.array([s.division for s in SECTORS], dtype=object)[sector]

    def flag(attr: str) -> np.ndarray:
        return np.array([getattr(s, attr) for s in SECTORS])[sector]

    food, labelled, goods = flag("food"), flag("labelled"), flag("goods")
    env_applies, licence_applies = flag("env"), flag("licence")
    size, exporter = flag("size"), flag("exporter")

    # Owner community, language and legal form.
    ethnicity = _by_group(rng, kas, list(NORTH), lambda k: list(ETHNIC_MIX[k]), n)
    eth_codes = np.array(ETHNICITIES, dtype=object)[ethnicity]
    pool_of = {e: names.POOLS.index(p) for e, p in names.ETHNIC_POOL.items()}
    pool = np.array([pool_of[e] for e in ETHNICITIES])[ethnicity]
    albanian = np.isin(pool, [names.POOLS.index(p) for p in names.ALBANIAN_SPEAKING])
    serb_like = np.isin(eth_codes, ("serb", "montenegrin"))
    legal = _by_group(rng, sector, list(range(len(SECTORS))), _legal_weights, n)
    legal_code = np.array(LEGAL_FORMS, dtype=object)[legal]
    individual = legal_code == "individual_business"
    company = ~np.isin(legal_code, ("individual_business", "other"))

    # Owner: gender, name, age.
    p_female = np.array([
        _FEMALE_OWNER.get(s.nace, 0.06 if s.nace.startswith(_FEMALE_OWNER_LOW) else 0.2)
        for s in SECTORS])[sector]
    u = rand()
    mixed_share = np.where(company, 0.10, 0.0)
    owner_gender = np.select(
        [u < p_female, u < p_female + mixed_share, u < p_female + mixed_share + 0.02],
        [0, 2, 3], 1)
    owner_female = (owner_gender == 0) | ((owner_gender >= 2) & (rand() < 0.3))
    first, last = names.person_names(rng, pool, owner_female)
    owner_name = first + " " + last
    owner_age = np.clip(np.rint(rng.normal(47, 11, n)), 20, 75).astype(np.int64)

    # Formality: KBRA registration, the Serbian register, fiscal number.
    p_formal = np.array([0.64, 0.8, 0.85, 0.92, 1.0, 0.8, 1.0, 0.45])[legal]
    formal = rand() < np.minimum(0.97, p_formal + np.where(albanian, 0.2, 0.0))
    apr = rand() < np.where(albanian, 0.03, np.where(formal, 0.37, 0.5))
    apr |= company & ~formal  # a company outside KBRA is registered in Serbia
    fiscal = formal & (rand() < 0.97)

    # Staff.
    mean_ft = np.where(company, 3.2, np.where(legal_code == "other", 0.8, 0.9)) * size
    full_time = rng.geometric(1.0 / (1.0 + mean_ft)) - 1
    small = company & (rand() < 0.05)
    full_time = np.where(small, full_time + rng.integers(8, 40, n), full_time)
    part_time = rng.poisson(np.where(division == "01", 1.0, 0.3))
    part_missing = rand() < 0.06
    staff = full_time + np.where(part_missing, 0, part_time)
    p_fem_staff = np.array([_FEMALE_STAFF.get(s.nace, 0.25) for s in SECTORS])[sector]
    p_fem_staff = np.clip(p_fem_staff + np.where(owner_gender == 0, 0.25, 0.0), 0, 0.95)
    employees_female = rng.binomial(staff, p_fem_staff)
    no_staff = staff == 0

    # Turnover and VAT.
    factor = np.array([_sector_value(_TURNOVER, s.nace, 1.0) for s in SECTORS])[sector]
    median = 9000.0 * (1 + staff) ** 0.85 * np.where(company, 2.2, 1.0) * factor
    median *= np.where(formal, 1.0, 0.7)
    turnover = rng.lognormal(np.log(median), 0.7)
    turnover = np.where(turnover < 10_000, np.round(turnover, -2), np.round(turnover, -3))
    turnover_missing = rand() < np.where(formal, 0.10, 0.2)
    over = turnover > 30_000
    p_vat = np.where(turnover_missing, 0.35, np.where(over, 0.88, 0.07))
    vat = fiscal & (rand() < p_vat)

    # Employment compliance (na without staff).
    pension = formal & (rand() < 0.55 + 0.25 * company)
    contracts = formal & (rand() < 0.6 + 0.25 * company)

    # Food safety (na outside food), labels, certification, permits, licences.
    processing = np.isin(division, ("10", "11", "56"))
    fva = food & (rand() < np.where(formal, 0.72, 0.12))
    haccp = food & (rand() < np.where(fva, np.where(processing, 0.45, 0.2), 0.03))
    labels = labelled & (rand() < 0.12 + 0.25 * formal + 0.15 * company)
    certified = goods & (rand() < np.where(division == "07", 0.8,
                                           0.06 + 0.2 * formal + 0.15 * company))
    env_permit = rand() < 0.05 + 0.5 * formal
    licence = rand() < 0.1 + 0.7 * formal

    # Markets.
    local_service = ~goods & ~np.isin(division, ("41", "43", "49"))
    p_rok = (0.07 + 0.14 * formal + 0.08 * company + 0.35 * albanian) * np.where(
        local_service, 0.5, 1.0)
    sells_rok = rand() < p_rok
    p_srb = np.where(serb_like, 0.45 + 0.2 * apr, 0.12) * np.where(local_service, 0.4, 1.0)
    sells_serbia = rand() < p_srb
    exports = rand() < 0.03 + exporter

    growth = np.clip(np.rint(2.0 + 0.9 * formal + 0.5 * company + 0.3 * vat + 0.3 * sells_rok
                             + rng.normal(0, 0.85, n)), 1, 5).astype(np.int64)

    constraints = _constraints(rng, n, formal=formal, company=company, food=food,
                               goods=goods, albanian=albanian, division=division,
                               sells_serbia=sells_serbia, serb_like=serb_like)
    needs = _needs(rng, n, formal=formal, food=food, goods=goods, labelled=labelled,
                   labels=labels, division=division, vat=vat, over=over, albanian=albanian,
                   exporter=exporter)

    # When and where.
    span = int((INTERVIEW_END - INTERVIEW_START).astype(int)) + 1
    day = INTERVIEW_START + np.sort(rng.integers(0, span, n))
    weekday = (day.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    interview = day + np.select([weekday == 5, weekday == 6], [-1, 1], 0).astype("m8[D]")
    settlement_idx = _settlements(rng, kas, albanian, eth_codes, nace)
    lat, lon = _coordinates(rng, kas, settlement_idx)
    founded = _founded(rng, n, owner_age, individual)

    # Identifiers.
    width = id_width(n)
    ids = style.zero_pad("PM-", np.arange(1, n + 1), width)
    kinds = names.kinds_matrix([s.kinds_sr for s in SECTORS], sector)
    kinds_sq = names.kinds_matrix([s.kinds_sq for s in SECTORS], sector)
    settlement_sr = names.settlement_names(kas, settlement_idx, np.zeros(n, dtype=bool))
    business, token = names.business_names(
        rng, legal_form=legal_code, albanian=albanian, surname=last, first=first,
        kinds_sr=kinds, kinds_sq=kinds_sq,
        prefix=np.array([s.prefix for s in SECTORS], dtype=object)[sector],
        abbr=np.array([s.abbr for s in SECTORS], dtype=object)[sector],
        settlement=settlement_sr)
    reg_number = _unique_numbers(rng, formal & (rand() < 0.97), *REGISTRATION_NUMBERS)
    fiscal_number = _unique_numbers(rng, fiscal & (rand() < 0.95), *FISCAL_NUMBERS)
    phone = names.phones(rng, serb_like & (rand() < 0.45))
    email = names.emails(rng, first, last, INTERVIEW_YEAR - owner_age, company, token)
    address = names.addresses(rng, kas, settlement_idx, albanian)
    settlement = names.settlement_names(kas, settlement_idx, albanian)

    # Written the way the field tools wrote it.
    municipality = written(rng, munis, kas)
    nace_form = style.choose(rng, (0.82, 0.10, 0.08), n)
    nace_text = np.select([nace_form == 1, nace_form == 2],
                          [nace.astype(str).astype("U4").astype(object),
                           division], nace)
    na_staff = no_staff

    def missing(share: float) -> np.ndarray:
        return rand() < share

    frame = pd.DataFrame({
        "enterprise_id": ids,
        "business_name": style.pad(rng, business),
        "owner_name": np.where(missing(0.04), None, style.pad(rng, owner_name)),
        "registration_number": reg_number,
        "fiscal_number": fiscal_number,
        "phone": np.where(missing(0.06), None, phone),
        "email": np.where(rand() < np.where(company, 0.2, 0.55), None, email),
        "address": np.where(missing(0.04), None, style.pad(rng, address)),
        "latitude": lat,
        "longitude": lon,
        "municipality": style.pad(rng, municipality),
        "settlement": np.where(missing(0.05), None, style.pad(rng, settlement)),
        "nace_code": nace_text,
        "legal_form": style.pad(rng, style.codes(rng, legal, LEGAL_FORMS)),
        "founded_year": style.nullable_int(founded, missing(0.04)),
        "employees_full_time": style.nullable_int(full_time),
        "employees_part_time": style.nullable_int(part_time, part_missing),
        "employees_female": style.nullable_int(employees_female, missing(0.06)),
        "owner_gender": style.codes(rng, np.where(missing(0.02), -1, owner_gender),
                                    OWNER_GENDERS),
        "owner_ethnicity": style.codes(rng, np.where(missing(0.02), -1, ethnicity),
                                       ETHNICITIES),
        "owner_age": style.nullable_int(owner_age, missing(0.03)),
        "annual_turnover_eur": style.nullable_int(turnover, turnover_missing),
        "reg_kosovo_business": style.yes_no(rng, formal),
        "reg_serbian_apr": style.yes_no(rng, apr, missing(0.04)),
        "fiscal_registered": style.yes_no(rng, fiscal),
        "vat_registered": style.yes_no(rng, vat),
        "pension_contributions": style.yes_no(rng, pension, na=na_staff),
        "written_contracts": style.yes_no(rng, contracts, na=na_staff),
        "fva_registration": style.yes_no(rng, fva, na=~food),
        "haccp": style.yes_no(rng, haccp, na=~food),
        "bilingual_labels": style.yes_no(rng, labels, na=~labelled),
        "product_certification": style.yes_no(rng, certified, na=~goods),
        "environmental_permit": style.yes_no(rng, env_permit, na=~env_applies),
        "sector_licence": style.yes_no(rng, licence, na=~licence_applies),
        "sells_rest_of_kosovo": style.yes_no(rng, sells_rok),
        "sells_serbia": style.yes_no(rng, sells_serbia, missing(0.03)),
        "exports_other": style.yes_no(rng, exports, missing(0.05)),
        "growth_potential": style.nullable_int(growth),
        "growth_constraints": np.where(missing(0.05), None,
                                       style.multi(constraints, GROWTH_CONSTRAINTS)),
        "training_needs": np.where(missing(0.05), None, style.multi(needs, TOPICS)),
        "interview_date": style.dates(rng, interview),
        "comments": _comments(rng, n, formal=formal, apr=apr, food=food, fva=fva,
                              haccp=haccp, labelled=labelled, labels=labels,
                              sells_serbia=sells_serbia, sells_rok=sells_rok,
                              constraints=constraints, growth=growth, division=division,
                              nace=nace, turnover_missing=turnover_missing,
                              albanian=albanian),
    })
    return Enterprises(
        table=Table("enterprises", frame, {"interview_date": interview}),
        ids=ids, kas=kas, sector=sector, pool=pool, ethnicity=ethnicity, albanian=albanian,
        owner_female=owner_female, owner_name=owner_name, owner_age=owner_age,
        formal=formal, company=company, staff=staff, food=food, certified=certified,
        sells_rok=sells_rok, sells_serbia=sells_serbia, exports=exports, growth=growth,
        needs=needs, turnover=np.where(turnover_missing, np.nan, turnover), fva=fva,
        haccp=haccp, labels=labels, labelled=labelled, interview=interview,
    )


def _unique_numbers(rng: np.random.Generator, has: np.ndarray, start: int, span: int
                    ) -> np.ndarray:
    """Distinct official-looking numbers for the rows that have one, else missing."""
    out = np.full(len(has), None, dtype=object)
    count = int(has.sum())
    if count:
        drawn = rng.choice(span, size=count, replace=False) + start
        out[has] = drawn.astype(str).astype(object)
    return out


def fresh_numbers(rng: np.random.Generator, used: np.ndarray, count: int,
                  numbers: tuple[int, int]) -> np.ndarray:
    """``count`` distinct numbers (as text) of the range ``numbers`` that ``used`` lacks.

    For businesses registering after the first wave: a number is never handed out twice.
    """
    start, span = numbers
    taken = pd.to_numeric(pd.Series(used, dtype=object).dropna()).to_numpy(np.int64) - start
    out = np.zeros(0, dtype=np.int64)
    while len(out) < count:
        drawn = np.concatenate([out, rng.integers(0, span, 2 * count + 16)])
        _, first = np.unique(drawn, return_index=True)
        drawn = drawn[np.sort(first)]
        out = drawn[~np.isin(drawn, taken)][:count]
    return (out + start).astype(str).astype(object)


def _founded(rng: np.random.Generator, n: int, owner_age: np.ndarray,
             individual: np.ndarray) -> np.ndarray:
    """Founding years mostly 1990–2019; a sole trader's not before the owner turned 18."""
    recent = INTERVIEW_YEAR - np.minimum(np.floor(rng.gamma(1.6, 6.0, n)), 29)
    older = rng.integers(1960, 1990, n)
    year = np.where(rng.random(n) < 0.87, recent, older).astype(np.int64)
    adult = INTERVIEW_YEAR - owner_age + 18
    year = np.where(individual, np.maximum(year, adult), year)
    return np.clip(year, 1900, INTERVIEW_YEAR)


def _settlements(rng: np.random.Generator, kas: np.ndarray, albanian: np.ndarray,
                 ethnicity: np.ndarray, nace: np.ndarray) -> np.ndarray:
    """Settlement index within each municipality's list, following who lives where."""
    out = np.zeros(len(kas), dtype=np.int64)
    for code, places in SETTLEMENTS.items():
        rows = kas == code
        m = int(rows.sum())
        if not m:
            continue
        base = np.array([p.weight for p in places])
        sq = np.array([p.sq is not None for p in places])
        idx = style.choose(rng, base, m)
        alb_idx = style.choose(rng, np.where(sq, base, 0.0), m)
        out[rows] = np.where(albanian[rows] & (rng.random(m) < 0.75), alb_idx, idx)
        names_ = [p.name for p in places]
        if "Bošnjačka mahala" in names_:
            mahala = names_.index("Bošnjačka mahala")
            bos = rows & (ethnicity == "bosniak") & (rng.random(len(kas)) < 0.4)
            out[bos] = mahala
        if "Gazivode" in names_:
            lake = rows & (nace == "55.20") & (rng.random(len(kas)) < 0.6)
            out[lake] = names_.index("Gazivode")
    return out


def _coordinates(rng: np.random.Generator, kas: np.ndarray, settlement_idx: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Premises near their settlement (town spread wider than villages); some missing."""
    n = len(kas)
    lat = np.zeros(n)
    lon = np.zeros(n)
    spread = np.zeros(n)
    for code, places in SETTLEMENTS.items():
        rows = kas == code
        idx = settlement_idx[rows]
        lat[rows] = np.array([p.lat for p in places])[idx]
        lon[rows] = np.array([p.lon for p in places])[idx]
        spread[rows] = np.array([0.006 if p.town else 0.003 for p in places])[idx]
    lat = np.round(lat + rng.normal(0, 1, n) * spread, 5)
    lon = np.round(lon + rng.normal(0, 1, n) * spread * 1.3, 5)
    gone = rng.random(n) < 0.08
    return np.where(gone, np.nan, lat), np.where(gone, np.nan, lon)


def _constraints(rng: np.random.Generator, n: int, **f: np.ndarray) -> np.ndarray:
    """Growth constraints as a boolean matrix in ``GROWTH_CONSTRAINTS`` order."""
    alb, div = f["albanian"], f["division"]
    p = np.column_stack([
        np.full(n, 0.5),                                               # finance
        np.full(n, 0.15),                                              # skills
        0.05 + 0.3 * (f["food"] | f["goods"]),                         # certification
        np.full(n, 0.35),                                              # market_access
        np.where(alb, 0.12, 0.3),                                      # language
        np.where(f["serb_like"], 0.45, 0.2),                           # political_uncertainty
        0.12 + 0.12 * np.isin(div, ("01", "02", "16")),                # transport
        0.25 + 0.15 * f["sells_serbia"],                               # payment_systems
        np.where(f["formal"], 0.08, 0.55),                             # registration
        0.3 + 0.2 * np.isin(div, ("46", "47")),                        # competition
        0.15 + 0.1 * f["company"],                                     # labour
    ])
    return rng.random((n, len(GROWTH_CONSTRAINTS))) < p


def _needs(rng: np.random.Generator, n: int, **f: np.ndarray) -> np.ndarray:
    """Training needs as a boolean matrix in ``TOPICS`` order."""
    div = f["division"]
    p = np.column_stack([
        np.where(f["formal"], 0.05, 0.6),                              # registration
        0.2 + 0.15 * (f["over"] & ~f["vat"]),                          # tax_vat
        np.where(f["food"], 0.55, 0.0),                                # food_safety
        np.where(f["goods"], 0.3, 0.03),                               # standards_certification
        np.where(f["labelled"], np.where(f["labels"], 0.15, 0.4), 0.0),  # labelling
        np.full(n, 0.35),                                              # marketing
        np.full(n, 0.3),                                               # finance_access
        0.15 + 0.15 * ~f["formal"],                                    # bookkeeping
        np.full(n, 0.2),                                               # digital
        0.05 + f["exporter"],                                          # export
        np.where(np.isin(div, ("41", "43")), 0.3, 0.03),               # public_procurement
        np.where(f["albanian"], 0.12, 0.28),                           # business_language
    ])
    return rng.random((n, len(TOPICS))) < p


_COMMENTS_SR = (
    ("informal", "Radnja nije registrovana u KBRA; vlasnik čeka ishod dijaloga."),
    ("informal_apr", "Posluje bez kosovske registracije, ima rešenje APR iz Srbije."),
    ("no_turnover", "Vlasnik nije želeo da navede promet."),
    ("no_haccp", "Nema HACCP; zainteresovan za obuku iz bezbednosti hrane."),
    ("no_fva", "Nije registrovan u Agenciji za hranu i veterinu."),
    ("no_labels", "Etikete samo na srpskom jeziku."),
    ("serbia", "Većinu robe prodaje u Srbiji (Raška, Novi Pazar, Kraljevo)."),
    ("rok", "Ima stalne kupce u Južnoj Mitrovici i Prištini."),
    ("payment", "Problem sa plaćanjem: kupci plaćaju u dinarima, račun u srpskoj banci."),
    ("transport", "Loš put do sela, zimi problem sa prevozom robe."),
    ("growth", "Planira proširenje proizvodnje i zapošljavanje."),
    ("season", "Sezonski posao, najviše radi leti."),
    ("raspberry", "Malinu predaje otkupljivaču, nezadovoljan otkupnom cenom."),
    ("dairy", "Mleko otkupljuje od dvadesetak domaćinstava iz okoline."),
    ("any", "Vlasnik zainteresovan za B2B sastanke sa firmama sa juga."),
    ("any", "Potreban kredit za novu opremu."),
    ("any", "Intervju obavljen u radnji, vlasnik otvoren za saradnju."),
    ("any", "Zainteresovan za obuke, najbolje posle 16h."),
)
_COMMENTS_SQ = (
    ("no_turnover", "Pronari nuk deshi të tregojë qarkullimin."),
    ("no_haccp", "Nuk ka HACCP, i interesuar për trajnim."),
    ("rok", "Shet kryesisht në Mitrovicë të Jugut dhe Vushtrri."),
    ("any", "Pronari i interesuar për takime B2B."),
    ("any", "I interesuar për trajnime në marketing."),
)


def _comments(rng: np.random.Generator, n: int, **f: np.ndarray) -> np.ndarray:
    """The assessor's free-text note, chosen among those that fit the business (~45%)."""
    c = f["constraints"]
    applies = {
        "informal": ~f["formal"],
        "informal_apr": ~f["formal"] & f["apr"],
        "no_turnover": f["turnover_missing"],
        "no_haccp": f["food"] & ~f["haccp"],
        "no_fva": f["food"] & ~f["fva"],
        "no_labels": f["labelled"] & ~f["labels"],
        "serbia": f["sells_serbia"],
        "rok": f["sells_rok"],
        "payment": c[:, GROWTH_CONSTRAINTS.index("payment_systems")],
        "transport": c[:, GROWTH_CONSTRAINTS.index("transport")],
        "growth": f["growth"] >= 4,
        "season": np.isin(f["division"], ("01", "02")) | (f["nace"] == "55.20"),
        "raspberry": f["nace"] == "01.25",
        "dairy": f["nace"] == "10.51",
        "any": np.ones(n, dtype=bool),
    }
    out = np.full(n, None, dtype=object)
    for templates, who in ((_COMMENTS_SR, ~f["albanian"]), (_COMMENTS_SQ, f["albanian"])):
        ok = np.column_stack([applies[key] for key, _ in templates])
        score = np.where(ok, rng.random(ok.shape) + np.where(
            [key == "any" for key, _ in templates], 0.0, 0.6), -1.0)
        text = np.array([t for _, t in templates], dtype=object)[score.argmax(axis=1)]
        out = np.where(who, text, out)
    return np.where(rng.random(n) < 0.45, out, None)

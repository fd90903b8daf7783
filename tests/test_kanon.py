"""Tests of the QI hierarchies and of k-anonymity / l-diversity (etl.anonymise.kanon).

The k-anonymity search is checked against a brute force over small lattices and against
pycanon, an independent implementation; data are skewed the way a small-town business survey
is (a few common activities, many rare ones).
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pycanon import anonymity

from etl.anonymise.hierarchies import (
    QI_HIERARCHIES,
    TURNOVER_BAND_LABELS,
    UNKNOWN,
    WILDCARD,
    Hierarchy,
    broad_sector_labels,
    describe,
    nace_broad_sectors,
    turnover_band,
)
from etl.anonymise.kanon import (
    generalise,
    l_diverse,
    records_at_risk,
    size_distribution,
)
from etl.anonymise.params import DEFAULTS, Params
from etl.refdata import codelist, nace_sections

H = {h.name: h for h in QI_HIERARCHIES}
QI_NAMES = [h.name for h in QI_HIERARCHIES]

# ---------------------------------------------------------------------------------------------
# Hierarchies

HIERARCHY_EXAMPLES = [
    ("municipality", "38", ["38", "north_mitrovica", "*"]),
    ("municipality", "12", ["12", "other_north", "*"]),
    ("municipality", "28", ["28", "other_north", "*"]),
    ("municipality", "29", ["29", "other_north", "*"]),
    ("municipality", "11", ["11", "other", "*"]),
    ("nace", "10.51", ["10.51", "10", "C", "manufacturing", "*"]),
    ("nace", "10.5", ["10.5", "10", "C", "manufacturing", "*"]),
    ("nace", "10", ["10", "10", "C", "manufacturing", "*"]),
    ("nace", "01.25", ["01.25", "01", "A", "agriculture", "*"]),
    ("nace", "07.29", ["07.29", "07", "B", "mining_energy", "*"]),
    ("nace", "35.11", ["35.11", "35", "D", "mining_energy", "*"]),
    ("nace", "38.11", ["38.11", "38", "E", "mining_energy", "*"]),
    ("nace", "43.22", ["43.22", "43", "F", "construction", "*"]),
    ("nace", "47.11", ["47.11", "47", "G", "trade", "*"]),
    ("nace", "49.41", ["49.41", "49", "H", "transport", "*"]),
    ("nace", "56.10", ["56.10", "56", "I", "accommodation_food", "*"]),
    ("nace", "62.01", ["62.01", "62", "J", "services", "*"]),
    ("nace", "96.02", ["96.02", "96", "S", "services", "*"]),
    ("founded", 1961, ["1961", "1960-1964", "1960-1969", "before 2000", "*"]),
    ("founded", 1999, ["1999", "1995-1999", "1990-1999", "before 2000", "*"]),
    ("founded", 2000, ["2000", "2000-2004", "2000-2009", "2000 or later", "*"]),
    ("founded", 2009, ["2009", "2005-2009", "2000-2009", "2000 or later", "*"]),
    ("founded", 2015, ["2015", "2015-2019", "2010-2019", "2000 or later", "*"]),
    ("employees", 0, ["0", "0-1", "0-1", "*"]),
    ("employees", 1, ["1", "0-1", "0-1", "*"]),
    ("employees", 2, ["2", "2-4", "2-9", "*"]),
    ("employees", 4, ["4", "2-4", "2-9", "*"]),
    ("employees", 5, ["5", "5-9", "2-9", "*"]),
    ("employees", 9, ["9", "5-9", "2-9", "*"]),
    ("employees", 10, ["10", "10+", "10+", "*"]),
    ("employees", 85, ["85", "10+", "10+", "*"]),
    ("owner_gender", "female", ["female", "*"]),
    ("owner_gender", "undisclosed", ["undisclosed", "*"]),
    ("legal_form", "individual_business", ["individual_business", "individual_business", "*"]),
    ("legal_form", "general_partnership", ["general_partnership", "company", "*"]),
    ("legal_form", "limited_partnership", ["limited_partnership", "company", "*"]),
    ("legal_form", "llc", ["llc", "company", "*"]),
    ("legal_form", "jsc", ["jsc", "company", "*"]),
    ("legal_form", "foreign_branch", ["foreign_branch", "company", "*"]),
    ("legal_form", "agricultural_cooperative", ["agricultural_cooperative", "other", "*"]),
    ("legal_form", "other", ["other", "other", "*"]),
]

_INPUT_DTYPE = {"founded": "Int64", "employees": "Int64"}


def _column(name: str, values: list) -> pd.Series:
    return pd.Series(values, dtype=_INPUT_DTYPE.get(name, "str"))


@pytest.mark.parametrize(("name", "value", "expected"), HIERARCHY_EXAMPLES)
def test_hierarchy_levels(name: str, value: object, expected: list[str]) -> None:
    h = H[name]
    assert len(expected) == len(h.levels) and h.levels[-1] == WILDCARD
    column = _column(name, [value, None, value])
    for level, label in enumerate(expected):
        out = h.generalise(column, level)
        missing = WILDCARD if level == h.top else UNKNOWN
        assert out.tolist() == [label, missing, label]
        assert out.index.equals(column.index)


def test_hierarchy_examples_cover_every_qi_and_code() -> None:
    assert QI_NAMES == [
        "municipality", "nace", "founded", "employees", "owner_gender", "legal_form"]
    assert {name for name, _, _ in HIERARCHY_EXAMPLES} == set(QI_NAMES)
    covered = {value for name, value, _ in HIERARCHY_EXAMPLES if name == "legal_form"}
    assert covered == set(codelist("legal_form"))


@pytest.mark.parametrize(
    ("name", "value"),
    [("nace", "99.99.9"), ("nace", "04.10"), ("nace", "C"), ("legal_form", "plc"),
     ("owner_gender", "f"), ("employees", -1)],
)
def test_hierarchy_rejects_invalid_values(name: str, value: object) -> None:
    with pytest.raises(ValueError, match=name):
        H[name].generalise(_column(name, [value]), 0)


def test_hierarchy_rejects_unknown_level() -> None:
    with pytest.raises(ValueError, match="level"):
        H["nace"].generalise(pd.Series(["10.51"]), 5)


def test_describe_for_the_report() -> None:
    nace = describe()[1]
    assert nace == {"name": "nace", "top": 4,
                    "levels": ["class", "division", "section", "broad sector", "*"]}
    assert [d["name"] for d in describe()] == QI_NAMES


def test_broad_sectors_cover_every_section() -> None:
    sectors = nace_broad_sectors()
    assert set(sectors) == set(nace_sections())
    assert set(sectors.values()) == set(broad_sector_labels()) == {
        "agriculture", "mining_energy", "manufacturing", "construction", "trade", "transport",
        "accommodation_food", "services"}
    assert [s for s, b in sectors.items() if b == "mining_energy"] == ["B", "D", "E"]
    assert [s for s, b in sectors.items() if b == "services"] == list("JKLMNOPQRSTU")
    nace_broad_sectors()["A"] = "changed"  # callers get a copy, never the cache
    assert nace_broad_sectors()["A"] == "agriculture"


def test_turnover_bands() -> None:
    values = pd.Series([0, 4_999, 5_000, 9_999.5, 10_000, 29_999, 30_000, 99_999, 100_000,
                        2_500_000, None])
    assert turnover_band(values).tolist() == [
        "under 5,000", "under 5,000", "5,000-9,999", "5,000-9,999", "10,000-29,999",
        "10,000-29,999", "30,000-99,999", "30,000-99,999", "100,000 or more",
        "100,000 or more", "unknown"]
    assert TURNOVER_BAND_LABELS[3] == "30,000-99,999"
    assert turnover_band(pd.Series([7_000, None], dtype="Int64")).tolist() == [
        "5,000-9,999", "unknown"]
    with pytest.raises(ValueError, match="negative"):
        turnover_band(pd.Series([-1]))


# ---------------------------------------------------------------------------------------------
# Synthetic business QIs

NACE_POOL = ["47.11", "01.25", "56.10", "10.71", "96.02", "43.22", "45.20", "01.41", "10.51",
             "55.10", "16.23", "02.20", "47.7", "10", "62.01", "86.23", "49.41", "07.29"]
LEGAL_POOL = ["individual_business", "llc", "other", "general_partnership", "jsc",
              "agricultural_cooperative", "limited_partnership", "foreign_branch"]


def _zipf(rng: np.random.Generator, pool: list, n: int, a: float) -> np.ndarray:
    p = 1.0 / np.arange(1, len(pool) + 1) ** a
    return rng.choice(np.array(pool, dtype=object), n, p=p / p.sum())


def business_qis(seed: int, n: int, missing: float = 0.03) -> pd.DataFrame:
    """Skewed QIs like the survey's: a few common activities and sizes, a long tail."""
    rng = np.random.default_rng(seed)

    def holes() -> np.ndarray:
        return rng.random(n) < missing

    founded = 2019 - np.minimum(rng.geometric(0.08, n), 60)
    employees = np.where(rng.random(n) < 0.03, rng.integers(10, 120, n),
                         rng.geometric(0.45, n) - 1)
    gender = _zipf(rng, ["male", "female", "mixed", "undisclosed"], n, 1.8)
    gender[holes()] = None
    return pd.DataFrame({
        "municipality": pd.Series(_zipf(rng, ["38", "29", "12", "28"], n, 0.8), dtype="str"),
        "nace": pd.Series(_zipf(rng, NACE_POOL, n, 1.2), dtype="str"),
        "founded": pd.arrays.IntegerArray(founded.astype(np.int64), holes()),
        "employees": pd.arrays.IntegerArray(employees.astype(np.int64), holes()),
        "owner_gender": pd.Series(gender, dtype="str"),
        "legal_form": pd.Series(_zipf(rng, LEGAL_POOL, n, 2.0), dtype="str"),
    })


def sensitive_frame(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed + 1)
    turnover = np.round(rng.lognormal(np.log(12_000), 1.0, n), -2)
    ethnicity = _zipf(rng, ["serb", "albanian", "bosniak", "gorani", "roma"], n, 2.5)
    ethnicity[rng.random(n) < 0.05] = None
    return pd.DataFrame({
        "turnover": turnover_band(pd.Series(np.where(rng.random(n) < 0.15, np.nan, turnover))),
        "owner_ethnicity": pd.Series(ethnicity, dtype="str"),
        "growth": pd.Series(pd.arrays.IntegerArray(rng.integers(1, 6, n), rng.random(n) < 0.1)),
    })


# ---------------------------------------------------------------------------------------------
# Independent checks


def _levels_table(qi: pd.DataFrame, hierarchies: list[Hierarchy]) -> dict:
    """(QI, level) → the column's labels at that level as integer codes."""
    return {(h.name, lv): pd.factorize(h.generalise(qi[h.name], lv))[0]
            for h in hierarchies for lv in range(h.top + 1)}


def _brute_force(qi: pd.DataFrame, hierarchies: list[Hierarchy], params: Params
                 ) -> dict[tuple[int, ...], int | None]:
    """Every node → records it must suppress (padded to k), or None if over the share."""
    table = _levels_table(qi, hierarchies)
    out: dict[tuple[int, ...], int | None] = {}
    for node in itertools.product(*(range(h.top + 1) for h in hierarchies)):
        rows = np.column_stack([table[h.name, lv] for h, lv in zip(hierarchies, node, strict=True)])
        sizes = np.unique(rows, axis=0, return_counts=True)[1]
        count = int(sizes[sizes < params.k].sum())
        if 0 < count < params.k:
            count += int(sizes[sizes >= params.k].min())
        out[node] = count if count <= params.max_suppression_share * len(qi) + 1e-9 else None
    return out


def _score(node: tuple[int, ...], hierarchies: list[Hierarchy]) -> Fraction:
    return sum(Fraction(lv * h.importance, h.top) for lv, h in zip(node, hierarchies, strict=True))


def _match_counts(rows: pd.DataFrame, others: pd.DataFrame) -> np.ndarray:
    """For each row of ``rows``, how many rows of ``others`` match it ("*" matches anything)."""
    distinct, weights = np.unique(others.to_numpy(dtype=str), axis=0, return_counts=True)
    values = rows.to_numpy(dtype=str)
    counts = np.zeros(len(values), dtype=np.int64)
    for other, weight in zip(distinct, weights, strict=True):
        hit = (values == WILDCARD) | (other == WILDCARD) | (values == other)
        counts += weight * np.all(hit, axis=1)
    return counts


def check_k_anonymity(qi: pd.DataFrame, hierarchies: list[Hierarchy], params: Params) -> None:
    g = generalise(qi, hierarchies, params)
    names = [h.name for h in hierarchies]
    published = g.frame
    k = params.k

    # Every published class (the all-"*" class included) has at least k records.
    sizes = published.value_counts()
    assert sizes.min() >= k
    assert g.achieved_k == sizes.min() == anonymity.k_anonymity(published, names)
    assert g.suppressed.sum() <= params.max_suppression_share * len(qi) + 1e-9
    assert (published[g.suppressed] == WILDCARD).all().all()
    if any(g.levels[h.name] < h.top for h in hierarchies):
        assert not (published[~g.suppressed] == WILDCARD).all(axis=1).any()

    # Wildcard matching both ways against the raw data generalised at the chosen levels.
    raw = pd.DataFrame({h.name: h.generalise(qi[h.name], g.levels[h.name]).to_numpy(object)
                        for h in hierarchies})
    assert (published[~g.suppressed].to_numpy() == raw[~g.suppressed].to_numpy()).all()
    assert _match_counts(published, raw).min() >= k
    assert _match_counts(raw, published).min() >= k

    # The chosen node is the least acceptable one (sum, then suppressions, then levels).
    verdicts = _brute_force(qi, hierarchies, params)
    chosen = tuple(g.levels[n] for n in names)
    assert verdicts[chosen] == int(g.suppressed.sum())
    best = min((_score(node, hierarchies), count, node)
               for node, count in verdicts.items() if count is not None)
    assert best == (_score(chosen, hierarchies), int(g.suppressed.sum()), chosen)

    # Statistics for the risk report agree with each other.
    dist = g.size_distribution()
    assert sum(size * count for size, count in dist.items()) == len(qi)
    assert min(dist) == g.achieved_k
    assert g.sample_uniques_after == 0 and g.at_risk_after == records_at_risk(g.sizes_after)
    before = qi.astype(object).fillna(UNKNOWN).astype(str).value_counts()
    assert g.sample_uniques_before == int((before == 1).sum())
    assert g.suppressions_per_variable == dict.fromkeys(names, int(g.suppressed.sum()))


# ---------------------------------------------------------------------------------------------
# k-anonymity


def test_known_answer_is_the_least_generalisation() -> None:
    # "10.52", 2003 and 1 employee occur only 4 times each (< k = 5) and nothing may be
    # suppressed, so NACE, founding year and employees each need one level, no more.
    qi = pd.DataFrame({
        "municipality": ["38"] * 10,
        "nace": ["10.51"] * 6 + ["10.52"] * 4,
        "founded": pd.array([2001, 2001, 2001, 2003, 2003, 2001, 2001, 2001, 2003, 2003],
                            dtype="Int64"),
        "employees": pd.array([0, 0, 1, 0, 1, 0, 1, 0, 1, 0], dtype="Int64"),
        "owner_gender": ["male"] * 10,
        "legal_form": ["llc"] * 10,
    })
    params = Params(k=5, max_suppression_share=0.0)
    g = generalise(qi, QI_HIERARCHIES, params)
    assert g.levels == {"municipality": 0, "nace": 1, "founded": 1, "employees": 1,
                        "owner_gender": 0, "legal_form": 0}
    assert g.level_names["nace"] == "division" and g.level_names["founded"] == "5-year band"
    assert not g.suppressed.any()
    assert g.frame.iloc[0].tolist() == ["38", "10", "2000-2004", "0-1", "male", "llc"]
    assert g.achieved_k == 10 and g.size_distribution() == {10: 1}
    assert g.size_distribution(before=True) == {1: 7, 3: 1}
    assert g.sample_uniques_before == 7 and g.at_risk_before == 10 and g.at_risk_after == 0
    check_k_anonymity(qi, list(QI_HIERARCHIES), params)


def _pair(values: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(values, columns=["a", "b"], dtype="str")


PAIR = [Hierarchy("a", ("value", "*"), lambda v, lv: str(v)),
        Hierarchy("b", ("value", "*"), lambda v, lv: str(v))]


def test_ties_go_to_fewer_suppressions() -> None:
    # (0, 1) and (1, 0) both cost 1; generalising b keeps a's two singletons (z, v) and
    # suppresses them, generalising a suppresses nothing.
    qi = _pair([("x", "p")] * 3 + [("x", "q"), ("y", "p")] + [("y", "q")] * 3
               + [("z", "p"), ("v", "q")])
    g = generalise(qi, PAIR, Params(k=2, max_suppression_share=0.3))
    assert g.levels == {"a": 1, "b": 0} and not g.suppressed.any()


def test_ties_go_to_smallest_level_vector() -> None:
    qi = _pair([("x", "p")] * 3 + [("x", "q")] * 2 + [("y", "p")] * 2 + [("y", "q")] * 3)
    g = generalise(qi, PAIR, Params(k=3, max_suppression_share=0.0))
    assert g.levels == {"a": 0, "b": 1}


def test_suppression_is_padded_to_k() -> None:
    # One singleton (z) at level (0, 1): suppressing it alone would publish a lone "*" row;
    # the smallest class of at least k joins it, if the share allows.
    qi = _pair([("x", "p")] * 3 + [("y", "q")] * 4 + [("z", "r")])
    roomy = generalise(qi, [PAIR[0], Hierarchy("b", ("value", "*"), lambda v, lv: "b")],
                       Params(k=3, max_suppression_share=0.5))
    assert roomy.levels == {"a": 0, "b": 0}
    assert roomy.suppressed.tolist() == [True] * 3 + [False] * 4 + [True]
    assert roomy.achieved_k == 4 and roomy.frame.iloc[-1].tolist() == ["*", "*"]
    tight = generalise(qi, PAIR, Params(k=3, max_suppression_share=0.4))
    assert tight.levels == {"a": 1, "b": 1} and not tight.suppressed.any()


def test_wide_keys_are_compressed_not_overflowed() -> None:
    # Seven QIs of 500 values each: 500**7 overflows int64, so keys must be re-ranked.
    names = [f"q{j}" for j in range(7)]
    qi = pd.DataFrame({name: [str(i // 2) for i in range(1000)] for name in names})
    hierarchies = [Hierarchy(name, ("value", "*"), lambda v, lv: str(v)) for name in names]
    g = generalise(qi, hierarchies, Params(k=2, max_suppression_share=0.0))
    assert set(g.levels.values()) == {0} and g.size_distribution() == {2: 500}


def test_rejects_bad_input() -> None:
    qi = business_qis(0, 4)
    with pytest.raises(ValueError, match="cannot be 5-anonymous"):
        generalise(qi)
    with pytest.raises(ValueError, match="do not match"):
        generalise(business_qis(0, 20).drop(columns="nace"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(20, 400),
    k=st.integers(2, 6),
    share=st.sampled_from([0.0, 0.02, 0.05, 0.1, 0.3]),
    subset=st.lists(st.sampled_from(QI_NAMES), min_size=2, max_size=4, unique=True),
    missing=st.sampled_from([0.0, 0.03, 0.2]),
)
def test_k_anonymity_properties(seed: int, n: int, k: int, share: float, subset: list[str],
                                missing: float) -> None:
    qi = business_qis(seed, n, missing)
    hierarchies = [h for h in QI_HIERARCHIES if h.name in subset]
    check_k_anonymity(qi[[h.name for h in hierarchies]], hierarchies,
                      Params(k=k, max_suppression_share=share))


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(20, 400))
def test_k_anonymity_on_all_six_qis(seed: int, n: int) -> None:
    check_k_anonymity(business_qis(seed, n), list(QI_HIERARCHIES), DEFAULTS)


def test_result_does_not_depend_on_row_order() -> None:
    qi = business_qis(3, 300)
    shuffled = qi.sample(frac=1.0, random_state=1)
    g, h = generalise(qi), generalise(shuffled)
    assert g.levels == h.levels and h.lattice_size == 3 * 5 * 5 * 4 * 2 * 3
    assert h.frame.index.equals(shuffled.index)
    assert h.frame.loc[qi.index].equals(g.frame)
    assert (pd.Series(h.suppressed, index=shuffled.index)[qi.index].to_numpy()
            == g.suppressed).all()


def test_planted_unique_firm_is_not_singled_out() -> None:
    qi = business_qis(7, 400)
    firm = {"municipality": "28", "nace": "07.29", "founded": 1961, "employees": 85,
            "owner_gender": "male", "legal_form": "jsc"}
    qi.loc[len(qi)] = firm
    row = len(qi) - 1
    match = np.ones(len(qi), dtype=bool)
    for name in ("municipality", "nace", "legal_form"):
        match &= (qi[name] == firm[name]).to_numpy()
    assert match.sum() == 1  # the only jsc in 07.29 in Zubin Potok
    g = generalise(qi)
    published = g.frame.iloc[row]
    same = (g.frame == published).all(axis=1)
    assert same.sum() >= DEFAULTS.k and g.sizes_after[row] >= DEFAULTS.k
    assert published["nace"] != "07.29" or published["legal_form"] != "jsc"
    assert g.sizes_before[row] == 1 and g.at_risk_after == 0


# ---------------------------------------------------------------------------------------------
# l-diversity


def check_l_diversity(classes: np.ndarray, qi: pd.DataFrame, sensitive: pd.DataFrame,
                      params: Params) -> None:
    result = l_diverse(classes, sensitive, params)
    for name in sensitive.columns:
        mask = result.masks[name]
        column = result.frame[name]
        assert result.suppressed[name] == mask.sum()
        assert column[mask].isna().all()
        kept = ~mask
        before, after = sensitive[name][kept], column[kept]
        assert (after.isna() == before.isna()).all()
        assert (after[after.notna()].astype(str) == before[before.notna()].astype(str)).all()
        per_class = pd.DataFrame({"c": classes, "m": mask, "v": sensitive[name]})
        # Suppression is all-or-nothing per class, and exactly where l is not reached.
        assert (per_class.groupby("c")["m"].nunique() == 1).all()
        stats = per_class.groupby("c").agg(m=("m", "first"), d=("v", "nunique"),
                                           present=("v", "count"))
        expected = (stats["present"] > 0) & (stats["d"] < params.l_diversity)
        assert (stats["m"] == expected).all()
        judged = stats[~stats["m"] & (stats["present"] > 0)]
        achieved = result.achieved_l[name]
        assert achieved == (int(judged["d"].min()) if len(judged) else None)
        # pycanon on the classes that keep the column (their non-missing values).
        keep = kept & sensitive[name].notna().to_numpy()
        frame = qi.assign(**{name: sensitive[name].astype(str)})[keep]
        if len(frame):
            frame = frame.reset_index(drop=True)
            assert anonymity.l_diversity(frame, list(qi.columns), [name]) == achieved
            assert achieved >= params.l_diversity


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(20, 400), k=st.integers(2, 6),
       l_div=st.integers(2, 3))
def test_l_diversity_properties(seed: int, n: int, k: int, l_div: int) -> None:
    params = Params(k=k, l_diversity=l_div)
    qi = business_qis(seed, n)
    g = generalise(qi, QI_HIERARCHIES, params)
    check_l_diversity(g.classes, g.frame, sensitive_frame(seed, n), params)


def test_l_diversity_by_hand() -> None:
    classes = np.array([0, 0, 0, 1, 1, 1, 2, 2])
    sensitive = pd.DataFrame({
        "x": pd.Series(["a", "a", None, "a", "b", None, None, None], dtype="str"),
        "y": pd.Series([1, 1, 1, 2, 3, 4, 5, 6], dtype="Int64"),
    })
    result = l_diverse(classes, sensitive, Params(l_diversity=2))
    assert result.masks["x"].tolist() == [True] * 3 + [False] * 5
    assert result.frame["x"].tolist()[:5] == [None, None, None, "a", "b"]
    assert result.frame["x"].dtype == object
    assert result.masks["y"].tolist() == [True] * 3 + [False] * 5
    assert result.suppressed == {"x": 3, "y": 3}
    assert result.achieved_l == {"x": 2, "y": 2}
    assert result.frame.index.equals(sensitive.index)
    untouched = l_diverse(np.zeros(4, dtype=int), pd.DataFrame({"z": [1, 2, None, 2]}))
    assert untouched.suppressed == {"z": 0} and untouched.frame["z"].dtype == float
    assert l_diverse(np.zeros(2), pd.DataFrame({"z": [None, None]})).achieved_l == {"z": None}


def test_size_helpers() -> None:
    sizes = np.array([1, 3, 3, 3, 5, 5, 5, 5, 5])
    assert size_distribution(sizes) == {1: 1, 3: 1, 5: 1}
    assert records_at_risk(sizes, Params(risk_threshold=0.2)) == 4

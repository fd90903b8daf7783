"""Disclosure control of aggregate tables: cells, primary rules, secondary suppression, audits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import etl.anonymise.protect as protect_module
from etl.anonymise.audit import differencing_audit, lp_audit
from etl.anonymise.errors import DisclosureError
from etl.anonymise.params import DEFAULTS, SUPPRESSED, Params
from etl.anonymise.primary import (
    GROUP_ATTRIBUTE,
    P_PERCENT,
    THRESHOLD,
    apply_primary,
    group_attribute,
    p_percent,
    threshold,
)
from etl.anonymise.protect import protect
from etl.anonymise.secondary import SecondaryOutcome, apply_secondary, close_lines
from etl.anonymise.tables import (
    PUBLISHED,
    TOTAL,
    UNKNOWN,
    Linked,
    TableSpec,
    build_cells,
    build_table,
)

P = DEFAULTS


def businesses(counts: dict[tuple[str, ...], int], dims: tuple[str, ...] = ("sector", "town"),
               **extra: list) -> pd.DataFrame:
    """A unit frame with ``counts[values]`` businesses for each combination of ``dims``."""
    rows = [values for values, n in counts.items() for _ in range(n)]
    frame = pd.DataFrame(rows, columns=list(dims))
    for name, column in extra.items():
        frame[name] = column
    return frame


def one_cell(values: list[float]) -> object:
    """The only interior cell of a magnitude table over ``values``."""
    frame = pd.DataFrame({"sector": "A", "turnover": values})
    spec = TableSpec("t", "businesses", ("sector",), measure="turnover")
    return build_table(frame, spec).cell("A")


# --- cells -----------------------------------------------------------------------------------


def test_cells_cover_interior_zeros_margins_and_total() -> None:
    frame = businesses({("A", "x"): 3, ("B", "y"): 2})
    frame.loc[0, "town"] = None
    cells = build_cells(frame, TableSpec("t", "businesses", ("sector", "town")),
                        np.arange(len(frame)))
    coords = {c.coords: c for c in cells}
    assert coords[("B", "x")].value == 0  # absent combination over observed rows × cols
    assert coords[("A", UNKNOWN)].value == 1
    assert coords[("A", TOTAL)].value == 3 and coords[(TOTAL, TOTAL)].value == 5
    assert list(coords[("A", "x")].members) == [1, 2]
    assert len(cells) == 2 * 3 + 2 + 3 + 1


def test_multi_valued_dim_is_exploded_and_not_additive() -> None:
    frame = pd.DataFrame({"constraint": [("finance", "skills"), ("finance",), (), "skills"]})
    table = build_table(frame, TableSpec("t", "businesses", ("constraint",)))
    assert table.additive == (False,)
    assert table.cell("finance").value == 2 and table.cell("skills").value == 2
    assert table.cell(UNKNOWN).value == 1  # no constraint cited
    assert table.cell(TOTAL).value == 4  # distinct businesses, not the sum 5


def test_records_count_but_units_contribute() -> None:
    # six participations by three people in topic A, five people once each in topic B
    frame = pd.DataFrame({"topic": ["A"] * 6 + ["B"] * 5,
                          "score": [9.0, 1.0, 1.0, 1.0, 1.0, 1.0] + [2.0] * 5})
    people = np.array([0, 0, 1, 1, 2, 2, 3, 4, 5, 6, 7])
    table = build_table(frame, TableSpec("t", "people", ("topic",)), people)
    assert (table.cell("A").value, table.cell("A").contributors) == (6, 3)
    assert list(table.cell(TOTAL).members) == list(range(8))
    scores = build_table(frame, TableSpec("s", "people", ("topic",), measure="score"), people)
    assert scores.cell("A").top == (10.0, 2.0)  # person 0's two records together
    result = protect({"people": (frame, people)}, [TableSpec("t", "people", ("topic",))], P)
    assert result["t"].set_index("topic").loc["A", "rule"] == THRESHOLD
    with pytest.raises(ValueError, match="no unit"):
        build_table(frame, TableSpec("t", "people", ("topic",)), people - 1)


def test_same_aggregate_has_one_canonical_key() -> None:
    frame = businesses({("A", "x"): 6, ("B", "y"): 7})
    one = build_table(frame, TableSpec("by_sector", "businesses", ("sector",)))
    two = build_table(frame, TableSpec("by_town_sector", "businesses", ("town", "sector")))
    assert one.cell("A").key == two.cell(TOTAL, "A").key
    assert one.cell(TOTAL).key == two.cell(TOTAL, TOTAL).key
    assert len(Linked([one, two])) == 3 + (2 * 2 + 2 + 2 + 1) - 3


# --- primary rules ---------------------------------------------------------------------------


def test_threshold_four_fails_five_passes_zero_is_not_sensitive() -> None:
    table = build_table(businesses({("A", "x"): 4, ("B", "y"): 5}),
                        TableSpec("t", "businesses", ("sector", "town")))
    assert threshold(table.cell("A", "x"), P)
    assert not threshold(table.cell("B", "y"), P)
    assert not threshold(table.cell("A", "y"), P)  # zero


def test_threshold_for_magnitudes_uses_min_contributors() -> None:
    params = Params(min_count=5, min_contributors=3)
    assert not threshold(one_cell([10.0, 10.0, 10.0]), params)
    assert threshold(one_cell([10.0, 10.0]), params)


def test_p_percent_dominant_fails_balanced_passes() -> None:
    assert p_percent(one_cell([1000.0, 50.0, 20.0, 20.0, 20.0, 20.0]), P)
    assert not p_percent(one_cell([100.0, 90.0, 80.0, 110.0, 95.0]), P)
    frame = pd.DataFrame({"sector": ["A"] * 6 + ["B"] * 5,
                          "turnover": [1000.0, 50, 20, 20, 20, 20, 100, 90, 80, 110, 95]})
    table = build_table(frame, TableSpec("t", "businesses", ("sector",), measure="turnover"))
    apply_primary([table], P)
    assert table.cell("A").status == "primary:" + P_PERCENT
    assert table.cell("B").status == PUBLISHED


def test_group_attribute_hundred_percent_of_six_fails_forty_percent_passes() -> None:
    frame = businesses({("A", "yes"): 6, ("B", "yes"): 6, ("B", "no"): 9},
                       dims=("sector", "female_owner"))
    spec = TableSpec("t", "businesses", ("sector", "female_owner"), sensitive=True)
    table = build_table(frame, spec)
    for coords in (("A", "yes"), ("A", "no")):  # 100% and 0% of a group of 6
        cell = table.cell(*coords)
        assert group_attribute(cell, table.group_of(cell), P)
    cell = table.cell("B", "yes")  # 40%
    assert not group_attribute(cell, table.group_of(cell), P)
    apply_primary([table], P)
    assert table.cell("A", "yes").status == "primary:" + GROUP_ATTRIBUTE
    assert table.cell("B", "yes").status == PUBLISHED


def test_margins_follow_the_same_rules() -> None:
    table = build_table(businesses({("A", "x"): 2, ("B", "y"): 1}),
                        TableSpec("t", "businesses", ("sector", "town")))
    apply_primary([table], P)
    assert table.cell(TOTAL, TOTAL).status == "primary:" + THRESHOLD


# --- secondary suppression and the LP audit --------------------------------------------------


def two_by_three() -> list:
    frame = businesses({("X", "a"): 10, ("X", "b"): 3, ("X", "c"): 12,
                        ("Y", "a"): 8, ("Y", "b"): 9, ("Y", "c"): 11})
    return [build_table(frame, TableSpec("t", "businesses", ("sector", "town")))]


def test_lp_audit_catches_a_cell_recovered_from_its_margin() -> None:
    tables = apply_primary(two_by_three(), P)
    result = lp_audit(tables, P)
    assert not result.passed
    (bad,) = result.failures
    assert bad.label == "t[sector=X, town=b]" and bad.lower == bad.upper == 3


def test_secondary_suppression_makes_the_lp_audit_pass() -> None:
    tables = two_by_three()
    link = apply_primary(tables, P)
    outcome = apply_secondary(link, P)
    assert outcome.lp.passed and outcome.differencing.passed
    assert lp_audit(tables, P).passed  # re-audit from scratch
    table = tables[0]
    assert table.cell("X", "b").status == "primary:" + THRESHOLD
    secondary = {c.coords for c in table.cells if c.status == "secondary"}
    assert ("Y", "b") in secondary  # the column needs a complement
    assert ("X", "a") in secondary  # the smallest non-zero cell of row X
    for interval in outcome.lp.cells:
        assert interval.upper - interval.lower >= P.min_interval_width


def test_lp_loop_protects_a_cell_the_line_rule_leaves_pinned() -> None:
    # Row A and the town totals: A,y and A,z equal their column totals (B, C are zeros
    # there), which add up to 13 − 8, so A,x = 8 − 5 even with every line holding two cells.
    frame = pd.DataFrame({
        "sector": ["A"] * 8 + ["B"] * 2 + ["C"] * 3,
        "town": list("xxxyyzzz") + list("xx") + list("xxx"),
        "size": ["micro"] * 6 + ["small"] * 2 + ["micro", "small"] + ["micro"] * 2 + ["small"],
    })
    tables = [build_table(frame, TableSpec("sector_town", "businesses", ("sector", "town"))),
              build_table(frame, TableSpec("sector_size", "businesses", ("sector", "size")))]
    link = apply_primary(tables, P)
    close_lines(link)
    assert differencing_audit(link, P).passed
    (bad,) = lp_audit(link, P).failures
    assert (bad.label, bad.lower, bad.upper) == ("sector_town[sector=A, town=x]", 3, 3)
    outcome = apply_secondary(link, P)
    assert outcome.lp.passed and outcome.lp_runs > 1
    assert tables[0].cell("A", TOTAL).status == tables[1].cell("A", TOTAL).status == "secondary"


def test_linked_tables_share_statuses_of_shared_totals() -> None:
    frame = businesses({("A", "x"): 9, ("A", "y"): 8, ("B", "x"): 7, ("B", "y"): 6,
                        ("C", "x"): 2, ("C", "y"): 1})
    specs = [TableSpec("by_sector", "businesses", ("sector",)),
             TableSpec("by_sector_town", "businesses", ("sector", "town"))]
    result = protect({"businesses": frame}, specs, P)
    one = result["by_sector"].set_index("sector")
    two = result["by_sector_town"].query("town == @TOTAL").set_index("sector")
    assert (one["status"] == two["status"]).all()
    assert one.loc["C", "rule"] == THRESHOLD
    assert (one["status"] == "suppressed").sum() >= 2  # C and its complement, in both tables
    assert pd.isna(one.loc["C", "value"])


CONSTRAINTS = [("finance",)] * 19 + [("finance", "skills")] * 6 + [("skills",)]
"""26 businesses, 25 citing finance: all but one, so the total minus finance isolates one."""


def test_differencing_total_minus_subtotal_of_one_is_caught_and_fixed() -> None:
    frame = pd.DataFrame({"constraint": CONSTRAINTS})
    tables = [build_table(frame, TableSpec("t", "businesses", ("constraint",)))]
    link = apply_primary(tables, P)
    found = differencing_audit(link, P)
    assert not found.passed
    (pair,) = found.failures
    assert (pair.bigger_label, pair.smaller_label) == ("t[constraint=_total]",
                                                      "t[constraint=finance]")
    assert pair.difference == 1
    outcome = apply_secondary(link, P)
    assert outcome.differencing.passed and outcome.lp.passed
    assert tables[0].cell("finance").status == "secondary"
    assert tables[0].cell(TOTAL).status == PUBLISHED


def _no_secondary(link: Linked, params: Params) -> SecondaryOutcome:
    return SecondaryOutcome(lp_audit(link, params), differencing_audit(link, params), 0, 1)


def test_protect_refuses_tables_that_fail_an_audit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(protect_module, "apply_secondary", _no_secondary)
    frame = businesses({("X", "a"): 10, ("X", "b"): 3, ("Y", "a"): 8, ("Y", "b"): 9})
    with pytest.raises(DisclosureError) as caught:
        protect({"businesses": frame}, [TableSpec("t", "businesses", ("sector", "town"))], P)
    assert (caught.value.rule, caught.value.table) == ("lp_interval", "t")
    frame = pd.DataFrame({"constraint": CONSTRAINTS})
    with pytest.raises(DisclosureError) as caught:
        protect({"businesses": frame}, [TableSpec("c", "businesses", ("constraint",))], P)
    assert (caught.value.rule, caught.value.table) == ("differencing", "c")


def test_negative_measures_are_refused() -> None:
    frame = pd.DataFrame({"sector": ["A", "B"], "profit": [10.0, -3.0]})
    with pytest.raises(ValueError, match="negative"):
        build_table(frame, TableSpec("t", "businesses", ("sector",), measure="profit"))


def test_output_frame_marks_suppressed_cells_never_zero() -> None:
    frame = businesses({("X", "a"): 10, ("X", "b"): 3, ("Y", "a"): 8, ("Y", "b"): 9})
    spec = TableSpec("t", "businesses", ("sector", "town"))
    result = protect({"businesses": frame}, [spec], P)
    table = result["t"]
    assert list(table.columns) == ["sector", "town", "value", "status", "rule"]
    assert str(table["value"].dtype) == "Int64"
    hidden = table[table["status"] == "suppressed"]
    assert len(hidden) >= 4 and hidden["value"].isna().all() and (hidden["rule"] != "").all()
    assert (result.for_publication("t").loc[hidden.index, "value"] == SUPPRESSED).all()
    row = result.summary.set_index("table").loc["t"]
    assert (row["cells"], row["primary"], row["secondary"]) == (9, 1, len(hidden) - 1)
    assert row["suppressed_share"] == pytest.approx(len(hidden) / 9)


# --- property: whatever the data, what is published is safe --------------------------------


def _mask(frame: pd.DataFrame, dims: tuple[str, ...], coords: tuple) -> np.ndarray:
    mask = np.ones(len(frame), dtype=bool)
    for dim, value in zip(dims, coords, strict=True):
        if value != TOTAL:
            mask &= (frame[dim] == value).to_numpy()
    return mask


def _reaudit(frames: dict[str, pd.DataFrame], specs: list[TableSpec], result) -> list:
    """Rebuild the tables and take the statuses from the published output only."""
    tables = [build_table(frames[s.unit], s) for s in specs]
    for table in tables:
        status = result[table.name]["status"].to_numpy()
        for cell, st_ in zip(table.cells, status, strict=True):
            cell.status = PUBLISHED if st_ == "published" else "secondary"
    return tables


@st.composite
def unit_frames(draw: st.DrawFn) -> tuple[pd.DataFrame, list[TableSpec]]:
    n = draw(st.integers(5, 300))
    rows, cols = draw(st.integers(2, 5)), draw(st.integers(2, 5))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    skew = draw(st.floats(0.2, 3.0))
    frame = pd.DataFrame({
        "sector": rng.choice([f"s{i}" for i in range(rows)], n, p=rng.dirichlet([skew] * rows)),
        "town": rng.choice([f"t{i}" for i in range(cols)], n, p=rng.dirichlet([skew] * cols)),
        "turnover": np.round(rng.lognormal(10, draw(st.floats(0.1, 2.5)), n)),
    })
    specs = [TableSpec("by_sector", "businesses", ("sector",)),
             TableSpec("by_town", "businesses", ("town",)),
             TableSpec("by_sector_town", "businesses", ("sector", "town"),
                       sensitive=draw(st.booleans()))]
    if draw(st.booleans()):
        specs.append(TableSpec("turnover", "businesses", ("sector", "town"), measure="turnover"))
    return frame, specs


@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(unit_frames())
def test_published_cells_are_safe_whatever_the_data(case: tuple) -> None:
    frame, specs = case
    frames = {"businesses": frame}
    result = protect(frames, specs, P)
    for spec in specs:
        out = result[spec.name]
        for _, row in out.iterrows():
            coords = tuple(row[d] for d in spec.dims)
            if row["status"] == "suppressed":
                assert pd.isna(row["value"]) and row["rule"]
                continue
            assert row["status"] == "published" and row["rule"] == ""
            mask = _mask(frame, spec.dims, coords)
            n = int(mask.sum())
            if spec.measure is None:
                assert row["value"] == n
                assert n == 0 or n >= P.min_count
            else:
                values = np.sort(frame.loc[mask, spec.measure].to_numpy())[::-1]
                assert row["value"] == pytest.approx(values.sum())
                assert n == 0 or n >= P.min_contributors
                if n:
                    rest = values.sum() - values[:2].sum()
                    assert rest >= P.p_percent / 100 * values[0]
    tables = _reaudit(frames, specs, result)
    assert lp_audit(tables, P).passed
    assert differencing_audit(tables, P).passed

"""Adversarial tests of disclosure control across the release history.

The attacker holds every release ever published (withdrawn ones too), the raw input as
background knowledge, and knows which units joined, left or changed between two releases.
Each scenario publishes 1.0.0 from a field-like input, then 1.1.0 from the same input with
one change, and attacks the pair with the independent attacker of ``history_attacks``: the
microdata's multiset difference must isolate no record, and solving each table of both
releases must not pin down what the changed units answered. A control builds the same 1.1.0
without the history, as the ETL did before, and shows the same attack then succeeds.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from history_attacks import (
    Change,
    change_intervals,
    microdata_difference,
    read_microdata,
    read_tables,
    smallest_crowd,
)

from etl.anonymise import catalogue
from etl.anonymise.hierarchies import QI_HIERARCHIES
from etl.anonymise.params import DEFAULTS
from etl.cli import main
from etl.demo import generate
from etl.validate import check_path

K = DEFAULTS.k
QI = [h.name for h in QI_HIERARCHIES]
SPECS = {s.name: s for s in catalogue.table_specs()}


# --- inputs -------------------------------------------------------------------------------------


def _read(raw: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(raw / f"{name}.csv", dtype=str, keep_default_na=False)


def _write(raw: Path, name: str, frame: pd.DataFrame) -> None:
    frame.to_csv(raw / f"{name}.csv", index=False, lineterminator="\n")


def _append(raw: Path, name: str, rows: list[dict[str, str]]) -> None:
    frame = _read(raw, name)
    _write(raw, name, pd.concat([frame, pd.DataFrame(rows)], ignore_index=True).fillna(""))


def add_bakery(raw: Path, ident: str = "PM-0901", haccp: str = "no") -> None:
    """One newly surveyed bakery in North Mitrovica."""
    e = _read(raw, "enterprises")
    template = e[e["nace_code"].str.startswith("10.7")].iloc[0].to_dict()
    _append(raw, "enterprises", [{
        **template, "enterprise_id": ident, "business_name": f"Pekara {ident}",
        "owner_name": "Milica Pekarević", "registration_number": "", "fiscal_number": "",
        "phone": "", "email": "", "address": "Bulevar 1", "latitude": "", "longitude": "",
        "municipality": "North Mitrovica", "settlement": "", "nace_code": "10.71",
        "legal_form": "individual_business", "founded_year": "2020",
        "employees_full_time": "2", "employees_part_time": "0", "employees_female": "1",
        "owner_gender": "female", "owner_ethnicity": "serb", "owner_age": "39",
        "annual_turnover_eur": "41000", "reg_kosovo_business": "yes", "reg_serbian_apr": "no",
        "fiscal_registered": "yes", "vat_registered": "yes", "pension_contributions": "yes",
        "written_contracts": "no", "fva_registration": "yes", "haccp": haccp,
        "bilingual_labels": "no", "product_certification": "no", "environmental_permit": "na",
        "sector_licence": "yes", "sells_rest_of_kosovo": "yes", "sells_serbia": "no",
        "exports_other": "no", "growth_potential": "4",
        "growth_constraints": "finance certification", "training_needs": "food_safety",
        "interview_date": "2021-02-01", "comments": "Nova pekara."}])
    _append(raw, "products", [{"enterprise_id": ident, "product_name": "Hleb",
                               "hs_code": "1905", "annual_volume": "20000", "unit": "kg",
                               "share_of_sales_pct": "100", "certified": "no",
                               "sold_in": "local"}])


def _quiet_business(raw: Path) -> str:
    """A business with no attendance and no meetings (it can leave without breaking keys)."""
    e = _read(raw, "enterprises")
    busy = set(_read(raw, "attendance")["enterprise_id"]) | set(
        _read(raw, "b2b_meetings")["north_enterprise_id"])
    food = e[e["haccp"].isin(["no"]) & ~e["enterprise_id"].isin(busy)]
    return str(food["enterprise_id"].iloc[0])


def remove_business(raw: Path) -> None:
    ident = _quiet_business(raw)
    for name, column in (("enterprises", "enterprise_id"), ("products", "enterprise_id"),
                         ("directory_listings", "enterprise_id")):
        if not (raw / f"{name}.csv").is_file():
            continue
        frame = _read(raw, name)
        _write(raw, name, frame[frame[column] != ident])


def change_business(raw: Path) -> None:
    """A food business re-surveyed: HACCP in place now, more growth potential."""
    ident = _quiet_business(raw)
    e = _read(raw, "enterprises")
    at = e["enterprise_id"] == ident
    e.loc[at, "haccp"] = "yes"
    e.loc[at, "fva_registration"] = "yes"
    e.loc[at, "growth_potential"] = str(min(5, int(e.loc[at, "growth_potential"].iloc[0]) + 1))
    e.loc[at, "interview_date"] = "2021-02-01"
    _write(raw, "enterprises", e)


def add_session(raw: Path) -> None:
    """A training session in a new quarter with three new participants."""
    _append(raw, "trainings", [{
        "training_id": "TR-900", "title": "HACCP in practice", "topic": "food_safety",
        "format": "workshop", "municipality": "Zvečan", "start_date": "2021-02-10",
        "end_date": "2021-02-10", "hours": "4", "provider": "AKTIV"}])
    people = [("Jelena Novaković", "female", "serb", "29", "60", "85", "5"),
              ("Arben Krasniqi", "male", "albanian", "41", "55", "70", "4"),
              ("Sanja Ilić", "female", "serb", "52", "35", "65", "5")]
    _append(raw, "attendance", [{
        "training_id": "TR-900", "participant_name": name, "enterprise_id": "",
        "gender": gender, "ethnicity": ethnicity, "age": age, "municipality": "Zvečan",
        "pre_score": pre, "post_score": post, "satisfaction": sat, "completed": "yes"}
        for name, gender, ethnicity, age, pre, post, sat in people])


def add_meeting(raw: Path) -> None:
    """One new B2B meeting that ended in an agreement."""
    m = _read(raw, "b2b_meetings")
    north = m[m["phase"] == "scale_up"]["north_enterprise_id"].iloc[0]
    _append(raw, "b2b_meetings", [{
        "meeting_id": "B2B-900", "date": "2021-02-15", "phase": "scale_up",
        "north_enterprise_id": north, "counterpart_name": "Tregtia Prishtina SH.P.K.",
        "counterpart_municipality": "Prishtinë", "counterpart_nace_code": "46.39",
        "language": "english", "interpretation": "no", "outcome": "agreement_signed",
        "deal_value_eur": "25000", "obstacles": "payment_systems", "follow_up_date": "",
        "notes": "Ugovor potpisan."}])


# --- builds ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("base") / "raw", enterprises=400, seed=0)


@pytest.fixture(scope="module")
def first(base: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A packages folder holding release 1.0.0 of the base input."""
    out = tmp_path_factory.mktemp("first") / "packages"
    assert build(base, out, "1.0.0") == 0
    return out


def build(raw: Path, out: Path, version: str) -> int:
    return main(["build", "--raw", str(raw), "--out", str(out), "--version", version,
                 "--quiet"])


def edited(base: Path, folder: Path, *edits: Callable[[Path], None]) -> Path:
    raw = folder / "raw"
    shutil.copytree(base, raw)
    for edit in edits:
        edit(raw)
    return raw


def copy(packages: Path, folder: Path) -> Path:
    out = folder / "packages"
    shutil.copytree(packages, out, symlinks=True)
    return out


# --- the attacks ------------------------------------------------------------------------------


def _records(raw: Path) -> dict[str, tuple[pd.DataFrame, pd.Series]]:
    """Each unit kind's records (as the tables count them) with each record's unit."""
    result = check_path(raw)
    assert result.ok
    business = catalogue.businesses(result)
    frames = {"businesses": business, "sessions": catalogue.sessions(result),
              "people": catalogue.participations(result)[0],
              "meetings": catalogue.meetings(result, business)[0]}
    names = catalogue.unit_names(result)
    return {kind: (frames[kind], pd.Series(names[kind][1][names[kind][0]]))
            for kind in frames}


def changes(old_raw: Path, new_raw: Path) -> dict[str, Change]:
    """What the attacker knows of each table: the background rows of the changed records."""
    old, new = _records(old_raw), _records(new_raw)
    out = {}
    for name, spec in SPECS.items():
        background = catalogue.BACKGROUND[spec.unit]
        dims = [d for d in spec.dims if d in background]

        def by_unit(frame: pd.DataFrame, units: pd.Series) -> dict[str, Counter]:
            text = frame.astype(object).map(repr).agg("|".join, axis=1)
            return {u: Counter(text[units == u]) for u in units.unique()}

        (fo, uo), (fn, un) = old[spec.unit], new[spec.unit]
        before, after = by_unit(fo, uo), by_unit(fn, un)
        moved = {u for u in set(before) | set(after) if before.get(u) != after.get(u)}
        gained = Counter(tuple((d, str(v)) for d, v in zip(dims, row, strict=True))
                         for row in fn[un.isin(moved).to_numpy()][dims].itertuples(index=False))
        lost = Counter(tuple((d, str(v)) for d, v in zip(dims, row, strict=True))
                       for row in fo[uo.isin(moved).to_numpy()][dims].itertuples(index=False))
        if gained or lost:
            out[name] = Change(frozenset(dims), gained, lost)
    return out


def table_leaks(old: Path, new: Path, known: dict[str, Change]) -> list[str]:
    """What the attacker learns of fewer than ``min_count`` changed units from the tables of
    both releases: their part of a cell narrower than a hidden cell may be (``min_interval_
    width``, or the changed records of its row if fewer) where that says one of them is in
    it — or, in a sensitive table, says anything; a magnitude of theirs within p%. What the
    earlier release alone gives away (the new one hidden entirely) is not the new one's doing.
    """
    old_tables, new_tables = read_tables(old), read_tables(new)
    p = DEFAULTS.p_percent / 100
    leaks = []
    for name, change in known.items():
        spec = SPECS[name]
        magnitude = spec.measure is not None
        args = (old_tables.get(name), list(spec.dims), change, magnitude)
        found = change_intervals(new_tables[name], *args)
        floor = change_intervals(new_tables[name].assign(status="suppressed", value="[c]"),
                                 *args)
        for cell, sides in found.items():
            told = {d for d, v in zip(spec.dims, cell, strict=True) if v != "_total"}
            if not magnitude and told <= change.background:
                continue  # the register tells how many changed units a row gained
            for side, (lo, hi) in sides.items():
                counts = change.gained if side == "in" else change.lost
                bg = {(d, v) for d, v in zip(spec.dims, cell, strict=True)
                      if d in change.background and v != "_total"}
                reach = sum(n for row, n in counts.items() if bg <= set(row))
                if not 0 < reach < DEFAULTS.min_count:
                    continue

                def pinned(lo: float, hi: float, reach: int = reach,
                           magnitude: bool = magnitude, sensitive: bool = spec.sensitive
                           ) -> bool:
                    if magnitude:
                        size = max(abs(lo), abs(hi))
                        return bool(size) and hi - lo < p * size
                    narrow = hi - lo < min(DEFAULTS.min_interval_width, reach) - 1e-6
                    return narrow and (sensitive or lo >= 1 - 1e-6)

                if pinned(lo, hi) and not pinned(*floor[cell][side]):
                    leaks.append(f"{name}{cell} {side}: {lo:g}..{hi:g}")
    return leaks


def microdata_leaks(old: Path, new: Path) -> list[str]:
    """Rows that differ between the releases and match fewer than k such rows."""
    a, b = read_microdata(old), read_microdata(new)
    leaks = []
    for left, right in ((b, a), (a, b)):
        rest = microdata_difference(left, right)
        if len(rest) and smallest_crowd(rest, QI) < K:
            leaks.append(f"{len(rest)} rows differ; one matches only "
                         f"{smallest_crowd(rest, QI)} of them")
    return leaks


SCENARIOS = {
    "business added": (add_bakery,),
    "business removed": (remove_business,),
    "business answers changed": (change_business,),
    "training session with three participants": (add_session,),
    "one B2B meeting": (add_meeting,),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_one_change_learns_nothing(base, first, tmp_path, scenario):
    raw = edited(base, tmp_path, *SCENARIOS[scenario])
    out = copy(first, tmp_path)
    assert build(raw, out, "1.1.0") == 0
    known = changes(base, raw)
    assert known, "the scenario changes some table"
    assert microdata_leaks(out / "1.0.0", out / "1.1.0") == []
    assert table_leaks(out / "1.0.0", out / "1.1.0", known) == []

    # Control: the same release built without its history (as before) gives the change away.
    alone = tmp_path / "alone"
    assert build(raw, alone, "1.1.0") == 0
    leaks = (microdata_leaks(out / "1.0.0", alone / "1.1.0")
             + table_leaks(out / "1.0.0", alone / "1.1.0", known))
    assert leaks, "without the history the attack should succeed"


def _bakeries(count: int, start: int = 901) -> Callable[[Path], None]:
    def edit(raw: Path) -> None:
        for i in range(count):
            add_bakery(raw, f"PM-{start + i:04d}", haccp="yes" if i % 2 else "no")
    return edit


def test_three_releases_in_a_row(base, first, tmp_path):
    """A wave of six bakeries, then one more: neighbours and 1.0 against 1.2 alike."""
    wave = edited(base, tmp_path / "a", _bakeries(6))
    more = edited(base, tmp_path / "b", _bakeries(7))
    out = copy(first, tmp_path)
    assert build(wave, out, "1.1.0") == 0
    assert build(more, out, "1.2.0") == 0
    for old_raw, old in ((base, "1.0.0"), (wave, "1.1.0")):
        assert microdata_leaks(out / old, out / "1.2.0") == []
        assert table_leaks(out / old, out / "1.2.0", changes(old_raw, more)) == []
    # The six were published as a wave of their own; the seventh waits for the next wave.
    rows = read_microdata(out / "1.2.0")
    assert rows["survey_wave"].value_counts().to_dict() == {"1": 400, "2": 6}
    report = json.loads((out / "1.2.0" / "north-kosovo-product-map" / "disclosure-risk.json")
                        .read_text(encoding="utf-8"))
    assert report["microdata"]["records_deferred"] == 1
    assert [e["version"] for e in report["history"]["earlier_releases"]] == ["1.0.0", "1.1.0"]
    assert {r["rule"]: r["passed"] for r in report["rules"]}["history_tables"]


def test_a_withdrawn_release_is_still_audited(base, first, tmp_path, capsys):
    six, seven = (edited(base, tmp_path / n, _bakeries(c)) for n, c in (("a", 6), ("b", 7)))
    out = copy(first, tmp_path)
    assert build(six, out, "1.1.0") == 0
    downloaded = tmp_path / "downloaded"
    shutil.copytree(out / "1.1.0", downloaded)  # what an attacker kept before the withdrawal
    assert main(["withdraw", "1.1.0", "--out", str(out), "--reason", "wrong survey wave"]) == 0
    assert not (out / "1.1.0").exists() and (out / "latest").resolve() == out / "1.0.0"
    assert build(seven, out, "1.2.0") == 0
    assert table_leaks(downloaded, out / "1.2.0", changes(six, seven)) == []
    assert microdata_leaks(downloaded, out / "1.2.0") == []
    report = json.loads((out / "1.2.0" / "north-kosovo-product-map" / "disclosure-risk.json")
                        .read_text(encoding="utf-8"))
    assert {"version": "1.1.0", "released": "2021-02-01", "status": "withdrawn"} in \
        report["history"]["earlier_releases"]
    # Built as if 1.1.0 had never been, the same release gives the seventh bakery away to
    # whoever downloaded 1.1.0.
    blind = copy(first, tmp_path / "blind")
    assert build(seven, blind, "1.2.0") == 0
    assert table_leaks(downloaded, blind / "1.2.0", changes(six, seven))


def test_keys_link_nothing_across_releases(base, first, tmp_path):
    out = copy(first, tmp_path)
    raw = edited(base, tmp_path / "a", _bakeries(6))
    assert main(["build", "--raw", str(raw), "--out", str(out), "--quiet"]) == 0  # next: 1.1.0
    keys = {v: set(read_microdata(out / v)["business_key"]) for v in ("1.0.0", "1.1.0")}
    assert not keys["1.0.0"] & keys["1.1.0"]
    old, new = read_microdata(out / "1.0.0"), read_microdata(out / "1.1.0")
    carried = new[new["survey_wave"] == "1"].drop(columns="business_key")
    # wave 1 comes again, row for row, under new keys
    assert sorted(map(tuple, carried.to_numpy())) == sorted(
        map(tuple, old.drop(columns="business_key").to_numpy()))


# --- reading the history, and withdrawing -----------------------------------------------------


def _index(out: Path) -> list[dict]:
    return json.loads((out / "releases.json").read_text(encoding="utf-8"))


def _published_state(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not p.name.startswith(".")} | {
                "latest ->": str((out / "latest").resolve()).encode()}


def test_an_altered_earlier_release_stops_the_build(base, first, tmp_path, capsys):
    out = copy(first, tmp_path)
    table = out / "1.0.0" / "north-kosovo-product-map" / "data" / "compliance_haccp_by_sector.csv"
    frame = pd.read_csv(table, dtype=str, keep_default_na=False)
    first_published = frame.index[frame["status"] == "published"][0]
    frame.loc[first_published, "value"] = str(int(frame.loc[first_published, "value"]) + 1)
    frame.to_csv(table, index=False, lineterminator="\n")  # edited by hand after publication
    before = _published_state(out)
    assert build(edited(base, tmp_path, add_bakery), out, "1.1.0") == 1
    err = capsys.readouterr().err
    assert "compliance_haccp_by_sector.csv" in err and "no longer matches" in err
    assert "Nothing was published" in err
    assert _published_state(out) == before


def test_a_missing_or_foreign_ledger_stops_the_build(base, first, tmp_path, monkeypatch,
                                                     capsys):
    raw = edited(base, tmp_path, add_bakery)
    out = copy(first, tmp_path)
    empty = tmp_path / "no-history"
    assert main(["build", "--raw", str(raw), "--out", str(out), "--version", "1.1.0",
                 "--history", str(empty), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "release 1.0.0 has no ledger" in err and "--version 1.0.0" in err
    monkeypatch.setenv("PORTAL_PSEUDONYM_KEY", "another-secret-" * 3)
    assert build(raw, out, "1.1.0") == 1
    assert "signature does not match" in capsys.readouterr().err
    assert not (out / "1.1.0").exists()


def test_rebuilding_a_release_restores_its_ledger(base, first, tmp_path, capsys):
    out = copy(first, tmp_path)
    history = tmp_path / "restored"
    assert main(["build", "--raw", str(base), "--out", str(out), "--version", "1.0.0",
                 "--history", str(history), "--quiet"]) == 0  # byte-identical: a no-op
    assert main(["build", "--raw", str(edited(base, tmp_path, add_bakery)), "--out", str(out),
                 "--version", "1.1.0", "--history", str(history), "--quiet"]) == 0


# --- ledgers of another version of the ETL ------------------------------------------------------

#: A column the ETL gained (in the meetings unit frame), and the table built from it.
ADDED, ADDED_TABLE = "counterpart_municipality", "meetings_by_counterpart_municipality"


@pytest.fixture(scope="module")
def older(base: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Release 1.0.0 of the base input as the ETL built it before it had ``ADDED``: its
    meetings ledger lacks the column and it publishes no table built from it. The packages
    folder and its own history folder."""
    folder = tmp_path_factory.mktemp("older")
    specs, meetings = catalogue.table_specs, catalogue.meetings

    def old_meetings(*args: object) -> tuple[pd.DataFrame, object]:
        frame, north = meetings(*args)
        return frame.drop(columns=ADDED), north

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(catalogue, "table_specs",
                      lambda: [s for s in specs() if ADDED not in s.dims])
        patch.setattr(catalogue, "meetings", old_meetings)
        assert main(["build", "--raw", str(base), "--out", str(folder / "packages"),
                     "--version", "1.0.0", "--history", str(folder / "history"),
                     "--quiet"]) == 0
    return folder / "packages", folder / "history"


def test_a_release_of_an_older_etl_is_audited_on_the_columns_it_had(base, older, tmp_path):
    out, history = (copy(older[0], tmp_path), tmp_path / "history")
    shutil.copytree(older[1], history)
    assert ADDED_TABLE not in read_tables(out / "1.0.0")
    raw = edited(base, tmp_path, add_meeting)
    assert main(["build", "--raw", str(raw), "--out", str(out), "--version", "1.1.0",
                 "--history", str(history), "--quiet"]) == 0
    report = json.loads((out / "1.1.0" / "north-kosovo-product-map" / "disclosure-risk.json")
                        .read_text(encoding="utf-8"))
    [against] = report["history"]["tables"]
    # Matched on the columns 1.0.0 had: only the business with the new meeting changed, not
    # every business that met (their records differ from the ledger's in ADDED only).
    assert against["version"] == "1.0.0" and against["hidden_cells_checked"] > 0
    assert against["changed_units"] == {"businesses": 0, "meetings": 1, "people": 0,
                                        "sessions": 0}
    assert against["tables_not_compared"] == [ADDED_TABLE]
    assert all(rule["passed"] for rule in report["rules"])
    markdown = (out / "1.1.0" / "north-kosovo-product-map" / "disclosure-risk.md").read_text(
        encoding="utf-8")
    assert f"did not publish `{ADDED_TABLE}`" in markdown
    # The independent attacker, the new table included (1.0.0 had none of it), learns nothing.
    assert table_leaks(out / "1.0.0", out / "1.1.0", changes(base, raw)) == []
    assert microdata_leaks(out / "1.0.0", out / "1.1.0") == []
    # The new table keeps every rule of a single release: a published cell counts 0 or at
    # least min_count businesses that met (its total is the public number of meetings).
    frame, units = _records(raw)["meetings"]
    table = read_tables(out / "1.1.0")[ADDED_TABLE]
    published = table[(table["status"] == "published") & (table[ADDED] != "_total")]
    assert len(published) and len(published) < len(table) - 1
    for place in published[ADDED]:
        assert units[(frame[ADDED] == place).to_numpy()].nunique() >= DEFAULTS.min_count


def test_records_differing_only_in_an_added_column_are_not_changed():
    import numpy as np
    import pyarrow as pa

    from etl.anonymise.changes import (
        change,
        compared_columns,
        record_digests,
        stored_kind,
        value_kind,
    )
    from etl.anonymise.errors import HistoryMismatch

    new = pd.DataFrame({"phase": ["pilot", "pilot", "scale_up"], "obstacles": [("a",), (), ()],
                        ADDED: ["11", "19", "11"],
                        "deal_value_eur": pd.array([1.0, None, 3.0], dtype="Float64")})
    then = new.drop(columns=ADDED).assign(phase=["pilot", "scale_up", "scale_up"])
    ledger = pa.Table.from_pandas(then.assign(obstacles=then["obstacles"].map(list)))
    kinds = {f.name: stored_kind(f.type) for f in ledger.schema}
    holds = {c: value_kind(new[c]) for c in new.columns}
    assert kinds == {c: holds[c] for c in then.columns}
    shared = compared_columns("1.0.0", "meetings", holds, kinds)
    assert shared == list(then.columns)
    units = np.array([7, 8, 9], dtype=np.uint64)
    found = change("meetings", new[shared], units, record_digests(new, shared), units,
                   record_digests(then), lambda mask: then[mask])
    assert found.units.tolist() == [8]  # only the record whose phase changed

    with pytest.raises(HistoryMismatch, match="release 1.0.0's ledger has meetings column "
                                              "counterpart_region, which"):
        compared_columns("1.0.0", "meetings", holds, {**kinds, "counterpart_region": "text"})
    with pytest.raises(HistoryMismatch, match=r"meetings column deal_value_eur \(text there, "
                                              r"number here\)"):
        compared_columns("1.0.0", "meetings", holds, {**kinds, "deal_value_eur": "text"})


def _rewrite_ledger(out: Path, history: Path, edit: Callable[[pd.DataFrame], pd.DataFrame]
                    ) -> None:
    """Write release 1.0.0's meetings ledger again, edited, into ``history`` (signed as the
    ETL signs it: a valid ledger, only not of this ETL)."""
    from etl.anonymise.pseudonym import release_key
    from etl.history import ledger as ledgers

    [entry] = [e for e in _index(out) if e["version"] == "1.0.0"]
    key = release_key(True)
    found = ledgers.read(Path(os.environ["PORTAL_HISTORY_DIR"]), entry["fingerprint"], key,
                         "1.0.0")
    frames = {kind: found.frame(kind) for kind in found.kinds}
    frames["meetings"] = edit(frames["meetings"])
    ledgers.write(history, version="1.0.0", fingerprint=entry["fingerprint"], frames=frames,
                  microdata=found.microdata, key=key)


def _without_added(meetings: pd.DataFrame) -> pd.DataFrame:
    from etl.anonymise.changes import record_digests

    frame = meetings.drop(columns=ADDED)
    return frame.assign(_digest=record_digests(frame.drop(columns=["_unit", "_digest"])))


@pytest.mark.parametrize(("edit", "named"), [
    (lambda m: m.assign(counterpart_region="south"),
     ("release 1.0.0's ledger has meetings column counterpart_region",)),
    (lambda m: m.assign(deal_value_eur=m["deal_value_eur"].astype(str)),
     ("release 1.0.0's ledger", "meetings column deal_value_eur (text there, number here)")),
    (_without_added,
     (f"release 1.0.0 published {ADDED_TABLE}", f"its ledger lacks the column {ADDED}")),
], ids=["a column this ETL lacks", "a column of another type", "a table it cannot have built"])
def test_a_ledger_this_etl_cannot_compare_stops_the_build_cleanly(base, first, tmp_path,
                                                                   capsys, edit, named):
    out, history = copy(first, tmp_path), tmp_path / "history"
    _rewrite_ledger(out, history, edit)
    before = _published_state(out)
    capsys.readouterr()
    assert main(["build", "--raw", str(edited(base, tmp_path, add_meeting)), "--out", str(out),
                 "--version", "1.1.0", "--history", str(history), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert all(part in err for part in named), err
    assert "Nothing was published" in err and _published_state(out) == before


def test_withdrawing_leaves_a_tombstone_and_falls_back(base, first, tmp_path, capsys):
    out = copy(first, tmp_path)
    assert build(edited(base, tmp_path / "a", _bakeries(6)), out, "1.1.0") == 0
    fingerprint = _index(out)[-1]["fingerprint"]
    assert main(["withdraw", "1.1.0", "--out", str(out), "--reason",
                 "answers of two businesses\nwere swapped"]) == 0
    tomb = _index(out)[-1]
    assert tomb == {"version": "1.1.0", "released": "2021-02-01", "fingerprint": fingerprint,
                    "withdrawn": tomb["withdrawn"],
                    "reason": "answers of two businesses were swapped"}
    assert not (out / "1.1.0").exists() and (out / "latest").resolve() == out / "1.0.0"
    changelog = (out / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## 1.1.0 — 2021-02-01 (withdrawn on" in changelog and "were swapped" in changelog
    # The files are kept for auditing later builds, never where the portal serves them.
    kept = Path(os.environ["PORTAL_HISTORY_DIR"]) / fingerprint / "published"
    assert (kept / "north-kosovo-product-map" / "datapackage.json").is_file()
    capsys.readouterr()
    assert main(["withdraw", "1.1.0", "--out", str(out), "--reason", "again"]) == 1
    assert "already withdrawn" in capsys.readouterr().err
    assert main(["withdraw", "9.9.9", "--out", str(out), "--reason", "x"]) == 1
    assert "not published" in capsys.readouterr().err
    assert build(base, out, "1.1.0") == 1  # a withdrawn version is never used again
    assert "was withdrawn" in capsys.readouterr().err
    # Withdrawing the only release left removes `latest`.
    assert main(["withdraw", "1.0.0", "--out", str(out), "--reason", "superseded"]) == 0
    assert not (out / "latest").exists() and not (out / "1.0.0").exists()


def test_an_interrupted_withdrawal_is_finished_by_the_next_build(base, first, tmp_path):
    out = copy(first, tmp_path)
    assert build(edited(base, tmp_path / "a", _bakeries(6)), out, "1.1.0") == 0
    entries = _index(out)
    # Killed after the tombstone was written, before the files were removed:
    entries[-1] = {"version": "1.1.0", "released": entries[-1]["released"],
                   "fingerprint": entries[-1]["fingerprint"], "withdrawn": "2026-12-06",
                   "reason": "test"}
    from etl.history.ledger import keep_withdrawn
    keep_withdrawn(Path(os.environ["PORTAL_HISTORY_DIR"]), entries[-1]["fingerprint"],
                   out / "1.1.0")
    (out / "releases.json").write_text(json.dumps(entries), encoding="utf-8")
    assert build(edited(base, tmp_path / "b", _bakeries(7)), out, "1.2.0") == 0
    assert not (out / "1.1.0").exists()


def test_a_release_that_cannot_be_made_safe_names_rule_table_and_release(
        base, first, tmp_path, monkeypatch, capsys):
    from etl.anonymise import joint

    monkeypatch.setattr(joint.Joint, "pick", lambda self, failure: None)
    monkeypatch.setattr(joint.Joint, "presuppress", lambda self: set())
    before = _published_state(copy(first, tmp_path))
    out = tmp_path / "packages"
    assert build(edited(base, tmp_path, add_bakery), out, "1.1.0") == 1
    err = capsys.readouterr().err
    assert "history_tables" in err and "together with release 1.0.0" in err
    assert "Nothing was published" in err and _published_state(out) == before

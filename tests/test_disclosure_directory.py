"""Adversarial tests with the supplier directory as background knowledge (issue 18, point 5).

The attacker reads every listing: a listed business's certifications narrow its microdata
class, and subtracting the listed members from a table cell tells about the unlisted ones.
The listings are written by the test, chosen from the input so that they WOULD break a rule
on a release built without the directory; the release built with them must not.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from etl.anonymise import catalogue
from etl.anonymise.background import CERTIFICATIONS, REVEALED_TABLES, known
from etl.anonymise.bg_audit import RULE, Findings, audit_microdata
from etl.anonymise.errors import DisclosureError
from etl.anonymise.hierarchies import QI_HIERARCHIES
from etl.anonymise.params import DEFAULTS, SUPPRESSED
from etl.anonymise.pseudonym import DEMO_KEY, unit_ids
from etl.anonymise.release import AnonymisedRelease, anonymise
from etl.anonymise.tables import TOTAL
from etl.demo import generate
from etl.validate import CheckResult, check_path

VERSION = "1.0.0"
QI = [h.name for h in QI_HIERARCHIES]
HEADER = ["enterprise_id", "consent_date", "consent_withdrawn", "listed_name", "contact_person",
          "public_phone", "public_email", "website", "languages", "description_en",
          "description_sq", "description_sr", "show_products", "show_certifications",
          "show_municipality"]
#: Businesses left unlisted in the attacked sector: a small group (< small_group).
REST = 10


def _listing(eid: str, *, certifications: str = "yes", withdrawn: str = "") -> dict[str, str]:
    return {"enterprise_id": eid, "consent_date": "2024-01-02", "consent_withdrawn": withdrawn,
            "listed_name": f"Listed {eid}", "contact_person": "", "public_phone": "",
            "public_email": "", "website": "", "languages": "sr", "description_en": "",
            "description_sq": "", "description_sr": "", "show_products": "yes",
            "show_certifications": certifications, "show_municipality": "yes"}


def _write_listings(folder: Path, rows: list[dict[str, str]]) -> None:
    with (folder / "directory_listings.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _with_listings(raw: Path, folder: Path, rows: list[dict[str, str]]) -> CheckResult:
    shutil.copytree(raw, folder)
    _write_listings(folder, rows)
    result = check_path(folder)
    assert result.ok, [str(p) for p in result.problems][:5]
    return result


def _holds(result: CheckResult) -> pd.DataFrame:
    """Per business, whether it holds each certification (what a listing would show)."""
    e = result.frame("enterprises")
    return pd.DataFrame({item: e[item].astype(str).isin(["yes", "True"]).to_numpy()
                         for item in CERTIFICATIONS}, index=e["enterprise_id"].astype(str))


def _rows_of(result: CheckResult, release: AnonymisedRelease) -> dict[str, list[int]]:
    """Each enterprise's published microdata rows (private knowledge of the test)."""
    codes, names = catalogue.unit_names(result)["businesses"]
    units = unit_ids(codes, names, DEMO_KEY, "businesses")
    index = release.microdata_index.dropna(subset=["key"])
    unit_of = dict(zip(index["key"], index["_unit"].astype(np.uint64), strict=True))
    by_unit: dict[int, list[int]] = {}
    for row, key in enumerate(release.businesses["business_key"]):
        by_unit.setdefault(int(unit_of[key]), []).append(row)
    ids = result.frame("enterprises")["enterprise_id"].astype(str)
    return {eid: by_unit.get(int(u), []) for eid, u in zip(ids, units, strict=True)}


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column].astype(object).where(frame[column].notna(), "").astype(str)


def candidate_set(frame: pd.DataFrame, row: int, holds: pd.Series) -> np.ndarray:
    """The attacker: the target's class (its wave and published QIs), then only the rows whose
    certification items agree with its listing ("[c]" agrees with anything)."""
    same = np.ones(len(frame), dtype=bool)
    for column in ["survey_wave", *QI]:
        text = _text(frame, column)
        same &= (text == text.iloc[row]).to_numpy()
    for item in CERTIFICATIONS:
        text = _text(frame, item)
        agree = (text == "yes") if holds[item] else (text != "yes")
        same &= ((text == SUPPRESSED) | agree).to_numpy()
    return np.flatnonzero(same)


def _row_knowledge(truth: pd.DataFrame, holds: pd.DataFrame, listed: set[str], item: str,
                   sector: str) -> tuple[int, int, int]:
    """(businesses in the row, listed holders in it, listed businesses in it)."""
    group = truth if sector == TOTAL else truth[truth["broad_sector"] == sector]
    shown = group.index.isin(sorted(listed))
    return len(group), int(holds.loc[group.index[shown], item].sum()), int(shown.sum())


def derived(table: pd.DataFrame, truth: pd.DataFrame, holds: pd.DataFrame, listed: set[str],
            item: str) -> list[str]:
    """Published cells of the "met" column from which subtracting the listed holders tells
    all or none of a small rest of the row (the unlisted businesses) holds ``item``, or
    leaves fewer than the threshold of unlisted holders."""
    out = []
    for cell in table.to_dict("records"):
        if cell[f"req_{item}"] != "met" or cell["value"] == SUPPRESSED:
            continue
        n, listed_holders, n_listed = _row_knowledge(truth, holds, listed, item,
                                                     cell["broad_sector"])
        if not n_listed:
            continue
        unknown, rest = int(cell["value"]) - listed_holders, n - n_listed
        if (0 < rest < DEFAULTS.small_group and unknown in (0, rest)) or \
                0 < unknown < DEFAULTS.min_count:
            out.append(f"{cell['broad_sector']}: {unknown} of {rest} unlisted hold {item}")
    return out


@pytest.fixture(scope="module")
def raw(tmp_path_factory) -> Path:
    folder = generate(tmp_path_factory.mktemp("raw") / "demo", enterprises=400, seed=0)
    (folder / "directory_listings.csv").unlink(missing_ok=True)  # the test writes its own
    return folder


@pytest.fixture(scope="module")
def baseline(raw) -> tuple[CheckResult, AnonymisedRelease]:
    result = check_path(raw)
    assert result.ok
    return result, anonymise(result, version=VERSION)


@pytest.fixture(scope="module")
def attack(raw, baseline, tmp_path_factory) -> dict:
    """Listings chosen against the release built without them: a whole sector's holders of
    one item and all but a few of its other businesses (the table attack), and businesses whose
    certifications leave fewer than k rows of their class (the microdata attack)."""
    result, before = baseline
    truth = catalogue.businesses(result).set_index(
        result.frame("enterprises")["enterprise_id"].astype(str))
    holds = _holds(result)
    target = None
    for item in CERTIFICATIONS:
        table = before.table(f"compliance_{item}_by_sector")
        for cell in table.to_dict("records"):
            sector = cell["broad_sector"]
            if sector == TOTAL or cell[f"req_{item}"] != "met" or cell["value"] == SUPPRESSED:
                continue
            group = truth[truth["broad_sector"] == sector]
            holders = group.index[holds.loc[group.index, item].to_numpy()]
            others = group.index[~holds.loc[group.index, item].to_numpy()]
            if len(group) >= DEFAULTS.small_group and len(others) > REST:
                target = (item, sector, list(holders), list(others[:len(others) - REST]))
                break
        if target:
            break
    assert target, "the demo has no sector to attack"
    item, sector, holders, others = target
    listed = set(holders) | set(others)

    rows = _rows_of(result, before)
    small = []
    for eid in holds.index:
        if eid in listed:
            continue
        for row in rows[eid]:
            if len(candidate_set(before.businesses, row, holds.loc[eid])) < DEFAULTS.k:
                small.append(eid)
        if len(small) == 3:
            break
    assert small, "no listing of the demo would narrow a class below k"
    listed |= set(small)
    listings = [_listing(eid) for eid in sorted(listed)]
    listings.append(_listing(str(holds.index[-1]), withdrawn="2024-06-01"))
    folder = tmp_path_factory.mktemp("attack") / "raw"
    protected = _with_listings(raw, folder, listings)
    return {"result": protected, "folder": folder, "listings": listings,
            "release": anonymise(protected, version=VERSION),
            "listed": listed, "item": item, "sector": sector, "small": small,
            "withdrawn": str(holds.index[-1]), "truth": truth, "holds": holds}


def test_without_protection_the_listings_single_out_records(baseline, attack):
    result, before = baseline
    rows = _rows_of(result, before)
    holds = attack["holds"]
    sizes = [len(candidate_set(before.businesses, row, holds.loc[eid]))
             for eid in attack["small"] for row in rows[eid]]
    assert min(sizes) < DEFAULTS.k
    # the independent audit sees it too, on the release built without the directory
    codes, names = catalogue.unit_names(result)["businesses"]
    found = Findings()
    audit_microdata(before.businesses, before.microdata_index,
                    unit_ids(codes, names, DEMO_KEY, "businesses"),
                    known(attack["result"]), DEFAULTS, found)
    assert found.failures and found.smallest_candidates < DEFAULTS.k


def test_without_protection_a_cell_minus_the_listings_tells_the_unlisted(baseline, attack):
    _, before = baseline
    item = attack["item"]
    table = before.table(f"compliance_{item}_by_sector")
    found = derived(table, attack["truth"], attack["holds"], attack["listed"], item)
    assert any(f.startswith(f"{attack['sector']}: 0 of {REST} ") for f in found), found
    # and what it tells is true: no unlisted business of the sector holds the item
    group = attack["truth"].index[attack["truth"]["broad_sector"] == attack["sector"]]
    unlisted = [eid for eid in group if eid not in attack["listed"]]
    assert len(unlisted) == REST and not attack["holds"].loc[unlisted, item].any()


def test_every_listing_leaves_at_least_k_candidates_in_every_wave(attack):
    release, holds = attack["release"], attack["holds"]
    rows = _rows_of(attack["result"], release)
    frame = release.businesses
    telling = [c for c in frame.columns
               if c not in {"business_key", "survey_wave", *QI, *CERTIFICATIONS}]
    checked = 0
    for eid in attack["listed"]:
        for row in rows[eid]:
            found = candidate_set(frame, row, holds.loc[eid])
            assert len(found) >= DEFAULTS.k, eid
            for column in telling:  # nor does the narrower set give away another answer
                values = set(_text(frame.iloc[found], column)) - {"", "na", SUPPRESSED}
                assert not 0 < len(values) < DEFAULTS.l_diversity, (eid, column)
            checked += 1
    assert checked >= len(attack["listed"])


def test_no_cell_minus_the_listings_tells_an_unlisted_business(attack):
    release = attack["release"]
    for name, (item, _) in REVEALED_TABLES.items():
        table = release.table(name)
        assert derived(table, attack["truth"], attack["holds"], attack["listed"], item) == [], \
            name
    attacked = release.table(f"compliance_{attack['item']}_by_sector")
    cell = attacked[(attacked["broad_sector"] == attack["sector"])
                    & (attacked[f"req_{attack['item']}"] == "met")]
    assert cell["value"].item() == SUPPRESSED


def test_the_attacked_cell_cannot_be_solved_from_its_table_and_the_listings(attack):
    """The attacker's LP over the attacked table, with each listed business as a lower
    bound on the cell it must be in: the hidden "met" cell keeps a wide interval."""
    item, sector = attack["item"], attack["sector"]
    table = attack["release"].table(f"compliance_{item}_by_sector")
    column = f"req_{item}"
    hidden = table.index[table["value"] == SUPPRESSED].tolist()
    at = {i: j for j, i in enumerate(hidden)}
    eq_a, eq_b, ub_a, ub_b = [], [], [], []
    for dim, other in (("broad_sector", column), (column, "broad_sector")):
        for value in set(table[dim]):
            line = table[(table[dim] == value)]
            members = line[line[other] != TOTAL]
            margin = line[line[other] == TOTAL]
            coefs = np.zeros(len(hidden))
            rhs = 0.0
            for i, cell in [*members.iterrows(), *((i, c) for i, c in margin.iterrows())]:
                sign = -1.0 if cell[other] == TOTAL else 1.0
                if i in at:
                    coefs[at[i]] += sign
                else:
                    rhs -= sign * float(cell["value"])
            if coefs.any():
                eq_a.append(coefs)
                eq_b.append(rhs)
    truth, holds = attack["truth"], attack["holds"]
    for i in hidden:
        cell = table.loc[i]
        if cell[column] == "met":
            _, listed_holders, _ = _row_knowledge(truth, holds, attack["listed"], item,
                                                  cell["broad_sector"])
            row = np.zeros(len(hidden))
            row[at[i]] = -1.0
            ub_a.append(row)
            ub_b.append(-listed_holders)
    target = at[table.index[(table["broad_sector"] == sector) & (table[column] == "met")][0]]
    objective = np.zeros(len(hidden))
    objective[target] = 1.0
    kwargs = {"A_eq": np.array(eq_a), "b_eq": eq_b, "A_ub": np.array(ub_a) if ub_a else None,
              "b_ub": ub_b or None, "bounds": (0, None)}
    low = linprog(objective, **kwargs)
    high = linprog(-objective, **kwargs)
    assert low.status == 0
    upper = np.inf if high.status == 3 else -high.fun
    assert upper - low.fun >= DEFAULTS.min_interval_width


def test_the_risk_report_counts_the_extra_suppression(baseline, attack):
    result, before = baseline
    release = attack["release"]
    report = release.report["directory"]
    assert report["listings"] == len(attack["listed"])  # the withdrawn one is not listed
    # microdata: the certification cells hidden in the protected release but not before
    rows_before, rows_after = _rows_of(result, before), _rows_of(attack["result"], release)
    extra = 0
    for eid, rows in rows_after.items():
        for a, b in zip(rows, rows_before[eid], strict=True):
            for item in CERTIFICATIONS:
                was, now = before.businesses[item].iloc[b], release.businesses[item].iloc[a]
                extra += now == SUPPRESSED and was != SUPPRESSED
    assert extra > 0 and report["microdata"]["cells_suppressed"] == extra
    # tables: the cells whose published rule is the directory's
    hidden = sum(int((release.table(n)["rule"] == "directory").sum()) for n in REVEALED_TABLES)
    assert hidden > 0 and report["tables"]["cells_suppressed"] == hidden
    rule = next(r for r in release.report["rules"] if r["rule"] == RULE)
    assert rule["passed"] and f"{extra} microdata cells" in rule["detail"]
    text = release.files()["disclosure-risk.md"].decode()
    assert "## Supplier directory as background knowledge" in text
    assert f"Microdata: {extra:,} more cells suppressed" in text
    # a release without a directory says nothing of one (the committed packages stay as
    # they are)
    assert "directory" not in before.report
    assert RULE not in {r["rule"] for r in before.report["rules"]}


def test_the_directory_shows_what_the_business_chose(attack):
    """The protection hides certifications in the microdata, never in the directory."""
    directory = pytest.importorskip("etl.publish.directory")
    result, holds = attack["result"], attack["holds"]
    made = directory.directory_bytes(result, DEMO_KEY, VERSION)
    if made is None:
        pytest.skip("the directory file is not built yet")
    again = directory.directory_bytes(result, DEMO_KEY, VERSION)
    assert made == again
    shown = {item["name"]: item["certifications"] for item in json.loads(made)["listings"]}
    for eid in attack["listed"]:
        held = sorted(i for i in CERTIFICATIONS if holds.loc[eid, i])
        assert sorted(shown[f"Listed {eid}"]) == held
    assert f"Listed {attack['withdrawn']}" not in shown


def test_without_listings_the_release_is_unchanged(raw, baseline, tmp_path):
    """A directory of withdrawn listings and listings without certifications changes neither
    the microdata nor any table: byte for byte what a build without the file publishes."""
    result, before = baseline
    ids = result.frame("enterprises")["enterprise_id"].astype(str)
    listings = [_listing(ids.iloc[0], withdrawn="2024-06-01"),
                _listing(ids.iloc[1], certifications="no")]
    after = anonymise(_with_listings(raw, tmp_path / "raw", listings), version=VERSION)
    files_before, files_after = before.files(), after.files()
    assert set(files_before) == set(files_after)
    for name, data in files_before.items():
        if not name.startswith("disclosure-risk"):
            assert files_after[name] == data, name
    assert after.report["directory"]["microdata"]["cells_suppressed"] == 0
    assert after.report["directory"]["tables"]["cells_suppressed"] == 0
    assert "0 more cells suppressed" in files_after["disclosure-risk.md"].decode()


def test_the_build_stops_when_the_protection_is_left_out(attack, monkeypatch):
    import etl.anonymise.microdata as microdata

    monkeypatch.setattr(microdata, "protect_candidates",
                        lambda frame, classes, known, sensitive, params: (frame, None))
    with pytest.raises(DisclosureError, match=RULE):
        anonymise(attack["result"], version=VERSION)


def test_the_build_stops_when_the_table_rule_is_left_out(attack, monkeypatch):
    import etl.anonymise.protect as protect

    monkeypatch.setattr(protect, "apply_directory", lambda link, known, params: 0)
    monkeypatch.setattr(protect, "directory_fired", lambda cell, table, known, params: False)
    with pytest.raises(DisclosureError, match=RULE):  # the audit of the published tables
        anonymise(attack["result"], version=VERSION)


def _new_wave(raw: Path, folder: Path, count: int) -> list[str]:
    """``count`` newly surveyed businesses (copies of food businesses under new ids, with no
    identifiers): the next release publishes them as a new wave."""
    shutil.copytree(raw, folder)
    e = pd.read_csv(folder / "enterprises.csv", dtype=str, keep_default_na=False)
    food = e[e["haccp"].isin(["yes", "no"])].head(count).copy()
    ids = [f"PM-95{i:02d}" for i in range(count)]
    blank = ["business_name", "owner_name", "registration_number", "fiscal_number", "phone",
             "email", "address", "latitude", "longitude", "comments"]
    food = food.assign(enterprise_id=ids, **{c: "" for c in blank if c in food})
    food["business_name"] = [f"Nova {i}" for i in ids]
    pd.concat([e, food]).to_csv(folder / "enterprises.csv", index=False, lineterminator="\n")
    return ids


def test_every_wave_is_safe_when_a_release_carries_an_earlier_one(attack, tmp_path):
    """Release 1.1.0 carries 1.0.0's wave unchanged and adds a wave of new businesses, some of
    them listed: every listed business's candidate set is at least k in both waves."""
    from etl.cli import main
    from etl.history.earlier import load

    out, history = tmp_path / "packages", tmp_path / "history"
    assert main(["build", "--raw", str(attack["folder"]), "--out", str(out), "--version",
                 "1.0.0", "--history", str(history), "--quiet"]) == 0
    raw = tmp_path / "raw"
    new = _new_wave(attack["folder"], raw, 12)
    listings = [*attack["listings"], *(_listing(eid) for eid in new[:3])]
    _write_listings(raw, listings)
    result = check_path(raw)
    assert result.ok, [str(p) for p in result.problems][:5]
    release = anonymise(result, version="1.1.0",
                        earlier=load(out, history, DEMO_KEY, exclude="1.1.0"))
    frame = release.businesses
    assert set(frame["survey_wave"]) == {1, 2}
    holds, rows = _holds(result), _rows_of(result, release)
    waves = set()
    for eid in [*attack["listed"], *new[:3]]:
        for row in rows[eid]:
            waves.add(int(frame["survey_wave"].iloc[row]))
            assert len(candidate_set(frame, row, holds.loc[eid])) >= DEFAULTS.k, eid
    assert waves == {1, 2}
    wave2 = release.report["microdata"]["waves"][-1]["directory"]
    assert wave2["listed_records"] == 3


def test_listings_added_after_a_release_protect_its_carried_wave(raw, attack, tmp_path):
    """Businesses listed only after their wave was published: this release re-publishes that
    wave with more suppressed (the earlier one cannot change, and the report says so)."""
    from etl.cli import main
    from etl.history.earlier import load

    out, history = tmp_path / "packages", tmp_path / "history"
    assert main(["build", "--raw", str(raw), "--out", str(out), "--version", "1.0.0",
                 "--history", str(history), "--quiet"]) == 0
    release = anonymise(attack["result"], version="1.1.0",
                        earlier=load(out, history, DEMO_KEY, exclude="1.1.0"))
    frame = release.businesses
    assert set(frame["survey_wave"]) == {1}  # nothing new: the wave is carried
    holds, rows = attack["holds"], _rows_of(attack["result"], release)
    for eid in attack["listed"]:
        for row in rows[eid]:
            assert len(candidate_set(frame, row, holds.loc[eid])) >= DEFAULTS.k, eid
    carried = release.report["directory"]["microdata"]["carried_waves"]
    assert carried["cells_suppressed"] > 0
    assert release.report["directory"]["microdata"]["cells_suppressed"] == 0  # no new wave
    assert "protects readers of this release only" in release.files()[
        "disclosure-risk.md"].decode()


def test_a_ledger_with_keys_out_of_unit_order_is_realigned():
    """Ledgers written before the fix listed a new wave's keys in published order: carrying
    the wave on must still know which business each row is (the directory needs it)."""
    from etl.anonymise.microdata import business_key
    from etl.anonymise.waves import _realigned

    units = np.arange(1, 9, dtype=np.uint64)
    keys = business_key(units, b"k" * 32, "1.0.0", 1)
    scrambled = pd.DataFrame({"_unit": units, "digest": [f"{u:016x}" for u in units],
                              "wave": pd.array([1] * 8, dtype="Int64"),
                              "key": np.sort(keys)})
    assert list(scrambled["key"]) != list(keys)
    assert list(_realigned(scrambled, b"k" * 32, "1.0.0")["key"]) == list(keys)
    # another pseudonym key reproduces none of them: the ledger is left as it is
    assert list(_realigned(scrambled, b"x" * 32, "1.0.0")["key"]) == list(scrambled["key"])

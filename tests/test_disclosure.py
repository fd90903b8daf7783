"""Adversarial tests of disclosure control, with the raw input as the attacker's background
knowledge: what an attacker who knows every surveyed firm could learn from the release."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from leaks import raw_secrets
from scipy.optimize import linprog

from etl.anonymise import catalogue
from etl.anonymise.hierarchies import QI_HIERARCHIES
from etl.anonymise.microdata import quasi_identifiers
from etl.anonymise.params import DEFAULTS, SUPPRESSED
from etl.anonymise.pseudonym import KEY_ENV, MissingKeyError
from etl.anonymise.release import PUBLIC_TOTAL_KEYS, AnonymisedRelease, anonymise
from etl.demo import generate
from etl.validate import CheckResult, check_path

K = DEFAULTS.k
QI = [h.name for h in QI_HIERARCHIES]

UNIQUE_FIRM = {  # the only joint-stock mining company in Zubin Potok
    "enterprise_id": "PM-9001", "business_name": "Rudnik Olova Brnjak AD",
    "owner_name": "Slobodan Rudarević", "registration_number": "70999001",
    "fiscal_number": "601999001", "phone": "+383 44 999 001", "email": "uprava@rudnikbrnjak.rs",
    "address": "Rudnička 1", "latitude": "42.84712", "longitude": "20.59633",
    "municipality": "Zubin Potok", "settlement": "Brnjak", "nace_code": "07.29",
    "legal_form": "jsc", "founded_year": "1961", "employees_full_time": "85",
    "employees_part_time": "0", "employees_female": "9", "owner_gender": "male",
    "owner_ethnicity": "serb", "owner_age": "58", "annual_turnover_eur": "2400000",
    "reg_kosovo_business": "no", "reg_serbian_apr": "yes", "fiscal_registered": "no",
    "vat_registered": "no", "pension_contributions": "no", "written_contracts": "yes",
    "fva_registration": "na", "haccp": "na", "bilingual_labels": "na",
    "product_certification": "no", "environmental_permit": "no", "sector_licence": "no",
    "sells_rest_of_kosovo": "no", "sells_serbia": "yes", "exports_other": "yes",
    "growth_potential": "2", "growth_constraints": "political_uncertainty registration",
    "training_needs": "registration", "interview_date": "2019-05-20",
    "comments": "Rudnik radi samo po srpskim propisima; ne želi registraciju u ARBK.",
}
DOMINANT_FIRM = {  # one retailer with most of its sector's turnover
    **UNIQUE_FIRM, "enterprise_id": "PM-9002", "business_name": "Megamarket Sever DOO",
    "owner_name": "Zoran Trgovčević", "registration_number": "70999002",
    "fiscal_number": "601999002", "phone": "+383 44 999 002", "email": "kancelarija@megasever.rs",
    "address": "Kralja Petra I 99", "latitude": "42.88901", "longitude": "20.86802",
    "municipality": "Severna Mitrovica", "settlement": "Severna Mitrovica", "nace_code": "47.11",
    "legal_form": "llc", "founded_year": "2004", "employees_full_time": "60",
    "annual_turnover_eur": "30000000", "reg_kosovo_business": "yes", "fiscal_registered": "yes",
    "vat_registered": "yes", "comments": "Najveći trgovinski lanac na severu.",
}


def _plant(raw: Path) -> None:
    path = raw / "enterprises.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        columns = next(csv.reader(fh))
    with path.open("a", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, columns, lineterminator="\n")
        writer.writerow(UNIQUE_FIRM)
        writer.writerow(DOMINANT_FIRM)
    with (raw / "products.csv").open("a", encoding="utf-8", newline="") as fh:
        fh.write("PM-9001,Koncentrat olova,260700,1200,t,100,no,serbia\n")
        fh.write("PM-9002,Prehrambeni proizvodi,,,,100,no,local\n")


@pytest.fixture(scope="module")
def raw(tmp_path_factory) -> Path:
    folder = generate(tmp_path_factory.mktemp("raw") / "demo", enterprises=400, seed=0)
    _plant(folder)
    return folder


@pytest.fixture(scope="module")
def checked(raw) -> CheckResult:
    result = check_path(raw)
    assert result.ok, [p.as_dict() for p in result.problems][:3]
    return result


@pytest.fixture(scope="module")
def release(checked) -> AnonymisedRelease:
    return anonymise(checked, version="1.0.0")


def _texts(release: AnonymisedRelease) -> dict[str, str]:
    return {name: data.decode("utf-8") for name, data in release.files().items()}


# --- direct identifiers and keys --------------------------------------------------------------


def test_no_identifying_string_of_the_raw_input_is_published(checked, release):
    secrets = raw_secrets(checked)
    assert len(secrets) > 2000  # names, numbers, phones, e-mails, addresses, free text, ids
    for file, text in _texts(release).items():
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{file} contains raw identifiers: {leaked[:5]}"


def test_no_plain_hash_of_an_identifier_is_published(checked, release):
    e = checked.raw.tables["enterprises"].data
    values = pd.concat([e[c].dropna().astype(str) for c in
                        ("enterprise_id", "registration_number", "fiscal_number",
                         "business_name")]).unique()
    digests = set()
    for v in values:
        for algorithm in ("md5", "sha1", "sha256"):
            digest = hashlib.new(algorithm, v.encode("utf-8")).hexdigest()
            digests |= {digest, digest[:16]}
    for file, text in _texts(release).items():
        assert not [d for d in digests if d in text], file


def test_keys_differ_between_releases(checked, release):
    other = anonymise(checked, version="1.1.0")
    assert not set(release.businesses["business_key"]) & set(other.businesses["business_key"])


def test_real_input_without_a_key_stops(checked, release):
    real = CheckResult(checked.raw, checked.tables, checked.problems)
    real.raw = type(checked.raw)(**{**checked.raw.__dict__, "demo_marker": None})
    with pytest.raises(MissingKeyError, match=KEY_ENV):
        anonymise(real, version="1.0.0", environ={})
    keyed = anonymise(real, version="1.0.0", environ={KEY_ENV: "s3cret-" * 6})
    assert not set(keyed.businesses["business_key"]) & set(release.businesses["business_key"])


def test_published_order_does_not_follow_raw_order(checked, release):
    from etl.anonymise.microdata import business_key
    from etl.anonymise.pseudonym import DEMO_KEY, unit_ids

    ids = checked.frame("enterprises")["enterprise_id"].astype(str)
    units = unit_ids(np.arange(len(ids)), ids.to_numpy(dtype=object), DEMO_KEY, "businesses")
    key_of = dict(zip(business_key(units, DEMO_KEY, "1.0.0", 1), range(len(ids)),
                      strict=True))
    raw_position = release.businesses["business_key"].map(key_of).to_numpy()
    rho = np.corrcoef(raw_position, np.arange(len(raw_position)))[0, 1]
    assert abs(rho) < 0.2


# --- microdata: identity and attribute disclosure -----------------------------------------------


def _published_qi(release) -> pd.DataFrame:
    return release.businesses[QI]


def _raw_at_published_levels(checked, release) -> pd.DataFrame:
    levels = release.report["microdata"]["quasi_identifiers"]
    qi = quasi_identifiers(checked.frame("enterprises"))
    return pd.DataFrame({h.name: h.generalise(qi[h.name], lv["level"]).astype(object)
                         for h, lv in zip(QI_HIERARCHIES, levels, strict=True)})


def _matches(pattern: tuple[str, ...], rows: np.ndarray) -> int:
    mask = np.ones(len(rows), dtype=bool)
    for j, value in enumerate(pattern):
        if value not in (SUPPRESSED, "*"):
            mask &= (rows[:, j] == value) | (rows[:, j] == SUPPRESSED) | (rows[:, j] == "*")
    return int(mask.sum())


def test_k_anonymity_under_wildcard_matching_both_ways(checked, release):
    published = _published_qi(release).to_numpy(dtype=object)
    raw = _raw_at_published_levels(checked, release).to_numpy(dtype=object)
    for pattern in {tuple(r) for r in published}:  # each published row matches ≥ k records
        assert _matches(pattern, raw) >= K, pattern
    for pattern in {tuple(r) for r in raw}:  # each record matches ≥ k published rows
        assert _matches(pattern, published) >= K, pattern


def test_planted_unique_firm_hides_in_a_crowd(checked, release):
    raw = _raw_at_published_levels(checked, release)
    ids = checked.frame("enterprises")["enterprise_id"].astype(str)
    unique = tuple(raw[ids == "PM-9001"].iloc[0])
    assert _matches(unique, _published_qi(release).to_numpy(dtype=object)) >= K


def test_l_diversity_no_attribute_disclosure(release):
    sensitive = [c for c in release.businesses.columns
                 if c not in QI + ["business_key", "survey_wave"]]
    for _, group in release.businesses.groupby(QI, dropna=False):
        for column in sensitive:
            values = group[column]
            if (values == SUPPRESSED).all():
                continue
            applicable = values[values.notna() & (values != "na")]
            if len(applicable):
                assert applicable.nunique() >= DEFAULTS.l_diversity, (column, group[QI].iloc[0])


def test_pycanon_agrees_on_k_and_l(release):
    from pycanon import anonymity

    frame = release.businesses.fillna("missing")
    assert anonymity.k_anonymity(frame, QI) >= K
    for column in ("growth_potential", "turnover_band", "compliance_level"):
        kept = frame[frame[column] != SUPPRESSED]
        if len(kept):
            assert anonymity.l_diversity(kept, QI, [column]) >= DEFAULTS.l_diversity


def test_ethnicity_exact_turnover_and_free_text_never_in_microdata(checked, release):
    columns = set(release.businesses.columns)
    assert not columns & {"owner_ethnicity", "owner_age", "annual_turnover_eur", "comments",
                          "owner_name", "business_name", "latitude", "settlement"}
    turnover = checked.frame("enterprises")["annual_turnover_eur"].dropna().astype(float)
    published = set(release.businesses.astype(str).to_numpy().ravel())
    assert not {f"{v:g}" for v in turnover if v >= 1000} & published


# --- protected tables ------------------------------------------------------------------------


def _unit_frames(checked) -> dict[str, tuple[pd.DataFrame, np.ndarray]]:
    business = catalogue.businesses(checked)
    people, person = catalogue.participations(checked)
    meetings, north = catalogue.meetings(checked, business)
    sessions = catalogue.sessions(checked)
    return {"businesses": (business, np.arange(len(business))), "people": (people, person),
            "meetings": (meetings, north), "sessions": (sessions, np.arange(len(sessions)))}


def _cell_members(frame: pd.DataFrame, ids: np.ndarray, dims: list[str],
                  coords: tuple[str, ...]) -> np.ndarray:
    mask = np.ones(len(frame), dtype=bool)
    for dim, value in zip(dims, coords, strict=True):
        if value == "_total":
            continue
        column = frame[dim]
        if column.map(lambda v: isinstance(v, tuple)).any():
            mask &= column.map(lambda v, x=value: x in v if v else x == "unknown").to_numpy()
        else:
            mask &= (column.astype(str) == value).to_numpy()
    return mask


def test_every_published_cell_recomputed_from_raw_passes_the_rules(checked, release):
    frames = _unit_frames(checked)
    p = DEFAULTS.p_percent / 100
    public = set(PUBLIC_TOTAL_KEYS.values())  # programme-wide totals: public by design
    for name, spec in release.tables.specs.items():
        frame, ids = frames[spec.unit]
        table = release.tables.tables[name]
        for row in table.itertuples(index=False):
            coords = tuple(getattr(row, d) for d in spec.dims)
            if (spec.unit, spec.measure or "count", frozenset(
                    (d, v) for d, v in zip(spec.dims, coords, strict=True) if v != "_total")
                    ) in public:
                continue
            mask = _cell_members(frame, ids, list(spec.dims), coords)
            contributors = len(np.unique(ids[mask]))
            if row.status != "published":
                assert pd.isna(row.value)
                continue
            if spec.measure is None:
                assert row.value == mask.sum(), (name, coords)
                assert contributors == 0 or contributors >= DEFAULTS.min_count, (name, coords)
            else:
                values = frame.loc[mask, spec.measure].astype(float).fillna(0)
                per_unit = np.sort(pd.Series(values.to_numpy()).groupby(ids[mask]).sum()
                                   .to_numpy())[::-1]
                assert row.value == pytest.approx(per_unit.sum()), (name, coords)
                if per_unit.sum() > 0:
                    assert contributors >= DEFAULTS.min_contributors, (name, coords)
                    rest = per_unit.sum() - per_unit[:2].sum()
                    assert rest >= p * per_unit[0], (name, coords)


def test_suppressed_cells_are_marked_not_zero_or_blank(release):
    files = _texts(release)
    for name in release.tables.tables:
        frame = pd.read_csv(pd.io.common.StringIO(files[f"{name}.csv"]), dtype=str,
                            keep_default_na=False)
        suppressed = frame["status"] == "suppressed"
        assert (frame.loc[suppressed, "value"] == SUPPRESSED).all()
        assert (frame.loc[~suppressed, "value"] != "").all()
    assert release.tables.summary["primary"].sum() > 0


def test_planted_unique_firm_in_tables(release):
    counts = release.tables.tables["businesses_by_sector_municipality"]
    cell = counts[(counts["broad_sector"] == "mining_energy") & (counts["municipality"] == "28")]
    assert cell["status"].item() == "suppressed"


def _cell_keys(release) -> dict:
    """Every cell as a variable of the attacker's linear system, shared across tables."""
    out = {}
    for name, spec in release.tables.specs.items():
        for row in release.tables.tables[name].itertuples(index=False):
            coords = tuple(getattr(row, d) for d in spec.dims)
            key = (spec.unit, spec.measure or "count",
                   frozenset((d, v) for d, v in zip(spec.dims, coords, strict=True)
                             if v != "_total"))
            out.setdefault(key, (row.value, row.status))
    return out


def _additive_lines(release, frames) -> list[tuple[tuple, list[tuple]]]:
    lines = []
    for name, spec in release.tables.specs.items():
        frame, _ = frames[spec.unit]
        multi = [frame[d].map(lambda v: isinstance(v, tuple)).any() for d in spec.dims]
        table = release.tables.tables[name]
        unit, measure = spec.unit, spec.measure or "count"

        def key(pairs, unit=unit, measure=measure):
            return (unit, measure, frozenset(p for p in pairs if p[1] != "_total"))

        values = [[v for v in table[d].unique() if v != "_total"] for d in spec.dims]
        if len(spec.dims) == 1:
            if not multi[0]:
                lines.append((key([]), [key([(spec.dims[0], v)]) for v in values[0]]))
            continue
        (a, b), (va, vb) = spec.dims, values
        for fixed, free, free_values, is_multi in ((a, b, vb, multi[1]), (b, a, va, multi[0])):
            if is_multi:
                continue
            for v in [*table[fixed].unique()]:
                base = [(fixed, v)]
                lines.append((key(base), [key([*base, (free, w)]) for w in free_values]))
    return lines


def _attacker_intervals(checked, release) -> dict[tuple, tuple[float, float, float]]:
    """An independent attacker: one LP over every published cell and additive relation of
    all tables; for each suppressed cell, (true value, lowest, highest) it could be."""
    cells = _cell_keys(release)
    lines = [(m, ms) for m, ms in _additive_lines(release, _unit_frames(checked))
             if all(k in cells for k in ms) and m in cells]
    unknown = [k for k, (_, status) in cells.items() if status != "published"]
    index = {k: i for i, k in enumerate(unknown)}
    a_eq, b_eq = [], []
    for margin, members in lines:
        row = np.zeros(len(unknown))
        rhs = 0.0
        for k, sign in [(margin, -1.0)] + [(m, 1.0) for m in members]:
            if k in index:
                row[index[k]] += sign
            else:
                rhs -= sign * float(cells[k][0])
        if row.any():
            a_eq.append(row)
            b_eq.append(rhs)
    a = np.array(a_eq) if a_eq else None
    b = np.array(b_eq) if b_eq else None
    truth = _true_values(checked, release)
    out = {}
    for k, i in index.items():
        c = np.zeros(len(unknown))
        c[i] = 1
        lo = linprog(c, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
        hi = linprog(-c, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
        assert lo.status == 0
        out[k] = (truth[k], lo.fun, np.inf if hi.status == 3 else -hi.fun)
    return out


def _true_values(checked, release) -> dict[tuple, float]:
    frames = _unit_frames(checked)
    out = {}
    for spec in release.tables.specs.values():
        frame, ids = frames[spec.unit]
        for row in release.tables.tables[spec.name].itertuples(index=False):
            coords = tuple(getattr(row, d) for d in spec.dims)
            mask = _cell_members(frame, ids, list(spec.dims), coords)
            value = (mask.sum() if spec.measure is None
                     else frame.loc[mask, spec.measure].astype(float).fillna(0).sum())
            out[(spec.unit, spec.measure or "count",
                 frozenset((d, v) for d, v in zip(spec.dims, coords, strict=True)
                           if v != "_total"))] = float(value)
    return out


@pytest.fixture(scope="module")
def attacker(checked, release):
    return _attacker_intervals(checked, release)


def test_lp_audit_no_suppressed_cell_can_be_recovered(attacker):
    assert attacker, "the demo release should have suppressed cells"
    for key, (value, lower, upper) in attacker.items():
        assert lower - 1e-6 <= value <= upper + 1e-6, key
        assert upper - lower >= 1 - 1e-6, (key, value, lower, upper)  # never exact


def test_planted_dominant_firm_is_protected(release, attacker):
    """The retailer with 91% of its sector's turnover: its cell is suppressed and an attacker
    who solves every published table cannot narrow it to within p% of the firm's turnover."""
    turnover = release.tables.tables["turnover_by_sector_municipality"]
    cell = turnover[(turnover["broad_sector"] == "trade") & (turnover["municipality"] == "38")]
    assert cell["status"].item() == "suppressed"
    assert cell["rule"].item() == "p_percent"
    value, lower, upper = attacker[("businesses", "turnover_eur",
                                    frozenset({("broad_sector", "trade"),
                                               ("municipality", "38")}))]
    assert upper - lower >= DEFAULTS.p_percent / 100 * float(DOMINANT_FIRM["annual_turnover_eur"])


def test_differencing_leave_one_business_out(checked, release):
    """No two published counts differ by exactly one business (nor by fewer than min_count):
    subtracting them would isolate it. Sets are compared through XOR hashes of unit ids."""
    frame, ids = _unit_frames(checked)["businesses"]
    rng = np.random.default_rng(0)
    token = rng.integers(1, 2**62, size=len(frame), dtype=np.int64)
    cells = []
    for name, spec in release.tables.specs.items():
        if spec.unit != "businesses" or spec.measure:
            continue
        for row in release.tables.tables[name].itertuples(index=False):
            if row.status != "published":
                continue
            coords = tuple(getattr(row, d) for d in spec.dims)
            members = np.flatnonzero(_cell_members(frame, ids, list(spec.dims), coords))
            cells.append((int(np.bitwise_xor.reduce(token[members], initial=0)), members))
    published = {h for h, _ in cells}
    for h, members in cells:
        for b in members:
            assert (h ^ int(token[b])) not in published


# --- properties over generated inputs ---------------------------------------------------------


@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), n=st.integers(60, 300))
def test_properties_hold_on_generated_inputs(tmp_path_factory, seed, n):
    folder = generate(tmp_path_factory.mktemp("gen") / "raw", enterprises=n, seed=seed)
    result = check_path(folder)
    assert result.ok
    release = anonymise(result, version="0.0.1")
    assert all(rule["passed"] for rule in release.report["rules"])
    published = _published_qi(release).to_numpy(dtype=object)
    raw = _raw_at_published_levels(result, release).to_numpy(dtype=object)
    for pattern in {tuple(r) for r in raw}:
        assert _matches(pattern, published) >= K
    shutil.rmtree(folder)


def test_risk_report_is_in_the_release(release):
    files = release.files()
    report = json.loads(files["disclosure-risk.json"])
    assert report["microdata"]["achieved_k"] >= K
    assert {r["rule"] for r in report["rules"]} >= {"k_anonymity", "l_diversity", "lp_audit",
                                                    "differencing_audit"}
    assert all(r["passed"] for r in report["rules"])
    markdown = files["disclosure-risk.md"].decode("utf-8")
    assert "Achieved k" in markdown and "## Protected tables" in markdown
    assert report["dropped"]["enterprises.csv"][:2] == ["business_name", "owner_name"]



# --- the build command ----------------------------------------------------------------------


def test_build_anonymises_and_names_what_stops_it(raw, tmp_path, monkeypatch, capsys):
    from etl.anonymise import release as release_module
    from etl.anonymise.errors import DisclosureError
    from etl.cli import main

    monkeypatch.delenv(KEY_ENV, raising=False)
    out = tmp_path / "packages"
    assert main(["build", "--raw", str(raw), "--out", str(out), "--quiet"]) == 0
    assert "every rule passed" in capsys.readouterr().err
    out = tmp_path / "again"
    real = tmp_path / "real"
    shutil.copytree(raw, real)
    (real / "_demo.json").unlink()
    assert main(["build", "--raw", str(real), "--out", str(out), "--quiet"]) == 1
    assert KEY_ENV in capsys.readouterr().err

    def failing(*args, **kwargs):
        raise DisclosureError("lp_interval", "turnover_by_sector_municipality", "a cell is exact")

    monkeypatch.setattr(release_module, "anonymise", failing)
    assert main(["build", "--raw", str(raw), "--out", str(out), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "lp_interval" in err and "turnover_by_sector_municipality" in err
    assert not out.exists()

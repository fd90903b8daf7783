"""The handbook's requirements resource: reference data checked against domain facts, and numbers
taken only from published cells of the protected compliance tables."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from etl import derive, handbook
from etl.anonymise.release import AnonymisedRelease, anonymise
from etl.demo import generate
from etl.refdata import REFERENCE_DIR
from etl.validate import check_path


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> AnonymisedRelease:
    raw = generate(tmp_path_factory.mktemp("raw") / "demo", enterprises=400, seed=0)
    result = check_path(raw)
    assert result.ok
    return anonymise(result, version="1.0.0")


@pytest.fixture(scope="module")
def table(release: AnonymisedRelease) -> pd.DataFrame:
    return handbook.requirements_table(release)


def _by_code() -> dict[str, handbook.Requirement]:
    return {r.requirement: r for r in handbook.requirements_reference()}


def _cell(release: AnonymisedRelease, requirement: str, sector: str, code: str) -> pd.Series:
    t = release.tables.tables[f"compliance_{requirement}_by_sector"]
    hit = t[(t["broad_sector"] == sector) & (t[f"req_{requirement}"] == code)]
    assert len(hit) == 1
    return hit.iloc[0]


# --- reference --------------------------------------------------------------------------------


def test_reference_covers_every_requirement_once_in_three_languages() -> None:
    refs = handbook.requirements_reference()
    codes = [r.requirement for r in refs]
    assert codes == ["reg_kosovo_business", "fiscal_registered", *derive.REQUIREMENTS]
    scopes = handbook.requirement_scopes()
    for r in refs:
        assert r.applies_to in scopes
        for lang in handbook.LANGUAGES:
            assert r.authority(lang).strip(), (r.requirement, lang)
            assert 2 <= len(r.steps(lang)) <= 3 and all(s.strip() for s in r.steps(lang))
            assert 1 <= len(r.documents(lang)) <= 4
            assert all(d.strip() and "|" not in d for d in r.documents(lang))
            assert r.documents(lang) == getattr(r, f"documents_{lang}")
            assert scopes[r.applies_to][lang].strip()
        assert len({len(r.steps(lang)) for lang in handbook.LANGUAGES}) == 1
        assert len({len(r.documents(lang)) for lang in handbook.LANGUAGES}) == 1


def test_reference_matches_domain_facts() -> None:
    refs = _by_code()
    assert refs["haccp"].legal_basis.startswith("Regulation No. 11/2011 on Hygiene of Foodstuffs")
    assert refs["haccp"].applies_to == "food_businesses"
    vat = refs["vat_registered"]
    assert vat.legal_basis.startswith("Law No. 05/L-037") and vat.unconfirmed
    assert vat.applies_to == "turnover_above_vat_threshold"
    assert f"{derive.VAT_THRESHOLD_EUR:,}" in " ".join(vat.steps_en)
    assert all("18%" in " ".join(vat.steps(lang)) for lang in handbook.LANGUAGES)
    assert "KBRA" in refs["reg_kosovo_business"].authority_en
    assert "Law No. 06/L-016" in refs["reg_kosovo_business"].legal_basis
    assert "Agencija za registraciju biznisa Kosova" in refs["reg_kosovo_business"].authority_sr
    assert refs["fiscal_registered"].authority_sq.startswith("Administrata Tatimore e Kosovës")
    assert "Agjencia e Ushqimit dhe Veterinarisë" in refs["fva_registration"].authority_sq
    assert "Regulation No. 18/2016" in refs["fva_registration"].legal_basis
    assert refs["pension_contributions"].authority_en == "Kosovo Pension Savings Trust"
    assert refs["pension_contributions"].applies_to == "employers"
    assert "Law No. 03/L-025" in refs["environmental_permit"].legal_basis
    # documents: only what domain-facts.md and the steps name; else "ask the authority"
    docs = {code: " | ".join(r.documents_en).casefold() for code, r in refs.items()}
    assert "identity documents" in docs["reg_kosovo_business"]
    assert "unique identification number" in docs["reg_kosovo_business"]
    assert "fiscal number" in docs["fiscal_registered"]
    assert "vat returns" in docs["vat_registered"]
    assert "sales and purchases" in docs["vat_registered"]
    assert "payroll records" in docs["pension_contributions"]
    assert "employment contract" in docs["written_contracts"]
    assert "30 days before placing food on the market" in docs["fva_registration"]
    assert "haccp-based procedures" in docs["haccp"]
    assert "albanian and serbian" in docs["bilingual_labels"]
    assert "09/2013" in docs["bilingual_labels"]
    assert "conformity" in docs["product_certification"]
    assert "environmental permit" in docs["environmental_permit"]
    for code in ("fva_registration", "environmental_permit", "sector_licence"):
        assert "ask " in docs[code], code  # the sources do not say what the application needs
    for lang in handbook.LANGUAGES:
        assert "lejelicenca.rks-gov.net" in " ".join(refs["sector_licence"].documents(lang))
        assert "30" in " ".join(refs["fva_registration"].documents(lang))
    # Serbian spells HACCP out, as in the steps (Latin acronyms transliterate badly)
    assert not any("HACCP" in " ".join(r.documents_sr) for r in refs.values())
    # only the VAT rates are marked unconfirmed in domain-facts.md
    assert [r.requirement for r in refs.values() if r.unconfirmed] == ["vat_registered"]


def test_reference_files_are_well_formed() -> None:
    for name in ("requirements.csv", "requirement_scopes.csv"):
        raw = (REFERENCE_DIR / name).read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw and raw.endswith(b"\n")
    with (REFERENCE_DIR / "requirement_scopes.csv").open(encoding="utf-8", newline="") as fh:
        scope_codes = [row["code"] for row in csv.DictReader(fh)]
    assert sorted(scope_codes) == sorted({r.applies_to for r in handbook.requirements_reference()})


def test_loader_refuses_a_missing_requirement(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    _copy_reference(tmp_path)
    lines = (tmp_path / "requirements.csv").read_text(encoding="utf-8").splitlines(True)
    (tmp_path / "requirements.csv").write_text(
        "".join(line for line in lines if not line.startswith("haccp,")), encoding="utf-8")
    monkeypatch.setattr(handbook, "REFERENCE_DIR", tmp_path)
    handbook._requirements.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"missing \['haccp'\]"):
            handbook.requirements_reference()
    finally:
        handbook._requirements.cache_clear()


def _copy_reference(tmp_path: Path) -> None:
    for name in ("requirements.csv", "requirement_scopes.csv", "nace_broad_sectors.csv"):
        (tmp_path / name).write_bytes((REFERENCE_DIR / name).read_bytes())


def _set_field(tmp_path: Path, code: str, values: dict[str, str]) -> int:
    """Rewrite `values` into the row of requirement `code`; its line number in the file."""
    path = tmp_path / "requirements.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    columns = list(rows[0])
    line = next(i for i, row in enumerate(rows, start=2) if row["requirement"] == code)
    rows[line - 2].update(values)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return line


_HACCP = _by_code()["haccp"]


@pytest.mark.parametrize(("values", "message"), [
    ({"documents_sq": ""}, r"column documents_sq: empty"),
    ({"documents_sr": " | "},
     r"column documents_sr: expected 1-4 non-empty documents separated by ' \| ', found 2 "
     r"\(2 empty\)"),
    ({lang: " | ".join(f"Document {i}" for i in range(5))
      for lang in ("documents_en", "documents_sq", "documents_sr")},
     r"column documents_en: expected 1-4 non-empty documents separated by ' \| ', found 5"),
    ({"documents_en": " | ".join(_HACCP.documents_en) + " | Another document"},
     r"columns documents_en, documents_sq, documents_sr: the languages give different numbers of "
     r"documents \(documents_en: 3, documents_sq: 2, documents_sr: 2\)"),
], ids=["empty", "blank-items", "five-items", "different-counts"])
def test_loader_refuses_a_bad_documents_field(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              values: dict[str, str], message: str) -> None:
    assert len(_HACCP.documents_en) == 2  # the counts in the message below
    _copy_reference(tmp_path)
    line = _set_field(tmp_path, "haccp", values)
    monkeypatch.setattr(handbook, "REFERENCE_DIR", tmp_path)
    handbook._requirements.cache_clear()
    try:
        with pytest.raises(ValueError, match=rf"^requirements\.csv, line {line}, {message}"):
            handbook.requirements_reference()
    finally:
        handbook._requirements.cache_clear()


def test_loader_accepts_one_to_four_documents(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    _copy_reference(tmp_path)
    four = {f"documents_{lang}": " | ".join(f"Document {i} ({lang})" for i in range(4))
            for lang in handbook.LANGUAGES}
    _set_field(tmp_path, "haccp", four)
    _set_field(tmp_path, "vat_registered", {f"documents_{lang}": f"Ask TAK ({lang})"
                                            for lang in handbook.LANGUAGES})
    monkeypatch.setattr(handbook, "REFERENCE_DIR", tmp_path)
    handbook._requirements.cache_clear()
    try:
        refs = _by_code()
        assert refs["haccp"].documents("sr") == tuple(f"Document {i} (sr)" for i in range(4))
        assert refs["vat_registered"].documents("sq") == ("Ask TAK (sq)",)
    finally:
        handbook._requirements.cache_clear()


def test_reference_is_a_fresh_list() -> None:
    first = handbook.requirements_reference()
    first.clear()
    assert len(handbook.requirements_reference()) == len(handbook.REQUIREMENT_CODES)


# --- table ------------------------------------------------------------------------------------


def test_table_shape_and_order(release: AnonymisedRelease, table: pd.DataFrame) -> None:
    assert tuple(table.columns) == handbook.TABLE_COLUMNS
    sectors = list(dict.fromkeys(table["broad_sector"]))
    file_order = list(dict.fromkeys(
        pd.read_csv(REFERENCE_DIR / "nace_broad_sectors.csv")["broad_sector"]))
    assert sectors == [s for s in file_order if s in sectors]
    present = set(release.tables.tables["compliance_haccp_by_sector"]["broad_sector"])
    assert set(sectors) == present - {"_total", "unknown"}
    expected = [(s, r) for s in sectors for r in handbook.REQUIREMENT_CODES]
    assert list(zip(table["broad_sector"], table["requirement"], strict=True)) == expected
    assert table.equals(handbook.requirements_table(release))  # deterministic
    refs = _by_code()
    for row in table.itertuples():
        ref = refs[row.requirement]
        for lang in handbook.LANGUAGES:
            assert getattr(row, f"steps_{lang}") == " | ".join(ref.steps(lang))
            assert getattr(row, f"documents_{lang}") == " | ".join(ref.documents(lang))
    assert set(table["status"]) <= {"published", "suppressed", "not_applicable"}


def test_numbers_equal_published_met_and_gap_cells(release: AnonymisedRelease,
                                                   table: pd.DataFrame) -> None:
    published = table[table["status"] == "published"]
    assert len(published) > 0
    for row in published.itertuples():
        met = _cell(release, row.requirement, row.broad_sector, "met")
        gap = _cell(release, row.requirement, row.broad_sector, "gap")
        assert met["status"] == gap["status"] == "published"
        assert row.businesses_meeting == met["value"]
        assert row.businesses_applicable == met["value"] + gap["value"]
        assert row.share_meeting_pct == round(100 * met["value"] / (met["value"] + gap["value"]),
                                              1)
    for row in table[table["status"] == "not_applicable"].itertuples():
        assert row.businesses_applicable == 0 and pd.isna(row.share_meeting_pct)


def test_no_number_comes_from_a_suppressed_cell(release: AnonymisedRelease,
                                                table: pd.DataFrame) -> None:
    numbers = ["businesses_applicable", "businesses_meeting", "share_meeting_pct"]
    for row in table.itertuples():
        cells = [_cell(release, row.requirement, row.broad_sector, c) for c in ("met", "gap")]
        if any(c["status"] != "published" for c in cells):
            assert row.status == "suppressed"
            assert all(pd.isna(getattr(row, n)) for n in numbers), row
        else:
            assert row.status != "suppressed"
    assert (table["status"] == "suppressed").any()


def test_a_suppressed_cell_yields_suppressed_status(release: AnonymisedRelease,
                                                    table: pd.DataFrame,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    row = table[table["status"] == "published"].iloc[0]
    name = f"compliance_{row['requirement']}_by_sector"
    frame = release.tables.tables[name].copy()
    hit = (frame["broad_sector"] == row["broad_sector"]) & (frame[f"req_{row['requirement']}"]
                                                            == "gap")
    frame.loc[hit, "status"] = "suppressed"  # the value stays: only the status may count
    monkeypatch.setitem(release.tables.tables, name, frame)
    again = handbook.requirements_table(release)
    changed = again[(again["broad_sector"] == row["broad_sector"])
                    & (again["requirement"] == row["requirement"])].iloc[0]
    assert changed["status"] == "suppressed"
    assert pd.isna(changed["businesses_applicable"]) and pd.isna(changed["businesses_meeting"])
    assert pd.isna(changed["share_meeting_pct"])
    others = again.index != changed.name
    assert again[others].equals(table[others])

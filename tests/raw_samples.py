"""A tiny, valid raw input written by hand, for tests to break one rule at a time."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

from etl.rawformat import tables

ENTERPRISE = {
    "enterprise_id": "PM-001", "business_name": "SZR Jovanović", "owner_name": "Marko Jovanović",
    "registration_number": "81234567", "fiscal_number": "601234567",
    "phone": "+383 44 123 456", "email": "marko.jovanovic@example.com",
    "address": "Kralja Petra I 12", "latitude": "42.884", "longitude": "20.866",
    "municipality": "Severna Mitrovica", "settlement": "Sunčani Breg", "nace_code": "10.51",
    "legal_form": "individual_business", "founded_year": "2008", "employees_full_time": "3",
    "employees_part_time": "1", "employees_female": "2", "owner_gender": "male",
    "owner_ethnicity": "serb", "owner_age": "44", "annual_turnover_eur": "42000.50",
    "reg_kosovo_business": "yes", "reg_serbian_apr": "yes", "fiscal_registered": "yes",
    "vat_registered": "yes", "pension_contributions": "yes", "written_contracts": "no",
    "fva_registration": "yes", "haccp": "no", "bilingual_labels": "no",
    "product_certification": "no", "environmental_permit": "na", "sector_licence": "yes",
    "sells_rest_of_kosovo": "no", "sells_serbia": "yes", "exports_other": "no",
    "growth_potential": "4", "growth_constraints": "finance certification",
    "training_needs": "food_safety labelling", "interview_date": "2019-04-12",
    "comments": "Mlekara, treba HACCP.",
}


def sample() -> dict[str, list[dict[str, str]]]:
    """A valid input: every file, every column, several spellings the contract allows."""
    e2 = {**ENTERPRISE, "enterprise_id": "PM-002", "business_name": "Stolarija Petrović",
          "municipality": "Звечан", "nace_code": "16.23", "legal_form": "LLC",
          "employees_female": "", "fva_registration": "na", "haccp": "NA",
          "interview_date": "15.05.2019", "founded_year": "2019"}
    e3 = {**ENTERPRISE, "enterprise_id": "PM-003", "business_name": "Agro Leposaviq",
          "municipality": "Leposaviq", "nace_code": "01", "employees_full_time": "0",
          "employees_part_time": "", "employees_female": "0", "owner_gender": "female",
          "owner_ethnicity": "albanian", "interview_date": "2019-06-01"}
    e4 = {**ENTERPRISE, "enterprise_id": "PM-004", "municipality": "28",
          "annual_turnover_eur": "", "growth_constraints": "", "training_needs": ""}
    product = {"enterprise_id": "PM-001", "product_name": "Sir kravlji", "hs_code": "0406",
               "annual_volume": "1200", "unit": "kg", "share_of_sales_pct": "80",
               "certified": "no", "sold_in": "local serbia"}
    training = {"training_id": "T01", "title": "Food safety basics", "topic": "food_safety",
                "format": "workshop", "municipality": "North Mitrovica",
                "start_date": "2019-09-10", "end_date": "2019-09-11", "hours": "12",
                "provider": "AKTIV"}
    attendee = {"training_id": "T01", "participant_name": "Dragana Milić",
                "enterprise_id": "PM-001", "gender": "female", "ethnicity": "serb", "age": "35",
                "municipality": "Mitrovicë e Veriut", "pre_score": "40", "post_score": "75",
                "satisfaction": "5", "completed": "yes"}
    meeting = {"meeting_id": "B01", "date": "2019-11-05", "phase": "pilot",
               "north_enterprise_id": "PM-001", "counterpart_name": "Fabrika Krasniqi SH.P.K.",
               "counterpart_municipality": "Prishtinë", "counterpart_nace_code": "46.33",
               "language": "mixed", "interpretation": "yes", "outcome": "agreement_signed",
               "deal_value_eur": "5000", "obstacles": "language payment_systems",
               "follow_up_date": "2019-12-01", "notes": "Dogovor o isporuci sira."}
    indicator = {"indicator_id": "OUT1.1", "level": "output", "title_en": "Businesses mapped",
                 "title_sq": "Bizneset e hartuara", "title_sr": "Mapirana preduzeća",
                 "unit": "count", "metric": "businesses_mapped", "baseline": "0",
                 "baseline_year": "2019", "target": "400", "target_date": "2019-12-31",
                 "ascending": "yes"}
    manual = {**indicator, "indicator_id": "OC1.1", "level": "outcome", "metric": "",
              "title_en": "New trade links", "unit": "count", "target": "10"}
    report = {"indicator_id": "OC1.1", "period_start": "2020-01-01",
              "period_end": "2020-06-30", "actual": "4", "note": "From follow-up calls."}
    return {
        "enterprises": [ENTERPRISE, e2, e3, e4],
        "products": [product, {**product, "enterprise_id": "PM-002", "hs_code": "",
                               "product_name": "Izrada vrata", "unit": "piece",
                               "sold_in": "local"}],
        "trainings": [training, {**training, "training_id": "T02", "topic": "marketing",
                                 "start_date": "01.10.2019", "end_date": "01.10.2019",
                                 "municipality": "Зубин Поток"}],
        "attendance": [attendee, {**attendee, "training_id": "T02", "enterprise_id": "",
                                  "participant_name": "Arben Krasniqi", "gender": "male"}],
        "b2b_meetings": [meeting, {**meeting, "meeting_id": "B02", "outcome": "no_agreement",
                                   "deal_value_eur": "", "counterpart_municipality": "11",
                                   "phase": "scale_up"}],
        "indicators": [indicator, manual],
        "indicator_reports": [report],
    }


#: A valid supplier-directory listing of PM-001 (the sample has no directory file).
LISTING = {
    "enterprise_id": "PM-001", "consent_date": "2019-05-02", "consent_withdrawn": "",
    "listed_name": "Mlekara Jovanović", "contact_person": "Marko Jovanović",
    "public_phone": "+383 44 123 456", "public_email": "marko.jovanovic@example.com",
    "website": "https://www.mlekara-jovanovic.example/sir", "languages": "sr en",
    "description_en": "Cow's cheese from our own farm; delivery across Kosovo.",
    "description_sq": "", "description_sr": "Kravlji sir sa naše farme.",
    "show_products": "yes", "show_certifications": "No", "show_municipality": "YES",
}


def with_directory(data: dict[str, list[dict[str, str]]],
                   *listings: dict[str, str]) -> dict[str, list[dict[str, str]]]:
    """``data`` plus a directory file of ``listings``: LISTING and a second valid one (PM-003,
    withdrawn, bare website) when none are given."""
    rows = list(listings) or [
        LISTING,
        {**LISTING, "enterprise_id": "PM-003", "consent_date": "01.06.2019",
         "consent_withdrawn": "2020-02-01", "listed_name": "Agro Leposaviq",
         "contact_person": "", "public_phone": "", "public_email": "",
         "website": "www.agro-leposaviq.example", "languages": "", "description_en": "",
         "description_sq": "Mjaltë dhe fruta (< 5 kg).", "description_sr": "",
         "show_products": "no", "show_certifications": "yes", "show_municipality": "no"},
    ]
    return {**data, "directory_listings": [dict(r) for r in rows]}


def write_csv(folder: Path, data: dict[str, list[dict[str, str]]]) -> Path:
    """Write each table with the contract's columns (plus any extra keys the rows carry)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in data.items():
        columns = list(tables()[name].column_names)
        for row in rows:
            columns += [k for k in row if k not in columns]
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return folder


def write_xlsx(path: Path, data: dict[str, list[dict[str, str]]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in data.items():
        ws = book.create_sheet(name)
        columns = list(tables()[name].column_names)
        ws.append(columns)
        for row in rows:
            ws.append([row.get(c, "") for c in columns])
    book.save(path)
    return path


@pytest.fixture(params=["csv", "xlsx"])
def write(request: pytest.FixtureRequest, tmp_path: Path
          ) -> Callable[[dict[str, list[dict[str, str]]]], Path]:
    """Writes a raw input as a folder of CSV files, then (second run) as one workbook."""
    def _write(data: dict[str, list[dict[str, str]]]) -> Path:
        if request.param == "csv":
            return write_csv(tmp_path / "raw", data)
        return write_xlsx(tmp_path / "raw.xlsx", data)
    return _write

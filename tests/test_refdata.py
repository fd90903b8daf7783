"""Tests of the reference data (etl/reference/*.csv) and its loader etl.refdata."""

from __future__ import annotations

import csv

import pytest

from etl import refdata
from etl.refdata import normalise_name
from etl.translit import latin_to_cyrillic

NAME_COLUMNS = ("name_en", "name_sq", "name_sr_latn", "name_sr_cyrl")

# The contract: the code lists of raw-format.md, in its order.
EXPECTED_CODELISTS: dict[str, list[str]] = {
    "legal_form": [
        "individual_business",
        "general_partnership",
        "limited_partnership",
        "llc",
        "jsc",
        "agricultural_cooperative",
        "foreign_branch",
        "other",
    ],
    "owner_gender": ["female", "male", "mixed", "undisclosed"],
    "gender": ["female", "male", "other", "undisclosed"],
    "ethnicity": [
        "serb",
        "albanian",
        "bosniak",
        "gorani",
        "roma",
        "ashkali",
        "egyptian",
        "turkish",
        "montenegrin",
        "other",
        "undisclosed",
    ],
    "yes_no": ["yes", "no"],
    "yes_no_na": ["yes", "no", "na"],
    "growth_constraint": [
        "finance",
        "skills",
        "certification",
        "market_access",
        "language",
        "political_uncertainty",
        "transport",
        "payment_systems",
        "registration",
        "competition",
        "labour",
    ],
    "training_topic": [
        "registration",
        "tax_vat",
        "food_safety",
        "standards_certification",
        "labelling",
        "marketing",
        "finance_access",
        "bookkeeping",
        "digital",
        "export",
        "public_procurement",
        "business_language",
    ],
    "training_format": ["workshop", "training", "coaching", "study_visit"],
    "product_unit": ["kg", "t", "l", "piece", "m2", "m3", "hour", "other"],
    "sold_in": ["local", "rest_of_kosovo", "serbia", "region", "eu", "other"],
    "b2b_phase": ["pilot", "scale_up"],
    "b2b_language": ["albanian", "serbian", "english", "mixed"],
    "b2b_outcome": ["agreement_signed", "follow_up_planned", "no_agreement", "cancelled"],
    "b2b_obstacle": [
        "language",
        "payment_systems",
        "certification",
        "transport",
        "registration",
        "taxation_customs",
        "political",
        "trust",
        "pricing",
        "quality",
    ],
    "indicator_level": ["impact", "outcome", "output"],
    "indicator_unit": ["count", "percent", "eur"],
    "growth_potential": ["1", "2", "3", "4", "5"],
    "metric": [
        "businesses_mapped",
        "businesses_registered_share",
        "businesses_fiscal_share",
        "businesses_vat_share",
        "businesses_dual_registered_share",
        "food_businesses_fva_share",
        "food_businesses_haccp_share",
        "bilingual_labels_share",
        "businesses_selling_rest_of_kosovo_share",
        "sessions_held",
        "training_hours",
        "people_trained",
        "women_trained",
        "women_trained_share",
        "participants_completed_share",
        "mean_knowledge_gain",
        "mean_satisfaction",
        "businesses_trained",
        "b2b_meetings_held",
        "b2b_pilot_meetings_held",
        "b2b_agreements_signed",
        "b2b_deal_value_eur",
        "b2b_meetings_with_interpretation",
    ],
    "directory_language": ["sq", "sr", "en", "de", "tr", "bs"],
    "directory_certification": ["haccp", "product_certification", "fva_registration",
                                "vat_registered"],
}

# From domain-facts.md.
GIVEN_COORDINATES = {
    "11": (42.890, 20.870),
    "12": (43.100, 20.800),
    "28": (42.917, 20.683),
    "29": (42.900, 20.833),
    "38": (42.883, 20.867),
}


def _csv_rows(filename: str) -> list[dict[str, str]]:
    with (refdata.REFERENCE_DIR / filename).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- municipalities ----------------------------------------------------------------------------


def test_38_municipalities_with_codes_01_to_38_in_order() -> None:
    codes = [m.kas_code for m in refdata.municipalities()]
    assert codes == [f"{i:02d}" for i in range(1, 39)]


@pytest.mark.parametrize("column", NAME_COLUMNS)
def test_names_unique_and_non_empty_per_column(column: str) -> None:
    names = [getattr(m, column) for m in refdata.municipalities()]
    assert all(name.strip() == name and name for name in names)
    assert len({normalise_name(n) for n in names}) == 38


def test_northern_codes() -> None:
    assert refdata.northern_codes() == frozenset({"12", "28", "29", "38"})
    northern = {m.kas_code for m in refdata.municipalities() if m.northern}
    assert northern == {"12", "28", "29", "38"}


def test_domain_facts_names_of_the_north() -> None:
    by_code = refdata.municipalities_by_code()
    expected = {
        "38": ("North Mitrovica", "Mitrovicë e Veriut", "Severna Mitrovica", "Северна Митровица"),
        "29": ("Zvečan", "Zveçan", "Zvečan", "Звечан"),
        "28": ("Zubin Potok", "Zubin Potok", "Zubin Potok", "Зубин Поток"),
        "12": ("Leposavić", "Leposaviq", "Leposavić", "Лепосавић"),
        "11": ("South Mitrovica", "Mitrovicë", "Kosovska Mitrovica", "Косовска Митровица"),
    }
    for code, names in expected.items():
        assert by_code[code].names == names
        assert by_code[code].district == "Mitrovica"


def test_coordinates() -> None:
    for m in refdata.municipalities():
        assert 41.8 < m.latitude < 43.3 and 20.0 < m.longitude < 21.8, m
        if m.kas_code in GIVEN_COORDINATES:
            assert (m.latitude, m.longitude) == GIVEN_COORDINATES[m.kas_code]


# From domain-facts.md: KAS codes of each district.
DISTRICTS = {
    "Prishtina": {"19", "18", "03", "09", "13", "15", "14", "35"},
    "Mitrovica": {"11", "38", "12", "29", "28", "27", "21"},
    "Peja": {"17", "06", "08"},
    "Gjakova": {"02", "01", "33", "16"},
    "Prizren": {"20", "24", "30", "05", "32"},
    "Ferizaj": {"25", "07", "22", "23", "31"},
    "Gjilan": {"04", "10", "26", "34", "36", "37"},
}


def test_districts() -> None:
    found: dict[str, set[str]] = {}
    for m in refdata.municipalities():
        found.setdefault(m.district, set()).add(m.kas_code)
    assert found == DISTRICTS


def test_cyrillic_column_is_the_transliteration() -> None:
    for row in _csv_rows("municipalities.csv"):
        assert row["name_sr_cyrl"] == latin_to_cyrillic(row["name_sr_latn"])


def test_municipality_csv_format() -> None:
    raw = (refdata.REFERENCE_DIR / "municipalities.csv").read_bytes()
    assert b"\r" not in raw and not raw.startswith(b"\xef\xbb\xbf")
    for row in _csv_rows("municipalities.csv"):
        assert row["northern"] in {"yes", "no"}
        assert len(row["latitude"].split(".")[1]) == 3
        assert len(row["longitude"].split(".")[1]) == 3


def test_every_name_resolves_to_its_code() -> None:
    lookup = refdata.municipality_lookup()
    for m in refdata.municipalities():
        for name in m.names:
            assert lookup[normalise_name(name)] == m.kas_code, name
        assert lookup[m.kas_code] == m.kas_code
        assert lookup[str(int(m.kas_code))] == m.kas_code


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("Северна Митровица", "38"),
        ("Mitrovicë e Veriut", "38"),
        ("Severna Mitrovica", "38"),
        ("North Mitrovica", "38"),
        ("38", "38"),
        (" north   MITROVICA ", "38"),
        ("North-Mitrovica", "38"),
        ("Mitrovica North", "38"),
        ("mitrovice e veriut", "38"),
        ("Mitrovica", "11"),
        ("MITROVICË", "11"),
        ("Kosovska Mitrovica", "11"),
        ("Косовска Митровица", "11"),
        ("South Mitrovica", "11"),
        ("Zvecan", "29"),
        ("ZVEČAN", "29"),
        ("Звечан", "29"),
        ("Leposavic", "12"),
        ("Лепосавић", "12"),
        ("Zubin  Potok", "28"),
        ("Pristina", "19"),
        ("Priština", "19"),
        ("Prishtina", "19"),
        ("Приштина", "19"),
        ("Gracanica", "35"),
        ("Kosovo Polje", "09"),
        ("Fushë Kosovë", "09"),
        ("Hani i Elezit", "31"),
        ("3", "03"),
        ("03", "03"),
    ],
)
def test_lookup_examples(raw: str, code: str) -> None:
    assert refdata.municipality_lookup()[normalise_name(raw)] == code


def test_plain_mitrovica_is_not_an_alias_of_the_north() -> None:
    lookup = refdata.municipality_lookup()
    for raw in ("Mitrovica", "Mitrovicë", "Mitrovice", "Митровица"):
        assert lookup[normalise_name(raw)] == "11"


def test_aliases_are_extra_and_consistent() -> None:
    names = {
        normalise_name(getattr(m, column)): m.kas_code
        for m in refdata.municipalities()
        for column in NAME_COLUMNS
    }
    codes = {m.kas_code for m in refdata.municipalities()}
    seen: dict[str, str] = {}
    for row in _csv_rows("municipality_aliases.csv"):
        key = normalise_name(row["alias"])
        assert row["kas_code"] in codes
        assert key not in names, f"{row['alias']!r} is already a name of {names[key]}"
        assert seen.setdefault(key, row["kas_code"]) == row["kas_code"], row
        assert refdata.municipality_lookup()[key] == row["kas_code"]


def test_normalise_name() -> None:
    assert normalise_name("  Mitrovicë–e  Veriut\t") == "mitrovicë e veriut"
    assert normalise_name("Mitrovic\u0065\u0308") == "mitrovicë"  # decomposed ë → NFC
    assert normalise_name("ZVEČAN") == "zvečan"  # diacritics kept
    assert normalise_name("Zvečan") != normalise_name("Zvecan")


def test_results_are_copies() -> None:
    refdata.municipality_lookup()["x"] = "99"
    assert "x" not in refdata.municipality_lookup()
    refdata.codelist("yes_no")["yes"]["en"] = "changed"
    assert refdata.codelist("yes_no")["yes"]["en"] == "Yes"


# --- transliteration ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("Ljubljana", "Љубљана"),
        ("LJUBLJANA", "ЉУБЉАНА"),
        ("NJEGOŠ", "ЊЕГОШ"),
        ("Njegoš", "Његош"),
        ("Džakula", "Џакула"),
        ("DŽAKULA", "ЏАКУЛА"),
        ("Đakovica", "Ђаковица"),
        ("Uroševac", "Урошевац"),
        ("Kosovo Polje", "Косово Поље"),
        ("Gnjilane", "Гњилане"),
        ("Severna Mitrovica", "Северна Митровица"),
        ("Leposavić", "Лепосавић"),
        ("čćšžđ ČĆŠŽĐ", "чћшжђ ЧЋШЖЂ"),
        ("Zvec\u030can", "Звечан"),  # decomposed č
        ("B2B (€) 1–5", "Б2Б (€) 1–5"),
        ("", ""),
    ],
)
def test_latin_to_cyrillic(latin: str, cyrillic: str) -> None:
    assert latin_to_cyrillic(latin) == cyrillic


# --- NACE and HS -------------------------------------------------------------------------------


def test_nace_sections() -> None:
    sections = refdata.nace_sections()
    assert list(sections) == [chr(c) for c in range(ord("A"), ord("U") + 1)]
    assert sections["C"] == "Manufacturing"
    assert all(label for label in sections.values())


def test_nace_divisions() -> None:
    divisions = refdata.nace_divisions()
    sections = refdata.nace_sections()
    assert len(divisions) == 88
    assert all(len(code) == 2 and code.isdigit() for code in divisions)
    assert all(d.section in sections and d.label_en for d in divisions.values())
    assert {d.section for d in divisions.values()} == set(sections)
    for missing in ("04", "34", "40", "44", "48", "54", "57", "67", "76", "83", "89"):
        assert missing not in divisions
    assert divisions["10"].section == "C"
    assert divisions["10"].label_en == "Manufacture of food products"
    assert divisions["56"].section == "I"
    assert divisions["99"].section == "U"


def test_hs_chapters() -> None:
    chapters = refdata.hs_chapters()
    assert list(chapters) == [f"{i:02d}" for i in range(1, 98)]
    assert chapters["77"].label_en == "(Reserved for possible future use)"
    assert chapters["01"].section == "I"
    assert chapters["15"].section == "III"
    assert chapters["97"].section == "XXI"
    roman = {"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI"}
    roman |= {"XII", "XIII", "XIV", "XV", "XVI", "XVII", "XVIII", "XIX", "XX", "XXI"}
    assert {c.section for c in chapters.values()} == roman
    assert all(c.label_en for c in chapters.values())


def _assert_trilingual(labels: dict[str, str], where: str) -> None:
    assert set(labels) == {"en", "sq", "sr-Latn", "sr-Cyrl"}, where
    assert all(value.strip() == value and value for value in labels.values()), (where, labels)
    assert labels["sr-Cyrl"] == latin_to_cyrillic(labels["sr-Latn"]), where
    # Letters outside the Serbian alphabet would survive transliteration as Latin.
    assert not set(labels["sr-Latn"].lower()) & set("qwxyëç"), (where, labels["sr-Latn"])


def test_nace_section_labels_trilingual() -> None:
    labels = refdata.nace_section_labels()
    assert list(labels) == list(refdata.nace_sections())
    for code, lab in labels.items():
        _assert_trilingual(lab, code)
        assert lab["en"] == refdata.nace_sections()[code]
    assert labels["C"]["sr-Latn"] == "Prerađivačka industrija"
    assert labels["C"]["sr-Cyrl"] == "Прерађивачка индустрија"
    assert labels["A"]["sq"] == "Bujqësia, pylltaria dhe peshkimi"


def test_nace_division_labels_trilingual() -> None:
    for code, d in refdata.nace_divisions().items():
        _assert_trilingual(
            {"en": d.label_en, "sq": d.label_sq, "sr-Latn": d.label_sr_latn,
             "sr-Cyrl": latin_to_cyrillic(d.label_sr_latn)}, code)
    assert refdata.nace_divisions()["10"].label_sr_latn == "Proizvodnja prehrambenih proizvoda"


def test_hs_chapter_labels_trilingual() -> None:
    for code, c in refdata.hs_chapters().items():
        _assert_trilingual(
            {"en": c.label_en, "sq": c.label_sq, "sr-Latn": c.label_sr_latn,
             "sr-Cyrl": latin_to_cyrillic(c.label_sr_latn)}, code)


def test_broad_sector_labels_trilingual() -> None:
    from etl.anonymise.hierarchies import broad_sector_labels, broad_sector_labels_all

    labels = broad_sector_labels_all()
    assert len(labels) == 8
    assert list(labels) == list(broad_sector_labels())
    for sector, lab in labels.items():
        _assert_trilingual(lab, sector)
        assert lab["en"] == broad_sector_labels()[sector]


@pytest.mark.parametrize("name", ["broad_sector", "nace_section", "nace_division", "hs_chapter"])
def test_published_vocabularies_are_trilingual(name: str) -> None:
    from etl.publish.vocabulary import vocabulary

    labels = vocabulary(name)
    assert labels
    for code, lab in labels.items():
        _assert_trilingual(lab, f"{name}:{code}")


def test_label_columns_follow_label_en() -> None:
    for filename in ("nace_sections.csv", "nace_divisions.csv", "hs_chapters.csv",
                     "nace_broad_sectors.csv"):
        with (refdata.REFERENCE_DIR / filename).open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        assert header[-3:] == ["label_en", "label_sq", "label_sr_latn"], filename


# --- code lists --------------------------------------------------------------------------------


def test_codelist_names() -> None:
    assert refdata.codelist_names() == list(EXPECTED_CODELISTS)


@pytest.mark.parametrize("name", list(EXPECTED_CODELISTS))
def test_codelist_codes_and_labels(name: str) -> None:
    codes = refdata.codelist(name)
    assert list(codes) == EXPECTED_CODELISTS[name]
    for code, labels in codes.items():
        assert set(labels) == {"en", "sq", "sr-Latn", "sr-Cyrl"}, code
        assert all(value.strip() for value in labels.values()), (code, labels)
        assert labels["sr-Cyrl"] == latin_to_cyrillic(labels["sr-Latn"])
        # Letters outside the Serbian alphabet would survive transliteration as Latin.
        assert not set(labels["sr-Latn"].lower()) & set("qwxy"), labels["sr-Latn"]


def test_growth_potential_labels() -> None:
    labels = refdata.codelist("growth_potential")
    assert labels["1"]["en"] == "1 – very low"
    assert labels["5"]["en"] == "5 – very high"


def test_unknown_codelist() -> None:
    with pytest.raises(KeyError, match="unknown code list 'nope'"):
        refdata.codelist("nope")


def test_reference_files_are_plain_utf8_csv() -> None:
    for path in sorted(refdata.REFERENCE_DIR.glob("*.csv")):
        raw = path.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), path.name
        assert b"\r" not in raw, path.name
        assert raw.endswith(b"\n"), path.name
        raw.decode("utf-8")

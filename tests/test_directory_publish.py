"""The supplier directory as `etl build` publishes it: exactly the consented fields, withdrawn
listings gone (and counted, never named, in the release notes), stable ids, and no directory
value anywhere else in the release."""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from leaks import leaked, raw_secrets, release_files

from etl import refdata
from etl.anonymise.hierarchies import nace_broad_sectors
from etl.anonymise.pseudonym import DEMO_KEY
from etl.demo import generate
from etl.publish import run
from etl.publish.directory import release_note
from etl.publish.releases import (
    CHANGELOG,
    DESCRIPTOR,
    DIRECTORY,
    INDEX,
    ReleaseError,
    fingerprint,
    read_index,
    verify,
)
from etl.validate import check_path
from tests.conftest import DEMO_PACKAGES

CERTIFICATIONS = ("fva_registration", "haccp", "product_certification", "vat_registered")
FLAGS = {"products": "show_products", "certifications": "show_certifications",
         "municipality": "show_municipality"}
COLUMNS = ["enterprise_id", "consent_date", "consent_withdrawn", "listed_name",
           "contact_person", "public_phone", "public_email", "website", "languages",
           "description_en", "description_sq", "description_sr", "show_products",
           "show_certifications", "show_municipality"]

#: Four listings; between the two releases A, B and C each flip exactly one flag and D
#: withdraws consent.
FIRST = {  # letter: (show_products, show_certifications, show_municipality)
    "A": ("yes", "yes", "yes"), "B": ("no", "no", "no"), "C": ("yes", "no", "yes"),
    "D": ("no", "yes", "no")}
SECOND = {"A": ("no", "yes", "yes"), "B": ("no", "yes", "no"), "C": ("yes", "no", "no")}
FLIPPED = {"A": "products", "B": "certifications", "C": "municipality"}
CONSENT = {"A": "2021-06-03", "B": "2021-09-27", "C": "2022-01-19", "D": "2022-04-08"}
WITHDRAWN = "2023-02-14"


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _chosen(raw: Path) -> dict[str, str]:
    """Four businesses whose raw products and answers need no cleaning, so the expectations
    below can be read straight from the CSV files."""
    products = _read(raw / "products.csv")
    lookup = refdata.municipality_lookup()
    chosen = []
    for row in _read(raw / "enterprises.csv"):
        own = [p for p in products if p["enterprise_id"] == row["enterprise_id"]]
        if (own and all(p["hs_code"].isdigit() for p in own)
                and all(row[c] in ("yes", "no", "na", "") for c in CERTIFICATIONS)
                and any(row[c] == "yes" for c in CERTIFICATIONS)
                and refdata.normalise_name(row["municipality"]) in lookup):
            chosen.append(row["enterprise_id"])
    return dict(zip("ABCD", chosen[:4], strict=True))


def _listing(letter: str, eid: str, business_name: str, flags: tuple[str, str, str],
             withdrawn: str = "") -> dict[str, str]:
    return {
        "enterprise_id": eid, "consent_date": CONSENT[letter], "consent_withdrawn": withdrawn,
        # B is listed under its survey name; the others under a trade name of their own.
        "listed_name": business_name if letter == "B" else f"Trgovina Vrelo {letter}zq",
        "contact_person": f"Kontakt Osoba{letter}qx",
        "public_phone": f"+383 49 77{ord(letter)} 913",
        "public_email": f"sales.{letter.lower()}q@vrelo-test.example",
        "website": f"https://vrelo-{letter.lower()}q.example/shop",
        "languages": "sr sq" if letter in "AC" else "",
        "description_en": f"We press cold oils, batch {letter}-zq7, ship weekly.",
        "description_sq": f"Prodhojmë vaj të ftohtë, seria {letter}-zq7." if letter != "B" else "",
        "description_sr": f"Hladno ceđena ulja, serija {letter}-zq7." if letter != "C" else "",
        "show_products": flags[0], "show_certifications": flags[1], "show_municipality": flags[2],
    }


def _raw(source: Path, folder: Path, listings: list[dict[str, str]]) -> Path:
    shutil.copytree(source, folder)
    with (folder / "directory_listings.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, COLUMNS)
        writer.writeheader()
        writer.writerows(listings)
    return folder


@pytest.fixture(scope="module")
def demo_raw(tmp_path_factory) -> Path:
    """The demo survey's first wave, made for this module (a clean checkout has no build/)."""
    return generate(tmp_path_factory.mktemp("demo") / "raw")


@pytest.fixture(scope="module")
def ids(demo_raw) -> dict[str, str]:
    return _chosen(demo_raw)


@pytest.fixture(scope="module")
def names(demo_raw) -> dict[str, str]:
    return {r["enterprise_id"]: r["business_name"] for r in _read(demo_raw / "enterprises.csv")}


@pytest.fixture(scope="module")
def raws(tmp_path_factory, demo_raw, ids, names) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("directory-raw")
    first = _raw(demo_raw, base / "first", [_listing(k, ids[k], names[ids[k]], f)
                                  for k, f in FIRST.items()])
    second = _raw(demo_raw, base / "second", [
        *(_listing(k, ids[k], names[ids[k]], f) for k, f in SECOND.items()),
        _listing("D", ids["D"], names[ids["D"]], FIRST["D"], withdrawn=WITHDRAWN)])
    return first, second


@pytest.fixture(scope="module")
def built(raws, tmp_path_factory) -> dict[str, Path]:
    """Two releases in one folder (1.0.0, then 1.1.0 after D withdrew), and a workspace
    preview of the second."""
    out = tmp_path_factory.mktemp("directory-out") / "packages"
    first = run.anonymised(raws[0], out)
    run.publish(first, out)
    second = run.anonymised(raws[1], out)
    run.publish(second, out)
    preview = tmp_path_factory.mktemp("directory-preview") / "preview"
    run.preview(second, preview)
    return {"out": out, "1.0.0": out / "1.0.0", "1.1.0": out / "1.1.0",
            "preview": preview / "1.1.0"}


def _directory(folder: Path) -> dict:
    return json.loads((folder / DIRECTORY).read_text(encoding="utf-8"))


def _expected_id(eid: str) -> str:
    """The contract's formula, computed here independently of the ETL."""
    return hmac.new(DEMO_KEY, b"directory\x1f" + eid.encode(), hashlib.sha256).hexdigest()[:10]


def _expected(raw: Path, eid: str) -> dict:
    """A listing's survey-derived fields with every flag on, read from the raw files."""
    business = next(r for r in _read(raw / "enterprises.csv") if r["enterprise_id"] == eid)
    products = {(p["product_name"].strip(), p["hs_code"][:2])
                for p in _read(raw / "products.csv") if p["enterprise_id"] == eid}
    section = refdata.nace_divisions()[business["nace_code"][:2]].section
    return {
        "products": sorted(({"name": n, "hs_chapter": c} for n, c in products),
                           key=lambda p: (p["name"].casefold(), p["name"], p["hs_chapter"])),
        "certifications": sorted(c for c in CERTIFICATIONS if business[c] == "yes"),
        "municipality": refdata.municipality_lookup()[
            refdata.normalise_name(business["municipality"])],
        "sector": nace_broad_sectors()[section],
    }


def _by_id(folder: Path) -> dict[str, dict]:
    return {item["id"]: item for item in _directory(folder)["listings"]}


# --- the file and its fields ---------------------------------------------------------------


@pytest.mark.parametrize(("version", "flags"), [("1.0.0", FIRST), ("1.1.0", SECOND)])
def test_each_listing_shows_exactly_its_consented_fields(built, raws, ids, version, flags):
    raw = raws[0] if version == "1.0.0" else raws[1]
    rows = {r["enterprise_id"]: r for r in _read(raw / "directory_listings.csv")}
    listings = _by_id(built[version])
    assert set(listings) == {_expected_id(ids[k]) for k in flags}
    for letter, shown in flags.items():
        eid, row = ids[letter], rows[ids[letter]]
        item, expected = listings[_expected_id(eid)], _expected(raw, eid)
        for field, flag in zip(("products", "certifications", "municipality"), shown,
                               strict=True):
            assert item[field] == (expected[field] if flag == "yes" else None), (letter, field)
        assert item["sector"] == expected["sector"]
        assert item["name"] == row["listed_name"]
        assert (item["contact_person"], item["phone"], item["email"], item["website"]) == (
            row["contact_person"], row["public_phone"], row["public_email"], row["website"])
        assert item["description"] == {lang: row[f"description_{lang}"] or None
                                       for lang in ("en", "sq", "sr")}
        assert sorted(item["languages"]) == sorted(row["languages"].split())
        assert set(item) == {"id", "name", "municipality", "sector", "products",
                             "certifications", "languages", "contact_person", "phone",
                             "email", "website", "description"}
    assert _directory(built[version])["version"] == version


def test_turning_a_flag_changes_exactly_its_field(built, ids):
    before, after = _by_id(built["1.0.0"]), _by_id(built["1.1.0"])
    for letter, field in FLIPPED.items():
        old, new = before[_expected_id(ids[letter])], after[_expected_id(ids[letter])]
        assert {k for k in old if old[k] != new[k]} == {field}, letter


def test_listings_are_sorted_by_name_then_id(built):
    items = _directory(built["1.0.0"])["listings"]
    assert [(i["name"].casefold(), i["id"]) for i in items] == sorted(
        (i["name"].casefold(), i["id"]) for i in items)


def test_withdrawn_listing_is_gone_and_ids_are_stable(built, ids):
    before, after = _by_id(built["1.0.0"]), _by_id(built["1.1.0"])
    assert _expected_id(ids["D"]) in before
    assert _expected_id(ids["D"]) not in after
    assert set(after) == set(before) - {_expected_id(ids["D"])}


def test_ids_are_unrelated_to_the_microdata_keys(built):
    for version in ("1.0.0", "1.1.0"):
        keys = pd.read_csv(next(built[version].glob("*/data/businesses.csv")), dtype=str)
        published = set(keys["business_key"])
        assert not any(key.startswith(i) or i in key for i in _by_id(built[version])
                       for key in published)


def test_the_file_is_beside_the_packages_in_no_package_zip_or_descriptor(built):
    for folder in (built["1.0.0"], built["1.1.0"], built["preview"]):
        assert (folder / DIRECTORY).is_file()
        assert [p for p in folder.rglob(DIRECTORY)] == [folder / DIRECTORY]
        for descriptor in folder.glob(f"*/{DESCRIPTOR}"):
            assert "supplier-directory" not in descriptor.read_text(encoding="utf-8")
        for archive in folder.glob("*.zip"):
            assert not [n for n in zipfile.ZipFile(archive).namelist() if DIRECTORY in n]
        verify(folder)


def test_preview_writes_the_same_bytes_as_the_published_release(built):
    assert (built["preview"] / DIRECTORY).read_bytes() == (
        built["1.1.0"] / DIRECTORY).read_bytes()


def test_no_directory_file_without_listings_input(tmp_path, demo_raw):
    """An input without directory_listings.csv writes no file (checked on the writer, not
    with a third build)."""
    from etl.publish.directory import directory_bytes

    raw = shutil.copytree(demo_raw, tmp_path / "raw")
    (raw / "directory_listings.csv").unlink(missing_ok=True)
    result = check_path(raw)
    assert result.ok
    assert directory_bytes(result, DEMO_KEY, "9.9.9") is None
    with_listings = _raw(demo_raw, tmp_path / "with", [])
    assert json.loads(directory_bytes(check_path(with_listings), DEMO_KEY, "9.9.9")) == {
        "version": "9.9.9", "listings": []}


# --- release notes ---------------------------------------------------------------------------


def test_release_notes_count_listings_and_removals_without_naming_any(built, raws, ids):
    entries = {e["version"]: e["summary"] for e in read_index(built["out"])}
    assert "4 businesses listed in the supplier directory" in entries["1.0.0"]
    assert "removed" not in entries["1.0.0"]
    assert "3 businesses listed in the supplier directory" in entries["1.1.0"]
    assert ("1 listing removed from the supplier directory (consent ended or business no "
            "longer surveyed)") in entries["1.1.0"]
    gone = next(r for r in _read(raws[1] / "directory_listings.csv")
                if r["enterprise_id"] == ids["D"])
    named = [v for k, v in gone.items() if v and k not in
             ("show_products", "show_certifications", "show_municipality", "languages")]
    notes = release_files(built["out"] / INDEX, built["out"] / CHANGELOG)
    assert not leaked(notes, [*named, _expected_id(ids["D"])])
    assert "1 listing removed" in (built["out"] / CHANGELOG).read_text(encoding="utf-8")


def test_release_note_wording():
    assert release_note(None, None) == ""
    assert release_note({"a", "b"}, None) == "2 businesses listed in the supplier directory"
    assert release_note(set(), {"a", "b"}) == (
        "no business listed in the supplier directory; 2 listings removed from the supplier "
        "directory (consent ended or business no longer surveyed)")
    assert release_note({"a"}, {"a", "c"}).startswith("1 business listed")


# --- leaks -----------------------------------------------------------------------------------


def test_no_raw_secret_outside_the_directory_file(built, raws):
    """Every identifying raw value — names of every business, the directory's contact details,
    descriptions, consent dates, raw ids — is in no file of either release (zips, risk reports,
    descriptors), nor in the preview, nor in the release notes."""
    files = release_files(built["out"], built["preview"])
    files = {name: data for name, data in files.items()
             if not name.endswith(DIRECTORY) and "/.lock" not in name}
    assert any(".zip!" in n for n in files) and any(".xlsx!" in n for n in files)  # opened
    for raw in raws:
        checked = check_path(raw)
        secrets = raw_secrets(checked)
        listing = checked.raw.tables["directory_listings"].data
        directory_only = {str(v) for c in ("listed_name", "contact_person", "public_phone",
                                           "public_email", "website", "description_en",
                                           "description_sq", "description_sr",
                                           "consent_date", "consent_withdrawn")
                          for v in listing[c].dropna()}
        assert directory_only <= secrets | {""}  # the scan below covers every one of them
        shown = release_files(built["1.0.0" if raw == raws[0] else "1.1.0"] / DIRECTORY)
        assert len(next(iter(leaked(shown, secrets).values()))) >= 20  # the scan does see them
        names = set(checked.raw.tables["enterprises"].data["business_name"].dropna())
        assert names & {s for s in secrets}
        assert not leaked(files, secrets)


def test_directory_file_holds_no_consent_date_raw_id_or_unlisted_name(built, raws, ids, names):
    for raw, folder in zip(raws, (built["1.0.0"], built["1.1.0"]), strict=True):
        text = (folder / DIRECTORY).read_text(encoding="utf-8")
        listed = {r["listed_name"] for r in _read(raw / "directory_listings.csv")
                  if not r["consent_withdrawn"]}
        unlisted = [n for eid, n in names.items() if n not in listed and len(n) >= 5
                    and not any(n in other for other in listed)]
        dates = [*CONSENT.values(), WITHDRAWN]
        assert not leaked({DIRECTORY: text.encode()}, [*dates, *names.keys(), *unlisted])


# --- fingerprint -----------------------------------------------------------------------------


def test_fingerprint_covers_the_directory(built, tmp_path):
    folder = built["1.1.0"]
    recorded = {e["version"]: e["fingerprint"] for e in read_index(built["out"])}
    assert fingerprint(folder) == recorded["1.1.0"]
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    data = _directory(copy)
    data["listings"] = data["listings"][1:]
    (copy / DIRECTORY).write_text(json.dumps(data), encoding="utf-8")
    changed = fingerprint(copy)
    assert changed != recorded["1.1.0"]
    (copy / DIRECTORY).unlink()
    assert fingerprint(copy) not in (changed, recorded["1.1.0"])
    verify(copy)
    (copy / DIRECTORY).write_text("not json", encoding="utf-8")
    with pytest.raises(ReleaseError, match=DIRECTORY):
        verify(copy)


def test_releases_without_the_file_keep_their_fingerprint():
    """The committed releases were fingerprinted before the directory existed (or with it):
    hashing them now gives what their index recorded."""
    packages = DEMO_PACKAGES
    entries = [e for e in read_index(packages) if not e.get("withdrawn")
               and (packages / e["version"]).is_dir()]
    assert entries
    for entry in entries:
        assert fingerprint(packages / entry["version"]) == entry["fingerprint"], entry["version"]


def test_the_scanner_opens_zips(tmp_path):
    """So the leak test above would see a value hidden inside a package's zip."""
    with zipfile.ZipFile(tmp_path / "p.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("p/data.csv", "x,Secret Shop 77\n")
    assert leaked(release_files(tmp_path), ["secret shop 77"]) == {
        f"{tmp_path / 'p.zip'}!p/data.csv": ["secret shop 77"]}

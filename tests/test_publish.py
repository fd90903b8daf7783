"""Publishing: valid, complete, reproducible Frictionless packages, with nothing raw inside."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import frictionless
import pytest
from leaks import raw_secrets

from etl.cli import main
from etl.demo import generate
from etl.publish.package import PRODUCT_MAP, PROGRAMME
from etl.publish.releases import DIRECTORY, latest
from etl.validate import check_path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (PRODUCT_MAP, PROGRAMME)


@pytest.fixture(scope="module")
def raw(tmp_path_factory) -> Path:
    return generate(tmp_path_factory.mktemp("raw") / "demo")


@pytest.fixture(scope="module")
def out(raw, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("packages")
    assert main(["build", "--raw", str(raw), "--out", str(folder), "--quiet"]) == 0
    return folder


def _tree(folder: Path) -> dict[str, bytes]:
    """Every published file (not the lock a build holds while it writes)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}


@pytest.mark.parametrize("package", PACKAGES)
def test_frictionless_validates_every_package_with_zero_errors(out, package):
    report = frictionless.validate(str(latest(out) / package / "datapackage.json"))
    errors = [e.message for task in report.tasks for e in task.errors] + [
        e.message for e in report.errors]
    assert report.valid, errors[:5]
    assert len(report.tasks) >= 5


@pytest.mark.parametrize("package", PACKAGES)
def test_metadata_is_complete(out, package):
    meta = json.loads((latest(out) / package / "datapackage.json").read_text(encoding="utf-8"))
    for key in ("name", "id", "title", "description", "version", "created", "homepage",
                "keywords", "licenses", "sources", "contributors", "x-spatial", "x-temporal"):
        assert meta[key], key
    assert set(meta["x-title"]) == {"en", "sq", "sr-Latn"}
    assert set(meta["x-description"]) == {"en", "sq", "sr-Latn"}
    assert meta["licenses"][0]["name"] == "CC-BY-4.0"
    roles = {c["title"]: c["roles"] for c in meta["contributors"]}
    assert roles["NGO AKTIV"] == ["creator", "publisher"]
    assert sum(r == ["funder"] for r in roles.values()) == 2
    assert meta["x-synthetic"] is True
    folder = latest(out) / package
    for resource in meta["resources"]:
        data = (folder / resource["path"]).read_bytes()
        assert resource["bytes"] == len(data)
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert "json" in resource["x-downloads"]
        assert "xlsx" in resource["x-downloads"] or resource["bytes"] > 1_000_000
        for download in resource["x-downloads"].values():
            assert (folder / download).exists()
        for f in resource["schema"]["fields"]:
            assert f.get("description") and f.get("type"), (resource["name"], f["name"])
        assert "[c]" in resource["schema"].get("missingValues", ["[c]"])
    assert (folder / "disclosure-risk.json").exists() and (folder / "disclosure-risk.md").exists()


@pytest.mark.parametrize("package", PACKAGES)
def test_descriptor_validates_against_the_official_data_package_v2_schema(out, package):
    import dplib
    import jsonschema

    profile = json.loads((Path(dplib.__file__).parent / "profiles" / "2.0" /
                          "datapackage.json").read_text(encoding="utf-8"))
    meta = json.loads((latest(out) / package / "datapackage.json").read_text("utf-8"))
    assert meta["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    errors = [f"{list(e.path)}: {e.message[:120]}"
              for e in jsonschema.Draft7Validator(profile).iter_errors(meta)]
    assert errors == []


def test_code_labels_in_three_languages(out):
    meta = json.loads((latest(out) / PRODUCT_MAP / "datapackage.json").read_text("utf-8"))
    table = next(r for r in meta["resources"] if r["name"] == "businesses_by_sector_municipality")
    municipality = next(f for f in table["schema"]["fields"] if f["name"] == "municipality")
    assert municipality["x-labels"]["38"] == {"en": "North Mitrovica", "sq": "Mitrovicë e Veriut",
                                              "sr-Latn": "Severna Mitrovica",
                                              "sr-Cyrl": "Северна Митровица"}


def test_meetings_by_counterpart_municipality_counts_held_meetings_by_kas_code(raw, out):
    """The counterparts' municipalities: KAS codes outside the north, labelled as the
    businesses' `municipality` is, each published cell the number of meetings held there."""
    import pandas as pd

    from etl import refdata
    from etl.publish.vocabulary import vocabulary

    meta = json.loads((latest(out) / PROGRAMME / "datapackage.json").read_text("utf-8"))
    names = [r["name"] for r in meta["resources"]]
    assert names.index("meetings_by_counterpart_municipality") == names.index(
        "meetings_by_sector_pair") + 1
    table = meta["resources"][names.index("meetings_by_counterpart_municipality")]
    field = table["schema"]["fields"][0]
    assert field["name"] == "counterpart_municipality"
    assert table["schema"]["primaryKey"] == ["counterpart_municipality"]
    south = {m.kas_code for m in refdata.municipalities() if not m.northern}
    codes = set(field["constraints"]["enum"]) - {"_total"}
    assert codes and codes <= south
    labels = vocabulary("municipality")
    assert {c: field["x-labels"][c] for c in codes} == {c: labels[c] for c in codes}

    meetings = check_path(raw).frame("b2b_meetings")
    held = meetings[meetings["outcome"].astype(str) != "cancelled"]
    expected = held["counterpart_municipality"].astype(str).value_counts()
    frame = pd.read_csv(latest(out) / PROGRAMME / table["path"], dtype=str,
                        keep_default_na=False)
    assert set(frame["counterpart_municipality"]) == set(expected.index) | {"_total"}
    published = frame[frame["status"] == "published"]
    assert not published.empty
    for code, value in zip(published["counterpart_municipality"], published["value"],
                           strict=True):
        assert int(value) == (len(held) if code == "_total" else expected[code])
    assert (frame.loc[frame["status"] == "suppressed", "value"] == "[c]").all()

def test_same_input_key_and_version_give_the_same_bytes(raw, out, tmp_path):
    again = tmp_path / "again"
    assert main(["build", "--raw", str(raw), "--out", str(again), "--quiet"]) == 0
    assert _tree(again) == _tree(out)


def test_nothing_raw_in_any_file_zip_or_workbook_member(raw, out):
    secrets = raw_secrets(check_path(raw))
    texts: dict[str, str] = {}
    for path in latest(out).rglob("*"):
        if not path.is_file() or path.name == DIRECTORY:  # published by consent, on purpose
            continue
        data = path.read_bytes()
        if path.suffix in (".zip", ".xlsx"):
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                for member in z.namelist():
                    body = z.read(member)
                    if member.endswith(".xlsx"):
                        with zipfile.ZipFile(io.BytesIO(body)) as inner:
                            for m in inner.namelist():
                                texts[f"{path.name}/{member}/{m}"] = inner.read(m).decode(
                                    "utf-8", "replace")
                    else:
                        texts[f"{path.name}/{member}"] = body.decode("utf-8", "replace")
        else:
            texts[path.name] = data.decode("utf-8", "replace")
    assert any(".zip/" in name for name in texts) and any(".xlsx/" in name for name in texts)
    for name, text in texts.items():
        assert not [s for s in secrets if s in text], name


def test_bad_input_publishes_nothing_and_keeps_the_last_release(raw, out, tmp_path, capsys):
    before = _tree(out)
    broken = tmp_path / "broken"
    generate(broken, enterprises=50, seed=3)
    (broken / "products.csv").unlink()
    assert main(["build", "--raw", str(broken), "--out", str(out), "--version", "2.0.0",
                 "--quiet"]) == 1
    assert "products.csv" in capsys.readouterr().out
    assert _tree(out) == before


def test_the_committed_demo_releases_are_current(raw, tmp_path):
    """`datapackages/` holds 1.0.0 built from the default demo data and 1.1.0 from its second
    survey wave: rebuilding gives the committed bytes (run `make datapackages` after changing
    what is published)."""
    out = tmp_path / "packages"
    second = generate(tmp_path / "wave2", wave=2)
    for source, version in ((raw, "1.0.0"), (second, "1.1.0")):
        assert main(["build", "--raw", str(source), "--out", str(out), "--version", version,
                     "--quiet"]) == 0
    committed = ROOT / "datapackages"
    assert _tree(out) == {k: v for k, v in _tree(committed).items() if k != "README.md"}


LANGUAGES = {"en", "sq", "sr-Latn", "sr-Cyrl"}


def _committed_descriptors() -> list[dict]:
    folder = latest(ROOT / "datapackages")
    return [json.loads((folder / p / "datapackage.json").read_text("utf-8")) for p in PACKAGES]


def _assert_four_languages(texts: dict[str, str], english: str, where: str) -> None:
    from etl.translit import latin_to_cyrillic

    assert set(texts) == LANGUAGES, where
    assert all(t.strip() for t in texts.values()), where
    assert texts["en"] == english, where
    assert texts["sr-Cyrl"] == latin_to_cyrillic(texts["sr-Latn"]), where
    # Letters outside the Serbian alphabet would survive transliteration as Latin.
    assert not set(texts["sr-Latn"].lower()) & set("qwxy"), where


def test_every_committed_title_and_unit_is_in_four_languages():
    """Resource and field titles (`x-title`) and units (`x-unit`) of the committed release,
    beside the English `title` and `unit`."""
    units = 0
    for meta in _committed_descriptors():
        for resource in meta["resources"]:
            _assert_four_languages(resource["x-title"], resource["title"], resource["name"])
            for f in resource["schema"]["fields"]:
                where = f"{resource['name']}.{f['name']}"
                _assert_four_languages(f["x-title"], f["title"], where)
                if "unit" in f:
                    _assert_four_languages(f["x-unit"], f["unit"], where + " unit")
                    units += 1
                else:
                    assert "x-unit" not in f, where
    assert units >= 30


def test_every_metadata_label_is_used_by_the_committed_release():
    """No stale rows: each row of metadata_labels.csv labels something published."""
    from etl.publish.vocabulary import metadata_labels

    used: set[tuple[str, str]] = set()
    for meta in _committed_descriptors():
        for resource in meta["resources"]:
            used.add(("resource", resource["name"]))
            for f in resource["schema"]["fields"]:
                used.add(("field", f["name"]))
                if "unit" in f:
                    used.add(("unit", f["unit"]))
    assert set(metadata_labels()) == used


def test_nothing_is_published_without_its_translations():
    from etl.publish.schema import translated
    from etl.publish.vocabulary import MissingTranslation, metadata_label

    missing = r"metadata_labels\.csv: no row for field 'new_col'"
    with pytest.raises(MissingTranslation, match=missing):
        translated({"fields": [{"name": "new_col", "title": "New col", "type": "string"}]})
    with pytest.raises(MissingTranslation, match=r"metadata_labels\.csv: no row for unit 'kg'"):
        translated({"fields": [{"name": "value", "title": "Value", "unit": "kg"}]})
    with pytest.raises(MissingTranslation, match=r"no row for resource 'new_table'"):
        metadata_label("resource", "new_table", "A new table")
    # A changed English title makes the translations stale: refused too.
    with pytest.raises(MissingTranslation, match=r"field 'value' is published as 'Amount'"):
        translated({"fields": [{"name": "value", "title": "Amount"}]})
    schema = translated({"fields": [{"name": "value", "title": "Value", "type": "integer",
                                     "unit": "businesses"}], "primaryKey": []})
    field = schema["fields"][0]
    assert list(field) == ["name", "title", "x-title", "type", "unit", "x-unit"]
    assert field["x-unit"] == {"en": "businesses", "sq": "biznese", "sr-Latn": "preduzeća",
                               "sr-Cyrl": "предузећа"}
    assert schema["primaryKey"] == []


def test_a_build_with_an_untranslated_title_publishes_nothing(raw, tmp_path, monkeypatch,
                                                              capsys):
    from etl.publish import vocabulary

    labels = vocabulary.metadata_labels()
    del labels[("field", "broad_sector")]
    monkeypatch.setattr(vocabulary, "_metadata_labels", lambda: labels)
    assert main(["build", "--raw", str(raw), "--out", str(tmp_path / "out"), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "etl/reference/metadata_labels.csv: no row for field 'broad_sector'" in err
    assert not (tmp_path / "out" / "latest").exists()

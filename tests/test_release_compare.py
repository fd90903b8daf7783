"""What a new release changes against the current one (the workspace's preview): tables
matched on their keys, cells changed and newly suppressed, counted honestly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from etl.anonymise.params import SUPPRESSED
from etl.publish import compare

DEMO = Path(__file__).resolve().parent.parent / "datapackages"


def test_a_release_against_itself_changes_nothing() -> None:
    found = compare.tables(DEMO / "1.1.0", DEMO / "1.1.0")
    assert found and {c.status for c in found} == {"same"}


def test_tables_of_two_releases_counted_against_pandas() -> None:
    found = {c.name: c for c in compare.tables(DEMO / "1.1.0", DEMO / "1.0.0")}
    name = "businesses_by_sector_municipality"
    new, old = (pd.read_csv(next((DEMO / v).glob(f"*/data/{name}.csv")), dtype=str,
                            keep_default_na=False).set_index(["broad_sector", "municipality"])
                for v in ("1.1.0", "1.0.0"))
    both = new.index.intersection(old.index)
    a, b = new.loc[both, old.columns], old.loc[both]
    assert found[name].cells_changed == int((a != b).to_numpy().sum())
    assert found[name].newly_suppressed == int(((a == SUPPRESSED) & (b != SUPPRESSED))
                                               .to_numpy().sum())
    assert found[name].rows_added == len(new.index.difference(old.index))
    assert found[name].status == "changed"


def test_a_table_added_or_removed(tmp_path: Path) -> None:
    new = tmp_path / "new"
    shutil.copytree(DEMO / "1.1.0", new)
    package = new / "north-kosovo-product-map" / "datapackage.json"
    text = package.read_text(encoding="utf-8")
    package.write_text(text.replace('"name": "businesses_by_owner_gender"',
                                    '"name": "businesses_by_owner_sex"'), encoding="utf-8")
    found = {(c.name, c.status) for c in compare.tables(new, DEMO / "1.1.0")}
    assert ("businesses_by_owner_sex", "added") in found
    assert ("businesses_by_owner_gender", "removed") in found
    assert {c.status for c in compare.tables(new, None)} == {"added"}

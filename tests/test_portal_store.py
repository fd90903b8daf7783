"""The portal's data layer: published packages → database, reloaded when a release appears."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from portal import query
from portal.app import create_app
from portal.load.database import Store
from portal.load.release import read_release
from tests.conftest import DEMO_PACKAGES, database_url, portal_config

LATEST = DEMO_PACKAGES / "latest"
PRODUCT_MAP = "north-kosovo-product-map"
LATEST_VERSION = json.loads((LATEST / PRODUCT_MAP / "datapackage.json").read_text())["version"]


def _published(package: str, resource: str) -> pd.DataFrame:
    return pd.read_csv(LATEST / package / "data" / f"{resource}.csv", dtype=str,
                       keep_default_na=False)


def _copy_release(tmp_path: Path) -> Path:
    """A writable copy of the demo packages directory (with its ``latest`` link)."""
    target = tmp_path / "packages"
    shutil.copytree(DEMO_PACKAGES, target, symlinks=True)
    return target


def _publish_changed(packages: Path, version: str, resource: str, row: int, value: str) -> None:
    """Publish ``version``: the latest release with one value changed, hashes updated."""
    old = (packages / "latest").resolve()
    new = packages / version
    shutil.copytree(old, new)
    path = new / PRODUCT_MAP / "data" / f"{resource}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[row, "value"] = value
    frame.to_csv(path, index=False, lineterminator="\n")
    descriptor_path = new / PRODUCT_MAP / "datapackage.json"
    descriptor = json.loads(descriptor_path.read_text())
    descriptor["version"] = version
    for spec in descriptor["resources"]:
        if spec["name"] == resource:
            spec["hash"] = "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
            spec["bytes"] = path.stat().st_size
    descriptor_path.write_text(json.dumps(descriptor))
    for other in new.glob("*/datapackage.json"):
        if other != descriptor_path:
            other.write_text(json.dumps({**json.loads(other.read_text()), "version": version}))
    link = packages / "latest"
    temporary = packages / "latest.tmp"
    temporary.symlink_to(version)
    temporary.replace(link)


def test_release_fingerprint_follows_the_descriptors(tmp_path: Path) -> None:
    packages = _copy_release(tmp_path)
    first = read_release(packages)
    assert first is not None and first.version == LATEST_VERSION and first.synthetic
    assert read_release(packages).fingerprint == first.fingerprint  # type: ignore[union-attr]
    _publish_changed(packages, "1.0.1", "businesses_by_hs_chapter", 0, "16")
    second = read_release(packages)
    assert second is not None and second.fingerprint != first.fingerprint
    assert second.version == "1.0.1"


def test_nothing_published_means_no_release(tmp_path: Path) -> None:
    assert read_release(tmp_path) is None
    store = Store(database_url(tmp_path, "db.sqlite"), tmp_path)
    assert store.current() is None


def test_every_table_is_loaded_with_suppressed_cells_as_null(tmp_path: Path) -> None:
    app = create_app(DEMO_PACKAGES, portal_config(tmp_path))
    with app.server.test_request_context("/"):
        release = query.current_release()
        assert release is not None
        for package in release.packages.values():
            for resource in package["resources"]:
                published = _published(package["name"], resource["name"])
                loaded = query.table(release, resource["name"])
                assert list(loaded.columns) == list(published.columns)
                assert len(loaded) == len(published), resource["name"]
                if "value" not in published.columns:
                    continue
                hidden = published["value"] == "[c]"
                assert loaded.loc[hidden.to_numpy(), "value"].isna().all()
                shown = loaded.loc[~hidden.to_numpy(), "value"].astype(float)
                assert shown.tolist() == published.loc[~hidden, "value"].astype(float).tolist()


def test_filters_become_sql_conditions(demo_app) -> None:
    with demo_app.server.test_request_context("/"):
        release = query.current_release()
        frame = query.table(release, "businesses_by_sector_municipality",  # type: ignore[arg-type]
                            {"municipality": "38"})
        published = _published(PRODUCT_MAP, "businesses_by_sector_municipality")
        expected = published[published["municipality"] == "38"]
        assert frame["broad_sector"].tolist() == expected["broad_sector"].tolist()
        quarters = query.table(release, "participants_by_quarter",  # type: ignore[arg-type]
                               {"quarter": ("2020Q1", "2020Q2")})
        assert set(quarters["quarter"]) <= {"2020Q1", "2020Q2"} and len(quarters) > 0


def test_a_new_release_is_loaded_without_restart(tmp_path: Path) -> None:
    packages = _copy_release(tmp_path)
    app = create_app(packages, {**portal_config(tmp_path), "RELEASE_CHECK_INTERVAL": 0})
    resource = "businesses_by_hs_chapter"
    with app.server.test_request_context("/"):
        before = query.current_release()
        assert before is not None
        first = query.table(before, resource)
        assert first.loc[0, "value"] != 999
        _publish_changed(packages, "1.0.1", resource, 0, "999")
        after = query.current_release()
        assert after is not None and after.version == "1.0.1"
        assert after.fingerprint != before.fingerprint
        assert query.table(after, resource).loc[0, "value"] == 999
        # The old release's rows are still answered from its own tables (no mix).
        assert query.table(before, resource)["value"].equals(first["value"])


def test_old_releases_are_dropped(tmp_path: Path) -> None:
    packages = _copy_release(tmp_path)
    store = Store(database_url(tmp_path, "db.sqlite"), packages, check_interval=0)
    keys = [store.current().key]  # type: ignore[union-attr]
    for number in (1, 2):
        _publish_changed(packages, f"1.0.{number}", "businesses_by_hs_chapter", 0, str(number))
        keys.append(store.current().key)  # type: ignore[union-attr]
    tables = sa.inspect(store.engine).get_table_names()
    assert not any(t.startswith(f"r{keys[0]}_") for t in tables)
    assert any(t.startswith(f"r{keys[1]}_") for t in tables)
    assert any(t.startswith(f"r{keys[2]}_") for t in tables)


def test_a_broken_descriptor_is_named(tmp_path: Path) -> None:
    package = tmp_path / "latest" / "broken"
    package.mkdir(parents=True)
    (package / "datapackage.json").write_text("{not json")
    with pytest.raises(ValueError, match="broken/datapackage.json"):
        read_release(tmp_path)


def test_large_tables_get_an_index_per_code_column(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Filters and counts of the APIs read an index on big tables; small ones need none."""
    monkeypatch.setattr("portal.load.database.INDEX_FROM_ROWS", 300)
    store = Store(database_url(tmp_path, "p.sqlite"), DEMO_PACKAGES, check_interval=0)
    release = store.current()
    inspector = sa.inspect(store.engine)
    for name in ("businesses", "businesses_by_sector_municipality"):
        spec = release.resource(name)
        rows = len(pd.read_csv(DEMO_PACKAGES / "latest" / release.package_of(name)["name"]
                               / spec["path"], dtype=str))
        coded = {f["name"] for f in spec["schema"]["fields"]
                 if f.get("constraints", {}).get("enum")}
        indexed = {c for ix in inspector.get_indexes(release.table_name(name))
                   for c in ix["column_names"]} - set(spec["schema"].get("primaryKey", []))
        assert indexed == (coded if rows >= 300 else set()), name
    assert coded  # the small table has code columns, and still no index

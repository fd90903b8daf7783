"""Releases are immutable, versioned and atomic; published files are reproducible to the byte."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from etl.publish.files import csv_bytes, json_bytes, release_stamp, xlsx_bytes, zip_bytes
from etl.publish.releases import ReleaseError, latest, publish, read_index

STAMP = dt.datetime(2020, 6, 30)


def _writer(files: dict[str, bytes]):
    def write(folder: Path) -> None:
        for name, data in files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
    return write


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_versions_latest_index_and_changelog(tmp_path):
    publish(tmp_path, "1.0.0", _writer({"a/data.csv": b"x\n1\n"}), released="2020-01-01",
            summary="First release.")
    publish(tmp_path, "1.1.0", _writer({"a/data.csv": b"x\n2\n"}), released="2020-06-30",
            summary="More businesses.")
    assert latest(tmp_path) == tmp_path / "1.1.0"
    assert (tmp_path / "latest" / "a" / "data.csv").read_bytes() == b"x\n2\n"
    assert (tmp_path / "1.0.0" / "a" / "data.csv").read_bytes() == b"x\n1\n"
    assert [e["version"] for e in read_index(tmp_path)] == ["1.0.0", "1.1.0"]
    changelog = (tmp_path / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.index("## 1.1.0") < changelog.index("## 1.0.0")
    assert not list(tmp_path.glob(".staging-*"))


def test_semantic_version_order_and_rebuilding_an_old_version(tmp_path):
    for v in ("1.9.0", "1.10.0"):
        publish(tmp_path, v, _writer({"f": v.encode()}), released="2020-01-01", summary=v)
    publish(tmp_path, "1.9.0", _writer({"f": b"1.9.0"}), released="2020-01-01", summary="1.9.0")
    assert latest(tmp_path).name == "1.10.0"


def test_a_published_version_never_changes(tmp_path):
    publish(tmp_path, "1.0.0", _writer({"f": b"one"}), released="2020-01-01", summary="s")
    publish(tmp_path, "1.0.0", _writer({"f": b"one"}), released="2020-01-01", summary="s")
    with pytest.raises(ReleaseError, match="already published"):
        publish(tmp_path, "1.0.0", _writer({"f": b"two"}), released="2020-01-01", summary="s")
    assert (tmp_path / "1.0.0" / "f").read_bytes() == b"one"
    assert not list(tmp_path.glob(".staging-*"))


@pytest.mark.parametrize("version", ["latest", "../x", "1.0", "v1.0.0", ""])
def test_bad_versions(tmp_path, version):
    with pytest.raises(ReleaseError, match="semantic version"):
        publish(tmp_path, version, _writer({"f": b"x"}), released="2020-01-01", summary="s")


def test_a_failing_build_publishes_nothing(tmp_path):
    publish(tmp_path, "1.0.0", _writer({"f": b"one"}), released="2020-01-01", summary="s")
    before = _tree(tmp_path)

    def broken(folder: Path) -> None:
        (folder / "half.csv").write_bytes(b"x\n")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        publish(tmp_path, "2.0.0", broken, released="2020-06-30", summary="s")
    assert _tree(tmp_path) == before
    assert not (tmp_path / "2.0.0").exists() and latest(tmp_path).name == "1.0.0"


_SLOW_BUILD = """
import sys, time
from pathlib import Path
from etl.publish.releases import publish

def write(folder):
    for i in range(40):
        (folder / f"part-{i:02d}.csv").write_bytes(b"x" * 20000)
        time.sleep(0.01)

publish(Path(sys.argv[1]), "2.0.0", write, released="2020-06-30", summary="second")
"""


def test_killed_at_any_moment_the_previous_release_stays_exactly_as_it_was(tmp_path):
    publish(tmp_path, "1.0.0", _writer({"f.csv": b"old\n"}), released="2020-01-01",
            summary="first")
    old = _tree(tmp_path / "1.0.0")
    rng = np.random.default_rng(7)
    for delay in sorted(rng.uniform(0.05, 0.9, size=6)):
        proc = subprocess.Popen([sys.executable, "-c", _SLOW_BUILD, str(tmp_path)],
                                cwd=Path(__file__).resolve().parent.parent)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert _tree(tmp_path / "1.0.0") == old
        assert latest(tmp_path).name in ("1.0.0", "2.0.0")
        if (tmp_path / "2.0.0").exists():  # renamed only when complete
            assert len(list((tmp_path / "2.0.0").iterdir())) == 40
        assert (tmp_path / "latest").is_symlink()
    done = subprocess.run([sys.executable, "-c", _SLOW_BUILD, str(tmp_path)],
                          cwd=Path(__file__).resolve().parent.parent, check=True)
    assert done.returncode == 0
    assert latest(tmp_path).name == "2.0.0" and not list(tmp_path.glob(".staging-*"))


# --- reproducible files ---------------------------------------------------------------------


FRAME = pd.DataFrame({"code": ["a", "b", None], "value": [1.5, np.nan, 3.0],
                      "n": pd.array([1, None, 3], dtype="Int64")})


def test_files_are_reproducible_to_the_byte():
    assert xlsx_bytes(FRAME, "t", STAMP) == xlsx_bytes(FRAME, "t", STAMP)
    assert xlsx_bytes(FRAME, "t", STAMP) != xlsx_bytes(FRAME, "t", dt.datetime(2021, 1, 1))
    entries = [("a.csv", csv_bytes(FRAME)), ("a.json", json_bytes(FRAME))]
    assert zip_bytes(entries, STAMP) == zip_bytes(entries, STAMP)
    with zipfile.ZipFile(io.BytesIO(zip_bytes(entries, STAMP))) as z:
        assert [i.date_time for i in z.infolist()] == [(2020, 6, 30, 0, 0, 0)] * 2
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes(FRAME, "t", STAMP))) as z:
        assert z.namelist()[0] == "[Content_Types].xml"
        assert b"2020-06-30T00:00:00Z" in z.read("docProps/core.xml")


def test_json_and_xlsx_carry_missing_values_as_missing():
    assert json.loads(json_bytes(FRAME)) == [
        {"code": "a", "value": 1.5, "n": 1}, {"code": "b", "value": None, "n": None},
        {"code": None, "value": 3.0, "n": 3}]
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(xlsx_bytes(FRAME, "t", STAMP)))["t"]
    assert [[c.value for c in row] for row in ws.iter_rows()] == [
        ["code", "value", "n"], ["a", 1.5, 1], ["b", None, None], [None, 3, 3]]


def test_release_stamp(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert release_stamp(dt.date(2020, 6, 30)) == STAMP
    assert release_stamp(None) == dt.datetime(1980, 1, 1)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1593475200")
    assert release_stamp(dt.date(2019, 1, 1)) == STAMP
    assert os.environ["SOURCE_DATE_EPOCH"] == "1593475200"

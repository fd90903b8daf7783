"""Hand-reported indicator values entered outside an export (the staff workspace): checked by
the raw format's rules, merged into the export's table, published without their notes."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.demo import generate
from etl.indicators.reports import check_entry, supplement
from etl.read import read_raw
from etl.validate import check


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("raw") / "wave2", wave=2)


def _rows(raw) -> list[tuple]:  # noqa: ANN001
    table = raw.tables["indicator_reports"]
    data = table.data.astype(object)
    return [(*r, int(n)) for r, n in zip(
        data[["indicator_id", "period_start", "period_end", "actual"]].itertuples(index=False,
                                                                               name=None),
        table.rows, strict=True)]


def test_an_entry_replaces_the_same_period_whatever_its_date_spelling(export: Path) -> None:
    raw = read_raw(export)
    before = _rows(raw)
    same = next(r for r in before if r[0] == "OUT1.2" and r[1] == "01.01.2020")
    supplement(raw, [{"indicator_id": "OUT1.2", "period_start": "2020-01-01",
                      "period_end": "30.06.2020", "actual": "2", "note": "private"},
                     {"indicator_id": "OC2.3", "period_start": "2021-04-01",
                      "period_end": "2021-06-30", "actual": "8"}])
    after = _rows(raw)
    assert same not in after and len(after) == len(before) + 1
    last = max(r[-1] for r in before)
    assert after[-2:] == [("OUT1.2", "2020-01-01", "30.06.2020", "2", last + 1),
                          ("OC2.3", "2021-04-01", "2021-06-30", "8", last + 2)]
    assert raw.tables["indicator_reports"].data["note"].isna().iloc[-2:].all()
    assert check(raw).ok


def test_an_export_without_the_table_gets_one(export: Path, tmp_path: Path) -> None:
    folder = tmp_path / "raw"
    folder.mkdir()
    for path in export.iterdir():
        if path.name != "indicator_reports.csv":
            (folder / path.name).write_bytes(path.read_bytes())
    raw = read_raw(folder)
    supplement(raw, [{"indicator_id": "OUT1.2", "period_start": "2021-04-01",
                      "period_end": "2021-06-30", "actual": "5"}])
    assert _rows(raw) == [("OUT1.2", "2021-04-01", "2021-06-30", "5", 2)]
    assert check(raw).ok
    supplement(raw, [{"indicator_id": "NOPE", "period_start": "2021-04-01",
                      "period_end": "2021-06-30", "actual": "5"}])
    result = check(raw)
    assert [(p.file, p.column, p.rule) for p in result.problems] == [
        ("indicator_reports.csv", "indicator_id", "foreign_key")]


@pytest.mark.parametrize("values, found", [
    ({"indicator_id": "OUT1.2", "period_start": "2021-01-01", "period_end": "2021-03-31",
      "actual": "4"}, []),
    ({"indicator_id": "", "period_start": "2021-01-01", "period_end": "2021-03-31",
      "actual": "4"}, [("indicator_id", "required")]),
    ({"indicator_id": "A", "period_start": "31.02.2021", "period_end": "2021-03-31",
      "actual": "4"}, [("period_start", "type.date")]),
    ({"indicator_id": "A", "period_start": "2021-04-01", "period_end": "2021-03-31",
      "actual": "4"}, [("period_end", "cross.end_before_start")]),
    ({"indicator_id": "A", "period_start": "2021-01-01", "period_end": "2021-03-31",
      "actual": "1,5"}, [("actual", "type.number")]),
])
def test_an_entry_is_checked_like_the_raw_format(values: dict, found: list) -> None:
    assert [(p.column, p.rule) for p in check_entry(values)] == found

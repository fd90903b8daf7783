"""Check a raw input against every rule of the contract and return typed, normalised tables.

Column checks first (each cell against its type, range and code list), then rules across rows,
columns and files. Every problem is collected; nothing stops at the first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from etl.problems import Problems
from etl.rawformat import tables
from etl.read import Progress, RawInput, read_raw
from etl.validate.columns import parse_column
from etl.validate.rules import Typed, check_tables

__all__ = ["CheckResult", "check", "check_path"]


@dataclass
class CheckResult:
    raw: RawInput
    tables: dict[str, Typed] = field(default_factory=dict)
    problems: Problems = field(default_factory=Problems)

    @property
    def ok(self) -> bool:
        return not self.problems.has_errors

    def frame(self, name: str) -> pd.DataFrame:
        return self.tables[name].data


def check(raw: RawInput, progress: Progress | None = None) -> CheckResult:
    result = CheckResult(raw)
    result.problems.extend(raw.problems)
    for name, spec in tables().items():
        table = raw.tables.get(name)
        if table is None:
            continue
        if progress:
            progress(f"checking {table.file} ({len(table):,} rows)")
        columns = {}
        for f in spec.fields:
            typed, findings = parse_column(table.data[f.name], f)
            if f.name not in table.present:  # a missing column is reported once, by the reader
                findings = []
            columns[f.name] = typed
            for finding in findings:
                shown = (table.data[f.name][finding.mask].to_numpy(dtype=object, na_value=None)
                         if finding.values is None else finding.values[finding.mask])
                result.problems.add(table.file, f.name, finding.rule, finding.message,
                                    table.rows[finding.mask], shown)
        data = pd.DataFrame(columns, index=table.data.index)
        result.tables[name] = Typed(spec, table.file, data, table.rows)
    if progress:
        progress("checking keys and rules across columns and files")
    check_tables(result.tables, result.problems)
    return result


def check_path(path: Path, progress: Progress | None = None) -> CheckResult:
    return check(read_raw(path, progress), progress)

"""Render a check result for a field officer (grouped text) or for a program (JSON)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from etl.problems import ERROR, WARNING, Batch
from etl.validate import CheckResult

#: Rows listed under each problem in the text report before it summarises the rest.
ROWS_SHOWN = 10


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _value(value: object) -> str:
    if value is None:
        return "(empty)"
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _group(batches: Iterable[Batch]) -> dict[str, list[Batch]]:
    by_file: dict[str, list[Batch]] = {}
    for batch in batches:
        by_file.setdefault(batch.file, []).append(batch)
    return by_file


def _batch_lines(batch: Batch) -> list[str]:
    mark = "✗" if batch.severity == ERROR else "!"
    where = f"column {batch.column}: " if batch.column else ""
    if len(batch) == 1:  # one place: say it on one line
        row, value = int(batch.rows[0]), batch.values[0]
        at = [f"row {row}"] if row >= 1 else []
        if value is not None:
            at.append(_value(value))
        return [f"  {mark} {where}{batch.message}" + (f" ({': '.join(at)})" if at else "")]
    lines = [f"  {mark} {where}{batch.message} ({_plural(len(batch), 'row')})"]
    for row, value in zip(batch.rows[:ROWS_SHOWN].tolist(), batch.values[:ROWS_SHOWN].tolist(),
                          strict=True):
        lines.append(f"      row {row}: {_value(value)}")
    rest = len(batch) - ROWS_SHOWN
    if rest > 0:
        more = ", ".join(str(r) for r in batch.rows[ROWS_SHOWN:ROWS_SHOWN + 20].tolist())
        ellipsis = ", …" if rest > 20 else ""
        lines.append(f"      … and {_plural(rest, 'more row')} ({more}{ellipsis})")
    return lines


def render_text(result: CheckResult) -> str:
    raw = result.raw
    kind = "folder of CSV files" if raw.container == "csv" else "XLSX workbook"
    lines = [f"Checked {raw.path} ({kind})"]
    for t in result.tables.values():
        lines.append(f"  {t.file}: {_plural(len(t.data), 'row')}")
    if raw.demo_marker:
        lines.append("  (synthetic demo data written by `etl demo`)")
    errors, warnings = result.problems.count(ERROR), result.problems.count(WARNING)
    lines.append("")
    if not errors:
        also = f", {_plural(warnings, 'warning')}" if warnings else ""
        lines.append(f"No errors{also}: the input follows the format.")
    else:
        files = {b.file for b in result.problems.batches if b.severity == ERROR}
        also = f" and {_plural(warnings, 'warning')}" if warnings else ""
        lines.append(f"Found {_plural(errors, 'error')} in {_plural(len(files), 'file')}{also}. "
                     "Nothing will be published until every error is fixed.")
    for severity, heading in ((ERROR, "Errors"), (WARNING, "Warnings")):
        batches = [b for b in result.problems.batches if b.severity == severity]
        if not batches:
            continue
        lines += ["", f"{heading}:"]
        for file, group in _group(batches).items():
            lines.append(f"{file}")
            for batch in group:
                lines += _batch_lines(batch)
    return "\n".join(lines) + "\n"


def render_json(result: CheckResult) -> str:
    raw = result.raw
    doc = {
        "input": str(raw.path),
        "container": raw.container,
        "demo": bool(raw.demo_marker),
        "valid": result.ok,
        "errors": result.problems.count(ERROR),
        "warnings": result.problems.count(WARNING),
        "rows": {t.file: len(t.data) for t in result.tables.values()},
        "problems": [p.as_dict() for p in result.problems],
    }
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"

"""Problems found in a raw input, collected column-wise.

Checks run over whole columns, so a problem is recorded as a batch: one rule broken on one
column at many rows. Batches keep a million-row failure cheap; `Problem` rows are only made
when a report is rendered.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One broken rule at one place: what a field officer needs to find and fix it."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    rule: str
    message: str
    severity: str = ERROR

    def as_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "rule": self.rule,
            "message": self.message,
        }


@dataclass
class Batch:
    """The same rule broken on one column of one file, at `rows` (spreadsheet numbering)."""

    file: str
    column: str | None
    rule: str
    message: str
    rows: np.ndarray
    values: np.ndarray
    severity: str = ERROR

    def __len__(self) -> int:
        return len(self.rows)

    def problems(self) -> Iterator[Problem]:
        for row, value in zip(self.rows.tolist(), self.values.tolist(), strict=True):
            yield Problem(
                self.file,
                None if row is None or row < 1 else int(row),
                self.column,
                None if value is None else str(value),
                self.rule,
                self.message,
                self.severity,
            )


@dataclass
class Problems:
    """All problems of one check run, in the order they were found."""

    batches: list[Batch] = field(default_factory=list)

    def add(
        self,
        file: str,
        column: str | None,
        rule: str,
        message: str,
        rows: Sequence[int] | np.ndarray,
        values: Sequence[object] | np.ndarray,
        severity: str = ERROR,
    ) -> None:
        rows_a = np.asarray(rows, dtype=np.int64)
        if rows_a.size == 0:
            return
        values_a = np.asarray(values, dtype=object)
        order = np.argsort(rows_a, kind="stable")
        self.batches.append(
            Batch(file, column, rule, message, rows_a[order], values_a[order], severity)
        )

    def file_error(self, file: str, rule: str, message: str, *, row: int = 0,
                   column: str | None = None, value: object = None,
                   severity: str = ERROR) -> None:
        """A problem with a whole file, or one place in it (row 0 means: no row)."""
        self.add(file, column, rule, message, [row], [value], severity)

    def extend(self, other: Problems) -> None:
        self.batches.extend(other.batches)

    def count(self, severity: str = ERROR) -> int:
        return sum(len(b) for b in self.batches if b.severity == severity)

    @property
    def has_errors(self) -> bool:
        return any(b.severity == ERROR for b in self.batches)

    def __iter__(self) -> Iterator[Problem]:
        for batch in self.batches:
            yield from batch.problems()

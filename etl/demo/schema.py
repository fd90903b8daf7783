"""The raw-format contract as the generator needs it: table names, column order, code lists.

Taken from the ETL's own contract (`etl.rawformat`) and reference code lists, so the generator
cannot drift from what the checker enforces.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from etl.rawformat import tables
from etl.refdata import codelist

COLUMNS: dict[str, tuple[str, ...]] = {
    name: tuple(spec.column_names) for name, spec in tables().items()
}
"""Every table of the contract, in the order files and sheets are written."""


def _codes(name: str) -> tuple[str, ...]:
    return tuple(codelist(name))


LEGAL_FORMS = _codes("legal_form")
OWNER_GENDERS = _codes("owner_gender")
GENDERS = _codes("gender")
ETHNICITIES = _codes("ethnicity")
GROWTH_CONSTRAINTS = _codes("growth_constraint")
TOPICS = _codes("training_topic")
FORMATS = _codes("training_format")
SOLD_IN = _codes("sold_in")
OBSTACLES = _codes("b2b_obstacle")
OUTCOMES = _codes("b2b_outcome")
B2B_LANGUAGES = _codes("b2b_language")
YES_NO_NA = _codes("yes_no_na")
"""Index 0/1/2 of the integer-coded compliance columns."""


@dataclass
class Table:
    """One generated table: the cells as the CSV carries them, and the true dates behind some.

    ``dates`` maps a column to its datetime64[D] values; the XLSX writer turns those columns
    into real date cells, the way a spreadsheet user would have typed them.
    """

    name: str
    frame: pd.DataFrame
    dates: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        expected = list(COLUMNS[self.name])
        if list(self.frame.columns) != expected:
            raise ValueError(f"{self.name}: columns {list(self.frame.columns)} != {expected}")

    def take(self, rows: np.ndarray) -> Table:
        """The given rows (positions or a boolean mask), with their true dates."""
        return Table(self.name, self.frame.iloc[rows].reset_index(drop=True),
                     {k: v[rows] for k, v in self.dates.items()})

    def append(self, other: Table) -> Table:
        """This table's rows followed by ``other``'s (a later wave adds rows at the end)."""
        if other.name != self.name or set(other.dates) != set(self.dates):
            raise ValueError(f"cannot append {other.name} to {self.name}")
        frame = pd.concat([self.frame, other.frame], ignore_index=True)
        return Table(self.name, frame, {k: np.concatenate([v, other.dates[k]])
                                        for k, v in self.dates.items()})

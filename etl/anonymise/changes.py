"""Which units changed between an earlier release and the new one, and their tables.

Between two releases an attacker learns the difference of every cell published in both. The
units of the two releases are matched by their private ids (:func:`pseudonym.unit_ids`): a
unit whose records are the same in both releases contributes the same to every cell and
cancels out of every difference; the others — joined, left, or changed in any record — are
what a difference is made of. Their records in the new release (the *new* side) and in the
earlier one (the *old* side, from the earlier release's ledger) are built into tables of their
own, so each cell's difference is known unit by unit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .tables import Table, TableSpec, build_table

_NA = "\x00"
_SEP = "\x1f"


def _canonical(column: pd.Series) -> pd.Series:
    """Values as text that is equal for equal values whatever the dtype (a frame read back
    from the ledger and one built from raw input compare equal)."""
    if column.dtype == object and column.map(lambda v: isinstance(v, tuple)).any():
        return column.map(lambda v: _SEP.join(map(str, v)) if isinstance(v, tuple) else _NA)
    return column.astype("string").fillna(_NA)


def record_digests(frame: pd.DataFrame) -> np.ndarray:
    """A 64-bit hash of each record over all its columns."""
    if frame.empty:
        return np.zeros(len(frame), dtype=np.uint64)
    text = pd.DataFrame({c: _canonical(frame[c]) for c in sorted(frame.columns)})
    return pd.util.hash_pandas_object(text, index=False).to_numpy(dtype=np.uint64)


def unit_digests(frame: pd.DataFrame, units: np.ndarray) -> pd.DataFrame:
    """Per unit: how many records and a hash of their multiset (order does not matter)."""
    codes, uniques = pd.factorize(pd.Series(units, dtype=object))
    sums = np.zeros(len(uniques), dtype=np.uint64)
    np.add.at(sums, codes, record_digests(frame))  # wraps modulo 2**64, as intended
    counts = np.bincount(codes, minlength=len(uniques))
    return pd.DataFrame({"hash": sums, "records": counts}, index=pd.Index(uniques, dtype=object))


def changed_units(new: pd.DataFrame, new_units: np.ndarray, old: pd.DataFrame,
                  old_units: np.ndarray) -> np.ndarray:
    """Ids of the units whose records differ between the releases (joined, left, changed)."""
    a, b = unit_digests(new, new_units), unit_digests(old, old_units)
    both = a.join(b, how="outer", lsuffix="_new", rsuffix="_old")
    differ = ((both["hash_new"] != both["hash_old"]) | (both["records_new"] != both["records_old"])
              | both.isna().any(axis=1))
    return np.sort(both.index[differ.to_numpy()].to_numpy(dtype=object))


@dataclass
class Change:
    """One unit kind between two releases: the changed units' records on either side."""

    kind: str
    #: Changed unit ids; a unit's position here is its number in the side tables.
    units: np.ndarray
    new: pd.DataFrame
    new_units: np.ndarray
    old: pd.DataFrame
    old_units: np.ndarray
    #: Per record of the new release's frame: whether its unit is unchanged.
    unchanged: np.ndarray

    @property
    def empty(self) -> bool:
        return len(self.units) == 0

    def tables(self, spec: TableSpec) -> tuple[Table, Table]:
        """``spec`` over the new side and over the old side, with every member's contribution."""
        return (build_table(self.new, spec, self.new_units, keep_contributions=True),
                build_table(self.old, spec, self.old_units, keep_contributions=True))


def change(kind: str, new: pd.DataFrame, new_units: np.ndarray, old: pd.DataFrame,
           old_units: np.ndarray) -> Change:
    """The changed units of ``kind``: ``new``/``old`` are the unit frames of the two releases
    and ``*_units`` each record's unit id."""
    if set(new.columns) != set(old.columns):
        raise ValueError(f"{kind}: the earlier release's ledger has columns "
                         f"{sorted(old.columns)}, this build {sorted(new.columns)}: it was "
                         "made by another version of the ETL")
    new_units = np.asarray(new_units, dtype=object)
    old_units = np.asarray(old_units, dtype=object)
    changed = changed_units(new, new_units, old, old_units)
    position = pd.Index(changed, dtype=object)
    in_new = position.get_indexer(new_units)
    in_old = position.get_indexer(old_units)
    pick_new, pick_old = in_new >= 0, in_old >= 0
    return Change(kind, changed,
                  new[pick_new].reset_index(drop=True), in_new[pick_new].astype(np.int64),
                  old[pick_old].reset_index(drop=True), in_old[pick_old].astype(np.int64),
                  ~pick_new)

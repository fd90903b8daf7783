"""Which units changed between an earlier release and the new one, and their tables.

Between two releases an attacker learns the difference of every cell published in both. The
units of the two releases are matched by their private ids (:func:`pseudonym.unit_ids`): a
unit whose records are the same in both releases contributes the same to every cell and
cancels out of every difference; the others — joined, left, or changed in any record — are
what a difference is made of. Their records in the new release (the *new* side) and in the
earlier one (the *old* side, from the earlier release's ledger) are built into tables of their
own, so each cell's difference is known unit by unit.

A ledger written by an older ETL may lack columns this build's unit frames have (a column
added since, for a table added since). The records are then matched on the columns the
ledger has — the new release's digests recomputed over those, as the older ETL computed its
own — so a unit whose only difference is in the new column does not count as changed: the
earlier release published nothing about that column to difference it against
(:func:`compared_columns`; the tables built from it are left out of the comparison, see
:mod:`.joint`). A ledger with a column this build lacks, or stored as another type, cannot be
compared at all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from .errors import HistoryMismatch
from .tables import Table, TableSpec, build_table

_NA = "\x00"
_SEP = "\x1f"


def _hashable(column: pd.Series) -> pd.Series:
    """The column in one dtype per kind of value — numbers as Float64, everything else as
    text (tuples joined) — so equal values hash equal whichever dtype they came in (a frame
    read back from a ledger and one built from raw input compare equal)."""
    if column.dtype != object and pd.api.types.is_numeric_dtype(column):
        return column.astype("Float64")
    if column.dtype == object and column.map(lambda v: isinstance(v, tuple)).any():
        column = column.map(lambda v: _SEP.join(map(str, v)) if isinstance(v, tuple) else v)
    return column.astype("string").fillna(_NA)


def record_digests(frame: pd.DataFrame, columns: Sequence[str] | None = None) -> np.ndarray:
    """A 64-bit hash of each record over ``columns`` (default: all, in any order)."""
    digest = np.zeros(len(frame), dtype=np.uint64)
    if frame.empty:
        return digest
    for i, name in enumerate(sorted(frame.columns if columns is None else columns)):
        column = pd.util.hash_pandas_object(_hashable(frame[name]), index=False)
        digest ^= column.to_numpy(dtype=np.uint64) * np.uint64(2 * i + 1)
    return digest


NUMBER, TEXT, LIST = "number", "text", "list"
"""What a unit frame's column holds, as records are matched on it (see :func:`_hashable`)."""


def value_kind(column: pd.Series) -> str | None:
    """What ``column`` of a unit frame holds — :data:`NUMBER`, :data:`LIST` (tuples) or
    :data:`TEXT`, as :func:`_hashable` reads it — or None when it holds no value to tell."""
    if column.dtype != object and pd.api.types.is_numeric_dtype(column):
        return NUMBER
    values = column.dropna()
    if values.empty:
        return None
    return LIST if values.map(lambda v: isinstance(v, tuple)).any() else TEXT


def stored_kind(stored: pa.DataType) -> str | None:
    """What a ledger's column holds, from the type it is stored as (None: no value in it)."""
    if pa.types.is_null(stored):
        return None
    if (pa.types.is_integer(stored) or pa.types.is_floating(stored)
            or pa.types.is_boolean(stored) or pa.types.is_decimal(stored)):
        return NUMBER
    if pa.types.is_list(stored) or pa.types.is_large_list(stored):
        return LIST
    if pa.types.is_string(stored) or pa.types.is_large_string(stored):
        return TEXT
    return str(stored)


def compared_columns(version: str, kind: str, new: Mapping[str, str | None],
                     old: Mapping[str, str | None]) -> list[str]:
    """The columns of this build's ``kind`` frame (``new``: column → what it holds,
    :func:`value_kind`) to match records on against the earlier release ``version``, whose
    ledger has the columns ``old`` (column → what it holds, :func:`stored_kind`; without
    ``_unit`` and ``_digest``): all of them when the ledger has the same, else only those it
    has — the columns a table of that release can have been built from.
    :class:`HistoryMismatch` when the ledger has a column this build lacks, or one that holds
    another kind of value: records so built cannot be compared with this build's."""
    dropped = sorted(set(old) - set(new))
    if dropped:
        them = "them" if len(dropped) > 1 else "it"
        raise HistoryMismatch(
            f"release {version}'s ledger has {kind} column{'s' if len(dropped) > 1 else ''} "
            f"{', '.join(dropped)}, which this build's {kind} frame lacks: that release was "
            f"built by an ETL that had {them}, and this one cannot audit against it (build "
            f"with an ETL that still has {them})")
    clash = [f"{c} ({old[c]} there, {new[c]} here)" for c in sorted(old)
             if None not in (old[c], new[c]) and old[c] != new[c]]
    if clash:
        raise HistoryMismatch(
            f"release {version}'s ledger and this build disagree on the type of {kind} "
            f"column{'s' if len(clash) > 1 else ''} {', '.join(clash)}: that release was "
            "built by another version of the ETL, and this one cannot audit against it")
    return [c for c in new if c in old]


def extra(mine: np.ndarray, theirs: np.ndarray) -> np.ndarray:
    """Which items (hashes) of one multiset the other lacks: of k equal items where the
    other has j, the last k − j."""
    order = np.argsort(mine, kind="stable")
    ranked = mine[order]
    starts = np.r_[0, np.flatnonzero(ranked[1:] != ranked[:-1]) + 1]
    rank = np.arange(len(ranked)) - np.repeat(starts, np.diff(np.r_[starts, len(ranked)]))
    have = np.zeros(len(ranked), dtype=np.int64)
    values, counts = np.unique(theirs, return_counts=True)
    if len(values):
        at = np.minimum(np.searchsorted(values, ranked), len(values) - 1)
        have = np.where(values[at] == ranked, counts[at], 0)
    out = np.zeros(len(mine), dtype=bool)
    out[order] = rank >= have
    return out


@dataclass
class Change:
    """One unit kind between two releases: the records only the new release has (``new``)
    and those only the earlier one had (``old``), with their units. Records in both cancel
    out of every difference, so these are what any difference is made of."""

    kind: str
    #: Units with a record on either side; a unit's position here is its number in the side
    #: tables.
    units: np.ndarray
    new: pd.DataFrame
    new_units: np.ndarray
    old: pd.DataFrame
    old_units: np.ndarray
    #: Per record of the new release's frame: whether the earlier release had it too.
    kept: np.ndarray

    @property
    def empty(self) -> bool:
        return len(self.units) == 0

    def tables(self, spec: TableSpec) -> tuple[Table, Table]:
        """``spec`` over the new side and over the old side, with every member's contribution."""
        return (build_table(self.new, spec, self.new_units, keep_contributions=True),
                build_table(self.old, spec, self.old_units, keep_contributions=True))


_SPREAD = np.uint64(0x9E3779B97F4A7C15)


def change(kind: str, new: pd.DataFrame, new_units: np.ndarray, new_digests: np.ndarray,
           old_units: np.ndarray, old_digests: np.ndarray,
           old_rows: Callable[[np.ndarray], pd.DataFrame]) -> Change:
    """What changed in ``kind`` between two releases — units that joined, left, or changed in
    any record — matching records as a multiset of (unit, record digest): ``new`` is this
    release's unit frame, ``*_units`` each record's unit id and ``*_digests`` each record's
    :func:`record_digests`; ``old_rows(mask)`` reads the earlier release's records that the
    mask selects (only those are read: an earlier frame can be millions of rows)."""
    codes, uniques = pd.factorize(np.concatenate([np.asarray(new_units, dtype=np.uint64),
                                                  np.asarray(old_units, dtype=np.uint64)]))
    new_codes, old_codes = codes[:len(new_units)], codes[len(new_units):]
    with np.errstate(over="ignore"):
        new_keys = np.asarray(new_digests, np.uint64) ^ (new_codes.astype(np.uint64) * _SPREAD)
        old_keys = np.asarray(old_digests, np.uint64) ^ (old_codes.astype(np.uint64) * _SPREAD)
    gained, lost = extra(new_keys, old_keys), extra(old_keys, new_keys)
    old = old_rows(lost)
    if set(new.columns) != set(old.columns):  # compared_columns() gives the columns to pass
        raise HistoryMismatch(f"{kind}: the earlier release's ledger has columns "
                              f"{sorted(old.columns)}, this build compares "
                              f"{sorted(new.columns)}")
    changed = np.unique(np.concatenate([new_codes[gained], old_codes[lost]]))
    position = np.full(len(uniques), -1, dtype=np.int64)
    position[changed] = np.arange(len(changed))
    return Change(kind, np.asarray(uniques)[changed],
                  new[gained].reset_index(drop=True), position[new_codes[gained]],
                  old.reset_index(drop=True), position[old_codes[lost]], ~gained)

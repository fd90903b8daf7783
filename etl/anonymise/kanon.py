"""k-anonymity by full-domain generalisation with local suppression, then l-diversity.

Anyone can look a business up in the public register, so every published combination of
quasi-identifiers (QIs) must be shared by at least ``k`` businesses. :func:`generalise` searches
the lattice of generalisation levels (one level per QI, :mod:`etl.anonymise.hierarchies`) for the
least generalisation that reaches k after locally suppressing (all QIs → ``"*"``) at most
``max_suppression_share`` of the records. :func:`l_diverse` then blanks a sensitive attribute
in every class where it would give away the value (fewer than ``l`` distinct values).

Why the suppressed records are "padded" to at least k: the all-``"*"`` rows form a class of
their own; were it smaller than k, an attacker who knows which businesses fall into rare
combinations could single them out. With padding, every published row matches at least k
raw records and every raw record at least k published rows, ``"*"`` matching anything.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .hierarchies import QI_HIERARCHIES, WILDCARD, Hierarchy
from .params import DEFAULTS, Params

__all__ = [
    "Generalisation",
    "LDiversity",
    "generalise",
    "l_diverse",
    "records_at_risk",
    "size_distribution",
]

#: Keys spanning at most this (and about the number of records) are counted with np.bincount,
#: wider ones by sorting: bincount allocates the whole span.
_BINCOUNT_SPAN = 1 << 22
#: Mixed-radix keys are compressed (re-ranked) before they could overflow int64.
_KEY_LIMIT = 1 << 62


@dataclass(frozen=True)
class Generalisation:
    """The chosen generalisation, the published QIs and what the risk report needs."""

    #: Chosen level per QI, and its label (``"division"``, ``"5-year band"``, …).
    levels: dict[str, int]
    level_names: dict[str, str]
    #: The QIs as published: strings, every QI ``"*"`` on locally suppressed records.
    frame: pd.DataFrame
    #: Records whose QIs were all locally suppressed.
    suppressed: np.ndarray
    #: Published equivalence class of each record (the all-``"*"`` records form one class).
    classes: np.ndarray
    #: Per record: size of its class on the QIs as recorded (level 0), and as published.
    sizes_before: np.ndarray
    sizes_after: np.ndarray
    #: Lattice nodes whose class sizes were computed, and the size of the lattice.
    nodes_evaluated: int
    lattice_size: int
    params: Params = field(default=DEFAULTS)

    @property
    def achieved_k(self) -> int:
        """Smallest published class, the all-``"*"`` class included."""
        return int(self.sizes_after.min())

    @property
    def suppressed_share(self) -> float:
        return float(self.suppressed.mean())

    @property
    def sample_uniques_before(self) -> int:
        """Records unique on the QIs as recorded."""
        return int((self.sizes_before == 1).sum())

    @property
    def sample_uniques_after(self) -> int:
        return int((self.sizes_after == 1).sum())

    @property
    def at_risk_before(self) -> int:
        """Records whose risk 1/f exceeds ``params.risk_threshold`` on the recorded QIs."""
        return records_at_risk(self.sizes_before, self.params)

    @property
    def at_risk_after(self) -> int:
        return records_at_risk(self.sizes_after, self.params)

    @property
    def suppressions_per_variable(self) -> dict[str, int]:
        """Local suppressions per QI; a suppressed record counts once for every QI."""
        count = int(self.suppressed.sum())
        return {name: count for name in self.levels}

    def size_distribution(self, before: bool = False) -> dict[int, int]:
        """Published (or, with ``before``, level-0) class size → number of classes."""
        return size_distribution(self.sizes_before if before else self.sizes_after)


@dataclass(frozen=True)
class LDiversity:
    """Sensitive attributes after l-diversity suppression."""

    #: The sensitive columns; a column with suppressions is object dtype, suppressed cells None
    #: (the masks, not None, tell a suppressed cell from a missing one).
    frame: pd.DataFrame
    #: Per column: True where the cell was suppressed.
    masks: dict[str, np.ndarray]
    #: Per column: suppressed cells.
    suppressed: dict[str, int]
    #: Per column: smallest number of distinct non-missing values in a class that keeps the
    #: column (None when no class does).
    achieved_l: dict[str, int | None]


def size_distribution(sizes: np.ndarray) -> dict[int, int]:
    """Class size → number of classes, from each record's class size."""
    values, records = np.unique(np.asarray(sizes), return_counts=True)
    return {int(s): int(r // s) for s, r in zip(values, records, strict=True)}


def records_at_risk(sizes: np.ndarray, params: Params = DEFAULTS) -> int:
    """Records whose re-identification risk 1/f is above ``params.risk_threshold``."""
    return int((1.0 / np.asarray(sizes, dtype=float) > params.risk_threshold).sum())


@dataclass(frozen=True)
class _Ladder:
    """One QI precomputed at every level: integer codes (sorted by label), radix, labels."""

    codes: tuple[np.ndarray, ...]
    labels: tuple[np.ndarray, ...]

    @classmethod
    def build(cls, column: pd.Series, hierarchy: Hierarchy) -> _Ladder:
        # Generalise one representative per distinct value (missing included), then spread.
        raw, _ = pd.factorize(column, use_na_sentinel=True)
        _, first, pos = np.unique(raw, return_index=True, return_inverse=True)
        reps = column.iloc[first].reset_index(drop=True)
        codes, labels = [], []
        for level in range(hierarchy.top + 1):
            generalised = hierarchy.generalise(reps, level).to_numpy(dtype=object)
            rank, uniques = pd.factorize(generalised, sort=True)
            codes.append(rank.astype(np.int64)[pos.ravel()])
            labels.append(np.asarray(uniques, dtype=object))
        return cls(tuple(codes), tuple(labels))

    def radix(self, level: int) -> int:
        return len(self.labels[level])


def _keys(ladders: Sequence[_Ladder], node: Sequence[int], n: int) -> tuple[np.ndarray, int]:
    """One int64 class key per record (mixed radix; key order = label order) and its span."""
    key = np.zeros(n, dtype=np.int64)
    span = 1
    for ladder, level in zip(ladders, node, strict=True):
        radix = ladder.radix(level)
        if radix == 1:
            continue
        if span * radix > _KEY_LIMIT:
            _, key = np.unique(key, return_inverse=True)
            key = key.ravel().astype(np.int64)
            span = int(key.max()) + 1
        key = key * radix + ladder.codes[level]
        span *= radix
    return key, span


def _class_sizes(key: np.ndarray, span: int) -> np.ndarray:
    """Sizes of the non-empty classes, in key order."""
    if span <= _BINCOUNT_SPAN and span <= 4 * len(key) + 1024:
        counts = np.bincount(key, minlength=span)
        return counts[counts > 0]
    return np.unique(key, return_counts=True)[1]


def _suppression(sizes: np.ndarray, k: int) -> tuple[np.ndarray, int]:
    """Classes to suppress (boolean per class) and the records that touches.

    The classes smaller than k; if they hold 1..k-1 records, also the smallest class of at
    least k (first in key order among equals), so the all-``"*"`` class reaches k.
    """
    small = sizes < k
    count = int(sizes[small].sum())
    if 0 < count < k:
        large = np.flatnonzero(~small)
        if large.size:
            pad = large[np.argmin(sizes[large])]
            small = small.copy()
            small[pad] = True
            count += int(sizes[pad])
    return small, count


def _weights(hierarchies: Sequence[Hierarchy]) -> list[int]:
    """Integer weights so that ``sum(level * weight)`` orders nodes like
    sum(importance * level / top): exact, with no floating-point ties."""
    common = math.lcm(*(h.top for h in hierarchies))
    return [common // h.top * h.importance for h in hierarchies]


def generalise(
    qi: pd.DataFrame,
    hierarchies: Sequence[Hierarchy] = QI_HIERARCHIES,
    params: Params = DEFAULTS,
) -> Generalisation:
    """The least full-domain generalisation of ``qi`` that is k-anonymous after local suppression.

    ``qi`` holds one column per hierarchy (named like it). A node (one level per QI) is
    acceptable when the records it must suppress (classes below k, padded to k) are at most
    ``params.max_suppression_share`` of all. Among acceptable nodes the one with the smallest
    sum of level / top level wins; ties go to fewer suppressed records, then to the
    lexicographically smallest level vector.

    Search: nodes in order of that sum, so the first acceptable sum is the optimum. Records in
    classes below k can only shrink as a node is generalised (classes merge), so a node with too
    many of them rules out every node below it; on such a failure the search climbs to a maximal
    failing node and skips everything under it. (Padding makes acceptance itself not quite
    monotone, so acceptable nodes do not prune.)
    """
    hierarchies = tuple(hierarchies)
    names = [h.name for h in hierarchies]
    if len(set(names)) != len(names) or set(names) != set(qi.columns):
        raise ValueError(f"QI columns {list(qi.columns)} do not match hierarchies {names}")
    if any(h.top < 1 for h in hierarchies):
        raise ValueError("every hierarchy needs at least two levels")
    n = len(qi)
    if n < params.k:
        raise ValueError(f"{n} records cannot be {params.k}-anonymous")
    k = params.k
    budget = math.floor(params.max_suppression_share * n + 1e-9)

    ladders = [_Ladder.build(qi[h.name], h) for h in hierarchies]
    tops = np.array([h.top for h in hierarchies])
    weights = _weights(hierarchies)
    nodes = sorted(
        itertools.product(*(range(h.top + 1) for h in hierarchies)),
        key=lambda node: (sum(w * lv for w, lv in zip(weights, node, strict=True)), node),
    )

    # node → (records in classes below k, records suppressed with padding)
    memo: dict[tuple[int, ...], tuple[int, int]] = {}

    def evaluate(node: tuple[int, ...]) -> tuple[int, int]:
        if node not in memo:
            sizes = _class_sizes(*_keys(ladders, node, n))
            memo[node] = (int(sizes[sizes < k].sum()), _suppression(sizes, k)[1])
        return memo[node]

    failing = np.empty((0, len(hierarchies)), dtype=np.int64)

    def climb(node: tuple[int, ...]) -> tuple[int, ...]:
        """A maximal node above ``node`` that still has too many records below k."""
        current = list(node)
        for j in range(len(current)):
            while current[j] < tops[j]:
                current[j] += 1
                if evaluate(tuple(current))[0] <= budget:
                    current[j] -= 1
                    break
        return tuple(current)

    best: tuple[int, tuple[int, ...]] | None = None
    best_score: int | None = None
    for node in nodes:
        score = sum(w * lv for w, lv in zip(weights, node, strict=True))
        if best_score is not None and score > best_score:
            break
        if failing.size and bool(np.all(failing >= np.asarray(node), axis=1).any()):
            continue
        below_k, suppressed = evaluate(node)
        if below_k > budget:
            failing = np.vstack([failing, np.asarray(climb(node))])
        elif suppressed <= budget and (best is None or (suppressed, node) < best):
            best, best_score = (suppressed, node), score
    assert best is not None  # the top node has one class of n >= k records
    chosen = best[1]

    key, _ = _keys(ladders, chosen, n)
    _, inverse, sizes = np.unique(key, return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    drop, _ = _suppression(sizes, k)
    suppressed = drop[inverse]

    columns = {}
    for h, ladder, level in zip(hierarchies, ladders, chosen, strict=True):
        values = ladder.labels[level][ladder.codes[level]]
        values[suppressed] = WILDCARD
        columns[h.name] = pd.Series(values, index=qi.index, dtype="str")
    frame = pd.DataFrame(columns, index=qi.index)

    published = np.where(suppressed, -1, inverse)
    _, classes, after = np.unique(published, return_inverse=True, return_counts=True)
    classes = classes.ravel()
    base_key, _ = _keys(ladders, (0,) * len(ladders), n)
    _, base_inverse, before = np.unique(base_key, return_inverse=True, return_counts=True)

    return Generalisation(
        levels=dict(zip(names, chosen, strict=True)),
        level_names={h.name: h.levels[lv] for h, lv in zip(hierarchies, chosen, strict=True)},
        frame=frame,
        suppressed=suppressed,
        classes=classes,
        sizes_before=before[base_inverse.ravel()],
        sizes_after=after[classes],
        nodes_evaluated=len(memo),
        lattice_size=len(nodes),
        params=params,
    )


def l_diverse(
    classes: np.ndarray, sensitive: pd.DataFrame, params: Params = DEFAULTS
) -> LDiversity:
    """Suppress each sensitive column in every class where it has fewer than l distinct values.

    Only classes with at least one non-missing value are judged: a column missing for a whole
    class reveals nothing. A judged class with fewer than ``params.l_diversity`` distinct
    non-missing values loses the column for all its records.
    """
    classes = np.asarray(classes)
    if classes.shape != (len(sensitive),):
        raise ValueError("need one class id per record")
    _, cid = np.unique(classes, return_inverse=True)
    cid = cid.ravel()
    m = int(cid.max()) + 1 if len(cid) else 0

    columns: dict[str, pd.Series] = {}
    masks: dict[str, np.ndarray] = {}
    counts: dict[str, int] = {}
    achieved: dict[str, int | None] = {}
    for name in sensitive.columns:
        column = sensitive[name]
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
        present = codes >= 0
        nonmissing = np.bincount(cid[present], minlength=m)
        pairs = np.unique(cid[present].astype(np.int64) * max(len(uniques), 1) + codes[present])
        distinct = np.bincount(pairs // max(len(uniques), 1), minlength=m)
        judged = nonmissing > 0
        bad = judged & (distinct < params.l_diversity)
        kept = judged & ~bad
        mask = bad[cid]
        if mask.any():
            values = column.to_numpy(dtype=object, copy=True)
            values[mask | pd.isna(values)] = None
            column = pd.Series(values, index=column.index, name=name, dtype=object)
        columns[name] = column
        masks[name] = mask
        counts[name] = int(mask.sum())
        achieved[name] = int(distinct[kept].min()) if kept.any() else None
    return LDiversity(
        frame=pd.DataFrame(columns, index=sensitive.index),
        masks=masks,
        suppressed=counts,
        achieved_l=achieved,
    )

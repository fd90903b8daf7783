"""How field tools write values: the small inconsistencies the ETL's reader must absorb.

Everything here stays inside the raw-format contract (codes are case-insensitive, white space
is ignored, dates may be ``DD.MM.YYYY``, municipalities may be written in any of their forms),
so the demo input is valid yet exercises every normalisation the reader performs.
All helpers are vectorised: values are picked from small tables by integer index.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

ODD_CASE_SHARE = 0.03
"""Share of codes typed as ``Yes`` or ``NO`` instead of the exported lower case."""
DOTTED_DATE_SHARE = 0.12
"""Share of dates typed the local way, ``DD.MM.YYYY``."""
PAD_SHARE = 0.02
"""Share of free-text cells with a stray leading or trailing space."""


def choose(rng: np.random.Generator, weights: Sequence[float], size: int) -> np.ndarray:
    """Draw ``size`` indices with the given (unnormalised) weights."""
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum())


def pick_rows(rng: np.random.Generator, counts: np.ndarray) -> np.ndarray:
    """For each row, a uniform index below its own ``counts`` value (ragged choice)."""
    return np.minimum((rng.random(len(counts)) * counts).astype(np.int64), counts - 1)


def ragged(rows: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
    """Pad lists of strings into an object matrix plus the length of each list."""
    width = max(len(r) for r in rows)
    table = np.full((len(rows), width), "", dtype=object)
    for i, r in enumerate(rows):
        table[i, : len(r)] = r
    return table, np.array([len(r) for r in rows], dtype=np.int64)


def codes(
    rng: np.random.Generator, idx: np.ndarray, vocab: Sequence[str],
    odd_share: float = ODD_CASE_SHARE,
) -> np.ndarray:
    """Render integer codes as text; ``-1`` is a missing cell.

    A few codes come out capitalised or upper-case, as in hand-edited exports; ``na`` never
    does, because ``NA`` is a missing value to many spreadsheet readers.
    """
    rows = [(c, c.capitalize(), c.upper()) if c != "na" else (c, c, c) for c in vocab]
    table = np.array([*rows, (None, None, None)], dtype=object)
    variant = np.where(rng.random(len(idx)) < odd_share, rng.integers(1, 3, len(idx)), 0)
    return table[np.where(idx < 0, len(vocab), idx), variant]


def yes_no(rng: np.random.Generator, flag: np.ndarray, missing: np.ndarray | None = None,
           na: np.ndarray | None = None) -> np.ndarray:
    """Render booleans as ``yes``/``no`` with optional ``na`` and missing masks."""
    idx = np.where(flag, 0, 1)
    if na is not None:
        idx = np.where(na, 2, idx)
    if missing is not None:
        idx = np.where(missing, -1, idx)
    return codes(rng, idx, ("yes", "no", "na"))


def multi(bits: np.ndarray, vocab: Sequence[str]) -> np.ndarray:
    """Space-separated multi-choice cells from a boolean matrix; no choice is a missing cell.

    Rows are encoded as bit masks so only the distinct combinations are joined in Python.
    """
    weights = (1 << np.arange(bits.shape[1], dtype=np.int64))
    masks = bits.astype(np.int64) @ weights
    uniq, inverse = np.unique(masks, return_inverse=True)
    labels = np.empty(len(uniq), dtype=object)
    for i, m in enumerate(uniq):
        joined = " ".join(v for j, v in enumerate(vocab) if m >> j & 1)
        labels[i] = joined or None
    return labels[inverse.ravel()]


def dates(rng: np.random.Generator, days: np.ndarray,
          dotted_share: float = DOTTED_DATE_SHARE) -> np.ndarray:
    """Render datetime64[D] values as ISO or ``DD.MM.YYYY`` text; NaT is a missing cell."""
    days = np.asarray(days, dtype="datetime64[D]")
    missing = np.isnat(days)
    ints = np.where(missing, 0, days.astype(np.int64))
    uniq, inverse = np.unique(ints, return_inverse=True)
    iso = np.datetime_as_string(uniq.astype("datetime64[D]"), unit="D").astype(object)
    dotted = np.array([f"{s[8:10]}.{s[5:7]}.{s[0:4]}" for s in iso], dtype=object)
    inverse = inverse.ravel()
    out = np.where(rng.random(len(days)) < dotted_share, dotted[inverse], iso[inverse])
    out[missing] = None
    return out


def pad(rng: np.random.Generator, values: np.ndarray, share: float = PAD_SHARE) -> np.ndarray:
    """Add a stray space before or after a few non-missing text cells."""
    values = np.asarray(values, dtype=object).copy()
    hit = (rng.random(len(values)) < share) & pd.notna(values)
    lead = rng.random(len(values)) < 0.5
    values[hit & lead] = " " + values[hit & lead]
    values[hit & ~lead] = values[hit & ~lead] + " "
    return values


def nullable_int(values: np.ndarray, missing: np.ndarray | None = None) -> pd.arrays.IntegerArray:
    """Integers that print without ``.0`` and leave missing cells empty."""
    values = np.asarray(values).astype(np.int64)
    mask = np.zeros(len(values), dtype=bool) if missing is None else np.asarray(missing)
    return pd.arrays.IntegerArray(values, mask)


def zero_pad(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    """``prefix`` + zero-padded numbers, e.g. ``PM-0001``, as an object array."""
    digits = np.char.zfill(np.asarray(numbers).astype(np.int64).astype(str), width)
    return np.char.add(prefix, digits).astype(object)


def translit(values: np.ndarray) -> np.ndarray:
    """ASCII lower-case forms of names, for e-mail addresses."""
    table = str.maketrans({
        "č": "c", "ć": "c", "š": "s", "ž": "z", "đ": "dj", "ë": "e", "ç": "c", "ı": "i",
        "ş": "s", "ğ": "g", "ü": "u", "ö": "o", " ": "", "-": "", "'": "",
    })
    uniq, inverse = np.unique(np.asarray(values, dtype=str), return_inverse=True)
    out = np.array([u.lower().translate(table) for u in uniq], dtype=object)
    return out[inverse.ravel()]

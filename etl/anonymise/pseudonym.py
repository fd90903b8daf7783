"""Pseudonymous keys for published records.

A published key is HMAC-SHA256 of the raw id under a secret key, mixed with the release
version: without the secret nobody can go from a raw id (or a registration number) to a
published key, and the same business gets unrelated keys in two releases, so releases cannot be
joined record by record. The secret comes from the environment and is never written anywhere.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping

import numpy as np
import pandas as pd

#: Environment variable holding the secret key for real (non-demo) inputs.
KEY_ENV = "PORTAL_PSEUDONYM_KEY"

#: The key for inputs written by `etl demo`: public on purpose, so that anyone can rebuild the
#: demo release byte for byte. It protects nothing and is never used for real survey data.
DEMO_KEY = b"north-kosovo-product-map/demo-key/not-secret"

#: Hex digits kept from the HMAC: 64 bits, collision-free in practice at national scale (a
#: collision is checked for and stops the build anyway).
KEY_HEX_DIGITS = 16

#: The shortest secret accepted: a short key could be guessed by brute force.
MIN_KEY_BYTES = 16


class MissingKeyError(RuntimeError):
    """No secret key for a real input: publishing would need one."""


def release_key(is_demo: bool, environ: Mapping[str, str] | None = None) -> bytes:
    """The secret for this build: the environment's key, or the published demo key for demo
    inputs only. A real input without a key stops the build."""
    env = os.environ if environ is None else environ
    secret = env.get(KEY_ENV, "")
    if secret:
        key = secret.encode("utf-8")
        if len(key) < MIN_KEY_BYTES:
            raise MissingKeyError(f"{KEY_ENV} is too short: use at least {MIN_KEY_BYTES} "
                                  "random characters (e.g. `openssl rand -hex 32`)")
        return key
    if is_demo:
        return DEMO_KEY
    raise MissingKeyError(
        f"this input is real survey data, so its published keys need a secret: set {KEY_ENV} "
        "to a long random string (e.g. `export "
        f"{KEY_ENV}=$(openssl rand -hex 32)`) and keep it out of the repository and packages")


def pseudonyms(ids: pd.Series | np.ndarray, key: bytes, version: str, domain: str) -> np.ndarray:
    """Published keys for raw ids. `domain` (e.g. "business") keeps keys of different record
    kinds apart even if raw ids coincide."""
    prefix = f"{domain}\x1f{version}\x1f".encode()
    out = np.array([hmac.new(key, prefix + str(i).encode("utf-8"), hashlib.sha256)
                    .hexdigest()[:KEY_HEX_DIGITS] for i in np.asarray(ids, dtype=object)],
                   dtype=object)
    if len(set(out.tolist())) != len(out):
        raise RuntimeError("two records got the same published key; rebuild with another key")
    return out


def unit_ids(codes: np.ndarray, names: np.ndarray, key: bytes, kind: str) -> np.ndarray:
    """Private ids of units that stay the same from release to release (the same business,
    person or session in every release): 64 bits of a keyed hash of their raw ids ``names``,
    for each record (``codes`` index ``names``). The history ledger keeps these, never the raw
    ids; published keys are derived from them per release and wave."""
    prefix = f"unit\x1f{kind}\x1f".encode()
    hashed = np.array([int.from_bytes(hmac.new(key, prefix + str(name).encode("utf-8"),
                                               hashlib.sha256).digest()[:8], "big")
                       for name in names], dtype=np.uint64)
    return hashed[np.asarray(codes, dtype=np.int64)]

"""Find the published release the portal should show, and fingerprint it.

The ETL publishes ``<dir>/<version>/<package>/datapackage.json`` and points
``<dir>/latest`` at the newest version. The fingerprint is a SHA-256 over every
package descriptor; descriptors carry the SHA-256 of each of their files, so a
change to any published byte gives a new fingerprint and the portal reloads.

``releases.json`` is watched beside it (its digest, :attr:`Release.history`): withdrawing an
older release changes only that list, which the catalogue shows but no table holds, so the
portal rebuilds what shows the history without reloading the tables. The fingerprint stays
the ETL's own (``releases.json`` names each release by it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from etl.publish.releases import fingerprint
from portal.load import history

DESCRIPTOR = "datapackage.json"


@dataclass(frozen=True)
class Release:
    """One published release: its folder, fingerprint and package descriptors, and the digest
    of the release list beside it."""

    root: Path
    fingerprint: str
    packages: dict[str, dict[str, Any]] = field(repr=False)
    history: str = ""

    @property
    def version(self) -> str:
        versions = {d.get("version", "") for d in self.packages.values()}
        return ", ".join(sorted(versions))

    @property
    def synthetic(self) -> bool:
        """True when any package says it holds demo data (``x-synthetic``)."""
        return any(d.get("x-synthetic") for d in self.packages.values())


def locate(packages_dir: Path) -> Path | None:
    """The folder holding the package folders: ``latest`` if there is one, else the
    directory itself when it holds packages (a single release copied somewhere)."""
    latest = packages_dir / "latest"
    for root in (latest, packages_dir):
        if root.is_dir() and any(root.glob(f"*/{DESCRIPTOR}")):
            return root.resolve()
    return None


def read_release(packages_dir: Path) -> Release | None:
    """The current release under ``packages_dir``, or None when nothing is published.

    Raises:
        ValueError: a descriptor is not valid JSON (named, with the file).
    """
    root = locate(packages_dir)
    if root is None:
        return None
    packages: dict[str, dict[str, Any]] = {}
    for path in sorted(root.glob(f"*/{DESCRIPTOR}")):
        try:
            descriptor = json.loads(path.read_bytes())
        except ValueError as error:
            raise ValueError(f"{path}: not a valid data package descriptor: {error}") from None
        packages[path.parent.name] = descriptor  # the publisher names folders after packages
    # The ETL's own fingerprint: the same hash releases.json and the history ledgers name.
    return Release(root=root, fingerprint=fingerprint(root), packages=packages,
                   history=history.digest(packages_dir))

"""What an attacker holding the raw input would look for in published files."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from etl import refdata
from etl.rawformat import tables as raw_tables
from etl.validate import CheckResult


@lru_cache(maxsize=1)
def public_text() -> str:
    """Everything a release may legitimately contain besides data: place names, code labels
    of every published vocabulary, the handbook's authorities, steps and documents, the
    publishers."""
    from etl.handbook import requirements_reference
    from etl.publish.package import CONTRIBUTORS
    from etl.publish.vocabulary import vocabulary

    texts = [c["title"] for c in CONTRIBUTORS] + ["NGO AKTIV"]
    for m in refdata.municipalities():
        texts += list(m.names)
    names = [*refdata.codelist_names(), "municipality", "broad_sector", "nace_section",
             "nace_division", "hs_chapter", "compliance_level", "requirement_status", "size",
             "legal_form_group", "market", "age_band", "special", "cell_status"]
    for name in names:
        for code, labels in vocabulary(name).items():
            texts += [code, *labels.values()]
    for requirement in requirements_reference():
        for lang in ("en", "sq", "sr"):
            texts += [requirement.authority(lang), *requirement.steps(lang),
                      *requirement.documents(lang)]
    return "\n".join(texts).casefold()


def raw_secrets(checked: CheckResult) -> set[str]:
    """Every identifying string of the raw input (5+ characters, not found in public reference
    text): direct identifiers, free text, and the raw ids."""
    public = public_text()
    secrets: set[str] = set()
    for name, spec in raw_tables().items():
        if name not in checked.tables:
            continue
        frame = checked.raw.tables[name].data
        columns = [f.name for f in spec.fields if f.identifier]
        columns += [c for c in ("enterprise_id", "training_id", "meeting_id",
                                "north_enterprise_id") if c in frame]
        for column in columns:
            for value in frame[column].dropna().astype(str).unique():
                if len(value) >= 5 and value.casefold() not in public:
                    secrets.add(value)
    return secrets


def release_files(*roots: Path) -> dict[str, bytes]:
    """Every file under ``roots`` (a release folder, a packages folder…) as bytes, and the
    members of each zip or workbook in them, however nested (as ``<file>!<member>``):
    everything a downloader of a release can read."""
    found: dict[str, bytes] = {}

    def add(name: str, data: bytes) -> None:
        found[name] = data
        if name.endswith((".zip", ".xlsx")):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for member in archive.namelist():
                    add(f"{name}!{member}", archive.read(member))

    for root in roots:
        paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in paths:
            add(str(path), path.read_bytes())
    return found


def leaked(files: dict[str, bytes], secrets: Iterable[str]) -> dict[str, list[str]]:
    """Which of ``secrets`` each file contains (case-folded text; files without any are left
    out), so a failing assertion names the file and the values."""
    wanted = sorted({s.casefold() for s in secrets if s})
    hits = {}
    for name, data in files.items():
        text = data.decode("utf-8", errors="replace").casefold()
        found = [s for s in wanted if s in text]
        if found:
            hits[name] = found
    return hits

"""The raw survey export contract (`shared/raw-format.md`) as data.

The contract lives in `reference/raw_format.json` so that the reader, the checker and (later)
the anonymiser all work from one schema instead of each restating column lists in code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

FORMAT_FILE = Path(__file__).parent / "reference" / "raw_format.json"

#: Field types of the contract; each has a checker in `etl.validate.types`.
FIELD_TYPES = frozenset(
    {"text", "integer", "number", "date", "code", "multi", "municipality", "nace", "hs"}
)


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    required: bool = False
    codelist: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None
    identifier: bool = False
    description: str = ""


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    resource: str
    reference_fields: tuple[str, ...]


@dataclass(frozen=True)
class TableSpec:
    name: str
    required: bool
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    requires: tuple[str, ...] = ()
    _by_name: dict[str, Field] = field(default_factory=dict, compare=False, repr=False)

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    @property
    def column_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        return self._by_name[name]


def _table(raw: dict) -> TableSpec:
    fields = []
    for f in raw["fields"]:
        if f["type"] not in FIELD_TYPES:
            raise ValueError(f"{FORMAT_FILE.name}: {raw['name']}.{f['name']}: unknown type")
        fields.append(
            Field(
                name=f["name"],
                type=f["type"],
                required=f.get("required", False),
                codelist=f.get("codelist"),
                minimum=f.get("minimum"),
                maximum=f.get("maximum"),
                exclusive_minimum=f.get("exclusiveMinimum"),
                identifier=f.get("identifier", False),
                description=f.get("description", ""),
            )
        )
    fks = tuple(
        ForeignKey(tuple(fk["fields"]), fk["reference"]["resource"],
                   tuple(fk["reference"]["fields"]))
        for fk in raw.get("foreignKeys", [])
    )
    return TableSpec(
        name=raw["name"],
        required=raw["required"],
        description=raw.get("description", ""),
        fields=tuple(fields),
        primary_key=tuple(raw.get("primaryKey", [])),
        foreign_keys=fks,
        requires=tuple(raw.get("requires", [])),
        _by_name={f.name: f for f in fields},
    )


@lru_cache(maxsize=1)
def tables() -> dict[str, TableSpec]:
    """Every table of the contract by name, in the contract's order."""
    doc = json.loads(FORMAT_FILE.read_text(encoding="utf-8"))
    return {t["name"]: _table(t) for t in doc["files"]}

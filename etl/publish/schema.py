"""Table Schemas for every published table, derived from the data's own definitions.

Each field has a title, a description, a type and constraints; code columns list their codes
(`constraints.enum`) and carry their labels in English, Albanian and Serbian as the documented
custom property `x-labels` (frictionless-py does not implement Data Package v2 `categories`).
The suppression marker is declared as a missing value, with its label in `x-missingValueLabels`.

Titles and units stay in English (`title`, `unit`); their translations are the documented
custom properties `x-title` (every field, and every resource: see `etl.publish.package`) and
`x-unit` (every field with a `unit`), each {"en", "sq", "sr-Latn", "sr-Cyrl"}, from
`etl/reference/metadata_labels.csv` (:func:`translated`). A field, resource or unit without
its row there cannot be published.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from etl.anonymise.bg_tables import DIRECTORY
from etl.anonymise.params import SUPPRESSED
from etl.anonymise.primary import RULES
from etl.anonymise.tables import TableSpec
from etl.publish.vocabulary import Column, column, metadata_label, vocabulary

SUPPRESSED_LABEL = vocabulary("cell_status")["suppressed"]
MISSING_VALUES = ["", SUPPRESSED]

#: What a count or sum is of, by the table's unit and measure.
UNITS = {"businesses": "businesses", "people": "participations", "sessions": "sessions",
         "meetings": "meetings", "turnover_eur": "EUR", "deal_value_eur": "EUR",
         "employees": "employees", "pre_score": "test points", "post_score": "test points"}


def _title(name: str) -> str:
    return name.replace("_", " ").capitalize()


def translated(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with `x-title` beside every field's `title` and `x-unit` beside every `unit`
    (a new schema; fails, naming the reference file and key, on a missing translation)."""
    fields = []
    for f in schema["fields"]:
        out: dict[str, Any] = {}
        for key, value in f.items():
            if key in ("x-title", "x-unit"):
                continue
            out[key] = value
            if key == "title":
                out["x-title"] = metadata_label("field", f["name"], value)
            elif key == "unit":
                out["x-unit"] = metadata_label("unit", value, value)
        if "x-title" not in out:
            out["x-title"] = metadata_label("field", f["name"], f.get("title", ""))
        fields.append(out)
    return {**schema, "fields": fields}


def _code_field(name: str, col: Column, observed: list[str]) -> dict[str, Any]:
    labels = vocabulary(col.vocabulary) if col.vocabulary else {}
    special = vocabulary("special")
    # The vocabulary's own order (0-1, 2-9, 10+; informal → formal), which charts keep.
    rank = {code: i for i, code in enumerate(labels)}
    codes = sorted(set(observed), key=lambda c: (c not in labels, rank.get(c, 0), str(c)))
    field: dict[str, Any] = {"name": name, "title": _title(name), "type": "string",
                             "description": col.description, "constraints": {"enum": codes}}
    known = {c: labels.get(c) or special.get(c) for c in codes}
    field["x-labels"] = {c: v for c, v in known.items() if v}
    return field


def protected_table_schema(spec: TableSpec, frame: pd.DataFrame) -> dict[str, Any]:
    """Dims, then the value (count or sum), its status and the rule that hid it."""
    fields = [_code_field(d, column(d), frame[d].astype(str).tolist()) for d in spec.dims]
    for f in fields:
        f["constraints"]["required"] = True
    measure = spec.measure
    fields.append({
        "name": "value", "title": "Value",
        "type": "number" if measure else "integer",
        "description": (f"Sum of {measure} over the cell's contributors" if measure else
                        f"Number of {UNITS[spec.unit]}") + "; `[c]` where suppressed.",
        "unit": UNITS[measure or spec.unit],
        "constraints": {"minimum": 0},
    })
    fields.append({"name": "status", "title": "Status", "type": "string",
                   "description": "Whether the value is published or suppressed.",
                   "constraints": {"required": True, "enum": ["published", "suppressed"]},
                   "x-labels": vocabulary("cell_status")})
    fields.append({"name": "rule", "title": "Rule", "type": "string",
                   "description": "Why a value is suppressed: threshold (fewer than 5 "
                   "contributors), p_percent (one contributor dominates), group_attribute "
                   "(0% or 100% of a small group), directory (the same rules, judged on the "
                   "businesses the supplier directory does not reveal), secondary (protects "
                   "another cell), history (read with an earlier release, it would give away a "
                   "hidden cell or what changed between the releases); empty when published.",
                   "constraints": {"enum": [*RULES, DIRECTORY, "secondary", "history"]},
                   "x-labels": vocabulary("cell_rule")})
    return {"fields": fields, "primaryKey": list(spec.dims), "missingValues": MISSING_VALUES,
            "x-missingValueLabels": {SUPPRESSED: SUPPRESSED_LABEL}}


_KEY = re.compile(r"^[0-9a-f]{16}$")


def microdata_schema(frame: pd.DataFrame, waves: list[dict[str, Any]]) -> dict[str, Any]:
    """The business microdata: pseudonymous key, survey wave, generalised quasi-identifiers
    (each wave generalised on its own), attributes."""
    levels = {q["variable"]: {w["wave"]: q2["level_name"] for w in waves
                              for q2 in w["quasi_identifiers"] if q2["variable"] == q["variable"]}
              for q in waves[-1]["quasi_identifiers"]}
    fields: list[dict[str, Any]] = [{
        "name": "business_key", "title": "Business key", "type": "string",
        "description": "Pseudonymous key of the record in this release only (HMAC-SHA256 "
                       "under a secret key, mixed with the version and survey wave): it links "
                       "to nothing, not even to the same business in another release or wave.",
        "constraints": {"required": True, "unique": True, "pattern": _KEY.pattern[1:-1]},
    }, {
        "name": "survey_wave", "title": "Survey wave", "type": "integer",
        "description": "The survey wave the record comes from (1: the first mapping). Each "
                       "wave's records are anonymised on their own and published unchanged "
                       "in every later release; a business surveyed again appears once per "
                       "wave, under unrelated keys.",
        "constraints": {"required": True, "minimum": 1},
    }]
    vocabularies = {"municipality": "municipality", "owner_gender": "owner_gender",
                    "compliance_level": "compliance_level"}
    for name in frame.columns[2:]:
        observed = sorted(v for v in frame[name].dropna().astype(str).unique() if v != SUPPRESSED)
        description, vocab = _microdata_column(name, levels)
        vocab = vocabularies.get(name, vocab)
        field = {"name": name, "title": _title(name), "type": "string",
                 "description": description}
        if observed:  # a column generalised away holds only the marker: no codes to list
            field["constraints"] = {"enum": observed}
        if vocab:
            labels = vocabulary(vocab)
            field["x-labels"] = {c: labels[c] for c in observed if c in labels}
        fields.append(field)
    return {"fields": fields, "primaryKey": ["business_key"], "missingValues": MISSING_VALUES,
            "x-missingValueLabels": {SUPPRESSED: SUPPRESSED_LABEL}}


def _microdata_column(name: str, levels: dict[str, dict[int, str]]
                      ) -> tuple[str, str | None]:
    if name in levels:
        shown = ["not published" if v == "*" else v for v in levels[name].values()]
        if len(set(shown)) == 1:
            return (f"Quasi-identifier, generalised to: {shown[0]}; `[c]` where locally "
                    "suppressed.", None)
        per_wave = "; ".join(f"wave {w}: {'not published' if v == '*' else v}"
                             for w, v in levels[name].items())
        return (f"Quasi-identifier, generalised per survey wave ({per_wave}); `[c]` where "
                "locally suppressed.", None)
    if name.startswith("constraint_"):
        return f"Cited {name[11:]} as a growth constraint.", "yes_no"
    if name.startswith("need_"):
        return f"Needs training in {name[5:]}.", "yes_no"
    if name == "turnover_band":
        return "Annual turnover in fixed, top-coded bands (EUR).", None
    if name == "growth_potential":
        return "The assessor's rating of growth potential, 1 to 5.", "growth_potential"
    if name == "compliance_level":
        return column("compliance_level").description, None
    return f"Survey item {name} as recorded (yes, no, or na: not applicable).", "yes_no_na"


def frame_schema(frame: pd.DataFrame, descriptions: dict[str, str], primary_key: list[str],
                 vocabularies: dict[str, str] | None = None) -> dict[str, Any]:
    """A schema for a derived table (handbook, results framework): types from the columns,
    a description for every one (a missing description is an error, not a gap)."""
    fields = []
    for name in frame.columns:
        kind = str(frame[name].dtype).lower()
        ftype = ("integer" if kind.startswith(("int", "uint")) else
                 "number" if kind.startswith("float") else
                 "boolean" if kind.startswith("bool") else
                 "date" if kind.startswith("datetime") else "string")
        field: dict[str, Any] = {"name": name, "title": _title(name), "type": ftype,
                                 "description": descriptions[name]}
        if name in primary_key:
            field["constraints"] = {"required": True}
        vocab = (vocabularies or {}).get(name)
        if vocab:
            labels = vocabulary(vocab)
            observed = sorted(frame[name].dropna().astype(str).unique())
            field["x-labels"] = {c: labels[c] for c in observed if c in labels}
        fields.append(field)
    return {"fields": fields, "primaryKey": primary_key, "missingValues": MISSING_VALUES}

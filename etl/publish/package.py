"""Assemble the two data packages of a release: descriptors, resources and downloads.

- `north-kosovo-product-map`: the anonymised business microdata, the business tables (sectors,
  compliance, growth, constraints, products) and the handbook's `requirements`.
- `north-kosovo-programme-metrics`: training reach, B2B meetings, the public programme totals
  and the results framework (indicators).

The split follows the users: analysts of the economy take the first; donors and staff
monitoring the programme the second. Each carries the release's disclosure-risk report.

Every text a reader sees is in English (the standard properties) and, as documented custom
properties, in Albanian and Serbian: the package's `x-title`/`x-description` {en, sq, sr-Latn};
each resource's `x-title` and each field's `x-title` and `x-unit` {en, sq, sr-Latn, sr-Cyrl}
(from `etl/reference/metadata_labels.csv`, see `etl.publish.schema`); code labels in `x-labels`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from etl.anonymise import risk_report
from etl.anonymise.release import AnonymisedRelease
from etl.publish import files
from etl.publish.schema import microdata_schema, protected_table_schema, translated
from etl.publish.vocabulary import metadata_label

PRODUCT_MAP = "north-kosovo-product-map"
PROGRAMME = "north-kosovo-programme-metrics"
HOMEPAGE = "https://ngoaktiv.org"
NAMESPACE = uuid.UUID("6f1c2a52-8a4e-4d4e-9a57-2f3d1c7b9e10")  # for stable package ids

LICENSE = {"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
           "title": "Creative Commons Attribution 4.0 International"}
CONTRIBUTORS = [
    {"title": "NGO AKTIV", "path": "https://ngoaktiv.org", "roles": ["creator", "publisher"]},
    {"title": "UK Foreign & Commonwealth Office (FCO)", "roles": ["funder"]},
    {"title": "Deutsche Gesellschaft für Internationale Zusammenarbeit (GIZ)",
     "roles": ["funder"]},
]
TEXTS = {
    PRODUCT_MAP: {
        "title": {"en": "North of Kosovo Product Map",
                  "sq": "Harta e Produkteve të Veriut të Kosovës",
                  "sr-Latn": "Mapa proizvoda severa Kosova"},
        "description": {
            "en": "Anonymised survey of the small and medium enterprises of North Mitrovica, "
                  "Zvečan, Zubin Potok and Leposavić: their sectors, products, compliance with "
                  "the law and growth potential, with the handbook's requirements.",
            "sq": "Anketë e anonimizuar e ndërmarrjeve të vogla dhe të mesme të Mitrovicës "
                  "së Veriut, Zveçanit, Zubin Potokut dhe Leposaviqit: sektorët, produktet, "
                  "përputhshmëria me ligjin dhe potenciali i rritjes.",
            "sr-Latn": "Anonimizovano istraživanje malih i srednjih preduzeća Severne "
                       "Mitrovice, Zvečana, Zubinog Potoka i Leposavića: sektori, proizvodi, "
                       "usklađenost sa zakonom i potencijal rasta."},
        "keywords": ["Kosovo", "SME", "product map", "compliance", "NACE", "HS",
                     "open data", "North Mitrovica", "Zvečan", "Zubin Potok", "Leposavić"],
    },
    PROGRAMME: {
        "title": {"en": "North of Kosovo Product Map — programme metrics",
                  "sq": "Harta e Produkteve të Veriut të Kosovës — treguesit e programit",
                  "sr-Latn": "Mapa proizvoda severa Kosova — pokazatelji programa"},
        "description": {
            "en": "Training reach, business-to-business meetings and the results framework "
                  "of the programme, protected against disclosure.",
            "sq": "Shtrirja e trajnimeve, takimet biznes-me-biznes dhe korniza e rezultateve "
                  "të programit, të mbrojtura nga zbulimi.",
            "sr-Latn": "Obuhvat obuka, B2B sastanci i okvir rezultata programa, zaštićeni od "
                       "otkrivanja."},
        "keywords": ["Kosovo", "training", "B2B", "results framework", "IATI", "indicators"],
    },
}


@dataclass
class Resource:
    name: str
    title: str
    frame: pd.DataFrame
    schema: dict[str, Any]
    description: str = ""


@dataclass
class PackagePlan:
    name: str
    resources: list[Resource] = field(default_factory=list)
    #: Other files of the package (e.g. the IATI export), listed in `x-attachments`.
    attachments: dict[str, bytes] = field(default_factory=dict)


def _business_table(name: str) -> bool:
    return not name.startswith(("sessions_", "participants_", "completion_", "satisfaction_",
                                "pre_scores_", "post_scores_", "meetings_", "deal_value_"))


def plan(release: AnonymisedRelease,
         extras: dict[str, PackagePlan] | None = None) -> list[PackagePlan]:
    """Which resource goes in which package, with its schema."""
    product_map = PackagePlan(PRODUCT_MAP, [Resource(
        "businesses", "Businesses (anonymised microdata)", release.businesses,
        microdata_schema(release.businesses, release.report["microdata"]["waves"]),
        "One row per business per survey wave: generalised quasi-identifiers and the "
        "survey's compliance, market and growth answers; `[c]` marks suppressed values. "
        "Each wave is published once and repeated unchanged by later releases.")])
    programme = PackagePlan(PROGRAMME)
    for name, spec in release.tables.specs.items():
        frame = release.table(name)
        target = product_map if _business_table(name) else programme
        target.resources.append(Resource(name, spec.title, frame,
                                          protected_table_schema(spec, release.tables[name]),
                                          spec.description))
    totals = pd.DataFrame({"total": list(release.public_totals),
                           "value": list(release.public_totals.values())})
    programme.resources.append(Resource(
        "public_totals", "Programme-wide totals of activities", totals,
        {"fields": [{"name": "total", "type": "string", "title": "Total",
                     "description": "Which total: businesses_mapped, sessions_held, "
                                    "people_trained or meetings_held.",
                     "constraints": {"required": True, "unique": True}},
                    {"name": "value", "type": "number", "title": "Value",
                     "description": "The programme-wide total.",
                     "constraints": {"required": True, "minimum": 0}}],
         "primaryKey": ["total"]},
        "Public by design whatever their size; every breakdown follows the rules."))
    for package in (product_map, programme):
        extra = (extras or {}).get(package.name)
        if extra:
            package.resources += extra.resources
            package.attachments.update(extra.attachments)
    return [product_map, programme]


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def descriptor(package: PackagePlan, release: AnonymisedRelease, written: dict[str, bytes],
               *, stamp: dt.datetime, coverage: dict[str, Any]) -> dict[str, Any]:
    text = TEXTS[package.name]
    resources = []
    for r in package.resources:
        path = f"data/{r.name}.csv"
        resources.append({
            "name": r.name, "type": "table", "path": path, "title": r.title,
            "x-title": metadata_label("resource", r.name, r.title),
            **({"description": r.description} if r.description else {}),
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "bytes": len(written[path]), "hash": _sha256(written[path]),
            "schema": translated(r.schema),
            "x-downloads": {fmt: f"data/{r.name}.{fmt}" for fmt in ("json", "xlsx")
                            if f"data/{r.name}.{fmt}" in written},
        })
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": package.name,
        "id": str(uuid.uuid5(NAMESPACE, f"{package.name}/{release.version}")),
        "title": text["title"]["en"],
        "description": text["description"]["en"],
        "x-title": text["title"],
        "x-description": text["description"],
        "version": release.version,
        "created": stamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "homepage": HOMEPAGE,
        "keywords": text["keywords"],
        "licenses": [LICENSE],
        "sources": [{"title": "North of Kosovo Product Map survey, trainings and B2B pilot "
                              "(NGO AKTIV), anonymised at publication",
                     "path": HOMEPAGE}],
        "contributors": CONTRIBUTORS,
        "x-synthetic": release.demo,
        "x-spatial": coverage["spatial"],
        "x-temporal": coverage["temporal"],
        "x-disclosureRiskReport": {"json": "disclosure-risk.json",
                                   "markdown": "disclosure-risk.md"},
        "x-attachments": sorted(package.attachments),
        "resources": resources,
    }


def write_package(folder: Path, package: PackagePlan, release: AnonymisedRelease, *,
                  stamp: dt.datetime, coverage: dict[str, Any],
                  progress: Callable[[str], None] | None = None) -> dict[str, bytes]:
    """Write one package folder and return its files (for the zip)."""
    written: dict[str, bytes] = {}
    for r in package.resources:
        if progress:
            progress(f"writing {package.name}/{r.name}")
        written[f"data/{r.name}.csv"] = files.csv_bytes(r.frame)
        written[f"data/{r.name}.json"] = files.json_bytes(r.frame)
        if len(r.frame) <= files.XLSX_MAX_ROWS:
            written[f"data/{r.name}.xlsx"] = files.xlsx_bytes(r.frame, r.name, stamp)
    written.update(package.attachments)
    written["disclosure-risk.json"] = risk_report.to_json(release.report).encode("utf-8")
    written["disclosure-risk.md"] = risk_report.to_markdown(release.report).encode("utf-8")
    meta = descriptor(package, release, written, stamp=stamp, coverage=coverage)
    written["datapackage.json"] = (json.dumps(meta, indent=1, ensure_ascii=False) + "\n"
                                   ).encode("utf-8")
    for name, data in sorted(written.items()):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return written

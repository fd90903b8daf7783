"""A release with a supplier directory of known listings, for the directory page tests.

The listings are written here (in the ETL's published shape, see
``etl/publish/directory.py``) so that each ``show_*`` choice appears both ways and every
expectation comes from this input.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tests.conftest import DEMO_PACKAGES

FILE = "supplier-directory.json"

LISTINGS: list[dict[str, Any]] = [
    {"id": "a1a1a1a1a1", "name": "Med Ibar", "municipality": None, "sector": "agriculture",
     "products": [{"name": "Chestnut honey", "hs_chapter": "04"},
                  {"name": "Propolis drops", "hs_chapter": "30"}],
     "certifications": ["fva_registration"], "languages": ["sr", "en"],
     "contact_person": "Jelena Test", "phone": "+383 44 000 111",
     "email": "med-ibar@example.org", "website": "www.med-ibar.example",
     "description": {"en": "Honey from the Ibar valley. <b>not bold</b>", "sq": None,
                     "sr": "Med iz doline Ibra."}},
    {"id": "b2b2b2b2b2", "name": "Mlekara Zvečan", "municipality": "XK-Zvečan",
     "sector": "manufacturing",
     # A product the survey recorded without an HS code.
     "products": [{"name": "White cheese", "hs_chapter": "04"},
                  {"name": "Kajmak", "hs_chapter": None}],
     "certifications": None, "languages": ["sr", "sq"],
     "contact_person": None, "phone": None, "email": None, "website": None,
     "description": {"en": None, "sq": "Djathë i bardhë.", "sr": None}},
    {"id": "c3c3c3c3c3", "name": "Drvo Sever", "municipality": "XK-Leposavić",
     "sector": "manufacturing", "products": None,
     "certifications": ["haccp", "vat_registered"], "languages": [],
     "contact_person": None, "phone": "+383 45 222 333", "email": None,
     "website": "https://drvo.example", "description": {"en": None, "sq": None, "sr": None}},
]


def municipality_codes() -> dict[str, str]:
    """The real codes of the municipalities the listings name by their English name."""
    from etl import refdata

    return {f"XK-{m.name_en}": m.kas_code for m in refdata.municipalities()}


def listings() -> list[dict[str, Any]]:
    codes = municipality_codes()
    return [{**x, "municipality": codes.get(x["municipality"], x["municipality"])}
            for x in LISTINGS]


def release_with_directory(target: Path, items: list[dict[str, Any]] | None = None) -> Path:
    """A copy of the committed releases whose latest release has ``items`` as its directory
    (:data:`LISTINGS` by default); the packages folder."""
    shutil.copytree(DEMO_PACKAGES, target, symlinks=True)
    latest = (target / "latest").resolve()
    (latest / FILE).write_text(json.dumps({"version": latest.name,
                                           "listings": listings() if items is None else items},
                                          ensure_ascii=False, indent=1), encoding="utf-8")
    return target

"""The supplier directory: the businesses that consented to be found, as one JSON file beside
the packages of a release (``<release>/supplier-directory.json``).

It is personal, business-identifying data published by consent, not open data: it is no
resource of any package, in no zip and no catalogue. A listing shows exactly what its row of
``directory_listings.csv`` agreed to (the ``show_*`` flags) and nothing of the survey beyond
certifications it chose to show; consent dates never leave the ETL. Listing ids are keyed
hashes of the raw id, the same in every release (a withdrawn listing is recognisable as gone)
and unrelated to the microdata's per-release keys.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pandas as pd

from etl import refdata
from etl.anonymise.hierarchies import nace_broad_sectors
from etl.publish.releases import DIRECTORY as FILE
from etl.validate import CheckResult

__all__ = ["FILE", "CERTIFICATIONS", "listing_id", "listings", "to_bytes", "directory_bytes",
           "listed_ids", "release_note"]

TABLE = "directory_listings"

#: Survey items a listing may show as held ("yes" in the business's record), in output order.
CERTIFICATIONS = ("fva_registration", "haccp", "product_certification", "vat_registered")

#: Hex digits of a listing id: 40 bits, ample for a directory of a few hundred businesses.
ID_HEX_DIGITS = 10

_LANGUAGES = "en", "sq", "sr"


def listing_id(key: bytes, enterprise_id: str) -> str:
    """The listing's public id: its own HMAC domain, and no version in it, so it is stable
    across releases and shares nothing with the microdata's business keys."""
    message = b"directory\x1f" + str(enterprise_id).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:ID_HEX_DIGITS]


def _text(value: Any) -> str | None:
    if value is None or (not isinstance(value, (tuple, list)) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


def _yes(value: Any) -> bool:
    """A survey answer held: "yes" for coded items, True for yes/no items typed boolean."""
    return _text(value) is not None and str(value).casefold() in ("yes", "true")


def _sector(nace_code: Any) -> str | None:
    code = _text(nace_code)
    division = refdata.nace_divisions().get(code[:2]) if code else None
    return nace_broad_sectors().get(division.section) if division else None


def _municipality(value: Any) -> str | None:
    """The checker already normalised the raw name to its KAS code; keep only known codes."""
    code = _text(value)
    return code if code in refdata.municipalities_by_code() else None


def _latest_records(e: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Each business's latest survey record (the raw format holds one row per business, the
    latest survey; the most recent interview wins should a business ever appear twice)."""
    if "interview_date" in e:
        e = e.sort_values("interview_date", kind="stable", na_position="first")
    records = e.astype(object).to_dict("records")
    return {str(r["enterprise_id"]): r for r in records}


def _products(p: pd.DataFrame | None) -> dict[str, list[dict[str, str | None]]]:
    found: dict[str, set[tuple[str, str | None]]] = {}
    if p is None:
        return {}
    for eid, name, hs in zip(p["enterprise_id"].astype(object), p["product_name"].astype(object),
                             p["hs_code"].astype(object), strict=True):
        label, code = _text(name), _text(hs)
        if label is not None:
            found.setdefault(str(eid), set()).add((label, code[:2] if code else None))
    return {eid: [{"name": n, "hs_chapter": c}
                  for n, c in sorted(items, key=lambda i: (i[0].casefold(), i[0], i[1] or ""))]
            for eid, items in found.items()}


def _languages(value: Any) -> list[str]:
    given = set(value) if isinstance(value, (tuple, list)) else set()
    order = list(refdata.codelist("directory_language"))
    return [c for c in order if c in given] + sorted(given - set(order))


def listings(result: CheckResult, key: bytes) -> list[dict[str, Any]] | None:
    """The published listings of a checked input (None: it has no directory file), sorted by
    name (case-folded) then id; withdrawn consent is not published."""
    if TABLE not in result.tables:
        return None
    records = _latest_records(result.frame("enterprises"))
    products = _products(result.frame("products") if "products" in result.tables else None)
    out = []
    rows = result.frame(TABLE).astype(object).to_dict("records")
    for number, row in enumerate(rows, start=2):
        if _text(row.get("consent_withdrawn")) is not None:
            continue
        eid = str(row["enterprise_id"])
        business = records.get(eid)
        if business is None:
            raise ValueError(f"{TABLE}.csv row {number}, column enterprise_id: {eid!r} is not "
                             "a business of enterprises.csv")
        out.append({
            "id": listing_id(key, eid),
            "name": _text(row["listed_name"]),
            "municipality": (_municipality(business.get("municipality"))
                             if _yes(row["show_municipality"]) else None),
            "sector": _sector(business.get("nace_code")),
            "products": products.get(eid, []) if _yes(row["show_products"]) else None,
            "certifications": ([c for c in CERTIFICATIONS if _yes(business.get(c))]
                               if _yes(row["show_certifications"]) else None),
            "languages": _languages(row.get("languages")),
            "contact_person": _text(row.get("contact_person")),
            "phone": _text(row.get("public_phone")),
            "email": _text(row.get("public_email")),
            "website": _text(row.get("website")),
            "description": {lang: _text(row.get(f"description_{lang}")) for lang in _LANGUAGES},
        })
    ids = [item["id"] for item in out]
    if len(set(ids)) != len(ids):
        raise RuntimeError("two listings got the same id; rebuild with another key")
    return sorted(out, key=lambda item: ((item["name"] or "").casefold(), item["id"]))


def to_bytes(version: str, items: list[dict[str, Any]]) -> bytes:
    """The file's bytes: fixed key order, UTF-8, indented; the same listings always give the
    same bytes (the release's fingerprint hashes them)."""
    text = json.dumps({"version": version, "listings": items}, ensure_ascii=False, indent=1)
    return (text + "\n").encode("utf-8")


def directory_bytes(result: CheckResult, key: bytes, version: str) -> bytes | None:
    """The file for a release, or None when the input has no directory."""
    items = listings(result, key)
    return None if items is None else to_bytes(version, items)


def listed_ids(folder: Path | None) -> set[str] | None:
    """The listing ids of a release folder's directory (None: the release has none)."""
    path = folder / FILE if folder is not None else None
    if path is None or not path.is_file():
        return None
    return {str(item["id"]) for item in json.loads(path.read_bytes())["listings"]}


def release_note(current: set[str] | None, before: set[str] | None) -> str:
    """What the release notes say of the directory: how many businesses it lists and how many
    listings left since the previous release, never which. Empty when neither has one."""
    if current is None and before is None:
        return ""
    n = len(current or ())
    parts = [f"{n} business{'es' if n != 1 else ''} listed in the supplier directory"
             if n else "no business listed in the supplier directory"]
    removed = len((before or set()) - (current or set()))
    if removed:
        parts.append(f"{removed} listing{'s' if removed != 1 else ''} removed from the supplier "
                     "directory (consent ended or business no longer surveyed)")
    return "; ".join(parts)

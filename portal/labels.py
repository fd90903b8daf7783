"""Labels of codes (municipalities, sectors, topics…) in the visitor's language.

They come from the ``x-labels`` of the published Table Schema fields, which the ETL
fills from the reference data; no layout spells a code's label itself.
"""

from __future__ import annotations

from portal import query
from portal.i18n import get_locale
from portal.load.database import LoadedRelease

TOTAL = query.TOTAL


def code_labels(release: LoadedRelease, resource: str, column: str) -> dict[str, str]:
    """Code → label for ``column`` of ``resource``, in schema order (``_total`` included)."""
    spec = query.field(release, resource, column)
    labels = spec.get("x-labels") or {}
    locale = get_locale()
    codes = spec.get("constraints", {}).get("enum") or list(labels)
    return {code: _pick(labels.get(code), locale, code) for code in codes}


def _pick(labels: dict[str, str] | None, locale: str, code: str) -> str:
    if not labels:
        return code
    return labels.get(locale) or labels.get("en") or code


def label(release: LoadedRelease, resource: str, column: str, code: str) -> str:
    return code_labels(release, resource, column).get(code, code)

"""Labels of codes (municipalities, sectors, topics…) in the visitor's language.

They come from the ``x-labels`` of the published Table Schema fields, which the ETL
fills from the reference data; no layout spells a code's label itself.
"""

from __future__ import annotations

from collections.abc import Mapping

from portal import query
from portal.catalogues import to_cyrillic
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
    return localised_text(labels, code, locale)


def localised_text(texts: Mapping[str, str] | None, fallback: str = "",
                   locale: str | None = None) -> str:
    """The text of ``texts`` ({"en": …, "sq": …, "sr-Latn": …}) in the visitor's language.

    Serbian Cyrillic is transliterated from Serbian Latin when only that is published (the
    project keeps Serbian in Latin script and derives Cyrillic); English is the fallback.
    """
    if not texts:
        return fallback
    locale = locale or get_locale()
    if locale in texts and texts[locale]:
        return texts[locale]
    if locale == "sr-Cyrl" and texts.get("sr-Latn"):
        return to_cyrillic(texts["sr-Latn"])
    return texts.get("en") or fallback


def label(release: LoadedRelease, resource: str, column: str, code: str) -> str:
    return code_labels(release, resource, column).get(code, code)

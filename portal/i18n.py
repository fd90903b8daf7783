"""Translation entry point for every user-visible string in the portal.

All layouts call :func:`_` from the start so that adding languages later touches
this module only, not every page. For now it returns the English message; a
later issue backs it with Babel gettext catalogues for ``en``, ``sq``,
``sr-Latn`` and ``sr-Cyrl`` and picks the locale per request.

Messages use gettext's ``%(name)s`` placeholders (not ``str.format``) so that
``pybabel extract`` flags them as ``python-format`` and ``msgfmt --check``
catches translations that drop or rename a parameter.
"""

from __future__ import annotations

import gettext

DEFAULT_LOCALE = "en"

#: The active catalogue. NullTranslations returns every message unchanged; the
#: Babel issue swaps in per-locale catalogues (tests swap in a pseudo-locale to
#: find strings that bypass :func:`_`).
catalogue: gettext.NullTranslations = gettext.NullTranslations()


def _(message: str, **params: object) -> str:
    """Translate ``message`` and substitute ``params`` into it.

    Substitution happens after translation, so translators can reorder
    placeholders to suit their language's grammar.
    """
    translated = catalogue.gettext(message)
    return translated % params if params else translated


def get_locale() -> str:
    """BCP 47 tag of the language being rendered, for ``<html lang>``.

    Always English until the gettext catalogues land.
    """
    return DEFAULT_LOCALE


def format_number(value: float, decimals: int = 0) -> str:
    """A number for display (thousands grouped); locale-aware once catalogues land."""
    return f"{value:,.{decimals}f}"


def format_percent(value: float, decimals: int = 0) -> str:
    """A percentage (``value`` already in percent) for display."""
    return _("%(value)s%%", value=format_number(value, decimals))

"""Translation and formatting for every user-visible string, in four languages.

The portal speaks English (``en``), Albanian (``sq``) and Serbian in Latin
(``sr-Latn``) and Cyrillic (``sr-Cyrl``) script. Messages live in gettext
catalogues under ``portal/translations`` (Babel: ``make translations-extract``,
``translations-update``), compiled when first needed; the Cyrillic catalogue is
transliterated from the Latin one (see :mod:`portal.catalogues`). Code labels do not pass through
here: they come in all four languages from the published schemas (:mod:`portal.labels`).

Messages use gettext's ``%(name)s`` placeholders so that ``pybabel extract`` flags
them as ``python-format`` and translators may reorder parameters.

The language of a request is, in order: ``?lang=CODE`` in its URL, the ``lang``
cookie (set whenever a page is opened with ``?lang=``), the browser's
``Accept-Language``, English.
"""

from __future__ import annotations

import contextlib
import gettext
from collections.abc import Iterator

import flask
from babel import Locale, dates, numbers

from portal import catalogues

DEFAULT_LOCALE = "en"
#: BCP 47 tags the portal speaks, in the order of the language switch.
LOCALES = ("en", "sq", "sr-Latn", "sr-Cyrl")
#: Each language's name in itself (the same in every interface language).
NATIVE_NAMES = {"en": "English", "sq": "Shqip", "sr-Latn": "Srpski", "sr-Cyrl": "Српски"}
PARAM = COOKIE = "lang"

#: A catalogue that overrides the per-request one (tests use a pseudo-locale to find
#: strings that bypass :func:`_`); None in normal use.
catalogue: gettext.NullTranslations | None = None


def babel_id(locale: str) -> str:
    """Babel's identifier of a BCP 47 tag: ``sr-Latn`` → ``sr_Latn``."""
    return locale.replace("-", "_")


def N_(message: str) -> str:  # noqa: N802 (gettext's conventional name)
    """Mark ``message`` for extraction where it must be translated later, at render time."""
    return message


def translations(locale: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``locale`` (English needs none)."""
    if locale == DEFAULT_LOCALE:
        return gettext.NullTranslations()
    return catalogues.compiled(babel_id(locale))


def _(message: str, **params: object) -> str:
    """Translate ``message`` into the request's language and substitute ``params``.

    Substitution happens after translation, so translators can reorder placeholders.
    """
    active = catalogue if catalogue is not None else translations(get_locale())
    translated = active.gettext(message)
    return translated % params if params else translated


def ngettext(singular: str, plural: str, n: int, /, **params: object) -> str:
    """The form of a counted message that ``n`` takes in the request's language, with
    ``params`` substituted (English and Albanian have two forms, Serbian three: 1, 2–4, 5…).

    Babel extracts ``ngettext`` calls by default, as one message with plural forms.
    """
    active = catalogue if catalogue is not None else translations(get_locale())
    translated = active.ngettext(singular, plural, n)
    return translated % params if params else translated


def choose(requested: str | None) -> str | None:
    """The supported tag matching ``requested`` exactly (case-insensitive), else None."""
    if not requested:
        return None
    wanted = requested.strip().lower()
    return next((tag for tag in LOCALES if tag.lower() == wanted), None)


def _from_browser() -> str:
    """Best supported language for the ``Accept-Language`` header (plain ``sr`` is Latin)."""
    for value, _quality in flask.request.accept_languages:
        exact = choose(value)
        if exact:
            return exact
        base = value.split("-")[0].lower()
        if base == "sr":
            return "sr-Cyrl" if "cyrl" in value.lower() else "sr-Latn"
        if base in ("sq", "en"):
            return base
    return DEFAULT_LOCALE


def get_locale() -> str:
    """BCP 47 tag of the language this request is rendered in (English outside requests)."""
    if not flask.has_request_context():
        return DEFAULT_LOCALE
    cached = flask.g.get("portal_locale")
    if cached:
        return cached
    request = flask.request
    locale = (choose(request.args.get(PARAM)) or choose(request.cookies.get(COOKIE))
              or _from_browser())
    flask.g.portal_locale = locale
    return locale


def remember_locale(response: flask.Response) -> flask.Response:
    """Keep a language chosen with ``?lang=`` for the requests that follow (callbacks)."""
    chosen = choose(flask.request.args.get(PARAM))
    if chosen and flask.request.cookies.get(COOKIE) != chosen:
        response.set_cookie(COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax")
    return response


def _babel_locale() -> Locale:
    return Locale.parse(babel_id(get_locale()))


def format_number(value: float, decimals: int = 0) -> str:
    """A number in the request's language (grouping and decimal marks)."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return numbers.format_decimal(value, format=pattern, locale=_babel_locale())


def number_separators() -> str:
    """Plotly's ``separators`` (decimal mark, then thousands mark) for the request's language."""
    locale = _babel_locale()
    return numbers.get_decimal_symbol(locale) + numbers.get_group_symbol(locale)


def format_percent(value: float, decimals: int = 0) -> str:
    """A percentage (``value`` already in percent) in the request's language."""
    return _("%(value)s%%", value=format_number(value, decimals))


def format_date(value: str) -> str:
    """An ISO date (``2020-12-07``) written the way the request's language writes dates."""
    try:
        parsed = dates.parse_date(value[:10], locale="en_CA")  # ISO order
    except (ValueError, IndexError):
        return value
    return dates.format_date(parsed, format="long", locale=_babel_locale())


@contextlib.contextmanager
def in_locale(locale: str) -> Iterator[None]:
    """Render in ``locale`` within this request (a catalogue lists every language)."""
    previous = flask.g.get("portal_locale")
    flask.g.portal_locale = locale
    try:
        yield
    finally:
        flask.g.portal_locale = previous

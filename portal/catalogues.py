"""The interface catalogues, compiled in memory from the ``.po`` files the package carries.

Translators maintain ``translations/sq`` and ``translations/sr_Latn``; the Serbian Cyrillic
catalogue is transliterated from the Latin one so the two scripts never drift apart
(placeholders, markup, file names and Latin acronyms — CSV, HACCP, B2B… — are kept as they
are: transliterating ``%(sector)s`` would break the message).

Why compiled here, when a process first needs them, rather than as ``.mo`` files: a
compiled file is one more artefact that a wheel, a container image or a server install can
lack — gettext then falls back to English without a word while ``<html lang>`` claims
Albanian — or carry stale. The ``.po`` sources are in the package (``package-data``), a
catalogue takes a few tens of milliseconds to compile, and a missing or unreadable one is a
:class:`CatalogueError` when the app starts, one line naming the file.

``python -m portal.catalogues`` compiles every catalogue and prints how much of each is
translated (``make translations``).
"""

from __future__ import annotations

import io
import re
import sys
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.support import Translations

from etl.translit import latin_to_cyrillic
from portal.config import ConfigError

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
#: Babel identifiers of the catalogues translators keep, and of the one made from them.
TRANSLATED = ("sq", "sr_Latn")
CYRILLIC = "sr_Cyrl"
CATALOGUES = (*TRANSLATED, CYRILLIC)
#: The Cyrillic catalogue's source.
_SOURCE = {CYRILLIC: "sr_Latn"}

#: Spans copied unchanged: placeholders, ``%%``, ``[c]``, tags, `code`, file names, URLs and
#: words in capitals or with digits (acronyms).
_KEEP = re.compile(
    r"%\([^)]*\)[sdifr]|%%|\[c\]|<[^>]+>|`[^`]*`|https?://\S+"
    r"|\b[\w-]+\.(?:json|md|csv|xml|xlsx|zip)\b|\b(?=\w*[A-Z0-9])[A-Z0-9]{2,}\w*\b")


def to_cyrillic(text: str) -> str:
    """Transliterate ``text`` except the spans :data:`_KEEP` protects."""
    out, last = [], 0
    for match in _KEEP.finditer(text):
        out.append(latin_to_cyrillic(text[last:match.start()]))
        out.append(match.group())
        last = match.end()
    out.append(latin_to_cyrillic(text[last:]))
    return "".join(out)


def cyrillic_catalogue(latin: Catalog) -> Catalog:
    """A copy of ``latin`` with every translation in Cyrillic."""
    cyrillic = Catalog(locale="sr_Cyrl", project=latin.project, version=latin.version,
                       copyright_holder=latin.copyright_holder, fuzzy=False)
    for message in latin:
        if not message.id:
            continue
        string = (tuple(to_cyrillic(s) for s in message.string)
                  if isinstance(message.string, tuple) else to_cyrillic(message.string or ""))
        cyrillic.add(message.id, string, locations=message.locations, flags=message.flags,
                     auto_comments=message.auto_comments, context=message.context)
    return cyrillic


class CatalogueError(ConfigError):
    """A catalogue the package should carry is missing or unreadable."""


def path(locale: str) -> Path:
    """The ``.po`` file of a translated catalogue (Babel identifier, e.g. ``sr_Latn``)."""
    return TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po"


def catalogue(locale: str) -> Catalog:
    """The catalogue of ``locale``: read from its ``.po`` file, or transliterated."""
    source = path(_SOURCE.get(locale, locale))
    try:
        with source.open("rb") as handle:
            read = read_po(handle, locale=_SOURCE.get(locale, locale), abort_invalid=True)
    except (OSError, PoFileError) as error:
        reason = "missing" if isinstance(error, FileNotFoundError) else f"unreadable ({error})"
        raise CatalogueError(f"the {locale} interface catalogue {source} is {reason}: the "
                             "portal would show that language in English") from None
    return cyrillic_catalogue(read) if locale in _SOURCE else read


@cache
def compiled(locale: str) -> Translations:
    """``locale``'s catalogue, compiled once per process."""
    buffer = io.BytesIO()
    write_mo(buffer, catalogue(locale))
    buffer.seek(0)
    return Translations(buffer, domain="messages")


def check() -> None:
    """Compile every catalogue now, so that a missing one stops the start, not a page."""
    for locale in CATALOGUES:
        compiled(locale)


def translated(message: Message) -> bool:
    """Whether ``message`` has its translation, every plural form of it if it has forms."""
    if isinstance(message.string, tuple):
        return all(message.string)
    return bool(message.string)


def statistics() -> list[str]:
    """One line per catalogue: how many of the template's messages it translates."""
    lines = []
    for locale in CATALOGUES:
        messages = [m for m in catalogue(locale) if m.id]
        done = sum(1 for m in messages if translated(m) and not m.fuzzy)
        lines.append(f"{locale}: {done} of {len(messages)} messages translated")
    return lines


if __name__ == "__main__":
    try:
        check()
        print("\n".join(statistics()), file=sys.stderr)
    except CatalogueError as error:
        sys.exit(f"error: {error}")

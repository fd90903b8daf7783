"""The Serbian Cyrillic catalogue, transliterated from the Serbian Latin one.

Translators maintain ``sr_Latn``; ``sr_Cyrl`` is generated (``make translations``) so the
two scripts never drift apart. Placeholders, markup, file names and Latin acronyms (CSV,
HACCP, B2B…) are kept as they are: transliterating ``%(sector)s`` would break the message.

``python -m portal.catalogues`` writes ``translations/sr_Cyrl/LC_MESSAGES/messages.po``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from etl.translit import latin_to_cyrillic
from portal.i18n import TRANSLATIONS_DIR

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


def write_cyrillic(directory: Path = TRANSLATIONS_DIR) -> Path:
    source = directory / "sr_Latn" / "LC_MESSAGES" / "messages.po"
    target = directory / "sr_Cyrl" / "LC_MESSAGES" / "messages.po"
    with source.open("rb") as handle:
        latin = read_po(handle, locale="sr_Latn")
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as handle:
        write_po(handle, cyrillic_catalogue(latin), width=100)
    return target


if __name__ == "__main__":
    print(f"wrote {write_cyrillic()}", file=sys.stderr)

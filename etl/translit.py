"""Serbian Latin → Serbian Cyrillic transliteration.

Serbian is written in two scripts with a one-to-one correspondence (Gaj's Latin alphabet and
Vuk's Cyrillic alphabet). The project keeps every Serbian text in Latin script only and derives
the Cyrillic form with :func:`latin_to_cyrillic`, so the two scripts can never drift apart and
nobody has to type (or proof-read) Cyrillic by hand.

Limitations, acceptable for place names and short labels:

- the digraphs ``lj``, ``nj`` and ``dž`` are always read as one letter (Љ, Њ, Џ); the rare
  words where they are two letters (``nadživeti``, ``injekcija``) come out wrong;
- ``dj`` is left as Д + Ј (write ``đ``);
- letters outside the Serbian alphabet (q, w, x, y, Albanian ë and ç, digits, punctuation)
  pass through unchanged, so Latin acronyms such as ``HACCP`` should be kept out of Serbian
  texts that are meant to be transliterated.
"""

from __future__ import annotations

import unicodedata

__all__ = ["latin_to_cyrillic"]

_DIGRAPHS: dict[str, str] = {
    "lj": "љ",
    "nj": "њ",
    "dž": "џ",
}

_LETTERS: dict[str, str] = {
    "a": "а",
    "b": "б",
    "c": "ц",
    "č": "ч",
    "ć": "ћ",
    "d": "д",
    "đ": "ђ",
    "e": "е",
    "f": "ф",
    "g": "г",
    "h": "х",
    "i": "и",
    "j": "ј",
    "k": "к",
    "l": "л",
    "m": "м",
    "n": "н",
    "o": "о",
    "p": "п",
    "r": "р",
    "s": "с",
    "š": "ш",
    "t": "т",
    "u": "у",
    "v": "в",
    "z": "з",
    "ž": "ж",
}


def _convert(source: str, target: str) -> str:
    """Return ``target`` (lower-case Cyrillic) in the case of ``source``'s first letter."""
    return target.upper() if source[0].isupper() else target


def latin_to_cyrillic(text: str) -> str:
    """Transliterate Serbian Latin ``text`` to Serbian Cyrillic.

    The input is first normalised to Unicode NFC, so ``č`` typed as ``c`` + combining caron is
    handled. Digraphs are recognised in any case (``Lj``, ``LJ``, ``lj`` → ``Љ``/``љ``); the
    case of a Cyrillic letter follows the case of the first Latin letter it comes from.
    Characters that are not Serbian Latin letters are copied unchanged.

    >>> latin_to_cyrillic("Severna Mitrovica")
    'Северна Митровица'
    >>> latin_to_cyrillic("NJEGOŠ")
    'ЊЕГОШ'
    """
    text = unicodedata.normalize("NFC", text)
    out: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        pair = text[i : i + 2]
        digraph = _DIGRAPHS.get(pair.lower()) if len(pair) == 2 else None
        if digraph is not None:
            out.append(_convert(pair, digraph))
            i += 2
            continue
        char = text[i]
        letter = _LETTERS.get(char.lower())
        out.append(_convert(char, letter) if letter is not None else char)
        i += 1
    return "".join(out)

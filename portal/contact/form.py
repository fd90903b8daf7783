"""The contact form's fields: their limits, how a submitted value is cleaned, and what makes a
submission acceptable.

Values stay plain text (shown through Jinja's autoescape, exported with formulas neutralised):
cleaning only drops what no person types and what could disguise text on the staff's screen
(control and bidirectional-override characters) and keeps one-line fields on one line.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from portal.i18n import N_

#: Each field and its largest length in characters, in the form's order.
LIMITS = {"name": 100, "organisation": 150, "city": 100, "email": 254, "phone": 40,
          "message": 2000}
LABELS = {"name": N_("Your name"), "organisation": N_("Organisation"),
          "city": N_("Town or municipality"), "email": N_("E-mail address"),
          "phone": N_("Phone number"), "message": N_("What do you need?")}
#: The honeypot: a field people never see, which form-filling robots fill in.
HONEYPOT = "website"
#: The largest request body of the form (bytes): its fields at their longest, percent-encoded.
MAX_BODY = 64 * 1024

_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_ATOM = r"[^@\s<>()\[\],;:\"]"
_EMAIL = re.compile(rf"^{_ATOM}{{1,64}}@(?:[^@\s<>()\[\],;:\".]+\.)+[^@\s<>()\[\],;:\".]{{2,}}$")
_PHONE = re.compile(r"^\+?[0-9 ()./-]+$")


@dataclass
class Checked:
    """What a submission says, cleaned, and what is wrong with it: ``errors`` maps a field to
    (message, parameters), untranslated ("reach" is the e-mail-or-phone rule)."""

    values: dict[str, str]
    errors: dict[str, tuple[str, dict[str, object]]] = field(default_factory=dict)
    too_long: bool = False


def clean(value: str, multiline: bool = False) -> str:
    """``value`` without control or direction-override characters; one line unless
    ``multiline`` (then line breaks are kept, as ``\\n``)."""
    text = _BIDI.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    if multiline:
        lines = ("".join(c for c in line if unicodedata.category(c) != "Cc" or c == "\t")
                 .replace("\t", " ").rstrip() for line in text.split("\n"))
        return "\n".join(lines).strip()
    text = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)
    return " ".join(text.split())


def check(form: Mapping[str, str]) -> Checked:
    """The cleaned values of ``form`` and every problem with them, field by field."""
    values = {name: clean(str(form.get(name, "")), multiline=name == "message")
              for name in LIMITS}
    result = Checked(values)
    for name, limit in LIMITS.items():
        if len(values[name]) > limit:
            result.too_long = True
            result.errors[name] = (N_("%(field)s is too long: %(length)s characters, at most "
                                      "%(limit)s are accepted."),
                                   {"length": len(values[name]), "limit": limit})
    if not values["name"]:
        result.errors.setdefault("name", (N_("Please give your name."), {}))
    if not values["message"]:
        result.errors.setdefault("message", (N_("Please write what you need."), {}))
    if values["email"] and not _EMAIL.match(values["email"]):
        result.errors.setdefault("email", (N_("This is not an e-mail address: it should look "
                                              "like name@example.org."), {}))
    if values["phone"] and (not _PHONE.match(values["phone"])
                            or sum(c.isdigit() for c in values["phone"]) < 6):
        result.errors.setdefault("phone", (N_("This is not a phone number: use digits, "
                                              "spaces and a + in front, like +383 44 123 456."),
                                           {}))
    if not values["email"] and not values["phone"]:
        result.errors["reach"] = (N_("Give an e-mail address or a phone number (or both), so "
                                     "the programme can reach you."), {})
    return result

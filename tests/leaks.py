"""What an attacker holding the raw input would look for in published files."""

from __future__ import annotations

from etl import refdata
from etl.rawformat import tables as raw_tables
from etl.validate import CheckResult


def public_words() -> set[str]:
    """Words a release may legitimately contain: place names and code labels."""
    from etl.handbook import requirements_reference
    from etl.publish.package import CONTRIBUTORS

    words = {c["title"].casefold() for c in CONTRIBUTORS} | {"ngo aktiv"}
    for requirement in requirements_reference():  # the handbook's public authorities
        words |= {requirement.authority(lang).casefold() for lang in ("en", "sq", "sr")}
    for m in refdata.municipalities():
        words |= {n.casefold() for n in m.names}
    for name in refdata.codelist_names():
        for code, labels in refdata.codelist(name).items():
            words |= {code.casefold(), *(v.casefold() for v in labels.values())}
    return words


def raw_secrets(checked: CheckResult) -> set[str]:
    """Every identifying string of the raw input (5+ characters, not a public word): direct
    identifiers, free text, and the raw ids."""
    public = public_words()
    secrets: set[str] = set()
    for name, spec in raw_tables().items():
        if name not in checked.tables:
            continue
        frame = checked.raw.tables[name].data
        columns = [f.name for f in spec.fields if f.identifier]
        columns += [c for c in ("enterprise_id", "training_id", "meeting_id",
                                "north_enterprise_id") if c in frame]
        for column in columns:
            for value in frame[column].dropna().astype(str).unique():
                if len(value) >= 5 and value.casefold() not in public:
                    secrets.add(value)
    return secrets

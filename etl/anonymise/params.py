"""Disclosure-control parameters: every threshold in one place, named and documented.

They are published in each package's disclosure-risk report, so a reader can see exactly which
rules the data passed. Change them here only with the programme's data-protection officer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Params:
    #: k-anonymity: every combination of quasi-identifiers in the microdata is shared by at
    #: least this many published records.
    k: int = 5
    #: Largest share of records that local suppression may touch before the quasi-identifiers
    #: must be generalised one level further instead.
    max_suppression_share: float = 0.05
    #: l-diversity: each sensitive attribute takes at least this many distinct values in every
    #: equivalence class, or it is suppressed in that class.
    l_diversity: int = 2
    #: Threshold rule: a published count needs at least this many contributing units
    #: (businesses, or people for training tables).
    min_count: int = 5
    #: A published magnitude (turnover, employment, deal value) needs this many contributors.
    min_contributors: int = 5
    #: p%-rule: a magnitude cell is sensitive when the total minus its two largest contributions
    #: is less than p% of the largest (the second-largest could estimate the largest within p%).
    p_percent: float = 15.0
    #: Groups smaller than this are protected against attribute disclosure: a cell where 0% or
    #: 100% of the group has a sensitive attribute is suppressed.
    small_group: int = 20
    #: A record's re-identification risk is 1/f, f the size of its equivalence class; the report
    #: counts records above this risk.
    risk_threshold: float = 0.2
    #: Secondary suppression must leave every suppressed count cell with an interval (as an
    #: attacker solving the linear system of published cells and totals would find it) at least
    #: this wide; and never a single value.
    min_interval_width: float = 2.0

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


DEFAULTS = Params()

#: What a suppressed cell holds in published data: not 0, not blank (ONS convention).
SUPPRESSED = "[c]"

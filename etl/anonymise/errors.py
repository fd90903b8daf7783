"""The errors disclosure control raises: the tables must not be published, or an earlier
release cannot be audited against."""

from __future__ import annotations


class DisclosureError(Exception):
    """An audit still fails after suppression; names the rule and the table for the report."""

    def __init__(self, rule: str, table: str, detail: str) -> None:
        super().__init__(f"{rule} fails in {table}: {detail}")
        self.rule = rule
        self.table = table
        self.detail = detail


class HistoryMismatch(ValueError):
    """An earlier release's ledger does not fit this build: it does not give the values that
    release published, or it was written by an ETL whose unit frames cannot be compared with
    this one's (a column dropped or of another type)."""

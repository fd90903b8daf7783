"""The one error disclosure control raises: the tables must not be published."""

from __future__ import annotations


class DisclosureError(Exception):
    """An audit still fails after suppression; names the rule and the table for the report."""

    def __init__(self, rule: str, table: str, detail: str) -> None:
        super().__init__(f"{rule} fails in {table}: {detail}")
        self.rule = rule
        self.table = table
        self.detail = detail

"""Reading an action's parameters, refusing bad values (400, the parameter named).

GET arguments are text; a JSON body may hold native values. Both are accepted for every
parameter, as CKAN does (``filters`` as an object or as JSON text, and so on). Numbers and
lists of names are read by :mod:`portal.catalog.rows`, as the REST API reads them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from portal.api.ckan.errors import clip, invalid
from portal.catalog import rows

#: Longest text parameter read (ids, q, fq, sort): anything longer cannot name anything.
MAX_TEXT = 2000
_TRUE = frozenset({"true", "1", "yes", "y", "t", "on"})
_FALSE = frozenset({"false", "0", "no", "n", "f", "off"})


class Params:
    """The parameters of one call, with readers that refuse bad values."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = dict(values)

    def raw(self, name: str) -> Any:
        """The value as given; None when absent or empty (CKAN ignores empty values)."""
        value = self.values.get(name)
        return None if value == "" else value

    def text(self, name: str, default: str = "", *, required: bool = False) -> str:
        value = self.raw(name)
        if value is None:
            if required:
                raise invalid(name, f"{name}: Missing value")
            return default
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise invalid(name, f"{name} must be text, got {clip(repr(value))}")
        text = str(value)
        if len(text) > MAX_TEXT:
            raise invalid(name, f"{name} is longer than {MAX_TEXT} characters")
        return text

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        value = self.raw(name)
        if value is None:
            return default
        try:
            return rows.integer(value, name, low, high)
        except rows.BadRequest as error:
            raise invalid(name, clip(str(error), 200)) from None

    def boolean(self, name: str, default: bool) -> bool:
        value = self.raw(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        word = value.strip().lower() if isinstance(value, str) else None
        if word not in _TRUE | _FALSE:
            raise invalid(name, f"{name} must be true or false, got {clip(repr(value))}")
        return word in _TRUE

    def structure(self, name: str, kind: type[dict[str, Any]] | type[list[Any]]) -> Any:
        """A JSON object or list, given natively or as JSON text; None when absent."""
        value = self.raw(name)
        if value is None:
            return None
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except (ValueError, RecursionError):
                raise invalid(name, f"{name} is not valid JSON: {clip(value)}") from None
        if not isinstance(value, kind):
            what = "an object" if kind is dict else "a list"
            raise invalid(name, f"{name} must be {what} (JSON), got {clip(repr(value))}")
        return value

    def strings(self, name: str) -> list[str]:
        """A list of texts: a JSON list, repeated arguments or one text."""
        value = self.raw(name)
        if isinstance(value, str):
            value = self.structure(name, list) if value.lstrip().startswith("[") else [value]
        value = [] if value is None else value
        if not isinstance(value, list) or not all(
                isinstance(item, str) and len(item) <= MAX_TEXT for item in value):
            raise invalid(name, f"{name} must be a list of texts, got {clip(repr(value))}")
        return value

    def names(self, name: str) -> list[str]:
        """A list of names: a JSON list, repeated arguments or comma-separated text."""
        value = self.raw(name)
        if isinstance(value, str) and value.lstrip().startswith("["):
            value = self.structure(name, list)
        if value is None:
            return []
        try:
            return rows.split_list(value, name)
        except rows.BadRequest:
            raise invalid(name, f"{name} must be a list of names (JSON list or comma-separated"
                          f" text), got {clip(repr(value))}") from None

"""Refusals as CKAN's ``error`` objects, so that CKAN clients raise their usual exceptions.

Unlike CKAN, which answers 409 for validation errors, every refusal is a 4xx whose message
names the parameter; a client's text is echoed only shortened.
"""

from __future__ import annotations

from typing import Any

from portal.catalog import rows


class ActionError(Exception):
    """A refusal: the HTTP status and CKAN's ``error`` object."""

    def __init__(self, status: int, error: dict[str, Any]) -> None:
        super().__init__(error.get("message", ""))
        self.status = status
        self.error = error


def clip(text: object, length: int = 100) -> str:
    """A client's text shortened for a message (it is echoed, so keep it small)."""
    text = str(text)
    return text if len(text) <= length else text[:length] + "…"


def invalid(parameter: str, message: str) -> ActionError:
    """CKAN's "Validation Error": field → messages (ckanapi raises ``ValidationError``)."""
    return ActionError(400, {parameter: [message], "message": message,
                             "__type": "Validation Error"})


def invalid_row(error: rows.BadRequest) -> ActionError:
    """A refusal of :mod:`portal.catalog.rows`, filed under the parameter it names
    (``filters[nace]`` → ``filters``)."""
    return invalid(error.parameter.partition("[")[0] or "parameters", str(error))


def not_found(message: str) -> ActionError:
    return ActionError(404, {"__type": "Not Found Error", "message": f"Not found: {message}"})


def bad_request(message: str, status: int = 400) -> ActionError:
    return ActionError(status, {"__type": "Bad Request", "message": f"Bad request - {message}"})


def bad_query(parameter: str, message: str) -> ActionError:
    """CKAN's "Search Query Error" (ckanapi raises ``SearchQueryError``)."""
    return ActionError(400, {"__type": "Search Query Error",
                             "message": f"Search Query is invalid: {parameter}: {message}"})

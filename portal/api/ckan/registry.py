"""The actions the API answers: each registers its name and the parameters it accepts,
so that the dispatcher refuses unknown actions and unknown parameters before running one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from portal.api.ckan.params import Params
from portal.catalog.model import Catalogue


@dataclass(frozen=True)
class Call:
    """What an action sees: the catalogue (None before anything is published), parameters."""

    catalogue: Catalogue | None
    params: Params


@dataclass(frozen=True)
class Action:
    name: str
    function: Callable[[Call], Any]
    parameters: frozenset[str]


ACTIONS: dict[str, Action] = {}


def action(*parameters: str) -> Callable[[Callable[[Call], Any]], Callable[[Call], Any]]:
    """Register a function as the action of its name, accepting only ``parameters``."""

    def register(function: Callable[[Call], Any]) -> Callable[[Call], Any]:
        ACTIONS[function.__name__] = Action(function.__name__, function, frozenset(parameters))
        return function

    return register

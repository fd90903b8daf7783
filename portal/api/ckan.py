"""Placeholder: being built."""

from __future__ import annotations

import dash


def init_app(app: dash.Dash) -> None:
    del app

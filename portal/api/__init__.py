"""Machine-readable access to the catalogue: the CKAN-compatible action API, the DCAT-AP
catalogue and the REST API with its OpenAPI document. Each module mounts its own routes."""

from __future__ import annotations

import dash


def init_app(app: dash.Dash) -> None:
    from portal.api import ckan, dcat, rest

    for module in (ckan, dcat, rest):
        module.init_app(app)

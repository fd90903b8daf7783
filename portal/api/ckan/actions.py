"""The read actions over the catalogue's packages, resources and organizations, and the
API's own (``status_show``, ``help_show``); searching is in :mod:`.search`, rows in
:mod:`.datastore`.

An id is only ever looked up among the published packages, so nothing else is reachable.
"""

from __future__ import annotations

import inspect
from typing import Any

import dash

from portal.api.ckan import dicts
from portal.api.ckan.errors import clip, invalid, not_found
from portal.api.ckan.registry import ACTIONS, Call, action
from portal.catalog import rows
from portal.catalog.model import Catalogue, Package
from portal.site import DESCRIPTION, SITE_TITLE, absolute

#: The CKAN release whose read API this one follows.
CKAN_VERSION = "2.10.0"


def _find_package(call: Call, key: str) -> tuple[Catalogue, Package]:
    package = call.catalogue.package(key) if call.catalogue and key else None
    if call.catalogue is None or package is None:
        raise not_found(f"Dataset {clip(key)!r} was not found.")
    return call.catalogue, package


@action("limit", "offset")
def package_list(call: Call) -> list[str]:
    """Return the names of the published datasets, sorted.

    :param limit: how many names to return (optional, default all)
    :param offset: how many names to skip (optional)
    """
    limit = call.params.integer("limit", rows.MAX_OFFSET, 0, rows.MAX_OFFSET)
    offset = call.params.integer("offset", 0, 0, rows.MAX_OFFSET)
    names = sorted(p.name for p in call.catalogue.packages) if call.catalogue else []
    return names[offset:offset + limit]


@action("id", "use_default_schema", "include_tracking")
def package_show(call: Call) -> dict[str, Any]:
    """Return a dataset (a published data package) with its resources.

    :param id: the name or id of the dataset
    :param use_default_schema: accepted for compatibility; there is one schema
    :param include_tracking: accepted for compatibility; nothing is tracked
    """
    key = call.params.text("id", required=True)
    call.params.boolean("use_default_schema", False)
    call.params.boolean("include_tracking", False)
    return dicts.package_dict(*_find_package(call, key))


@action("id", "include_tracking")
def resource_show(call: Call) -> dict[str, Any]:
    """Return a resource: a published table (id = its name) or a package-level file
    (id = ``package/file``, e.g. the package's ZIP or its ``datapackage.json``).

    :param id: the resource id
    :param include_tracking: accepted for compatibility; nothing is tracked
    """
    key = call.params.text("id", required=True)
    call.params.boolean("include_tracking", False)
    catalogue = call.catalogue
    table = catalogue.resource(key) if catalogue else None
    if table is not None:
        return dicts.table_resource(_find_package(call, table.package)[1], table)
    package = catalogue.package(key.partition("/")[0]) if catalogue else None
    if catalogue is not None and package is not None:
        for position, download in enumerate(package.downloads, len(package.resources)):
            if dicts.file_id(catalogue, package, download) == key:
                return dicts.file_resource(catalogue, package, download, position)
    raise not_found(f"Resource {clip(key)!r} was not found.")


@action("all_fields", "sort", "limit", "offset", "organizations", "include_dataset_count")
def organization_list(call: Call) -> list[Any]:
    """Return the publishers of the datasets (contributors with the publisher role).

    :param all_fields: return dicts rather than names (default false)
    :param sort: ``name``, ``title`` or ``package_count``, then ``asc`` or ``desc``
        (default ``title asc``)
    :param limit: how many to return (optional)
    :param offset: how many to skip (optional)
    :param organizations: only these names (JSON list or comma-separated)
    :param include_dataset_count: with ``all_fields``, add ``package_count``
    """
    params = call.params
    all_fields = params.boolean("all_fields", False)
    with_count = params.boolean("include_dataset_count", False)
    wanted = set(params.names("organizations"))
    limit = params.integer("limit", rows.MAX_OFFSET, 0, rows.MAX_OFFSET)
    offset = params.integer("offset", 0, 0, rows.MAX_OFFSET)
    words = (params.text("sort") or "title asc").split()
    if (not 1 <= len(words) <= 2 or words[0] not in ("name", "title", "package_count")
            or (len(words) == 2 and words[1].lower() not in ("asc", "desc"))):
        raise invalid("sort", "sort: write name, title or package_count, then asc or desc")
    found: dict[str, dict[str, Any]] = {}
    for package in call.catalogue.packages if call.catalogue else ():
        organization = dicts.organization_dict(package)
        if organization and (not wanted or organization["name"] in wanted):
            entry = found.setdefault(organization["name"], {**organization, "package_count": 0})
            entry["package_count"] += 1
    ordered = sorted(found.values(), key=lambda o: (o[words[0]], o["name"]),
                     reverse=len(words) == 2 and words[1].lower() == "desc")
    ordered = ordered[offset:offset + limit]
    if not all_fields:
        return [o["name"] for o in ordered]
    return [o if with_count else {k: v for k, v in o.items() if k != "package_count"}
            for o in ordered]


@action()
def status_show(call: Call) -> dict[str, Any]:
    """Return the site's title, address, CKAN compatibility version and extensions."""
    del call
    return {"site_title": SITE_TITLE, "site_description": DESCRIPTION,
            "site_url": absolute(dash.get_relative_path("/")).rstrip("/"),
            "ckan_version": CKAN_VERSION, "error_emails_to": None, "locale_default": "en",
            "extensions": ["datastore"]}


@action("name")
def help_show(call: Call) -> str:
    """Return the documentation of an action.

    :param name: the action's name
    """
    name = call.params.text("name", required=True)
    found = ACTIONS.get(name)
    if found is None:
        raise not_found(f"Action function {clip(name)!r} was not found.")
    return inspect.getdoc(found.function) or ""

"""CKAN's dictionaries of the catalogue: packages (datasets), resources, organizations and
groups, built from :mod:`portal.catalog.model` of the current release.

A package's tables are its resources (id = the table's name), followed by its package-level
files (ZIP, ``datapackage.json``, reports, attachments; id = ``package/path``). Publishers
become organizations and themes groups; what CKAN has no field for (coverage, funders, the
disclosure summary) goes into ``extras``. The API speaks English; the other languages are
in the ``*_translated`` fields.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import unicodedata
import uuid
from collections.abc import Mapping
from typing import Any

from portal.catalog import model
from portal.catalog.model import Catalogue, Download, Package, Resource
from portal.labels import localised_text
from portal.site import absolute

#: Titles of the package-level files offered as extra resources of a dataset.
_FILE_TITLES = {"archive": "Whole data package ({format})",
                "descriptor": "Data package descriptor (datapackage.json)",
                "disclosure": "Disclosure-risk report ({format})",
                "attachment": "Attachment: {file}"}


# --- Descriptor readers ------------------------------------------------------------------

def english(texts: object, fallback: object = "") -> str:
    """The English text of an ``x-title``-style dict (the API speaks English)."""
    fallback = fallback if isinstance(fallback, str) else ""
    return localised_text(texts if isinstance(texts, Mapping) else None, fallback, "en")


def mapping(value: object) -> Mapping[str, Any]:
    """``value`` if it is an object, else an empty one (descriptors are not trusted)."""
    return value if isinstance(value, Mapping) else {}


def timestamp(value: str) -> str:
    """CKAN's timestamps: ISO 8601, UTC, without an offset."""
    return model.parse_time(value).astimezone(datetime.UTC).replace(tzinfo=None).isoformat()


def titles(descriptor: Mapping[str, Any], fallback: str) -> tuple[str, str]:
    """The English title and description of a package or resource descriptor."""
    title = english(descriptor.get("x-title"), descriptor.get("title") or fallback)
    notes = english(descriptor.get("x-description"), descriptor.get("description") or "")
    return title, notes


def keywords(package: Package) -> list[str]:
    words = package.descriptor.get("keywords") or []
    return list(dict.fromkeys(w for w in words if isinstance(w, str) and w.strip()))


def contributors(package: Package, role: str) -> list[Mapping[str, Any]]:
    """The package's titled contributors with ``role`` (Data Package v2 ``roles``, v1 ``role``)."""
    found = []
    for contributor in package.descriptor.get("contributors") or []:
        contributor = mapping(contributor)
        roles = contributor.get("roles") or [contributor.get("role")]
        title = contributor.get("title")
        if isinstance(roles, list) and role in roles and isinstance(title, str) and title:
            found.append(contributor)
    return found


def _slug(text: str) -> str:
    """A CKAN name (2–100 of a-z, 0-9, -) for a title."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:100]
    return slug if len(slug) >= 2 else "org-" + hashlib.sha256(text.encode()).hexdigest()[:8]


# --- Organizations, licences, groups -----------------------------------------------------

def organization_dict(package: Package) -> dict[str, Any] | None:
    """The package's first publisher as a CKAN organization (its id derived from its name,
    so it is stable across releases)."""
    for publisher in contributors(package, "publisher")[:1]:
        title, name = publisher["title"], _slug(publisher["title"])
        return {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"ckan-organization:{name}")),
                "name": name, "title": title, "display_name": title, "type": "organization",
                "description": "", "image_url": "", "url": str(publisher.get("path") or ""),
                "is_organization": True, "approval_status": "approved", "state": "active"}
    return None


def licence_fields(package: Package) -> dict[str, Any]:
    """CKAN's licence fields of a package, from its first licence."""
    licences = package.descriptor.get("licenses") or []
    first = mapping(licences[0]) if licences else {}
    name = str(first.get("name") or "")
    upper = name.upper()
    is_open = (upper.startswith(("CC-BY", "CC0", "ODC", "PDDL", "OGL"))
               and "-NC" not in upper and "-ND" not in upper)
    return {"license_id": name or "notspecified",
            "license_title": str(first.get("title") or name or "License not specified"),
            "license_url": str(first.get("path") or ""), "isopen": is_open}


def group_dict(theme: str) -> dict[str, Any]:
    """A theme of the catalogue as a CKAN group."""
    title = model.THEMES.get(theme, (theme, ""))[0]
    return {"id": theme, "name": theme, "title": title, "display_name": title,
            "description": "", "image_display_url": ""}


def _extras(package: Package) -> list[dict[str, str]]:
    """Spatial and temporal coverage, themes, funders and the disclosure summary as extras
    (CKAN's free key/value pairs; ``spatial`` is GeoJSON, as ckanext-spatial reads it)."""
    descriptor = package.descriptor
    extras: dict[str, str] = {}
    spatial = mapping(descriptor.get("x-spatial"))
    bbox = spatial.get("bbox")
    if (isinstance(bbox, list) and len(bbox) == 4
            and all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in bbox)):
        west, south, east, north = bbox
        extras["spatial"] = json.dumps({"type": "Polygon", "coordinates": [[
            [west, south], [east, south], [east, north], [west, north], [west, south]]]})
    if spatial.get("country"):
        extras["country"] = str(spatial["country"])
    places = [str(mapping(m).get("name")) for m in spatial.get("municipalities") or []
              if mapping(m).get("name")]
    if places:
        extras["municipalities"] = ", ".join(places)
    temporal = mapping(descriptor.get("x-temporal"))
    for key in ("start", "end"):
        if temporal.get(key):
            extras[f"temporal_{key}"] = str(temporal[key])
    extras["themes"] = ", ".join(package.themes)
    funders = [c["title"] for c in contributors(package, "funder")]
    if funders:
        extras["funders"] = "; ".join(funders)
    sources = [str(mapping(s).get("title")) for s in descriptor.get("sources") or []
               if mapping(s).get("title")]
    if sources:
        extras["sources"] = "; ".join(sources)
    extras["synthetic"] = "true" if descriptor.get("x-synthetic") else "false"
    report = mapping(package.disclosure)
    checks = [mapping(r) for r in report.get("rules") or []]
    if checks:
        passed = sum(1 for r in checks if r.get("passed") is True)
        extras["disclosure_rules_passed"] = f"{passed} of {len(checks)}"
    k = mapping(report.get("parameters")).get("k")
    if k is not None:
        extras["disclosure_k"] = str(k)
    share = mapping(report.get("tables_summary")).get("suppressed_share")
    if share is not None:
        extras["disclosure_suppressed_cell_share"] = str(share)
    return [{"key": key, "value": value} for key, value in extras.items()]


# --- Resources ---------------------------------------------------------------------------

def in_datastore(resource: Resource) -> bool:
    """Whether ``datastore_search`` serves the resource's rows (a table published as CSV)."""
    return resource.tabular and resource.download("CSV") is not None


def _download(download: Download) -> dict[str, Any]:
    return {"format": download.format, "mimetype": download.mediatype,
            "url": absolute(download.url), "size": download.size}


def table_resource(package: Package, resource: Resource) -> dict[str, Any]:
    """A table as a CKAN resource: its CSV is the ``url``, every format in ``downloads``."""
    descriptor = resource.descriptor
    title, description = titles(descriptor, resource.name)
    main = resource.download("CSV") or (resource.downloads[0] if resource.downloads else None)
    created = timestamp(package.created)
    return {
        "id": resource.name, "package_id": package.id, "name": title,
        "name_translated": dict(mapping(descriptor.get("x-title"))) or {"en": title},
        "description": description,
        "format": main.format if main else "", "mimetype": main.mediatype if main else "",
        "url": absolute(main.url) if main else "", "size": main.size if main else None,
        "hash": str(descriptor.get("hash") or ""), "position": resource.position,
        "datastore_active": in_datastore(resource), "state": "active", "url_type": None,
        "resource_type": descriptor.get("type"), "created": created,
        "last_modified": created, "metadata_modified": created,
        "theme": resource.theme, "row_count": resource.rows,
        "downloads": [_download(d) for d in resource.downloads],
    }


def file_id(catalogue: Catalogue, package: Package, download: Download) -> str:
    """``package/path`` of a package-level file (ZIP, descriptor, reports, attachments)."""
    folder = catalogue.published.folder.path / package.name
    try:
        relative = download.file.path.relative_to(folder).as_posix()
    except ValueError:
        relative = download.file.path.name
    return f"{package.name}/{relative}"


def file_resource(catalogue: Catalogue, package: Package, download: Download,
                  position: int) -> dict[str, Any]:
    """A package-level file as a CKAN resource (not in the DataStore)."""
    name = _FILE_TITLES.get(download.kind, "{file}").format(
        format=download.format, file=download.file.path.name)
    created = timestamp(package.created)
    return {
        "id": file_id(catalogue, package, download), "package_id": package.id, "name": name,
        "description": "", "format": download.format, "mimetype": download.mediatype,
        "url": absolute(download.url), "size": download.size, "hash": "",
        "position": position, "datastore_active": False, "state": "active", "url_type": None,
        "resource_type": download.kind, "created": created, "last_modified": created,
        "metadata_modified": created,
    }


# --- Packages ----------------------------------------------------------------------------

def package_dict(catalogue: Catalogue, package: Package) -> dict[str, Any]:
    """A package as CKAN's dataset dict (``package_show``, ``package_search`` results)."""
    descriptor = package.descriptor
    title, notes = titles(descriptor, package.name)
    organization = organization_dict(package)
    creators = [c["title"] for c in contributors(package, "creator")]
    tags = [{"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"ckan-tag:{word}")), "name": word,
             "display_name": word, "state": "active", "vocabulary_id": None}
            for word in keywords(package)]
    resources = [table_resource(package, r) for r in package.resources]
    resources += [file_resource(catalogue, package, d, len(resources) + i)
                  for i, d in enumerate(package.downloads)]
    created = timestamp(package.created)
    return {
        "id": package.id, "name": package.name, "title": title, "notes": notes,
        "title_translated": dict(mapping(descriptor.get("x-title"))) or {"en": title},
        "notes_translated": dict(mapping(descriptor.get("x-description"))) or {"en": notes},
        "version": package.version, **licence_fields(package),
        "author": "; ".join(creators), "author_email": None,
        "maintainer": organization["title"] if organization else "", "maintainer_email": None,
        "url": str(descriptor.get("homepage") or ""),
        "state": "active", "type": "dataset", "private": False,
        "metadata_created": created, "metadata_modified": created, "creator_user_id": None,
        "organization": organization, "owner_org": organization["id"] if organization else None,
        "tags": tags, "num_tags": len(tags),
        "groups": [group_dict(theme) for theme in package.themes],
        "extras": _extras(package), "relationships_as_object": [],
        "relationships_as_subject": [], "num_resources": len(resources),
        "resources": resources,
    }

"""schema.org ``Dataset`` and ``DataCatalog`` JSON-LD for the data pages' HTML heads.

Search engines (Google Dataset Search, Bing) read datasets from JSON-LD embedded in the
page that describes them, not from the DCAT-AP catalogue, so each package page carries its
own description, built from the same catalogue model as the DCAT-AP graph. The descriptor
readers here (contributors, spatial and temporal coverage, texts) are shared with
:mod:`portal.api.dcat` so that the two descriptions of a package never disagree.

Everything read from a descriptor is checked for type: a malformed descriptor yields a
thinner description, never an error page.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urljoin

import dash
import flask

from portal.catalog import model
from portal.catalog.model import Catalogue, Download, Package
from portal.i18n import get_locale
from portal.labels import localised_text
from portal.site import origin

#: The portal's package pages, relative to Dash's prefix (the page is another module's).
PACKAGE_PAGE = "/data/{name}"
DATA_PAGE = "/data"
#: The catalogue's IRI (served by :mod:`portal.api.dcat`), shared by both descriptions.
CATALOG_PAGE = "/catalog"
#: Languages the descriptors' ``x-title``/``x-description`` are published in (BCP 47);
#: Cyrillic Serbian is derived from Latin by the portal, so it is not repeated here.
TEXT_LANGUAGES = ("en", "sq", "sr-Latn")
SCHEMA_CONTEXT = "https://schema.org/"
_PACKAGE_PATH = re.compile(r"data/([^/]+)/?")


@dataclass(frozen=True)
class Country:
    """A country a package may cover: EU authority code, name, approximate bounding box."""

    eu_code: str
    name: str
    #: (west, south, east, north), rounded outwards.
    bbox: tuple[float, float, float, float]


#: ISO 3166 alpha-2 (as ``x-spatial.country`` gives it) → country. Kosovo's EU code is XKX.
COUNTRIES = {"XK": Country("XKX", "Kosovo", (20.0, 41.8, 21.8, 43.3))}


# --- Descriptor readers, shared with the DCAT-AP catalogue -------------------------------


@dataclass(frozen=True)
class Agent:
    """A contributor of a package (Data Package ``contributors`` entry)."""

    name: str
    homepage: str | None
    email: str | None
    roles: tuple[str, ...]


@dataclass(frozen=True)
class Municipality:
    """A municipality the package covers: KAS code, name and the seat's position."""

    code: str
    name: str
    #: (longitude, latitude) of the municipal seat, WGS 84.
    seat: tuple[float, float] | None


@dataclass(frozen=True)
class Spatial:
    """A package's ``x-spatial``: country (ISO 3166 alpha-2), municipalities, bounding box."""

    country: str | None
    municipalities: tuple[Municipality, ...]
    #: (west, south, east, north) in degrees, WGS 84.
    bbox: tuple[float, float, float, float] | None

    @property
    def centre(self) -> tuple[float, float] | None:
        """(longitude, latitude) of the bounding box's centre."""
        if self.bbox is None:
            return None
        west, south, east, north = self.bbox
        return (round((west + east) / 2, 6), round((south + north) / 2, 6))


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def agents(package: Package) -> tuple[Agent, ...]:
    """The package's contributors that have a name, in descriptor order."""
    found = []
    for entry in package.descriptor.get("contributors") or []:
        if not isinstance(entry, dict) or not _text(entry.get("title")):
            continue
        roles = entry.get("roles") or ([entry["role"]] if entry.get("role") else [])
        found.append(Agent(
            _text(entry["title"]),
            _text(entry.get("path")) or None,
            _text(entry.get("email")) or None,
            tuple(r for r in roles if isinstance(r, str)),
        ))
    return tuple(found)


def with_role(package: Package, role: str) -> tuple[Agent, ...]:
    return tuple(a for a in agents(package) if role in a.roles)


def spatial(package: Package) -> Spatial:
    """The package's ``x-spatial``; the box falls back to the seats' envelope."""
    raw = package.descriptor.get("x-spatial")
    raw = raw if isinstance(raw, dict) else {}
    municipalities = []
    for entry in raw.get("municipalities") or []:
        if not isinstance(entry, dict) or not _text(entry.get("kas_code")):
            continue
        seat = entry.get("seat")
        point = None
        if isinstance(seat, list) and len(seat) == 2:
            lon, lat = _number(seat[0]), _number(seat[1])
            if lon is not None and lat is not None:
                point = (lon, lat)
        municipalities.append(Municipality(
            _text(entry["kas_code"]), _text(entry.get("name")) or _text(entry["kas_code"]),
            point))
    box = raw.get("bbox")
    bbox = None
    if isinstance(box, list) and len(box) == 4:
        numbers = [_number(v) for v in box]
        if all(v is not None for v in numbers):
            west, south, east, north = (float(v) for v in numbers if v is not None)
            bbox = (west, south, east, north)
    seats = [m.seat for m in municipalities if m.seat is not None]
    if bbox is None and seats:
        bbox = (min(s[0] for s in seats), min(s[1] for s in seats),
                max(s[0] for s in seats), max(s[1] for s in seats))
    country = _text(raw.get("country")).upper() or None
    return Spatial(country, tuple(municipalities), bbox)


def _iso_date(value: Any) -> str | None:
    text = _text(value)
    try:
        datetime.date.fromisoformat(text[:10])
    except ValueError:
        return None
    return text


def temporal(package: Package) -> tuple[str | None, str | None]:
    """(start, end) of ``x-temporal`` as ISO 8601 dates; None where missing or unreadable."""
    raw = package.descriptor.get("x-temporal")
    raw = raw if isinstance(raw, dict) else {}
    return _iso_date(raw.get("start")), _iso_date(raw.get("end"))


def texts(descriptor: dict[str, Any], key: str) -> dict[str, str]:
    """``x-<key>`` by language (``en``, ``sq``, ``sr-Latn``), English from ``key`` if absent."""
    raw = descriptor.get(f"x-{key}")
    found = {lang: _text(raw.get(lang)) for lang in TEXT_LANGUAGES} if isinstance(
        raw, dict) else {}
    found = {lang: text for lang, text in found.items() if text}
    if "en" not in found and _text(descriptor.get(key)):
        found["en"] = _text(descriptor[key])
    return found


def issued(catalogue: Catalogue, package: Package) -> str:
    """When the package was first published: its first release still published (a withdrawn
    one is not available), else its creation."""
    dates = sorted(v.released for v in catalogue.live_history
                   if package.name in v.archives and _iso_date(v.released))
    return dates[0] if dates else package.created


def licence_url(package: Package) -> str | None:
    for licence in package.descriptor.get("licenses") or []:
        if isinstance(licence, dict) and _text(licence.get("path")):
            return _text(licence["path"])
    return None


@dataclass(frozen=True)
class Site:
    """The portal's canonical origin (``PORTAL_BASE_URL``'s, else this request's) and Dash's
    requests prefix.

    Passed explicitly rather than read with ``dash.get_relative_path``, which follows
    whichever Dash app of the process was created or called last.
    """

    host_url: str
    prefix: str

    def url(self, path: str) -> str:
        """The absolute address of ``path`` (``"/data"``) under the prefix."""
        return urljoin(self.host_url, self.prefix.rstrip("/") + path)

    def download(self, download: Download) -> str:
        """The absolute address of a published file (its ``url`` is already prefixed)."""
        return urljoin(self.host_url, download.url)

    def landing_page(self, package: Package) -> str:
        return self.url(PACKAGE_PAGE.format(name=quote(package.name)))

    def dataset_id(self, package: Package) -> str:
        """The dataset's IRI, shared by the DCAT-AP graph and the schema.org JSON-LD."""
        return self.landing_page(package) + "#dataset"


def site(requests_prefix: str) -> Site:
    """The canonical address (:mod:`portal.site`) under Dash's requests prefix."""
    return Site(origin(), requests_prefix)


def all_downloads(package: Package) -> list[tuple[Download, model.Resource | None]]:
    """Every file of the package: package-level files, then each table's formats."""
    found: list[tuple[Download, model.Resource | None]] = [(d, None) for d in package.downloads]
    found += [(d, r) for r in package.resources for d in r.downloads]
    return found


# --- schema.org JSON-LD ------------------------------------------------------------------


def _organisation(agent: Agent) -> dict[str, Any]:
    found: dict[str, Any] = {"@type": "Organization", "name": agent.name}
    if agent.homepage:
        found["url"] = agent.homepage
    if agent.email:
        found["email"] = agent.email
    return found


def _place(area: Spatial) -> dict[str, Any] | None:
    place: dict[str, Any] = {"@type": "Place"}
    names = [m.name for m in area.municipalities]
    if names:
        place["name"] = ", ".join(names)
    if area.bbox is not None:
        west, south, east, north = area.bbox
        # schema.org boxes are "south west north east", latitude first.
        place["geo"] = {"@type": "GeoShape", "box": f"{south} {west} {north} {east}"}
    parts = []
    for municipality in area.municipalities:
        part: dict[str, Any] = {"@type": "Place", "name": municipality.name,
                                "identifier": municipality.code}
        if municipality.seat is not None:
            part["geo"] = {"@type": "GeoCoordinates", "longitude": municipality.seat[0],
                           "latitude": municipality.seat[1]}
        parts.append(part)
    if parts:
        place["containsPlace"] = parts
    if area.country:
        place["containedInPlace"] = {"@type": "Country", "identifier": area.country}
        if area.country in COUNTRIES:
            place["containedInPlace"]["name"] = COUNTRIES[area.country].name
    return place if len(place) > 1 else None


def _distribution(site: Site, download: Download, resource: model.Resource | None,
                  package_title: str) -> dict[str, Any]:
    if resource is not None:
        name = localised_text(resource.descriptor.get("x-title"),
                              resource.descriptor.get("title") or resource.name)
    else:
        name = f"{package_title}: {download.file.path.name}"
    return {"@type": "DataDownload", "name": f"{name} — {download.format}",
            "encodingFormat": download.mediatype, "contentUrl": site.download(download),
            "contentSize": f"{download.size} B"}


def _unit(spec: dict[str, Any]) -> str:
    unit = spec.get("x-unit")
    return localised_text(unit if isinstance(unit, dict) else None, _text(spec.get("unit")))


def variables(package: Package) -> list[dict[str, Any]]:
    """One ``PropertyValue`` per distinct column name of the package's tables.

    A column that means different things in different tables (``value`` counts businesses
    in one, euros in another) keeps only what all its tables agree on.
    """
    seen: dict[str, list[dict[str, Any]]] = {}
    for resource in package.resources:
        for spec in resource.fields:
            if isinstance(spec, dict) and _text(spec.get("name")):
                seen.setdefault(spec["name"], []).append(spec)
    found = []
    for name, specs in seen.items():
        item: dict[str, Any] = {"@type": "PropertyValue", "name": name}
        title = localised_text(specs[0].get("x-title"), _text(specs[0].get("title")))
        if title and title != name:
            item["alternateName"] = title
        descriptions = {_text(s.get("description")) for s in specs}
        if len(descriptions) == 1 and descriptions != {""}:
            item["description"] = descriptions.pop()
        units = {_unit(s) for s in specs}
        if len(units) == 1 and units != {""}:
            item["unitText"] = units.pop()
        found.append(item)
    return found


def _credit(package: Package, title: str, version: str, url: str) -> str:
    makers = ", ".join(a.name for a in with_role(package, "creator")) or ", ".join(
        a.name for a in with_role(package, "publisher"))
    year = package.created[:4]
    parts = [f"{makers} ({year})." if makers and year.isdigit() else makers]
    parts.append(f"{title}, version {version}." if version else f"{title}.")
    parts.append(url)
    return " ".join(p for p in parts if p)


def dataset(catalogue: Catalogue, package: Package, site: Site) -> dict[str, Any]:
    """schema.org ``Dataset`` of one package, in the visitor's language where translated."""
    locale = get_locale()
    descriptor = package.descriptor
    title = localised_text(descriptor.get("x-title"), descriptor.get("title") or package.name,
                           locale)
    url = site.landing_page(package)
    found: dict[str, Any] = {
        "@context": SCHEMA_CONTEXT,
        "@type": "Dataset",
        "@id": site.dataset_id(package),
        "name": title,
        "description": localised_text(descriptor.get("x-description"),
                                      _text(descriptor.get("description")) or title, locale),
        "url": url,
        "identifier": package.id,
        "isAccessibleForFree": True,
        "inLanguage": list(TEXT_LANGUAGES),
        "includedInDataCatalog": {"@type": "DataCatalog", "@id": site.url(CATALOG_PAGE),
                                  "url": site.url(DATA_PAGE)},
    }
    if package.version:
        found["version"] = package.version
    if package.created:
        found["dateCreated"] = found["dateModified"] = package.created
        found["datePublished"] = issued(catalogue, package)
    keywords = [k for k in descriptor.get("keywords") or [] if isinstance(k, str)]
    if keywords:
        found["keywords"] = keywords
    licence = licence_url(package)
    if licence:
        found["license"] = licence
    for role, key in (("creator", "creator"), ("funder", "funder")):
        people = [_organisation(a) for a in with_role(package, role)]
        if people:
            found[key] = people
    publishers = with_role(package, "publisher")
    if publishers:
        found["publisher"] = _organisation(publishers[0])
    place = _place(spatial(package))
    if place is not None:
        found["spatialCoverage"] = place
    start, end = temporal(package)
    if start or end:
        found["temporalCoverage"] = f"{start or '..'}/{end or '..'}"
    found["distribution"] = [_distribution(site, d, r, title)
                             for d, r in all_downloads(package)]
    measured = variables(package)
    if measured:
        found["variableMeasured"] = measured
    found["creditText"] = _credit(package, title, package.version, url)
    return found


def data_catalog(catalogue: Catalogue, site: Site, name: str,
                 description: str) -> dict[str, Any]:
    """schema.org ``DataCatalog`` of the release: the packages the data page lists."""
    locale = get_locale()
    return {
        "@context": SCHEMA_CONTEXT,
        "@type": "DataCatalog",
        "@id": site.url(CATALOG_PAGE),
        "name": name,
        "description": description,
        "url": site.url(DATA_PAGE),
        "inLanguage": list(TEXT_LANGUAGES),
        "dataset": [{
            "@type": "Dataset",
            "@id": site.dataset_id(p),
            "name": localised_text(p.descriptor.get("x-title"),
                                   p.descriptor.get("title") or p.name, locale),
            "url": site.landing_page(p),
        } for p in catalogue.packages],
    }


def script_tag(data: dict[str, Any]) -> str:
    """``data`` as a JSON-LD ``<script>``; ``<``, ``>`` and ``&`` are escaped so that no text
    in a descriptor can close the script element or open a comment."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/ld+json">{text}</script>'


def page_path(path: str, routes_prefix: str) -> str | None:
    """``path`` relative to Dash's routes prefix (``"data/x"``), None when outside it."""
    prefix = routes_prefix.rstrip("/")
    if prefix and path != prefix and not path.startswith(prefix + "/"):
        return None
    return path[len(prefix):].strip("/")


def head_script(app: dash.Dash, site_name: str, site_description: str) -> str:
    """The JSON-LD for the page ``app`` renders for this request: a ``Dataset`` on a
    package's page, the ``DataCatalog`` on the data page, nothing elsewhere or before any
    release."""
    if not flask.has_request_context():
        return ""
    relative = page_path(flask.request.path, app.config.routes_pathname_prefix)
    if relative is None or not (relative == "data" or relative.startswith("data/")):
        return ""
    catalogue = model.current()
    if catalogue is None:
        return ""
    here = site(app.config.requests_pathname_prefix)
    if relative == "data":
        return script_tag(data_catalog(catalogue, here, site_name, site_description))
    match = _PACKAGE_PATH.fullmatch(relative)
    package = catalogue.package(match.group(1)) if match else None
    return script_tag(dataset(catalogue, package, here)) if package is not None else ""

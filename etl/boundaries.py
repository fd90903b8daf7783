"""Boundaries of Kosovo's 38 municipalities, decoded from the geoBoundaries TopoJSON file.

The boundaries are the geoBoundaries gbOpen ADM2 file for Kosovo, kept unchanged in
``etl/reference/`` (see ``SOURCES.md`` there): a quantized, delta-encoded TopoJSON Topology.
It is decoded here with the standard library only, so that the ETL and the portal need no
geographic package at run time (shapely is a test dependency). Each geometry's ``shapeName`` is
tied to its KAS code by ``municipality_boundaries.csv``, compiled by the project, so that maps
join on the same two-digit codes as every other table.

A damaged copy must fail loudly, never draw a wrong map: every problem of the files raises
:class:`BoundaryError` with a one-line message naming the file, and :func:`misplaced_seats`
catches a mapping that gives a polygon the wrong code.
"""

from __future__ import annotations

import csv
import json
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from .refdata import REFERENCE_DIR, Municipality, municipalities, read_reference

__all__ = [
    "ATTRIBUTION",
    "BOUNDARY_PATH",
    "LICENCE",
    "MAPPING_PATH",
    "METADATA_PATH",
    "SOURCE_URL",
    "BoundaryError",
    "Polygon",
    "Ring",
    "boundary_mapping",
    "boundary_metadata",
    "misplaced_seats",
    "municipality_shapes",
    "point_in_polygons",
    "topology_polygons",
]

BOUNDARY_PATH = REFERENCE_DIR / "geoBoundaries-XKX-ADM2_simplified.topojson"
METADATA_PATH = REFERENCE_DIR / "geoBoundaries-XKX-ADM2-metaData.json"
MAPPING_PATH = REFERENCE_DIR / "municipality_boundaries.csv"

# The boundaries come from OpenStreetMap through geoBoundaries: both must be credited wherever a
# map drawn from them is shown, and the licence is OpenStreetMap's (the metadata's
# boundaryLicense, "Creative Commons Attribution-ShareAlike 2.0").
ATTRIBUTION = "© OpenStreetMap contributors, geoBoundaries"
LICENCE = "CC BY-SA 2.0"
SOURCE_URL = (
    "https://github.com/wmgeolab/geoBoundaries/blob/04ef2e25bb211fae00d30bd8a4074295841a5c23/"
    "releaseData/gbOpen/XKX/ADM2/geoBoundaries-XKX-ADM2_simplified.topojson"
)

_MAPPING_COLUMNS = ("shape_name", "kas_code")

Ring = list[tuple[float, float]]
"""A closed ring of (longitude, latitude) points: the last point repeats the first."""
Polygon = list[Ring]
"""A polygon: its exterior ring first, then its holes (winding as in the source file)."""

_FrozenPolygon = tuple[tuple[tuple[float, float], ...], ...]
_FrozenShapes = dict[str, tuple[_FrozenPolygon, ...]]


class BoundaryError(ValueError):
    """The boundary file, its metadata or the shapeName → KAS code mapping is unusable."""


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _pair(value: object) -> bool:
    return isinstance(value, list) and len(value) >= 2 and all(map(_is_number, value[:2]))


def _load_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BoundaryError(f"{path}: cannot read the file ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise BoundaryError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BoundaryError(
            f"{path}: not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from exc


def _decode_arcs(topology: dict[str, Any], path: Path) -> list[list[tuple[int | float, ...]]]:
    """Absolute positions of every arc, still in the file's (quantized) units.

    Kept in those units so that arc joins and ring closure are compared exactly: a mistyped
    digit in a delta shifts the rest of its arc, and the ring then no longer closes.
    """
    arcs = topology.get("arcs")
    if not isinstance(arcs, list) or not arcs:
        raise BoundaryError(f"{path}: the Topology has no 'arcs' list")
    quantized = "transform" in topology
    decoded: list[list[tuple[int | float, ...]]] = []
    for index, arc in enumerate(arcs):
        if not isinstance(arc, list) or len(arc) < 2 or not all(map(_pair, arc)):
            raise BoundaryError(f"{path}: arc {index} is not a list of at least two [x, y] points")
        if quantized:
            x = y = 0
            points: list[tuple[int | float, ...]] = []
            for dx, dy, *_ in arc:
                x += dx
                y += dy
                points.append((x, y))
        else:
            points = [(p[0], p[1]) for p in arc]
        decoded.append(points)
    return decoded


def _transform(topology: dict[str, Any], path: Path) -> tuple[float, float, float, float]:
    """Scale and translate (sx, sy, tx, ty) of a quantized Topology; identity if unquantized."""
    if "transform" not in topology:
        return (1.0, 1.0, 0.0, 0.0)
    transform = topology["transform"]
    scale = transform.get("scale") if isinstance(transform, dict) else None
    translate = transform.get("translate") if isinstance(transform, dict) else None
    if not (_pair(scale) and _pair(translate)):
        raise BoundaryError(f"{path}: 'transform' needs 'scale' and 'translate' as [x, y]")
    return (float(scale[0]), float(scale[1]), float(translate[0]), float(translate[1]))


def _ring(
    indices: object,
    arcs: list[list[tuple[int | float, ...]]],
    where: str,
) -> list[tuple[int | float, ...]]:
    """Join the arcs of one ring; index ``~i`` (a negative number) is arc ``i`` reversed."""
    if not isinstance(indices, list) or not indices:
        raise BoundaryError(f"{where}: a ring is not a non-empty list of arc indices")
    points: list[tuple[int | float, ...]] = []
    for index in indices:
        if not isinstance(index, int) or isinstance(index, bool):
            raise BoundaryError(f"{where}: arc index {index!r} is not an integer")
        number = index if index >= 0 else ~index
        if number >= len(arcs):
            raise BoundaryError(
                f"{where}: arc index {index} out of range (the file has {len(arcs)} arcs)"
            )
        arc = arcs[number] if index >= 0 else arcs[number][::-1]
        if points and points[-1] != arc[0]:
            raise BoundaryError(
                f"{where}: arc {index} does not start where the ring's previous arc ends"
            )
        points.extend(arc if not points else arc[1:])
    if points[0] != points[-1]:
        raise BoundaryError(f"{where}: ring {indices} does not close")
    if len(points) < 4:
        raise BoundaryError(f"{where}: ring {indices} has {len(points)} points, fewer than 4")
    return points


@lru_cache(maxsize=8)
def _topology_polygons(path: Path) -> _FrozenShapes:
    topology = _load_json(path)
    if not isinstance(topology, dict) or topology.get("type") != "Topology":
        raise BoundaryError(f"{path}: not a TopoJSON Topology")
    arcs = _decode_arcs(topology, path)
    sx, sy, tx, ty = _transform(topology, path)
    objects = topology.get("objects")
    if not isinstance(objects, dict) or not objects:
        raise BoundaryError(f"{path}: the Topology has no 'objects'")
    result: _FrozenShapes = {}
    for object_name, collection in objects.items():
        geometries = collection.get("geometries") if isinstance(collection, dict) else None
        if not isinstance(geometries, list):
            raise BoundaryError(f"{path}: object {object_name!r} is not a GeometryCollection")
        for number, geometry in enumerate(geometries):
            where = f"{path}, object {object_name!r}, geometry {number}"
            if not isinstance(geometry, dict):
                raise BoundaryError(f"{where}: not a geometry object")
            properties = geometry.get("properties")
            name = properties.get("shapeName") if isinstance(properties, dict) else None
            if not isinstance(name, str) or not name:
                raise BoundaryError(f"{where}: no 'shapeName' property")
            name = unicodedata.normalize("NFC", name)  # as the mapping CSV is read
            where = f"{where} ({name})"
            kind = geometry.get("type")
            parts = geometry.get("arcs")
            if kind == "Polygon":
                parts = [parts]
            elif kind != "MultiPolygon":
                raise BoundaryError(f"{where}: type {kind!r}, expected Polygon or MultiPolygon")
            if not isinstance(parts, list) or not parts or not all(
                isinstance(part, list) and part for part in parts
            ):
                raise BoundaryError(f"{where}: 'arcs' is not a list of polygons (lists of rings)")
            if name in result:
                raise BoundaryError(f"{where}: shapeName {name!r} occurs twice")
            result[name] = tuple(
                tuple(
                    tuple((x * sx + tx, y * sy + ty) for x, y in _ring(ring, arcs, where))
                    for ring in part
                )
                for part in parts
            )
    return result


def _thaw(polygons: Iterable[_FrozenPolygon]) -> list[Polygon]:
    return [[list(ring) for ring in polygon] for polygon in polygons]


def topology_polygons(path: Path | str | None = None) -> dict[str, list[Polygon]]:
    """The file's polygons keyed by ``shapeName``, as (lon, lat) rings; see :data:`Polygon`."""
    shapes = _topology_polygons(Path(path) if path is not None else BOUNDARY_PATH)
    return {name: _thaw(polygons) for name, polygons in shapes.items()}


@lru_cache(maxsize=8)
def _boundary_mapping(mapping_path: Path) -> dict[str, str]:
    try:
        rows = read_reference(mapping_path.name, _MAPPING_COLUMNS, folder=mapping_path.parent)
    except OSError as exc:
        raise BoundaryError(f"{mapping_path}: cannot read the file ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise BoundaryError(f"{mapping_path}: not UTF-8 text ({exc.reason})") from exc
    except (ValueError, csv.Error) as exc:  # wrong header or field count, already naming the file
        raise BoundaryError(str(exc)) from exc
    known = {m.kas_code for m in municipalities()}
    mapping: dict[str, str] = {}
    owners: dict[str, str] = {}
    for line, row in enumerate(rows, start=2):
        where = f"{mapping_path}, line {line}"
        name, code = row["shape_name"], row["kas_code"]
        if code not in known:
            raise BoundaryError(f"{where}: unknown KAS code {code!r}")
        if name in mapping:
            raise BoundaryError(f"{where}: shape_name {name!r} occurs twice")
        if code in owners:
            raise BoundaryError(f"{where}: KAS code {code} already given to {owners[code]!r}")
        mapping[name] = code
        owners[code] = name
    return mapping


def boundary_mapping(mapping_path: Path | str | None = None) -> dict[str, str]:
    """``shapeName`` → two-digit KAS code, from ``municipality_boundaries.csv``."""
    return dict(_boundary_mapping(Path(mapping_path) if mapping_path is not None else MAPPING_PATH))


@lru_cache(maxsize=8)
def _municipality_shapes(path: Path, mapping_path: Path) -> _FrozenShapes:
    by_name = _topology_polygons(path)
    mapping = _boundary_mapping(mapping_path)
    unmatched = [name for name in by_name if name not in mapping]
    shapes: _FrozenShapes = {
        mapping[name]: polygons for name, polygons in by_name.items() if name in mapping
    }
    missing = [m for m in municipalities() if m.kas_code not in shapes]
    if missing:
        codes = ", ".join(f"{m.kas_code} ({m.name_en})" for m in missing)
        label = "KAS code" if len(missing) == 1 else "KAS codes"
        detail = f"; shapeNames without a code: {unmatched}" if unmatched else ""
        raise BoundaryError(
            f"{mapping_path}: {label} {codes} without a polygon in {path.name}{detail}"
        )
    if unmatched:
        raise BoundaryError(
            f"{path}: shapeName {', '.join(map(repr, unmatched))} has no KAS code in "
            f"{mapping_path.name}"
        )
    return dict(sorted(shapes.items()))


def municipality_shapes(
    path: Path | str | None = None, mapping_path: Path | str | None = None
) -> dict[str, list[Polygon]]:
    """KAS code → the municipality's polygons, each a list of closed (lon, lat) rings.

    The first ring of a polygon is its exterior, the others are holes (Viti's hole is the
    Klokot enclave); Kamenica and Prishtina are made of two polygons. Parsed once per file pair;
    each call returns fresh lists. Raises :class:`BoundaryError` if the files are unusable.
    """
    shapes = _municipality_shapes(
        Path(path) if path is not None else BOUNDARY_PATH,
        Path(mapping_path) if mapping_path is not None else MAPPING_PATH,
    )
    return {code: _thaw(polygons) for code, polygons in shapes.items()}


def boundary_metadata(path: Path | str | None = None) -> dict[str, str]:
    """The geoBoundaries metadata record (boundaryID, licence, dates) of the boundary file."""
    path = Path(path) if path is not None else METADATA_PATH
    record = _load_json(path)
    if not isinstance(record, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in record.items()
    ):
        raise BoundaryError(f"{path}: not a geoBoundaries metadata record (string fields)")
    return dict(record)


def _in_ring(lon: float, lat: float, ring: Ring) -> bool:
    """Even-odd ray casting: does a ray from the point eastwards cross the ring an odd number
    of times?"""
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def point_in_polygons(lon: float, lat: float, polygons: Iterable[Polygon]) -> bool:
    """Whether (lon, lat) lies inside one of the polygons (inside its exterior, in no hole)."""
    return any(
        _in_ring(lon, lat, polygon[0])
        and not any(_in_ring(lon, lat, hole) for hole in polygon[1:])
        for polygon in polygons
    )


def misplaced_seats(
    shapes: dict[str, list[Polygon]], seats: Iterable[Municipality] | None = None
) -> list[str]:
    """Municipalities whose seat is not inside their own polygon, or also inside another's.

    The seats of ``municipalities.csv`` were compiled independently of the boundaries, so a
    mapping that gives a polygon the wrong code shows up here. One message per problem.
    """
    problems: list[str] = []
    for m in municipalities() if seats is None else seats:
        holders = [
            code
            for code, polygons in shapes.items()
            if point_in_polygons(m.longitude, m.latitude, polygons)
        ]
        others = ", ".join(code for code in holders if code != m.kas_code)
        if m.kas_code not in holders:
            where = f"{others}, not in its own polygon" if others else "no polygon"
        elif others:
            where = f"its own polygon and also in {others}"
        else:
            continue
        seat = f"({m.latitude:.3f}, {m.longitude:.3f})"
        problems.append(f"{m.kas_code} {m.name_en}: seat {seat} lies in {where}")
    return problems

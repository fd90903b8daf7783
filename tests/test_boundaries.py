"""Tests of the municipal boundaries (etl/boundaries.py and its reference files).

The boundary file was transcribed by hand from geoBoundaries, so these tests check it against
what is known independently: Kosovo's extent, that municipalities tile the country without
overlapping, and that each municipal seat of ``municipalities.csv`` lies in its own polygon.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
from itertools import combinations
from pathlib import Path

import pytest
from shapely.geometry import MultiPolygon, Point
from shapely.geometry import Polygon as ShapelyPolygon
from shapely.ops import unary_union

from etl import boundaries
from etl.boundaries import (
    BOUNDARY_PATH,
    MAPPING_PATH,
    BoundaryError,
    boundary_mapping,
    boundary_metadata,
    misplaced_seats,
    municipality_shapes,
    point_in_polygons,
    topology_polygons,
)
from etl.refdata import municipalities, municipalities_by_code

# Kosovo lies within lon 20.0–21.8, lat 41.8–43.3 (WGS84).
BBOX = (20.0, 41.8, 21.8, 43.3)

# The seat of North Mitrovica in municipalities.csv (42.883, 20.867) comes from the fact sheet
# and is known to be off (SOURCES.md): it lies about 0.9 km south of the North Mitrovica polygon,
# inside South Mitrovica (11). It is reported, not hidden: see test_north_mitrovica_seat.
KNOWN_OFF_SEATS = {"38"}


def _shapely(polygons: list[boundaries.Polygon]) -> MultiPolygon:
    return MultiPolygon([ShapelyPolygon(p[0], p[1:]) for p in polygons])


def _km2(geometry: MultiPolygon) -> float:
    """Area in km², with degrees scaled at the geometry's latitude (good to ~1% here)."""
    return geometry.area * math.cos(math.radians(geometry.centroid.y)) * 111.32 * 110.95


@pytest.fixture(scope="module")
def shapes() -> dict[str, list[boundaries.Polygon]]:
    return municipality_shapes()


@pytest.fixture(scope="module")
def geometries(shapes: dict[str, list[boundaries.Polygon]]) -> dict[str, MultiPolygon]:
    return {code: _shapely(polygons) for code, polygons in shapes.items()}


def _write_mapping(path: Path, rows: list[tuple[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["shape_name", "kas_code"])
        writer.writerows(rows)
    return path


def _mapping_rows() -> list[tuple[str, str]]:
    return list(boundary_mapping().items())


# --- the files ---------------------------------------------------------------------------


def test_boundary_file_is_the_transcribed_copy() -> None:
    text = BOUNDARY_PATH.read_text(encoding="utf-8")
    assert len(text) == 42218
    topology = json.loads(text)
    assert topology["type"] == "Topology"
    assert len(topology["objects"]["XKX-ADM2-46174442"]["geometries"]) == 38
    # Pins the copy checked by these tests: the file is used unchanged (SOURCES.md).
    digest = hashlib.sha256(BOUNDARY_PATH.read_bytes()).hexdigest()
    assert digest == "5cd610e22ee1e6a46721b7c2f8f8a1ce0425c25e14a2151c712fea7f9de8f723"


def test_metadata_and_licence_constants() -> None:
    meta = boundary_metadata()
    assert meta["boundaryID"] == "XKX-ADM2-46174442"
    assert meta["boundaryISO"] == "XKX" and meta["boundaryType"] == "ADM2"
    assert meta["boundarySource-1"] == "OpenStreetMap"
    assert meta["boundaryLicense"] == "Creative Commons Attribution-ShareAlike 2.0"
    assert boundaries.LICENCE == "CC BY-SA 2.0"
    assert boundaries.ATTRIBUTION == "© OpenStreetMap contributors, geoBoundaries"
    assert boundaries.SOURCE_URL.endswith("/" + BOUNDARY_PATH.name)
    assert "04ef2e25bb211fae00d30bd8a4074295841a5c23" in boundaries.SOURCE_URL


def test_mapping_file_format() -> None:
    lines = MAPPING_PATH.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "shape_name,kas_code"
    rows = list(csv.reader(lines[1:]))
    codes = [code for _, code in rows]
    assert codes == [m.kas_code for m in municipalities()]  # 38 rows, sorted, "01"–"38"
    assert set(dict(rows)) == set(topology_polygons())


def test_mitrovicas_decided_by_geometry(geometries: dict[str, MultiPolygon]) -> None:
    """Plain "Mitrovica" is the southern municipality (11); the northern one (38) is the small
    town north of the Ibar, around latitude 42.90."""
    mapping = boundary_mapping()
    assert mapping["Municipality of Mitrovica"] == "11"
    assert mapping["Municipality of North Mitrovica"] == "38"
    north_of_ibar = Point(20.870, 42.900)
    assert geometries["38"].contains(north_of_ibar)
    assert not geometries["11"].contains(north_of_ibar)
    assert geometries["38"].bounds[1] > 42.88  # its southern edge is the river
    assert _km2(geometries["38"]) < 15


# --- geometry ----------------------------------------------------------------------------


def test_38_valid_polygons_inside_kosovo(geometries: dict[str, MultiPolygon]) -> None:
    assert sorted(geometries) == [m.kas_code for m in municipalities()]
    for code, geometry in geometries.items():
        assert geometry.is_valid, code
        assert not geometry.is_empty, code
        west, south, east, north = geometry.bounds
        assert BBOX[0] <= west and east <= BBOX[2], code
        assert BBOX[1] <= south and north <= BBOX[3], code
        # Smallest: North Mitrovica (~5.5 km² simplified), Mamusha (~11); largest ~630.
        assert 3 < _km2(geometry) < 800, code


def test_rings_closed_with_holes_and_parts(shapes: dict[str, list[boundaries.Polygon]]) -> None:
    for code, polygons in shapes.items():
        for polygon in polygons:
            for ring in polygon:
                assert len(ring) >= 4 and ring[0] == ring[-1], code
                assert all(isinstance(x, float) and isinstance(y, float) for x, y in ring)
    assert len(shapes["10"]) == 2 and len(shapes["19"]) == 2  # Kamenica, Prishtina: two parts
    assert len(shapes["26"][0]) == 2  # Viti has one hole: the Klokot enclave
    klokot = _shapely(shapes["34"])
    assert ShapelyPolygon(shapes["26"][0][1]).equals(klokot)


def test_municipalities_do_not_overlap(geometries: dict[str, MultiPolygon]) -> None:
    for (code1, g1), (code2, g2) in combinations(geometries.items(), 2):
        assert g1.intersection(g2).area < 1e-7, (code1, code2)  # 1e-7 deg² ≈ 0.001 km²


def test_union_is_kosovo_in_one_piece(geometries: dict[str, MultiPolygon]) -> None:
    union = unary_union(list(geometries.values()))
    assert union.geom_type == "Polygon"
    assert len(union.interiors) == 0
    assert 10_500 < _km2(union) < 11_300  # Kosovo: about 10,900 km²


# --- seats -------------------------------------------------------------------------------


def test_seats_in_own_polygon_only(shapes: dict[str, list[boundaries.Polygon]]) -> None:
    seats = [m for m in municipalities() if m.kas_code not in KNOWN_OFF_SEATS]
    assert misplaced_seats(shapes, seats) == []


@pytest.mark.xfail(
    strict=True,
    reason="municipalities.csv puts North Mitrovica's seat at (42.883, 20.867), from the fact "
    "sheet; on this boundary that is ~0.9 km south of polygon 38, inside 11 (SOURCES.md)",
)
def test_north_mitrovica_seat(shapes: dict[str, list[boundaries.Polygon]]) -> None:
    assert misplaced_seats(shapes, [municipalities_by_code()["38"]]) == []


def test_north_mitrovica_seat_problem_is_reported(
    shapes: dict[str, list[boundaries.Polygon]],
) -> None:
    assert misplaced_seats(shapes) == [
        "38 North Mitrovica: seat (42.883, 20.867) lies in 11, not in its own polygon"
    ]


def test_point_in_polygons_agrees_with_shapely(
    shapes: dict[str, list[boundaries.Polygon]], geometries: dict[str, MultiPolygon]
) -> None:
    points = [(m.longitude, m.latitude) for m in municipalities()]
    points += [(20.0 + i * 0.09, 41.85 + j * 0.07) for i in range(21) for j in range(21)]
    for code, polygons in shapes.items():
        for lon, lat in points:
            expected = geometries[code].contains(Point(lon, lat))
            assert point_in_polygons(lon, lat, polygons) == expected, (code, lon, lat)


def test_swapped_codes_are_caught(tmp_path: Path) -> None:
    rows = _mapping_rows()
    swapped = [
        (name, {"01": "02", "02": "01"}.get(code, code)) for name, code in rows
    ]
    mapping = _write_mapping(tmp_path / "swapped.csv", swapped)
    problems = misplaced_seats(municipality_shapes(mapping_path=mapping))
    assert any(p.startswith("01 ") for p in problems)
    assert any(p.startswith("02 ") for p in problems)


# --- broken copies -----------------------------------------------------------------------


def _broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    text = BOUNDARY_PATH.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / "broken.topojson"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def _raises(path: Path | None = None, mapping: Path | None = None) -> str:
    with pytest.raises(BoundaryError) as info:
        municipality_shapes(path, mapping)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_truncated_copy(tmp_path: Path) -> None:
    path = tmp_path / "truncated.topojson"
    path.write_text(BOUNDARY_PATH.read_text(encoding="utf-8")[:30000], encoding="utf-8")
    message = _raises(path)
    assert str(path) in message and "not JSON" in message


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.topojson"
    assert str(path) in _raises(path)


def test_not_a_topology(tmp_path: Path) -> None:
    path = tmp_path / "collection.json"
    path.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    message = _raises(path)
    assert str(path) in message and "not a TopoJSON Topology" in message


def test_garbled_digit_breaks_the_ring(tmp_path: Path) -> None:
    # One delta of arc 51 (Klokot, a ring of its own) mistyped: 24 for 42.
    path = _broken_copy(tmp_path, "[[13791,6995],[42,39]", "[[13791,6995],[24,39]")
    message = _raises(path)
    assert str(path) in message and "(Municipality of Kllokot): ring [51] does not close" in message


def test_garbled_shared_arc(tmp_path: Path) -> None:
    # The same kind of slip in arc 45, which Prishtina's second part shares with Lipjan.
    path = _broken_copy(tmp_path, "[[12543,10087],[65,-38]", "[[12543,10087],[56,-38]")
    message = _raises(path)
    assert str(path) in message
    assert "(Municipality of Pristina): arc 46 does not start where" in message


def test_arc_index_out_of_range(tmp_path: Path) -> None:
    path = _broken_copy(tmp_path, '"arcs":[[51]]', '"arcs":[[151]]')
    message = _raises(path)
    assert str(path) in message and "arc index 151 out of range" in message


def test_short_ring(tmp_path: Path) -> None:
    topology = {
        "type": "Topology",
        "transform": {"scale": [1, 1], "translate": [0, 0]},
        "arcs": [[[0, 0], [1, 0], [-1, 0]]],
        "objects": {"o": {"type": "GeometryCollection", "geometries": [
            {"type": "Polygon", "arcs": [[0]], "properties": {"shapeName": "Flat"}},
        ]}},
    }
    path = tmp_path / "short.topojson"
    path.write_text(json.dumps(topology), encoding="utf-8")
    with pytest.raises(BoundaryError, match="fewer than 4") as info:
        topology_polygons(path)
    assert str(path) in str(info.value)


def test_shape_name_without_code(tmp_path: Path) -> None:
    """A 39th geometry that the mapping does not know."""
    topology = json.loads(BOUNDARY_PATH.read_text(encoding="utf-8"))
    geometries = topology["objects"]["XKX-ADM2-46174442"]["geometries"]
    extra = json.loads(json.dumps(geometries[-1]))
    extra["properties"]["shapeName"] = "Municipality of Nowhere"
    geometries.append(extra)
    path = tmp_path / "extra.topojson"
    path.write_text(json.dumps(topology, ensure_ascii=False), encoding="utf-8")
    message = _raises(path)
    assert str(path) in message and "'Municipality of Nowhere' has no KAS code" in message


def test_mapping_missing_a_code(tmp_path: Path) -> None:
    rows = [row for row in _mapping_rows() if row[1] != "31"]
    mapping = _write_mapping(tmp_path / "missing.csv", rows)
    message = _raises(mapping=mapping)
    assert str(mapping) in message
    assert "KAS code 31 (Hani i Elezit) without a polygon" in message
    assert "Municipality of Han i Elezit" in message


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([("Municipality of Junik", "39")], "unknown KAS code '39'"),
        ([("Municipality of Junik", "33"), ("Municipality of Junik", "32")], "occurs twice"),
        ([("Municipality of Junik", "33"), ("Municipality of Mamusha", "33")], "already given"),
    ],
)
def test_bad_mapping_rows(tmp_path: Path, rows: list[tuple[str, str]], expected: str) -> None:
    mapping = _write_mapping(tmp_path / "bad.csv", rows)
    message = _raises(mapping=mapping)
    assert str(mapping) in message and expected in message


def test_mapping_wrong_header(tmp_path: Path) -> None:
    mapping = tmp_path / "header.csv"
    mapping.write_text("name,code\nMunicipality of Junik,33\n", encoding="utf-8")
    assert str(mapping) in _raises(mapping=mapping)


# --- caching -----------------------------------------------------------------------------


def test_results_are_fresh_copies() -> None:
    first = municipality_shapes()
    first["01"][0][0].clear()
    first.pop("02")
    second = municipality_shapes()
    assert len(second) == 38 and len(second["01"][0][0]) >= 4
    names = topology_polygons()
    names.clear()
    assert len(topology_polygons()) == 38

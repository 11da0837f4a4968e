"""Ellipsoidal (GRS80) polygon area, WKB ring decoding and the coverage-union dissolve."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import wkb as shp_wkb
from shapely.geometry import MultiPolygon, Polygon, box

from kaigo_resource_plugin.core.area import (
    GRS80_A,
    GRS80_E2,
    RingCollector,
    cell_area_m2,
    ellipsoid_surface_area,
    polygons_area_m2,
    ring_areas_m2,
    rings_from_wkb,
)
from kaigo_resource_plugin.core.dissolve import available, coverage_union_wkb


def _cell_area_by_integration(lon1, lat1, lon2, lat2, n=2000):
    """Independent check: Simpson integral of M(φ)·N(φ)·cosφ dφ dλ (meridian × prime-vertical radii)."""
    phi = np.linspace(math.radians(lat1), math.radians(lat2), 2 * n + 1)
    s2 = np.sin(phi) ** 2
    m = GRS80_A * (1 - GRS80_E2) / (1 - GRS80_E2 * s2) ** 1.5
    nn = GRS80_A / np.sqrt(1 - GRS80_E2 * s2)
    f = m * nn * np.cos(phi)
    h = (phi[-1] - phi[0]) / (2 * n)
    integral = h / 3 * (f[0] + f[-1] + 4 * f[1:-1:2].sum() + 2 * f[2:-1:2].sum())
    return integral * math.radians(lon2 - lon1)


def _densified_cell(lon1, lat1, lon2, lat2, k=50):
    t = np.linspace(0, 1, k, endpoint=False)
    bottom = np.column_stack([lon1 + t * (lon2 - lon1), np.full(k, lat1)])
    right = np.column_stack([np.full(k, lon2), lat1 + t * (lat2 - lat1)])
    top = np.column_stack([lon2 - t * (lon2 - lon1), np.full(k, lat2)])
    left = np.column_stack([np.full(k, lon1), lat2 - t * (lat2 - lat1)])
    ring = np.vstack([bottom, right, top, left])
    return np.vstack([ring, ring[:1]])


def test_whole_ellipsoid_surface():
    # GRS80 surface area, Moritz (1980) "Geodetic Reference System 1980": 510 065 621.7241 km² … to
    # 4 decimals; we compare in m² to 1e-10 relative
    assert ellipsoid_surface_area() == pytest.approx(5.100656217240886e14, rel=1e-10)


@pytest.mark.parametrize(("lat1", "lon1"), [(35.0, 135.0), (24.0, 123.0), (45.0, 141.0), (-10.0, 0.0)])
def test_one_degree_cell_matches_integration(lat1, lon1):
    expected = _cell_area_by_integration(lon1, lat1, lon1 + 1, lat1 + 1)
    assert cell_area_m2(lon1, lat1, lon1 + 1, lat1 + 1) == pytest.approx(expected, rel=1e-10)
    ring = _densified_cell(lon1, lat1, lon1 + 1, lat1 + 1)
    (a,) = ring_areas_m2(ring[:, 0], ring[:, 1], np.array([0]))
    assert abs(a) == pytest.approx(expected, rel=1e-10)


def test_one_degree_cell_at_35n_by_hand():
    # 1°×1° at 35–36°N on GRS80 ≈ 10,089 km²: 111.0 km (meridian degree) × 91.2 km (parallel degree
    # at 35.5°N, N·cosφ·π/180) — the product of the two arc lengths agrees to 0.01 %
    a = cell_area_m2(135, 35, 136, 36) / 1e6
    meridian = _cell_area_by_integration(0, 35, 1, 36) / 1e6  # same integral, different longitudes
    assert a == pytest.approx(meridian, rel=1e-12)
    phi = math.radians(35.5)
    n = GRS80_A / math.sqrt(1 - GRS80_E2 * math.sin(phi) ** 2)
    m = GRS80_A * (1 - GRS80_E2) / (1 - GRS80_E2 * math.sin(phi) ** 2) ** 1.5
    rough = (m * math.radians(1)) * (n * math.cos(phi) * math.radians(1)) / 1e6
    assert a == pytest.approx(rough, rel=1e-4)
    assert 10_000 < a < 10_200


def test_orientation_open_closed_and_holes():
    outer = _densified_cell(135.0, 35.0, 135.1, 35.1, k=5)
    hole = _densified_cell(135.02, 35.02, 135.04, 35.04, k=5)
    a_outer = cell_area_m2(135.0, 35.0, 135.1, 35.1)
    a_hole = cell_area_m2(135.02, 35.02, 135.04, 35.04)
    ccw = ring_areas_m2(outer[:, 0], outer[:, 1], np.array([0]))[0]
    cw = ring_areas_m2(outer[::-1, 0], outer[::-1, 1], np.array([0]))[0]
    open_ring = ring_areas_m2(outer[:-1, 0], outer[:-1, 1], np.array([0]))[0]
    assert ccw > 0 > cw
    assert ccw == pytest.approx(-cw, rel=1e-12)
    assert open_ring == pytest.approx(ccw, rel=1e-12)
    # hole given with the same orientation as the exterior still subtracts
    (area,) = polygons_area_m2([[outer, hole]])
    assert area == pytest.approx(a_outer - a_hole, rel=1e-10)


def test_several_rings_and_groups():
    rc = RingCollector()
    rc.add_ring(_densified_cell(130, 33, 130.01, 33.01, k=3), 0, False)
    rc.add_ring(_densified_cell(131, 33, 131.02, 33.01, k=3), 0, False)
    rc.add_ring(_densified_cell(140, 40, 140.01, 40.01, k=3), 2, False)
    out = rc.group_areas_m2(3)
    assert out[0] == pytest.approx(
        cell_area_m2(130, 33, 130.01, 33.01) + cell_area_m2(131, 33, 131.02, 33.01), rel=1e-10
    )
    assert out[1] == 0.0
    assert out[2] == pytest.approx(cell_area_m2(140, 40, 140.01, 40.01), rel=1e-10)
    assert RingCollector().group_areas_m2(2).tolist() == [0.0, 0.0]


@settings(max_examples=60, deadline=None)
@given(
    lon=st.floats(122.0, 153.0),
    lat=st.floats(20.0, 45.0),
    w=st.floats(1e-4, 0.5),
    h=st.floats(1e-4, 0.5),
    shift=st.floats(-5.0, 5.0),
)
def test_cells_exact_and_shift_invariant(lon, lat, w, h, shift):
    ring = _densified_cell(lon, lat, lon + w, lat + h, k=2)
    (a,) = ring_areas_m2(ring[:, 0], ring[:, 1], np.array([0]))
    (b,) = ring_areas_m2(ring[:, 0] + shift, ring[:, 1], np.array([0]))
    exact = cell_area_m2(lon, lat, lon + w, lat + h)
    assert a == pytest.approx(exact, rel=1e-9)
    assert b == pytest.approx(a, rel=1e-9)


def test_small_square_metres():
    # a 100 m × 100 m square near Tottori: its area in m² is 10,000 within 0.01 %
    phi = math.radians(35.5)
    n = GRS80_A / math.sqrt(1 - GRS80_E2 * math.sin(phi) ** 2)
    m = GRS80_A * (1 - GRS80_E2) / (1 - GRS80_E2 * math.sin(phi) ** 2) ** 1.5
    dlat = math.degrees(100 / m)
    dlon = math.degrees(100 / (n * math.cos(phi)))
    lat0 = 35.5 - dlat / 2
    (a,) = polygons_area_m2([[_densified_cell(134.2, lat0, 134.2 + dlon, lat0 + dlat, k=1)]])
    assert a == pytest.approx(10_000.0, rel=1e-4)


# --- WKB -----------------------------------------------------------------------------------------


def test_wkb_polygon_with_hole_and_multipolygon():
    p = Polygon(
        [(135, 35), (135.1, 35), (135.1, 35.1), (135, 35.1)],
        [[(135.02, 35.02), (135.04, 35.02), (135.04, 35.04), (135.02, 35.04)]],
    )
    rings = rings_from_wkb(p.wkb)
    assert [hole for _c, hole in rings] == [False, True]
    assert rings[0][0].shape == (5, 2)
    mp = MultiPolygon([p, box(136, 36, 136.1, 36.1)])
    rings = rings_from_wkb(mp.wkb)
    assert [hole for _c, hole in rings] == [False, True, False]
    assert rings[2][0][:, 0].min() == 136


def test_wkb_variants_give_the_same_area():
    p = Polygon([(135, 35, 10), (135.1, 35, 10), (135.1, 35.1, 12), (135, 35.1, 12)])
    flat = Polygon([(x, y) for x, y, _z in p.exterior.coords])
    ref = polygons_area_m2([[c for c, _h in rings_from_wkb(flat.wkb)]])[0]
    variants = [
        shp_wkb.dumps(p),  # EWKB with the Z flag
        shp_wkb.dumps(flat, big_endian=True),
        shp_wkb.dumps(flat, srid=6668),  # EWKB with SRID
    ]
    # ISO WKB PolygonZ (type 1003), as QGIS writes it
    coords = np.array(p.exterior.coords, dtype="<f8")
    iso = b"\x01" + np.array([1003, 1, len(coords)], "<u4").tobytes() + coords.tobytes()
    variants.append(iso)
    for v in variants:
        rc = RingCollector()
        rc.add_wkb(v, 0)
        assert rc.group_areas_m2(1)[0] == pytest.approx(ref, rel=1e-12)
    assert ref == pytest.approx(cell_area_m2(135, 35, 135.1, 35.1), rel=1e-12)


def test_wkb_ignores_points_and_lines():
    from shapely.geometry import GeometryCollection, LineString, Point

    gc = GeometryCollection([Point(1, 2), LineString([(0, 0), (1, 1)]), box(0, 0, 1, 1)])
    rings = rings_from_wkb(gc.wkb)
    assert len(rings) == 1
    assert rings_from_wkb(Point(1, 2).wkb) == []
    assert rings_from_wkb(b"") == []


# --- coverage union ------------------------------------------------------------------------------


def test_coverage_union_of_a_clean_tiling():
    assert available()
    top = Polygon([(0, 1), (1, 1), (2, 1), (2, 2), (0, 2)])  # noded at (1, 1) like its neighbours
    tiles = MultiPolygon([box(0, 0, 1, 1), box(1, 0, 2, 1), top])
    out = shp_wkb.loads(coverage_union_wkb(tiles.wkb))
    assert out.area == pytest.approx(4.0)
    assert out.geom_type == "Polygon"
    assert out.equals(box(0, 0, 2, 2))


def test_coverage_union_refuses_overlaps_and_bad_noding():
    overlapping = MultiPolygon([box(0, 0, 1, 1), box(0.5, 0, 1.5, 1)])
    assert coverage_union_wkb(overlapping.wkb) is None
    # T-junction: the right square has a vertex (1, 0.5) the left one lacks
    left = Polygon([(0, 0), (1, 0), (1, 1), (0, 1)])
    right = Polygon([(1, 0), (2, 0), (2, 1), (1, 1), (1, 0.5)])
    assert coverage_union_wkb(MultiPolygon([left, right]).wkb) is None

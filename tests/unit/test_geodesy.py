"""core.geodesy: GRS80 ECEF coordinates, Vincenty's inverse formula, the chord-excess bound.

The oracle is PROJ's geodesic (Karney's algorithm, through pyproj, which QGIS itself depends on), an
implementation independent of ours, plus values that follow from the ellipsoid by hand.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kaigo_resource_plugin.core import geodesy

pyproj = pytest.importorskip("pyproj", reason="pyproj ships with QGIS (python3-qgis depends on it)")
GEOD = pyproj.Geod(ellps="GRS80")

# Japan's extent, generously: lon 122–154, lat 20–46
lons = st.floats(122.0, 154.0)
lats = st.floats(20.0, 46.0)


def test_ecef_by_hand():
    xyz = geodesy.ecef(np.array([0.0, 90.0, 0.0]), np.array([0.0, 0.0, 90.0]))
    assert xyz[0] == pytest.approx([geodesy.A, 0.0, 0.0], abs=1e-9)
    assert xyz[1] == pytest.approx([0.0, geodesy.A, 0.0], abs=1e-6)
    assert xyz[2] == pytest.approx([0.0, 0.0, geodesy.B], abs=1e-6)
    assert geodesy.B == pytest.approx(6356752.314140, abs=1e-6)  # GRS80 semi-minor axis


def test_distances_by_hand():
    # along the equator the geodesic is the equator (for short arcs): a · Δλ
    s = geodesy.geodesic_distance(135.0, 0.0, 136.0, 0.0)
    assert s == pytest.approx(geodesy.A * math.radians(1.0), abs=1e-6)
    # along a meridian, 0° → 1° of latitude on GRS80: 110,574.3886 m (meridian arc series)
    e2 = geodesy.E2
    n = geodesy.F / (2 - geodesy.F)
    phi = math.radians(1.0)
    arc = (
        geodesy.A
        / (1 + n)
        * ((1 + n * n / 4 + n**4 / 64) * phi - 1.5 * n * (1 - n * n / 8) * math.sin(2 * phi))
        + geodesy.A / (1 + n) * (15 / 16 * n * n * (1 - n * n / 4) * math.sin(4 * phi))
        - geodesy.A / (1 + n) * (35 / 48 * n**3 * math.sin(6 * phi))
    )
    assert e2 > 0
    assert geodesy.geodesic_distance(140.0, 0.0, 140.0, 1.0) == pytest.approx(arc, abs=1e-3)
    assert geodesy.geodesic_distance(140.0, 35.0, 140.0, 35.0) == 0.0


@settings(max_examples=300, deadline=None)
@given(lons, lats, st.floats(0.0, 360.0), st.floats(0.0, 5000.0))
def test_vincenty_matches_karney_within_a_millimetre_up_to_5km(lon, lat, az, dist):
    lon2, lat2, _ = GEOD.fwd(lon, lat, az, dist)
    _, _, ref = GEOD.inv(lon, lat, lon2, lat2)
    assert float(geodesy.geodesic_distance(lon, lat, lon2, lat2)) == pytest.approx(ref, abs=1e-3)


@settings(max_examples=200, deadline=None)
@given(lons, lats, lons, lats)
def test_vincenty_matches_karney_at_any_distance_in_japan(lon1, lat1, lon2, lat2):
    _, _, ref = GEOD.inv(lon1, lat1, lon2, lat2)
    assert float(geodesy.geodesic_distance(lon1, lat1, lon2, lat2)) == pytest.approx(ref, abs=1e-3)


def test_vectorised_and_worldwide():
    rng = np.random.default_rng(7)
    lon1 = rng.uniform(-180, 180, 5000)
    lat1 = rng.uniform(-89, 89, 5000)
    lon2 = rng.uniform(-180, 180, 5000)
    lat2 = rng.uniform(-89, 89, 5000)
    _, _, ref = GEOD.inv(lon1, lat1, lon2, lat2)
    got = geodesy.geodesic_distance(lon1, lat1, lon2, lat2)
    # Vincenty to a millimetre everywhere except nearly antipodal pairs (Andoyer–Lambert fallback, 0.2 %)
    far = ref > 19_000_000
    assert np.abs(got - ref)[~far].max() < 1e-3
    assert (np.abs(got - ref)[far] / ref[far]).max(initial=0.0) < 2e-3


def test_nearly_antipodal_falls_back_without_error():
    got = float(geodesy.geodesic_distance(0.0, 0.0, 179.9, 0.05))
    _, _, ref = GEOD.inv(0.0, 0.0, 179.9, 0.05)
    assert math.isfinite(got)
    assert got == pytest.approx(ref, rel=2e-3)  # documented: ≈ 0.1 % for such pairs


@settings(max_examples=300, deadline=None)
@given(lons, lats, st.floats(0.0, 360.0), st.floats(0.0, 50000.0))
def test_chord_never_exceeds_geodesic_and_excess_bounds_the_gap(lon, lat, az, dist):
    lon2, lat2, _ = GEOD.fwd(lon, lat, az, dist)
    xyz = geodesy.ecef(np.array([lon, lon2]), np.array([lat, lat2]))
    chord = float(np.linalg.norm(xyz[0] - xyz[1]))
    s = float(geodesy.geodesic_distance(lon, lat, lon2, lat2))
    assert chord <= s + 1e-6
    assert s - chord <= float(geodesy.chord_excess(s)) + 1e-6


def test_chord_excess_magnitudes():
    # about s³ / 24R²: a fraction of a micrometre at 500 m, a tenth of a millimetre at 5 km
    assert float(geodesy.chord_excess(500.0)) < 2e-6
    assert 1e-4 < float(geodesy.chord_excess(5000.0)) < 2e-4

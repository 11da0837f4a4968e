"""core.network: walking distance on a line network, against an independent networkx oracle and by hand.

- the Ube (宇部市) OpenStreetMap walking network: distances equal networkx shortest paths to 1 mm;
- a hand-made river with one bridge: the straight line says "covered", the network says "blank";
  a railway that crosses the roads without a shared vertex does not connect them, one that shares
  the vertices does;
- properties (hypothesis): network distance ≥ straight-line distance; adding a resource never
  increases a distance; the answer does not depend on the order of the lines;
- the WKB reader (fast path and general path) and the per-municipality comparison.
"""

from __future__ import annotations

import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kaigo_paths import ROOT

from kaigo_resource_plugin.core import network as N

pyproj = pytest.importorskip("pyproj", reason="pyproj ships with QGIS (python3-qgis depends on it)")
nx = pytest.importorskip("networkx", reason="test-only oracle, installed by scripts/setup.sh")
from network_oracle import oracle  # noqa: E402

UBE = ROOT / "tests" / "data" / "ube-35202"
GEOD = pyproj.Geod(ellps="GRS80")
LON0, LAT0 = 135.0, 34.0
M_LAT = 110_940.0  # metres per degree of latitude near 34° N (only to place points; lengths are geodesic)
M_LON = 92_380.0


def at(x_m: float, y_m: float) -> tuple[float, float]:
    """lon/lat of a point x metres east and y metres north of (135.0, 34.0), roughly."""
    return LON0 + x_m / M_LON, LAT0 + y_m / M_LAT


def arrays(lines):
    x = np.array([p[0] for line in lines for p in line], dtype=float)
    y = np.array([p[1] for line in lines for p in line], dtype=float)
    starts = np.concatenate([[0], np.cumsum([len(line) for line in lines])]).astype(np.int64)
    return x, y, starts


def path_length(points) -> float:
    return sum(GEOD.inv(a[0], a[1], b[0], b[1])[2] for a, b in zip(points[:-1], points[1:]))


def run(lines, dest, res, radius=500.0, max_snap=200.0, res_type=None, n_types=1, factor=None):
    x, y, starts = arrays(lines)
    net = N.build_network(x, y, starts, factor)
    dest = np.asarray(dest, dtype=float).reshape(-1, 2)
    res = np.asarray(res, dtype=float).reshape(-1, 2)
    rt = np.zeros(len(res), dtype=np.int64) if res_type is None else np.asarray(res_type)
    return N.network_access(net, dest[:, 0], dest[:, 1], res[:, 0], res[:, 1], rt, n_types, radius, max_snap)


# ------------------------------------------------------------------------------------------- Ube oracle


def _ube_lines():
    from osgeo import ogr

    ds = ogr.Open(str(UBE / "roads.gpkg"))
    lines = []
    for f in ds.GetLayer(0):
        g = f.GetGeometryRef()
        parts = [g.GetGeometryRef(i) for i in range(g.GetGeometryCount())] if g.GetGeometryCount() else [g]
        lines += [[p[:2] for p in part.GetPoints()] for part in parts]
    del ds
    return lines


def _ube_points():
    from osgeo import ogr

    ds = ogr.Open(str(UBE / "35202-chome-2015.dbf"))
    chome = np.array([[f["X_CODE"], f["Y_CODE"]] for f in ds.GetLayer(0) if f["HCODE"] != 8154])
    ds2 = ogr.Open(str(UBE / "shelters.gpkg"))
    shelters = np.array([f.GetGeometryRef().GetPoint_2D() for f in ds2.GetLayer(0)])
    del ds, ds2
    return chome, shelters


@pytest.mark.slow
def test_ube_distances_equal_networkx_to_1_mm():
    lines = _ube_lines()
    assert len(lines) == 30_760  # 30,740 LineStrings + 10 MultiLineStrings of 2 parts
    chome, shelters = _ube_points()
    rng = np.random.default_rng(17)
    sample = rng.choice(len(chome), 80, replace=False)
    acc = run(lines, chome[sample], shelters)
    ref = oracle(lines, [tuple(p) for p in chome[sample]], [tuple(p) for p in shelters], 200.0)
    ours = acc.net_m[:, 0]
    on = [r is not None for r in ref]
    assert sum(on) >= 40  # about 60 % of Ube's chōme lie within the extent of the network
    np.testing.assert_array_equal(~np.isnan(ours), on)  # the same chōme are off the network
    diff = np.abs(ours[on] - np.array([r for r in ref if r is not None]))
    assert diff.max() < 1e-3, diff.max()
    # and the answer is not trivial: distances spread over kilometres, some beyond 500 m
    assert np.nanmax(ours) > 1000.0 and np.nanmin(ours) < 500.0


def test_ube_network_is_folded_to_its_junctions():
    lines = _ube_lines()
    x, y, starts = arrays(lines)
    net = N.build_network(x, y, starts)
    assert net.n_lines == 30_760
    # osmnx writes every street twice (once each way): the interior vertices the two copies share are
    # not junctions, and the two copies are one edge
    assert net.n_nodes < x.size / 5
    assert net.n_edges < len(lines)


# ------------------------------------------------------------------------------- the river and the bridge


def _river_town(railway_joined: bool):
    xs = list(range(-1000, 1001, 100))
    if railway_joined:
        xs = sorted(set(xs) | {30})
    north = [at(x, 60) for x in xs]
    south = [at(x, -60) for x in xs]
    bridge = [at(800, -60), at(800, 60)]
    railway = (
        [at(30, -100), at(30, -60), at(30, 60), at(30, 100)]
        if railway_joined
        else [at(30, -100), at(30, 100)]
    )
    return [north, south, bridge, railway]


def test_river_with_one_bridge_straight_covered_network_blank():
    chome, shop = at(0, -80), at(0, 80)
    acc = run(_river_town(False), [chome], [shop])
    straight = GEOD.inv(chome[0], chome[1], shop[0], shop[1])[2]
    assert straight < 500.0  # the 500 m circle says: covered
    south = [at(x, -60) for x in range(0, 801, 100)]
    north = [at(x, 60) for x in range(800, -1, -100)]
    expected = path_length([chome] + south + north + [shop])  # over the bridge, 800 m east
    assert acc.net_m[0, 0] == pytest.approx(expected, abs=1e-3)
    assert 1700.0 < expected < 1800.0
    assert not acc.net_access[0, 0]  # the network says: blank
    assert acc.dest_snap.connector_m[0] == pytest.approx(20.0, abs=0.5)


def test_a_crossing_without_shared_vertex_is_no_connection_but_a_shared_vertex_is():
    chome, shop = at(0, -80), at(0, 80)
    crossing_only = run(_river_town(False), [chome], [shop]).net_m[0, 0]
    joined = run(_river_town(True), [chome], [shop]).net_m[0, 0]
    expected = path_length([chome, at(0, -60), at(30, -60), at(30, 60), at(0, 60), shop])
    assert joined == pytest.approx(expected, abs=1e-3)
    assert joined < 500.0 < crossing_only


def test_point_and_resource_on_the_same_edge_meet_along_it():
    """The edge is split at the snap points: no detour to an end node."""
    road = [at(-1000, 0), at(1000, 0)]
    chome, shop = at(-50, 10), at(50, -10)
    acc = run([road], [chome], [shop])
    expected = path_length([chome, at(-50, 0), at(50, 0), shop])
    assert acc.net_m[0, 0] == pytest.approx(expected, abs=1e-3)


def test_off_network_points_and_cost_factor():
    road = [at(0, 0), at(1000, 0)]
    acc = run([road], [at(100, 300), at(100, 10)], [at(900, 10)], max_snap=200.0)
    assert np.isnan(acc.net_m[0, 0]) and not acc.dest_snap.ok[0]  # 300 m away: off the network
    plain = acc.net_m[1, 0]
    doubled = run([road], [at(100, 10)], [at(900, 10)], factor=np.array([2.0])).net_m[0, 0]
    # the 800 m along the road cost twice; the two 10 m connectors do not
    along = path_length([at(100, 0), at(900, 0)])
    assert doubled - plain == pytest.approx(along, abs=1e-3)


def test_several_types_are_searched_separately():
    road = [at(0, 0), at(400, 0), at(2000, 0), at(3000, 0)]  # vertices at the resources: no bulge
    acc = run([road], [at(0, 0)], [at(400, 0), at(2000, 0)], res_type=[1, 0], n_types=2)
    assert acc.net_m[0, 0] == pytest.approx(path_length([at(0, 0), at(2000, 0)]), abs=1e-3)
    assert acc.net_m[0, 1] == pytest.approx(path_length([at(0, 0), at(400, 0)]), abs=1e-3)
    assert acc.net_access[0].tolist() == [False, True]


# ----------------------------------------------------------------------------------------- properties


@st.composite
def grid_towns(draw):
    """A street grid somewhere in Japan with some streets missing, and chōme and resources nearby."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    k = draw(st.integers(2, 7))
    step = draw(st.floats(60.0, 400.0))
    lon0 = draw(st.floats(129.0, 145.0))
    lat0 = draw(st.floats(31.0, 45.0))
    m_lon = 111_320.0 * np.cos(np.radians(lat0))
    gx = lon0 + (np.arange(k)[:, None] * step + rng.normal(0, 5, (k, k))) / m_lon
    gy = lat0 + (np.arange(k)[None, :] * step + rng.normal(0, 5, (k, k))) / 110_900.0
    lines = []
    for i in range(k):
        for j in range(k):
            if i + 1 < k and rng.random() < 0.8:
                lines.append([(gx[i, j], gy[i, j]), (gx[i + 1, j], gy[i + 1, j])])
            if j + 1 < k and rng.random() < 0.8:
                mid = ((gx[i, j] + gx[i, j + 1]) / 2 + 1e-5, (gy[i, j] + gy[i, j + 1]) / 2)
                lines.append([(gx[i, j], gy[i, j]), mid, (gx[i, j + 1], gy[i, j + 1])])
    if not lines:
        lines.append([(gx[0, 0], gy[0, 0]), (gx[1, 0], gy[1, 0])])
    span = k * step

    def points(n):
        return np.column_stack(
            [lon0 + rng.uniform(-50, span + 50, n) / m_lon, lat0 + rng.uniform(-50, span + 50, n) / 110_900.0]
        )

    return lines, points(draw(st.integers(1, 25))), points(draw(st.integers(1, 8)))


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(grid_towns())
def test_network_distance_is_never_shorter_than_the_straight_line(town):
    lines, dest, res = town
    acc = run(lines, dest, res, max_snap=300.0)
    on = acc.res_snap.ok
    for q in range(len(dest)):
        d = acc.net_m[q, 0]
        if np.isnan(d):
            continue
        straight = min(GEOD.inv(dest[q, 0], dest[q, 1], r[0], r[1])[2] for r in res[on])
        assert d >= straight - 1e-3


@SETTINGS
@given(grid_towns(), st.data())
def test_adding_a_resource_never_increases_a_distance(town, data):
    lines, dest, res = town
    drop = data.draw(st.integers(0, len(res) - 1))
    fewer = np.delete(res, drop, axis=0)
    before = run(lines, dest, fewer, max_snap=300.0).net_m[:, 0] if len(fewer) else np.full(len(dest), np.nan)
    after = run(lines, dest, res, max_snap=300.0).net_m[:, 0]
    reach = ~np.isnan(before)
    assert (~np.isnan(after[reach])).all()
    assert (after[reach] <= before[reach] + 1e-9).all()


@SETTINGS
@given(grid_towns(), st.integers(0, 2**32 - 1))
def test_the_order_of_the_lines_does_not_matter(town, seed):
    lines, dest, res = town
    rng = np.random.default_rng(seed)
    shuffled = [lines[i][:: rng.choice([-1, 1])] for i in rng.permutation(len(lines))]
    a = run(lines, dest, res, max_snap=300.0).net_m[:, 0]
    b = run(shuffled, dest, res, max_snap=300.0).net_m[:, 0]
    np.testing.assert_allclose(a, b, atol=1e-6)


@SETTINGS
@given(grid_towns())
def test_small_towns_equal_networkx(town):
    lines, dest, res = town
    ours = run(lines, dest, res, max_snap=300.0).net_m[:, 0]
    ref = oracle(lines, [tuple(p) for p in dest], [tuple(p) for p in res], 300.0)
    ref = np.array([np.nan if r is None or np.isinf(r) else r for r in ref])
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(ref))
    np.testing.assert_allclose(ours[~np.isnan(ours)], ref[~np.isnan(ref)], atol=1e-3)


# ------------------------------------------------------------------------------------------------ WKB


def _wkb_line(points, order="<", code=2):
    dims = 3 if code in (1002, 0x80000002) else 2
    out = struct.pack(order + "bII", 1 if order == "<" else 0, code, len(points))
    for p in points:
        out += struct.pack(order + "d" * dims, *(list(p) + [7.0] * (dims - len(p))))
    return out


def test_wkb_fast_path_and_general_path_agree():
    a = [(1.0, 2.0), (3.0, 4.0)]
    b = [(5.0, 6.0), (7.0, 8.0), (9.0, 10.0)]
    x, y, starts, feat, skipped = N.lines_from_wkb([_wkb_line(a), _wkb_line(b)])
    assert x.tolist() == [1, 3, 5, 7, 9] and y.tolist() == [2, 4, 6, 8, 10]
    assert starts.tolist() == [0, 2, 5] and feat.tolist() == [0, 1] and skipped == 0
    multi = struct.pack("<bII", 1, 5, 2) + _wkb_line(a, ">") + _wkb_line(b, "<", 1002)
    point = struct.pack("<bIdd", 1, 1, 0.0, 0.0)
    x2, y2, starts2, feat2, skipped2 = N.lines_from_wkb([_wkb_line(a, ">"), multi, b"", point])
    assert x2.tolist() == [1, 3, 1, 3, 5, 7, 9]
    assert starts2.tolist() == [0, 2, 4, 7] and feat2.tolist() == [0, 1, 1] and skipped2 == 2


# ------------------------------------------------------------------------------------------ comparison


def test_compare_by_municipality_counts_and_rates():
    muni = ["35202", "35202", "35202", "35203"]
    weight = np.array([10.0, 30.0, np.nan, 0.0])
    straight = np.array([[1], [1], [0], [1]], dtype=bool)
    network = np.array([[1], [0], [1], [0]], dtype=bool)
    cols = N.compare_by_municipality(muni, weight, straight, network, np.array([1, 1, 0, 1], bool), [""])
    assert cols["muni_code"] == ["35202", "35203"]
    assert cols["rate_straight_pct"][0] == pytest.approx(100.0)
    assert cols["rate_net_pct"][0] == pytest.approx(25.0)
    assert cols["rate_change_pct"][0] == pytest.approx(-75.0)
    assert cols["n_lost"] == [1, 1] and cols["n_gained"] == [1, 0]
    assert cols["rate_straight_pct"][1] is None  # no weight: no rate, not 0 %
    assert cols["n_on_network"] == [2, 1]

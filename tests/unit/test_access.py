"""core.access (neighbour search on the ellipsoid) and core.repoints (chōme grouping), against a
brute-force oracle: every query × every resource with PROJ's geodesic (Karney, via pyproj)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kaigo_resource_plugin.core import access, repoints
from kaigo_resource_plugin.core.errors import Cancelled, InputError

pyproj = pytest.importorskip("pyproj", reason="pyproj ships with QGIS (python3-qgis depends on it)")
GEOD = pyproj.Geod(ellps="GRS80")


def brute_force(q_lon, q_lat, r_lon, r_lat, r_type, n_types, radius):
    nq, nr = len(q_lon), len(r_lon)
    n_within = np.zeros((nq, n_types), dtype=int)
    nearest = np.full((nq, n_types), np.nan)
    if nr == 0 or nq == 0:
        return n_within, nearest
    qi = np.repeat(np.arange(nq), nr)
    rj = np.tile(np.arange(nr), nq)
    _, _, d = GEOD.inv(q_lon[qi], q_lat[qi], r_lon[rj], r_lat[rj])
    d = np.asarray(d).reshape(nq, nr)
    for t in range(n_types):
        sel = r_type == t
        if sel.any():
            n_within[:, t] = (d[:, sel] <= radius).sum(axis=1)
            nearest[:, t] = d[:, sel].min(axis=1)
    return n_within, nearest


def assert_same(result, n_within, nearest):
    assert np.array_equal(result.n_within, n_within)
    assert np.array_equal(np.isnan(result.nearest_m), np.isnan(nearest))
    ok = ~np.isnan(nearest)
    assert np.abs(result.nearest_m[ok] - nearest[ok]).max(initial=0.0) < 1e-3


@st.composite
def scenes(draw):
    """A town somewhere in Japan's extent: queries and resources within a few km, of 1–3 types."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    lon0 = draw(st.floats(122.5, 153.5))
    lat0 = draw(st.floats(20.5, 45.5))
    spread = draw(st.sampled_from([0.002, 0.01, 0.05]))  # degrees: 200 m … 5 km
    nq = draw(st.integers(1, 60))
    nr = draw(st.integers(0, 80))
    n_types = draw(st.integers(1, 3))
    q_lon = lon0 + rng.normal(0, spread, nq)
    q_lat = lat0 + rng.normal(0, spread, nq)
    r_lon = lon0 + rng.normal(0, spread, nr)
    r_lat = lat0 + rng.normal(0, spread, nr)
    r_type = rng.integers(0, n_types, nr)
    radius = draw(st.sampled_from([100.0, 500.0, 800.0, 3000.0]))
    return q_lon, q_lat, r_lon, r_lat, r_type, n_types, radius


@settings(max_examples=150, deadline=None)
@given(scenes())
def test_matches_brute_force_geodesic(scene):
    q_lon, q_lat, r_lon, r_lat, r_type, n_types, radius = scene
    result = access.compute_access(q_lon, q_lat, r_lon, r_lat, r_type, n_types, radius)
    assert_same(result, *brute_force(q_lon, q_lat, r_lon, r_lat, r_type, n_types, radius))


@settings(max_examples=100, deadline=None)
@given(
    st.floats(122.5, 153.5),
    st.floats(20.5, 45.5),
    st.lists(st.floats(0.0, 360.0), min_size=1, max_size=12),
    st.lists(st.sampled_from([-0.01, -0.001, 0.001, 0.01]), min_size=1, max_size=12),
)
def test_pairs_at_the_radius_plus_or_minus_a_centimetre(lon, lat, azimuths, offsets):
    """Resources placed at 500 m ± 1 cm / ± 1 mm of the query: inside exactly when ≤ 500 m."""
    k = min(len(azimuths), len(offsets))
    dist = 500.0 + np.array(offsets[:k])
    r_lon, r_lat, _ = GEOD.fwd([lon] * k, [lat] * k, azimuths[:k], dist)
    r_lon, r_lat = np.asarray(r_lon), np.asarray(r_lat)
    result = access.compute_access(np.array([lon]), np.array([lat]), r_lon, r_lat, np.zeros(k, int), 1, 500.0)
    assert int(result.n_within[0, 0]) == int((dist <= 500.0).sum())
    assert result.nearest_m[0, 0] == pytest.approx(dist.min(), abs=1e-4)


def test_radius_is_inclusive():
    # on the equator the geodesic is a · Δλ: a resource at exactly 500 m counts
    dlon = np.degrees(500.0 / 6378137.0)
    result = access.compute_access(
        np.array([135.0]),
        np.array([0.0]),
        np.array([135.0 + dlon]),
        np.array([0.0]),
        np.zeros(1, int),
        1,
        500.0,
    )
    assert result.n_within[0, 0] == 1
    assert result.nearest_m[0, 0] == pytest.approx(500.0, abs=1e-6)


def test_random_points_across_japan():
    rng = np.random.default_rng(20250401)
    nq, nr = 400, 300
    q_lon, q_lat = rng.uniform(122, 154, nq), rng.uniform(20, 46, nq)
    r_lon, r_lat = rng.uniform(122, 154, nr), rng.uniform(20, 46, nr)
    # a few resources right next to queries, so that the counts are not all zero
    r_lon[:50] = q_lon[:50] + rng.normal(0, 0.003, 50)
    r_lat[:50] = q_lat[:50] + rng.normal(0, 0.003, 50)
    r_type = rng.integers(0, 2, nr)
    result = access.compute_access(q_lon, q_lat, r_lon, r_lat, r_type, 2, 500.0)
    n_within, nearest = brute_force(q_lon, q_lat, r_lon, r_lat, r_type, 2, 500.0)
    assert n_within.sum() > 10
    assert_same(result, n_within, nearest)


def test_far_nearest_is_the_true_geodesic():
    # the only resources lie 300 km and 1,200 km away: nothing within, nearest_m still exact
    q_lon, q_lat = np.array([139.7, 135.5]), np.array([35.7, 34.7])
    r_lon, r_lat = np.array([141.35, 130.4]), np.array([43.06, 33.59])
    result = access.compute_access(q_lon, q_lat, r_lon, r_lat, np.zeros(2, int), 1, 500.0)
    assert_same(result, *brute_force(q_lon, q_lat, r_lon, r_lat, np.zeros(2, int), 1, 500.0))
    assert result.nearest_m[0, 0] > 100_000


def test_empty_type_and_no_resources():
    q = np.array([135.5]), np.array([34.7])
    result = access.compute_access(*q, np.array([135.5]), np.array([34.7]), np.array([0]), 2, 500.0)
    assert result.n_within.tolist() == [[1, 0]]
    assert result.nearest_m[0, 0] == 0.0 and np.isnan(result.nearest_m[0, 1])
    assert result.n_within_any.tolist() == [1]
    assert result.nearest_any_m.tolist() == [0.0]
    none = access.compute_access(*q, np.zeros(0), np.zeros(0), np.zeros(0, int), 1, 500.0)
    assert none.n_within.tolist() == [[0]] and np.isnan(none.nearest_any_m[0])


def test_duplicates_all_count():
    q = np.array([135.5]), np.array([34.7])
    r_lon, r_lat = np.full(5, 135.5), np.full(5, 34.7)
    result = access.compute_access(*q, r_lon, r_lat, np.zeros(5, int), 1, 1.0)
    assert result.n_within[0, 0] == 5


def test_many_pairs_in_chunks(monkeypatch):
    monkeypatch.setattr(access, "MAX_PAIRS", 50)
    rng = np.random.default_rng(3)
    q_lon, q_lat = 135.5 + rng.normal(0, 0.01, 200), 34.7 + rng.normal(0, 0.01, 200)
    r_lon, r_lat = 135.5 + rng.normal(0, 0.01, 150), 34.7 + rng.normal(0, 0.01, 150)
    result = access.compute_access(q_lon, q_lat, r_lon, r_lat, np.zeros(150, int), 1, 500.0)
    assert_same(result, *brute_force(q_lon, q_lat, r_lon, r_lat, np.zeros(150, int), 1, 500.0))


@pytest.mark.parametrize("radius", [0.0, -500.0, float("nan"), float("inf")])
def test_bad_radius(radius):
    with pytest.raises(InputError) as err:
        access.compute_access(
            np.array([135.0]), np.array([35.0]), np.zeros(0), np.zeros(0), np.zeros(0, int), 1, radius
        )
    assert "RADIUS" in err.value.en and "RADIUS" in err.value.ja


def test_cancel():
    with pytest.raises(Cancelled):
        access.compute_access(
            np.array([135.0]),
            np.array([35.0]),
            np.array([135.0]),
            np.array([35.0]),
            np.zeros(1, int),
            1,
            500.0,
            is_cancelled=lambda: True,
        )


def test_progress_reaches_one():
    seen = []
    access.compute_access(
        np.array([135.0, 136.0]),
        np.array([35.0, 35.0]),
        np.array([135.0]),
        np.array([35.0]),
        np.zeros(1, int),
        2,
        500.0,
        progress=seen.append,
    )
    assert seen and seen[-1] == pytest.approx(1.0)
    assert all(b >= a for a, b in zip(seen, seen[1:]))


def test_status():
    has = np.array([True, False, True, False, False])
    pop = np.array([10.0, 5.0, 0.0, 0.0, np.nan])
    assert access.access_status(has, pop).tolist() == [
        "covered",
        "blank",
        "no_population",
        "no_population",
        "blank",
    ]
    assert access.access_status(has, None).tolist() == ["covered", "blank", "covered", "blank", "blank"]


def test_safe_type_names():
    names = [
        "convenience_osaka",
        "Library (Osaka)",
        "コンビニ",
        "図書館",
        "ＡＢＣ",
        "2014 shops",
        "library_osaka",
        "x",
    ]
    assert access.safe_type_names(names) == [
        "convenience_osaka",
        "library_osaka",
        "t3",
        "t4",
        "abc",
        "t2014_shops",
        "library_osaka_2",
        "x",
    ]


# ---------------------------------------------------------------- core.repoints


def test_normalise_key():
    assert repoints.normalise_key("27218002001") == "27218002001"
    assert repoints.normalise_key(" 272180010 ") == "272180010"
    assert repoints.normalise_key(272180010.0) == "272180010"
    assert repoints.normalise_key("272180010.0") == "272180010"
    assert repoints.normalise_key(None) is None
    assert repoints.normalise_key("") is None
    assert repoints.normalise_key(float("nan")) is None


def test_part_rank_and_water():
    assert [repoints.part_rank(v) for v in (None, "", "E1", "E2", "e10", "X")] == [0, 0, 1, 2, 10, 999]
    assert repoints.is_water(8154) and repoints.is_water("8154") and repoints.is_water(8154.0)
    assert not repoints.is_water(8101) and not repoints.is_water(None) and not repoints.is_water("abc")


def test_group_chome_main_part():
    # Tottori-like: 312012130 has four parts, the population on E1; 312012224's population is on E1 although
    # E2 is larger; 312012500 has no population on either part → E1 first (rank), then area
    keys = ["A", "312012130", "312012130", "312012130", "312012130", "312012224", "312012224", None, "W"]
    pop = np.array([5, 0, 0, 833, 0, 18, 0, 3, 0], dtype=float)
    kigo = ["", "E3", "E2", "E1", "E4", "E1", "E2", "", ""]
    area = np.array([1, 3047, 6248, 4381774, 2724, 811252, 1558311, 1, 9], dtype=float)
    usable = np.array([True] * 8 + [False])  # "W" is a water area
    g = repoints.group_chome(keys, pop, kigo, area, usable)
    assert g.keys == ["A", "312012130", "312012224"]
    assert g.group.tolist() == [0, 1, 1, 1, 1, 2, 2, -1, -1]
    assert g.main.tolist() == [0, 3, 5]
    assert g.size.tolist() == [1, 4, 2]
    assert g.last.tolist() == [0, 4, 6]
    g2 = repoints.group_chome(["K", "K"], np.array([0.0, 0.0]), ["E2", "E1"], np.array([9.0, 1.0]))
    assert g2.main.tolist() == [1]  # same population: E1 before E2
    g3 = repoints.group_chome(["K", "K"], None, None, np.array([1.0, 9.0]))
    assert g3.main.tolist() == [1]  # nothing else to go by: the larger part
    assert repoints.group_max(np.array([0.0, 833.0, np.nan, np.nan]), np.array([0, 0, 1, -1]), 2)[0] == 833.0
    assert np.isnan(repoints.group_max(np.array([0.0, 833.0, np.nan, np.nan]), np.array([0, 0, 1, -1]), 2)[1])


def test_group_chome_empty():
    g = repoints.group_chome([None, None])
    assert g.keys == [] and g.group.tolist() == [-1, -1] and g.main.size == 0

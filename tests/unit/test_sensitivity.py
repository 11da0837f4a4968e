"""core.sensitivity: rates at several radii from one nearest-distance column, and the chart of them."""

from __future__ import annotations

import numpy as np
import pytest

from kaigo_resource_plugin.core.access import compute_access
from kaigo_resource_plugin.core.errors import InputError
from kaigo_resource_plugin.core.rates import ChomeArrays, aggregate_municipalities
from kaigo_resource_plugin.core.sensitivity import (
    add_radius_rates,
    class_rate_series,
    parse_radii,
    radius_chart_points,
    radius_field,
    radius_figure,
)


def test_parse_radii():
    assert parse_radii("300,500,800,1000") == [300.0, 500.0, 800.0, 1000.0]
    assert parse_radii(" 1000、500 , 500 ") == [500.0, 1000.0]
    assert parse_radii("") == [] and parse_radii(None) == []
    for bad in ("500,abc", "0,500", "-1", "500,nan"):
        with pytest.raises(InputError) as err:
            parse_radii(bad)
        assert "RADII" in err.value.ja and "RADII" in err.value.en
    assert radius_field(500.0) == "rate_pct_r500"
    assert radius_field(250.5, "shop") == "rate_pct_r250_5_shop"


def _instance(seed=3):
    rng = np.random.default_rng(seed)
    n = 600
    lon = 135.6 + rng.normal(0, 0.03, n)
    lat = 34.7 + rng.normal(0, 0.03, n)
    r_lon = 135.6 + rng.normal(0, 0.03, 40)
    r_lat = 34.7 + rng.normal(0, 0.03, 40)
    r_type = rng.integers(0, 2, 40)
    muni = [f"27{200 + i % 7:03d}" for i in range(n)]
    elderly = rng.integers(0, 300, n).astype(float)
    pop = elderly * 5
    return lon, lat, r_lon, r_lat, r_type, muni, elderly, pop


def _chome(access, muni, elderly, pop):
    return ChomeArrays(
        keys=[f"{m}{i:06d}" for i, m in enumerate(muni)],
        muni=muni,
        elderly=elderly,
        access=access,
        population=pop,
    )


def test_radius_rates_equal_separate_runs_at_each_radius():
    lon, lat, r_lon, r_lat, r_type, muni, elderly, pop = _instance()
    area = {m: 3.0 + int(m) % 5 for m in set(muni)}  # km²: classes 2 and 3 both occur
    base = compute_access(lon, lat, r_lon, r_lat, r_type, 2, 500.0)
    access = {"": base.has_access.any(axis=1), "a": base.has_access[:, 0], "b": base.has_access[:, 1]}
    chome = _chome(access, muni, elderly, pop)
    table = aggregate_municipalities(chome, area, "test", types=["a", "b"])
    nearest = {"": base.nearest_any_m, "a": base.nearest_m[:, 0], "b": base.nearest_m[:, 1]}
    radii = [300.0, 500.0, 800.0, 1200.0]
    rr = add_radius_rates(table, chome, nearest, radii, area, "test")
    assert "rate_pct_r800_b" in table.names and "rate_pct_r300" in table.names
    for r in radii:
        sep = compute_access(lon, lat, r_lon, r_lat, r_type, 2, r)  # a separate run at this radius
        acc = {"": sep.has_access.any(axis=1), "a": sep.has_access[:, 0], "b": sep.has_access[:, 1]}
        ref = aggregate_municipalities(_chome(acc, muni, elderly, pop), area, "test", types=["a", "b"])
        for t in ("", "a", "b"):
            got = table.columns[radius_field(r, t)]
            want = ref.columns["rate_pct" + (f"_{t}" if t else "")]
            assert got == pytest.approx(want)
    # at the blank-area radius the column is the rate itself
    assert table.columns["rate_pct_r500"] == pytest.approx(table.columns["rate_pct"])
    series = class_rate_series(rr)
    assert set(series) >= {"all"}
    assert all(a <= b + 1e-9 for a, b in zip(series["all"], series["all"][1:]))  # more radius, more access
    w = np.array(table.columns["at_home_75plus"])
    assert series["all"][1] == pytest.approx(
        100 * np.sum(np.array(table.columns["rate_pct"]) / 100 * w) / w.sum()
    )


def test_radius_chart_draws_each_class_once():
    radii = [300.0, 500.0, 1000.0]
    series = {1: [10.0, 20.0, 40.0], 3: [50.0, 80.0, None], "all": [30.0, 50.0, 60.0]}
    fig = radius_figure(radii, series, "ja")
    pts = radius_chart_points(fig)
    assert pts["中山間地域"] == [(300.0, 10.0), (500.0, 20.0), (1000.0, 40.0)]
    assert pts["大都市"] == [(300.0, 50.0), (500.0, 80.0)]
    assert pts["全体"][1] == (500.0, 50.0)
    assert "一般都市" not in pts
    fig_en = radius_figure(radii, series, "en")
    assert "All" in radius_chart_points(fig_en)

"""Rules that hold for every input (hypothesis), across core: the chain access → rates.

- rates lie within [0, 100] (or are NULL when a municipality has no at-home elderly);
- rates never fall when the radius grows;
- results do not change when the chōme or the resources are reordered;
- (that results do not change with the layers' CRS is tested on real layers in tests/qgis/test_blankareas.py);
- the e-Stat import preserves sums (the chōme of a municipality add up to what the table gives them).
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kaigo_resource_plugin.core.access import compute_access
from kaigo_resource_plugin.core.rates import ChomeArrays, aggregate_municipalities

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def towns(draw):
    """A few municipalities of chōme around a town centre somewhere in Japan, and resources nearby."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n_muni = draw(st.integers(1, 4))
    n = draw(st.integers(1, 60))
    m = draw(st.integers(0, 40))
    lon0 = draw(st.floats(129.0, 145.0))
    lat0 = draw(st.floats(31.0, 45.0))
    spread = draw(st.floats(0.002, 0.05))
    q_lon = lon0 + rng.normal(0, spread, n)
    q_lat = lat0 + rng.normal(0, spread, n)
    r_lon = lon0 + rng.normal(0, spread, m)
    r_lat = lat0 + rng.normal(0, spread, m)
    r_type = rng.integers(0, 2, m)
    muni = [f"{27201 + int(k):05d}" for k in rng.integers(0, n_muni, n)]
    elderly = np.where(rng.random(n) < 0.15, 0.0, rng.integers(0, 500, n).astype(float))
    care3 = rng.uniform(0.0, 0.3, n)
    return q_lon, q_lat, r_lon, r_lat, r_type, muni, elderly, care3


def _rates(q_lon, q_lat, r_lon, r_lat, r_type, muni, elderly, care3, radius):
    acc = compute_access(q_lon, q_lat, r_lon, r_lat, r_type, 2, radius)
    keys = [f"{m}{i:06d}" for i, m in enumerate(muni)]
    chome = ChomeArrays(
        keys=keys,
        muni=list(muni),
        elderly=np.asarray(elderly, dtype=float),
        access={"": acc.has_access.any(axis=1), "a": acc.has_access[:, 0], "b": acc.has_access[:, 1]},
        care3=np.asarray(care3, dtype=float),
    )
    table = aggregate_municipalities(chome, types=["a", "b"])
    cols = table.columns
    return {
        code: {
            name: cols[name][i] for name in ("rate_pct", "rate_pct_a", "rate_pct_b", "at_home_with_access")
        }
        for i, code in enumerate(cols["muni_code"])
    }


@SETTINGS
@given(towns(), st.floats(50.0, 3000.0))
def test_rates_lie_within_0_and_100_or_are_null(town, radius):
    q_lon, q_lat, r_lon, r_lat, r_type, muni, elderly, care3 = town
    out = _rates(q_lon, q_lat, r_lon, r_lat, r_type, muni, elderly, care3, radius)
    for code, row in out.items():
        at_home = sum(e * (1 - c) for e, c, m in zip(elderly, care3, muni) if m == code)
        for name in ("rate_pct", "rate_pct_a", "rate_pct_b"):
            if at_home == 0:
                assert row[name] is None, (code, name)
            else:
                assert 0.0 <= row[name] <= 100.0, (code, name, row[name])


@SETTINGS
@given(towns(), st.floats(50.0, 2000.0), st.floats(1.0, 3.0))
def test_rates_never_fall_when_the_radius_grows(town, radius, factor):
    q_lon, q_lat, r_lon, r_lat, r_type, muni, elderly, care3 = town
    small = _rates(q_lon, q_lat, r_lon, r_lat, r_type, muni, elderly, care3, radius)
    large = _rates(q_lon, q_lat, r_lon, r_lat, r_type, muni, elderly, care3, radius * factor)
    assert set(small) == set(large)
    for code in small:
        for name in ("rate_pct", "rate_pct_a", "rate_pct_b"):
            if small[code][name] is None:
                assert large[code][name] is None
            else:
                assert large[code][name] >= small[code][name] - 1e-9, (code, name)


@SETTINGS
@given(towns(), st.floats(100.0, 1500.0), st.randoms(use_true_random=False))
def test_reordering_chome_and_resources_changes_nothing(town, radius, rnd):
    q_lon, q_lat, r_lon, r_lat, r_type, muni, elderly, care3 = town
    base = _rates(q_lon, q_lat, r_lon, r_lat, r_type, muni, elderly, care3, radius)
    qi = list(range(len(q_lon)))
    ri = list(range(len(r_lon)))
    rnd.shuffle(qi)
    rnd.shuffle(ri)
    shuffled = _rates(
        q_lon[qi],
        q_lat[qi],
        r_lon[ri],
        r_lat[ri],
        r_type[ri],
        [muni[i] for i in qi],
        elderly[qi],
        care3[qi],
        radius,
    )
    assert set(base) == set(shuffled)
    for code in base:
        for name, value in base[code].items():
            if value is None:
                assert shuffled[code][name] is None
            else:
                assert shuffled[code][name] == np.float64(value) or abs(shuffled[code][name] - value) < 1e-9


@SETTINGS
@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 400), st.integers(0, 120)), min_size=1, max_size=40)
)
def test_import_preserves_sums(rows):
    """The chōme of each municipality add up to what the T001082 rows of those chōme say."""
    from kaigo_resource_plugin.core.estat import AgeRow, AgeTable, BoundaryRecord, join_boundaries

    records, table_rows, expected = [], {}, {}
    for i, (m, total, age75) in enumerate(rows):
        code = f"{27201 + m:05d}"
        key = f"{code}{i:04d}"
        records.append(BoundaryRecord(index=i, key=key, x=135.5, y=34.7))
        table_rows[key] = (total, min(age75, total))
        expected.setdefault(code, [0, 0])
        expected[code][0] += total
        expected[code][1] += min(age75, total)
    age_rows = {
        key: AgeRow(key, 4, "市", key, "0", "", "", total, age75, "t.csv")
        for key, (total, age75) in table_rows.items()
    }
    for code, (tot, a75) in expected.items():
        age_rows[code] = AgeRow(code, 1, "市", "", "0", "", "", tot, a75, "t.csv")
    ages = AgeTable(rows=age_rows, files=[("t.csv", "cp932", len(age_rows))])
    result = join_boundaries(records, ages)
    got: dict[str, list[int]] = {}
    for c in result.chome:
        got.setdefault(c.muni_code, [0, 0])
        got[c.muni_code][0] += c.pop_total
        got[c.muni_code][1] += c.pop_75plus
    assert got == expected

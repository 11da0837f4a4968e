"""core/covering.py: what kaigo:suggestsites and kaigo:resourceimpact report (groups, site rows, closures)."""

import numpy as np

from kaigo_resource_plugin.core import covering


def test_municipality_groups_number_codes_in_order_and_drop_chome_without_point():
    codes, cg, kg = covering.municipality_groups(
        ["27218", "27100", None, "27218"], np.array([True, True, True, False]), ["27100", None, "99999"]
    )
    assert codes == ["27100", "27218"]
    assert cg.tolist() == [1, 0, -1, -1]
    assert kg.tolist() == [0, -1, -1]


def _result(sites, gains, before, total):
    g = np.array(gains, dtype=float)
    return covering.GreedyResult(
        sites=np.array(sites, dtype=np.int64),
        gains=g,
        covered_total=before + np.cumsum(g),
        covered_by=np.zeros(0, dtype=np.int64),
        covered_before=before,
        total=total,
        evaluations=0,
    )


def test_site_rows_rank_from_one_per_run():
    rows = covering.site_rows(
        [("27100", _result([4, 2], [10.0, 5.0], 20.0, 100.0)), ("27218", _result([7], [1.0], 0.0, 0.0))]
    )
    assert rows[0] == (4, 1, 10.0, 30.0, 30.0, "27100")
    assert rows[1] == (2, 2, 5.0, 35.0, 35.0, "27100")
    assert rows[2][:2] == (7, 1) and np.isnan(rows[2][4])  # no weight: no rate
    assert covering.site_rows([]) == []


def test_closure_rows_losing_access_and_difference():
    before = {"27100": (100.0, 80.0, 80.0), None: (0.0, 0.0, None)}
    after = {"27100": (100.0, 60.0, 60.0), None: (0.0, 0.0, None)}
    assert covering.closure_rows(before, after) == [
        ["27100", 100.0, 80.0, 60.0, 20.0, 80.0, 60.0, -20.0],
        [None, 0.0, 0.0, 0.0, 0.0, None, None, None],
    ]

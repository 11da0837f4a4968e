"""core/repoints.py: the e-Stat rules of reading a chōme layer (method, fields, water, X_CODE/Y_CODE)."""

import numpy as np

from kaigo_resource_plugin.core import repoints


def test_plan_points_table_uses_xy_and_no_xy_falls_back_to_surface():
    plan = repoints.plan_points(repoints.METHOD_CENTROID, has_geometry=False, has_xy=True)
    assert (plan.method, plan.use_xy, plan.geom_mode) == (repoints.METHOD_ESTAT, True, None)
    assert len(plan.notes) == 1 and "X_CODE/Y_CODE" in plan.notes[0][1]
    plan = repoints.plan_points(repoints.METHOD_ESTAT, has_geometry=True, has_xy=False)
    assert (plan.method, plan.use_xy, plan.geom_mode) == (repoints.METHOD_SURFACE, False, "surface")
    assert "points on surface" in plan.notes[0][1]
    plan = repoints.plan_points(repoints.METHOD_CENTROID, has_geometry=True, has_xy=True)
    assert (plan.method, plan.use_xy, plan.geom_mode, plan.notes) == (
        repoints.METHOD_CENTROID,
        False,
        "centroid",
        (),
    )
    plan = repoints.plan_points(repoints.METHOD_ESTAT, has_geometry=True, has_xy=True)
    assert (plan.use_xy, plan.geom_mode, plan.notes) == (True, None, ())


def test_wanted_fields_key_first_only_present_fields_no_repeats():
    names = ["KEY_CODE", "AREA", "HCODE", "JINKO", "X_CODE", "Y_CODE"]
    assert repoints.wanted_fields("KEY_CODE", names, "JINKO", False) == ["KEY_CODE", "HCODE", "AREA", "JINKO"]
    assert repoints.wanted_fields("KEY_CODE", names, None, True) == [
        "KEY_CODE",
        "HCODE",
        "AREA",
        "X_CODE",
        "Y_CODE",
    ]
    assert repoints.wanted_fields("HCODE", names, "HCODE", False) == ["HCODE", "AREA"]


def test_water_mask_numbers_and_text():
    assert repoints.water_mask(None, 3).tolist() == [False, False, False]
    assert repoints.water_mask(np.array([8101.0, 8154.0]), 2).tolist() == [False, True]
    assert repoints.water_mask(np.array(["8154", "8101", None], dtype=object), 3).tolist() == [
        True,
        False,
        False,
    ]


def test_clean_xy_zero_and_missing_points():
    px = np.array([135.5, 0.0, np.nan, 134.0])
    py = np.array([34.7, 0.0, 35.0, np.inf])
    x, y, ok = repoints.clean_xy(px, py, has_geometry=False)
    assert np.isnan(x[1:]).all() and np.isnan(y[1:]).all() and x[0] == 135.5
    assert ok.tolist() == [True, False, False, False]
    assert px[1] == 0.0  # the input is not changed
    _x, _y, ok = repoints.clean_xy(px, py, has_geometry=True)
    assert ok.all()  # a polygon without X_CODE/Y_CODE gets a point on its surface later


def test_dropped_notes_only_for_counts_above_zero():
    assert repoints.dropped_notes(0, 0, 0, 0) == []
    notes = repoints.dropped_notes(2, 0, 1, 3)
    assert [en for _ja, en in notes] == [
        "2 water areas (HCODE 8154) dropped.",
        "1 features with a NULL or invalid geometry skipped.",
        "3 chōme stored as several features (exclaves) count once, at the point of their main part.",
    ]

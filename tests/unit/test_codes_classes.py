"""Municipality codes, designated-city wards, density classes and rate bands."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaigo_resource_plugin.core.classes import BANDS, density_class, rate_band
from kaigo_resource_plugin.core.codes import city_of_ward, muni_code_from_key, rollup_code, ward_city_name


def test_muni_code_from_key():
    assert muni_code_from_key("272180010") == "27218"
    assert muni_code_from_key("27102005002") == "27102"
    assert muni_code_from_key(27218001.0) == "27218"  # float from a spreadsheet
    assert muni_code_from_key(None) is None
    assert muni_code_from_key("27a") is None


@pytest.mark.parametrize(
    ("ward", "city"),
    [
        ("27102", "27100"),
        ("27128", "27100"),
        ("27141", "27140"),
        ("27147", "27140"),
        ("14101", "14100"),
        ("14118", "14100"),
        ("14131", "14130"),
        ("14153", "14150"),
        ("01110", "01100"),
        ("40137", "40130"),
        ("27218", None),
        ("27100", None),
        ("13101", None),
        ("22138", "22130"),
    ],
)
def test_ward_to_city(ward, city):
    assert city_of_ward(ward) == city


def test_rollup_and_names():
    assert rollup_code("27102", True) == "27100"
    assert rollup_code("27102", False) == "27102"
    assert rollup_code("27218", True) == "27218"
    assert ward_city_name("大阪市都島区", "27100") == "大阪市"


@pytest.mark.parametrize(
    ("density", "cls"),
    [
        (0.0, 1),
        (199.999, 1),
        (200.0, 2),
        (1999.99, 2),
        (2000.0, 3),
        (13675.0, 3),
        (None, None),
        (float("nan"), None),
    ],
)
def test_density_class_edges(density, cls):
    assert density_class(density) == cls


def test_density_class_custom_thresholds():
    assert density_class(150.0, (100.0, 1000.0)) == 2
    assert density_class(1000.0, (100.0, 1000.0)) == 3


@pytest.mark.parametrize(
    ("rate", "band"),
    [
        (0.0, "0-20"),
        (19.9999, "0-20"),
        (20.0, "20-40"),
        (40.0, "40-60"),
        (60.0, "60-80"),
        (79.99, "60-80"),
        (80.0, "80-100"),
        (100.0, "80-100"),
        (None, None),
        (float("nan"), None),
        (-1.0, None),
    ],
)
def test_rate_band_edges(rate, band):
    assert rate_band(rate) == band


@given(st.floats(min_value=0.0, max_value=100.0))
def test_every_rate_has_exactly_one_band(rate):
    band = rate_band(rate)
    matching = [label for label, lo, hi in BANDS if lo <= rate < hi or (label == "80-100" and rate == 100.0)]
    assert [band] == matching

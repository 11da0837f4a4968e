"""The panel's guesses of e-Stat fields and resource type names (pure Python, no QGIS)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kaigo_resource_plugin.ui.fields import (
    POINT_ESTAT,
    POINT_SURFACE,
    detect_chome_fields,
    is_chome_candidate,
    suggest_type_name,
    valid_type_name,
)

ESTAT_2020 = [
    "KEY_CODE",
    "PREF",
    "CITY",
    "S_AREA",
    "PREF_NAME",
    "CITY_NAME",
    "S_NAME",
    "KIGO_E",
    "HCODE",
    "AREA",
    "PERIMETER",
    "JINKO",
    "SETAI",
    "X_CODE",
    "Y_CODE",
    "KCODE1",
]


def test_estat_boundaries_use_jinko_and_the_estat_point():
    found = detect_chome_fields(ESTAT_2020)
    assert (found.key, found.elderly, found.population) == ("KEY_CODE", "JINKO", "JINKO")
    assert found.point_method == POINT_ESTAT and found.has_xy and found.has_hcode
    assert found.found == ["KEY_CODE", "JINKO", "X_CODE", "Y_CODE", "HCODE"]
    assert found.is_estat


def test_imported_layer_prefers_at_home_then_75plus_then_total():
    names = ["KEY_CODE", "pop_total", "pop_75plus", "at_home_75plus", "JINKO"]
    found = detect_chome_fields(names)
    assert (found.elderly, found.population) == ("at_home_75plus", "pop_total")
    assert detect_chome_fields(["KEY_CODE", "pop_total", "pop_75plus"]).elderly == "pop_75plus"


def test_without_xy_the_point_is_on_the_surface_and_case_is_kept():
    found = detect_chome_fields(["key_code", "jinko", "x_code"])
    assert found.key == "key_code" and found.elderly == "jinko"
    assert found.point_method == POINT_SURFACE and not found.has_xy and not found.has_hcode
    assert not detect_chome_fields(["name"]).is_estat
    assert is_chome_candidate(["KEY_CODE"]) and not is_chome_candidate(["name", "KEYCODE1"])


def test_type_names_from_layer_names():
    assert suggest_type_name("convenience_osaka", 0) == "convenience"
    assert suggest_type_name("library_osaka", 1) == "library"
    assert suggest_type_name("大東市 コンビニ一覧", 0) == "convenience"
    assert suggest_type_name("スーパーマーケット", 0) == "supermarket"
    assert suggest_type_name("施設", 2) == "type3"
    assert suggest_type_name("2014 shops", 0) == "t2014"
    assert suggest_type_name("convenience", 1, {"convenience"}) == "convenience2"
    assert suggest_type_name("convenience", 1, {"convenience", "convenience2"}) == "convenience3"
    assert suggest_type_name("ＡＢＣ店", 0) == "abc"  # full-width letters are normalised


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.text(max_size=24),
    st.integers(min_value=0, max_value=50),
    st.sets(
        st.sampled_from(["convenience", "convenience2", "type1", "type2", "library", "abc", "x"]), max_size=4
    ),
)
def test_suggested_names_are_always_valid_and_new(name, index, taken):
    suggestion = suggest_type_name(name, index, set(taken))
    assert valid_type_name(suggestion)
    assert suggestion not in taken


def test_valid_type_name():
    assert valid_type_name("shop_2")
    for bad in ("", "2shop", "コンビニ", "a b", "a-b", "x" * 31):
        assert not valid_type_name(bad)


def test_area_field_only_proposed_without_polygons():
    assert detect_chome_fields(ESTAT_2020).area is None  # polygons: area on the ellipsoid
    assert detect_chome_fields(ESTAT_2020, has_polygons=False).area == "AREA"
    assert detect_chome_fields(["KEY_CODE", "JINKO"], has_polygons=False).area is None

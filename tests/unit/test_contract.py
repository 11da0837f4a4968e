"""core.contract: the vocabulary and the one copy of each small helper."""

import math

import pytest

from kaigo_resource_plugin.core import contract
from kaigo_resource_plugin.core.errors import InputError
from kaigo_resource_plugin.core.rates import read_care3_table
from kaigo_resource_plugin.core.summary import boundary_year_of_fields


def test_to_float_missing_and_numbers():
    assert contract.to_float(3) == 3.0 and type(contract.to_float(3)) is float
    assert contract.to_float(" 2.5 ") == 2.5
    assert math.isnan(contract.to_float(None))
    assert math.isnan(contract.to_float(""))
    assert math.isnan(contract.to_float("abc"))
    assert math.isnan(contract.to_float(float("nan")))
    assert contract.to_float(None, None) is None
    assert contract.to_float(float("nan"), None) is None
    assert contract.to_float("  ", None) is None
    assert contract.to_float(object(), None) is None  # cannot be converted (like a QVariant NULL)


def test_to_float_lenient_text():
    assert contract.to_float("1,234", None) is None
    assert contract.to_float("1,234", None, lenient_text=True) == 1234.0
    assert contract.to_float("12.5%", None, lenient_text=True) == 12.5
    assert contract.to_float("12.5％", None, lenient_text=True) == 12.5
    assert contract.to_float("%", None, lenient_text=True) is None


@pytest.mark.parametrize(
    "hcode, water", [(8154, True), ("8154", True), (8154.0, True), (8101, False), (None, False), ("x", False)]
)
def test_is_water_hcode(hcode, water):
    assert contract.is_water_hcode(hcode) is water


def test_detect_layout():
    assert contract.detect_layout(["KEY_CODE", "PREF", "CITY", "S_NAME"]) == "2020"
    assert contract.detect_layout(["KEY_CODE", "KEN", "MOJI"]) == "2015"
    assert contract.detect_layout(["key_code", "ken", "moji"]) == "2015"
    assert contract.detect_layout(["KEN", "PREF"]) == "2020"
    # the plugin's own output fields say nothing about the census year
    assert contract.detect_layout(["KEY_CODE", "pref_name", "muni_name"]) == "unknown"
    assert contract.point_crs_for_layout("2015") == contract.JGD2000_GEOGRAPHIC == "EPSG:4612"
    assert contract.point_crs_for_layout("unknown") == contract.JGD2011_GEOGRAPHIC == "EPSG:6668"
    assert boundary_year_of_fields(["KEY_CODE", "KEN", "MOJI"]) == 2015
    assert boundary_year_of_fields(["KEY_CODE", "PREF", "S_NAME"]) == 2020
    assert boundary_year_of_fields(["KEY_CODE", "pref_name"]) is None


def test_one_care3_reader_for_both_algorithms(tmp_path):
    p = tmp_path / "care3.csv"
    p.write_bytes("市区町村コード,名前,割合\r\n272183,大東市,0.12\r\n27102,都島区,10.9%\r\n".encode("cp932"))
    assert read_care3_table(str(p)) == {"27218": 0.12, "27102": pytest.approx(0.109)}
    p.write_text("code,share\n27218,12\n", encoding="utf-8")
    with pytest.raises(InputError, match="27218.*outside 0–1"):
        read_care3_table(str(p), "CARE3_TABLE")


def test_duplicated_facts_come_from_the_contract():
    from kaigo_resource_plugin.core import access, estat, rates, repoints

    assert estat.WATER_HCODE is contract.WATER_HCODE and repoints.WATER_HCODE is contract.WATER_HCODE
    assert estat.DEFAULT_CARE3_SHARE is contract.DEFAULT_CARE3_SHARE is rates.DEFAULT_CARE3_SHARE
    assert access.STATUS_BLANK is contract.STATUS_BLANK
    assert estat.read_care3_table is rates.read_care3_table

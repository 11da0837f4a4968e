"""The run summary's footnote: sources, years, method parameters, versions."""

from __future__ import annotations

import datetime

from kaigo_resource_plugin.core.summary import (
    boundary_year_of_fields,
    build_summary,
    census_year_of_table,
    footnote,
)


def _summary(**kw):
    args = dict(
        started=datetime.datetime(2026, 1, 1, 9, 0, 0),
        finished=datetime.datetime(2026, 1, 1, 9, 0, 42),
        plugin_version="0.1.0",
        qgis_version="3.22.16",
        chome_sources=["/data/chome.shp|layername=chome"],
        age_sources=["/data/tblT001082C27.csv"],
        resource_sources=[("shops", "/data/osm/shops.gpkg", 1234), ("clinics", "/data/city/clinics.csv", 56)],
        parameters={"RADIUS": 500.0, "CARE3_SHARE": 0.109, "ELDERLY_FIELD": None},
        n_municipalities=72,
        n_chome=8682,
        boundary_years=[2015, None],
    )
    args.update(kw)
    return build_summary(**args)


def test_years_are_recognised():
    assert census_year_of_table("x/tblT001082C27.csv") == 2020
    assert census_year_of_table("x/other.csv") is None
    assert boundary_year_of_fields(["KEY_CODE", "PREF", "S_NAME"]) == 2020
    assert boundary_year_of_fields(["KEY_CODE", "KEN", "MOJI"]) == 2015
    assert boundary_year_of_fields(["KEY_CODE"]) is None


def test_japanese_footnote_names_sources_years_method_and_versions():
    s = _summary()
    assert s["seconds"] == 42.0 and s["chome_sources"] == ["chome.shp"]
    text = footnote(s, "ja")
    assert text.startswith("出典：政府統計の総合窓口(e-Stat)（平成27年国勢調査・令和2年国勢調査")
    assert "shops（1,234件）" in text and "clinics（56件）" in text
    assert "© OpenStreetMap contributors" in text  # shops come from an osm folder
    assert "半径500m以内" in text and "0.109 は推計値" in text
    assert "kaigo_resource_plugin 0.1.0／QGIS 3.22.16" in text


def test_english_footnote_and_elderly_field_variant():
    s = _summary(
        parameters={"RADIUS": 800.0, "CARE3_SHARE": 0.109, "ELDERLY_FIELD": "JINKO"},
        resource_sources=[("clinics", "/data/city/clinics.csv", 56)],
        age_sources=[],
    )
    en = footnote(s, "en")
    assert "2015 Census small-area data" in en and "within 800 m" in en and "weight = field JINKO" in en
    assert "OpenStreetMap" not in en
    ja = footnote(s, "ja")
    assert "JINKO を重みとした人口" in ja and "半径800m以内" in ja

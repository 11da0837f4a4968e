"""kaigo:sufficiencyrates and kaigo:densityclasses through processing.run (and one qgis_process run)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import zipfile
from collections import defaultdict

import pytest
from kaigo_paths import ROOT

QP = str(ROOT / "scripts" / "qgis_process.sh")
RATES_DATA = ROOT / "tests" / "data" / "rates"


# --- helpers -------------------------------------------------------------------------------------


def _memory_layer(geom: str, fields: list[tuple[str, str]], rows: list[dict], crs: str = "EPSG:6668"):
    """A memory layer: fields as (name, "string"|"integer"|"double"), rows with optional 'wkt'."""
    from qgis.core import QgsFeature, QgsGeometry, QgsVectorLayer

    spec = "&".join(f"field={n}:{t}" for n, t in fields)
    uri = f"{geom}?crs={crs}&{spec}" if geom != "None" else f"None?{spec}"
    layer = QgsVectorLayer(uri, "t", "memory")
    assert layer.isValid()
    feats = []
    for r in rows:
        f = QgsFeature(layer.fields())
        f.setAttributes([r.get(n) for n, _t in fields])
        if "wkt" in r:
            f.setGeometry(QgsGeometry.fromWkt(r["wkt"]))
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    return layer


def _square(lon, lat, d=0.01):
    return f"POLYGON(({lon} {lat},{lon + d} {lat},{lon + d} {lat + d},{lon} {lat + d},{lon} {lat}))"


def _rows(path_or_layer):
    from qgis.core import QgsVectorLayer

    layer = path_or_layer if not isinstance(path_or_layer, str) else QgsVectorLayer(path_or_layer, "o", "ogr")
    assert layer.isValid()
    names = [f.name() for f in layer.fields()]
    out = []
    for f in layer.getFeatures():
        d = {
            n: (None if f[n] is None or (hasattr(f[n], "isNull") and f[n].isNull()) else f[n]) for n in names
        }
        d["_geom"] = f.geometry()
        out.append(d)
    return out


SMALL_FIELDS = [
    ("KEY_CODE", "string"),
    ("HCODE", "integer"),
    ("pop_total", "integer"),
    ("pop_75plus", "integer"),
    ("has_access", "integer"),
    ("has_access_conv", "integer"),
    ("has_access_lib", "integer"),
    ("muni_name", "string"),
    ("pref_name", "string"),
]


def _small_rows():
    # municipality 13101: 75+ 100 (conv), 50 (lib), 30 (both); water area with people must be ignored
    # municipality 13102: 75+ 40 (none), 60 (conv); 13103: nobody aged 75+ at all
    rows = [
        ("13101000100", 8101, 1000, 100, 1, 1, 0, 0.0, 0.0),
        ("13101000200", 8101, 500, 50, 1, 0, 1, 0.01, 0.0),
        ("13101000300", 8101, 300, 30, 1, 1, 1, 0.0, 0.01),
        ("13101000400", 8154, 999, 99, 1, 1, 1, 0.01, 0.01),
        ("13102000100", 8101, 200, 40, 0, 0, 0, 1.0, 0.0),
        ("13102000200", 8101, 400, 60, 1, 1, 0, 1.01, 0.0),
        ("13103000100", 8101, 10, 0, 0, 0, 0, 2.0, 0.0),
    ]
    out = []
    for key, h, pop, old, a, c, li, x, y in rows:
        out.append(
            dict(
                KEY_CODE=key,
                HCODE=h,
                pop_total=pop,
                pop_75plus=old,
                has_access=a,
                has_access_conv=c,
                has_access_lib=li,
                muni_name={"13101": "千代田区", "13102": "中央区", "13103": "港区"}[key[:5]],
                pref_name="東京都",
                wkt=_square(139.7 + x, 35.6 + y),
            )
        )
    return out


# --- small cases by hand -------------------------------------------------------------------------


def test_small_polygons_by_hand(run_alg, tmp_path):
    from qgis.core import QgsWkbTypes

    from kaigo_resource_plugin.core.area import cell_area_m2

    layer = _memory_layer("Polygon", SMALL_FIELDS, _small_rows())
    out = str(tmp_path / "m.gpkg")
    res = run_alg(
        "kaigo:sufficiencyrates",
        {
            "INPUT": layer,
            "CARE3_SHARE": 0.2,
            "OUTPUT": out,
            "OUTPUT_CSV": str(tmp_path / "m.csv"),
            "OUTPUT_XLSX": str(tmp_path / "m.xlsx"),
        },
    )
    rows = _rows(res["OUTPUT"])
    assert [r["muni_code"] for r in rows] == ["13101", "13102", "13103"]
    a, b, c = rows
    # 13101: at home = 0.8 × (100, 50, 30) = 80, 40, 24 → Σ 144; all have access → 100 %
    assert a["at_home_75plus"] == pytest.approx(144.0)
    assert a["pop_75plus"] == 180 and a["pop_total"] == 1800
    assert a["rate_pct"] == pytest.approx(100.0) and a["rate_band"] == "80-100"
    assert a["rate_pct_conv"] == pytest.approx(100 * 104 / 144) and a["rate_band_conv"] == "60-80"
    assert a["rate_pct_lib"] == pytest.approx(100 * 64 / 144) and a["rate_band_lib"] == "40-60"
    assert a["n_chome"] == 3 and a["n_blank"] == 0
    # 13102: at home 32, 48 → 48 / 80 = 60 % exactly (band edge)
    assert b["rate_pct"] == pytest.approx(60.0) and b["rate_band"] == "60-80"
    assert b["at_home_without_access"] == pytest.approx(32.0)
    assert b["rate_pct_lib"] == pytest.approx(0.0) and b["rate_band_lib"] == "0-20"
    assert b["n_blank"] == 1
    # 13103: no 75+ → NULL rate, not 0
    assert c["rate_pct"] is None and c["rate_band"] is None
    # area on the ellipsoid: 3, 2 and 1 cells of 0.01° (water left out)
    cell = [cell_area_m2(139.7, 35.6, 139.71, 35.61), cell_area_m2(139.7, 35.61, 139.71, 35.62)]
    assert a["area_km2"] == pytest.approx((2 * cell[0] + cell[1]) / 1e6, rel=1e-9)
    assert a["area_source"] == "ellipsoid"
    assert a["density"] == pytest.approx(1800 / a["area_km2"])
    assert a["area_km2"] == pytest.approx(3.1, abs=0.1)  # three cells of about 1.0 × 0.9 km
    assert a["density_class"] == 2 and a["class_label"] == "一般都市（中間）"  # 1800 / 3.1 km²
    assert a["muni_name"] == "千代田区" and a["pref_name"] == "東京都"
    # dissolved geometry, water area excluded
    g = a["_geom"]
    assert QgsWkbTypes.isMultiType(g.wkbType())
    assert g.area() == pytest.approx(3 * 0.01 * 0.01, rel=1e-9)
    # CSV: UTF-8 with BOM, same ASCII names; XLSX with Japanese headings
    raw = (tmp_path / "m.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = raw.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[:3] == ["muni_code", "pref_name", "muni_name"] and "rate_pct_conv" in header
    with zipfile.ZipFile(tmp_path / "m.xlsx") as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode("utf-8")
    for h in (
        "市区町村コード",
        "都道府県名",
        "人口密度(人/km²)",
        "在宅高齢者数",
        "充足率(%)",
        "充足率カテゴリ",
    ):
        assert h in sheet


def test_english_headings_when_qgis_runs_in_english(run_alg, tmp_path, monkeypatch):
    monkeypatch.setenv("KAIGO_LANG", "en")
    layer = _memory_layer("Polygon", SMALL_FIELDS, _small_rows())
    run_alg(
        "kaigo:sufficiencyrates",
        {"INPUT": layer, "OUTPUT": "TEMPORARY_OUTPUT", "OUTPUT_XLSX": str(tmp_path / "m.xlsx")},
    )
    with zipfile.ZipFile(tmp_path / "m.xlsx") as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "Municipality code" in sheet and "Sufficiency rate (%)" in sheet
    assert "General city" in sheet and "一般都市" in sheet  # English label (with the Japanese name)


@pytest.mark.parametrize("geom", ["None", "Point"])
def test_table_input_has_no_geometry_and_uses_area_table(run_alg, tmp_path, geom):
    from qgis.core import QgsWkbTypes

    rows = [{k: v for k, v in r.items() if k != "wkt"} for r in _small_rows()]
    if geom == "Point":
        for i, r in enumerate(rows):
            r["wkt"] = f"POINT(139.7{i} 35.6)"
    layer = _memory_layer(geom, SMALL_FIELDS, rows)
    table = tmp_path / "area.csv"
    table.write_text("code,km2\n13101,11.66\n13102,10.21\n", encoding="utf-8-sig")
    res = run_alg(
        "kaigo:sufficiencyrates", {"INPUT": layer, "AREA_TABLE": str(table), "OUTPUT": "TEMPORARY_OUTPUT"}
    )
    out = res["OUTPUT"]
    assert out.wkbType() == QgsWkbTypes.Type.NoGeometry
    r = {x["muni_code"]: x for x in _rows(out)}
    assert r["13101"]["area_km2"] == pytest.approx(11.66)
    assert r["13101"]["area_source"] == "table:area.csv"
    assert r["13101"]["density"] == pytest.approx(1800 / 11.66)
    assert r["13103"]["area_km2"] is None and r["13103"]["density"] is None  # missing from the table
    assert r["13102"]["rate_pct"] == pytest.approx(60.0)


def test_area_field_in_m2_summed_without_water(run_alg):
    rows = _small_rows()
    for i, r in enumerate(rows):
        r["AREA"] = 1e6 * (i + 1)
    layer = _memory_layer("Polygon", [*SMALL_FIELDS, ("AREA", "double")], rows)
    res = run_alg(
        "kaigo:sufficiencyrates", {"INPUT": layer, "AREA_FIELD": "AREA", "OUTPUT": "TEMPORARY_OUTPUT"}
    )
    r = _rows(res["OUTPUT"])
    assert r[0]["area_km2"] == pytest.approx(6.0)  # 1 + 2 + 3 km², the water area (4) left out
    assert r[0]["area_source"] == "field:AREA"
    assert r[1]["area_km2"] == pytest.approx(11.0)


def test_at_home_field_is_not_reduced_again(run_alg):
    rows = _small_rows()
    for r in rows:
        r["at_home_75plus"] = r["pop_75plus"] * 0.5
    layer = _memory_layer("Polygon", [*SMALL_FIELDS, ("at_home_75plus", "double")], rows)
    res = run_alg(
        "kaigo:sufficiencyrates", {"INPUT": layer, "CARE3_SHARE": 0.3, "OUTPUT": "TEMPORARY_OUTPUT"}
    )
    r = _rows(res["OUTPUT"])
    assert r[0]["at_home_75plus"] == pytest.approx(90.0)  # 0.5 × 180, the 0.3 share not applied
    assert r[0]["pop_75plus"] == 180


def test_share_table_applies_to_pop_75plus_even_when_at_home_exists(run_alg, tmp_path):
    rows = _small_rows()
    for r in rows:
        r["at_home_75plus"] = r["pop_75plus"] * 0.5
    layer = _memory_layer("Polygon", [*SMALL_FIELDS, ("at_home_75plus", "double")], rows)
    table = tmp_path / "care.csv"
    table.write_text("13101,0.25\n13102,0.1\n", encoding="utf-8")
    res = run_alg(
        "kaigo:sufficiencyrates", {"INPUT": layer, "CARE3_TABLE": str(table), "OUTPUT": "TEMPORARY_OUTPUT"}
    )
    r = _rows(res["OUTPUT"])
    assert r[0]["at_home_75plus"] == pytest.approx(0.75 * 180)  # pop_75plus × (1 − table share)
    assert r[1]["at_home_75plus"] == pytest.approx(0.9 * 100)


def test_care3_table_and_field(run_alg, tmp_path):
    table = tmp_path / "care.csv"
    table.write_bytes("コード,割合\r\n131016,0.5\r\n".encode("cp932"))  # 6-digit code with check digit
    layer = _memory_layer("Polygon", SMALL_FIELDS, _small_rows())
    res = run_alg(
        "kaigo:sufficiencyrates",
        {"INPUT": layer, "CARE3_TABLE": str(table), "CARE3_SHARE": 0.0, "OUTPUT": "TEMPORARY_OUTPUT"},
    )
    r = _rows(res["OUTPUT"])
    assert r[0]["at_home_75plus"] == pytest.approx(90.0)  # 13101 from the table
    assert r[1]["at_home_75plus"] == pytest.approx(100.0)  # 13102 not in it: the constant 0
    assert r[0]["rate_pct_conv"] == pytest.approx(100 * 130 / 180)  # uniform share: rate unchanged
    # a per-chōme share that differs between chōme does change the rate
    rows = _small_rows()
    for r_ in rows:
        r_["share"] = 0.5 if r_["KEY_CODE"] == "13101000100" else 0.0
    layer = _memory_layer("Polygon", [*SMALL_FIELDS, ("share", "double")], rows)
    res = run_alg(
        "kaigo:sufficiencyrates", {"INPUT": layer, "CARE3_FIELD": "share", "OUTPUT": "TEMPORARY_OUTPUT"}
    )
    r = _rows(res["OUTPUT"])
    assert r[0]["rate_pct_conv"] == pytest.approx(100 * 80 / 130)


def test_wards_rolled_up_to_the_city(run_alg):
    fields = [("KEY_CODE", "string"), ("GST_NAME", "string"), ("CSS_NAME", "string"), ("KEN_NAME", "string"),
              ("JINKO", "integer"), ("has_access", "integer")]  # fmt: skip
    osaka = dict(KEN_NAME="大阪府")
    rows = [
        dict(KEY_CODE="27102001001", GST_NAME="大阪市", CSS_NAME="都島区", JINKO=100, has_access=1, **osaka),
        dict(KEY_CODE="27103001001", GST_NAME="大阪市", CSS_NAME="福島区", JINKO=300, has_access=0, **osaka),
        dict(KEY_CODE="27218001001", GST_NAME="大東市", CSS_NAME=None, JINKO=50, has_access=1, **osaka),
        dict(KEY_CODE="27362001001", GST_NAME="泉南郡", CSS_NAME="田尻町", JINKO=10, has_access=0, **osaka),
    ]
    layer = _memory_layer("None", fields, rows)
    params = {"INPUT": layer, "ELDERLY_FIELD": "JINKO", "OUTPUT": "TEMPORARY_OUTPUT"}
    wards = _rows(run_alg("kaigo:sufficiencyrates", params)["OUTPUT"])
    assert [(r["muni_code"], r["muni_name"]) for r in wards] == [
        ("27102", "大阪市都島区"),
        ("27103", "大阪市福島区"),
        ("27218", "大東市"),
        ("27362", "田尻町"),
    ]
    city = _rows(run_alg("kaigo:sufficiencyrates", {**params, "ROLLUP_WARDS": True})["OUTPUT"])
    assert [(r["muni_code"], r["muni_name"]) for r in city][0] == ("27100", "大阪市")
    assert city[0]["rate_pct"] == pytest.approx(25.0)
    assert city[0]["pop_total"] == 400  # JINKO is also the default population
    assert city[0]["area_km2"] is None  # no polygons, no area field: no density


def test_child_call_returns_results_and_ok(plugin):
    """kaigo:fullanalysis calls alg.run(params, context, feedback) and unpacks (results, ok)."""
    from qgis.core import QgsApplication, QgsProcessingContext, QgsProcessingFeedback

    alg = QgsApplication.processingRegistry().createAlgorithmById("kaigo:sufficiencyrates")
    layer = _memory_layer("Polygon", SMALL_FIELDS, _small_rows())
    context = QgsProcessingContext()
    results, ok = alg.run({"INPUT": layer, "OUTPUT": "TEMPORARY_OUTPUT"}, context, QgsProcessingFeedback())
    assert ok and results["OUTPUT"]


# --- bad input: a clear message, no output -------------------------------------------------------


def _assert_fails_without_output(run_alg, tmp_path, params, *words):
    from qgis.core import QgsProcessingException

    outs = {
        "OUTPUT": str(tmp_path / "bad.gpkg"),
        "OUTPUT_CSV": str(tmp_path / "bad.csv"),
        "OUTPUT_XLSX": str(tmp_path / "bad.xlsx"),
    }
    with pytest.raises(QgsProcessingException) as err:
        run_alg("kaigo:sufficiencyrates", {**params, **outs})
    for w in words:
        assert w in str(err.value)
    assert sorted(os.listdir(tmp_path)) == [], "no output (not even a temp file) may be left"
    return str(err.value)


def test_thresholds_in_the_wrong_order(run_alg, tmp_path):
    layer = _memory_layer("Polygon", SMALL_FIELDS, _small_rows())
    msg = _assert_fails_without_output(
        run_alg, tmp_path, {"INPUT": layer, "THRESHOLD_LOW": 2000, "THRESHOLD_HIGH": 200}, "THRESHOLD_LOW"
    )
    assert "順序" in msg and "wrong order" in msg


@pytest.mark.parametrize("bad_value", [0.0, None])
def test_area_field_with_zero_or_null(run_alg, tmp_path, bad_value):
    rows = _small_rows()
    for r in rows:
        r["AREA"] = 1000.0
    rows[1]["AREA"] = bad_value
    layer = _memory_layer("Polygon", [*SMALL_FIELDS, ("AREA", "double")], rows)
    msg = _assert_fails_without_output(run_alg, tmp_path, {"INPUT": layer, "AREA_FIELD": "AREA"}, "AREA")
    assert "13101000200" in msg  # names the chōme


def test_population_field_that_is_text(run_alg, tmp_path):
    rows = _small_rows()
    for r in rows:
        r["POP_TXT"] = str(r["pop_total"])
    layer = _memory_layer("Polygon", [*SMALL_FIELDS, ("POP_TXT", "string")], rows)
    msg = _assert_fails_without_output(
        run_alg, tmp_path, {"INPUT": layer, "POPULATION_FIELD": "POP_TXT"}, "POPULATION_FIELD", "POP_TXT"
    )
    assert "to_real" in msg


def test_elderly_field_that_is_text_or_missing(run_alg, tmp_path):
    rows = _small_rows()
    for r in rows:
        r["OLD_TXT"] = str(r["pop_75plus"])
    layer = _memory_layer("Polygon", [*SMALL_FIELDS, ("OLD_TXT", "string")], rows)
    _assert_fails_without_output(run_alg, tmp_path, {"INPUT": layer, "ELDERLY_FIELD": "OLD_TXT"}, "OLD_TXT")
    _assert_fails_without_output(run_alg, tmp_path, {"INPUT": layer, "ELDERLY_FIELD": "NOPE"}, "NOPE")


def test_no_access_field(run_alg, tmp_path):
    fields = [f for f in SMALL_FIELDS if not f[0].startswith("has_access")]
    rows = [{k: v for k, v in r.items() if not k.startswith("has_access")} for r in _small_rows()]
    layer = _memory_layer("Polygon", fields, rows)
    _assert_fails_without_output(run_alg, tmp_path, {"INPUT": layer}, "has_access", "kaigo:blankareas")


# --- Tottori (shared data): 19 municipalities, JINKO as the weight, area on the ellipsoid ----------


@pytest.fixture(scope="module")
def tottori(shared_data, tmp_path_factory):
    """The 2015 Tottori boundaries with a deterministic has_access field (chōme with JINKO > 300)."""
    import processing

    path = shared_data / "tottori-2015" / "31-tottori-all.shp"
    out = str(tmp_path_factory.mktemp("tottori") / "tottori_access.gpkg")
    processing.run(
        "native:fieldcalculator",
        {
            "INPUT": str(path),
            "FIELD_NAME": "has_access",
            "FIELD_TYPE": 1,
            "FORMULA": '"JINKO" > 300',
            "OUTPUT": out,
        },
    )
    return out


def test_tottori(plugin, run_alg, tottori, tmp_path):
    from qgis.core import QgsDistanceArea, QgsProject, QgsVectorLayer

    res = run_alg(
        "kaigo:sufficiencyrates",
        {
            "INPUT": tottori,
            "ELDERLY_FIELD": "JINKO",
            "OUTPUT": str(tmp_path / "m.gpkg"),
            "OUTPUT_CSV": str(tmp_path / "m.csv"),
        },
    )
    rows = {r["muni_code"]: r for r in _rows(res["OUTPUT"])}
    assert len(rows) == 19
    tottori_city, kurayoshi = rows["31201"], rows["31203"]
    assert tottori_city["muni_name"] == "鳥取市" and kurayoshi["muni_name"] == "倉吉市"
    assert tottori_city["pref_name"] == "鳥取県"
    assert {r["muni_name"] for r in rows.values()} >= {"岩美町", "日吉津村", "江府町"}  # 郡 names dropped
    assert tottori_city["area_source"] == "ellipsoid"
    # density: 鳥取市 193,717 people on 765.16 km² = 253.2 /km² (class 2); 倉吉市 49,044 on 272.23 = 180.2 (1)
    assert tottori_city["pop_total"] == 193717
    assert tottori_city["density"] == pytest.approx(253.17, abs=0.05)
    assert tottori_city["density_class"] == 2 and tottori_city["class_label"] == "一般都市（中間）"
    assert kurayoshi["density"] == pytest.approx(180.15, abs=0.05)
    assert kurayoshi["density_class"] == 1 and kurayoshi["class_label"] == "中山間地域"
    assert {r["density_class"] for r in rows.values()} == {1, 2}

    # independent checks from the source layer: QgsDistanceArea (GRS80) areas and the e-Stat AREA
    # field (m²), water areas excluded; population and the rate by brute force
    src = QgsVectorLayer(tottori, "t", "ogr")
    da = QgsDistanceArea()
    da.setSourceCrs(src.crs(), QgsProject.instance().transformContext())
    da.setEllipsoid("GRS80")
    area_da = defaultdict(float)
    area_field = defaultdict(float)
    jinko = defaultdict(float)
    with_acc = defaultdict(float)
    for f in src.getFeatures():
        if f["HCODE"] == 8154:
            continue
        code = f["KEY_CODE"][:5]
        area_da[code] += da.measureArea(f.geometry()) / 1e6
        area_field[code] += f["AREA"] / 1e6
        jinko[code] += f["JINKO"]
        with_acc[code] += f["JINKO"] if f["has_access"] else 0
    for code, r in rows.items():
        assert r["area_km2"] == pytest.approx(area_da[code], rel=1e-4), code
        assert r["area_km2"] == pytest.approx(area_field[code], rel=1e-3), code
        assert r["pop_total"] == jinko[code]
        # JINKO sits on part E1 of multi-part chōme, 0 on the others: the sum equals the max per key
        assert r["at_home_75plus"] == pytest.approx(jinko[code] * (1 - 0.109), rel=1e-12)
        assert r["rate_pct"] == pytest.approx(100 * with_acc[code] / jinko[code], rel=1e-12)
    # the same analysis with the area field gives the e-Stat figures
    res2 = run_alg(
        "kaigo:sufficiencyrates",
        {"INPUT": tottori, "ELDERLY_FIELD": "JINKO", "AREA_FIELD": "AREA", "OUTPUT": "TEMPORARY_OUTPUT"},
    )
    rows2 = {r["muni_code"]: r for r in _rows(res2["OUTPUT"])}
    assert rows2["31201"]["area_km2"] == pytest.approx(765.009, abs=1e-3)
    assert rows2["31201"]["area_source"] == "field:AREA"


def test_tottori_area_does_not_depend_on_the_crs(plugin, run_alg, tottori):
    import processing

    ref = {r["muni_code"]: r["area_km2"] for r in _rows(run_alg(
        "kaigo:sufficiencyrates", {"INPUT": tottori, "ELDERLY_FIELD": "JINKO", "OUTPUT": "TEMPORARY_OUTPUT"}
    )["OUTPUT"])}  # fmt: skip
    for epsg in ("EPSG:6673", "EPSG:3857"):  # JGD2011 plane rectangular V, Web Mercator
        moved = processing.run(
            "native:reprojectlayer", {"INPUT": tottori, "TARGET_CRS": epsg, "OUTPUT": "TEMPORARY_OUTPUT"}
        )["OUTPUT"]
        res = run_alg(
            "kaigo:sufficiencyrates", {"INPUT": moved, "ELDERLY_FIELD": "JINKO", "OUTPUT": "TEMPORARY_OUTPUT"}
        )
        for r in _rows(res["OUTPUT"]):
            assert r["area_km2"] == pytest.approx(ref[r["muni_code"]], rel=1e-5), (epsg, r["muni_code"])


def test_tottori_tables_from_repo(plugin, run_alg, tottori):
    res = run_alg(
        "kaigo:sufficiencyrates",
        {
            "INPUT": tottori,
            "ELDERLY_FIELD": "JINKO",
            "AREA_TABLE": str(RATES_DATA / "area_tottori_km2.csv"),
            "CARE3_TABLE": str(RATES_DATA / "care3_tottori_cp932.csv"),
            "OUTPUT": "TEMPORARY_OUTPUT",
        },
    )
    rows = {r["muni_code"]: r for r in _rows(res["OUTPUT"])}
    assert rows["31201"]["area_km2"] == pytest.approx(765.01)
    assert rows["31201"]["area_source"] == "table:area_tottori_km2.csv"
    assert rows["31202"]["at_home_75plus"] == pytest.approx(149313 * (1 - 0.120))  # 312029 → 31202


def test_densityclasses_on_the_municipality_table(plugin, run_alg, tottori, tmp_path):
    muni = run_alg(
        "kaigo:sufficiencyrates",
        {"INPUT": tottori, "ELDERLY_FIELD": "JINKO", "OUTPUT": str(tmp_path / "m.gpkg")},
    )["OUTPUT"]
    # from the geometry (dissolved chōme): the same areas as sufficiencyrates
    out = _rows(run_alg("kaigo:densityclasses", {"INPUT": muni, "OUTPUT": "TEMPORARY_OUTPUT"})["OUTPUT"])
    ref = {r["muni_code"]: r for r in _rows(muni)}
    assert len(out) == 19
    for r in out:
        assert r["area_km2"] == pytest.approx(ref[r["muni_code"]]["area_km2"], rel=1e-9)
        assert r["density_class"] == ref[r["muni_code"]]["density_class"]
        assert r["area_source"] == "ellipsoid"
    # from a km² field, with other thresholds
    out = _rows(
        run_alg(
            "kaigo:densityclasses",
            {
                "INPUT": muni,
                "AREA_FIELD": "area_km2",
                "THRESHOLD_LOW": 100,
                "THRESHOLD_HIGH": 250,
                "OUTPUT": "TEMPORARY_OUTPUT",
            },
        )["OUTPUT"]
    )
    by = {r["muni_code"]: r for r in out}
    assert by["31201"]["density_class"] == 3 and by["31201"]["area_source"] == "field:area_km2"
    assert by["31203"]["density_class"] == 2
    assert by["31401"]["density_class"] == 1


def test_densityclasses_by_hand_and_bad_input(run_alg, tmp_path):
    from qgis.core import QgsProcessingException

    fields = [("code", "string"), ("pop_total", "integer"), ("area", "double"), ("pop_txt", "string")]
    rows = [
        dict(code="a", pop_total=199, area=1.0, pop_txt="199"),
        dict(code="b", pop_total=200, area=1.0, pop_txt="200"),
        dict(code="c", pop_total=1999, area=1.0, pop_txt="1999"),
        dict(code="d", pop_total=2000, area=1.0, pop_txt="2000"),
        dict(code="e", pop_total=None, area=1.0, pop_txt=None),
    ]
    layer = _memory_layer("None", fields, rows)
    out = _rows(
        run_alg("kaigo:densityclasses", {"INPUT": layer, "AREA_FIELD": "area", "OUTPUT": "TEMPORARY_OUTPUT"})[
            "OUTPUT"
        ]
    )
    assert [r["density_class"] for r in out] == [1, 2, 2, 3, None]
    assert [r["class_label"] for r in out][:4] == [
        "中山間地域",
        "一般都市（中間）",
        "一般都市（中間）",
        "大都市",
    ]
    assert out[0]["code"] == "a"  # input fields kept
    # m² unit
    out = _rows(
        run_alg(
            "kaigo:densityclasses",
            {"INPUT": layer, "AREA_FIELD": "area", "AREA_UNIT": 0, "OUTPUT": "TEMPORARY_OUTPUT"},
        )["OUTPUT"]
    )
    assert out[0]["density"] == pytest.approx(199e6)
    dest = str(tmp_path / "dc.gpkg")
    for params, word in (
        ({"AREA_FIELD": "area", "THRESHOLD_LOW": 2000, "THRESHOLD_HIGH": 200}, "THRESHOLD_LOW"),
        ({"AREA_FIELD": "area", "POPULATION_FIELD": "pop_txt"}, "pop_txt"),
        ({}, "AREA_FIELD"),  # a table without an area field has nothing to measure
    ):
        with pytest.raises(QgsProcessingException) as err:
            run_alg("kaigo:densityclasses", {"INPUT": layer, "OUTPUT": dest, **params})
        assert word in str(err.value)
        assert not os.path.exists(dest)
    rows[2]["area"] = 0.0
    rows[3]["area"] = None
    bad = _memory_layer("None", fields, rows)
    with pytest.raises(QgsProcessingException) as err:
        run_alg("kaigo:densityclasses", {"INPUT": bad, "AREA_FIELD": "area", "OUTPUT": dest})
    assert "2" in str(err.value) and "row 3" in str(err.value)
    assert not os.path.exists(dest)


# --- qgis_process ------------------------------------------------------------------------------


def test_qgis_process_run(plugin, tottori, tmp_path):
    csv_path = tmp_path / "m.csv"
    proc = subprocess.run(
        [
            QP,
            "--json",
            "run",
            "kaigo:sufficiencyrates",
            "--",
            f"INPUT={tottori}",
            "ELDERLY_FIELD=JINKO",
            f"OUTPUT={tmp_path / 'm.gpkg'}",
            f"OUTPUT_CSV={csv_path}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    result = json.loads(proc.stdout[proc.stdout.index("{") :])
    assert result["results"]["OUTPUT_CSV"] == str(csv_path)
    with open(csv_path, encoding="utf-8-sig", newline="") as fh:
        table = list(csv.DictReader(fh))
    assert len(table) == 19
    assert table[0]["muni_code"] == "31201" and table[0]["class_label"] == "一般都市（中間）"
    assert float(table[0]["density"]) == pytest.approx(253.17, abs=0.05)


# --- the chain on real data: importestat → blankareas → sufficiencyrates ----------------------------


def test_daito_chain_matches_the_reference_rate(plugin, run_alg, sample_data, tmp_path):
    """SPEC reference: OSM 2014 convenience stores only, 2020 75+ population → 大東市 about 30.7 %."""
    imported = run_alg(
        "kaigo:importestat",
        {
            "INPUT": [str(sample_data / "daito-27218" / "chome.shp")],
            "AGES": [str(sample_data / "osaka-2020-ages" / "tblT001082C27.csv")],
            "OUTPUT": str(tmp_path / "chome.gpkg"),
            "REPORT": "TEMPORARY_OUTPUT",
        },
    )["OUTPUT"]
    access = run_alg(
        "kaigo:blankareas",
        {
            "INPUT": imported,
            "RESOURCES": [str(sample_data / "osm-2014" / "convenience_osaka.geojson")],
            "OUTPUT": str(tmp_path / "access.gpkg"),
        },
    )["OUTPUT"]
    res = run_alg("kaigo:sufficiencyrates", {"INPUT": access, "OUTPUT": "TEMPORARY_OUTPUT"})
    (row,) = _rows(res["OUTPUT"])
    assert row["muni_code"] == "27218" and row["muni_name"] == "大東市"
    assert row["pop_75plus"] == 15784  # the city total of the 2020 table (data README)
    assert row["rate_pct"] == pytest.approx(30.7, abs=0.05)
    assert row["rate_band"] == "20-40"
    assert row["density_class"] == 3  # 119,367 people on 18.2 km²
    assert row["area_km2"] == pytest.approx(18.2, abs=0.05)


def test_same_input_same_files(run_alg, tmp_path):
    layer = _memory_layer("Polygon", SMALL_FIELDS, _small_rows())
    for name in ("a", "b"):
        run_alg(
            "kaigo:sufficiencyrates",
            {
                "INPUT": layer,
                "OUTPUT": str(tmp_path / f"{name}.gpkg"),
                "OUTPUT_CSV": str(tmp_path / f"{name}.csv"),
                "OUTPUT_XLSX": str(tmp_path / f"{name}.xlsx"),
            },
        )
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    a, b = _rows(str(tmp_path / "a.gpkg")), _rows(str(tmp_path / "b.gpkg"))
    assert [{k: v for k, v in r.items() if k != "_geom"} for r in a] == [
        {k: v for k, v in r.items() if k != "_geom"} for r in b
    ]
    assert all(x["_geom"].asWkb() == y["_geom"].asWkb() for x, y in zip(a, b))


def test_cancel_leaves_no_output(run_alg, tmp_path):
    from qgis.core import QgsProcessingException, QgsProcessingFeedback

    feedback = QgsProcessingFeedback()
    feedback.cancel()
    layer = _memory_layer("Polygon", SMALL_FIELDS, _small_rows())
    with pytest.raises(QgsProcessingException, match="cancelled"):
        run_alg(
            "kaigo:sufficiencyrates",
            {"INPUT": layer, "OUTPUT": str(tmp_path / "m.gpkg"), "OUTPUT_CSV": str(tmp_path / "m.csv")},
            feedback=feedback,
        )
    assert os.listdir(tmp_path) == []

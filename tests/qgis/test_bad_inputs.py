"""What users feed the plugin, through qgis_process as a script or a model would run it.

Every error: a non-zero exit, one clear sentence in Japanese and one in English that names the input and
what to change, no traceback, nothing at the output path. Every awkward-but-valid input: the right result
and a warning in the log.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from kaigo_paths import ROOT, SAMPLE

QP = str(ROOT / "scripts" / "qgis_process.sh")
DAITO = SAMPLE / "daito-27218" / "chome.shp"
AGES = SAMPLE / "osaka-2020-ages" / "tblT001082C27.csv"
SHOPS = SAMPLE / "osm-2014" / "convenience_osaka.geojson"
JA = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def _qp(args, timeout=300, env=None):
    proc = subprocess.run(
        [QP, "--json", "run", *args], capture_output=True, text=True, timeout=timeout, env=env
    )
    return proc.returncode, proc.stdout, proc.stderr


def _copy_shp(src: Path, dst_dir: Path, name: str, drop=()) -> Path:
    dst_dir.mkdir(parents=True, exist_ok=True)
    for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
        if ext in drop:
            continue
        f = src.with_suffix(ext)
        if f.exists():
            shutil.copy(f, dst_dir / f"{name}{ext}")
    return dst_dir / f"{name}.shp"


def _translate(src: Path, dst: Path, sql: str | None = None, extra=()) -> Path:
    from osgeo import gdal

    opts = ["-f", "GPKG", *extra]
    if sql:
        opts += ["-sql", sql]
    gdal.VectorTranslate(str(dst), str(src), options=opts)
    assert dst.exists(), dst
    return dst


@pytest.fixture(scope="module")
def files(tmp_path_factory, plugin):
    from osgeo import ogr, osr

    d = tmp_path_factory.mktemp("bad")
    f = {}
    f["daito"] = str(DAITO)
    f["nocrs"] = str(_copy_shp(DAITO, d / "nocrs", "chome", drop=(".prj",)))
    f["nokey"] = str(
        _translate(DAITO, d / "nokey.gpkg", "SELECT PREF, CITY, HCODE, JINKO, X_CODE, Y_CODE FROM chome")
    )
    f["textpop"] = str(
        _translate(
            DAITO,
            d / "textpop.gpkg",
            "SELECT KEY_CODE, HCODE, CAST(JINKO AS CHARACTER(12)) AS JINKO, X_CODE, Y_CODE FROM chome",
        )
    )
    ds = ogr.Open(f["textpop"])  # the fixture itself must be what the case says: 124 chōme, JINKO text
    defn = ds.GetLayer(0).GetLayerDefn()
    jinko = defn.GetFieldDefn(defn.GetFieldIndex("JINKO"))
    assert (jinko.GetType(), ds.GetLayer(0).GetFeatureCount()) == (ogr.OFTString, 124)
    ds = None
    # resources: empty layer, and a layer without CRS
    f["empty_res"] = str(d / "empty.geojson")
    Path(f["empty_res"]).write_text('{"type":"FeatureCollection","features":[]}', encoding="utf-8")
    drv = ogr.GetDriverByName("ESRI Shapefile")
    ds = drv.CreateDataSource(str(d / "res_nocrs.shp"))
    lyr = ds.CreateLayer("res_nocrs", None, ogr.wkbPoint)
    feat = ogr.Feature(lyr.GetLayerDefn())
    feat.SetGeometry(ogr.CreateGeometryFromWkt("POINT (135.63 34.71)"))
    lyr.CreateFeature(feat)
    ds = None
    f["res_nocrs"] = str(d / "res_nocrs.shp")
    # chōme with a NULL geometry, an invalid (bow-tie) polygon and a duplicate key with other figures
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(6668)
    gp = ogr.GetDriverByName("GPKG")
    ds = gp.CreateDataSource(str(d / "messy.gpkg"))
    lyr = ds.CreateLayer("messy", srs, ogr.wkbPolygon)
    for name, kind in (("KEY_CODE", ogr.OFTString), ("JINKO", ogr.OFTInteger)):
        lyr.CreateField(ogr.FieldDefn(name, kind))
    rows = [
        (
            "272180010",
            100,
            "POLYGON ((135.650 34.720, 135.655 34.720, 135.655 34.725, 135.650 34.725, 135.650 34.720))",
        ),
        ("272180020", 50, None),
        (
            "272180030",
            70,
            "POLYGON ((135.660 34.720, 135.665 34.725, 135.665 34.720, 135.660 34.725, 135.660 34.720))",
        ),
        (
            "272180040",
            10,
            "POLYGON ((135.640 34.700, 135.645 34.700, 135.645 34.705, 135.640 34.705, 135.640 34.700))",
        ),
        (
            "272180040",
            12,
            "POLYGON ((135.646 34.700, 135.648 34.700, 135.648 34.702, 135.646 34.702, 135.646 34.700))",
        ),
    ]
    for key, pop, wkt in rows:
        feat = ogr.Feature(lyr.GetLayerDefn())
        feat.SetField("KEY_CODE", key)
        feat.SetField("JINKO", pop)
        if wkt:
            feat.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        lyr.CreateFeature(feat)
    ds = None
    f["messy"] = str(d / "messy.gpkg")
    empty = d / "empty_chome.gpkg"
    ds = gp.CreateDataSource(str(empty))
    lyr = ds.CreateLayer("empty_chome", srs, ogr.wkbPolygon)
    lyr.CreateField(ogr.FieldDefn("KEY_CODE", ogr.OFTString))
    ds = None
    f["empty_chome"] = str(empty)
    # tables that are not what they claim to be
    (d / "not_t001082.csv").write_text("name,value\nfoo,1\nbar,2\n", encoding="utf-8")
    f["not_t001082"] = str(d / "not_t001082.csv")
    raw = AGES.read_bytes().decode("cp932").splitlines()
    other_table = [raw[0].replace("T001082", "T000849"), *raw[1:40]]
    (d / "tblT000849C27.csv").write_text("\n".join(other_table) + "\n", encoding="cp932")
    f["other_table"] = str(d / "tblT000849C27.csv")
    other_pref = [raw[0], raw[1]] + ["31" + line[2:] for line in raw[2:200]]
    (d / "tblT001082C31.csv").write_text("\n".join(other_pref) + "\n", encoding="cp932")
    f["other_pref"] = str(d / "tblT001082C31.csv")
    (d / "euc.csv").write_bytes("\n".join(raw[:50]).encode("euc_jp", errors="replace"))
    f["euc"] = str(d / "euc.csv")
    (d / "empty.csv").write_text("", encoding="utf-8")
    f["empty_csv"] = str(d / "empty.csv")
    # a chōme result and a municipality table to feed the later steps
    out = d / "ok"
    code, stdout, stderr = _qp(
        ["kaigo:blankareas", "--", f"INPUT={DAITO}", f"RESOURCES={SHOPS}", f"OUTPUT={out / 'blank.gpkg'}"]
    )
    assert code == 0, stderr
    f["blank"] = str(out / "blank.gpkg")
    code, stdout, stderr = _qp(
        [
            "kaigo:sufficiencyrates",
            "--",
            f"INPUT={f['blank']}",
            "ELDERLY_FIELD=JINKO",
            f"OUTPUT={out / 'muni.gpkg'}",
        ]
    )
    assert code == 0, stderr
    f["muni"] = str(out / "muni.gpkg")
    # a municipality table whose area field has zeros and NULLs, and one with text population
    ds = gp.CreateDataSource(str(d / "muni_bad_area.gpkg"))
    lyr = ds.CreateLayer("muni", None, ogr.wkbNone)
    for name, kind in (
        ("muni_code", ogr.OFTString),
        ("pop_total", ogr.OFTInteger),
        ("area_km2", ogr.OFTReal),
        ("pop_text", ogr.OFTString),
    ):
        lyr.CreateField(ogr.FieldDefn(name, kind))
    for code_, pop, area in (("27218", 119367, 18.27), ("27219", 1000, 0.0), ("27220", 500, None)):
        feat = ogr.Feature(lyr.GetLayerDefn())
        feat.SetField("muni_code", code_)
        feat.SetField("pop_total", pop)
        if area is not None:
            feat.SetField("area_km2", area)
        feat.SetField("pop_text", "多い")
        lyr.CreateFeature(feat)
    ds = None
    f["muni_bad_area"] = str(d / "muni_bad_area.gpkg")
    f["dir"] = str(d)
    return f


# (id, algorithm, parameters as a function of the fixture files, output key that must not exist)
ERROR_CASES = [
    (
        "blank_missing_input",
        "kaigo:blankareas",
        lambda f, o: [f"INPUT={f['dir']}/nope.shp", f"RESOURCES={SHOPS}", f"OUTPUT={o}/x.gpkg"],
    ),
    (
        "blank_missing_resource",
        "kaigo:blankareas",
        lambda f, o: [f"INPUT={DAITO}", f"RESOURCES={f['dir']}/nope.geojson", f"OUTPUT={o}/x.gpkg"],
    ),
    (
        "blank_no_crs",
        "kaigo:blankareas",
        lambda f, o: [f"INPUT={f['nocrs']}", f"RESOURCES={SHOPS}", f"OUTPUT={o}/x.gpkg"],
    ),
    (
        "blank_resource_no_crs",
        "kaigo:blankareas",
        lambda f, o: [f"INPUT={DAITO}", f"RESOURCES={f['res_nocrs']}", f"OUTPUT={o}/x.gpkg"],
    ),
    (
        "blank_negative_radius",
        "kaigo:blankareas",
        lambda f, o: [f"INPUT={DAITO}", f"RESOURCES={SHOPS}", "RADIUS=-5", f"OUTPUT={o}/x.gpkg"],
    ),
    (
        "blank_zero_radius",
        "kaigo:blankareas",
        lambda f, o: [f"INPUT={DAITO}", f"RESOURCES={SHOPS}", "RADIUS=0", f"OUTPUT={o}/x.gpkg"],
    ),
    (
        "blank_text_radius",
        "kaigo:blankareas",
        lambda f, o: [f"INPUT={DAITO}", f"RESOURCES={SHOPS}", "RADIUS=五百", f"OUTPUT={o}/x.gpkg"],
    ),
    (
        "blank_bad_key",
        "kaigo:blankareas",
        lambda f, o: [f"INPUT={DAITO}", f"RESOURCES={SHOPS}", "KEY_FIELD=CHOME_ID", f"OUTPUT={o}/x.gpkg"],
    ),
    (
        "blank_no_key_field",
        "kaigo:blankareas",
        lambda f, o: [f"INPUT={f['nokey']}", f"RESOURCES={SHOPS}", f"OUTPUT={o}/x.gpkg"],
    ),
    (
        "blank_text_population",
        "kaigo:blankareas",
        lambda f, o: [
            f"INPUT={f['textpop']}",
            f"RESOURCES={SHOPS}",
            "POPULATION_FIELD=JINKO",
            f"OUTPUT={o}/x.gpkg",
        ],
    ),
    (
        "blank_unwritable_output",
        "kaigo:blankareas",
        lambda f, o: [f"INPUT={DAITO}", f"RESOURCES={SHOPS}", "OUTPUT=/proc/kaigo/x.gpkg"],
    ),
    (
        "reppoints_bad_key",
        "kaigo:representativepoints",
        lambda f, o: [f"INPUT={DAITO}", "KEY_FIELD=NOPE", f"OUTPUT={o}/x.gpkg"],
    ),
    (
        "reppoints_no_crs",
        "kaigo:representativepoints",
        lambda f, o: [f"INPUT={f['nocrs']}", f"OUTPUT={o}/x.gpkg"],
    ),
    (
        "import_not_t001082",
        "kaigo:importestat",
        lambda f, o: [
            f"INPUT={DAITO}",
            f"AGES={f['not_t001082']}",
            f"OUTPUT={o}/x.gpkg",
            f"REPORT={o}/r.gpkg",
        ],
    ),
    (
        "import_other_table",
        "kaigo:importestat",
        lambda f, o: [
            f"INPUT={DAITO}",
            f"AGES={f['other_table']}",
            f"OUTPUT={o}/x.gpkg",
            f"REPORT={o}/r.gpkg",
        ],
    ),
    (
        "import_other_prefecture",
        "kaigo:importestat",
        lambda f, o: [
            f"INPUT={DAITO}",
            f"AGES={f['other_pref']}",
            f"OUTPUT={o}/x.gpkg",
            f"REPORT={o}/r.gpkg",
        ],
    ),
    (
        "import_wrong_encoding",
        "kaigo:importestat",
        lambda f, o: [f"INPUT={DAITO}", f"AGES={f['euc']}", f"OUTPUT={o}/x.gpkg", f"REPORT={o}/r.gpkg"],
    ),
    (
        "import_empty_csv",
        "kaigo:importestat",
        lambda f, o: [f"INPUT={DAITO}", f"AGES={f['empty_csv']}", f"OUTPUT={o}/x.gpkg", f"REPORT={o}/r.gpkg"],
    ),
    (
        "import_no_key",
        "kaigo:importestat",
        lambda f, o: [f"INPUT={f['nokey']}", f"AGES={AGES}", f"OUTPUT={o}/x.gpkg", f"REPORT={o}/r.gpkg"],
    ),
    (
        "import_missing_ages",
        "kaigo:importestat",
        lambda f, o: [
            f"INPUT={DAITO}",
            f"AGES={f['dir']}/nope.csv",
            f"OUTPUT={o}/x.gpkg",
            f"REPORT={o}/r.gpkg",
        ],
    ),
    (
        "import_share_above_one",
        "kaigo:importestat",
        lambda f, o: [
            f"INPUT={DAITO}",
            f"AGES={AGES}",
            "CARE3_SHARE=10.9",
            f"OUTPUT={o}/x.gpkg",
            f"REPORT={o}/r.gpkg",
        ],
    ),
    (
        "rates_thresholds_reversed",
        "kaigo:sufficiencyrates",
        lambda f, o: [
            f"INPUT={f['blank']}",
            "ELDERLY_FIELD=JINKO",
            "THRESHOLD_LOW=2000",
            "THRESHOLD_HIGH=200",
            f"OUTPUT={o}/x.gpkg",
        ],
    ),
    (
        "rates_no_access_fields",
        "kaigo:sufficiencyrates",
        lambda f, o: [f"INPUT={DAITO}", "ELDERLY_FIELD=JINKO", f"OUTPUT={o}/x.gpkg"],
    ),
    (
        "rates_missing_elderly_field",
        "kaigo:sufficiencyrates",
        lambda f, o: [f"INPUT={f['blank']}", "ELDERLY_FIELD=pop_75", f"OUTPUT={o}/x.gpkg"],
    ),
    (
        "rates_text_population",
        "kaigo:sufficiencyrates",
        lambda f, o: [
            f"INPUT={f['blank']}",
            "ELDERLY_FIELD=JINKO",
            "POPULATION_FIELD=S_NAME",
            f"OUTPUT={o}/x.gpkg",
        ],
    ),
    (
        "rates_unwritable_csv",
        "kaigo:sufficiencyrates",
        lambda f, o: [
            f"INPUT={f['blank']}",
            "ELDERLY_FIELD=JINKO",
            f"OUTPUT={o}/x.gpkg",
            "OUTPUT_CSV=/proc/kaigo/m.csv",
        ],
    ),
    (
        "density_thresholds_reversed",
        "kaigo:densityclasses",
        lambda f, o: [f"INPUT={f['muni']}", "THRESHOLD_LOW=300", "THRESHOLD_HIGH=300", f"OUTPUT={o}/x.gpkg"],
    ),
    (
        "density_area_zero_or_null",
        "kaigo:densityclasses",
        lambda f, o: [
            f"INPUT={f['muni_bad_area']}",
            "POPULATION_FIELD=pop_total",
            "AREA_FIELD=area_km2",
            f"OUTPUT={o}/x.gpkg",
        ],
    ),
    (
        "density_text_population",
        "kaigo:densityclasses",
        lambda f, o: [
            f"INPUT={f['muni_bad_area']}",
            "POPULATION_FIELD=pop_text",
            "AREA_FIELD=area_km2",
            f"OUTPUT={o}/x.gpkg",
        ],
    ),
    (
        "charts_no_rate_field",
        "kaigo:committeecharts",
        lambda f, o: [f"INPUT={DAITO}", f"OUTPUT_FOLDER={o}/charts"],
    ),
    (
        "charts_thresholds_reversed",
        "kaigo:committeecharts",
        lambda f, o: [
            f"INPUT={f['muni']}",
            "THRESHOLD_LOW=5000",
            "THRESHOLD_HIGH=100",
            f"OUTPUT_FOLDER={o}/charts",
        ],
    ),
    ("map_no_status_field", "kaigo:exportmap", lambda f, o: [f"INPUT={DAITO}", f"OUTPUT_FOLDER={o}/maps"]),
    (
        "map_unknown_municipality",
        "kaigo:exportmap",
        lambda f, o: [f"INPUT={f['blank']}", "MUNI_CODES=99999", f"OUTPUT_FOLDER={o}/maps"],
    ),
    (
        "full_no_elderly",
        "kaigo:fullanalysis",
        lambda f, o: [f"CHOME={f['nokey']}", f"RESOURCES={SHOPS}", f"OUTPUT_FOLDER={o}/full"],
    ),
    (
        "full_thresholds_reversed",
        "kaigo:fullanalysis",
        lambda f, o: [
            f"CHOME={DAITO}",
            f"AGES={AGES}",
            f"RESOURCES={SHOPS}",
            "THRESHOLD_LOW=3000",
            "THRESHOLD_HIGH=2000",
            f"OUTPUT_FOLDER={o}/full",
        ],
    ),
    (
        "full_bad_table",
        "kaigo:fullanalysis",
        lambda f, o: [
            f"CHOME={DAITO}",
            f"AGES={f['not_t001082']}",
            f"RESOURCES={SHOPS}",
            f"OUTPUT_FOLDER={o}/full",
        ],
    ),
    (
        "full_unwritable_folder",
        "kaigo:fullanalysis",
        lambda f, o: [
            f"CHOME={DAITO}",
            f"AGES={AGES}",
            f"RESOURCES={SHOPS}",
            "OUTPUT_FOLDER=/proc/kaigo/full",
        ],
    ),
]


@pytest.mark.parametrize(("case", "alg", "make"), ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_bad_input_stops_with_a_bilingual_sentence_and_no_output(files, tmp_path, case, alg, make):
    out = tmp_path / "out"
    out.mkdir()
    code, stdout, stderr = _qp([alg, "--", *make(files, out)])
    text = stdout + stderr
    assert code != 0, f"{case} must fail\n{text[-2000:]}"
    assert "Traceback" not in text, text[-3000:]
    error_lines = [
        ln for ln in text.splitlines() if ln.strip() and not ln.startswith(("QStandardPaths", "<string>"))
    ]
    joined = "\n".join(error_lines)
    assert JA.search(joined), f"no Japanese sentence:\n{joined[-1500:]}"
    assert re.search(r"[A-Za-z]{3,}[^\n]*(\.|:)", joined), f"no English sentence:\n{joined[-1500:]}"
    # nothing half-written at the output paths
    assert [p for p in out.rglob("*") if p.is_file()] == [], sorted(str(p) for p in out.rglob("*"))


def test_there_are_at_least_30_error_cases():
    assert len(ERROR_CASES) >= 30
    assert len({alg for _, alg, _ in ERROR_CASES}) == 8  # every algorithm is covered


def _run_ok(args, lang=None):
    import os

    env = dict(os.environ, KAIGO_LANG=lang) if lang else None
    code, stdout, stderr = _qp(args, env=env)
    assert code == 0, (stdout + stderr)[-3000:]
    return json.loads(stdout), stdout + stderr


def test_empty_resource_layer_is_valid_every_chome_blank_and_warned(files, tmp_path):
    from qgis.core import QgsVectorLayer

    data, log = _run_ok(
        [
            "kaigo:blankareas",
            "--",
            f"INPUT={DAITO}",
            f"RESOURCES={files['empty_res']}",
            f"OUTPUT={tmp_path / 'b.gpkg'}",
        ],
        lang="ja",
    )
    layer = QgsVectorLayer(data["results"]["OUTPUT"], "b", "ogr")
    feats = list(layer.getFeatures())
    assert len(feats) == 124
    assert {f["has_access"] for f in feats} == {0}
    from kaigo_resource_plugin.compat import is_null

    assert all(is_null(f["nearest_m"]) for f in feats)
    assert {f["status"] for f in feats} == {"blank", "no_population"}
    # the warning in the QGIS language only (issue #15 item 5)
    assert "空（0 件）" in log and "is empty (0 features)" not in log


def test_empty_chome_layer_gives_an_empty_result_and_a_warning(files, tmp_path):
    from qgis.core import QgsVectorLayer

    data, log = _run_ok(
        [
            "kaigo:blankareas",
            "--",
            f"INPUT={files['empty_chome']}",
            f"RESOURCES={SHOPS}",
            f"OUTPUT={tmp_path / 'b.gpkg'}",
        ],
        lang="en",
    )
    assert QgsVectorLayer(data["results"]["OUTPUT"], "b", "ogr").featureCount() == 0
    assert "has no feature" in log and "地物がありません" not in log  # English QGIS: English only


def test_null_and_invalid_geometries_are_skipped_and_counted(files, tmp_path):
    from qgis.core import QgsVectorLayer

    data, log = _run_ok(
        [
            "kaigo:blankareas",
            "--",
            f"INPUT={files['messy']}",
            f"RESOURCES={SHOPS}",
            "POPULATION_FIELD=JINKO",
            f"OUTPUT={tmp_path / 'b.gpkg'}",
        ]
    )
    layer = QgsVectorLayer(data["results"]["OUTPUT"], "b", "ogr")
    keys = sorted(f["KEY_CODE"] for f in layer.getFeatures())
    assert "272180010" in keys and "272180040" in keys
    assert "272180020" not in keys  # NULL geometry: skipped
    assert re.search(r"(NULL|null|空|無効|invalid)", log)


def test_duplicate_keys_with_different_values_count_once_with_a_warning(files, tmp_path):
    from qgis.core import QgsVectorLayer

    data, _ = _run_ok(
        [
            "kaigo:blankareas",
            "--",
            f"INPUT={files['messy']}",
            f"RESOURCES={SHOPS}",
            "POPULATION_FIELD=JINKO",
            f"OUTPUT={tmp_path / 'b.gpkg'}",
        ]
    )
    data2, log = _run_ok(
        [
            "kaigo:sufficiencyrates",
            "--",
            f"INPUT={data['results']['OUTPUT']}",
            "ELDERLY_FIELD=JINKO",
            "CARE3_SHARE=0",
            "POPULATION_FIELD=JINKO",
            f"OUTPUT={tmp_path / 'm.gpkg'}",
        ]
    )
    muni = QgsVectorLayer(data2["results"]["OUTPUT"], "m", "ogr")
    row = next(muni.getFeatures())
    # 272180010 (100), the bow-tie 272180030 (70, repaired) and 272180040 stored twice with 10 and 12:
    # counted once with the larger figure, never 22; the NULL-geometry chōme is left out.
    assert row["n_chome"] == 3
    assert float(row["at_home_75plus"]) == 100 + 70 + 12.0

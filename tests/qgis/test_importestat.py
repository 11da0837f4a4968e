"""kaigo:importestat on the real e-Stat files (shared data) and on small fixtures."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from kaigo_paths import ROOT

FIXTURES = ROOT / "tests" / "data" / "estat"
QP = str(ROOT / "scripts" / "qgis_process.sh")


def _features(path) -> list:
    from qgis.core import QgsVectorLayer

    layer = QgsVectorLayer(str(path), "out", "ogr")
    assert layer.isValid(), path
    return list(layer.getFeatures())


def _layer(path):
    from qgis.core import QgsVectorLayer

    layer = QgsVectorLayer(str(path), "out", "ogr")
    assert layer.isValid(), path
    return layer


def _val(v):
    from kaigo_resource_plugin.compat import is_null

    return None if is_null(v) else v


def _by_key(path) -> dict:
    out = {}
    for f in _features(path):
        out[f["KEY_CODE"]] = {n: _val(f[n]) for n in f.fields().names() if n != "fid"}
    return out


def _report(path) -> list[dict]:
    return [{n: _val(f[n]) for n in f.fields().names() if n != "fid"} for f in _features(path)]


@pytest.fixture(scope="module")
def osaka_table(shared_data) -> Path:
    return shared_data / "osaka-2020-ages" / "tblT001082C27.csv"


@pytest.fixture(scope="module")
def daito_run(plugin, shared_data, osaka_table, tmp_path_factory):
    import processing

    out = tmp_path_factory.mktemp("daito")
    res = processing.run(
        "kaigo:importestat",
        {
            "INPUT": [str(shared_data / "daito-27218" / "chome.shp")],
            "AGES": [str(osaka_table)],
            "OUTPUT": str(out / "daito.gpkg"),
            "REPORT": str(out / "report.gpkg"),
        },
    )
    return res


def test_daito_124_chome_and_75plus_equal_to_the_city_row(daito_run):
    from qgis.core import QgsWkbTypes

    rows = _by_key(daito_run["OUTPUT"])
    assert len(rows) == 124
    assert sum(r["pop_75plus"] or 0 for r in rows.values()) == 15784
    assert sum(r["pop_total"] or 0 for r in rows.values()) == 119367
    assert {r["muni_code"] for r in rows.values()} == {"27218"}
    assert {r["muni_name"] for r in rows.values()} == {"大東市"}
    assert {r["pref_name"] for r in rows.values()} == {"大阪府"}
    assert rows["27218002001"]["chome_name"] == "北条１丁目"
    assert rows["27218002001"]["age_level"] == 4
    assert rows["27218002001"]["at_home_75plus"] == pytest.approx(rows["27218002001"]["pop_75plus"] * 0.891)
    # 大字北条: e-Stat added its figures to 北条三丁目 (HTKSYORI=2): kept there, NULL here
    assert rows["272180010"]["join_status"] == "merged_away" and rows["272180010"]["pop_75plus"] is None
    layer = _layer(daito_run["OUTPUT"])
    assert QgsWkbTypes.flatType(layer.wkbType()) == QgsWkbTypes.Type.MultiPolygon
    assert layer.crs().authid() == "EPSG:2448"
    report = _report(daito_run["REPORT"])
    check = [r for r in report if r["item"] == "muni_check_75plus"]
    assert len(check) == 1
    from kaigo_resource_plugin.core.estat import detail_text
    from kaigo_resource_plugin.i18n_loader import output_language

    assert (check[0]["value_boundary"], check[0]["value_table"], check[0]["detail"]) == (
        15784,
        15784,
        detail_text("equal", output_language()),  # the report speaks the QGIS language (issue #15)
    )
    merged = [r for r in report if r["item"] == "merged" and r["KEY_CODE"]]
    assert [(r["KEY_CODE"], r["detail"].split()[1]) for r in merged] == [("272180010", "27218002003")]
    assert daito_run["MATCHED"] == 124 and daito_run["MISSING"] == 0


def test_daito_without_cpg_and_language_byte_and_utf8_bom_table(plugin, run_alg, daito_run, tmp_path):
    # the fixture has no .cpg and a zeroed LDID; GDAL alone would give mojibake
    assert not (FIXTURES / "daito_nocpg" / "chome.cpg").exists()
    assert (FIXTURES / "daito_nocpg" / "chome.dbf").read_bytes()[29] == 0
    assert (FIXTURES / "daito_ages_utf8bom.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    gdal_names = {f["CITY_NAME"] for f in _features(FIXTURES / "daito_nocpg" / "chome.shp")}
    assert gdal_names != {"大東市"}  # the failure this algorithm repairs
    res = run_alg(
        "kaigo:importestat",
        {
            "INPUT": [str(FIXTURES / "daito_nocpg" / "chome.shp")],
            "AGES": [str(FIXTURES / "daito_ages_utf8bom.csv")],
            "OUTPUT": str(tmp_path / "out.gpkg"),
            "REPORT": str(tmp_path / "report.gpkg"),
        },
    )
    rows = _by_key(res["OUTPUT"])
    ref = _by_key(daito_run["OUTPUT"])
    assert rows == ref
    assert {r["muni_name"] for r in rows.values()} == {"大東市"}
    assert rows["27218002001"]["chome_name"] == "北条１丁目"


def test_osaka_2015_points_joined_to_2020_table(plugin, run_alg, shared_data, osaka_table, tmp_path):
    from qgis.core import QgsWkbTypes

    res = run_alg(
        "kaigo:importestat",
        {
            "INPUT": [str(shared_data / "osaka-2015-points" / "27-oosaka-all.dbf")],
            "AGES": [str(osaka_table)],
            "OUTPUT": str(tmp_path / "osaka.gpkg"),
            "REPORT": str(tmp_path / "report.gpkg"),
        },
    )
    assert (res["MATCHED"], res["MATCHED_LEVEL3"], res["MISSING"]) == (8597, 7, 85)
    layer = _layer(res["OUTPUT"])
    assert QgsWkbTypes.flatType(layer.wkbType()) == QgsWkbTypes.Type.Point
    assert layer.crs().authid() == "EPSG:4612"  # 2015 layout: JGD2000
    rows = _by_key(res["OUTPUT"])
    assert len(rows) == 8682  # one per key, water dropped
    level3 = {k for k, r in rows.items() if r["age_level"] == 3}
    assert len(level3) == 7 and "272271680" in level3
    missing = {k for k, r in rows.items() if r["join_status"] == "missing"}
    assert len(missing) == 85
    assert all(rows[k]["pop_total"] is None and rows[k]["pop_75plus"] is None for k in missing)
    assert rows["27102001001"]["muni_name"] == "大阪市都島区"
    assert rows["27102001001"]["chome_name"] == "片町１丁目"
    assert rows["27102001001"]["pop_75plus"] == 50
    # a key with two rows: one point, from the row flagged AREA_MAX_F = M
    pt = next(f for f in layer.getFeatures() if f["KEY_CODE"] == rows_key_with_parts(shared_data))
    assert (pt.geometry().asPoint().x(), pt.geometry().asPoint().y()) == (pt["X_CODE"], pt["Y_CODE"])
    report = _report(res["REPORT"])
    listed = sorted(r["KEY_CODE"] for r in report if r["item"] == "boundary_missing" and r["KEY_CODE"])
    assert listed == sorted(missing)
    summary = {r["item"]: r["count"] for r in report if not r["KEY_CODE"] and not r["muni_code"]}
    assert summary["water_dropped"] == 18 and summary["matched_level3"] == 7
    checks = [r for r in report if r["item"] == "muni_check_75plus"]
    assert len(checks) == 72  # every HYOSYO=1 row of the table: all 72 municipalities and wards
    daito = next(r for r in checks if r["muni_code"] == "27218")
    assert daito["value_table"] == 15784


def rows_key_with_parts(shared_data) -> str:
    """A key stored as two rows in the 2015 Osaka table (checked independently with the dBASE reader)."""
    from kaigo_resource_plugin.core import estat

    dbf = estat.read_dbf(str(shared_data / "osaka-2015-points" / "27-oosaka-all.dbf"))
    keys = dbf.column("KEY_CODE", "cp932")
    seen = set()
    for k in keys:
        if k in seen:
            return k
        seen.add(k)
    raise AssertionError("no key with two rows")


def test_utf8_bom_resave_of_the_prefecture_table_gives_the_same_result(
    plugin, run_alg, shared_data, osaka_table, tmp_path
):
    bom = tmp_path / "tblT001082C27_utf8.csv"
    text = osaka_table.read_bytes().decode("cp932").replace("\r\n", "\n")
    bom.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    results = []
    for i, table in enumerate((osaka_table, bom)):
        res = run_alg(
            "kaigo:importestat",
            {
                "INPUT": [str(shared_data / "osaka-2015-points" / "27-oosaka-all.dbf")],
                "AGES": [str(table)],
                "OUTPUT": str(tmp_path / f"o{i}.gpkg"),
                "REPORT": str(tmp_path / f"r{i}.gpkg"),
            },
        )
        results.append((res["MATCHED"], res["MISSING"], _by_key(res["OUTPUT"]), _report(res["REPORT"])))
    assert results[0][:2] == (8597, 85)
    assert results[0] == results[1]


def test_rollup_wards_care3_table_and_field(plugin, run_alg, shared_data, osaka_table, tmp_path):
    care = tmp_path / "care3.csv"
    care.write_text("code,share\n27100,0.2\n27218,0.15\n", encoding="utf-8")
    res = run_alg(
        "kaigo:importestat",
        {
            "INPUT": [str(shared_data / "osaka-2015-points" / "27-oosaka-all.dbf")],
            "AGES": [str(osaka_table)],
            "ROLLUP_WARDS": True,
            "CARE3_TABLE": str(care),
            "CARE3_SHARE": 0.1,
            "OUTPUT": str(tmp_path / "o.gpkg"),
            "REPORT": str(tmp_path / "r.gpkg"),
        },
    )
    rows = _by_key(res["OUTPUT"])
    assert rows["27102001001"]["muni_code"] == "27100" and rows["27102001001"]["muni_name"] == "大阪市"
    assert rows["27102001001"]["care3_share"] == 0.2
    assert rows["27141001001"]["muni_code"] == "27140"  # 堺市堺区 → 堺市
    assert rows["27141001001"]["care3_share"] == 0.1
    assert rows["27218002001"]["care3_share"] == 0.15
    report = _report(res["REPORT"])
    osaka = next(r for r in report if r["item"] == "muni_check_75plus" and r["muni_code"] == "27100")
    # the 24 ward rows (HYOSYO=1) of the table added up, read independently of the algorithm
    from kaigo_resource_plugin.core import estat

    table = estat.read_age_tables([str(osaka_table)]).rows
    wards = [r for k, r in table.items() if r.level == 1 and "27101" <= k <= "27128"]
    assert len(wards) == 24
    assert osaka["value_table"] == sum(r.age75 for r in wards)
    assert not any(
        r["muni_code"] and r["muni_code"].startswith("271") and r["muni_code"] not in ("27100", "27140")
        for r in report
        if r["item"].startswith("muni_check")
    )


def _memory_polygons(rows, fields=("KEY_CODE", "S_NAME", "HCODE", "SHARE")):
    """A memory polygon layer (EPSG:6668): rows = (key, name, hcode, share, x0) → a 0.001° square at x0."""
    from qgis.core import QgsFeature, QgsGeometry, QgsVectorLayer

    from kaigo_resource_plugin.compat import make_field

    layer = QgsVectorLayer("Polygon?crs=EPSG:6668", "mem", "memory")
    types = {"KEY_CODE": "string", "S_NAME": "string", "HCODE": "int", "SHARE": "double"}
    layer.dataProvider().addAttributes([make_field(f, types[f]) for f in fields])
    layer.updateFields()
    feats = []
    for row in rows:
        key, name, hcode, share, x0 = row
        f = QgsFeature(layer.fields())
        values = {"KEY_CODE": key, "S_NAME": name, "HCODE": hcode, "SHARE": share}
        f.setAttributes([values[n] for n in fields])
        f.setGeometry(
            QgsGeometry.fromWkt(
                f"POLYGON(({x0} 34.7, {x0 + 0.001} 34.7, {x0 + 0.001} 34.701, {x0} 34.701, {x0} 34.7))"
            )
        )
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    return layer


def test_multipart_keys_are_merged_water_dropped_and_mojibake_repaired(
    plugin, run_alg, osaka_table, tmp_path
):
    mojibake = "北条１丁目".encode("cp932").decode("latin-1")
    layer = _memory_polygons(
        [
            ("27218002001", mojibake, 8101, 0.3, 135.60),
            ("27218002001", mojibake, 8101, None, 135.61),  # 飛び地 of the same chōme
            ("27218002002", "北条２丁目", 8101, None, 135.62),
            ("27218999999", "水面", 8154, None, 135.63),
        ]
    )
    res = run_alg(
        "kaigo:importestat",
        {
            "INPUT": [layer],
            "AGES": [str(osaka_table)],
            "CARE3_FIELD": "SHARE",
            "OUTPUT": str(tmp_path / "o.gpkg"),
            "REPORT": str(tmp_path / "r.gpkg"),
        },
    )
    feats = {f["KEY_CODE"]: f for f in _features(res["OUTPUT"])}
    assert sorted(feats) == ["27218002001", "27218002002"]
    g = feats["27218002001"].geometry()
    assert g.isMultipart() and len(g.asMultiPolygon()) == 2
    assert feats["27218002001"]["chome_name"] == "北条１丁目"
    assert feats["27218002001"]["care3_share"] == 0.3
    assert feats["27218002002"]["care3_share"] == pytest.approx(0.109)
    assert feats["27218002001"]["pop_75plus"] == 383
    assert feats["27218002001"]["at_home_75plus"] == pytest.approx(383 * 0.7)
    report = {r["item"]: r for r in _report(res["REPORT"]) if not r["KEY_CODE"] and not r["muni_code"]}
    assert report["water_dropped"]["count"] == 1 and report["multipart_merged"]["count"] == 1


# ---------------------------------------------------------------------------------------------------
# bad input: a clear message, no output


def _fails(run_alg, params, tmp_path, *needles):
    from qgis.core import QgsProcessingException

    out, rep = tmp_path / "bad.gpkg", tmp_path / "bad_report.gpkg"
    with pytest.raises(QgsProcessingException) as err:
        run_alg("kaigo:importestat", {**params, "OUTPUT": str(out), "REPORT": str(rep)})
    for needle in needles:
        assert needle in str(err.value), str(err.value)
    assert not out.exists() and not rep.exists()
    return str(err.value)


def test_a_csv_that_is_not_t001082_stops(plugin, run_alg, tmp_path):
    other = tmp_path / "tblT001081C27.csv"
    other.write_bytes(
        "KEY_CODE,HYOSYO,CITYNAME,NAME,HTKSYORI,HTKSAKI,GASSAN,T001081001,T001081002\r\n"
        ",,,,,,,総数,男\r\n27218,1,大東市,,0,,,119367,57000\r\n".encode("cp932")
    )
    msg = _fails(
        run_alg,
        {"INPUT": [str(FIXTURES / "daito_nocpg" / "chome.shp")], "AGES": [str(other)]},
        tmp_path,
        "T001082",
        "T001081",
        "tblT001081C27.csv",
    )
    assert "ではありません" in msg


def test_a_boundary_without_key_code_stops(plugin, run_alg, osaka_table, tmp_path):
    layer = _memory_polygons([("x", "北条１丁目", 8101, None, 135.6)], fields=("S_NAME", "HCODE"))
    _fails(run_alg, {"INPUT": [layer], "AGES": [str(osaka_table)]}, tmp_path, "KEY_CODE", "mem")


def test_a_table_of_another_prefecture_stops(plugin, run_alg, shared_data, osaka_table, tmp_path):
    _fails(
        run_alg,
        {"INPUT": [str(shared_data / "tottori-2015" / "31-tottori-all.shp")], "AGES": [str(osaka_table)]},
        tmp_path,
        "31",
        "27",
        "No output was written",
    )


def test_qgis_process_with_two_ages_files(plugin, shared_data, osaka_table, tmp_path):
    proc = subprocess.run(
        [
            QP,
            "--json",
            "run",
            "kaigo:importestat",
            f"--INPUT={FIXTURES / 'daito_nocpg' / 'chome.shp'}",
            f"--AGES={FIXTURES / 'daito_ages_utf8bom.csv'}",
            f"--AGES={osaka_table}",
            f"--OUTPUT={tmp_path / 'o.gpkg'}",
            f"--REPORT={tmp_path / 'r.gpkg'}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert len(data["inputs"]["AGES"]) == 2
    assert data["results"]["MATCHED"] == 124 and data["results"]["MISSING"] == 0
    assert any("utf-8-sig" in line for line in data["log"]["info"])
    assert any("cp932 (bytes" in line or "cp932（バイト列" in line for line in data["log"]["info"])
    rows = _by_key(tmp_path / "o.gpkg")
    assert sum(r["pop_75plus"] or 0 for r in rows.values()) == 15784


def test_several_inputs_are_reprojected_to_the_first_crs(plugin, run_alg, osaka_table, tmp_path):
    extra = _memory_polygons([("27218002001", "北条１丁目", 8101, None, 135.65)])  # EPSG:6668 degrees
    res = run_alg(
        "kaigo:importestat",
        {
            "INPUT": [str(FIXTURES / "daito_nocpg" / "chome.shp"), extra],
            "AGES": [str(osaka_table)],
            "OUTPUT": str(tmp_path / "o.gpkg"),
            "REPORT": str(tmp_path / "r.gpkg"),
        },
    )
    layer = _layer(res["OUTPUT"])
    assert layer.crs().authid() == "EPSG:2448"
    feats = {f["KEY_CODE"]: f for f in layer.getFeatures()}
    assert len(feats) == 124
    g = feats["27218002001"].geometry()
    assert len(g.asMultiPolygon()) == 2  # the Daito polygon and the extra square, one chōme
    box = g.boundingBox()
    # plane rectangular zone VI metres (135.65°E, 34.7°N is about x = -32 km, y = -144 km)
    assert -40000 < box.xMinimum() < box.xMaximum() < -25000
    assert -150000 < box.yMinimum() < box.yMaximum() < -135000
    assert feats["27218002001"]["pop_75plus"] == 383  # counted once


def test_polygons_mixed_with_a_table_stop(plugin, run_alg, shared_data, osaka_table, tmp_path):
    _fails(
        run_alg,
        {
            "INPUT": [
                str(FIXTURES / "daito_nocpg" / "chome.shp"),
                str(shared_data / "osaka-2015-points" / "27-oosaka-all.dbf"),
            ],
            "AGES": [str(osaka_table)],
        },
        tmp_path,
        "polygons",
    )


def test_shapefile_inside_a_zip_without_cpg_is_decoded_through_ogr(plugin, run_alg, tmp_path):
    import zipfile

    archive = tmp_path / "daito.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for ext in ("shp", "shx", "dbf", "prj"):
            zf.write(FIXTURES / "daito_nocpg" / f"chome.{ext}", f"chome.{ext}")
    from qgis.core import QgsVectorLayer

    layer = QgsVectorLayer(f"/vsizip/{archive}/chome.shp", "daito", "ogr")
    assert layer.isValid()
    assert next(layer.getFeatures())["CITY_NAME"] != "大東市"  # OGR alone: undecodable
    res = run_alg(
        "kaigo:importestat",
        {
            "INPUT": [layer],
            "AGES": [str(FIXTURES / "daito_ages_utf8bom.csv")],
            "OUTPUT": str(tmp_path / "o.gpkg"),
            "REPORT": str(tmp_path / "r.gpkg"),
        },
    )
    rows = _by_key(res["OUTPUT"])
    assert len(rows) == 124
    assert {r["muni_name"] for r in rows.values()} == {"大東市"}
    assert rows["27218002001"]["chome_name"] == "北条１丁目"
    assert sum(r["pop_75plus"] or 0 for r in rows.values()) == 15784


def test_reimporting_the_output_gives_the_same_chome(plugin, run_alg, daito_run, osaka_table, tmp_path):
    res = run_alg(
        "kaigo:importestat",
        {
            "INPUT": [daito_run["OUTPUT"]],
            "AGES": [str(osaka_table)],
            "OUTPUT": str(tmp_path / "again.gpkg"),
            "REPORT": str(tmp_path / "r.gpkg"),
        },
    )
    assert _by_key(res["OUTPUT"]) == _by_key(daito_run["OUTPUT"])


def test_ages_given_as_a_delimited_text_layer(plugin, run_alg, tmp_path):
    from qgis.core import QgsVectorLayer

    csv_path = FIXTURES / "daito_ages_utf8bom.csv"
    table = QgsVectorLayer(
        f"file://{csv_path}?type=csv&detectTypes=no&geomType=none", "ages", "delimitedtext"
    )
    assert table.isValid()
    res = run_alg(
        "kaigo:importestat",
        {
            "INPUT": [str(FIXTURES / "daito_nocpg" / "chome.shp")],
            "AGES": [table],
            "OUTPUT": str(tmp_path / "o.gpkg"),
            "REPORT": str(tmp_path / "r.gpkg"),
        },
    )
    assert res["MATCHED"] == 124
    assert sum(r["pop_75plus"] or 0 for r in _by_key(res["OUTPUT"]).values()) == 15784

"""kaigo:networkaccess through processing.run, a graphical model and qgis_process, on the Ube network."""

from __future__ import annotations

import json
import subprocess

import pytest
from kaigo_paths import ROOT

ALG = "kaigo:networkaccess"
QP = str(ROOT / "scripts" / "qgis_process.sh")
UBE = ROOT / "tests" / "data" / "ube-35202"
CHOME = str(UBE / "35202-chome-2015.dbf")
SHELTERS = str(UBE / "shelters.gpkg")
ROADS = str(UBE / "roads.gpkg")


def _layer(path, name="out"):
    from qgis.core import QgsVectorLayer

    layer = QgsVectorLayer(str(path), name, "ogr")
    assert layer.isValid(), path
    return layer


def _by_key(path, *fields):
    return {f["KEY_CODE"]: tuple(f[x] for x in fields) for f in _layer(path).getFeatures()}


@pytest.fixture(scope="module")
def ube_result(tmp_path_factory, plugin):
    import processing

    folder = tmp_path_factory.mktemp("ube")
    out, comp = folder / "net.gpkg", folder / "comparison.csv"
    result = processing.run(
        ALG,
        {
            "INPUT": CHOME,
            "RESOURCES": [SHELTERS],
            "NETWORK": ROADS,
            "SPEED": 80,
            "OUTPUT": str(out),
            "OUTPUT_COMPARISON": str(comp),
        },
    )
    return result, out, comp


def _is_null(v):
    from kaigo_resource_plugin.compat import is_null

    return is_null(v)


def test_ube_fields_and_plausible_values(ube_result):
    result, out, comp = ube_result
    assert result["OUTPUT"] == str(out) and result["OUTPUT_COMPARISON"] == str(comp)
    layer = _layer(out)
    names = layer.fields().names()
    for base in ("net_m", "net_access", "straight_m", "detour_ratio", "status_net", "net_min"):
        assert base in names and f"{base}_shelters" in names
    assert "snap_m" in names and "KEY_CODE" in names and "JINKO" in names
    feats = list(layer.getFeatures())
    assert len(feats) == 456  # 471 rows, 1 water area, 14 exclaves counted once
    on = [f for f in feats if not _is_null(f["net_m"])]
    assert 250 < len(on) < 300  # the road extent covers about 60 % of Ube's chōme
    for f in on:
        assert f["net_m"] >= f["straight_m"] - 1e-3  # never shorter than the straight line
        assert f["net_min"] == pytest.approx(f["net_m"] / 80.0, abs=0.01)
        assert f["net_access"] == int(f["net_m"] <= 500.0)
        assert f["detour_ratio"] == pytest.approx(f["net_m"] / f["straight_m"], rel=1e-3)
        assert f["snap_m"] <= 200.0
    assert {f["status_net"] for f in feats} <= {"covered", "blank", "no_population"}
    # the network takes chōme away from the 500 m circle, never the reverse
    covered_straight = sum(1 for f in feats if f["straight_m"] <= 500.0 and f["JINKO"] != 0)
    covered_net = sum(1 for f in feats if f["status_net"] == "covered")
    assert covered_net < covered_straight


def test_ube_comparison_table(ube_result):
    _, out, comp = ube_result
    rows = list(_layer(comp, "comparison").getFeatures())
    assert [r["muni_code"] for r in rows] == ["35202"]
    r = rows[0]
    assert int(r["n_chome"]) == 456
    assert float(r["rate_net_pct"]) < float(r["rate_straight_pct"])
    assert int(r["n_gained"]) == 0 and int(r["n_lost"]) > 0
    feats = list(_layer(out).getFeatures())
    lost = sum(1 for f in feats if f["straight_m"] <= 500.0 and f["net_access"] == 0)
    assert int(r["n_lost"]) == lost


def test_crs_of_the_network_does_not_change_distances(ube_result, tmp_path, run_alg):
    _, out, _ = ube_result
    projected = tmp_path / "roads_6671.gpkg"
    run_alg("native:reprojectlayer", {"INPUT": ROADS, "TARGET_CRS": "EPSG:6671", "OUTPUT": str(projected)})
    again = tmp_path / "net_6671.gpkg"
    run_alg(ALG, {"INPUT": CHOME, "RESOURCES": [SHELTERS], "NETWORK": str(projected), "OUTPUT": str(again)})
    a, b = _by_key(out, "net_m"), _by_key(again, "net_m")
    assert a.keys() == b.keys()
    n = 0
    for key, (d,) in a.items():
        (e,) = b[key]
        assert _is_null(d) == _is_null(e), key
        if not _is_null(d):
            assert abs(d - e) < 0.01, (key, d, e)
            n += 1
    assert n > 250


def test_a_graphical_model_runs_it(plugin, tmp_path):
    import processing
    from qgis.core import (
        QgsProcessingModelAlgorithm,
        QgsProcessingModelChildAlgorithm,
        QgsProcessingModelChildParameterSource,
        QgsProcessingModelOutput,
    )

    model = QgsProcessingModelAlgorithm("networkmodel", "tests")
    child = QgsProcessingModelChildAlgorithm(ALG)
    child.setChildId("net")
    for key, value in {"INPUT": CHOME, "RESOURCES": [SHELTERS], "NETWORK": ROADS, "RADIUS": 800}.items():
        child.addParameterSources(key, [QgsProcessingModelChildParameterSource.fromStaticValue(value)])
    output = QgsProcessingModelOutput("result", "result")
    output.setChildId("net")
    output.setChildOutputName("OUTPUT")
    child.setModelOutputs({"result": output})
    model.addChildAlgorithm(child)
    model.updateDestinationParameters()  # the model's own output parameter, as the Model Designer makes it
    # its name is "net:result" on QGIS 3.22 and "result" on 3.40/3.44: take the one the model has
    (param,) = model.destinationParameterDefinitions()
    (out,) = model.outputDefinitions()
    dest = tmp_path / "model.gpkg"
    result = processing.run(model, {param.name(): str(dest)})
    assert result[out.name()] == str(dest)
    feats = list(_layer(dest).getFeatures())
    assert any(f["net_access"] == 1 and f["net_m"] > 500.0 for f in feats)  # RADIUS 800 reached the child


def test_qgis_process_json(tmp_path):
    out = tmp_path / "qp.gpkg"
    proc = subprocess.run(
        [
            QP,
            "--json",
            "run",
            ALG,
            "--",
            f"INPUT={CHOME}",
            f"RESOURCES={SHELTERS}",
            f"NETWORK={ROADS}",
            f"OUTPUT={out}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(proc.stdout[proc.stdout.index("{") :])
    assert data["results"]["OUTPUT"] == str(out)
    assert len(list(_layer(out).getFeatures())) == 456


# ------------------------------------------------------------------------------------------ bad input


def _memory_lines(crs: str | None, wkts):
    from qgis.core import QgsFeature, QgsGeometry, QgsVectorLayer

    uri = "LineString?crs=" + (crs or "")  # "LineString" alone would be EPSG:4326
    layer = QgsVectorLayer(uri, "roads", "memory")
    feats = []
    for wkt in wkts:
        f = QgsFeature()
        f.setGeometry(QgsGeometry.fromWkt(wkt))
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    return layer


@pytest.mark.parametrize(
    "case, expect_ja, expect_en",
    [
        ("no_crs", "座標参照系", "coordinate reference system"),
        ("points", "線のレイヤではありません", "not a line layer"),
        ("empty", "線が 1 本もありません", "has no line"),
    ],
)
def test_bad_network_is_refused_in_both_languages_and_nothing_written(
    plugin, tmp_path, case, expect_ja, expect_en
):
    import processing
    from qgis.core import QgsProcessingException

    if case == "no_crs":
        network = _memory_lines(None, ["LineString (131.25 33.95, 131.26 33.95)"])
    elif case == "points":
        network = SHELTERS
    else:
        network = _memory_lines("EPSG:6668", [])
    out = tmp_path / "never.gpkg"
    with pytest.raises(QgsProcessingException) as err:
        processing.run(ALG, {"INPUT": CHOME, "RESOURCES": [SHELTERS], "NETWORK": network, "OUTPUT": str(out)})
    text = str(err.value)
    if case == "points":  # QGIS refuses a point layer for a line parameter before the algorithm runs
        assert "NETWORK" in text
    else:
        assert expect_ja in text and expect_en in text
    assert not out.exists()


def test_bad_cost_field_is_refused(plugin, tmp_path):
    import processing
    from qgis.core import QgsProcessingException

    out = tmp_path / "never.gpkg"
    with pytest.raises(QgsProcessingException) as err:
        processing.run(
            ALG,
            {
                "INPUT": CHOME,
                "RESOURCES": [SHELTERS],
                "NETWORK": ROADS,
                "COST_FIELD": "oneway",
                "OUTPUT": str(out),
            },
        )
    assert "0 以下" in str(err.value) and "0 or less" in str(err.value)  # osmnx writes oneway = 0 / 1
    assert not out.exists()


def test_network_blank_areas_are_styled_like_the_straight_line_ones(ube_result):
    from kaigo_resource_plugin.algorithms.network_access import style_network_layer
    from kaigo_resource_plugin.styling import STATUS_COLORS

    _, out, _ = ube_result
    layer = _layer(out)
    counts = style_network_layer(layer, "ja", 500.0)
    renderer = layer.renderer()
    assert renderer.classAttribute() == "status_net"
    colours = {c.value(): c.symbol().color().name() for c in renderer.categories()}
    assert colours == STATUS_COLORS  # red / blue / grey, as for status
    labels = {c.value(): c.label() for c in renderer.categories()}
    assert "道路距離" in labels["blank"] and f"{counts['blank']:,}" in labels["blank"]
    feats = list(layer.getFeatures())
    assert counts["blank"] == sum(1 for f in feats if f["status_net"] == "blank") > 0
    style_network_layer(layer, "en", 500.0)
    assert "along the network" in {c.value(): c.label() for c in layer.renderer().categories()}["covered"]


def test_fullanalysis_with_a_network_reports_both_rates(plugin, tmp_path):
    import csv
    import io

    import processing

    folder = tmp_path / "full"
    result = processing.run(
        "kaigo:fullanalysis",
        {
            "CHOME": [CHOME],
            "ELDERLY_FIELD": "JINKO",
            "RESOURCES": [SHELTERS],
            "NETWORK": ROADS,
            "MAPS": False,
            "OUTPUT_FOLDER": str(folder),
        },
    )
    assert result["NETWORK_COMPARISON"] == str(folder / "network_comparison.csv")
    assert result["CHOME_NETWORK_GPKG"] == str(folder / "chome_network.gpkg")

    def rows(path):
        from pathlib import Path

        raw = Path(path).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # Excel opens it
        return list(csv.DictReader(io.StringIO(raw[3:].decode("utf-8"))))

    (comparison,) = rows(result["NETWORK_COMPARISON"])
    (muni,) = rows(result["MUNICIPALITIES_CSV"])
    # the straight-line rate of the comparison is the rate of kaigo:sufficiencyrates (same weight, same
    # 500 m test; a uniform care-3 share does not change a rate)
    assert float(comparison["rate_straight_pct"]) == pytest.approx(float(muni["rate_pct"]), abs=1e-6)
    assert float(comparison["rate_net_pct"]) < float(comparison["rate_straight_pct"])
    assert len(list(_layer(result["CHOME_NETWORK_GPKG"]).getFeatures())) == 456


@pytest.mark.parametrize("which", ["NETWORK", "INPUT"])
def test_an_output_over_an_input_is_refused_and_the_input_kept(plugin, tmp_path, which):
    import shutil

    import processing
    from qgis.core import QgsProcessingException

    roads = tmp_path / "roads.gpkg"
    shutil.copy(ROADS, roads)
    before = roads.read_bytes()
    params = {"INPUT": CHOME, "RESOURCES": [SHELTERS], "NETWORK": str(roads), "OUTPUT": str(roads)}
    if which == "INPUT":
        table = tmp_path / "chome.dbf"
        shutil.copy(CHOME, table)
        params.update(
            {"INPUT": str(table), "OUTPUT": str(tmp_path / "out.gpkg"), "OUTPUT_COMPARISON": str(table)}
        )
    with pytest.raises(QgsProcessingException) as err:
        processing.run(ALG, params)
    text = str(err.value)
    del err  # its traceback holds the QGIS objects of the refused run (a crash at exit otherwise)
    assert "失われる" in text and "would be lost" in text
    assert roads.read_bytes() == before


def test_memory_layers_in_a_projected_crs_with_a_cost_field(plugin, tmp_path):
    """The path of layers that are not files (read feature by feature), a projected CRS, COST_FIELD."""
    import processing
    from qgis.core import QgsFeature, QgsField, QgsGeometry, QgsPointXY, QgsVectorLayer

    from kaigo_resource_plugin.compat import make_field

    crs = "EPSG:6671"  # JGD2011 plane rectangular III (Yamaguchi)
    x0, y0 = -60_000.0, -130_000.0
    roads = QgsVectorLayer(f"LineString?crs={crs}", "roads", "memory")
    roads.dataProvider().addAttributes([make_field("factor", "double")])
    roads.updateFields()
    for (xa, xb), factor in (((0, 400), 1.0), ((400, 1000), 2.0)):
        f = QgsFeature(roads.fields())
        f.setGeometry(QgsGeometry.fromPolylineXY([QgsPointXY(x0 + xa, y0), QgsPointXY(x0 + xb, y0)]))
        f["factor"] = factor
        roads.dataProvider().addFeature(f)

    def points(name, fields, rows):
        layer = QgsVectorLayer(f"Point?crs={crs}", name, "memory")
        layer.dataProvider().addAttributes([QgsField(n) if k == "s" else make_field(n, k) for n, k in fields])
        layer.updateFields()
        for (x, y), values in rows:
            f = QgsFeature(layer.fields())
            f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(x0 + x, y0 + y)))
            f.setAttributes(values)
            layer.dataProvider().addFeature(f)
        return layer

    chome = points("chome", [("KEY_CODE", "string"), ("JINKO", "int")], [((0, 10), ["35202000100", 100])])
    shop = points("shop", [("name", "string")], [((900, -10), ["shop"])])
    out = tmp_path / "walk.gpkg"
    processing.run(
        ALG,
        {"INPUT": chome, "RESOURCES": [shop], "NETWORK": roads, "COST_FIELD": "factor", "RADIUS": 1500,
         "OUTPUT": str(out)},
    )  # fmt: skip
    (f,) = _layer(out).getFeatures()
    # 10 m + 400 m × 1 + 500 m × 2 + 10 m, in the plane (the grid scale factor of zone III here is ~0.9999)
    assert f["net_m"] == pytest.approx(1420.0, rel=2e-4)
    assert f["net_access"] == 1 and f["status_net"] == "covered"
    assert f["straight_m"] == pytest.approx((900**2 + 20**2) ** 0.5, rel=2e-4)

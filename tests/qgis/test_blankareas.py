"""kaigo:blankareas through processing.run (and once through qgis_process), on real and small data."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from kaigo_paths import ROOT

ALG = "kaigo:blankareas"
QP = str(ROOT / "scripts" / "qgis_process.sh")


class Feedback:
    """A QgsProcessingFeedback that keeps what the algorithm logs."""

    def __new__(cls, cancel_after: int | None = None):
        from qgis.core import QgsProcessingFeedback

        class _FB(QgsProcessingFeedback):
            def __init__(self):
                super().__init__()
                self.lines: list[str] = []
                self.calls = 0

            def pushInfo(self, text):  # noqa: N802
                self.lines.append(text)
                super().pushInfo(text)

            def pushWarning(self, text):  # noqa: N802
                self.lines.append(text)
                super().pushWarning(text)

            def isCanceled(self):  # noqa: N802
                self.calls += 1
                return cancel_after is not None and self.calls > cancel_after

        return _FB()


def features(path, layer_name=None):
    from qgis.core import QgsVectorLayer

    uri = f"{path}|layername={layer_name}" if layer_name else str(path)
    layer = QgsVectorLayer(uri, "out", "ogr")
    assert layer.isValid(), uri
    return layer, list(layer.getFeatures())


def by_key(feats, *fields):
    return {f["KEY_CODE"]: tuple(f[x] for x in fields) for f in feats}


def reproject(src, crs, dest, run_alg):
    run_alg("native:reprojectlayer", {"INPUT": str(src), "TARGET_CRS": crs, "OUTPUT": str(dest)})
    return dest


@pytest.fixture(scope="module")
def daito(shared_data):
    return shared_data / "daito-27218" / "chome.shp"


@pytest.fixture(scope="module")
def convenience(shared_data):
    return shared_data / "osm-2014-osaka-tottori" / "convenience.geojson"


def test_daito_with_osm_convenience_stores(run_alg, daito, convenience, tmp_path):
    """Real data: 85 of 大東市's 124 chōme have no OSM 2014 convenience store within 500 m."""
    out = tmp_path / "daito.gpkg"
    fb = Feedback()
    res = run_alg(
        ALG, {"INPUT": str(daito), "RESOURCES": [str(convenience)], "OUTPUT": str(out)}, feedback=fb
    )
    layer, feats = features(res["OUTPUT"])
    from qgis.core import QgsWkbTypes

    assert len(feats) == 124
    assert QgsWkbTypes.geometryType(layer.wkbType()) == QgsWkbTypes.GeometryType.PolygonGeometry
    assert all(not f.geometry().isNull() for f in feats)
    names = layer.fields().names()
    for base in ("has_access", "n_within", "nearest_m", "status"):
        assert base in names and f"{base}_convenience" in names
    assert {"KEY_CODE", "S_NAME", "JINKO", "X_CODE"} <= set(names)  # input attributes kept
    no_access = [f for f in feats if f["has_access"] == 0]
    assert len(no_access) == 85
    assert all(f["n_within"] == 0 and f["nearest_m"] > 500 for f in no_access)
    assert all(f["n_within"] >= 1 and f["nearest_m"] <= 500 for f in feats if f["has_access"] == 1)
    for f in feats:  # one type: the "any" fields equal the type's
        assert (f["has_access"], f["n_within"], f["nearest_m"], f["status"]) == (
            f["has_access_convenience"],
            f["n_within_convenience"],
            f["nearest_m_convenience"],
            f["status_convenience"],
        )
        expected = "no_population" if f["JINKO"] == 0 else ("covered" if f["has_access"] else "blank")
        assert f["status"] == expected
    assert sum(f["status"] == "blank" for f in feats) == 79  # 6 of the 85 have no population
    assert any("convenience" in line and "_convenience" in line for line in fb.lines)  # type → suffix logged


@pytest.mark.parametrize("method", [0, 1, 2])
def test_same_answer_in_three_crs(run_alg, daito, convenience, tmp_path, method):
    """The chōme in JGD2000 plane zone VI, JGD2011 degrees and Web Mercator, the stores in WGS84 degrees,
    JGD2011 plane zone VI and Web Mercator: the same access, and distances within 1 cm."""
    runs = []
    for i, (c_crs, r_crs) in enumerate(
        (("EPSG:2448", "EPSG:4326"), ("EPSG:6668", "EPSG:6674"), ("EPSG:3857", "EPSG:3857"))
    ):
        chome = reproject(daito, c_crs, tmp_path / f"chome_{i}.gpkg", run_alg)
        shops = reproject(convenience, r_crs, tmp_path / f"shops_{i}.gpkg", run_alg)
        out = tmp_path / f"out_{i}.gpkg"
        run_alg(
            ALG, {"INPUT": str(chome), "RESOURCES": [str(shops)], "POINT_METHOD": method, "OUTPUT": str(out)}
        )
        runs.append(by_key(features(out)[1], "has_access", "n_within", "nearest_m", "status"))
    assert len(runs[0]) == 124
    for other in runs[1:]:
        assert other.keys() == runs[0].keys()
        for key, (has, n, near, status) in runs[0].items():
            assert other[key][0] == has and other[key][1] == n and other[key][3] == status, key
            assert other[key][2] == pytest.approx(near, abs=0.01), key


def test_several_types_and_any(run_alg, sample_data, daito, tmp_path):
    conv = sample_data / "osm-2014" / "convenience_osaka.geojson"
    lib = sample_data / "osm-2014" / "library_osaka.geojson"
    out = tmp_path / "two.gpkg"
    run_alg(ALG, {"INPUT": str(daito), "RESOURCES": [str(conv), str(lib)], "RADIUS": 800, "OUTPUT": str(out)})
    layer, feats = features(out)
    assert {"has_access_convenience_osaka", "has_access_library_osaka", "status_library_osaka"} <= set(
        layer.fields().names()
    )
    for f in feats:
        assert f["n_within"] == f["n_within_convenience_osaka"] + f["n_within_library_osaka"]
        assert f["has_access"] == int(f["has_access_convenience_osaka"] or f["has_access_library_osaka"])
        assert f["nearest_m"] == pytest.approx(
            min(f["nearest_m_convenience_osaka"], f["nearest_m_library_osaka"])
        )
    assert any(f["has_access_library_osaka"] == 1 for f in feats)
    assert any(f["has_access_library_osaka"] == 0 for f in feats)


def test_category_field_and_type_names(run_alg, sample_data, daito, tmp_path):
    from qgis.core import QgsVectorLayer

    merged = tmp_path / "merged.gpkg"
    run_alg(
        "native:mergevectorlayers",
        {
            "LAYERS": [
                str(sample_data / "osm-2014" / "convenience_osaka.geojson"),
                str(sample_data / "osm-2014" / "library_osaka.geojson"),
            ],
            "OUTPUT": str(merged),
        },
    )
    assert "layer" in QgsVectorLayer(str(merged)).fields().names()
    out = tmp_path / "cat.gpkg"
    fb = Feedback()
    run_alg(
        ALG,
        {
            "INPUT": str(daito),
            "RESOURCES": [str(merged)],
            "CATEGORY_FIELD": "layer",
            "TYPE_NAMES": "shop,library",
            "OUTPUT": str(out),
        },
        feedback=fb,
    )
    layer, feats = features(out)
    assert {"has_access_shop", "has_access_library", "nearest_m_shop"} <= set(layer.fields().names())
    plain = tmp_path / "plain.gpkg"
    run_alg(
        ALG,
        {
            "INPUT": str(daito),
            "RESOURCES": [str(sample_data / "osm-2014" / "convenience_osaka.geojson")],
            "OUTPUT": str(plain),
        },
    )
    ref = by_key(features(plain)[1], "has_access", "n_within")
    assert by_key(feats, "has_access_shop", "n_within_shop") == ref


def test_points_table_without_geometry(run_alg, shared_data, sample_data, tmp_path):
    """The 2015 Osaka chōme table (X_CODE/Y_CODE, no geometry): points out, in JGD2000 degrees."""
    out = tmp_path / "osaka.gpkg"
    fb = Feedback()
    run_alg(
        ALG,
        {
            "INPUT": str(shared_data / "osaka-2015-points" / "27-oosaka-all.dbf"),
            "RESOURCES": [str(sample_data / "osm-2014" / "convenience_osaka.geojson")],
            "OUTPUT": str(out),
        },
        feedback=fb,
    )
    layer, feats = features(out)
    from qgis.core import QgsWkbTypes

    assert layer.crs().authid() == "EPSG:4612"
    assert QgsWkbTypes.geometryType(layer.wkbType()) == QgsWkbTypes.GeometryType.PointGeometry
    keys = [f["KEY_CODE"] for f in feats]
    assert len(keys) == len(set(keys)) == 8682  # 8,897 rows, 18 water areas, multi-part chōme once
    assert all(f["HCODE"] != 8154 for f in feats)
    f0 = feats[0]
    p = f0.geometry().asPoint()
    assert (p.x(), p.y()) == pytest.approx((f0["X_CODE"], f0["Y_CODE"]), abs=1e-9)
    assert any("EPSG:4612" in line for line in fb.lines)  # the assumed datum is logged
    assert any("8154" in line for line in fb.lines)


def test_multipart_chome_are_one(run_alg, shared_data, tmp_path):
    """Tottori 2015: chōme stored as several polygons come out as one multi-polygon feature each."""
    out = tmp_path / "tottori.gpkg"
    run_alg(
        ALG,
        {
            "INPUT": str(shared_data / "tottori-2015" / "31-tottori-all.shp"),
            "RESOURCES": [str(shared_data / "osm-2014-osaka-tottori" / "convenience.geojson")],
            "OUTPUT": str(out),
        },
    )
    layer, feats = features(out)
    keys = [f["KEY_CODE"] for f in feats]
    assert len(keys) == len(set(keys)) == 2486
    f = next(f for f in feats if f["KEY_CODE"] == "312012130")  # four parts, population on E1
    assert f.geometry().isMultipart() and len(f.geometry().asMultiPolygon()) == 4
    assert f["KIGO_E"] == "E1" and f["JINKO"] == 833
    g = next(f for f in feats if f["KEY_CODE"] == "312012230")  # E1 land (kept), E2 water (dropped)
    assert len(g.geometry().asMultiPolygon()) == 1 and g["HCODE"] == 8101


def test_empty_resource_layer_means_every_chome_blank(run_alg, daito, convenience, tmp_path):
    empty = tmp_path / "empty.gpkg"
    run_alg(
        "native:extractbyexpression", {"INPUT": str(convenience), "EXPRESSION": "1 = 0", "OUTPUT": str(empty)}
    )
    out = tmp_path / "out.gpkg"
    run_alg(ALG, {"INPUT": str(daito), "RESOURCES": [str(empty)], "OUTPUT": str(out)})
    _, feats = features(out)
    assert len(feats) == 124
    assert all(f["has_access"] == 0 and f["n_within"] == 0 for f in feats)
    from kaigo_resource_plugin.compat import is_null

    assert all(is_null(f["nearest_m"]) for f in feats)
    assert {f["status"] for f in feats} == {"blank", "no_population"}


def test_null_and_invalid_geometries_are_skipped_and_counted(run_alg, tmp_path):
    from qgis.core import (
        QgsCoordinateTransformContext,
        QgsFeature,
        QgsGeometry,
        QgsVectorFileWriter,
        QgsVectorLayer,
    )

    layer = QgsVectorLayer("Polygon?crs=EPSG:6668&field=KEY_CODE:string&field=JINKO:integer", "c", "memory")
    rows = [
        (
            "27218000001",
            "POLYGON((135.62 34.71, 135.63 34.71, 135.63 34.72, 135.62 34.72, 135.62 34.71))",
            10,
        ),
        ("27218000002", None, 5),  # NULL geometry
        ("27218000003", "POLYGON((135.60 34.70, 135.61 34.71, 135.61 34.70, 135.60 34.71, 135.60 34.70))", 7),
        ("27218000004", "POLYGON EMPTY", 7),
    ]
    feats = []
    for key, wkt, pop in rows:
        f = QgsFeature(layer.fields())
        f.setAttributes([key, pop])
        if wkt:
            f.setGeometry(QgsGeometry.fromWkt(wkt))
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    src = tmp_path / "bad.gpkg"
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    options.fileEncoding = "UTF-8"
    err = QgsVectorFileWriter.writeAsVectorFormatV3(layer, str(src), QgsCoordinateTransformContext(), options)
    assert err[0] == QgsVectorFileWriter.WriterError.NoError, err
    shop = QgsVectorLayer("Point?crs=EPSG:4326", "shop", "memory")
    g = QgsFeature()
    g.setGeometry(QgsGeometry.fromWkt("POINT(135.625 34.715)"))
    shop.dataProvider().addFeatures([g])
    out = tmp_path / "out.gpkg"
    fb = Feedback()
    run_alg(ALG, {"INPUT": str(src), "RESOURCES": [shop], "OUTPUT": str(out)}, feedback=fb)
    _, got = features(out)
    keys = sorted(f["KEY_CODE"] for f in got)
    assert "27218000001" in keys and "27218000002" not in keys and "27218000004" not in keys
    # counted in the log, in the QGIS language (one language per line since #15)
    assert any(
        ("NULL" in line or "ジオメトリが空または不正" in line) and "2" in line for line in fb.lines
    ), fb.lines
    first = next(f for f in got if f["KEY_CODE"] == "27218000001")
    assert first["has_access"] == 1 and first["n_within"] == 1


def _assert_fails_cleanly(run_alg, params, out, *words):
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException) as err:
        run_alg(ALG, dict(params, OUTPUT=str(out)))
    for w in words:
        assert w in str(err.value), str(err.value)
    assert not out.exists()
    assert not list(out.parent.glob(f"{out.stem}*")), "no output file left behind"


def test_bad_inputs(run_alg, daito, convenience, tmp_path):
    base = {"INPUT": str(daito), "RESOURCES": [str(convenience)]}
    _assert_fails_cleanly(run_alg, dict(base, RADIUS=-500), tmp_path / "neg.gpkg", "RADIUS")
    _assert_fails_cleanly(run_alg, dict(base, RADIUS=0), tmp_path / "zero.gpkg", "RADIUS")
    _assert_fails_cleanly(
        run_alg, dict(base, KEY_FIELD="NO_SUCH"), tmp_path / "key.gpkg", "KEY_FIELD", "NO_SUCH"
    )
    _assert_fails_cleanly(
        run_alg, dict(base, POPULATION_FIELD="NOPE"), tmp_path / "pop.gpkg", "POPULATION_FIELD"
    )
    # a chōme layer without CRS: the shapefile without its .prj
    noprj = tmp_path / "noprj"
    noprj.mkdir()
    for ext in ("shp", "shx", "dbf", "cpg"):
        shutil.copy(daito.with_suffix(f".{ext}"), noprj / f"chome.{ext}")
    _assert_fails_cleanly(run_alg, dict(base, INPUT=str(noprj / "chome.shp")), tmp_path / "nocrs.gpkg", "CRS")
    # a resource layer without CRS (the same shapefile, as polygons of resources)
    _assert_fails_cleanly(
        run_alg, dict(base, RESOURCES=[str(noprj / "chome.shp")]), tmp_path / "rcrs.gpkg", "CRS", "'chome'"
    )


def test_missing_layer_is_refused(run_alg, daito, tmp_path):
    from qgis.core import QgsProcessingException

    out = tmp_path / "x.gpkg"
    with pytest.raises(QgsProcessingException) as err:
        run_alg(ALG, {"INPUT": str(tmp_path / "nope.shp"), "RESOURCES": [str(daito)], "OUTPUT": str(out)})
    assert "nope.shp" in str(err.value) and "INPUT" in str(err.value)
    with pytest.raises(QgsProcessingException) as err:
        run_alg(ALG, {"INPUT": str(daito), "RESOURCES": [str(tmp_path / "nope.gpkg")], "OUTPUT": str(out)})
    assert "nope.gpkg" in str(err.value) and "RESOURCES" in str(err.value)
    assert not out.exists()


def test_cancel_leaves_no_output(run_alg, daito, convenience, tmp_path):
    from qgis.core import QgsProcessingException

    out = tmp_path / "cancel.gpkg"
    with pytest.raises(QgsProcessingException) as err:
        run_alg(
            ALG,
            {"INPUT": str(daito), "RESOURCES": [str(convenience)], "OUTPUT": str(out)},
            feedback=Feedback(3),
        )
    assert "cancelled" in str(err.value)
    assert not out.exists()


def test_cancel_while_writing_removes_the_file(run_alg, shared_data, convenience, tmp_path):
    from qgis.core import QgsProcessingException, QgsProcessingFeedback

    class CancelWhenWriting(QgsProcessingFeedback):
        """Cancels once progress is inside the write pass (beyond 80 %)."""

        def __init__(self):
            super().__init__()
            self.max_progress = 0.0

        def setProgress(self, value):  # noqa: N802
            self.max_progress = max(self.max_progress, value)
            super().setProgress(value)

        def isCanceled(self):  # noqa: N802
            return 80.0 < self.max_progress < 100.0

    fb = CancelWhenWriting()
    out = tmp_path / "partial.gpkg"
    with pytest.raises(QgsProcessingException) as err:
        run_alg(
            ALG,
            {
                "INPUT": str(shared_data / "tottori-2015" / "31-tottori-all.shp"),
                "RESOURCES": [str(convenience)],
                "OUTPUT": str(out),
            },
            feedback=fb,
        )
    assert "cancelled" in str(err.value)
    assert fb.max_progress > 80.0  # it did get into the write pass
    assert not list(tmp_path.glob("partial.gpkg*"))


def test_deterministic(run_alg, daito, convenience, tmp_path):
    rows = []
    for i in range(2):
        out = tmp_path / f"d{i}.gpkg"
        run_alg(ALG, {"INPUT": str(daito), "RESOURCES": [str(convenience)], "OUTPUT": str(out)})
        rows.append([(f.attributes(), f.geometry().asWkb()) for f in features(out)[1]])
    assert rows[0] == rows[1]


def test_no_state_kept_on_the_algorithm(plugin, daito, convenience, tmp_path):
    from qgis.core import QgsApplication, QgsProcessingContext, QgsProcessingFeedback

    alg = QgsApplication.processingRegistry().createAlgorithmById(ALG)
    before = dict(vars(alg))
    context = QgsProcessingContext()
    for i in range(2):
        params = {
            "INPUT": str(daito),
            "RESOURCES": [str(convenience)],
            "OUTPUT": str(tmp_path / f"s{i}.gpkg"),
        }
        results, ok = alg.run(params, context, QgsProcessingFeedback())
        assert ok and results["OUTPUT"]
    assert dict(vars(alg)) == before


def test_qgis_process_json(daito, convenience, tmp_path):
    out = tmp_path / "qp.gpkg"
    proc = subprocess.run(
        [
            QP,
            "--json",
            "run",
            ALG,
            "--",
            f"INPUT={daito}",
            f"RESOURCES={convenience}",
            "RADIUS=500",
            f"OUTPUT={out}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(proc.stdout[proc.stdout.index("{") :])
    assert data["results"]["OUTPUT"] == str(out)
    assert out.exists()


def test_selected_features_only_and_layer_filter(run_alg, daito, convenience, tmp_path):
    """A selection (QgsProcessingFeatureSourceDefinition) and a layer filter are honoured: the bulk
    reading path must not read the whole file behind the layer."""
    from qgis.core import QgsProcessingFeatureSourceDefinition, QgsProject, QgsVectorLayer

    layer = QgsVectorLayer(str(daito), "daito_sel", "ogr")
    QgsProject.instance().addMapLayer(layer)
    try:
        ids = [f.id() for f in layer.getFeatures()][:10]
        layer.selectByIds(ids)
        out = tmp_path / "sel.gpkg"
        run_alg(
            ALG,
            {
                "INPUT": QgsProcessingFeatureSourceDefinition(layer.id(), True),
                "RESOURCES": [str(convenience)],
                "OUTPUT": str(out),
            },
        )
        _, feats = features(out)
        assert len(feats) == 10
        full = tmp_path / "full.gpkg"
        run_alg(ALG, {"INPUT": str(daito), "RESOURCES": [str(convenience)], "OUTPUT": str(full)})
        ref = by_key(features(full)[1], "has_access", "n_within", "nearest_m")
        assert by_key(feats, "has_access", "n_within", "nearest_m") == {k: ref[k] for k in by_key(feats)}
        filtered = QgsVectorLayer(str(daito), "daito_filter", "ogr")
        filtered.setSubsetString('"JINKO" > 2000')
        n_filtered = filtered.featureCount()
        assert 0 < n_filtered < 124
        out2 = tmp_path / "filter.gpkg"
        run_alg(ALG, {"INPUT": filtered, "RESOURCES": [str(convenience)], "OUTPUT": str(out2)})
        assert len(features(out2)[1]) == n_filtered
    finally:
        QgsProject.instance().removeMapLayer(layer.id())

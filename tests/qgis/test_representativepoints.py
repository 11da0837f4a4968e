"""kaigo:representativepoints through processing.run, on the real e-Stat files."""

from __future__ import annotations

import pytest

ALG = "kaigo:representativepoints"


def features(path):
    from qgis.core import QgsVectorLayer

    layer = QgsVectorLayer(str(path), "out", "ogr")
    assert layer.isValid(), path
    return layer, list(layer.getFeatures())


def source_features(path):
    from qgis.core import QgsVectorLayer

    layer = QgsVectorLayer(str(path), "in", "ogr")
    assert layer.isValid(), path
    return layer, list(layer.getFeatures())


@pytest.fixture(scope="module")
def tottori(shared_data):
    return shared_data / "tottori-2015" / "31-tottori-all.shp"


def test_estat_points_one_per_key_water_dropped(run_alg, tottori, tmp_path):
    out = tmp_path / "rp.gpkg"
    run_alg(ALG, {"INPUT": str(tottori), "OUTPUT": str(out)})
    layer, feats = features(out)
    src_layer, src = source_features(tottori)
    assert layer.crs() == src_layer.crs()  # points in the input CRS
    keys = [f["KEY_CODE"] for f in feats]
    land_keys = {f["KEY_CODE"] for f in src if f["HCODE"] != 8154}
    assert len(keys) == len(set(keys)) == len(land_keys) == 2486
    assert all(f["HCODE"] != 8154 for f in feats)
    assert {f["rep_method"] for f in feats} == {"estat_xy"}
    for f in feats:  # X_CODE/Y_CODE of the main part, in the layer's own datum (JGD2000 degrees)
        p = f.geometry().asPoint()
        assert (p.x(), p.y()) == pytest.approx((f["X_CODE"], f["Y_CODE"]), abs=1e-9)
    main = next(f for f in feats if f["KEY_CODE"] == "312012130")  # four parts, the population on E1
    assert main["KIGO_E"] == "E1" and main["n_parts"] == 4 and main["JINKO"] == 833
    assert (main["rep_lon"], main["rep_lat"]) == pytest.approx((134.12303, 35.51563), abs=1e-6)


def test_point_on_surface_is_inside(run_alg, tottori, tmp_path):
    out = tmp_path / "pos.gpkg"
    run_alg(ALG, {"INPUT": str(tottori), "POINT_METHOD": 1, "OUTPUT": str(out)})
    _, feats = features(out)
    _, src = source_features(tottori)
    parts: dict[str, list] = {}
    for f in src:
        if f["HCODE"] != 8154:
            parts.setdefault(f["KEY_CODE"], []).append(f.geometry())
    assert {f["rep_method"] for f in feats} == {"point_on_surface"}
    for f in feats:
        # computed on the geometry in JGD2011 degrees, back in the layer's: inside up to a nanodegree
        pt = f.geometry().buffer(1e-9, 4)
        assert any(g.intersects(pt) for g in parts[f["KEY_CODE"]]), f["KEY_CODE"]


def test_centroids_outside_are_flagged_and_warned(run_alg, tottori, tmp_path):
    from qgis.core import QgsProcessingFeedback

    class FB(QgsProcessingFeedback):
        def __init__(self):
            super().__init__()
            self.warnings = []

        def pushWarning(self, text):  # noqa: N802
            self.warnings.append(text)

    fb = FB()
    out = tmp_path / "cen.gpkg"
    run_alg(ALG, {"INPUT": str(tottori), "POINT_METHOD": 2, "OUTPUT": str(out)}, feedback=fb)
    _, feats = features(out)
    _, src = source_features(tottori)
    geoms = {}
    for f in src:
        if f["HCODE"] != 8154:
            geoms.setdefault(f["KEY_CODE"], []).append(f.geometry())
    flagged = [f for f in feats if f["centroid_outside"] == 1]
    assert flagged, "concave chōme exist in Tottori"
    for f in flagged[:20]:
        assert not any(g.contains(f.geometry()) for g in geoms[f["KEY_CODE"]])
    assert any(str(len(flagged)) in w for w in fb.warnings)


def test_table_without_geometry(run_alg, shared_data, tmp_path):
    out = tmp_path / "tbl.gpkg"
    run_alg(ALG, {"INPUT": str(shared_data / "osaka-2015-points" / "27-oosaka-all.dbf"), "OUTPUT": str(out)})
    layer, feats = features(out)
    assert layer.crs().authid() == "EPSG:4612"  # 2015 layout (KEN, no PREF): JGD2000
    assert len(feats) == 8682


def test_missing_key_field(run_alg, tottori, tmp_path):
    from qgis.core import QgsProcessingException

    out = tmp_path / "k.gpkg"
    with pytest.raises(QgsProcessingException) as err:
        run_alg(ALG, {"INPUT": str(tottori), "KEY_FIELD": "CODE_X", "OUTPUT": str(out)})
    assert "CODE_X" in str(err.value) and "KEY_FIELD" in str(err.value)
    assert not out.exists()


def test_2020_table_without_crs_is_jgd2011(run_alg, shared_data, tmp_path):
    """大東市's .dbf alone: a table with PREF (2020 layout): X_CODE/Y_CODE taken as JGD2011."""
    import shutil

    from qgis.core import QgsProcessingFeedback

    tbl = tmp_path / "daito_table.dbf"
    shutil.copy(shared_data / "daito-27218" / "chome.dbf", tbl)
    shutil.copy(shared_data / "daito-27218" / "chome.cpg", tmp_path / "daito_table.cpg")

    class FB(QgsProcessingFeedback):
        def __init__(self):
            super().__init__()
            self.lines = []

        def pushInfo(self, text):  # noqa: N802
            self.lines.append(text)

    fb = FB()
    out = tmp_path / "t.gpkg"
    run_alg(ALG, {"INPUT": str(tbl), "OUTPUT": str(out)}, feedback=fb)
    layer, feats = features(out)
    assert layer.crs().authid() == "EPSG:6668"
    assert len(feats) == 124
    assert any("EPSG:6668" in line for line in fb.lines)

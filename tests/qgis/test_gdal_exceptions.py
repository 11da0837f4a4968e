"""The plugin's readers with GDAL's Python exceptions on, as QGIS >= 3.40 has them process-wide.

On 3.22 they are off unless a script turns them on; the fixture below turns them on (gdal, ogr and osr)
on every version and restores the previous state afterwards.
"""

from __future__ import annotations

import numpy as np
import pytest
from kaigo_paths import SAMPLE

POINTS = SAMPLE / "osaka-2015-points" / "27-oosaka-all.dbf"
DAITO = SAMPLE / "daito-27218" / "chome.shp"
SHOPS = SAMPLE / "osm-2014" / "convenience_osaka.geojson"


@pytest.fixture()
def gdal_exceptions():
    from osgeo import gdal, ogr, osr

    modules = (gdal, ogr, osr)
    before = [m.GetUseExceptions() for m in modules]
    for m in modules:
        m.UseExceptions()
    yield
    for m, was in reversed(list(zip(modules, before))):  # GDAL keeps a stack: undo in reverse order
        if not was:
            m.DontUseExceptions()


def _layer(path, subset=""):
    from qgis.core import QgsVectorLayer

    layer = QgsVectorLayer(str(path), path.stem, "ogr")
    assert layer.isValid(), path
    if subset:
        assert layer.setSubsetString(subset), subset
    return layer


def _read(layer, fast=True):
    from kaigo_resource_plugin.algorithms import layer_read

    return layer_read.read_points(layer, ["KEY_CODE", "JINKO"], None, fast_layer=layer if fast else None)


def test_exceptions_are_really_on(gdal_exceptions):
    from osgeo import gdal, osr

    with pytest.raises(RuntimeError):
        gdal.OpenEx(str(SAMPLE / "no-such-file.shp"))
    with pytest.raises(RuntimeError):
        osr.SpatialReference().ImportFromEPSG(99999999)


@pytest.mark.parametrize(
    "subset",
    [
        "",
        "JINKO > 1000",
        # QGIS accepts a whole SELECT as subset string; OGR's attribute filter raises on it
        'SELECT * FROM "27-oosaka-all" WHERE JINKO > 1000',
    ],
)
def test_read_points_fast_path_or_slow_path_never_raises(plugin, gdal_exceptions, subset):
    layer = _layer(POINTS, subset)
    got = _read(layer)
    slow = _read(layer, fast=False)
    assert got.fids.size == layer.featureCount() == slow.fids.size
    assert got.fast is (not subset.startswith("SELECT"))  # the SELECT takes the feature loop
    assert not slow.fast
    np.testing.assert_array_equal(np.sort(got.fids), np.sort(slow.fids))
    order, slow_order = np.argsort(got.fids), np.argsort(slow.fids)
    np.testing.assert_array_equal(got.attributes["JINKO"][order], slow.attributes["JINKO"][slow_order])
    assert got.attributes["KEY_CODE"][order].tolist() == slow.attributes["KEY_CODE"][slow_order].tolist()
    if subset:
        assert (got.attributes["JINKO"] > 1000).all()


def test_unreadable_file_behind_a_layer_takes_the_slow_path(plugin, gdal_exceptions, tmp_path):
    from kaigo_resource_plugin.algorithms import layer_read

    class Gone:  # a layer object whose file has disappeared since it was loaded
        def __init__(self, layer):
            self._layer = layer

        def providerType(self):
            return "ogr"

        def source(self):
            return str(tmp_path / "vanished.dbf")

        def subsetString(self):
            return ""

    assert layer_read.ogr_layer(Gone(_layer(POINTS))) is None


def test_chome_and_resources_with_exceptions_on(plugin, gdal_exceptions):
    from qgis.core import QgsCoordinateTransformContext

    from kaigo_resource_plugin.algorithms import layer_read

    chome_layer = _layer(DAITO)
    chome = layer_read.read_chome(
        chome_layer, "KEY_CODE", 0, QgsCoordinateTransformContext(), fast_layer=chome_layer
    )
    assert len(chome.keys) == 124
    res = layer_read.read_resources([_layer(SHOPS)], QgsCoordinateTransformContext())
    assert res.lon.size == _layer(SHOPS).featureCount() > 1000


def test_blankareas_same_result_with_exceptions_on(run_alg, tmp_path):
    from osgeo import gdal, ogr, osr
    from qgis.core import QgsVectorLayer

    def run(name):
        out = tmp_path / f"{name}.gpkg"
        # a SELECT subset on the chōme: the reader's fast path must step aside, not crash
        layer = _layer(DAITO, 'SELECT * FROM "chome" WHERE JINKO >= 0')
        run_alg("kaigo:blankareas", {"INPUT": layer, "RESOURCES": [str(SHOPS)], "OUTPUT": str(out)})
        return sorted((f.attributes() for f in QgsVectorLayer(str(out), name, "ogr").getFeatures()), key=repr)

    modules = (gdal, ogr, osr)
    before = [m.GetUseExceptions() for m in modules]
    off = run("off") if not any(before) else None  # QGIS >= 3.40: they are on already
    try:
        for m in modules:
            m.UseExceptions()
        on = run("on")
    finally:
        for m, was in reversed(list(zip(modules, before))):
            if not was:
                m.DontUseExceptions()
    assert len(on) == 124
    if off is not None:
        assert on == off

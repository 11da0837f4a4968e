"""The dock panel driven like a user would: set the layers, run, wait for the background task, check the
styled layer, the table, the chart, restyle and the export parameters (pytest-qgis, headless)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCategorizedSymbolRenderer,
    QgsCoordinateReferenceSystem,
    QgsLayerTreeGroup,
    QgsProject,
    QgsSettings,
    QgsSingleSymbolRenderer,
    QgsSvgMarkerSymbolLayer,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QItemSelectionModel, Qt

STATUS_COLORS = {"blank": "#e31a1c", "covered": "#1f78b4", "no_population": "#bdbdbd"}


def wait_until(condition, timeout: float = 180.0) -> None:
    """Spin the Qt event loop (the task manager reports through it) until ``condition()`` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout} s")
        QgsApplication.processEvents()
        time.sleep(0.02)


@pytest.fixture()
def project(qgis_iface, qgis_new_project):
    QgsProject.instance().removeEntry("kaigo_resource_plugin", "/")  # the panel's settings of a test before
    yield QgsProject.instance()
    QgsProject.instance().removeAllMapLayers()
    QgsProject.instance().layerTreeRoot().removeAllChildren()
    QgsProject.instance().removeEntry("kaigo_resource_plugin", "/")


@pytest.fixture()
def layers(project, sample_data):
    chome = QgsVectorLayer(str(sample_data / "daito-27218" / "chome.shp"), "大東市 町丁字", "ogr")
    shops = QgsVectorLayer(
        str(sample_data / "osm-2014" / "convenience_osaka.geojson"), "convenience_osaka", "ogr"
    )
    assert chome.isValid() and shops.isValid()
    project.addMapLayers([chome, shops])
    return chome, shops


@pytest.fixture()
def dock(plugin, qgis_iface, layers, tmp_path, monkeypatch):
    from kaigo_resource_plugin.ui import dock as dock_module
    from kaigo_resource_plugin.ui.dock import SETTINGS, KaigoDock

    # without an output folder the panel writes beside the project (or in Documents): here, in tmp_path
    monkeypatch.setattr(dock_module, "default_output_base", lambda _project: str(tmp_path / "kaigo_results"))
    QgsSettings().remove(SETTINGS.rstrip("/"))  # the panel remembers radius and share between sessions
    widget = KaigoDock(qgis_iface)
    widget.resize(480, 900)
    yield widget
    if widget.is_running():
        widget.cancel()
        wait_until(lambda: not widget.is_running())
    widget.shutdown()
    widget.deleteLater()
    QgsSettings().remove(SETTINGS.rstrip("/"))


def run_and_wait(dock) -> None:
    dock.run()
    wait_until(lambda: not dock.is_running())


def result_group():
    groups = [g for g in QgsProject.instance().layerTreeRoot().children() if isinstance(g, QgsLayerTreeGroup)]
    return groups[0] if groups else None


def critical_messages(iface) -> list[str]:
    return iface.messageBar().get_messages(Qgis.MessageLevel.Critical)


# ---------------------------------------------------------------------------------------------------------
def test_install_and_remove(plugin, qgis_iface, project):
    from kaigo_resource_plugin.ui.dock import KaigoDock, install_dock, remove_dock

    dock, action = install_dock(qgis_iface)
    assert isinstance(dock, KaigoDock)
    assert action.isCheckable() and action.isChecked()
    assert action.text()
    action.setChecked(False)
    assert not dock.isUserVisible()
    remove_dock(qgis_iface, dock, action)
    # the panel no longer follows the project
    QgsProject.instance().addMapLayer(QgsVectorLayer("Point?crs=EPSG:4326", "late", "memory"))


def test_fields_detected_and_prefilled(dock, layers):
    chome, shops = layers
    assert dock.chome_combo.currentLayer() is chome  # picked because it has KEY_CODE
    assert dock.key_combo.currentField() == "KEY_CODE"
    assert dock.elderly_combo.currentField() == "JINKO"  # no 75+ field in this file
    assert dock.population_combo.currentField() == "JINKO"
    assert dock.point_combo.currentData() == 0  # X_CODE / Y_CODE present → e-Stat representative point
    assert "KEY_CODE" in dock.detect_label.text() and "X_CODE" in dock.detect_label.text()
    chosen = dock.selected_resources()
    assert [(lyr.id(), name) for lyr, name in chosen] == [(shops.id(), "convenience")]
    assert dock.radius_spin.value() == 500.0
    assert dock.care3_spin.value() == pytest.approx(0.109)


def test_validation_message_instead_of_traceback(dock, qgis_iface, layers):
    dock.set_resource_layers([])
    before = len(qgis_iface.messageBar().get_messages(Qgis.MessageLevel.Warning))
    dock.run()
    assert not dock.is_running()
    assert "resource" in dock.last_message().lower() or "資源" in dock.last_message()
    assert len(qgis_iface.messageBar().get_messages(Qgis.MessageLevel.Warning)) == before + 1

    dock.set_resource_layers([layers[1]], ["コンビニ"])  # not ASCII: refused with a clear message
    dock.run()
    assert not dock.is_running()
    assert "コンビニ" in dock.last_message()


def test_run_styles_layer_and_fills_table(dock, qgis_iface, layers):
    chome, shops = layers
    dock.set_chome_layer(chome)
    dock.set_resource_layers([shops])
    critical_before = len(critical_messages(qgis_iface))
    run_and_wait(dock)
    assert len(critical_messages(qgis_iface)) == critical_before, dock.last_message()
    assert dock.progress.value() == 100

    result = dock.result["chome"]
    assert result.isValid() and QgsProject.instance().mapLayer(result.id()) is result
    renderer = result.renderer()
    assert isinstance(renderer, QgsCategorizedSymbolRenderer)
    assert renderer.classAttribute() == "status"
    cats = {c.value(): c for c in renderer.categories()}
    assert set(cats) == set(STATUS_COLORS)
    for status, colour in STATUS_COLORS.items():
        assert cats[status].symbol().color().name() == colour

    # counts in the legend equal the features of each status
    statuses = [f["status"] for f in result.getFeatures()]
    assert set(statuses) <= set(STATUS_COLORS)
    for status, cat in cats.items():
        n = f"{statuses.count(status):,}"
        assert f"({n})" in cat.label() or f"（{n}）" in cat.label()  # English or Japanese brackets
    assert statuses.count("blank") > 0 and statuses.count("covered") > 0

    # the group holds the chōme result, the municipality table and the resources as blue pins
    group = result_group()
    assert group is not None
    names = [n.layer().id() for n in group.findLayers()]
    assert result.id() in names and dock.result["muni"].id() in names
    pins = dock.result["resources"]
    assert len(pins) == 1 and pins[0].id() in names
    assert pins[0].featureCount() == shops.featureCount()
    pin_layer = pins[0].renderer().symbol().symbolLayer(0)
    assert isinstance(pin_layer, QgsSvgMarkerSymbolLayer)
    assert pin_layer.fillColor().name() == "#1d4ed8"

    # the municipality table: one row, 大東市, the rate of the municipality layer
    model = dock.table_model
    assert model.rowCount() == 1
    row = model.row_dict(0)
    assert row["muni_code"] == "27218"
    assert row["muni_name"] == "大東市"
    muni_rows = list(dock.result["muni"].getFeatures())
    assert len(muni_rows) == 1
    assert row["rate_pct"] == pytest.approx(muni_rows[0]["rate_pct"])
    assert 0.0 < row["rate_pct"] < 100.0
    rate_col = model.columns().index("rate_pct")
    assert model.data(model.index(0, rate_col)) == f"{row['rate_pct']:.1f}"
    assert dock.tabs.currentIndex() == 1


def test_two_resource_types_give_a_rate_column_each(dock, layers, sample_data):
    chome, shops = layers
    libraries = QgsVectorLayer(
        str(sample_data / "osm-2014" / "library_osaka.geojson"), "library_osaka", "ogr"
    )
    QgsProject.instance().addMapLayer(libraries)
    dock.set_resource_layers([shops, libraries], ["konbini", "library"])
    run_and_wait(dock)
    assert dock.result, dock.last_message()
    fields = dock.result["chome"].fields().names()
    assert {"has_access_konbini", "has_access_library", "status"} <= set(fields)
    columns = dock.table_model.columns()
    assert columns[2:5] == ["rate_pct", "rate_pct_konbini", "rate_pct_library"]
    row = dock.table_model.row_dict(0)
    # any type reaches at least as many elderly as each type alone
    assert row["rate_pct"] >= max(row["rate_pct_konbini"], row["rate_pct_library"]) - 1e-9
    assert len(dock.result["resources"]) == 2


def test_age_table_gives_the_methods_at_home_75plus_rate(dock, layers, sample_data):
    """With the T001082 table the panel joins it first: the rate is weighted by at-home 75+ (30.7 % for
    大東市 with the OSM 2014 convenience stores, the shared data's reference), not by JINKO (32.4 %)."""
    chome, shops = layers
    dock.set_resource_layers([shops])
    dock.ages_widget.setFilePath(str(sample_data / "osaka-2020-ages" / "tblT001082C27.csv"))
    run_and_wait(dock)
    assert dock.result, dock.last_message()
    assert {"at_home_75plus", "pop_75plus", "has_access"} <= set(dock.result["chome"].fields().names())
    row = dock.table_model.row_dict(0)
    assert row["muni_code"] == "27218"
    assert row["rate_pct"] == pytest.approx(30.69, abs=0.01)
    assert row["pop_75plus"] == 15784


def test_missing_age_table_is_a_message(dock, layers, tmp_path):
    dock.ages_widget.setFilePath(str(tmp_path / "nope.csv"))
    dock.run()
    assert not dock.is_running()
    assert "nope.csv" in dock.last_message()


def test_chome_points_of_a_prefecture(dock, qgis_iface, project, sample_data):
    """The 2015 chōme table of all 大阪府 (X_CODE/Y_CODE, no geometry): many municipalities, the e-Stat
    AREA field proposed for the density, a chart, and a row selection that zooms to one ward."""
    table = QgsVectorLayer(str(sample_data / "osaka-2015-points" / "27-oosaka-all.dbf"), "osaka", "ogr")
    shops = QgsVectorLayer(str(sample_data / "osm-2014" / "convenience_osaka.geojson"), "konbini", "ogr")
    project.addMapLayers([table, shops])
    dock.set_chome_layer(table)
    assert dock.area_combo.currentField() == "AREA" and dock.area_unit_combo.currentText() == "m²"
    dock.set_resource_layers([shops])
    run_and_wait(dock)
    assert dock.result, dock.last_message()
    model = dock.table_model
    assert model.rowCount() > 40  # 大阪市 and 堺市 by ward, plus the other municipalities
    codes = [model.code_at(r) for r in range(model.rowCount())]
    assert "27218" in codes and "27102" in codes and len(set(codes)) == len(codes)
    rate_col = model.columns().index("rate_pct")
    model.sort(rate_col, Qt.SortOrder.DescendingOrder)
    rates = [model.row_dict(r)["rate_pct"] for r in range(model.rowCount())]
    filled = [r for r in rates if r is not None]
    assert filled == sorted(filled, reverse=True) and rates[: len(filled)] == filled
    pixmap = dock.chart_pixmap()
    assert pixmap is not None and not pixmap.isNull()

    canvas = qgis_iface.mapCanvas()
    canvas.setDestinationCrs(dock.result["chome"].crs())
    row = codes.index("27218")
    model.sort(0, Qt.SortOrder.AscendingOrder)  # by code again: row order = sorted codes
    row = [model.code_at(r) for r in range(model.rowCount())].index("27218")
    dock.table_view.selectRow(row)
    assert dock.selected_codes() == ["27218"]
    extent = canvas.extent()
    daito = [
        f.geometry().asPoint()
        for f in dock.result["chome"].getFeatures()
        if str(f["KEY_CODE"]).startswith("27218")
    ]
    assert daito and all(extent.contains(p) for p in daito)
    assert extent.width() < 0.2  # degrees: a town, not the prefecture


def test_selecting_a_row_zooms_to_the_municipality(dock, qgis_iface, layers):
    chome, shops = layers
    canvas = qgis_iface.mapCanvas()
    canvas.setDestinationCrs(chome.crs())
    dock.set_resource_layers([shops])
    run_and_wait(dock)
    canvas.setExtent(chome.extent().buffered(50000))  # zoom far out first
    wide = canvas.extent().width()
    dock.table_view.selectionModel().select(
        dock.table_model.index(0, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    assert dock.selected_codes() == ["27218"]
    extent = canvas.extent()
    assert extent.width() < wide / 5
    assert extent.contains(chome.extent().center())
    assert (
        extent.width() >= chome.extent().width() * 0.99 or extent.height() >= chome.extent().height() * 0.99
    )


def test_restyle_without_rerun(dock, layers):
    chome, shops = layers
    dock.set_resource_layers([shops])
    run_and_wait(dock)
    result = dock.result["chome"]
    result.setRenderer(QgsSingleSymbolRenderer.defaultRenderer(result.geometryType()))
    dock.restyle_combo.setLayer(result)
    dock.restyle()
    renderer = result.renderer()
    assert isinstance(renderer, QgsCategorizedSymbolRenderer)
    assert {c.value(): c.symbol().color().name() for c in renderer.categories()} == STATUS_COLORS

    # a layer that is not a result gets a message, not a traceback
    dock.restyle_combo.setLayer(shops)
    dock.restyle()
    assert shops.name() in dock.last_message()
    assert not isinstance(shops.renderer(), QgsCategorizedSymbolRenderer)

    # the municipality layer of an earlier run refills the table
    dock.table_model.set_rows([])
    dock.restyle_combo.setLayer(dock.result["muni"])
    dock.restyle()
    assert dock.table_model.rowCount() == 1


def test_output_folder_keeps_the_tables(dock, layers, tmp_path):
    dock.set_resource_layers([layers[1]])
    dock.folder_widget.setFilePath(str(tmp_path / "results"))
    run_and_wait(dock)
    folder = dock.result["folder"]
    assert os.path.dirname(folder) == str(tmp_path / "results")
    for name in ("chome_access.gpkg", "municipalities.gpkg", "municipalities.csv", "municipalities.xlsx"):
        assert os.path.getsize(os.path.join(folder, name)) > 0, name
    assert dock.result["chome"].source().startswith(folder)
    assert dock.charts_parameters()["OUTPUT_FOLDER"] == os.path.join(folder, "charts")


def test_unwritable_output_folder_is_a_message(dock, qgis_iface, layers, tmp_path):
    (tmp_path / "a_file").write_text("x")
    dock.set_resource_layers([layers[1]])
    dock.folder_widget.setFilePath(str(tmp_path / "a_file" / "results"))
    before = len(critical_messages(qgis_iface))
    dock.run()
    assert not dock.is_running()
    assert len(critical_messages(qgis_iface)) == before + 1
    assert "a_file" in dock.last_message() and "Unexpected" not in dock.last_message()


def test_removed_results_and_new_project_are_forgotten(dock, layers):
    dock.set_resource_layers([layers[1]])
    run_and_wait(dock)
    QgsProject.instance().removeMapLayer(dock.result["chome"].id())
    assert "chome" not in dock.result
    dock.export_map()  # nothing to export any more: a message, not an error
    assert "Unexpected" not in dock.last_message()
    assert dock.map_parameters() is None
    QgsProject.instance().clear()
    assert dock.result == {} and dock.table_model.rowCount() == 0
    assert dock.chart_pixmap() is None


def test_cancel_adds_nothing(dock, layers):
    chome, shops = layers
    dock.set_resource_layers([shops])
    layers_before = set(QgsProject.instance().mapLayers())
    dock.run()
    assert dock.is_running()
    assert dock.cancel_button.isEnabled() and not dock.run_button.isEnabled()
    dock.cancel()
    wait_until(lambda: not dock.is_running())
    assert set(QgsProject.instance().mapLayers()) == layers_before
    assert result_group() is None
    assert dock.run_button.isEnabled() and not dock.cancel_button.isEnabled()
    assert "ancel" in dock.last_message() or "取り消" in dock.last_message()


def test_a_run_of_the_panel_is_refused_by_the_same_guard_before_anything_is_written(
    dock, project, sample_data, tmp_path, monkeypatch
):
    """SPEC §8 in the panel: its runs go through the algorithms' guard (checkParameterValues, then
    processAlgorithm). An output that would replace the chōme layer itself is refused in both languages
    before any work; nothing is written, nothing is added, the user's GeoPackage stays byte for byte."""
    from osgeo import gdal

    folder = tmp_path / "run"
    folder.mkdir()
    target = folder / "chome_access.gpkg"  # where the panel writes kaigo:blankareas's output
    gdal.VectorTranslate(
        str(target), str(sample_data / "daito-27218" / "chome.shp"), format="GPKG", layerName="chome_access"
    )
    before = target.read_bytes()
    chome = QgsVectorLayer(f"{target}|layername=chome_access", "大東市 (gpkg)", "ogr")
    shops = QgsVectorLayer(str(sample_data / "osm-2014" / "convenience_osaka.geojson"), "konbini", "ogr")
    assert chome.isValid() and shops.isValid()
    project.addMapLayers([chome, shops])
    layers_before = set(project.mapLayers())
    monkeypatch.setattr(dock, "_output_folder", lambda: str(folder))
    dock.set_chome_layer(chome)
    dock.set_resource_layers([shops], ["konbini"])
    run_and_wait(dock)
    message = dock.last_message()
    assert "は入力" in message and "is the same data as the input" in message, message
    assert dock.result.get("muni") is None and result_group() is None
    assert set(project.mapLayers()) == layers_before
    assert sorted(p.name for p in folder.iterdir()) == ["chome_access.gpkg"]
    assert target.read_bytes() == before


def test_rerun_in_the_panel_gives_byte_identical_tables(dock, layers):
    """Two runs of the panel on the same layers write the same CSV and XLSX, byte for byte (each run has its
    own folder), and the same figures in the GeoPackage."""
    chome, shops = layers
    dock.set_resource_layers([shops])
    folders, rows = [], []
    for _ in range(2):
        run_and_wait(dock)
        assert dock.result.get("muni") is not None, dock.last_message()
        folders.append(dock.result["folder"])
        rows.append([{k: v for k, v in r.items() if k != "fid"} for r in dock.table_model.rows()])
        time.sleep(1.1)  # a timestamp in seconds would differ
    a, b = (Path(f) for f in folders)
    assert a != b
    for name in ("municipalities.csv", "municipalities.xlsx"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert rows[0] == rows[1] and rows[0]


def test_algorithm_error_is_a_message(dock, qgis_iface, layers, sample_data, tmp_path):
    """A shapefile without its .prj: kaigo:blankareas refuses it; the panel says why, adds nothing."""
    import shutil

    for ext in ("shp", "shx", "dbf", "cpg"):
        shutil.copy(sample_data / "daito-27218" / f"chome.{ext}", tmp_path / f"noprj.{ext}")
    no_crs = QgsVectorLayer(str(tmp_path / "noprj.shp"), "no_crs", "ogr")
    no_crs.setCrs(QgsCoordinateReferenceSystem())
    QgsProject.instance().addMapLayer(no_crs)
    dock.set_chome_layer(no_crs)
    dock.set_resource_layers([layers[1]])
    before = len(critical_messages(qgis_iface))
    run_and_wait(dock)
    assert len(critical_messages(qgis_iface)) == before + 1
    message = dock.last_message()
    assert "CRS" in message and "Traceback" not in message
    assert critical_messages(qgis_iface)[-1].endswith(message)
    assert result_group() is None
    assert dock.run_button.isEnabled()


def test_chart_shown_in_panel(dock, layers):
    dock.set_resource_layers([layers[1]])
    run_and_wait(dock)
    pixmap = dock.chart_pixmap()
    assert pixmap is not None and not pixmap.isNull()
    assert pixmap.width() > 300 and pixmap.height() > 200


def test_export_charts_runs_committeecharts(dock, layers, tmp_path, run_alg):
    dock.set_resource_layers([layers[1]])
    run_and_wait(dock)
    dock.table_view.selectRow(0)
    params = dock.charts_parameters()
    assert params["HIGHLIGHT"] == "27218"
    params["OUTPUT_FOLDER"] = str(tmp_path / "charts")
    run_alg("kaigo:committeecharts", params)
    assert any(p.suffix == ".png" for p in (tmp_path / "charts").rglob("*"))


def test_export_map_runs_exportmap(dock, layers, tmp_path, run_alg):
    dock.set_resource_layers([layers[1]])
    run_and_wait(dock)
    dock.table_view.selectRow(0)
    params = dock.map_parameters()
    assert params["MUNI_CODES"] == "27218"
    assert params["RESOURCES"] == [dock.result["resources"][0].id()]
    params["OUTPUT_FOLDER"] = str(tmp_path / "maps")
    run_alg("kaigo:exportmap", params)
    assert any(p.suffix == ".png" for p in (tmp_path / "maps").rglob("*"))


# -- the table model alone -------------------------------------------------------------------------------
def test_table_sorts_numbers_with_empty_rates_last(qgis_app):
    from kaigo_resource_plugin.ui.table_model import MunicipalityTableModel

    model = MunicipalityTableModel()
    model.set_rows(
        [
            {"muni_code": "27218", "muni_name": "大東市", "rate_pct": 30.7, "density": 6700.0},
            {"muni_code": "13203", "muni_name": "武蔵野市", "rate_pct": 100.0, "density": 13675.0},
            {"muni_code": "01581", "muni_name": "厚真町", "rate_pct": None, "density": 12.0},
            {"muni_code": "11206", "muni_name": "行田市", "rate_pct": 9.5, "density": 1188.0},
        ]
    )
    col = model.columns().index("rate_pct")
    model.sort(col, Qt.SortOrder.AscendingOrder)
    assert [model.code_at(r) for r in range(4)] == ["11206", "27218", "13203", "01581"]
    model.sort(col, Qt.SortOrder.DescendingOrder)
    assert [model.code_at(r) for r in range(4)] == ["13203", "27218", "11206", "01581"]
    assert model.data(model.index(3, col)) == "—"
    dens = model.columns().index("density")
    model.sort(dens, Qt.SortOrder.DescendingOrder)
    assert model.data(model.index(0, dens)) == "13,675"


# -- unload after the export dialogs (issue #15, item 1) ------------------------------------------------
def test_unload_and_reload_after_export_dialogs_were_closed(plugin, qgis_iface, layers, monkeypatch):
    """The export buttons open Processing dialogs that Qt deletes when they close: unloading the plugin
    afterwards (QGIS updating it, or quitting) must not touch the deleted dialogs, and the panel must go."""
    from qgis.gui import QgsBrowserGuiModel

    import kaigo_resource_plugin

    if not hasattr(qgis_iface, "browserModel"):  # the Processing dialog asks the desktop for it
        browser = QgsBrowserGuiModel()
        monkeypatch.setattr(qgis_iface, "browserModel", lambda: browser, raising=False)
    from kaigo_resource_plugin.ui.dock import KaigoDock

    for _cycle in range(2):  # install → run → export → close → unload, twice (reinstall)
        instance = kaigo_resource_plugin.classFactory(qgis_iface)
        instance.initGui()
        dock = instance.dock
        assert isinstance(dock, KaigoDock)
        dock.set_chome_layer(layers[0])
        dock.set_resource_layers([layers[1]])
        run_and_wait(dock)
        assert dock.result.get("muni") is not None, dock.last_message()
        dialogs = [
            dock._open_algorithm("kaigo:committeecharts", dock.charts_parameters()),
            dock._open_algorithm("kaigo:exportmap", dock.map_parameters()),
        ]
        assert all(d is not None for d in dialogs)
        for dialog in dialogs:  # the user closes them; Qt deletes the C++ objects
            dialog.close()
            dialog.deleteLater()
        QgsApplication.sendPostedEvents(None, 0)
        QgsApplication.processEvents()
        instance.unload()  # raised RuntimeError: wrapped C/C++ object of type AlgorithmDialog has been deleted
        assert instance.dock is None
        assert not dock.isVisible()
        QgsApplication.sendPostedEvents(None, 0)
    # the provider of the session fixture is still the one registered
    assert QgsApplication.processingRegistry().providerById("kaigo") is not None


# -- what the panel says and how wide it opens (issue #15, items 3 and 4) -------------------------------
def test_age_table_changes_the_weight_text_and_the_elderly_box(dock, layers, sample_data):
    dock.set_chome_layer(layers[0])
    text = dock.detect_label.text()
    assert "JINKO" in text and "Import e-Stat" not in text and "e-Stat 取り込み" not in text
    assert dock.elderly_weight() == "JINKO"
    dock.ages_widget.setFilePath(str(sample_data / "osaka-2020-ages" / "tblT001082C27.csv"))
    text = dock.detect_label.text()
    assert "at_home_75plus" in text
    assert "is the weight" not in text.split("at_home_75plus")[0]  # no longer claims JINKO is the weight
    assert "JINKO (total population)" not in text
    assert dock.elderly_weight() == "at_home_75plus"
    assert dock.elderly_combo.isHidden() and not dock.elderly_from_ages.isHidden()
    dock.ages_widget.setFilePath("")
    assert not dock.elderly_combo.isHidden() and dock.elderly_weight() == "JINKO"


def test_panel_opens_wide_enough_without_horizontal_scrolling(dock, layers):
    dock.set_chome_layer(layers[0])
    hint = dock.sizeHint().width()
    assert hint >= 420  # QScrollArea alone asks for about 300 px
    dock.resize(hint, 900)
    dock.show()
    QgsApplication.processEvents()
    for index in range(dock.tabs.count()):
        dock.tabs.setCurrentIndex(index)
        QgsApplication.processEvents()
        area = dock.tabs.widget(index)
        assert not area.horizontalScrollBar().isVisible()
        # every field fits in the width the panel opens with
        assert area.widget().minimumSizeHint().width() <= area.viewport().width(), index
    dock.hide()


def test_chart_follows_the_panel_width_without_resizing_itself(dock, layers):
    """Issue #15: after a run QGIS Desktop crashed with a stack overflow — the chart label set a new pixmap
    and minimum height inside its resizeEvent, the vertical scroll bar came and went, each resize asking
    for the next. The chart now takes its height from heightForWidth and the scroll bar is always there."""
    from qgis.PyQt.QtCore import Qt
    from qgis.PyQt.QtGui import QColor, QPixmap

    chart = QPixmap(1800, 1200)
    chart.fill(QColor("#336699"))
    dock.set_chome_layer(layers[0])
    dock.chart_label.set_image(chart)
    dock.tabs.setCurrentIndex(1)
    dock.show()
    label = dock.chart_label
    for width in range(380, 760, 9):
        for height in (500, 700, 900):
            dock.resize(width, height)
            QgsApplication.processEvents()
            assert label.height() >= label.heightForWidth(label.width()) - 1
    assert label.heightForWidth(600) == 400  # the chart's aspect ratio, 1800 × 1200
    assert label.minimumSizeHint().width() <= 200  # a wide chart never holds the panel wide
    for index in range(dock.tabs.count()):
        policy = dock.tabs.widget(index).verticalScrollBarPolicy()
        assert policy == Qt.ScrollBarPolicy.ScrollBarAlwaysOn
    dock.hide()


@pytest.mark.parametrize("lang, expected", [("ja", "大都市"), ("en", "Large city")])
def test_table_class_label_follows_the_qgis_language(qgis_app, monkeypatch, lang, expected):
    from kaigo_resource_plugin.ui.table_model import MunicipalityTableModel

    monkeypatch.setenv("KAIGO_LANG", lang)
    model = MunicipalityTableModel()
    model.set_rows([{"muni_code": "27218", "density_class": 3, "class_label": "大都市", "rate_pct": 30.7}])
    col = model.columns().index("class_label")
    assert model.data(model.index(0, col)) == expected


def test_two_resource_types_get_their_own_pins_and_readable_names(dock, layers, sample_data):
    """Issue #15 item 7: two types are two different symbols, with names a planner reads."""
    libraries = QgsVectorLayer(
        str(sample_data / "osm-2014" / "library_osaka.geojson"), "library_osaka", "ogr"
    )
    QgsProject.instance().addMapLayer(libraries)
    dock.set_resource_layers([layers[1], libraries], ["convenience", "library"])
    run_and_wait(dock)
    pins = dock.result["resources"]
    assert len(pins) == 2
    from qgis.PyQt.QtCore import QSize

    drawn = set()
    for p in pins:  # what the map draws: the pin's body, below its white dot
        image = p.renderer().symbol().asImage(QSize(48, 64))
        counts = {}
        for y in range(image.height()):
            for x in range(image.width()):
                c = image.pixelColor(x, y)
                if c.alpha() > 200 and c.lightness() < 200:  # the pin's body: opaque, not its white dot
                    key = (c.red() // 16, c.green() // 16, c.blue() // 16)
                    counts[key] = counts.get(key, 0) + 1
        assert counts, p.name()
        drawn.add(max(counts, key=counts.get))
    assert len(drawn) == 2, drawn
    names = sorted(p.name() for p in pins)
    assert all("_osaka" not in n for n in names), names


# -- settings in the project, results folder, municipality filter (issue #15 item 10) --------------------
def test_settings_are_saved_in_and_restored_from_the_project_file(dock, layers, sample_data, tmp_path):
    chome, shops = layers
    dock.set_chome_layer(chome)
    dock.set_resource_layers([shops], ["konbini"])
    dock.ages_widget.setFilePath(str(sample_data / "osaka-2020-ages" / "tblT001082C27.csv"))
    dock.folder_widget.setFilePath(str(tmp_path / "results"))
    dock.muni_edit.setText("27218")
    dock.radius_spin.setValue(800.0)
    dock.care3_spin.setValue(0.12)
    dock.rollup_check.setChecked(True)
    saved = dock.project_settings()
    path = str(tmp_path / "plan.qgz")
    project = QgsProject.instance()
    assert project.write(path)
    project.clear()  # a new project: the panel forgets
    assert dock.selected_resources() == [] or dock.chome_combo.currentLayer() is None
    dock.radius_spin.setValue(500.0)
    dock.folder_widget.setFilePath("")
    assert project.read(path)
    QgsApplication.processEvents()
    restored = dock.project_settings()
    # layer ids are kept by the project file: the same layers come back
    assert restored == saved
    assert dock.chome_combo.currentLayer().name() == "大東市 町丁字"
    assert [name for _layer, name in dock.selected_resources()] == ["konbini"]


def test_results_go_beside_the_project_by_default_not_to_a_temporary_folder(tmp_path):
    import tempfile

    from kaigo_resource_plugin.ui.dock import default_output_base

    project = QgsProject.instance()
    project.clear()
    unsaved = default_output_base(project)
    assert unsaved.endswith("kaigo_results") and not unsaved.startswith(tempfile.gettempdir())
    assert project.write(str(tmp_path / "plan.qgz"))
    assert default_output_base(project) == str(tmp_path / "kaigo_results")
    project.clear()


def test_municipality_filter_gives_the_figures_of_that_municipality_alone(
    dock, project, sample_data, tmp_path, run_alg
):
    table = QgsVectorLayer(str(sample_data / "osaka-2015-points" / "27-oosaka-all.dbf"), "osaka", "ogr")
    shops = QgsVectorLayer(str(sample_data / "osm-2014" / "convenience_osaka.geojson"), "konbini", "ogr")
    alone_path = run_alg(
        "native:extractbyexpression",
        {
            "INPUT": table,
            "EXPRESSION": "left(\"KEY_CODE\", 5) = '27218'",
            "OUTPUT": str(tmp_path / "daito.gpkg"),
        },
    )["OUTPUT"]
    alone = QgsVectorLayer(alone_path, "daito alone", "ogr")
    project.addMapLayers([table, shops, alone])

    def rows_of(layer, municipalities):
        dock.set_chome_layer(layer)
        dock.set_resource_layers([shops], ["konbini"])
        dock.muni_edit.setText(municipalities)
        run_and_wait(dock)
        assert dock.result.get("muni") is not None, dock.last_message()
        return [{k: v for k, v in r.items() if k != "fid"} for r in dock.table_model.rows()]

    reference = rows_of(alone, "")
    assert len(reference) == 1 and reference[0]["muni_code"] == "27218"
    assert rows_of(table, "27218") == reference
    assert rows_of(table, "大東市") == reference
    dock.set_chome_layer(table)
    dock.muni_edit.setText("99999")
    dock.run()
    assert not dock.is_running() and "99999" in dock.last_message()


def test_decision_step_suggests_sites_and_resource_impact(dock, layers):
    """「候補地の提案」 after a run: a styled layer of sites, the rate before → after; resource impact sized."""
    box = dock.decision_box
    assert not box.suggest_button.isEnabled()  # nothing to decide on before a run
    run_and_wait(dock)
    assert box.suggest_button.isEnabled()
    box.n_spin.setValue(3)
    box.suggest()
    wait_until(lambda: not box.is_running())
    sites = box.sites_layer
    assert sites is not None and sites.featureCount() == 3
    assert sites.customProperty("kaigo/role") == "sites" and sites.labelsEnabled()
    assert sites.id() in QgsProject.instance().mapLayers()
    before, after = _rates(box)
    assert f"{before:.1f}" in box.result_label.text() and f"{after:.1f}" in box.result_label.text()
    muni = dock.result["muni"]
    rate = next(iter(muni.getFeatures()))["rate_pct"]
    assert before == pytest.approx(rate, abs=0.05)
    assert after > before
    box.impact()
    wait_until(lambda: not box.is_running())
    impact = box.impact_layer
    assert impact is not None and impact.featureCount() > 0
    prop = impact.renderer().symbol().symbolLayer(0).dataDefinedProperties()
    assert any("elderly_only_here" in prop.property(k).expressionString() for k in prop.propertyKeys())


def _rates(box):
    from kaigo_resource_plugin.ui.decision_panel import rates_of_sites

    return rates_of_sites(box.sites_layer)

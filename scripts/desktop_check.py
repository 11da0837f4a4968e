"""Run inside QGIS Desktop (``qgis --code scripts/desktop_check.py``, see desktop_check.sh).

The planner's first hour, scripted: with the plugin installed from the zip into a fresh profile, load
大東市 and the OSM convenience stores, run the analysis from the panel, open the two export dialogs and
run the exports, close the dialogs, unload the plugin, load it again ("reinstall") and check the panel is
back. Screenshots of the panel and of two algorithm dialogs go to $KAIGO_SHOTS (prefix), and every
message QGIS logged plus any error window seen goes to $KAIGO_REPORT (JSON). QGIS exits when done.
"""

import json
import os
import sys
import time
import traceback

from qgis.core import QgsApplication, QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import QCoreApplication, QTimer
from qgis.PyQt.QtWidgets import QApplication, QDockWidget, QMessageBox
from qgis.utils import iface, loadPlugin, plugins, startPlugin, unloadPlugin

SHOTS = os.environ["KAIGO_SHOTS"]
REPORT = os.environ["KAIGO_REPORT"]
REPO = os.environ["KAIGO_REPO"]
PLUGIN = "kaigo_resource_plugin"
STARTED = time.monotonic()
_keep = {}
report = {"steps": [], "messages": [], "error_windows": [], "exceptions": [], "shots": []}


def say(text):
    report["steps"].append(f"{time.monotonic() - STARTED:5.1f}s {text}")
    sys.stderr.write(f"[check {time.monotonic() - STARTED:5.1f}s] {text}\n")
    sys.stderr.flush()


def on_message(message, tag, level):
    report["messages"].append({"tag": tag, "level": int(level), "text": message})


QgsApplication.messageLog().messageReceived.connect(on_message)
_previous_hook = sys.excepthook


def on_exception(etype, value, tb):
    report["exceptions"].append("".join(traceback.format_exception(etype, value, tb)))
    _previous_hook(etype, value, tb)


sys.excepthook = on_exception


def finish(code=0):
    for widget in QApplication.topLevelWidgets():  # a Python error or message box left on screen
        if widget.isVisible() and isinstance(widget, QMessageBox):
            report["error_windows"].append(f"{type(widget).__name__}: {widget.windowTitle()} {widget.text()}")
    report["exit"] = code
    with open(REPORT, "w", encoding="utf-8") as fh:
        json.dump(report, fh, ensure_ascii=False, indent=1)
    QgsProject.instance().setDirty(False)
    sys.stderr.flush()
    os._exit(code)


def later(ms, func):
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(func)
    timer.start(ms)
    _keep[func.__name__] = timer


def guard(func):
    def wrapper():
        try:
            func()
        except Exception:  # noqa: BLE001 - report and leave, never hang under Xvfb
            report["exceptions"].append(traceback.format_exc())
            finish(1)

    wrapper.__name__ = func.__name__
    return wrapper


def shot(widget, name):
    QCoreApplication.processEvents()
    path = f"{SHOTS}_{name}.png"
    widget.grab().save(path, "PNG")
    report["shots"].append(path)
    say(f"saved {path}")


@guard
def start():
    window = iface.mainWindow()
    window.setGeometry(0, 0, 1600, 1000)
    for name in ("ProcessingToolbox", "Browser", "Browser2", "StatisticalSummaryDockWidget"):
        widget = window.findChild(QDockWidget, name)
        if widget is not None:
            widget.hide()
    if PLUGIN not in plugins:
        raise RuntimeError("the plugin is not loaded from the profile")
    say(f"plugin loaded from {sys.modules[PLUGIN].__file__}")
    sample = os.path.join(REPO, "sample_data")
    chome = QgsVectorLayer(os.path.join(sample, "daito-27218", "chome.shp"), "大東市 町丁字（e-Stat）", "ogr")
    shops = QgsVectorLayer(
        os.path.join(sample, "osm-2014", "convenience_osaka.geojson"), "convenience_osaka", "ogr"
    )
    libraries = QgsVectorLayer(
        os.path.join(sample, "osm-2014", "library_osaka.geojson"), "library_osaka", "ogr"
    )
    QgsProject.instance().setCrs(chome.crs())
    QgsProject.instance().addMapLayers([chome, shops, libraries])
    _keep["layers"] = (chome, shops, libraries)
    dock = plugins[PLUGIN].dock
    dock.show()
    dock.raise_()
    QCoreApplication.processEvents()
    say(f"panel opens {dock.width()} px wide (size hint {dock.sizeHint().width()})")
    dock.set_chome_layer(chome)
    dock.set_resource_layers([shops, libraries], ["convenience", "library"])
    dock.ages_widget.setFilePath(os.path.join(sample, "osaka-2020-ages", "tblT001082C27.csv"))
    dock.folder_widget.setFilePath(os.environ["KAIGO_OUT"])
    shot(dock, "panel_settings")
    say(f"running; language {dock.lang}")
    dock.run()
    later(500, wait_for_run)


@guard
def wait_for_run():
    dock = plugins[PLUGIN].dock
    if dock.is_running():
        if time.monotonic() - STARTED > 400:
            raise RuntimeError("the analysis did not finish in time")
        later(300, wait_for_run)
        return
    say(f"run finished: {dock.last_message()}")
    if not dock.result:
        raise RuntimeError(f"no result: {dock.last_message()}")
    root = QgsProject.instance().layerTreeRoot()
    for layer in _keep["layers"]:
        node = root.findLayer(layer.id())
        if node is not None:
            node.setItemVisibilityChecked(False)
    dock.table_view.selectRow(0)
    dock.tabs.setCurrentIndex(1)
    later(2500, shots_of_the_window)


@guard
def shots_of_the_window():
    iface.mapCanvas().waitWhileRendering()
    shot(iface.mainWindow(), "window")
    dock = plugins[PLUGIN].dock
    shot(dock, "panel_results")
    # the two export dialogs, as the panel's buttons open them
    dialogs = [dock._open_algorithm("kaigo:committeecharts", dock.charts_parameters())]
    dialogs.append(dock._open_algorithm("kaigo:exportmap", dock.map_parameters()))
    _keep["dialogs"] = dialogs
    for dialog in dialogs:
        dialog.resize(1100, 760)
    later(1500, dialog_shots)


@guard
def dialog_shots():
    charts, maps = _keep["dialogs"]
    shot(charts, "dialog_committeecharts")
    shot(maps, "dialog_exportmap")
    import processing

    chome, shops, libraries = _keep["layers"]
    full = processing.createAlgorithmDialog(
        "kaigo:fullanalysis", {"CHOME": [chome.id()], "RESOURCES": [shops.id(), libraries.id()]}
    )
    full.resize(1100, 760)
    full.show()
    _keep["full"] = full
    later(1500, run_exports)


@guard
def run_exports():
    shot(_keep["full"], "dialog_fullanalysis")
    _keep["full"].close()
    import processing

    dock = plugins[PLUGIN].dock
    charts = processing.run("kaigo:committeecharts", dock.charts_parameters())
    maps = processing.run("kaigo:exportmap", dock.map_parameters())

    def count(files):
        return len(files.splitlines()) if isinstance(files, str) else len(files or [])

    say(f"exported {count(charts.get('FILES'))} chart files and {count(maps.get('FILES'))} map files")
    for dialog in _keep.pop("dialogs"):
        dialog.close()  # the user closes them: QGIS deletes the dialogs
        dialog.deleteLater()
    _keep.pop("full").deleteLater()
    later(800, unload_and_reinstall)


@guard
def unload_and_reinstall():
    say("unloading the plugin")
    if not unloadPlugin(PLUGIN):
        raise RuntimeError("unloadPlugin returned False")
    QCoreApplication.processEvents()
    left = [w for w in iface.mainWindow().findChildren(QDockWidget) if w.objectName() == "KaigoResourceDock"]
    say(f"panels left after unload: {len([w for w in left if w.isVisible()])}")
    if QgsApplication.processingRegistry().providerById("kaigo") is not None:
        raise RuntimeError("the provider is still registered after unload")
    say("loading it again")
    if not (loadPlugin(PLUGIN) and startPlugin(PLUGIN)):
        raise RuntimeError("the plugin did not start again")
    QCoreApplication.processEvents()
    if plugins[PLUGIN].dock is None or QgsApplication.processingRegistry().providerById("kaigo") is None:
        raise RuntimeError("no panel or no provider after reinstalling")
    say("panel and provider back")
    later(800, lambda: finish(0))


later(2000, start)

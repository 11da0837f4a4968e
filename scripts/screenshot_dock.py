"""Run inside QGIS Desktop (``qgis --code scripts/screenshot_dock.py``, see screenshot_dock.sh).

Loads 大東市 and the OSM convenience stores, runs the analysis from the dock panel, selects 大東市 in the
table, waits for the map to render and saves a grab of the main window to $KAIGO_SCREENSHOT_OUT.
Exits QGIS when done (or after a time limit, with a message on stderr).
"""

import os
import sys
import time

from qgis.core import QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import QCoreApplication, Qt, QTimer, QTranslator
from qgis.PyQt.QtWidgets import QDockWidget
from qgis.utils import iface, plugins, reloadPlugin

OUT = os.environ["KAIGO_SCREENSHOT_OUT"]
QM = os.environ.get("KAIGO_SCREENSHOT_QM", "")
REPO = os.environ["KAIGO_REPO"]
PLUGIN = "kaigo_resource_plugin"
STARTED = time.monotonic()
_keep = {}


def say(text):
    sys.stderr.write(f"[screenshot {time.monotonic() - STARTED:5.1f}s] {text}\n")
    sys.stderr.flush()


def quit_qgis(code=0):
    QgsProject.instance().setDirty(False)
    sys.stderr.flush()
    os._exit(code)  # no "save the project?" question, no shutdown of a throw-away profile


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
            import traceback

            traceback.print_exc()
            quit_qgis(1)

    wrapper.__name__ = func.__name__
    return wrapper


@guard
def start():
    if QM and os.path.exists(QM):
        translator = QTranslator()
        if translator.load(QM):
            QCoreApplication.installTranslator(translator)
            _keep["translator"] = translator
            say(f"translator {QM}")
    reloadPlugin(PLUGIN)  # rebuild the dock with the Japanese strings
    window = iface.mainWindow()
    window.setGeometry(0, 0, 1600, 1000)
    for name in ("ProcessingToolbox", "Browser", "Browser2", "StatisticalSummaryDockWidget"):
        widget = window.findChild(QDockWidget, name)
        if widget is not None:
            widget.hide()
    sample = os.path.join(REPO, "sample_data")
    chome = QgsVectorLayer(os.path.join(sample, "daito-27218", "chome.shp"), "大東市 町丁字（e-Stat）", "ogr")
    shops = QgsVectorLayer(
        os.path.join(sample, "osm-2014", "convenience_osaka.geojson"), "コンビニ（OSM 2014）", "ogr"
    )
    if not chome.isValid() or not shops.isValid():
        raise RuntimeError("sample data not found")
    QgsProject.instance().setCrs(chome.crs())
    QgsProject.instance().addMapLayers([chome, shops])
    _keep["layers"] = (chome, shops)
    dock = plugins[PLUGIN].dock
    dock.show()
    dock.raise_()
    docks, widths = [dock], [620]
    legend = window.findChild(QDockWidget, "Layers")
    if legend is not None:
        docks.append(legend)
        widths.append(360)
    window.resizeDocks(docks, widths, Qt.Orientation.Horizontal)
    dock.set_chome_layer(chome)
    dock.set_resource_layers([shops])
    say(f"running; language {dock.lang}")
    dock.run()
    later(500, wait_for_run)


@guard
def wait_for_run():
    dock = plugins[PLUGIN].dock
    if dock.is_running():
        if time.monotonic() - STARTED > 240:
            raise RuntimeError("the analysis did not finish in time")
        later(300, wait_for_run)
        return
    say(f"run finished: {dock.last_message()}")
    if not dock.result:
        raise RuntimeError(f"no result: {dock.last_message()}")
    chome, shops = _keep["layers"]
    root = QgsProject.instance().layerTreeRoot()
    for layer in (chome, shops):
        node = root.findLayer(layer.id())
        if node is not None:
            node.setItemVisibilityChecked(False)
    result_node = root.findLayer(dock.result["chome"].id())
    if result_node is not None:
        result_node.setExpanded(True)
    iface.setActiveLayer(dock.result["chome"])
    dock.table_view.selectRow(0)  # zooms to 大東市 and highlights it in the chart
    dock.tabs.setCurrentIndex(1)
    later(2500, wait_for_render)


@guard
def wait_for_render():
    canvas = iface.mapCanvas()
    canvas.waitWhileRendering()
    QCoreApplication.processEvents()
    pixmap = iface.mainWindow().grab()
    if not pixmap.save(OUT, "PNG"):
        raise RuntimeError(f"cannot write {OUT}")
    say(f"saved {OUT} ({pixmap.width()}x{pixmap.height()})")
    # the settings tab as filled in for this run, beside the main picture
    dock = plugins[PLUGIN].dock
    dock.tabs.setCurrentIndex(0)
    QCoreApplication.processEvents()
    second = OUT[: -len(".png")] + "_settings.png" if OUT.endswith(".png") else OUT + "_settings.png"
    dock.grab().save(second, "PNG")
    say(f"saved {second}")
    quit_qgis(0)


later(1500, start)

"""Run by test_full_analysis.py in a subprocess (a crash must not take the test session with it):
open kaigo:fullanalysis's Processing dialog with chōme layers chosen, as the toolbox and the panel do,
and print what its KEY_FIELD / AREA_FIELD widgets offer. Not collected on its own (no test_ prefix)."""

from __future__ import annotations

from kaigo_paths import SAMPLE

DAITO = str(SAMPLE / "daito-27218" / "chome.shp")
TOTTORI = str(SAMPLE / "tottori-2015" / "31-tottori-all.shp")


def _widget_state(dialog, name):
    from qgis.PyQt.QtWidgets import QComboBox, QLineEdit

    wrapper = dialog.mainWidget().wrappers[name]
    widget = wrapper.wrappedWidget() if hasattr(wrapper, "wrappedWidget") else wrapper.widget
    combo = widget if isinstance(widget, QComboBox) else widget.findChild(QComboBox)
    items = [combo.itemText(i) for i in range(combo.count())] if combo is not None else None
    if items is None and isinstance(widget, QLineEdit):
        items = ["<text>"]
    return type(widget).__name__, items, wrapper.parameterValue()


def test_probe(plugin, qgis_iface, monkeypatch):
    import processing
    from qgis.core import QgsProject, QgsVectorLayer
    from qgis.gui import QgsBrowserGuiModel
    from qgis.PyQt.QtWidgets import QApplication

    if not hasattr(qgis_iface, "browserModel"):  # the Processing dialog asks the desktop for it
        browser = QgsBrowserGuiModel()
        monkeypatch.setattr(qgis_iface, "browserModel", lambda: browser, raising=False)
    project = QgsProject.instance()
    daito = QgsVectorLayer(DAITO, "daito", "ogr")
    tottori = QgsVectorLayer(TOTTORI, "tottori", "ogr")
    project.addMapLayers([daito, tottori])
    cases = {
        "one project layer": {"CHOME": [daito.id()]},
        "a file path": {"CHOME": [DAITO]},
        "two layers": {"CHOME": [daito.id(), tottori.id()]},
        "nothing": {},
        "typed key field": {"CHOME": [daito.id()], "KEY_FIELD": "KEY_CODE", "AREA_FIELD": "AREA"},
    }
    for case, params in cases.items():
        dialog = processing.createAlgorithmDialog("kaigo:fullanalysis", params)
        dialog.show()
        for _ in range(20):
            QApplication.processEvents()
        for name in ("KEY_FIELD", "AREA_FIELD"):
            kind, items, value = _widget_state(dialog, name)
            print(f"PROBE {case} | {name} | {kind} | {value!r} | {items}", flush=True)
        dialog.close()
        dialog.deleteLater()
        QApplication.processEvents()
    print("PROBE DONE", flush=True)

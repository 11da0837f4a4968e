"""The dock's download row: a municipality typed in kanji or kana (type-ahead from the bundled list), one
button that downloads what is missing (kaigo:downloadestat, kaigo:downloadresources) and runs the analysis."""

from __future__ import annotations

import os

from qgis.core import Qgis, QgsVectorLayer
from qgis.PyQt.QtCore import QCoreApplication, QStringListModel, Qt
from qgis.PyQt.QtWidgets import QCompleter, QHBoxLayout, QLineEdit, QPushButton, QWidget

from ..core import municipalities as munis
from ..core import sources
from ..core.errors import InputError
from .tasks import AlgorithmChain

ESTAT_ALG = "kaigo:downloadestat"
RESOURCES_ALG = "kaigo:downloadresources"


def tr(text: str) -> str:
    return QCoreApplication.translate("DownloadRow", text)


class DownloadRow(QWidget):
    """Line edit with type-ahead + "Download and run" button; the dock adds it to its form."""

    def __init__(self, dock, parent=None):
        super().__init__(parent)
        self.dock = dock
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(tr("e.g. 大東市, だいとうし, 27218"))
        self.edit.setToolTip(
            tr(
                "Municipality to download from e-Stat and OpenStreetMap (kanji or kana; a prefecture name "
                "means all its municipalities). The files are cached: a second run downloads nothing."
            )
        )
        self.model = QStringListModel()
        completer = QCompleter(self.model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.edit.setCompleter(completer)
        self.edit.textEdited.connect(self.update_suggestions)
        self.button = QPushButton(tr("Download and run"))
        self.button.setToolTip(
            tr(
                "Downloads what is missing (kaigo:downloadestat, kaigo:downloadresources), then runs the analysis"
            )
        )
        self.button.clicked.connect(self.start)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.button)

    def update_suggestions(self, text: str) -> None:
        self.model.setStringList([m.label() for m in munis.registry().suggest(text, limit=30)])

    def places(self) -> list:
        return munis.registry().resolve(munis.query_from_label(self.edit.text()))

    def start(self) -> None:
        dock = self.dock
        if dock.is_running():
            return
        try:
            places = self.places()
        except InputError as err:
            dock.show_message(str(err), Qgis.MessageLevel.Warning)
            return
        try:
            folder = os.path.join(dock._output_folder(), "downloaded")
            os.makedirs(folder, exist_ok=True)
        except OSError as err:
            dock.show_message(str(err), Qgis.MessageLevel.Critical)
            return
        codes = ",".join(m.code for m in places)
        tag = places[0].code if len(places) == 1 else f"{places[0].code}+{len(places) - 1}"
        estat = {
            "MUNICIPALITIES": codes,
            "IMPORT": False,
            "OUTPUT": os.path.join(folder, f"chome_{tag}.gpkg"),
            "OUTPUT_AGES": os.path.join(folder, f"T001082_{tag}.csv"),
        }
        steps = [
            (ESTAT_ALG, lambda _r: estat, 0.5),
            (
                RESOURCES_ALG,
                lambda r: {
                    "EXTENT": r[0]["OUTPUT"],
                    "RADIUS": dock.radius_spin.value(),
                    "OUTPUT_FOLDER": os.path.join(folder, f"resources_{tag}"),
                },
                0.5,
            ),
        ]
        dock.log_view.clear()
        dock._log(tr("Downloading {names}…").format(names="、".join(m.name for m in places)))
        chain = AlgorithmChain(steps, dock.project, dock)
        chain.progress.connect(dock._progress)
        chain.message.connect(dock._log)
        chain.finished.connect(self._finished)
        dock.chain = chain
        dock._set_running(True)
        dock.show_message(tr("Downloading… press Cancel to stop."), bar=False)
        chain.start()

    def _finished(self, ok: bool, results: list, error: str, cancelled: bool) -> None:
        dock = self.dock
        dock._set_running(False)
        dock.chain = None
        if not ok:
            text = tr("Download cancelled; nothing was changed.") if cancelled else error
            dock.show_message(text or tr("The download failed; see the log."), Qgis.MessageLevel.Warning)
            return
        chome = QgsVectorLayer(
            results[0]["OUTPUT"], os.path.splitext(os.path.basename(results[0]["OUTPUT"]))[0], "ogr"
        )
        dock.project.addMapLayer(chome)
        layers, names = [], []
        for t in sources.RESOURCE_TYPES:
            path = results[1].get(t.key.upper())
            if path:
                layer = QgsVectorLayer(path, f"{t.label_ja} ({t.key})", "ogr")
                dock.project.addMapLayer(layer)
                layers.append(layer)
                names.append(t.key)
        dock.set_chome_layer(chome)
        dock.ages_widget.setFilePath(results[0]["OUTPUT_AGES"])
        dock.set_resource_layers(layers, names)
        dock.run()

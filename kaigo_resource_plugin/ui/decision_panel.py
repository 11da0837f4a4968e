"""The dock's decision step after a run: 「候補地の提案」 (kaigo:suggestsites) and resource impact
(kaigo:resourceimpact), each added to the project as a styled layer. The algorithms do the work."""

from __future__ import annotations

import os

from qgis.core import (
    Qgis,
    QgsMapLayerProxyModel,
    QgsMarkerSymbol,
    QgsPalLayerSettings,
    QgsProperty,
    QgsSingleSymbolRenderer,
    QgsSymbolLayer,
    QgsTextFormat,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)
from qgis.gui import QgsCollapsibleGroupBox, QgsMapLayerComboBox
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtGui import QColor
from qgis.PyQt.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QPushButton, QSpinBox, QWidget

from .tasks import AlgorithmChain

SUGGEST_ALG, IMPACT_ALG = "kaigo:suggestsites", "kaigo:resourceimpact"
ROLE_PROPERTY = "kaigo/role"
SITE_COLOR = "#ff7f00"
IMPACT_COLOR = "#6a3d9a"


def style_sites(layer) -> None:
    """Suggested sites: orange stars labelled with their rank."""
    symbol = QgsMarkerSymbol.createSimple(
        {"name": "star", "color": SITE_COLOR, "outline_color": "#000000", "size": "5.5"}
    )
    layer.setRenderer(QgsSingleSymbolRenderer(symbol))
    settings = QgsPalLayerSettings()
    settings.fieldName = "rank"
    fmt = QgsTextFormat()
    fmt.setSize(9)
    fmt.setColor(QColor("#000000"))
    settings.setFormat(fmt)
    layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    layer.setLabelsEnabled(True)


def style_impact(layer, top: float) -> None:
    """Resources sized by the weight only they cover (area proportional; 1.5 mm for nothing)."""
    symbol = QgsMarkerSymbol.createSimple(
        {"name": "circle", "color": IMPACT_COLOR + "b0", "outline_color": "#ffffff", "size": "1.5"}
    )
    scale = max(float(top), 1.0)
    expr = f'1.5 + 8.5 * sqrt(coalesce("elderly_only_here", 0) / {scale!r})'
    newer = getattr(Qgis, "SymbolLayerProperty", None)  # QGIS ≥ 3.38 (QGIS 4: the only name)
    size_key = newer.Size if newer is not None else QgsSymbolLayer.Property.PropertySize
    symbol.symbolLayer(0).setDataDefinedProperty(size_key, QgsProperty.fromExpression(expr))
    layer.setRenderer(QgsSingleSymbolRenderer(symbol))


def rates_of_sites(layer) -> tuple[float | None, float | None]:
    """(rate before the sites, rate after all of them) in %, from the sites layer."""
    feats = sorted(layer.getFeatures(), key=lambda f: f["rank"])
    if not feats:
        return None, None
    first, last = feats[0], feats[-1]
    after = last["rate_after_pct"]
    total = first["covered_total"]
    if after is None or not total:
        return None, after
    before = first["rate_after_pct"] * (total - first["gain"]) / total
    return before, after


class DecisionBox(QgsCollapsibleGroupBox):
    """N, the candidate layer (empty: the blank chōme), a button; resource impact with another."""

    def tr(self, text: str) -> str:
        return QCoreApplication.translate("DecisionBox", text)

    def __init__(self, dock, parent=None):
        super().__init__(parent)
        self.setTitle(self.tr("Site suggestions"))
        self.dock = dock
        self.chain = None
        self.sites_layer = None
        self.impact_layer = None
        form = QFormLayout(self)
        self.n_spin = QSpinBox()
        self.n_spin.setRange(1, 10000)
        self.n_spin.setValue(5)
        self.n_spin.setToolTip(self.tr("How many new sites (shops, mobile-sales stops…) to suggest"))
        form.addRow(self.tr("Number of sites"), self.n_spin)
        self.candidates_combo = QgsMapLayerComboBox()
        layer_filter = getattr(Qgis, "LayerFilter", None) or QgsMapLayerProxyModel.Filter
        self.candidates_combo.setFilters(layer_filter.PointLayer)
        self.candidates_combo.setAllowEmptyLayer(True)
        self.candidates_combo.setLayer(None)
        self.candidates_combo.setToolTip(self.tr("Empty: the representative points of the blank chōme"))
        form.addRow(self.tr("Candidate sites"), self.candidates_combo)
        buttons = QWidget()
        row = QHBoxLayout(buttons)
        row.setContentsMargins(0, 0, 0, 0)
        self.suggest_button = QPushButton(self.tr("Suggest sites"))
        self.suggest_button.clicked.connect(self.suggest)
        self.impact_button = QPushButton(self.tr("Resource impact"))
        self.impact_button.setToolTip(self.tr("Size of each resource = at-home elderly that only it reaches"))
        self.impact_button.clicked.connect(self.impact)
        row.addWidget(self.suggest_button)
        row.addWidget(self.impact_button)
        form.addRow(buttons)
        self.result_label = QLabel(self.tr("Run the analysis first."))
        self.result_label.setWordWrap(True)
        form.addRow(self.result_label)
        self.refresh()

    # -------------------------------------------------------------------------------------------
    @property
    def result(self) -> dict | None:
        """The dock's last run (chome, resources, radius, folder), or None (none yet, or removed)."""
        result = getattr(self.dock, "result", None) or {}
        return result if result.get("chome") is not None else None

    def refresh(self) -> None:
        """Called by the dock after a run: the buttons work on its result."""
        enabled = self.result is not None and not self.is_running()
        self.suggest_button.setEnabled(enabled)
        self.impact_button.setEnabled(enabled)
        if enabled:
            self.result_label.setText(self.tr("Choose N and the candidates, then press Suggest sites."))
        elif not self.is_running():
            self.result_label.setText(self.tr("Run the analysis first."))

    def shutdown(self) -> None:
        if self.chain is not None:
            self.chain.cancel()

    def is_running(self) -> bool:
        return self.chain is not None

    def _run(self) -> dict:
        """The dock's last run (the buttons are enabled only when there is one)."""
        result = self.result
        if result is None:
            raise RuntimeError("no analysis result to work on")
        return result

    def _weight(self) -> str | None:
        chome = self._run()["chome"]
        name = self.dock.elderly_weight() if hasattr(self.dock, "elderly_weight") else ""
        return name if name and name in chome.fields().names() else None

    def _common(self) -> dict:
        result = self._run()
        params = {
            "INPUT": result["chome"].source(),
            "RESOURCES": [layer.source() for layer in result.get("resources", [])],
            "RADIUS": result["radius"],
        }
        weight = self._weight()
        if weight:
            params["ELDERLY_FIELD"] = weight
        return params

    def _path(self, name: str) -> str:
        folder = self._run().get("folder") or ""
        base = os.path.join(folder, name)
        k = 1
        path = base + ".gpkg"
        while os.path.exists(path):  # never over an earlier result
            k += 1
            path = f"{base}_{k}.gpkg"
        return path

    def suggest(self) -> None:
        if self.result is None or self.is_running():
            return
        params = dict(
            self._common(),
            N_SITES=self.n_spin.value(),
            OUTPUT=self._path("suggested_sites"),
            OUTPUT_CHOME=self._path("suggested_sites_chome"),
        )
        cand = self.candidates_combo.currentLayer()
        if cand is not None:
            params["CANDIDATES"] = cand.source()
        self._start(SUGGEST_ALG, params, self._sites_done)

    def impact(self) -> None:
        if self.result is None or self.is_running():
            return
        params = dict(
            self._common(),
            OUTPUT=self._path("resource_impact"),
            OUTPUT_MUNICIPALITIES=self._path("resource_impact_municipalities"),
        )
        if not params["RESOURCES"]:
            self.result_label.setText(self.tr("There is no resource layer in the last run."))
            return
        self._start(IMPACT_ALG, params, self._impact_done)

    def _start(self, alg_id: str, params: dict, done) -> None:
        self.result_label.setText(self.tr("Running…"))
        self.suggest_button.setEnabled(False)
        self.impact_button.setEnabled(False)
        self.chain = AlgorithmChain([(alg_id, lambda _results: params, 1.0)], self.dock.project, self)
        if hasattr(self.dock, "_log"):
            self.chain.message.connect(self.dock._log)

        def finished(ok: bool, results: list, error: str, cancelled: bool) -> None:
            chain, self.chain = self.chain, None
            self.refresh()
            try:
                if ok and results:
                    done(results[-1])
                elif not cancelled:
                    self.result_label.setText(self.tr("Failed: {error}").format(error=error.strip()))
            finally:
                if chain is not None:
                    chain.deleteLater()

        self.chain.finished.connect(finished)
        self.chain.start()

    def _add(self, layer, role: str) -> None:
        layer.setCustomProperty(ROLE_PROPERTY, role)
        project = self.dock.project
        project.addMapLayer(layer, False)
        root = project.layerTreeRoot()
        groups = [g for g in root.children() if hasattr(g, "addLayer")]
        (groups[0] if groups else root).insertLayer(0, layer)

    def _sites_done(self, results: dict) -> None:
        layer = QgsVectorLayer(results["OUTPUT"], self.tr("Suggested sites"), "ogr")
        if not layer.isValid():
            self.result_label.setText(self.tr("The result could not be opened."))
            return
        style_sites(layer)
        self._add(layer, "sites")
        self.sites_layer = layer
        before, after = rates_of_sites(layer)
        n = layer.featureCount()
        if before is None or after is None:
            self.result_label.setText(
                self.tr("No candidate reaches any uncovered elderly: no site suggested.")
            )
            return
        self.result_label.setText(
            self.tr("{n} sites: rate {before:.1f} % → {after:.1f} % (+{gain:.1f} points)").format(
                n=n, before=before, after=after, gain=after - before
            )
        )

    def _impact_done(self, results: dict) -> None:
        layer = QgsVectorLayer(results["OUTPUT"], self.tr("Resource impact (elderly only it reaches)"), "ogr")
        if not layer.isValid():
            self.result_label.setText(self.tr("The result could not be opened."))
            return
        values = [f["elderly_only_here"] or 0.0 for f in layer.getFeatures()]
        top = max(values) if values else 0.0
        style_impact(layer, top)
        self._add(layer, "impact")
        self.impact_layer = layer
        self.result_label.setText(
            self.tr("Resource impact: the largest weight only one resource reaches is {top:,.0f}.").format(
                top=top
            )
        )

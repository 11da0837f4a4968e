"""The dock panel: choose layers, run the analysis in the background, see the styled map, table and chart.

It runs the Processing algorithms (kaigo:blankareas → kaigo:sufficiencyrates; exports through
kaigo:committeecharts and kaigo:exportmap) and never re-implements them.
"""

from __future__ import annotations

import functools
import os
import tempfile
import time
import traceback

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateTransform,
    QgsFeatureRequest,
    QgsFieldProxyModel,
    QgsMapLayerProxyModel,
    QgsMessageLog,
    QgsProject,
    QgsRectangle,
    QgsSettings,
    QgsVectorLayer,
)
from qgis.gui import (
    QgsCollapsibleGroupBox,
    QgsDockWidget,
    QgsDoubleSpinBox,
    QgsFieldComboBox,
    QgsFileWidget,
    QgsMapLayerComboBox,
)
from qgis.PyQt.QtCore import QCoreApplication, QPoint, QRect, QSize, Qt, QTimer
from qgis.PyQt.QtGui import QIcon, QPainter, QPixmap
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

try:  # Qt6 (QGIS 4) has QAction in QtGui, Qt5 in QtWidgets
    from qgis.PyQt.QtGui import QAction
except ImportError:  # Qt5
    from qgis.PyQt.QtWidgets import QAction

from ..compat import geometry_type
from ..core.classes import DEFAULT_THRESHOLDS, THRESHOLD_PARAMETERS
from ..core.codes import muni_code_from_key, rollup_code
from ..core.contract import AREA_M2, AT_HOME_75PLUS, DEFAULT_CARE3_SHARE, KEY_CODE, POP_TOTAL
from ..core.errors import InputError
from ..core.language import resource_type_label
from ..i18n_loader import output_language
from ..styling import apply_resource_style, apply_status_style
from .chart import ChartUnavailable, scatter_png
from .decision_panel import DecisionBox
from .download import DownloadRow
from .fields import (
    POINT_CENTROID,
    POINT_ESTAT,
    POINT_SURFACE,
    detect_chome_fields,
    is_chome_candidate,
    suggest_type_name,
    valid_type_name,
)
from .table_model import MunicipalityTableModel
from .tasks import ERROR, LOG_TAG, WARNING, AlgorithmChain

PLUGIN_DIR = os.path.dirname(os.path.dirname(__file__))
ICON = os.path.join(PLUGIN_DIR, "icons", "icon.svg")
ROLE_PROPERTY = "kaigo/role"  # custom property on the layers the panel adds: chome / muni / resource
BLANK_ALG, RATES_ALG = "kaigo:blankareas", "kaigo:sufficiencyrates"
IMPORT_ALG = "kaigo:importestat"
CHARTS_ALG, MAP_ALG = "kaigo:committeecharts", "kaigo:exportmap"
SETTINGS = "kaigo_resource_plugin/dock/"
PROJECT_SCOPE = "kaigo_resource_plugin"  # the panel's settings saved in the .qgz
LANGUAGE_INDEX = {"ja": 1, "en": 2}  # LANGUAGE enum of the chart and map algorithms: auto, ja, en


def _action_text() -> str:
    return QCoreApplication.translate("KaigoDock", "Kaigo resources – sufficiency rate")


def _menu_name() -> str:
    return QCoreApplication.translate("KaigoDock", "&Kaigo resources – sufficiency rate")


def guarded(method):
    """Slot wrapper: an unexpected exception becomes a message in the panel and the message bar."""

    @functools.wraps(method)
    def wrapper(self, *args):
        try:
            return method(self)
        except Exception as err:  # noqa: BLE001 - never a traceback in the user's face
            self.unexpected(err)
            return None

    return wrapper


def _layer_filter(*names: str):
    """Layer filter flags (QgsMapLayerProxyModel.Filter on 3.22, Qgis.LayerFilter on newer QGIS)."""
    enum = getattr(Qgis, "LayerFilter", None) or QgsMapLayerProxyModel.Filter
    flags = getattr(enum, names[0])
    for name in names[1:]:
        flags = flags | getattr(enum, name)
    return flags


def _numeric_fields():
    """Field filter "numeric" (QgsFieldProxyModel.Filter on 3.22, Qgis.FieldFilter on newer QGIS)."""
    enum = getattr(Qgis, "FieldFilter", None) or QgsFieldProxyModel.Filter
    return enum.Numeric


def _field_names(layer) -> list[str]:
    return [f.name() for f in layer.fields()] if layer is not None else []


def _is_alive(widget) -> bool:
    """False once Qt has deleted the C++ side (an AlgorithmDialog deletes itself when closed)."""
    from qgis.PyQt import sip

    try:
        return widget is not None and not sip.isdeleted(widget)
    except TypeError:
        return False


def _close_if_alive(widget) -> None:
    if not _is_alive(widget):
        return
    try:
        widget.close()
    except RuntimeError:  # deleted between the check and the call
        pass


PANEL_WIDTH = 440  # the width the panel opens with: every field readable, no horizontal scrolling


class FittingScrollArea(QScrollArea):
    """Scrolls vertically only; asks for the width its page needs (QScrollArea alone asks for ~300 px)."""

    def sizeHint(self):  # noqa: N802
        hint = super().sizeHint()
        page = self.widget()
        if page is not None:
            width = (
                max(PANEL_WIDTH, page.minimumSizeHint().width()) + self.verticalScrollBar().sizeHint().width()
            )
            hint.setWidth(width)
        return hint

    def minimumSizeHint(self):  # noqa: N802
        hint = super().minimumSizeHint()
        page = self.widget()
        if page is not None:
            hint.setWidth(page.minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width())
        return hint


class ImageLabel(QLabel):
    """Shows a pixmap scaled to the label's width, keeping its aspect ratio.

    The picture is painted at the label's size and its height comes from heightForWidth(): nothing changes
    the label's size inside resizeEvent. (It used to set a scaled pixmap and a minimum height there; in a
    scroll area that made the vertical scroll bar appear and vanish in turn, each resize asking for the
    next, until QGIS Desktop crashed with a stack overflow after a run, issue #15.)"""

    MAX_HEIGHT = 600

    def __init__(self, parent=None):
        super().__init__(parent)
        self._pixmap: QPixmap | None = None
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setMinimumHeight(160)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def set_image(self, pixmap: QPixmap | None, text: str = "") -> None:
        self._pixmap = pixmap if pixmap is not None and not pixmap.isNull() else None
        self.setText("" if self._pixmap is not None else text)
        self.updateGeometry()
        self.update()

    def image(self) -> QPixmap | None:
        return self._pixmap

    def heightForWidth(self, width):  # noqa: N802
        if self._pixmap is None:
            return super().heightForWidth(width)
        ratio = self._pixmap.height() / max(1, self._pixmap.width())
        return max(self.minimumHeight(), min(self.MAX_HEIGHT, round(width * ratio)))

    def sizeHint(self):  # noqa: N802
        if self._pixmap is None:
            return super().sizeHint()
        return QSize(PANEL_WIDTH, self.heightForWidth(PANEL_WIDTH))

    def minimumSizeHint(self):  # noqa: N802
        if self._pixmap is None:
            return super().minimumSizeHint()
        return QSize(200, self.minimumHeight())

    def paintEvent(self, event):  # noqa: N802
        if self._pixmap is None:
            super().paintEvent(event)
            return
        area = self.contentsRect()
        size = self._pixmap.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
        target = QRect(QPoint(0, 0), size)
        target.moveCenter(area.center())
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawPixmap(target, self._pixmap)
        painter.end()


class KaigoDock(QgsDockWidget):
    """Dock panel of the kaigo resource plugin."""

    def __init__(self, iface, parent=None):
        super().__init__(parent)
        self.iface = iface
        self.project = QgsProject.instance()
        self.lang = output_language()
        self.chain: AlgorithmChain | None = None
        self.result: dict = {}
        self._run_started = 0.0
        self._step_texts: list = []
        self._dialogs: list = []
        self._last_message = ""
        self._chome_user_set = False
        self._run_settings: dict = {}
        self._widen_checked = False
        self.setObjectName("KaigoResourceDock")
        self.setWindowTitle(self.tr("Kaigo resources – sufficiency rate"))
        self._build()
        self._restore_settings()
        self.project.layersAdded.connect(self._layers_changed)
        self.project.layersRemoved.connect(self._layers_changed)
        self.project.layersWillBeRemoved.connect(self._forget_layers)
        self.project.cleared.connect(self._project_cleared)
        self.project.writeProject.connect(self._write_to_project)
        self.project.readProject.connect(self._read_from_project)
        self._layers_changed()
        self._read_from_project()

    def tr(self, text: str) -> str:
        return QCoreApplication.translate("KaigoDock", text)

    # =============================================================================== building the UI
    def _build(self) -> None:
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_inputs(), self.tr("Analysis"))
        self.tabs.addTab(self._build_results(), self.tr("Results"))

        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.progress.setTextVisible(True)
        self.run_button = QPushButton(QIcon(ICON), self.tr("Run analysis"))
        self.run_button.setToolTip(
            self.tr("Runs kaigo:blankareas, then kaigo:sufficiencyrates, in the background")
        )
        self.run_button.clicked.connect(self.run)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.setVisible(False)

        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button, 1)
        buttons.addWidget(self.cancel_button)

        main = QWidget()
        layout = QVBoxLayout(main)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message_label)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        self.setWidget(main)

    def _build_inputs(self) -> QWidget:
        page = QWidget()
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)

        # a town's name instead of files: downloads what is missing, then runs (issue #18, ui/download.py)
        self.download_row = DownloadRow(self)
        form.addRow(self.tr("Municipality (download)"), self.download_row)

        self.chome_combo = QgsMapLayerComboBox()
        self.chome_combo.setFilters(_layer_filter("PolygonLayer", "PointLayer", "NoGeometry"))
        self.chome_combo.setAllowEmptyLayer(True)
        self.chome_combo.setToolTip(
            self.tr("e-Stat small-area boundaries (町丁・字等) with KEY_CODE, or chōme points")
        )
        self.chome_combo.layerChanged.connect(self._chome_changed)
        self.chome_combo.activated.connect(self._chome_activated)
        form.addRow(self.tr("Chōme layer"), self.chome_combo)

        self.detect_label = QLabel()
        self.detect_label.setWordWrap(True)
        form.addRow(self.detect_label)  # the whole width: several lines of text under the layer

        self.resource_table = QTableWidget(0, 2)
        self.resource_table.setHorizontalHeaderLabels([self.tr("Resource layer"), self.tr("Type name")])
        header = self.resource_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.resource_table.verticalHeader().setVisible(False)
        self.resource_table.setMinimumHeight(90)
        self.resource_table.setMaximumHeight(150)
        self.resource_table.setToolTip(
            self.tr(
                "Tick the layers of shops or facilities. The type name (ASCII) becomes the suffix of the "
                "output fields, e.g. rate_pct_convenience."
            )
        )
        form.addRow(self.tr("Resource layers"), self.resource_table)

        self.radius_spin = QgsDoubleSpinBox()
        self.radius_spin.setRange(10.0, 10000.0)
        self.radius_spin.setDecimals(0)
        self.radius_spin.setSingleStep(50.0)
        self.radius_spin.setClearValue(500.0)
        self.radius_spin.setValue(500.0)
        self.radius_spin.setSuffix(" m")
        self.radius_spin.setToolTip(self.tr("Distance on the ground from the chōme's representative point"))
        form.addRow(self.tr("Radius"), self.radius_spin)

        self.care3_spin = QgsDoubleSpinBox()
        self.care3_spin.setRange(0.0, 0.999)
        self.care3_spin.setDecimals(3)
        self.care3_spin.setSingleStep(0.005)
        self.care3_spin.setClearValue(DEFAULT_CARE3_SHARE)
        self.care3_spin.setValue(DEFAULT_CARE3_SHARE)
        self.care3_spin.setToolTip(
            self.tr(
                "Share of people aged 75+ certified at care level 3 or above (estimate; 0.109 by default). "
                "At-home elderly = 75+ × (1 − share)."
            )
        )
        form.addRow(self.tr("Care level 3+ share"), self.care3_spin)

        self.elderly_combo = QgsFieldComboBox()
        self.elderly_combo.setFilters(_numeric_fields())
        self.elderly_combo.setToolTip(self.tr("Weight of each chōme: 75+ population (or at-home 75+)"))
        # with an age table the weight is the at-home 75+ of the join, not a field of the layer
        self.elderly_from_ages = QLabel(self.tr("at_home_75plus (at-home 75+, from the age table)"))
        self.elderly_from_ages.setWordWrap(True)
        self.elderly_from_ages.setVisible(False)
        elderly_box = QWidget()
        elderly_row = QHBoxLayout(elderly_box)
        elderly_row.setContentsMargins(0, 0, 0, 0)
        elderly_row.addWidget(self.elderly_combo, 1)
        elderly_row.addWidget(self.elderly_from_ages, 1)
        form.addRow(self.tr("Elderly field"), elderly_box)

        self.ages_widget = QgsFileWidget()
        self.ages_widget.setStorageMode(QgsFileWidget.StorageMode.GetFile)
        self.ages_widget.setFilter(self.tr("e-Stat T001082 table (*.csv *.CSV)"))
        self.ages_widget.setToolTip(
            self.tr(
                "Optional. With the e-Stat age table T001082 the chōme are first joined to it "
                "(kaigo:importestat) and the weight is the at-home 75+ population, as in the METI method."
            )
        )
        self.ages_widget.fileChanged.connect(self._ages_changed)
        form.addRow(self.tr("Age table (T001082, optional)"), self.ages_widget)

        self.muni_edit = QLineEdit()
        self.muni_edit.setPlaceholderText(self.tr("All municipalities of the layer"))
        self.muni_edit.setToolTip(
            self.tr(
                "Optional: analyse only these municipalities (codes or names, comma-separated, e.g. 27218, "
                "大東市). The figures are those of a layer holding their chōme alone."
            )
        )
        form.addRow(self.tr("Municipalities"), self.muni_edit)

        advanced = QgsCollapsibleGroupBox(self.tr("Advanced settings"))
        advanced.setCollapsed(True)
        adv = QFormLayout(advanced)
        adv.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        adv.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.key_combo = QgsFieldComboBox()
        adv.addRow(self.tr("Key field"), self.key_combo)
        self.population_combo = QgsFieldComboBox()
        self.population_combo.setFilters(_numeric_fields())
        self.population_combo.setAllowEmptyFieldName(True)
        adv.addRow(self.tr("Population field"), self.population_combo)
        self.point_combo = QComboBox()
        self.point_combo.addItem(self.tr("e-Stat representative point (X_CODE, Y_CODE)"), POINT_ESTAT)
        self.point_combo.addItem(self.tr("Point on surface"), POINT_SURFACE)
        self.point_combo.addItem(self.tr("Centroid"), POINT_CENTROID)
        adv.addRow(self.tr("Representative point"), self.point_combo)
        self.area_combo = QgsFieldComboBox()
        self.area_combo.setFilters(_numeric_fields())
        self.area_combo.setAllowEmptyFieldName(True)
        self.area_combo.setToolTip(
            self.tr("Official area of each chōme; empty: area computed on the ellipsoid (water excluded)")
        )
        self.area_combo.fieldChanged.connect(self._area_field_changed)
        adv.addRow(self.tr("Area field"), self.area_combo)
        self.area_unit_combo = QComboBox()
        for unit in ("m²", "km²", "ha"):  # AREA_UNIT enum of kaigo:sufficiencyrates
            self.area_unit_combo.addItem(unit)
        adv.addRow(self.tr("Unit of the area field"), self.area_unit_combo)
        self._area_field_changed("")
        self.threshold_spins = []  # one per boundary between density classes (core.classes)
        for n, default in enumerate(DEFAULT_THRESHOLDS, start=1):
            spin = QgsDoubleSpinBox()
            spin.setRange(1.0, 100000.0)
            spin.setDecimals(0)
            spin.setClearValue(default)
            spin.setValue(default)
            adv.addRow(self.tr("Density threshold {n} (/km²)").format(n=n), spin)
            self.threshold_spins.append(spin)
        self.rollup_check = QCheckBox(self.tr("Designated cities as one municipality (wards rolled up)"))
        adv.addRow(self.rollup_check)
        self.folder_widget = QgsFileWidget()
        self.folder_widget.setStorageMode(QgsFileWidget.StorageMode.GetDirectory)
        self.folder_widget.setToolTip(
            self.tr(
                "Empty: a folder kaigo_results beside the project file (or in Documents before it is saved)"
            )
        )
        adv.addRow(self.tr("Output folder"), self.folder_widget)

        self.log_view = QPlainTextEdit()
        self.log_view.setReadOnly(True)
        self.log_view.setMaximumHeight(110)
        self.log_view.setPlaceholderText(self.tr("Processing log"))

        layout = QVBoxLayout()
        layout.addLayout(form)
        layout.addWidget(advanced)
        layout.addWidget(self.log_view)
        layout.addStretch(1)
        page.setLayout(layout)
        return self._scroll(page)

    def _build_results(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.summary_label = QLabel(self.tr("Run the analysis to see the municipalities here."))
        self.summary_label.setWordWrap(True)
        layout.addWidget(self.summary_label)

        self.table_model = MunicipalityTableModel(self)
        self.table_view = QTableView()
        self.table_view.setModel(self.table_model)
        self.table_view.setSortingEnabled(True)
        self.table_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table_view.verticalHeader().setVisible(False)
        self.table_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table_view.setToolTip(self.tr("Select a row to zoom the map to the municipality"))
        self.table_view.selectionModel().selectionChanged.connect(self._selection_changed)
        layout.addWidget(self.table_view)

        self.chart_label = ImageLabel()
        self.chart_label.set_image(None, self.tr("The scatter chart appears here after a run."))
        layout.addWidget(self.chart_label)

        exports = QHBoxLayout()
        self.export_charts_button = QPushButton(self.tr("Export charts and tables…"))
        self.export_charts_button.setToolTip(self.tr("Opens kaigo:committeecharts with this result"))
        self.export_charts_button.clicked.connect(self.export_charts)
        self.export_map_button = QPushButton(self.tr("Export map…"))
        self.export_map_button.setToolTip(self.tr("Opens kaigo:exportmap with this result"))
        self.export_map_button.clicked.connect(self.export_map)
        exports.addWidget(self.export_charts_button)
        exports.addWidget(self.export_map_button)
        layout.addLayout(exports)

        self.decision_box = DecisionBox(self)  # 候補地の提案 / resource impact (ui/decision_panel.py)
        layout.addWidget(self.decision_box)

        restyle_box = QgsCollapsibleGroupBox(self.tr("Existing result"))
        restyle = QHBoxLayout(restyle_box)
        self.restyle_combo = QgsMapLayerComboBox()
        self.restyle_combo.setFilters(_layer_filter("VectorLayer"))
        self.restyle_combo.setToolTip(
            self.tr(
                "A chōme result (field status) or a municipality table (field rate_pct) from an earlier run"
            )
        )
        self.restyle_button = QPushButton(self.tr("Restyle / show"))
        self.restyle_button.clicked.connect(self.restyle)
        restyle.addWidget(self.restyle_combo, 1)
        restyle.addWidget(self.restyle_button)
        layout.addWidget(restyle_box)
        layout.addStretch(1)
        return self._scroll(page)

    @staticmethod
    def _scroll(page: QWidget) -> QScrollArea:
        for combo in page.findChildren(QComboBox):  # long layer names must not widen the panel
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(12)
        area = FittingScrollArea()
        area.setWidgetResizable(True)
        area.setFrameShape(QScrollArea.Shape.NoFrame)
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # always there: a vertical scroll bar that came and went with the page's height changed the page's
        # width, which changed its height (wrapped text, the chart) — a resize loop that crashed QGIS 3.22
        area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        area.setWidget(page)
        return area

    # =============================================================================== settings
    def _restore_settings(self) -> None:
        s = QgsSettings()
        self.radius_spin.setValue(s.value(SETTINGS + "radius", 500.0, type=float))
        self.care3_spin.setValue(s.value(SETTINGS + "care3_share", DEFAULT_CARE3_SHARE, type=float))
        self.rollup_check.setChecked(s.value(SETTINGS + "rollup_wards", False, type=bool))

    def _save_settings(self) -> None:
        s = QgsSettings()
        s.setValue(SETTINGS + "radius", self.radius_spin.value())
        s.setValue(SETTINGS + "care3_share", self.care3_spin.value())
        s.setValue(SETTINGS + "rollup_wards", self.rollup_check.isChecked())

    # =============================================================================== the project file
    def project_settings(self) -> dict:
        """What the panel stores in the project (layers by id, the table, the folder and every setting)."""
        chome = self.chome_combo.currentLayer()
        return {
            "chome": chome.id() if chome is not None else "",
            "resources": [f"{layer.id()}\t{name}" for layer, name in self.selected_resources()],
            "ages": self.ages_path(),
            "folder": self.folder_widget.filePath().strip(),
            "municipalities": self.muni_edit.text().strip(),
            "radius": self.radius_spin.value(),
            "care3_share": self.care3_spin.value(),
            "elderly": self.elderly_combo.currentField(),
            "key": self.key_combo.currentField(),
            "population": self.population_combo.currentField(),
            "area": self.area_combo.currentField(),
            "area_unit": self.area_unit_combo.currentIndex(),
            "point_method": self.point_combo.currentIndex(),
            **{f"threshold_{i}": spin.value() for i, spin in enumerate(self.threshold_spins)},
            "rollup": self.rollup_check.isChecked(),
        }

    def _write_to_project(self, *_args) -> None:
        for key, value in self.project_settings().items():
            if isinstance(value, bool):
                self.project.writeEntryBool(PROJECT_SCOPE, key, value)
            elif isinstance(value, float):
                self.project.writeEntryDouble(PROJECT_SCOPE, key, value)
            elif isinstance(value, int):
                self.project.writeEntry(PROJECT_SCOPE, key, int(value))
            else:
                self.project.writeEntry(PROJECT_SCOPE, key, value)

    def _read_from_project(self, *_args) -> None:
        """Restore what a saved project holds (nothing when the project never had the panel's settings)."""
        p, scope = self.project, PROJECT_SCOPE
        if not p.readEntry(scope, "key", "")[1]:
            return
        layer = p.mapLayer(p.readEntry(scope, "chome", "")[0])
        if layer is not None:
            self.chome_combo.setLayer(layer)
            self._chome_changed()
            self._chome_user_set = True
        for combo, key in (
            (self.key_combo, "key"),
            (self.elderly_combo, "elderly"),
            (self.population_combo, "population"),
            (self.area_combo, "area"),
        ):
            combo.setField(p.readEntry(scope, key, combo.currentField())[0])
        self.area_unit_combo.setCurrentIndex(p.readNumEntry(scope, "area_unit", 0)[0])
        self.point_combo.setCurrentIndex(
            p.readNumEntry(scope, "point_method", self.point_combo.currentIndex())[0]
        )
        for spin, key in (
            (self.radius_spin, "radius"),
            (self.care3_spin, "care3_share"),
            *((spin, f"threshold_{i}") for i, spin in enumerate(self.threshold_spins)),
        ):
            spin.setValue(p.readDoubleEntry(scope, key, spin.value())[0])
        self.rollup_check.setChecked(p.readBoolEntry(scope, "rollup", False)[0])
        self.ages_widget.setFilePath(p.readEntry(scope, "ages", "")[0])
        self.folder_widget.setFilePath(p.readEntry(scope, "folder", "")[0])
        self.muni_edit.setText(p.readEntry(scope, "municipalities", "")[0])
        wanted = {}
        for item in p.readListEntry(scope, "resources", [])[0]:
            layer_id, _sep, name = item.partition("\t")
            wanted[layer_id] = name
        layers = [p.mapLayer(i) for i in wanted if p.mapLayer(i) is not None]
        if layers:
            self.set_resource_layers(layers, [wanted[lyr.id()] for lyr in layers])
        self._ages_changed()

    # =============================================================================== layers
    @staticmethod
    def _is_ours(layer) -> bool:
        return bool(layer.customProperty(ROLE_PROPERTY, ""))

    def _layers_changed(self, *_args) -> None:
        ours = [lyr for lyr in self.project.mapLayers().values() if self._is_ours(lyr)]
        self.chome_combo.setExceptedLayerList(ours)
        current = self.chome_combo.currentLayer()
        if current is None or not (self._chome_user_set or is_chome_candidate(_field_names(current))):
            for layer in self.project.mapLayers().values():
                if isinstance(layer, QgsVectorLayer) and not self._is_ours(layer):
                    if is_chome_candidate(_field_names(layer)):
                        self.chome_combo.setLayer(layer)
                        break
        self._refresh_resources()
        self._update_detection()

    def _forget_layers(self, layer_ids) -> None:
        """Result layers the user removes are forgotten (no call on a deleted layer afterwards)."""
        gone = set(layer_ids)
        for key in ("chome", "muni"):
            layer = self.result.get(key)
            if layer is not None and layer.id() in gone:
                del self.result[key]
        if "resources" in self.result:
            self.result["resources"] = [lyr for lyr in self.result["resources"] if lyr.id() not in gone]

    def _project_cleared(self) -> None:
        self.result = {}
        self._chome_user_set = False
        self.table_model.set_rows([])
        self._fit_table_height()
        self.chart_label.set_image(None, self.tr("The scatter chart appears here after a run."))
        self.summary_label.setText(self.tr("Run the analysis to see the municipalities here."))
        self.decision_box.refresh()

    def _chome_activated(self, *_args) -> None:
        self._chome_user_set = True  # the user's choice is kept when layers come and go

    def _chome_changed(self, *_args) -> None:
        layer = self.chome_combo.currentLayer()
        for combo in (self.elderly_combo, self.key_combo, self.population_combo, self.area_combo):
            combo.setLayer(layer)
        if layer is not None:
            found = detect_chome_fields(_field_names(layer), self._has_polygons(layer))
            if found.key:
                self.key_combo.setField(found.key)
            if found.elderly:
                self.elderly_combo.setField(found.elderly)
            self.population_combo.setField(found.population or "")
            self.area_combo.setField(found.area or "")
            if found.area:
                self.area_unit_combo.setCurrentIndex(0)  # e-Stat AREA is in m²
            self.point_combo.setCurrentIndex(self.point_combo.findData(found.point_method))
        self._refresh_resources()
        self._update_detection()

    def _ages_changed(self, *_args) -> None:
        with_ages = bool(self.ages_path())
        self.elderly_combo.setVisible(not with_ages)
        self.elderly_from_ages.setVisible(with_ages)
        self._update_detection()

    def elderly_weight(self) -> str:
        """The field the run weights by: at_home_75plus of the join with an age table, else the chosen one."""
        return "at_home_75plus" if self.ages_path() else self.elderly_combo.currentField()

    def _area_field_changed(self, name: str) -> None:
        self.area_unit_combo.setEnabled(bool(name))
        if name.upper() == "AREA":  # e-Stat boundaries give AREA in m²
            self.area_unit_combo.setCurrentIndex(0)

    @staticmethod
    def _has_polygons(layer) -> bool:
        return layer.isSpatial() and geometry_type(layer.wkbType()) == 2

    def _update_detection(self) -> None:
        layer = self.chome_combo.currentLayer()
        if layer is None:
            self.detect_label.setText(
                self.tr("Add an e-Stat chōme layer (境界データ, with KEY_CODE) to the project.")
            )
            return
        found = detect_chome_fields(_field_names(layer), self._has_polygons(layer))
        lines = []
        if found.found:
            lines.append(self.tr("e-Stat fields detected: {fields}").format(fields=", ".join(found.found)))
        if found.key is None:
            lines.append(self.tr("No KEY_CODE field: choose the key field under Advanced settings."))
        if found.elderly is None and not self.ages_path():
            lines.append(self.tr("No elderly field found: choose one (75+ population)."))
        if self.ages_path():
            lines.append(
                self.tr(
                    "Age table chosen: the chōme are joined to it first and the weight is the at-home "
                    "75+ population (at_home_75plus)."
                )
            )
        elif found.elderly is not None and found.elderly.upper() == "JINKO":
            lines.append(
                self.tr(
                    "JINKO (total population) is the weight: choose the e-Stat age table (T001082) "
                    "below to weight by the at-home 75+ population."
                )
            )
        if found.has_hcode:
            lines.append(self.tr("Water areas (HCODE 8154) are left out."))
        if found.area:
            lines.append(
                self.tr("No polygons: the density uses the area field {field} (m²).").format(field=found.area)
            )
        self.detect_label.setText("\n".join(f"・{line}" for line in lines))

    def _refresh_resources(self) -> None:
        """One row per vector layer that can hold resources; keeps the ticks and names the user set."""
        previous = {}
        for row in range(self.resource_table.rowCount()):
            item = self.resource_table.item(row, 0)
            name_item = self.resource_table.item(row, 1)
            previous[item.data(Qt.ItemDataRole.UserRole)] = (
                item.checkState() == Qt.CheckState.Checked,
                name_item.text() if name_item is not None else "",
            )
        chome = self.chome_combo.currentLayer()
        layers = []
        for layer in self.project.mapLayers().values():
            if not isinstance(layer, QgsVectorLayer) or self._is_ours(layer) or not layer.isSpatial():
                continue
            if chome is not None and layer.id() == chome.id():
                continue
            if geometry_type(layer.wkbType()) not in (0, 2):
                continue
            layers.append(layer)
        layers.sort(key=lambda lyr: lyr.name())
        self.resource_table.setRowCount(len(layers))
        taken: set[str] = {v[1] for v in previous.values() if v[1]}
        for row, layer in enumerate(layers):
            item = QTableWidgetItem(layer.name())
            item.setData(Qt.ItemDataRole.UserRole, layer.id())
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            if layer.id() in previous:
                checked, name = previous[layer.id()]
            else:
                is_point = geometry_type(layer.wkbType()) == 0
                checked = is_point and not is_chome_candidate(_field_names(layer))
                name = suggest_type_name(layer.name(), row, taken)
                taken.add(name)
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.resource_table.setItem(row, 0, item)
            self.resource_table.setItem(row, 1, QTableWidgetItem(name))

    # -- programmatic setters (tests, scripts) ----------------------------------------------------------
    def set_chome_layer(self, layer) -> None:
        self.chome_combo.setLayer(layer)
        self._chome_changed()

    def set_resource_layers(self, layers, type_names: list[str] | None = None) -> None:
        """Tick exactly these layers (with these type names when given)."""
        self._refresh_resources()
        wanted = {lyr.id(): i for i, lyr in enumerate(layers)}
        for row in range(self.resource_table.rowCount()):
            item = self.resource_table.item(row, 0)
            layer_id = item.data(Qt.ItemDataRole.UserRole)
            checked = layer_id in wanted
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            if checked and type_names:
                self.resource_table.item(row, 1).setText(type_names[wanted[layer_id]])

    def selected_resources(self) -> list[tuple]:
        """(layer, type name) of the ticked rows, in table order."""
        out = []
        for row in range(self.resource_table.rowCount()):
            item = self.resource_table.item(row, 0)
            if item.checkState() != Qt.CheckState.Checked:
                continue
            layer = self.project.mapLayer(item.data(Qt.ItemDataRole.UserRole))
            if layer is not None:
                out.append((layer, self.resource_table.item(row, 1).text().strip()))
        return out

    # =============================================================================== messages
    def show_message(self, text: str, level=Qgis.MessageLevel.Info, bar: bool = True) -> None:
        """A message in the panel and (unless ``bar`` is False) in the QGIS message bar."""
        colours = {
            Qgis.MessageLevel.Critical: "#b91c1c",
            Qgis.MessageLevel.Warning: "#b45309",
            Qgis.MessageLevel.Success: "#15803d",
        }
        self._last_message = text
        self.message_label.setStyleSheet(f"color: {colours.get(level, '#1f2937')};")
        self.message_label.setText(text)
        self.message_label.setVisible(True)
        if bar and self.iface is not None:
            duration = 0 if level == Qgis.MessageLevel.Critical else 8
            self.iface.messageBar().pushMessage(
                self.tr("Kaigo resources – sufficiency rate"), text, level, duration
            )

    def unexpected(self, err: Exception) -> None:
        """An error nobody foresaw: the traceback goes to the log panel, a sentence to the user."""
        QgsMessageLog.logMessage(traceback.format_exc(), LOG_TAG, Qgis.MessageLevel.Critical)
        self.show_message(
            self.tr("Unexpected error: {error} (details in the Log Messages panel, tab Kaigo)").format(
                error=f"{type(err).__name__}: {err}"
            ),
            Qgis.MessageLevel.Critical,
        )

    def last_message(self) -> str:
        return self._last_message

    def _log(self, text: str, level: int = 0) -> None:
        if not text:
            return
        prefix = {WARNING: "⚠ ", ERROR: "✖ "}.get(level, "")
        self.log_view.appendPlainText(prefix + text.rstrip())

    # =============================================================================== running
    def is_running(self) -> bool:
        return self.chain is not None and self.chain.is_running()

    def _validate(self) -> str | None:
        """The first thing the user must fix before a run, or None."""
        chome = self.chome_combo.currentLayer()
        if chome is None:
            return self.tr("Choose the chōme layer.")
        if not self.key_combo.currentField():
            return self.tr("Choose the key field of the chōme layer (KEY_CODE).")
        ages = self.ages_path()
        if ages and not os.path.isfile(ages):
            return self.tr("The age table {path} does not exist: choose the T001082 CSV again.").format(
                path=ages
            )
        if not ages and not self.elderly_combo.currentField():
            return self.tr("Choose the elderly field of the chōme layer (75+ population).")
        resources = self.selected_resources()
        if not resources:
            return self.tr("Tick at least one resource layer.")
        names = [name for _layer, name in resources]
        for name in names:
            if not valid_type_name(name):
                return self.tr(
                    "Type name “{name}”: use ASCII letters, digits and _ only, starting with a letter."
                ).format(name=name)
        if len(set(names)) != len(names):
            return self.tr("Give each resource layer a different type name.")
        values = self.thresholds()
        for n in range(1, len(values)):
            if values[n - 1] >= values[n]:
                return self.tr("Density threshold {n} must be below threshold {m}.").format(n=n, m=n + 1)
        return None

    def _output_folder(self) -> str:
        base = self.folder_widget.filePath().strip() or default_output_base(self.project)
        stamp = time.strftime("%Y%m%d_%H%M%S")
        os.makedirs(base, exist_ok=True)
        return tempfile.mkdtemp(prefix=f"kaigo_{stamp}_", dir=base)

    def ages_path(self) -> str:
        return self.ages_widget.filePath().strip()

    def chome_input(self):
        """The chōme layer for the run: its id, or the layer limited to the chosen municipalities."""
        layer = self.chome_combo.currentLayer()
        text = self.muni_edit.text().strip()
        if not text:
            return layer.id()
        from ..algorithms.muni_filter import filter_layers

        limited, _codes = filter_layers([layer], self.key_combo.currentField() or "KEY_CODE", text)
        if limited[0].providerType() == "ogr" and "subset=" in limited[0].source():
            return limited[0].source()  # "path|subset=…": each step opens its own layer, in its own thread
        self._limited = limited  # a filtered copy in memory: alive until the next run
        return limited[0]

    def import_parameters(self, folder: str, chome=None) -> dict:
        """kaigo:importestat: the chōme layer joined to the T001082 table (at-home 75+ per chōme)."""
        return {
            "INPUT": [chome if chome is not None else self.chome_combo.currentLayer().id()],
            "AGES": [self.ages_path()],
            "KEY_FIELD": self.key_combo.currentField(),
            "CARE3_SHARE": self.care3_spin.value(),
            "ROLLUP_WARDS": self.rollup_check.isChecked(),
            "OUTPUT": os.path.join(folder, "chome_imported.gpkg"),
            "REPORT": os.path.join(folder, "join_report.gpkg"),
        }

    def blank_parameters(self, folder: str, chome=None) -> dict:
        resources = self.selected_resources()
        return {
            "INPUT": chome if chome is not None else self.chome_combo.currentLayer().id(),
            "RESOURCES": [layer.id() for layer, _name in resources],
            "TYPE_NAMES": ",".join(name for _layer, name in resources),
            "RADIUS": self.radius_spin.value(),
            "KEY_FIELD": self.key_combo.currentField(),
            "POINT_METHOD": self.point_combo.currentData(),
            "POPULATION_FIELD": self.population_combo.currentField(),
            "OUTPUT": os.path.join(folder, "chome_access.gpkg"),
        }

    def rates_parameters(self, chome_result: str, folder: str) -> dict:
        return {
            "INPUT": chome_result,
            "ELDERLY_FIELD": self.elderly_combo.currentField(),
            "CARE3_SHARE": self.care3_spin.value(),
            "POPULATION_FIELD": self.population_combo.currentField(),
            "AREA_FIELD": self.area_combo.currentField(),
            "AREA_UNIT": self.area_unit_combo.currentIndex(),
            **dict(zip(THRESHOLD_PARAMETERS, self.thresholds())),
            "ROLLUP_WARDS": self.rollup_check.isChecked(),
            "OUTPUT": os.path.join(folder, "municipalities.gpkg"),
            "OUTPUT_CSV": os.path.join(folder, "municipalities.csv"),
            "OUTPUT_XLSX": os.path.join(folder, "municipalities.xlsx"),
            "KEY_FIELD": self.key_combo.currentField(),
        }

    @guarded
    def run(self) -> None:
        if self.is_running():
            return
        problem = self._validate()
        if problem:
            self.show_message(problem, Qgis.MessageLevel.Warning)
            return
        registry = QgsApplication.processingRegistry()
        for alg_id in (BLANK_ALG, RATES_ALG, IMPORT_ALG):
            if registry.algorithmById(alg_id) is None:
                self.show_message(self._missing_text(alg_id), Qgis.MessageLevel.Critical)
                return
        self._save_settings()
        self._write_to_project()
        try:
            folder = self._output_folder()
        except OSError as err:
            self.show_message(
                self.tr("Cannot write to the output folder {folder} ({reason}): choose another one.").format(
                    folder=self.folder_widget.filePath(), reason=err.strerror or err
                ),
                Qgis.MessageLevel.Critical,
            )
            return
        try:
            chome_input = self.chome_input()
        except InputError as err:
            self.show_message(err.ja if self.lang == "ja" else err.en, Qgis.MessageLevel.Warning)
            return
        settings = {
            "folder": folder,
            "radius": self.radius_spin.value(),
            "resources": self.selected_resources(),
            "chome_name": self.chome_combo.currentLayer().name(),
            "rollup": self.rollup_check.isChecked(),
        }
        steps = self._chain_steps(folder, chome_input)
        self._step_texts = self._steps_text(len(steps))
        self.log_view.clear()
        self._log(self.tr("Output folder: {folder}").format(folder=folder))
        if not self.folder_widget.filePath().strip():
            self._log(
                self.tr(
                    "No output folder chosen under Advanced settings: the results are kept in the folder above."
                )
            )
        self.chain = AlgorithmChain(steps, self.project, self)
        self.chain.progress.connect(self._progress)
        self.chain.message.connect(self._log)
        self.chain.step_started.connect(self._step_started)
        self._run_settings = settings
        self.chain.finished.connect(self._chain_finished)
        self._set_running(True)
        self.show_message(self.tr("Running… QGIS stays usable; press Cancel to stop."), bar=False)
        self._run_started = time.monotonic()
        self.chain.start()

    def _chain_steps(self, folder: str, chome_input) -> list:
        """(algorithm id, parameters from the previous results, share of the progress) of each step:
        kaigo:importestat first when an age table is given, then kaigo:blankareas and kaigo:sufficiencyrates."""
        blank = self.blank_parameters(folder, chome_input)
        if self.ages_path():
            # the imported layer carries pop_total, at_home_75plus and area_m2 (e-Stat AREA) instead
            imported = self.import_parameters(folder, chome_input)
            area = AREA_M2 if self.area_combo.currentField() else ""

            def blank_after_import(results):
                return dict(blank, INPUT=results[0]["OUTPUT"], POPULATION_FIELD=POP_TOTAL, KEY_FIELD=KEY_CODE)

            def rates_after_import(results):
                params = self.rates_parameters(results[1]["OUTPUT"], folder)
                params.update(
                    ELDERLY_FIELD=AT_HOME_75PLUS,
                    POPULATION_FIELD=POP_TOTAL,
                    AREA_FIELD=area,
                    AREA_UNIT=0,
                    KEY_FIELD=KEY_CODE,
                )
                return params

            steps = [
                (IMPORT_ALG, lambda _results: imported, 0.25),
                (BLANK_ALG, blank_after_import, 0.65),
                (RATES_ALG, rates_after_import, 0.10),
            ]
        else:
            steps = [
                (BLANK_ALG, lambda _results: blank, 0.85),
                (RATES_ALG, lambda results: self.rates_parameters(results[0]["OUTPUT"], folder), 0.15),
            ]
        return steps

    @guarded
    def cancel(self) -> None:
        if self.chain is not None:
            self.chain.cancel()
            self.cancel_button.setEnabled(False)
            self.show_message(self.tr("Cancelling…"), bar=False)

    def _set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.tabs.widget(0).setEnabled(not running)
        if running:
            self.progress.setValue(0)

    def _progress(self, value: float) -> None:
        self.progress.setValue(int(max(0.0, min(100.0, value))))

    def _steps_text(self, n: int) -> list:
        if n == 3:
            return [
                self.tr("Step 1/3: joining the age table…"),
                self.tr("Step 2/3: blank areas…"),
                self.tr("Step 3/3: sufficiency rates…"),
            ]
        return [self.tr("Step 1/2: blank areas…"), self.tr("Step 2/2: sufficiency rates…")]

    def _step_started(self, index: int, alg_id: str) -> None:
        text = self._step_texts or self._steps_text(2)
        self._log(f"[{alg_id}]")
        if 0 <= index < len(text):
            self.progress.setFormat(f"{text[index]} %p%")

    def _missing_text(self, alg_id: str) -> str:
        return self.tr(
            "The Processing algorithm {alg} is not available. Enable the Processing plugin and reinstall "
            "this plugin."
        ).format(alg=alg_id)

    def _chain_finished(self, ok: bool, results: list, error: str, cancelled: bool) -> None:
        settings, self._run_settings = self._run_settings, {}
        try:
            self._set_running(False)
            self.progress.setFormat("%p%")
            if cancelled:
                self.progress.setValue(0)
                self.show_message(
                    self.tr("Cancelled: nothing was added to the project."), Qgis.MessageLevel.Info
                )
                return
            if not ok:
                self.progress.setValue(0)
                if error.startswith("missing:"):
                    text = self._missing_text(error[len("missing:") :])
                else:
                    text = error.strip() or self.tr(
                        "The analysis failed; see the processing log in the panel."
                    )
                self.show_message(
                    self.tr("The analysis failed: {error}").format(error=text), Qgis.MessageLevel.Critical
                )
                return
            self._add_results(results, settings)
        except Exception as err:  # noqa: BLE001 - never a traceback
            self.unexpected(err)
        finally:
            chain, self.chain = self.chain, None
            if chain is not None:
                chain.deleteLater()

    # =============================================================================== results
    def _add_results(self, results: list, settings: dict) -> None:
        chome_path = results[-2]["OUTPUT"]  # blank areas, then rates: the last two steps
        muni_path = results[-1]["OUTPUT"]
        chome = QgsVectorLayer(chome_path, self.tr("Chōme: blank areas"), "ogr")
        muni = QgsVectorLayer(muni_path, self.tr("Municipalities: sufficiency rate"), "ogr")
        if not chome.isValid() or not muni.isValid():
            raise RuntimeError(
                self.tr("the result files could not be opened: {path}").format(path=settings["folder"])
            )
        radius = settings["radius"]
        counts = apply_status_style(chome, self.lang, radius_m=radius)
        chome.setCustomProperty(ROLE_PROPERTY, "chome")
        muni.setCustomProperty(ROLE_PROPERTY, "muni")
        if muni.isSpatial():
            from qgis.core import QgsFillSymbol, QgsSingleSymbolRenderer

            muni.setRenderer(
                QgsSingleSymbolRenderer(
                    QgsFillSymbol.createSimple(
                        {"color": "0,0,0,0", "outline_color": "#111827", "outline_width": "0.5"}
                    )
                )
            )
        pins = []
        for index, (layer, type_name) in enumerate(settings["resources"]):
            readable = resource_type_label(layer.name(), self.lang)
            name = readable if readable == type_name else f"{readable} ({type_name})"
            copy = QgsVectorLayer(layer.source(), name, layer.providerType())
            if not copy.isValid():
                continue
            apply_resource_style(copy, index=index)  # each resource type its own pin colour
            copy.setCustomProperty(ROLE_PROPERTY, "resource")
            pins.append(copy)

        root = self.project.layerTreeRoot()
        group_name = self.tr("Kaigo resources – {name} ({radius} m)").format(
            name=settings["chome_name"], radius=f"{radius:g}"
        )
        group = root.insertGroup(0, group_name)
        for layer in [*pins, muni, chome]:
            self.project.addMapLayer(layer, False)
            group.addLayer(layer)
        self.result = {
            "chome": chome,
            "muni": muni,
            "resources": pins,
            "folder": settings["folder"],
            "radius": radius,
            "rollup": settings["rollup"],
        }
        self.restyle_combo.setLayer(chome)
        self.decision_box.refresh()

        self._load_table(muni)
        self._zoom_to(chome.extent(), chome.crs())

        blank, covered, nopop = counts["blank"], counts["covered"], counts["no_population"]
        self.summary_label.setText(self._summary(blank, covered, nopop))
        self.tabs.setCurrentIndex(1)
        elapsed = time.monotonic() - self._run_started
        self.show_message(
            self.tr(
                "Done in {seconds:.0f} s: {blank} blank, {covered} covered, {nopop} without population."
            ).format(seconds=elapsed, blank=blank, covered=covered, nopop=nopop),
            Qgis.MessageLevel.Success,
        )

    def _summary(self, blank: int, covered: int, nopop: int) -> str:
        rows = self.table_model.rows()
        text = self.tr(
            "Chōme: {blank} blank areas (red), {covered} with access (blue), "
            "{nopop} without population (grey)."
        ).format(blank=blank, covered=covered, nopop=nopop)
        if len(rows) == 1 and rows[0].get("rate_pct") is not None:
            text += "\n" + self.tr("{name}: sufficiency rate {rate:.1f} %").format(
                name=rows[0].get("muni_name") or rows[0].get("muni_code"), rate=float(rows[0]["rate_pct"])
            )
        elif rows:
            text += "\n" + self.tr("{n} municipalities.").format(n=len(rows))
        return text

    def _load_table(self, muni) -> None:
        names = _field_names(muni)
        type_names = [n[len("rate_pct_") :] for n in names if n.startswith("rate_pct_")]
        rows = []
        for feature in muni.getFeatures():
            rows.append({name: feature[name] for name in names})
        self.table_model.set_rows(rows, type_names)
        self.table_view.resizeColumnsToContents()
        self._fit_table_height()
        self.result.setdefault("muni", muni)
        self._render_chart([])

    def _fit_table_height(self) -> None:
        """As tall as its rows (a one-town table leaves room for the chart), at most ~10 rows."""
        view = self.table_view
        rows = min(max(self.table_model.rowCount(), 1), 10)
        height = (
            view.horizontalHeader().sizeHint().height()
            + rows * view.verticalHeader().defaultSectionSize()
            + view.horizontalScrollBar().sizeHint().height()
            + 2 * view.frameWidth()
            + 2
        )
        view.setMinimumHeight(height)
        view.setMaximumHeight(height)

    def _render_chart(self, highlighted: list[str]) -> None:
        rows = self.table_model.rows()
        if not rows:
            self.chart_label.set_image(None, self.tr("The scatter chart appears here after a run."))
            return
        try:
            png = scatter_png(
                rows,
                highlighted,
                self.lang,
                thresholds=self.thresholds(),
            )
        except ChartUnavailable as err:
            QgsMessageLog.logMessage(f"scatter chart: {err.detail}", LOG_TAG, Qgis.MessageLevel.Warning)
            reasons = {
                ChartUnavailable.MISSING: self.tr("The scatter chart is not available in this installation."),
                ChartUnavailable.EMPTY: self.tr(
                    "No municipality has both a rate and a population density, so there is no scatter "
                    "chart. Chōme points need an area field (Advanced settings)."
                ),
            }
            text = reasons.get(err.kind) or self.tr("The scatter chart could not be drawn: {reason}").format(
                reason=err.detail
            )
            self.chart_label.set_image(None, text)
            return
        pixmap = QPixmap()
        pixmap.loadFromData(png, "PNG")
        self.chart_label.set_image(pixmap)

    def chart_pixmap(self) -> QPixmap | None:
        return self.chart_label.image()

    # -- table selection → zoom ------------------------------------------------------------------------------
    def thresholds(self) -> tuple[float, ...]:
        """The density thresholds of the advanced settings, in the order of core.classes."""
        return tuple(spin.value() for spin in self.threshold_spins)

    def selected_codes(self) -> list[str]:
        rows = sorted({i.row() for i in self.table_view.selectionModel().selectedRows()})
        return [c for c in (self.table_model.code_at(r) for r in rows) if c]

    @guarded
    def _selection_changed(self) -> None:
        codes = self.selected_codes()
        if not codes:
            return
        extent, crs = self.municipality_extent(codes)
        if extent is not None:
            self._zoom_to(extent, crs)
        self._render_chart(codes)

    def municipality_extent(self, codes: list[str]):
        """Bounding box (and its CRS) of these municipalities: from the municipality layer's geometry when
        it has one, else from the chōme result (muni_code, or the first five digits of KEY_CODE)."""
        wanted = set(codes)
        muni = self.result.get("muni")
        if muni is not None and muni.isSpatial() and "muni_code" in _field_names(muni):
            rect, found = QgsRectangle(), False
            for feature in muni.getFeatures():
                if str(feature["muni_code"]) in wanted and feature.hasGeometry():
                    rect = self._combine(rect, feature.geometry().boundingBox(), found)
                    found = True
            if found:
                return rect, muni.crs()
        chome = self.result.get("chome")
        if chome is None:
            return None, None
        names = _field_names(chome)
        field = "muni_code" if "muni_code" in names else ("KEY_CODE" if "KEY_CODE" in names else None)
        if field is None:
            return None, None
        rect, found = QgsRectangle(), False
        request = QgsFeatureRequest().setSubsetOfAttributes([field], chome.fields())
        for feature in chome.getFeatures(request):
            code = muni_code_from_key(feature[field])
            if code is None or not feature.hasGeometry():
                continue
            if code in wanted or rollup_code(code, True) in wanted:
                rect = self._combine(rect, feature.geometry().boundingBox(), found)
                found = True
        return (rect, chome.crs()) if found else (None, None)

    @staticmethod
    def _combine(rect: QgsRectangle, other: QgsRectangle, started: bool) -> QgsRectangle:
        if not started:
            return QgsRectangle(other)
        rect.combineExtentWith(other)
        return rect

    def _zoom_to(self, extent: QgsRectangle, crs) -> None:
        if self.iface is None or extent is None:
            return
        canvas = self.iface.mapCanvas()
        dest = canvas.mapSettings().destinationCrs()
        rect = QgsRectangle(extent)
        if rect.width() == 0 and rect.height() == 0:  # one point: show its surroundings
            pad = 0.005 if (crs is not None and crs.isGeographic()) else 500.0
            rect = QgsRectangle(
                rect.xMinimum() - pad, rect.yMinimum() - pad, rect.xMaximum() + pad, rect.yMaximum() + pad
            )
        if dest.isValid() and crs is not None and crs.isValid() and dest != crs:
            rect = QgsCoordinateTransform(crs, dest, self.project).transformBoundingBox(rect)
        elif not dest.isValid() and crs is not None and crs.isValid():
            canvas.setDestinationCrs(crs)
        rect.scale(1.08)
        canvas.setExtent(rect)
        canvas.refresh()

    # =============================================================================== restyle and export
    @guarded
    def restyle(self) -> None:
        layer = self.restyle_combo.currentLayer()
        if layer is None:
            self.show_message(self.tr("Choose a result layer to restyle."), Qgis.MessageLevel.Warning)
            return
        names = _field_names(layer)
        if "status" in names:
            counts = apply_status_style(layer, self.lang, radius_m=self.radius_spin.value())
            layer.setCustomProperty(ROLE_PROPERTY, "chome")
            self.result["chome"] = layer
            if self.iface is not None and hasattr(self.iface, "layerTreeView"):
                self.iface.layerTreeView().refreshLayerSymbology(layer.id())
            self.summary_label.setText(
                self._summary(counts["blank"], counts["covered"], counts["no_population"])
            )
            self.show_message(
                self.tr(
                    "Restyled {layer}: {blank} blank, {covered} covered, {nopop} without population."
                ).format(
                    layer=layer.name(),
                    blank=counts["blank"],
                    covered=counts["covered"],
                    nopop=counts["no_population"],
                ),
                Qgis.MessageLevel.Success,
            )
        elif "rate_pct" in names and "muni_code" in names:
            self.result["muni"] = layer
            self._load_table(layer)
            self.tabs.setCurrentIndex(1)
            self.show_message(
                self.tr("Showing {n} municipalities of {layer}.").format(
                    n=self.table_model.rowCount(), layer=layer.name()
                ),
                Qgis.MessageLevel.Info,
            )
        else:
            self.show_message(
                self.tr(
                    "{layer} has neither a status field (chōme result of kaigo:blankareas) nor rate_pct "
                    "(municipality table of kaigo:sufficiencyrates)."
                ).format(layer=layer.name()),
                Qgis.MessageLevel.Warning,
            )

    def charts_parameters(self) -> dict | None:
        muni = self.result.get("muni")
        if muni is None:
            return None
        return {
            "INPUT": muni.id() if self.project.mapLayer(muni.id()) else muni.source(),
            "HIGHLIGHT": ",".join(self.selected_codes()),
            "LANGUAGE": LANGUAGE_INDEX[self.lang],
            **dict(zip(THRESHOLD_PARAMETERS, self.thresholds())),
            **self._export_folder("charts"),
        }

    def map_parameters(self) -> dict | None:
        chome = self.result.get("chome")
        if chome is None:
            return None
        return {
            "INPUT": chome.id() if self.project.mapLayer(chome.id()) else chome.source(),
            "RESOURCES": [
                lyr.id() for lyr in self.result.get("resources", []) if self.project.mapLayer(lyr.id())
            ],
            "MUNI_CODES": ",".join(self.selected_codes()),
            "LANGUAGE": LANGUAGE_INDEX[self.lang],
            "RADIUS": self.result.get("radius", self.radius_spin.value()),
            **self._export_folder("maps"),
        }

    def _export_folder(self, name: str) -> dict:
        """OUTPUT_FOLDER beside the run's own files (the dialog lets the user change it)."""
        folder = self.result.get("folder")
        return {"OUTPUT_FOLDER": os.path.join(folder, name)} if folder else {}

    @guarded
    def export_charts(self) -> None:
        self._open_algorithm(CHARTS_ALG, self.charts_parameters())

    @guarded
    def export_map(self) -> None:
        self._open_algorithm(MAP_ALG, self.map_parameters())

    def _open_algorithm(self, alg_id: str, params: dict | None):
        if params is None:
            self.show_message(
                self.tr("Run the analysis (or restyle an existing result) first."), Qgis.MessageLevel.Warning
            )
            return None
        alg = QgsApplication.processingRegistry().algorithmById(alg_id)
        if alg is None:
            self.show_message(self._missing_text(alg_id), Qgis.MessageLevel.Critical)
            return None
        from .tasks import filter_parameters

        params, _unknown = filter_parameters(alg, params)
        import processing

        dialog = processing.createAlgorithmDialog(alg_id, params)
        if dialog is None:
            self.show_message(self._missing_text(alg_id), Qgis.MessageLevel.Critical)
            return None
        self._dialogs = [d for d in self._dialogs if _is_alive(d) and d.isVisible()] + [dialog]
        dialog.show()
        return dialog

    # =============================================================================== width
    def showEvent(self, event):  # noqa: N802
        super().showEvent(event)
        if not self._widen_checked:  # once the main window has laid out its docks (QGIS restores them late)
            self._widen_checked = True
            QTimer.singleShot(0, self._widen_first_time)

    def _widen_first_time(self) -> None:
        """The first time the panel opens in a profile, as wide as its page needs (QGIS's default layout gives
        a new right-hand dock ~370 px, which squeezes the fields); afterwards the width the user left wins."""
        if (
            not _is_alive(self)
            or self.isFloating()
            or QgsSettings().value(SETTINGS + "widened", False, type=bool)
        ):
            return
        window = self.parentWidget()
        hint = self.sizeHint().width()
        if isinstance(window, QMainWindow) and self.width() < hint:
            window.resizeDocks([self], [hint], Qt.Orientation.Horizontal)
        QgsSettings().setValue(SETTINGS + "widened", True)

    # =============================================================================== teardown
    def shutdown(self) -> None:
        if self.chain is not None:
            self.chain.cancel()
        self.decision_box.shutdown()
        for signal, slot in (
            (self.project.layersAdded, self._layers_changed),
            (self.project.layersRemoved, self._layers_changed),
            (self.project.layersWillBeRemoved, self._forget_layers),
            (self.project.cleared, self._project_cleared),
            (self.project.writeProject, self._write_to_project),
            (self.project.readProject, self._read_from_project),
        ):
            try:
                signal.disconnect(slot)
            except (TypeError, RuntimeError):
                pass
        dialogs, self._dialogs = self._dialogs, []
        for dialog in dialogs:
            _close_if_alive(dialog)


def default_output_base(project) -> str:
    """Where the results go when no output folder is chosen: kaigo_results beside the project file, or in
    the user's Documents folder while the project is not saved yet (never a temporary folder)."""
    from qgis.PyQt.QtCore import QStandardPaths

    if project is not None and project.fileName():
        return os.path.join(project.homePath() or os.path.dirname(project.fileName()), "kaigo_results")
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return os.path.join(documents or os.path.expanduser("~"), "kaigo_results")


def install_dock(iface):
    """Add the panel (right dock area) and its action (Plugins toolbar and menu); return both."""
    main_window = iface.mainWindow()
    dock = KaigoDock(iface, main_window)
    iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    action = QAction(QIcon(ICON), _action_text(), main_window)
    action.setObjectName("KaigoResourceDockAction")
    action.setCheckable(True)
    action.setChecked(True)
    action.setToolTip(
        QCoreApplication.translate("KaigoDock", "Show the blank-area and sufficiency-rate panel")
    )
    action.toggled.connect(dock.setUserVisible)
    dock.openedStateChanged.connect(action.setChecked)
    iface.addToolBarIcon(action)
    iface.addPluginToMenu(_menu_name(), action)
    return dock, action


def remove_dock(iface, dock, action) -> None:
    """Undo install_dock: cancel a running analysis, remove the panel, the toolbar icon and the menu entry."""
    if dock is not None:
        try:
            dock.shutdown()
        finally:  # whatever happened, the panel leaves the screen
            if hasattr(iface, "removeDockWidget"):
                iface.removeDockWidget(dock)
            dock.hide()
            dock.deleteLater()
    if action is not None:
        iface.removeToolBarIcon(action)
        if hasattr(iface, "removePluginMenu"):  # the pytest-qgis stub has no removePluginMenu
            iface.removePluginMenu(_menu_name(), action)
        action.deleteLater()

"""Sortable table of municipalities (rate, density, class, at-home elderly without access) for the panel."""

from __future__ import annotations

import math

from qgis.PyQt.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, Qt

from ..compat import is_null

_USER_ROLE = int(getattr(Qt.ItemDataRole.UserRole, "value", Qt.ItemDataRole.UserRole))  # Qt5 int, Qt6 enum
SORT_ROLE = _USER_ROLE + 1
CODE_ROLE = _USER_ROLE + 2

# (field, header in English, kind) — kind drives formatting and sorting
BASE_COLUMNS = (
    ("muni_code", "Code", "text"),
    ("muni_name", "Municipality", "text"),
    ("rate_pct", "Rate (%)", "pct"),
    ("density", "Density (/km²)", "num0"),
    ("class_label", "Class", "text"),
    ("at_home_without_access", "At-home 75+ without access", "int"),
)


def _value(value):
    if is_null(value):
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


class MunicipalityTableModel(QAbstractTableModel):
    """Rows are plain dicts (field → value) read from the municipality layer of kaigo:sufficiencyrates."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[dict] = []
        self._columns: list[tuple[str, str, str]] = list(BASE_COLUMNS)
        self._type_names: list[str] = []

    def tr(self, text: str) -> str:
        return QCoreApplication.translate("MunicipalityTableModel", text)

    def _headers(self) -> dict[str, str]:
        return {
            "muni_code": self.tr("Code"),
            "muni_name": self.tr("Municipality"),
            "rate_pct": self.tr("Rate (%)"),
            "density": self.tr("Density (/km²)"),
            "class_label": self.tr("Class"),
            "at_home_without_access": self.tr("At-home 75+ without access"),
        }

    # -- data ---------------------------------------------------------------------------------------
    def set_rows(self, rows: list[dict], type_names: list[str] | None = None) -> None:
        self.beginResetModel()
        self._rows = [{k: _value(v) for k, v in row.items()} for row in rows]
        self._type_names = list(type_names or [])
        self._columns = list(BASE_COLUMNS)
        # with several resource types, add the rate of each type after the overall rate
        if len(self._type_names) > 1:
            for i, name in enumerate(self._type_names):
                self._columns.insert(3 + i, (f"rate_pct_{name}", name, "pct"))
        self._rows.sort(key=lambda r: str(r.get("muni_code") or ""))
        self.endResetModel()

    def rows(self) -> list[dict]:
        return list(self._rows)

    def columns(self) -> list[str]:
        return [c[0] for c in self._columns]

    def row_dict(self, row: int) -> dict:
        return self._rows[row]

    def code_at(self, row: int) -> str | None:
        code = self._rows[row].get("muni_code")
        return None if code is None else str(code)

    # -- Qt model API ---------------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()):  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()):  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            field, header, _kind = self._columns[section]
            if field.startswith("rate_pct_"):
                return self.tr("Rate {name} (%)").format(name=header)
            return self._headers().get(field, header)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._columns[section][0]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        field, _header, kind = self._columns[index.column()]
        value = row.get(field)
        if role == Qt.ItemDataRole.DisplayRole:
            if field == "class_label":
                return self._class_text(row, value)
            return self._format(value, kind)
        if role == SORT_ROLE:
            return value
        if role == CODE_ROLE:
            return row.get("muni_code")
        if role == Qt.ItemDataRole.TextAlignmentRole and kind != "text":
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.ToolTipRole and field == "muni_name":
            pref = row.get("pref_name") or ""
            return f"{pref}{value or ''} ({row.get('muni_code') or ''})"
        return None

    @staticmethod
    def _class_text(row: dict, stored) -> str:
        """The density class in the QGIS language (the layer stores the Japanese label)."""
        from ..core.classes import CLASS_SHORT
        from ..i18n_loader import output_language

        value = row.get("density_class")
        try:
            cls = int(value) if value is not None else 0
        except (TypeError, ValueError):
            return "—" if stored is None else str(stored)
        labels = CLASS_SHORT["ja" if output_language() == "ja" else "en"]  # as in the charts
        return labels.get(cls, "—" if stored is None else str(stored))

    @staticmethod
    def _format(value, kind: str) -> str:
        if value is None:
            return "—"
        try:
            if kind == "pct":
                return f"{float(value):.1f}"
            if kind in ("num0", "int"):
                return f"{float(value):,.0f}"
        except (TypeError, ValueError):
            return str(value)
        return str(value)

    def sort(self, column, order=Qt.SortOrder.AscendingOrder):
        """Sort by the raw value; empty values (no rate) always last, ties by municipality code."""
        if not 0 <= column < len(self._columns):
            return
        field, _header, kind = self._columns[column]
        descending = order == Qt.SortOrder.DescendingOrder

        def key(row):
            value = row.get(field)
            code = str(row.get("muni_code") or "")
            if value is None:
                return (1, 0, code)
            if kind == "text":
                return (0, str(value), code)
            try:
                number = float(value)
            except (TypeError, ValueError):
                return (1, 0, code)
            return (0, -number if descending else number, code)

        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        held = [(self._rows[i.row()], i.column()) for i in persistent]
        if kind == "text" and descending:
            filled = sorted((r for r in self._rows if r.get(field) is not None), key=key, reverse=True)
            empty = sorted((r for r in self._rows if r.get(field) is None), key=key)
            self._rows = filled + empty
        else:
            self._rows.sort(key=key)
        position = {id(r): n for n, r in enumerate(self._rows)}
        self.changePersistentIndexList(persistent, [self.index(position[id(r)], col) for r, col in held])
        self.layoutChanged.emit()

"""The few PyQGIS differences between QGIS 3.22 (Qt5) and QGIS 3.38+/4 (Qt6), in one place."""

from __future__ import annotations

from qgis.core import Qgis, QgsField, QgsWkbTypes
from qgis.PyQt.QtCore import QVariant

QGIS_INT = Qgis.QGIS_VERSION_INT

try:  # QGIS >= 3.38 prefers QMetaType; QGIS 4 only accepts it
    from qgis.PyQt.QtCore import QMetaType

    _HAS_METATYPE_FIELDS = QGIS_INT >= 33800
except ImportError:  # pragma: no cover
    QMetaType = None
    _HAS_METATYPE_FIELDS = False

if _HAS_METATYPE_FIELDS:
    _TYPES = {
        "int": QMetaType.Type.Int,
        "longlong": QMetaType.Type.LongLong,
        "double": QMetaType.Type.Double,
        "string": QMetaType.Type.QString,
    }
else:
    _TYPES = {
        "int": QVariant.Int,
        "longlong": QVariant.LongLong,
        "double": QVariant.Double,
        "string": QVariant.String,
    }


def make_field(name: str, kind: str, length: int = 0, precision: int = 0) -> QgsField:
    """A QgsField of kind "int", "longlong", "double" or "string" on every supported QGIS."""
    return QgsField(name, _TYPES[kind], "", length, precision)


def field_kind(field: QgsField) -> str:
    """ "int", "double", "string" or "other" for an existing field, on every supported QGIS."""
    if field.isNumeric():
        t = field.type()
        as_int = int(t) if not hasattr(t, "value") else int(t.value)
        return "double" if as_int == 6 else "int"  # 6 = Double in both QVariant and QMetaType
    as_int = int(field.type()) if not hasattr(field.type(), "value") else int(field.type().value)
    return "string" if as_int == 10 else "other"  # 10 = QString / String


def geometry_type(wkb_type) -> int:
    """0 point, 1 line, 2 polygon, 3 unknown, 4 null — as an int on 3.22 and 4.x."""
    gt = QgsWkbTypes.geometryType(wkb_type)
    return int(gt.value) if hasattr(gt, "value") else int(gt)


def variant(value):
    """``value`` as a QVariant: QGIS takes a ready QVariant attribute faster than it converts a Python value."""
    return QVariant(value)


def parameter_as_fields(algorithm, parameters, name: str, context) -> list[str]:
    """Field names of a field parameter: parameterAsStrings (QGIS >= 3.32) or the older call on 3.22."""
    read = getattr(algorithm, "parameterAsStrings", None) or algorithm.parameterAsFields
    return list(read(parameters, name, context) or [])


def is_null(value) -> bool:
    """True for Python None, QVariant NULL (QGIS 3) and an invalid QVariant."""
    if value is None:
        return True
    if isinstance(value, QVariant):
        return value.isNull()
    return False


def set_label_font(item, font, size_pt: float, color=None) -> None:
    """Font of a QgsLayoutItemLabel: setTextFormat (QGIS >= 3.24) or setFont/setFontColor (3.22)."""
    if hasattr(item, "setTextFormat"):
        from qgis.core import QgsTextFormat

        fmt = QgsTextFormat()
        fmt.setFont(font)
        fmt.setSize(size_pt)
        if color is not None:
            fmt.setColor(color)
        item.setTextFormat(fmt)
        return
    font.setPointSizeF(size_pt)
    item.setFont(font)
    if color is not None:
        item.setFontColor(color)


def set_legend_style_font(legend, style, font, size_pt: float) -> None:
    """Font of one legend style: QgsLegendStyle.setTextFormat (QGIS >= 3.30) or setFont (3.22)."""
    rstyle = legend.rstyle(style)
    if hasattr(rstyle, "setTextFormat"):
        fmt = rstyle.textFormat()
        fmt.setFont(font)
        fmt.setSize(size_pt)
        rstyle.setTextFormat(fmt)
        return
    font.setPointSizeF(size_pt)
    rstyle.setFont(font)


# Vertical anchor of a marker: Qgis.VerticalAnchorPoint from QGIS 3.40, QgsMarkerSymbolLayer's before.
if hasattr(Qgis, "VerticalAnchorPoint"):
    ANCHOR_BOTTOM = Qgis.VerticalAnchorPoint.Bottom
else:
    from qgis.core import QgsMarkerSymbolLayer

    ANCHOR_BOTTOM = QgsMarkerSymbolLayer.VerticalAnchorPoint.Bottom

# Geometry type values: Qgis.WkbType from QGIS 3.30 (the only spelling in QGIS 4), QgsWkbTypes.Type before.
WkbType = getattr(Qgis, "WkbType", None) or QgsWkbTypes.Type
WKB_POINT = WkbType.Point
WKB_MULTIPOLYGON = WkbType.MultiPolygon
WKB_NO_GEOMETRY = WkbType.NoGeometry


try:  # QGIS >= 3.36: Qgis.CrsWktVariant; QGIS 4 has only that
    WKT_PREFERRED = Qgis.CrsWktVariant.Preferred
except AttributeError:  # pragma: no cover - QGIS 3.22
    from qgis.core import QgsCoordinateReferenceSystem

    WKT_PREFERRED = QgsCoordinateReferenceSystem.WktVariant.WKT_PREFERRED


def in_main_thread() -> bool:
    """True in the thread of the QGIS application (the GUI thread in QGIS Desktop)."""
    from qgis.PyQt.QtCore import QCoreApplication, QThread

    app = QCoreApplication.instance()
    return app is not None and QThread.currentThread() == app.thread()

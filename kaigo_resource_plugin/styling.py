"""Map styles shared by the dock panel and the map export: chōme red / blue / grey, resources as pins (blue first, one colour per type)."""

from __future__ import annotations

import os

from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsFillSymbol,
    QgsMarkerSymbol,
    QgsRendererCategory,
    QgsSingleSymbolRenderer,
    QgsSvgMarkerSymbolLayer,
)
from qgis.PyQt.QtGui import QColor

from .compat import ANCHOR_BOTTOM

PIN_SVG = os.path.join(os.path.dirname(__file__), "icons", "pin.svg")

STATUS_COLORS = {"blank": "#e31a1c", "covered": "#1f78b4", "no_population": "#bdbdbd"}
STATUS_LABELS = {
    "ja": {"blank": "空白地域（500m以内に資源なし）", "covered": "資源あり", "no_population": "人口なし"},
    "en": {
        "blank": "Blank area (no resource within 500 m)",
        "covered": "Resource within reach",
        "no_population": "No population",
    },
}
STATUS_ORDER = ("blank", "covered", "no_population")


def status_label(status: str, lang: str, radius_m: float = 500.0, count: int | None = None) -> str:
    text = STATUS_LABELS["en" if lang == "en" else "ja"][status]
    if radius_m != 500.0:
        text = text.replace("500m", f"{radius_m:g}m").replace("500 m", f"{radius_m:g} m")
    if count is not None:
        text += f" ({count:,})" if lang == "en" else f"（{count:,}）"
    return text


def status_counts(layer, field: str = "status") -> dict[str, int]:
    idx = layer.fields().indexOf(field)
    counts = {key: 0 for key in STATUS_ORDER}
    if idx < 0:
        return counts
    for feat in layer.getFeatures():
        value = feat[idx]
        if value in counts:
            counts[value] += 1
    return counts


def _fill(color: str, geometry_type: int):
    if geometry_type == 2:
        return QgsFillSymbol.createSimple(
            {"color": color, "outline_color": "#ffffff", "outline_width": "0.15", "outline_width_unit": "MM"}
        )
    return QgsMarkerSymbol.createSimple(
        {"name": "circle", "color": color, "outline_color": "#ffffff", "size": "2.2"}
    )


def apply_status_style(layer, lang: str = "ja", field: str = "status", radius_m: float = 500.0) -> dict:
    """Categorised renderer on ``field``: blank red, covered blue, no population grey; counts in the legend.

    Returns the counts per status.
    """
    from .compat import geometry_type

    gtype = geometry_type(layer.wkbType())
    counts = status_counts(layer, field)
    categories = []
    for key in STATUS_ORDER:
        symbol = _fill(STATUS_COLORS[key], gtype)
        categories.append(QgsRendererCategory(key, symbol, status_label(key, lang, radius_m, counts[key])))
    renderer = QgsCategorizedSymbolRenderer(field, categories)
    layer.setRenderer(renderer)
    layer.triggerRepaint()
    return counts


# one pin colour per resource type, blue first (SPEC: resources are blue pins); never red, the blank colour
RESOURCE_COLORS = ("#1d4ed8", "#7c3aed", "#0f766e", "#b45309", "#be185d", "#334155")


def pin_symbol(size_mm: float = 4.0, color: str = RESOURCE_COLORS[0]):
    symbol = QgsMarkerSymbol()
    pin = QgsSvgMarkerSymbolLayer(PIN_SVG, size_mm)
    pin.setFillColor(QColor(color))  # pin.svg takes param(fill) and param(outline)

    pin.setVerticalAnchorPoint(ANCHOR_BOTTOM)
    symbol.changeSymbolLayer(0, pin)
    return symbol


def apply_resource_style(layer, size_mm: float = 4.0, index: int = 0) -> None:
    """Resources as pins (points; polygons get an outline): the first type blue, each further type of the
    same map its own colour (``index``), so that two resource types never look alike."""
    from .compat import geometry_type

    color = RESOURCE_COLORS[index % len(RESOURCE_COLORS)]
    if geometry_type(layer.wkbType()) == 0:
        layer.setRenderer(QgsSingleSymbolRenderer(pin_symbol(size_mm - 0.4 * (index % 2), color)))
    else:
        layer.setRenderer(
            QgsSingleSymbolRenderer(
                QgsFillSymbol.createSimple(
                    {"color": "0,0,0,0", "outline_color": color, "outline_width": "0.6"}
                )
            )
        )
    layer.triggerRepaint()

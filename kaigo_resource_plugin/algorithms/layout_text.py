"""Text on a print layout: a QgsLayoutItemLabel where QGIS allows one, else an SVG picture of the text.

QGIS 3.22 logs "Cannot load HTML based item label in background threads" (「HTML型ラベルをロードできません」)
for every QgsLayoutItemLabel created outside the main thread, even a plain-text one: kaigo:fullanalysis runs
in a Processing task and builds its maps there, so each map logged it three times (title, summary, sources).
There (outside the main thread, on a QGIS with that check) the text is a QgsLayoutItemPicture showing a
small SVG of it: the PNG looks the same; in the PDF the glyphs are outlines (Qt's SVG renderer draws text as
paths), so that text cannot be selected. Everywhere else (kaigo:exportmap itself runs in the main thread,
qgis_process too) it stays a label, selectable in the PDF. The check is in QGIS 3.22's libqgis_core and no
longer in 3.40.6 / 3.44.16 (the message is absent from their binaries); between those versions the picture
is used off the main thread, which is safe everywhere.

Line breaks are Qt's (QTextLayout: Unicode line breaking, so Japanese breaks between characters and never
before 。、), each explicit "\\n" starts a new line; the text is centred vertically like the labels were and
made smaller, step by step, when it would not fit in its box.
"""

from __future__ import annotations

import os
import uuid
from xml.sax.saxutils import escape, quoteattr

from qgis.core import (
    Qgis,
    QgsLayoutItemLabel,
    QgsLayoutItemPicture,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsUnitTypes,
)
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor, QFont, QFontMetricsF, QTextLayout

from ..compat import in_main_thread, set_label_font

# QGIS versions whose QgsLayoutItemLabel needs the main thread (see above)
LABELS_NEED_MAIN_THREAD = Qgis.QGIS_VERSION_INT < 34000

UNITS_PER_MM = 100.0  # SVG user units per millimetre: large font sizes, so no metric is rounded
PT_MM = 25.4 / 72.0
MARGIN_MM = 0.0  # where QGIS 3.22 draws a label's text: flush with the box (measured on the map PNG)


def _font(family: str, size_pt: float, bold: bool) -> QFont:
    font = QFont(family)
    font.setPixelSize(max(1, round(size_pt * PT_MM * UNITS_PER_MM)))
    font.setBold(bold)
    return font


def wrap_lines(text: str, font: QFont, width: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` (font units), keeping every character."""
    lines: list[str] = []
    for para in text.split("\n"):
        if not para:
            lines.append("")
            continue
        layout = QTextLayout(para, font)
        layout.beginLayout()
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            start, length = line.textStart(), line.textLength()
            lines.append(para[start : start + length].rstrip(" "))
        layout.endLayout()
    return lines


def text_svg(
    text: str,
    width_mm: float,
    height_mm: float,
    size_pt: float,
    family: str,
    bold: bool = False,
    align: str = "left",
    color: str = "#000000",
) -> tuple[str, list[str], float]:
    """The SVG document of ``text`` in a ``width_mm`` × ``height_mm`` box, its lines and the size used."""
    w = width_mm * UNITS_PER_MM
    h = height_mm * UNITS_PER_MM
    inner = max(1.0, w - 2 * MARGIN_MM * UNITS_PER_MM)
    size = size_pt
    for _step in range(8):  # smaller text until it fits the box (at most to ~48 % of the size asked)
        font = _font(family, size, bold)
        lines = wrap_lines(text, font, inner)
        metrics = QFontMetricsF(font)
        spacing = metrics.lineSpacing()
        if len(lines) * spacing <= h - 2 * MARGIN_MM * UNITS_PER_MM or size < size_pt * 0.5:
            break
        size *= 0.9
    anchor, x = {
        "left": ("start", MARGIN_MM * UNITS_PER_MM),
        "center": ("middle", w / 2),
        "right": ("end", w - MARGIN_MM * UNITS_PER_MM),
    }[align]
    top = (h - len(lines) * spacing) / 2 + metrics.ascent()
    rows = [
        f'<text x="{x:.1f}" y="{top + i * spacing:.1f}">{escape(line)}</text>'
        for i, line in enumerate(lines)
        if line
    ]
    svg = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{width_mm:g}mm" '
        f'height="{height_mm:g}mm" viewBox="0 0 {w:.0f} {h:.0f}">\n'
        f'<g font-family={quoteattr(family)} font-size="{font.pixelSize()}" '
        f'font-weight="{"bold" if bold else "normal"}" fill="{color}" text-anchor="{anchor}" '
        'xml:space="preserve">\n' + "\n".join(rows) + "\n</g>\n</svg>\n"
    )
    return svg, lines, size


ALIGN = {
    Qt.AlignmentFlag.AlignLeft: "left",
    Qt.AlignmentFlag.AlignHCenter: "center",
    Qt.AlignmentFlag.AlignRight: "right",
}


def labels_work_here() -> bool:
    """True where a QgsLayoutItemLabel can be made without QGIS's background-thread warning."""
    if not LABELS_NEED_MAIN_THREAD:
        return True
    return in_main_thread()


def add_text(
    layout,
    folder: str,
    text: str,
    x: float,
    y: float,
    w: float,
    h: float,
    size_pt: float,
    family: str,
    bold: bool = False,
    align=Qt.AlignmentFlag.AlignLeft,
    color: str = "#000000",
):
    """An item at (x, y) mm of size w × h mm showing ``text``: a label, or (off the main thread on QGIS
    3.22) a picture whose SVG is written into ``folder``, which must outlive the export."""
    if labels_work_here():
        label = QgsLayoutItemLabel(layout)
        label.setText(text)
        qfont = QFont(family)
        qfont.setBold(bold)
        set_label_font(label, qfont, size_pt, QColor(color))
        label.setHAlign(align)
        label.setVAlign(Qt.AlignmentFlag.AlignVCenter)
        label.attemptMove(QgsLayoutPoint(x, y, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
        label.attemptResize(QgsLayoutSize(w, h, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
        layout.addLayoutItem(label)
        return label
    svg, _lines, _size = text_svg(text, w, h, size_pt, family, bold, ALIGN.get(align, "left"), color)
    # a new file name for every text: QGIS's SVG cache keys on the path
    path = os.path.join(folder, f"text-{uuid.uuid4().hex}.svg")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(svg)
    item = QgsLayoutItemPicture(layout)
    item.setResizeMode(QgsLayoutItemPicture.ResizeMode.Zoom)
    item.setBackgroundEnabled(False)
    item.setFrameEnabled(False)
    item.attemptMove(QgsLayoutPoint(x, y, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
    item.attemptResize(QgsLayoutSize(w, h, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
    item.setPicturePath(path)
    layout.addLayoutItem(item)
    return item

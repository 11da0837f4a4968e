"""kaigo:exportmap — blank-area map of each municipality through a QGIS print layout (PNG 300 dpi, PDF)."""

from __future__ import annotations

import os
import tempfile

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFeatureRequest,
    QgsFields,
    QgsFillSymbol,
    QgsGeometry,
    QgsLayoutExporter,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemPicture,
    QgsLayoutItemScaleBar,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsLayoutUtils,
    QgsLegendRenderer,
    QgsLegendStyle,
    QgsMemoryProviderUtils,
    QgsPrintLayout,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingFeatureSource,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsProject,
    QgsRectangle,
    QgsScaleBarSettings,
    QgsSingleSymbolRenderer,
    QgsUnitTypes,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QSize, Qt
from qgis.PyQt.QtGui import QColor, QFont

from .. import styling
from ..compat import (
    WKB_MULTIPOLYGON,
    geometry_type,
    is_null,
    make_field,
    set_legend_style_font,
)
from ..core import maps
from ..core.atomic import atomic_path
from ..core.committee import parse_highlight
from ..core.contract import STATUS
from ..core.errors import InputError
from ..core.language import resource_type_label
from ..i18n_loader import output_language, say
from .base import KaigoAlgorithm, check_cancel
from .crs import checked_transform
from .glue import resolve_language
from .layout_text import add_text

PAGE_W, PAGE_H = 297.0, 210.0  # A4 landscape, mm
MAP_X, MAP_Y, MAP_W, MAP_H = 10.0, 24.0, 200.0, 152.0  # the scale bar sits below, never on a pin
SOURCE_JA = (
    "出典：政府統計の総合窓口(e-Stat)（国勢調査 小地域集計・境界データ）を加工して作成。"
    "地域資源：© OpenStreetMap contributors（ODbL）"
)
SOURCE_EN = (
    "Sources: Portal Site of Official Statistics of Japan (e-Stat), census small-area statistics and "
    "boundaries, processed. Resources: © OpenStreetMap contributors (ODbL)."
)


def north_arrow_svg() -> str | None:
    """A north-arrow SVG from QGIS's own SVG folders, or None."""
    folders = list(QgsApplication.svgPaths())
    prefix = QgsApplication.pkgDataPath()
    if prefix:
        folders.append(os.path.join(prefix, "svg"))
    folders += ["/usr/share/qgis/svg", "/usr/local/share/qgis/svg"]
    for folder in folders:
        for name in ("NorthArrow_02.svg", "NorthArrow_01.svg", "NorthArrow_11.svg"):
            path = os.path.join(folder, "arrows", name)
            if os.path.exists(path):
                return path
    return None


class ExportMapAlgorithm(KaigoAlgorithm):
    NAME = "exportmap"
    DISPLAY_NAME = "Export blank-area maps (print layout)"

    INPUT = "INPUT"
    RESOURCES = "RESOURCES"
    MUNI_CODES = "MUNI_CODES"
    STATUS_FIELD = "STATUS_FIELD"
    RADIUS = "RADIUS"
    TITLE = "TITLE"
    SOURCE_TEXT = "SOURCE_TEXT"
    LANGUAGE = "LANGUAGE"
    EXPORT_SVG = "EXPORT_SVG"
    OUTPUT_FOLDER = "OUTPUT_FOLDER"

    def flags(self):
        # a print layout is a QGraphicsScene: build and export it in the main thread
        return super().flags() | QgsProcessingAlgorithm.Flag.FlagNoThreading

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.INPUT,
                self.tr("Chōme with status (from Blank areas)"),
                [QgsProcessing.SourceType.TypeVectorPolygon, QgsProcessing.SourceType.TypeVectorPoint],
            )
        )
        self.addParameter(
            QgsProcessingParameterMultipleLayers(
                self.RESOURCES,
                self.tr("Resources (pins, one colour per layer)"),
                QgsProcessing.SourceType.TypeVectorAnyGeometry,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.MUNI_CODES,
                self.tr("Municipality codes (comma separated; default: every municipality of the input)"),
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.STATUS_FIELD,
                self.tr("Status field (blank / covered / no_population)"),
                defaultValue=STATUS,
                parentLayerParameterName=self.INPUT,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.RADIUS,
                self.tr("Radius shown in the legend (m)"),
                QgsProcessingParameterNumber.Type.Double,
                500.0,
                False,
                1.0,
            )
        )
        self.addParameter(QgsProcessingParameterString(self.TITLE, self.tr("Title"), optional=True))
        self.addParameter(
            QgsProcessingParameterString(
                self.SOURCE_TEXT, self.tr("Data sources (default: e-Stat and OpenStreetMap)"), optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.LANGUAGE,
                self.tr("Language of the map"),
                [
                    self.tr("Automatic (QGIS language; Japanese unless QGIS runs in English)"),
                    "日本語",
                    "English",
                ],
                defaultValue=0,
            )
        )
        self.addParameter(QgsProcessingParameterBoolean(self.EXPORT_SVG, self.tr("Also write SVG"), False))
        self.addParameter(
            QgsProcessingParameterFolderDestination(self.OUTPUT_FOLDER, self.tr("Output folder"))
        )
        self.addOutput(QgsProcessingOutputNumber("N_MAPS", self.tr("Maps written")))

    # ------------------------------------------------------------------ reading

    def _options(self, parameters, context) -> dict:
        """The map options shared by every municipality's map."""
        lang = resolve_language(self.parameterAsEnum(parameters, self.LANGUAGE, context))
        source_text = (self.parameterAsString(parameters, self.SOURCE_TEXT, context) or "").strip()
        return {
            "lang": lang,
            "radius": self.parameterAsDouble(parameters, self.RADIUS, context),
            "title": (self.parameterAsString(parameters, self.TITLE, context) or "").strip(),
            "source_text": source_text or (SOURCE_EN if lang == "en" else SOURCE_JA),
            "write_svg": self.parameterAsBool(parameters, self.EXPORT_SVG, context),
            "folder": self.parameterAsString(parameters, self.OUTPUT_FOLDER, context),
            "resources": [
                lyr
                for lyr in (self.parameterAsLayerList(parameters, self.RESOURCES, context) or [])
                if hasattr(lyr, "getFeatures")
            ],
        }

    def _checked_source(self, parameters, context):
        """(source, status field, code getter, geometry kind), refused with a bilingual message when unfit."""
        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise InputError(ja="入力レイヤを開けません。", en="The input layer cannot be opened.")
        names = source.fields().names()
        status_field = self.parameterAsString(parameters, self.STATUS_FIELD, context) or STATUS
        if status_field not in names:
            raise InputError(
                ja=f"入力レイヤに項目 {status_field} がありません。"
                "「空白地域の判定」(kaigo:blankareas) の出力を指定するか、STATUS_FIELD を見直してください。",
                en=f"The input layer has no field {status_field}: give the output of kaigo:blankareas "
                "or change STATUS_FIELD.",
            )
        get_code = maps.code_getter(names)
        if get_code is None:
            raise InputError(
                ja="入力レイヤに市区町村コード（muni_code または KEY_CODE）がありません。",
                en="The input layer has no municipality code (muni_code or KEY_CODE).",
            )
        gtype = geometry_type(source.wkbType())
        if gtype not in (0, 2):
            raise InputError(
                ja="入力レイヤはポリゴンかポイントの町丁字レイヤとしてください。",
                en="The input layer must hold chōme polygons or points.",
            )
        return source, status_field, get_code, gtype

    @staticmethod
    def _group_chome(source, status_field, get_code, feedback) -> dict[str, dict]:
        """The chōme by municipality code: names of the place and (geometry, status) of each chōme."""
        idx = {n: i for i, n in enumerate(source.fields().names())}
        s_idx = idx[status_field]
        groups: dict[str, dict] = {}
        unknown_status = 0
        # invalid polygons (common in e-Stat boundaries) are drawn as they are
        skip_checks = QgsProcessingFeatureSource.Flag.FlagSkipGeometryValidityChecks
        for feat in source.getFeatures(QgsFeatureRequest(), skip_checks):
            attrs = [None if is_null(v) else v for v in feat.attributes()]
            code = get_code(attrs)
            if not code or not feat.hasGeometry():
                continue
            status = "" if attrs[s_idx] is None else str(attrs[s_idx])
            if status not in styling.STATUS_COLORS:
                unknown_status += 1
            g = groups.setdefault(code, {"name": "", "ward": "", "pref": "", "features": []})
            if not g["name"]:
                g.update(maps.place_names(attrs, idx))
            g["features"].append((QgsGeometry(feat.geometry()), status))
        if unknown_status:
            feedback.pushWarning(
                f"{status_field} が blank / covered / no_population 以外の町丁字 "
                f"{unknown_status} 件は描きません。\n{unknown_status} chōme whose {status_field} "
                "is not blank / covered / no_population are not drawn."
            )
        if not groups:
            raise InputError(ja="入力レイヤに町丁字がありません。", en="The input layer has no chōme.")
        return groups

    def process(self, parameters, context, feedback):
        from ..core.fonts import find_cjk_font, font_description

        source, status_field, get_code, gtype = self._checked_source(parameters, context)
        opts = self._options(parameters, context)
        groups = self._group_chome(source, status_field, get_code, feedback)
        tokens = parse_highlight(self.parameterAsString(parameters, self.MUNI_CODES, context))
        codes, missing = maps.choose_codes(tokens, groups)
        if missing:
            raise InputError(
                ja=f"MUNI_CODES の {', '.join(missing)} は入力レイヤにありません。",
                en=f"MUNI_CODES {', '.join(missing)} not found in the input layer.",
            )

        font = find_cjk_font()
        opts["family"] = font.family if font is not None else QFont().defaultFamily()
        opts["several"] = len(codes) > 1
        feedback.pushInfo(
            say("地図の日本語フォント: ", "map font: ") + font_description(font, output_language())
        )
        folder = opts["folder"]
        os.makedirs(folder, exist_ok=True)
        files: list[str] = []
        maps_written: dict[str, str] = {}
        counts_out: dict[str, dict] = {}
        for k, code in enumerate(codes):
            check_cancel(feedback)
            g = groups[code]
            label = f"{g['name']}{g['ward']}" or code
            feedback.pushInfo(f"{code} {label}")
            counts, written = self._export_one(code, g, gtype, source.sourceCrs(), context, opts)
            files += written
            maps_written[code] = written[0]
            counts_out[code] = counts
            feedback.setProgress(100.0 * (k + 1) / len(codes))
        return {
            "OUTPUT_FOLDER": folder,
            "N_MAPS": len(maps_written),
            "MAPS": maps_written,
            "FILES": files,
            "COUNTS": counts_out,
        }

    # ------------------------------------------------------------------ one map

    def _export_one(self, code, g, gtype, crs, context, opts):
        """One municipality's map: layers in memory, a print layout, PNG + PDF (+ SVG); (counts, files)."""
        en = opts["lang"] == "en"
        project = QgsProject()
        project.setCrs(crs)
        project.setTransformContext(context.transformContext())
        chome = _chome_layer(g["features"], crs, en)
        counts = styling.apply_status_style(chome, opts["lang"], field=STATUS, radius_m=opts["radius"])
        outline, extent_src = _outline_layer(g["features"], crs, en) if gtype == 2 else (None, chome.extent())
        map_crs, extent = _map_extent(crs, extent_src, opts["radius"], project.transformContext())
        res_layers, resource_counts = _resource_layers(opts["resources"], map_crs, extent, project, en)
        layers = [*res_layers, *([outline] if outline is not None else []), chome]
        project.addMapLayers(layers, False)

        layout = QgsPrintLayout(project)
        layout.initializeDefaults()  # one A4 landscape page
        layout.setName(f"map_{code}")
        # the project owns the layout (and the layers): one owner, torn down in the right order
        project.layoutManager().addLayout(layout)
        family = opts["family"]
        place = f"{g['pref']}{g['name']}{g['ward']}" or code
        title = maps.map_title(opts["title"], place, code, opts["several"], opts["radius"], opts["lang"])
        # texts: labels, or SVG pictures (written here, read when drawn) where QGIS 3.22 refuses labels
        with tempfile.TemporaryDirectory(prefix="kaigo-maptext-") as text_dir:
            _text_item(layout, text_dir, family, title, 10, 7, 277, 13, 16, bold=True)
            map_item = _map_item(layout, map_crs, layers, extent)
            _legend(layout, family, map_item, chome, res_layers, outline, en)
            summary = maps.map_summary(counts, opts["radius"], len(res_layers), opts["lang"])
            _text_item(
                layout, text_dir, family, summary, MAP_X + MAP_W + 4, 150, PAGE_W - MAP_X - MAP_W - 14, 38, 8
            )
            _scale_bar(layout, family, map_item, extent.width())
            _north_arrow(layout, text_dir, family, map_item)
            _text_item(layout, text_dir, family, opts["source_text"], 10, 190, 277, 14, 7.5, color="#333333")

            written = _export_files(layout, os.path.join(opts["folder"], f"map_{code}"), opts["write_svg"])
        out_counts = dict(counts)
        out_counts["resources"] = resource_counts
        project.clear()  # deletes the layout, then the layers, before the Python wrappers go
        return out_counts, written


# ---------------------------------------------------------------------- layers in memory


def _chome_layer(features, crs, en: bool):
    """The municipality's chōme, in memory (the input layer's style is never touched)."""
    fields = QgsFields()
    fields.append(make_field(STATUS, "string"))
    wkb = QgsWkbTypes.multiType(QgsWkbTypes.flatType(features[0][0].wkbType()))
    chome = QgsMemoryProviderUtils.createMemoryLayer("町丁・字" if not en else "Chōme", fields, wkb, crs)
    feats = []
    for geom, status in features:
        f = QgsFeature(fields)
        geom = QgsGeometry(geom)
        geom.convertToMultiType()
        f.setGeometry(geom)
        f.setAttribute(0, status)
        feats.append(f)
    chome.dataProvider().addFeatures(feats)
    chome.updateExtents()
    return chome


def _outline_layer(features, crs, en: bool):
    """(the municipal boundary (union of the chōme polygons) in memory as a dark outline, its bounding box)."""
    parts = [geom if geom.isGeosValid() else geom.makeValid() for geom, _s in features]
    union = QgsGeometry.unaryUnion(parts)
    if union is None or union.isEmpty():
        union = QgsGeometry.collectGeometry(parts)
    outline = QgsMemoryProviderUtils.createMemoryLayer(
        "市区町村界" if not en else "Municipal boundary", QgsFields(), WKB_MULTIPOLYGON, crs
    )
    of = QgsFeature()
    union.convertToMultiType()
    of.setGeometry(union)
    outline.dataProvider().addFeatures([of])
    outline.updateExtents()
    symbol = QgsFillSymbol.createSimple(
        {"color": "0,0,0,0", "outline_color": "#222222", "outline_width": "0.7", "outline_width_unit": "MM"}
    )
    outline.setRenderer(QgsSingleSymbolRenderer(symbol))
    return outline, union.boundingBox()


def _map_extent(crs, extent_src, radius, transform_context):
    """(map CRS, extent): metric (UTM of the area) when the data are in degrees; the page's aspect."""
    if crs.isGeographic():
        center = extent_src.center()
        map_crs = QgsCoordinateReferenceSystem(f"EPSG:{maps.utm_epsg(center.x(), center.y())}")
    else:
        map_crs = crs
    box = checked_transform(crs, map_crs, transform_context).transformBoundingBox(extent_src)
    fitted = maps.fit_extent(
        box.xMinimum(), box.yMinimum(), box.xMaximum(), box.yMaximum(), MAP_W / MAP_H, radius
    )
    return map_crs, QgsRectangle(*fitted)


def _resource_layers(resources, map_crs, extent, project, en: bool):
    """The resources inside the map, in memory, as pins (one colour per type) named with their count."""
    res_layers = []
    resource_counts = {}
    for k_res, lyr in enumerate(resources):
        to_res = checked_transform(map_crs, lyr.crs(), project.transformContext())
        request = QgsFeatureRequest().setFilterRect(to_res.transformBoundingBox(extent)).setNoAttributes()
        rwkb = QgsWkbTypes.multiType(QgsWkbTypes.flatType(lyr.wkbType()))
        mem = QgsMemoryProviderUtils.createMemoryLayer(lyr.name(), QgsFields(), rwkb, lyr.crs())
        new = []
        for f in lyr.getFeatures(request):
            if not f.hasGeometry():
                continue
            nf = QgsFeature()
            geom = QgsGeometry(f.geometry())
            geom.convertToMultiType()
            nf.setGeometry(geom)
            new.append(nf)
        mem.dataProvider().addFeatures(new)
        mem.updateExtents()
        styling.apply_resource_style(mem, size_mm=4.0, index=k_res)  # each type its own pin colour
        resource_counts[lyr.name()] = len(new)
        readable = resource_type_label(lyr.name(), "en" if en else "ja")
        mem.setName(maps.resource_legend_name(readable, len(new), "en" if en else "ja"))
        res_layers.append(mem)
    return res_layers, resource_counts


# ---------------------------------------------------------------------- layout items


def _mm_point(x, y):
    return QgsLayoutPoint(x, y, QgsUnitTypes.LayoutUnit.LayoutMillimeters)


def _mm_size(w, h):
    return QgsLayoutSize(w, h, QgsUnitTypes.LayoutUnit.LayoutMillimeters)


def _text_item(
    layout,
    text_dir,
    family,
    text,
    x,
    y,
    w,
    h,
    size,
    bold=False,
    align=Qt.AlignmentFlag.AlignLeft,
    color="#000000",
):
    """A label, or where QGIS 3.22 refuses one (off the main thread: fullanalysis's task, which logged
    「HTML型ラベルをロードできません」 for each) an SVG picture of the text: see layout_text."""
    return add_text(layout, text_dir, text, x, y, w, h, size, family, bold, align, color)


def _map_item(layout, map_crs, layers, extent):
    map_item = QgsLayoutItemMap(layout)
    map_item.attemptMove(_mm_point(MAP_X, MAP_Y))
    map_item.attemptResize(_mm_size(MAP_W, MAP_H))
    map_item.setCrs(map_crs)
    map_item.setLayers(layers)
    map_item.setKeepLayerSet(True)
    map_item.setFrameEnabled(True)
    map_item.setBackgroundColor(QColor("#ffffff"))
    layout.addLayoutItem(map_item)
    map_item.setExtent(extent)  # zoomToExtent needs a non-empty current extent
    map_item.zoomToExtent(extent)
    return map_item


def _legend(layout, family, map_item, chome, res_layers, outline, en: bool):
    legend = QgsLayoutItemLegend(layout)
    legend.setTitle("凡例" if not en else "Legend")
    legend.setAutoUpdateModel(False)
    root = legend.model().rootGroup()
    root.clear()
    for lyr in [chome, *res_layers]:
        root.addLayer(lyr)
    if outline is not None:
        root.addLayer(outline)
    node = root.findLayer(chome.id())
    if node is not None:
        QgsLegendRenderer.setNodeLegendStyle(node, QgsLegendStyle.Style.Subgroup)
    legend.setLinkedMap(map_item)
    legend.setSymbolHeight(5)
    legend.setSymbolWidth(7)
    legend.setFrameEnabled(True)
    legend.setBackgroundColor(QColor(255, 255, 255, 235))
    legend_x = MAP_X + MAP_W + 4
    legend.attemptMove(_mm_point(legend_x, MAP_Y))
    layout.addLayoutItem(legend)
    _fit_legend(layout, legend, family, PAGE_W - 5 - legend_x)
    legend.adjustBoxSize()
    return legend


def _fit_legend(layout, legend, family, available):
    """The legend must fit beside the map: smaller text for long labels (English, long layer names)."""
    for scale in (1.0, 0.9, 0.82, 0.75, 0.68):
        for style, size, bold in (
            (QgsLegendStyle.Style.Title, 13, True),
            (QgsLegendStyle.Style.Group, 11, True),
            (QgsLegendStyle.Style.Subgroup, 10.5, True),
            (QgsLegendStyle.Style.SymbolLabel, 10, False),
        ):
            qfont = QFont(family)
            qfont.setBold(bold)
            set_legend_style_font(legend, style, qfont, size * scale)
        # adjustBoxSize() does nothing before the first paint: measure with the legend renderer
        measure = QgsLegendRenderer(legend.model(), legend.legendSettings())
        width = measure.minimumSize(QgsLayoutUtils.createRenderContextForLayout(layout, None)).width()
        if width <= available:
            break


def _scale_bar(layout, family, map_item, extent_width):
    km, per_segment = maps.scale_bar(extent_width)
    scalebar = QgsLayoutItemScaleBar(layout)
    scalebar.setStyle("Single Box")
    scalebar.setLinkedMap(map_item)
    scalebar.setUnits(
        QgsUnitTypes.DistanceUnit.DistanceKilometers if km else QgsUnitTypes.DistanceUnit.DistanceMeters
    )
    scalebar.setNumberOfSegments(2)
    scalebar.setNumberOfSegmentsLeft(0)
    scalebar.setUnitLabel("km" if km else "m")
    scalebar.setSegmentSizeMode(QgsScaleBarSettings.SegmentSizeMode.SegmentSizeFixed)
    scalebar.setUnitsPerSegment(per_segment)
    fmt = scalebar.textFormat()
    fmt.setFont(QFont(family))
    fmt.setSize(9)
    scalebar.setTextFormat(fmt)
    scalebar.setBackgroundEnabled(True)
    scalebar.setBackgroundColor(QColor(255, 255, 255, 220))
    # below the map frame: inside it the bar would hide pins and chōme
    scalebar.attemptMove(_mm_point(MAP_X, MAP_Y + MAP_H + 1.5))
    layout.addLayoutItem(scalebar)
    scalebar.update()


def _north_arrow(layout, text_dir, family, map_item):
    arrow_svg = north_arrow_svg()
    if not arrow_svg:
        _text_item(
            layout,
            text_dir,
            family,
            "N\n▲",
            MAP_X + MAP_W - 14,
            MAP_Y + 3,
            10,
            14,
            12,
            bold=True,
            align=Qt.AlignmentFlag.AlignHCenter,
        )
        return
    arrow = QgsLayoutItemPicture(layout)
    arrow.setPicturePath(arrow_svg)
    arrow.setLinkedMap(map_item)
    arrow.setNorthMode(QgsLayoutItemPicture.NorthMode.GridNorth)
    arrow.attemptMove(_mm_point(MAP_X + MAP_W - 16, MAP_Y + 3))
    arrow.attemptResize(_mm_size(12, 16))
    layout.addLayoutItem(arrow)


# ---------------------------------------------------------------------- files


def _export_files(layout, base, write_svg) -> list[str]:
    """PNG (300 dpi), PDF and, when asked, SVG of the layout, each through a temporary path."""
    exporter = QgsLayoutExporter(layout)
    written = []
    # renderPageToImage + QImage.save: no GDAL georeferencing attempt on the PNG (which logs
    # "PNG driver does not support update access"), and the 300 dpi stored in the file
    image = exporter.renderPageToImage(0, QSize(), 300)
    if image.isNull():
        _check_export(QgsLayoutExporter.ExportResult.MemoryError, exporter, base + ".png")
    dpm = int(round(300 / 0.0254))
    image.setDotsPerMeterX(dpm)
    image.setDotsPerMeterY(dpm)
    with atomic_path(base + ".png") as tmp:
        if not image.save(tmp, "PNG"):
            _check_export(QgsLayoutExporter.ExportResult.FileError, exporter, base + ".png")
    written.append(base + ".png")
    pdf = QgsLayoutExporter.PdfExportSettings()
    pdf.dpi = 300
    pdf.rasterizeWholeImage = False
    pdf.forceVectorOutput = True
    pdf.exportMetadata = False
    pdf.textRenderFormat = Qgis.TextRenderFormat.AlwaysText
    with atomic_path(base + ".pdf") as tmp:
        _check_export(exporter.exportToPdf(tmp, pdf), exporter, base + ".pdf")
    written.append(base + ".pdf")
    if write_svg:
        svg = QgsLayoutExporter.SvgExportSettings()
        svg.dpi = 300
        svg.exportMetadata = False
        svg.textRenderFormat = Qgis.TextRenderFormat.AlwaysOutlines
        with atomic_path(base + ".svg") as tmp:
            _check_export(exporter.exportToSvg(tmp, svg), exporter, base + ".svg")
        written.append(base + ".svg")
    del exporter
    return written


def _check_export(result, exporter, target):
    if result != QgsLayoutExporter.ExportResult.Success:
        raise InputError(
            ja=f"地図を書き出せません（{target}）: {exporter.errorMessage() or result}",
            en=f"The map cannot be written ({target}): {exporter.errorMessage() or result}",
        )

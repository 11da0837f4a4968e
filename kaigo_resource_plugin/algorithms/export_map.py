"""kaigo:exportmap — blank-area map of each municipality through a QGIS print layout (PNG 300 dpi, PDF)."""

from __future__ import annotations

import math
import os
import tempfile

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
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
from ..core.atomic import atomic_path
from ..core.codes import muni_code_from_key
from ..core.committee import parse_highlight
from ..core.errors import InputError
from ..core.language import resource_type_label
from ..i18n_loader import output_language, say
from .base import KaigoAlgorithm, check_cancel
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
NAME_FIELDS = ("muni_name", "CITY_NAME", "GST_NAME")
WARD_FIELDS = ("CSS_NAME",)
PREF_FIELDS = ("pref_name", "PREF_NAME", "KEN_NAME")


def utm_epsg(lon: float, lat: float) -> int:
    """JGD2011 / UTM zone of a longitude (zones 51-55 cover Japan), for maps of geographic layers."""
    zone = int(math.floor((lon + 180.0) / 6.0)) + 1
    zone = min(55, max(51, zone))
    return 6688 + (zone - 51)


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
                defaultValue="status",
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

    @staticmethod
    def _code_getter(names: list[str]):
        idx = {n: i for i, n in enumerate(names)}
        if "muni_code" in idx:
            i = idx["muni_code"]

            def get(attrs):
                v = attrs[i]
                if is_null(v):
                    return None
                if isinstance(v, float) and v.is_integer():
                    v = int(v)
                text = str(v).strip()
                return text.zfill(5) if text.isdigit() else text

            return get
        for key in ("KEY_CODE", "key_code"):
            if key in idx:
                i = idx[key]
                return lambda attrs: muni_code_from_key(None if is_null(attrs[i]) else attrs[i])
        for pref in ("PREF", "KEN"):
            if pref in idx and "CITY" in idx:
                a, b = idx[pref], idx["CITY"]
                return lambda attrs: (
                    None
                    if is_null(attrs[a]) or is_null(attrs[b])
                    else f"{attrs[a]}".zfill(2) + f"{attrs[b]}".zfill(3)
                )
        return None

    @staticmethod
    def _first_text(attrs, idx, fields) -> str:
        for f in fields:
            if f in idx:
                v = attrs[idx[f]]
                if not is_null(v) and str(v).strip():
                    return str(v).strip()
        return ""

    def process(self, parameters, context, feedback):
        from ..core.fonts import find_cjk_font, font_description

        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise InputError(ja="入力レイヤを開けません。", en="The input layer cannot be opened.")
        names = source.fields().names()
        status_field = self.parameterAsString(parameters, self.STATUS_FIELD, context) or "status"
        if status_field not in names:
            raise InputError(
                ja=f"入力レイヤに項目 {status_field} がありません。"
                "「空白地域の判定」(kaigo:blankareas) の出力を指定するか、STATUS_FIELD を見直してください。",
                en=f"The input layer has no field {status_field}: give the output of kaigo:blankareas "
                "or change STATUS_FIELD.",
            )
        get_code = self._code_getter(names)
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
        lang = resolve_language(self.parameterAsEnum(parameters, self.LANGUAGE, context))
        radius = self.parameterAsDouble(parameters, self.RADIUS, context)
        title_param = (self.parameterAsString(parameters, self.TITLE, context) or "").strip()
        source_text = (self.parameterAsString(parameters, self.SOURCE_TEXT, context) or "").strip()
        source_text = source_text or (SOURCE_EN if lang == "en" else SOURCE_JA)
        write_svg = self.parameterAsBool(parameters, self.EXPORT_SVG, context)
        folder = self.parameterAsString(parameters, self.OUTPUT_FOLDER, context)
        resources = [
            lyr
            for lyr in (self.parameterAsLayerList(parameters, self.RESOURCES, context) or [])
            if hasattr(lyr, "getFeatures")
        ]

        # --- group the chōme by municipality
        idx = {n: i for i, n in enumerate(names)}
        s_idx = idx[status_field]
        groups: dict[str, dict] = {}
        unknown_status = 0
        # invalid polygons (common in e-Stat boundaries) are drawn as they are
        skip_checks = QgsProcessingFeatureSource.Flag.FlagSkipGeometryValidityChecks
        for feat in source.getFeatures(QgsFeatureRequest(), skip_checks):
            attrs = feat.attributes()
            code = get_code(attrs)
            if not code or not feat.hasGeometry():
                continue
            status = attrs[s_idx]
            status = "" if is_null(status) else str(status)
            if status not in styling.STATUS_COLORS:
                unknown_status += 1
            g = groups.setdefault(
                code,
                {
                    "name": "",
                    "ward": "",
                    "pref": "",
                    "features": [],
                },
            )
            if not g["name"]:
                g["name"] = self._first_text(attrs, idx, NAME_FIELDS)
                g["ward"] = self._first_text(attrs, idx, WARD_FIELDS)
                g["pref"] = self._first_text(attrs, idx, PREF_FIELDS)
            g["features"].append((QgsGeometry(feat.geometry()), status))
        if unknown_status:
            feedback.pushWarning(
                f"{status_field} が blank / covered / no_population 以外の町丁字 "
                f"{unknown_status} 件は描きません。\n{unknown_status} chōme whose {status_field} "
                "is not blank / covered / no_population are not drawn."
            )
        if not groups:
            raise InputError(ja="入力レイヤに町丁字がありません。", en="The input layer has no chōme.")
        wanted_text = self.parameterAsString(parameters, self.MUNI_CODES, context)
        tokens = parse_highlight(wanted_text)
        if tokens:
            codes = []
            missing = []
            for t in tokens:
                code = t[:5].zfill(5) if t.isdigit() else None
                if code is None:
                    code = next(
                        (c for c, g in sorted(groups.items()) if t in (g["name"], g["name"] + g["ward"])),
                        None,
                    )
                if code in groups:
                    if code not in codes:
                        codes.append(code)
                else:
                    missing.append(t)
            if missing:
                raise InputError(
                    ja=f"MUNI_CODES の {', '.join(missing)} は入力レイヤにありません。",
                    en=f"MUNI_CODES {', '.join(missing)} not found in the input layer.",
                )
        else:
            codes = sorted(groups)

        font = find_cjk_font()
        family = font.family if font is not None else QFont().defaultFamily()
        feedback.pushInfo(
            say("地図の日本語フォント: ", "map font: ") + font_description(font, output_language())
        )
        os.makedirs(folder, exist_ok=True)
        files: list[str] = []
        maps: dict[str, str] = {}
        counts_out: dict[str, dict] = {}
        # the SVG files of the maps' texts (layout_text), kept until the last map is written
        with tempfile.TemporaryDirectory(prefix="kaigo-maptext-") as text_dir:
            for k, code in enumerate(codes):
                check_cancel(feedback)
                g = groups[code]
                label = f"{g['name']}{g['ward']}" or code
                feedback.pushInfo(f"{code} {label}")
                counts, written = self._export_one(
                    code,
                    g,
                    gtype,
                    source.sourceCrs(),
                    resources,
                    context,
                    lang,
                    radius,
                    title_param,
                    len(codes) > 1,
                    source_text,
                    family,
                    folder,
                    write_svg,
                    feedback,
                    text_dir,
                )
                files += written
                maps[code] = written[0]
                counts_out[code] = counts
                feedback.setProgress(100.0 * (k + 1) / len(codes))
        return {
            "OUTPUT_FOLDER": folder,
            "N_MAPS": len(maps),
            "MAPS": maps,
            "FILES": files,
            "COUNTS": counts_out,
        }

    # ------------------------------------------------------------------ one map

    def _export_one(
        self,
        code,
        g,
        gtype,
        crs,
        resources,
        context,
        lang,
        radius,
        title_param,
        several,
        source_text,
        family,
        folder,
        write_svg,
        feedback,
        text_dir,
    ):
        en = lang == "en"
        project = QgsProject()
        project.setCrs(crs)
        project.setTransformContext(context.transformContext())

        # chōme of the municipality, in memory (the input layer's style is never touched)
        fields = QgsFields()
        fields.append(make_field("status", "string"))
        wkb = QgsWkbTypes.multiType(QgsWkbTypes.flatType(g["features"][0][0].wkbType()))
        chome = QgsMemoryProviderUtils.createMemoryLayer("町丁・字" if not en else "Chōme", fields, wkb, crs)
        feats = []
        for geom, status in g["features"]:
            f = QgsFeature(fields)
            geom = QgsGeometry(geom)
            geom.convertToMultiType()
            f.setGeometry(geom)
            f.setAttribute(0, status)
            feats.append(f)
        chome.dataProvider().addFeatures(feats)
        chome.updateExtents()
        counts = styling.apply_status_style(chome, lang, field="status", radius_m=radius)

        layers = []
        outline = None
        if gtype == 2:
            parts = []
            for geom, _s in g["features"]:
                parts.append(geom if geom.isGeosValid() else geom.makeValid())
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
            outline.setRenderer(
                QgsSingleSymbolRenderer(
                    QgsFillSymbol.createSimple(
                        {
                            "color": "0,0,0,0",
                            "outline_color": "#222222",
                            "outline_width": "0.7",
                            "outline_width_unit": "MM",
                        }
                    )
                )
            )
            extent_src = union.boundingBox()
        else:
            extent_src = chome.extent()

        # map CRS: metric (UTM of the area) when the data are in degrees
        if crs.isGeographic():
            center = extent_src.center()
            map_crs = QgsCoordinateReferenceSystem(f"EPSG:{utm_epsg(center.x(), center.y())}")
        else:
            map_crs = crs
        to_map = QgsCoordinateTransform(crs, map_crs, project.transformContext())
        extent = to_map.transformBoundingBox(extent_src)
        if extent.width() == 0 or extent.height() == 0:
            extent = extent.buffered(max(radius, 500.0))
        # page aspect: grow the extent so the map item shows all of it with a margin
        extent = extent.buffered(max(extent.width(), extent.height()) * 0.04)
        aspect = MAP_W / MAP_H
        if extent.width() / extent.height() < aspect:
            grow = (extent.height() * aspect - extent.width()) / 2
            extent = QgsRectangle(
                extent.xMinimum() - grow, extent.yMinimum(), extent.xMaximum() + grow, extent.yMaximum()
            )
        else:
            grow = (extent.width() / aspect - extent.height()) / 2
            extent = QgsRectangle(
                extent.xMinimum(), extent.yMinimum() - grow, extent.xMaximum(), extent.yMaximum() + grow
            )

        # resources on the map, in memory, as pins (one colour per type) with their count
        res_layers = []
        resource_counts = {}
        for k_res, lyr in enumerate(resources):
            to_res = QgsCoordinateTransform(map_crs, lyr.crs(), project.transformContext())
            rect = to_res.transformBoundingBox(extent)
            request = QgsFeatureRequest().setFilterRect(rect).setNoAttributes()
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
            n = len(new)
            resource_counts[lyr.name()] = n
            readable = resource_type_label(lyr.name(), "en" if en else "ja")
            mem.setName(f"{readable}（{n:,}件）" if not en else f"{readable} ({n:,})")
            res_layers.append(mem)

        layers = [*res_layers]
        if outline is not None:
            layers.append(outline)
        layers.append(chome)
        project.addMapLayers(layers, False)

        # --- the print layout
        layout = QgsPrintLayout(project)
        layout.initializeDefaults()  # one A4 landscape page
        layout.setName(f"map_{code}")
        # the project owns the layout (and the layers): one owner, torn down in the right order
        project.layoutManager().addLayout(layout)

        # labels, or SVG pictures where QGIS 3.22 refuses labels (off the main thread: fullanalysis's task)
        def text_item(text, x, y, w, h, size, bold=False, align=Qt.AlignmentFlag.AlignLeft, color="#000000"):
            return add_text(layout, text_dir, text, x, y, w, h, size, family, bold, align, color)

        place = f"{g['pref']}{g['name']}{g['ward']}" or code
        if title_param:
            title = title_param.replace("{muni}", place).replace("{code}", code)
            if several and title == title_param:
                title = f"{title_param}（{place}）" if not en else f"{title_param} ({place})"
        elif en:
            title = f"{place}: resources and blank areas (chōme with no resource within {radius:g} m)"
        else:
            title = f"{place}　地域資源の位置と空白地域（半径{radius:g}m以内に資源のない町丁・字）"
        text_item(title, 10, 7, 277, 13, 16, bold=True)

        map_item = QgsLayoutItemMap(layout)
        map_item.attemptMove(QgsLayoutPoint(MAP_X, MAP_Y, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
        map_item.attemptResize(QgsLayoutSize(MAP_W, MAP_H, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
        map_item.setCrs(map_crs)
        map_item.setLayers(layers)
        map_item.setKeepLayerSet(True)
        map_item.setFrameEnabled(True)
        map_item.setBackgroundColor(QColor("#ffffff"))
        layout.addLayoutItem(map_item)
        map_item.setExtent(extent)  # zoomToExtent needs a non-empty current extent
        map_item.zoomToExtent(extent)

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
        legend.attemptMove(QgsLayoutPoint(legend_x, MAP_Y, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
        layout.addLayoutItem(legend)
        # the legend must fit beside the map: smaller text for long labels (English, long layer names)
        available = PAGE_W - 5 - legend_x
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
        legend.adjustBoxSize()

        # summary under the legend
        total = sum(counts.values())
        people = "" if not en else ""
        summary = (
            f"町丁・字 {total:,}（空白 {counts['blank']:,}・資源あり {counts['covered']:,}・"
            f"人口なし {counts['no_population']:,}）{people}"
            if not en
            else f"{total:,} chōme: {counts['blank']:,} blank, {counts['covered']:,} covered, "
            f"{counts['no_population']:,} without population"
        )
        note = (
            f"※赤色は代表地点から半径{radius:g}m以内に資源のない町丁・字、ピンは資源の位置を示す"
            f"{'（種類ごとに色分け）' if len(res_layers) > 1 else ''}。"
            if not en
            else f"Red: chōme whose representative point has no resource within {radius:g} m. "
            + ("Pins: resources, one colour per type." if len(res_layers) > 1 else "Blue pins: resources.")
        )
        text_item(summary + "\n" + note, MAP_X + MAP_W + 4, 150, PAGE_W - MAP_X - MAP_W - 14, 38, 8)

        scalebar = QgsLayoutItemScaleBar(layout)
        scalebar.setStyle("Single Box")
        scalebar.setLinkedMap(map_item)
        scalebar.setUnits(
            QgsUnitTypes.DistanceUnit.DistanceKilometers
            if extent.width() > 4000
            else QgsUnitTypes.DistanceUnit.DistanceMeters
        )
        scalebar.setNumberOfSegments(2)
        scalebar.setNumberOfSegmentsLeft(0)
        scalebar.setUnitLabel("km" if extent.width() > 4000 else "m")
        seg = _nice_segment(extent.width() / 8.0)
        scalebar.setSegmentSizeMode(QgsScaleBarSettings.SegmentSizeMode.SegmentSizeFixed)
        scalebar.setUnitsPerSegment(seg / 1000.0 if extent.width() > 4000 else seg)
        fmt = scalebar.textFormat()
        fmt.setFont(QFont(family))
        fmt.setSize(9)
        scalebar.setTextFormat(fmt)
        scalebar.setBackgroundEnabled(True)
        scalebar.setBackgroundColor(QColor(255, 255, 255, 220))
        # below the map frame: inside it the bar would hide pins and chōme
        scalebar.attemptMove(
            QgsLayoutPoint(MAP_X, MAP_Y + MAP_H + 1.5, QgsUnitTypes.LayoutUnit.LayoutMillimeters)
        )
        layout.addLayoutItem(scalebar)
        scalebar.update()

        arrow_svg = north_arrow_svg()
        if arrow_svg:
            arrow = QgsLayoutItemPicture(layout)
            arrow.setPicturePath(arrow_svg)
            arrow.setLinkedMap(map_item)
            arrow.setNorthMode(QgsLayoutItemPicture.NorthMode.GridNorth)
            arrow.attemptMove(
                QgsLayoutPoint(MAP_X + MAP_W - 16, MAP_Y + 3, QgsUnitTypes.LayoutUnit.LayoutMillimeters)
            )
            arrow.attemptResize(QgsLayoutSize(12, 16, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
            layout.addLayoutItem(arrow)
        else:
            text_item(
                "N\n▲",
                MAP_X + MAP_W - 14,
                MAP_Y + 3,
                10,
                14,
                12,
                bold=True,
                align=Qt.AlignmentFlag.AlignHCenter,
            )

        text_item(source_text, 10, 190, 277, 14, 7.5, color="#333333")

        # --- export, each file through a temporary path
        exporter = QgsLayoutExporter(layout)
        base = os.path.join(folder, f"map_{code}")
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
            res = exporter.exportToPdf(tmp, pdf)
            _check_export(res, exporter, base + ".pdf")
        written.append(base + ".pdf")
        if write_svg:
            svg = QgsLayoutExporter.SvgExportSettings()
            svg.dpi = 300
            svg.exportMetadata = False
            svg.textRenderFormat = Qgis.TextRenderFormat.AlwaysOutlines
            with atomic_path(base + ".svg") as tmp:
                res = exporter.exportToSvg(tmp, svg)
                _check_export(res, exporter, base + ".svg")
            written.append(base + ".svg")
        out_counts = dict(counts)
        out_counts["resources"] = resource_counts
        del exporter
        project.clear()  # deletes the layout, then the layers, before the Python wrappers go
        return out_counts, written


def _nice_segment(length: float) -> float:
    """1, 2 or 5 × 10^k not above ``length`` (metres)."""
    if length <= 0:
        return 100.0
    exp = math.floor(math.log10(length))
    for m in (5, 2, 1):
        if m * 10**exp <= length:
            return float(m * 10**exp)
    return float(10**exp)


def _check_export(result, exporter, target):
    if result != QgsLayoutExporter.ExportResult.Success:
        raise InputError(
            ja=f"地図を書き出せません（{target}）: {exporter.errorMessage() or result}",
            en=f"The map cannot be written ({target}): {exporter.errorMessage() or result}",
        )

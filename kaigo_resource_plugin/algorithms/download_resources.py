"""kaigo:downloadresources — the study group's four resource types from OpenStreetMap (Overpass API), and
optionally 国土数値情報 P04/P05/P14/P20 by prefecture, as one point layer per type."""

from __future__ import annotations

import datetime
import json
import math
import os
import shutil
import tempfile
from urllib.parse import urlencode

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFields,
    QgsGeometry,
    QgsPointXY,
    QgsProcessingOutputFolder,
    QgsProcessingOutputMultipleLayers,
    QgsProcessingOutputString,
    QgsProcessingParameterEnum,
    QgsProcessingParameterExtent,
    QgsProcessingParameterFile,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsRectangle,
    QgsVectorFileWriter,
    QgsVectorLayer,
    QgsWkbTypes,
)

from ..compat import WKB_POINT, make_field
from ..core import downloads, estat, overpass, sources
from ..core import municipalities as munis
from ..core.errors import InputError
from . import net
from .base import KaigoAlgorithm, check_cancel
from .crs import checked_transform

WGS84 = "EPSG:4326"
TYPE_KEYS = [t.key for t in sources.RESOURCE_TYPES] + [d.id for d in sources.KSJ_DATASETS]
SUMMARY_TXT = "download_summary.txt"
SUMMARY_JSON = "download_summary.json"


def tags_parameter_name(key: str) -> str:
    return f"TAGS_{key.upper()}"


def lonlat_bbox(
    rect: QgsRectangle, crs, transform_context, margin_m: float
) -> tuple[float, float, float, float]:
    """(S, W, N, E) degrees of ``rect`` (in ``crs``) widened by ``margin_m`` metres on every side."""
    wgs = QgsCoordinateReferenceSystem(WGS84)
    if crs is not None and crs.isValid() and crs != wgs:
        rect = checked_transform(crs, wgs, transform_context).transformBoundingBox(rect)
    s, w, n, e = rect.yMinimum(), rect.xMinimum(), rect.yMaximum(), rect.xMaximum()
    if not (20 <= s <= n <= 46 and 122 <= w <= e <= 154):
        raise InputError(
            ja=f"範囲（EXTENT）が日本の外です（経度 {w:.3f}〜{e:.3f}、緯度 {s:.3f}〜{n:.3f}）。"
            "町丁字のレイヤか、日本の中の範囲を指定してください。",
            en=f"The extent (EXTENT) lies outside Japan (longitude {w:.3f}–{e:.3f}, latitude {s:.3f}–{n:.3f}). "
            "Give the chōme layer or an extent inside Japan.",
        )
    dlat = margin_m / 111_132.0
    dlon = margin_m / (111_320.0 * math.cos(math.radians(max(abs(s), abs(n)))))
    return (s - dlat, w - dlon, n + dlat, e + dlon)


def _write_layer(
    path: str,
    layer_name: str,
    fields: QgsFields,
    rows,
    description: str,
    rights: list[str],
    transform_context,
) -> None:
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    options.layerName = layer_name
    options.fileEncoding = "UTF-8"
    options.layerOptions = [f"DESCRIPTION={description}"]
    writer = QgsVectorFileWriter.create(
        path, fields, WKB_POINT, QgsCoordinateReferenceSystem(WGS84), transform_context, options
    )
    if writer.hasError():
        raise InputError(
            ja=f"{path} に書き込めません（{writer.errorMessage()}）。",
            en=f"Cannot write {path} ({writer.errorMessage()}).",
        )
    for lon, lat, attrs in rows:
        f = QgsFeature(fields)
        f.setAttributes(attrs)
        f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(lon, lat)))
        writer.addFeature(f)
    del writer
    layer = QgsVectorLayer(f"{path}|layername={layer_name}", layer_name, "ogr")
    md = layer.metadata()
    md.setTitle(layer_name)
    md.setAbstract(description)
    md.setRights(rights)
    layer.setMetadata(md)
    layer.saveDefaultMetadata()


class DownloadResourcesAlgorithm(KaigoAlgorithm):
    NAME = "downloadresources"
    DISPLAY_NAME = "Download resources (OpenStreetMap, 国土数値情報)"

    EXTENT = "EXTENT"
    TYPES = "TYPES"
    RADIUS = "RADIUS"
    KSJ_PREFECTURES = "KSJ_PREFECTURES"
    CACHE_FOLDER = "CACHE_FOLDER"
    OUTPUT_FOLDER = "OUTPUT_FOLDER"

    def initAlgorithm(self, config=None):
        self.addParameter(
            QgsProcessingParameterExtent(
                self.EXTENT, self.tr("Extent (a layer, e.g. the chōme layer, or an extent)")
            )
        )
        labels = [f"{t.label_ja} / {t.label_en} (OpenStreetMap)" for t in sources.RESOURCE_TYPES]
        labels += [
            f"{d.id} {d.label_ja} / {self.tr(d.label_en)} (国土数値情報)" for d in sources.KSJ_DATASETS
        ]
        self.addParameter(
            QgsProcessingParameterEnum(
                self.TYPES,
                self.tr("Resource types"),
                options=labels,
                allowMultiple=True,
                defaultValue=list(range(len(sources.RESOURCE_TYPES))),
            )
        )
        for t in sources.RESOURCE_TYPES:
            self.addParameter(
                QgsProcessingParameterString(
                    tags_parameter_name(t.key),
                    self.tr("OpenStreetMap tags for {} (key=value|value; …)").format(t.label_ja),
                    t.tags,
                )
            )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.RADIUS,
                self.tr("Margin around the extent (m): resources just across the border count"),
                QgsProcessingParameterNumber.Type.Double,
                500.0,
                minValue=0.0,
                maxValue=50_000.0,
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.KSJ_PREFECTURES,
                self.tr("Prefectures for 国土数値情報 (names or codes; empty: those of the extent)"),
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterFile(
                self.CACHE_FOLDER,
                self.tr("Cache folder for 国土数値情報 zips (empty: the QGIS profile's folder)"),
                behavior=QgsProcessingParameterFile.Behavior.Folder,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterFolderDestination(self.OUTPUT_FOLDER, self.tr("Output folder"))
        )
        self.addOutput(QgsProcessingOutputMultipleLayers("LAYERS", self.tr("Resource layers")))
        self.addOutput(QgsProcessingOutputString("SUMMARY", self.tr("Run summary")))
        for key in TYPE_KEYS:
            self.addOutput(QgsProcessingOutputString(key.upper(), key))
        self.addOutput(QgsProcessingOutputFolder("FOLDER", self.tr("Output folder")))

    # ------------------------------------------------------------------------------------------------

    def process(self, parameters, context, feedback):
        rect = self.parameterAsExtent(parameters, self.EXTENT, context)
        crs = self.parameterAsExtentCrs(parameters, self.EXTENT, context)
        if rect is None or rect.isNull() or (rect.width() == 0 and rect.height() == 0):
            raise InputError(
                ja="範囲（EXTENT）が空です。町丁字のレイヤか範囲を指定してください。",
                en="The extent (EXTENT) is empty; give the chōme layer or an extent.",
            )
        margin = self.parameterAsDouble(parameters, self.RADIUS, context)
        bbox = lonlat_bbox(rect, crs, context.transformContext(), margin)
        wanted = self._wanted(parameters, context)
        ksj_ids = [k for k in wanted if k not in {t.key for t in sources.RESOURCE_TYPES}]
        prefs: list[str] = []
        if ksj_ids:
            text = self.parameterAsString(parameters, self.KSJ_PREFECTURES, context) or ""
            reg = munis.registry()
            if text.strip():
                prefs = sorted({m.pref_code for m in reg.resolve(text)})
            else:
                prefs = munis.prefectures_near(reg, bbox)
        out_folder = self.parameterAsString(parameters, self.OUTPUT_FOLDER, context)
        cache = (
            self.parameterAsFile(parameters, self.CACHE_FOLDER, context) or ""
        ).strip() or net.default_cache_folder()
        today = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()
        feedback.pushInfo(f"範囲 / extent (S, W, N, E, +{margin:g} m): {', '.join(f'{v:.5f}' for v in bbox)}")

        # 1. everything is fetched first; nothing is written into OUTPUT_FOLDER before all succeeded
        results: dict[str, dict] = {}
        steps = len(wanted) + len(ksj_ids) * max(0, len(prefs) - 1)
        done = 0
        for key, tags in wanted.items():
            check_cancel(feedback)
            feedback.setProgress(100 * done / max(1, steps))
            if key in ksj_ids:
                results[key] = self._ksj(key, prefs, bbox, cache, feedback, context.transformContext())
                done += len(prefs)
            else:
                results[key] = self._osm(key, tags, bbox, feedback)
                done += 1
        check_cancel(feedback)
        # 2. write: into a hidden folder beside the target, then moved in place layer by layer
        lines = self._write_all(results, out_folder, today, bbox, margin, context, feedback)
        out = {self.OUTPUT_FOLDER: out_folder, "FOLDER": out_folder, "SUMMARY": "\n".join(lines)}
        layers = []
        for key in results:
            path = os.path.join(out_folder, f"{key}.gpkg")
            layers.append(path)
            out[key.upper()] = path
        out["LAYERS"] = layers
        for line in lines:
            feedback.pushInfo(line)
        return out

    def _wanted(self, parameters, context) -> dict[str, list[tuple[str, list[str]]]]:
        """The chosen types with their OSM tags (an empty list for the 国土数値情報 types)."""
        chosen = self.parameterAsEnums(parameters, self.TYPES, context)
        if not chosen:
            raise InputError(
                ja="種類（TYPES）を 1 つ以上選んでください。", en="Choose at least one type (TYPES)."
            )
        wanted: dict[str, list[tuple[str, list[str]]]] = {}
        for i in chosen:
            key = TYPE_KEYS[i]
            if i >= len(sources.RESOURCE_TYPES):
                wanted[key] = []
                continue
            text = self.parameterAsString(parameters, tags_parameter_name(key), context)
            try:
                wanted[key] = sources.parse_tags(text)
            except ValueError as err:
                raise InputError(
                    ja=f"{tags_parameter_name(key)} のタグの書き方が違います（「{err}」）。"
                    "「key=value|value; key2=value」の形で書いてください（例: shop=supermarket|convenience）。",
                    en=f"{tags_parameter_name(key)}: cannot read the tags ('{err}'). Write them as "
                    "'key=value|value; key2=value' (e.g. shop=supermarket|convenience).",
                ) from None
        return wanted

    def _write_all(self, results, out_folder, today, bbox, margin, context, feedback) -> list[str]:
        """Every layer and the summaries, written into a hidden folder then moved into ``out_folder``;
        the lines of download_summary.txt."""
        os.makedirs(out_folder, exist_ok=True)
        staging = tempfile.mkdtemp(prefix=".kaigo-download-", dir=out_folder)
        summary = {"downloaded_at": today, "extent_s_w_n_e": list(bbox), "margin_m": margin, "types": {}}
        lines = [f"downloadresources {today}", f"extent (S, W, N, E): {', '.join(f'{v:.5f}' for v in bbox)}"]
        try:
            for key, res in results.items():
                fields = QgsFields()
                for name, kind in res["fields"]:
                    fields.append(make_field(name, kind))
                description = f"{res['attribution']} — {self.tr('downloaded')} {today} — {res['source']}"
                _write_layer(
                    os.path.join(staging, f"{key}.gpkg"),
                    key,
                    fields,
                    res["rows"],
                    description,
                    [res["attribution"], f"downloaded {today}", res["source"]],
                    context.transformContext(),
                )
                summary["types"][key] = {
                    "features": len(res["rows"]),
                    "source": res["source"],
                    "attribution": res["attribution"],
                    "query": res.get("query"),
                }
                lines.append(f"{key}: {len(res['rows']):,} points — {res['source']} — {res['attribution']}")
                if not res["rows"]:
                    feedback.pushWarning(
                        f"{key}: 範囲内に 1 件もありません / nothing found in the extent ({res['source']})"
                    )
            lines.append(f"{sources.OSM_ATTRIBUTION}; downloaded {today}")
            with open(os.path.join(staging, SUMMARY_TXT), "w", encoding="utf-8") as fh:
                fh.write("\n".join(lines) + "\n")
            with open(os.path.join(staging, SUMMARY_JSON), "w", encoding="utf-8") as fh:
                json.dump(summary, fh, ensure_ascii=False, indent=1)
            check_cancel(feedback)
            for name in sorted(os.listdir(staging)):
                os.replace(os.path.join(staging, name), os.path.join(out_folder, name))
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return lines

    # ------------------------------------------------------------------------------------------------

    def _osm(self, key: str, tags, bbox, feedback) -> dict:
        url = net.base_url(sources.OVERPASS)
        query = sources.overpass_query(tags, bbox)
        what = f"Overpass API ({key})"
        feedback.setProgressText(what)
        feedback.pushInfo(f"{what}: {url} ({net.url_origin(sources.OVERPASS)})")
        resp = net.request(
            url,
            feedback,
            method="POST",
            data=urlencode({"data": query}).encode("ascii"),
            content_type="application/x-www-form-urlencoded",
            what=what,
        )
        parsed = overpass.parse(resp.content, tags, what)
        if parsed.skipped_no_position:
            feedback.pushWarning(
                f"{what}: {parsed.skipped_no_position} objects without a position were skipped"
            )
        rows = [(p.lon, p.lat, [p.name, p.osm_type, p.osm_id, p.tag, "OpenStreetMap"]) for p in parsed.points]
        source = f"OpenStreetMap via {url}" + (f", data of {parsed.timestamp}" if parsed.timestamp else "")
        return {
            "rows": rows,
            "fields": [
                ("name", "string"),
                ("osm_type", "string"),
                ("osm_id", "longlong"),
                ("osm_tag", "string"),
                ("source", "string"),
            ],
            "attribution": sources.OSM_ATTRIBUTION,
            "source": source,
            "query": query,
        }

    def _ksj(self, ds_id: str, prefs: list[str], bbox, cache: str, feedback, transform_context) -> dict:
        ds = sources.ksj_dataset(ds_id)
        base = net.base_url(sources.KSJ)
        rows: list = []
        urls = []
        for pref in prefs:
            check_cancel(feedback)
            url = sources.ksj_url(ds.id, pref, base)
            urls.append(url)
            what = f"国土数値情報 {ds.id} {munis.PREFECTURES[int(pref) - 1][0]}"
            feedback.setProgressText(what)
            path = os.path.join(cache, sources.ksj_cache_name(ds.id, pref))
            path, how = net.cached_download(url, path, feedback, what=what)
            feedback.pushInfo(f"{what}: {how} ({url})")
            try:
                contents = downloads.inspect_zip(path, what)
                members = contents.shapefiles or contents.geojson
                if not members:
                    downloads.require_shapefile(contents, what)
            except InputError:
                downloads.forget(path)
                raise
            folder = path + ".unzipped"
            shutil.rmtree(folder, ignore_errors=True)
            member = members[0]
            if contents.shapefiles:
                src = downloads.extract_shapefile(path, member, folder)
                base_name = os.path.splitext(src)[0]
                if not os.path.exists(base_name + ".cpg"):
                    enc, _how = estat.read_dbf(base_name + ".dbf").text_encoding()
                    with open(base_name + ".cpg", "w", encoding="ascii") as fh:
                        fh.write(enc)
            else:
                (src,) = downloads.extract(path, [member], folder)
            rows += _ksj_points(src, ds, pref, bbox, what, transform_context)
        label = ds.label_ja
        return {
            "rows": rows,
            "fields": [
                ("name", "string"),
                ("ksj_id", "string"),
                ("pref_code", "string"),
                ("source", "string"),
            ],
            "attribution": sources.KSJ_ATTRIBUTION_JA.format(label=label)
            + " / "
            + sources.KSJ_ATTRIBUTION_EN.format(label=ds.label_en),
            "source": ", ".join(urls),
        }


def _ksj_points(src: str, ds, pref: str, bbox, what: str, transform_context) -> list:
    """Points of one 国土数値情報 file inside ``bbox`` (the layer is closed when this returns)."""
    s, w, n, e = bbox
    rows = []
    wgs = QgsCoordinateReferenceSystem(WGS84)
    layer = QgsVectorLayer(src, ds.id, "ogr")
    if not layer.isValid():
        raise InputError(
            ja=f"{what} のファイル {os.path.basename(src)} を開けません。",
            en=f"Cannot open {os.path.basename(src)} of {what}.",
        )
    xform = None
    if layer.crs().isValid() and layer.crs() != wgs:
        xform = checked_transform(layer.crs(), wgs, transform_context)
    idx = layer.fields().indexOf(ds.name_field)
    for feat in layer.getFeatures():
        g = feat.geometry()
        if g is None or g.isEmpty():
            continue
        if xform is not None:
            g.transform(xform)
        pt = (
            g.asPoint()
            if g.type() == QgsWkbTypes.GeometryType.PointGeometry and not g.isMultipart()
            else g.pointOnSurface().asPoint()
        )
        if not (s <= pt.y() <= n and w <= pt.x() <= e):
            continue
        name = feat.attributes()[idx] if idx >= 0 else None
        rows.append(
            (
                pt.x(),
                pt.y(),
                [None if name is None else str(name), ds.id, pref, f"国土数値情報 {ds.id}-{ds.yy}"],
            )
        )
    return rows

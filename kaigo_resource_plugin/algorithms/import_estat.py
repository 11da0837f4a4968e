"""kaigo:importestat — e-Stat boundary file(s) + T001082 CSV(s) → chōme layer with population, join report."""

from __future__ import annotations

import os

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFeatureRequest,
    QgsFeatureSink,
    QgsFields,
    QgsGeometry,
    QgsPointXY,
    QgsProcessing,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFile,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsProviderRegistry,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QUrl

from ..compat import WKB_MULTIPOLYGON, WKB_NO_GEOMETRY, WKB_POINT, geometry_type, is_null, make_field
from ..core import estat
from ..core.contract import DEFAULT_CARE3_SHARE
from ..core.errors import InputError
from ..core.language import pair_lines
from ..i18n_loader import output_language, say
from . import checks
from .base import KaigoAlgorithm, check_cancel
from .crs import checked_transform

# Attributes read from each boundary input (when present), besides KEY_FIELD and CARE3_FIELD.
_WANTED = (
    "HCODE",
    "PREF",
    "KEN",
    "CITY",
    "PREF_NAME",
    "KEN_NAME",
    "CITY_NAME",
    "GST_NAME",
    "CSS_NAME",
    "S_NAME",
    "MOJI",
    "X_CODE",
    "Y_CODE",
    "AREA_MAX_F",
    "AREA",
    "AREA_M2",  # this algorithm's own output, imported again
    "MUNI_CODE",
    "MUNI_NAME",
    "CHOME_NAME",
)
_LOG_LIMIT = 50  # keys listed in the log; the REPORT table lists all


class _Input:
    """What one boundary layer gave: records, geometries (or None), CRS, layout, how text was decoded."""

    def __init__(self, name: str):
        self.name = name
        self.records: list[dict[str, object]] = []
        self.geoms: list[QgsGeometry | None] = []
        self.kind = "table"  # polygon / point / table
        self.crs = QgsCoordinateReferenceSystem()
        self.layout = "unknown"
        self.encoding_note = ""
        self.fields: list[str] = []


def _ogr_dbf_path(layer) -> str | None:
    """The .dbf behind a shapefile / dBASE layer opened through OGR, else None."""
    if layer.providerType() != "ogr":
        return None
    try:
        parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
        path = parts.get("path") or ""
    except Exception:  # pragma: no cover - very old QGIS
        path = layer.source().split("|")[0]
    base, ext = os.path.splitext(path)
    if ext.lower() not in (".shp", ".dbf"):
        return None
    for cand in (base + ".dbf", base + ".DBF"):
        if os.path.exists(cand):
            return cand
    return None


class ImportEstatAlgorithm(KaigoAlgorithm):
    NAME = "importestat"
    DISPLAY_NAME = "Import e-Stat boundaries and age table (T001082)"

    INPUT = "INPUT"
    AGES = "AGES"
    KEY_FIELD = "KEY_FIELD"
    CARE3_SHARE = "CARE3_SHARE"
    CARE3_TABLE = "CARE3_TABLE"
    CARE3_FIELD = "CARE3_FIELD"
    ROLLUP_WARDS = "ROLLUP_WARDS"
    OUTPUT = "OUTPUT"
    REPORT = "REPORT"

    def initAlgorithm(self, config=None):
        self.addParameter(
            QgsProcessingParameterMultipleLayers(
                self.INPUT,
                self.tr("e-Stat boundary files (境界データ, polygons or a table with X_CODE/Y_CODE)"),
                QgsProcessing.SourceType.TypeVector,
            )
        )
        self.addParameter(
            QgsProcessingParameterMultipleLayers(
                self.AGES,
                self.tr("T001082 age tables (CSV, one or more)"),
                QgsProcessing.SourceType.TypeFile,
            )
        )
        self.addParameter(
            QgsProcessingParameterString(self.KEY_FIELD, self.tr("Key field of the boundaries"), "KEY_CODE")
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.CARE3_SHARE,
                self.tr("Share of people 75+ at care level 3 or above (constant)"),
                QgsProcessingParameterNumber.Type.Double,
                DEFAULT_CARE3_SHARE,
                minValue=0.0,
                maxValue=1.0,
            )
        )
        self.addParameter(
            QgsProcessingParameterFile(
                self.CARE3_TABLE,
                self.tr("Care-level-3+ share per municipality (CSV: code,share)"),
                extension="csv",
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.CARE3_FIELD, self.tr("Field of the boundaries with a per-chōme share"), optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.ROLLUP_WARDS, self.tr("Roll designated-city wards up to the city"), False
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT, self.tr("Chōme with population"), QgsProcessing.SourceType.TypeVectorAnyGeometry
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.REPORT, self.tr("Join report"), QgsProcessing.SourceType.TypeVector
            )
        )
        self.addOutput(QgsProcessingOutputNumber("MATCHED", self.tr("Keys matched")))
        self.addOutput(QgsProcessingOutputNumber("MATCHED_LEVEL3", self.tr("Keys matched at level 3")))
        self.addOutput(QgsProcessingOutputNumber("MISSING", self.tr("Boundary keys missing from the table")))
        self.addOutput(QgsProcessingOutputNumber("TABLE_ONLY", self.tr("Table rows without boundary")))

    # ------------------------------------------------------------------------------------------------

    def _age_paths(self, parameters, context) -> list[str]:
        try:
            paths = [p for p in self.parameterAsFileList(parameters, self.AGES, context) if p]
        except AttributeError:  # pragma: no cover
            paths = []
        if not paths:  # CSVs loaded in the project as (delimited-text) layers
            paths = [layer.source() for layer in self.parameterAsLayerList(parameters, self.AGES, context)]
        if not paths:
            raw = parameters.get(self.AGES)
            raw = raw if isinstance(raw, (list, tuple)) else [raw] if raw else []
            paths = [p if isinstance(p, str) else p.source() for p in raw]
        out = []
        for p in paths:
            text = str(p) if p else ""
            if text.startswith("file:"):  # a delimited-text layer's URI: file:///…/x.csv?type=csv&…
                text = QUrl(text).toLocalFile()
            text = text.split("|")[0]
            if text:
                out.append(text)
        return out

    def _check_layer(self, layer, key_field: str, care3_field: str | None) -> _Input:
        """The input's kind, layout and CRS; refused with a bilingual message when it cannot be read."""
        item = _Input(layer.name())
        names = [f.name() for f in layer.fields()]
        upper = {n.upper(): n for n in names}
        item.fields = list(upper)
        if key_field.upper() not in upper:
            raise InputError(
                ja=f"境界データ「{layer.name()}」にキーのフィールド {key_field} がありません（フィールド: "
                f"{', '.join(names[:12])}…）。e-Stat の境界データ（KEY_CODE を持つもの）を指定するか、"
                "KEY_FIELD を正しく設定してください。",
                en=f"The boundary input '{layer.name()}' has no key field {key_field} (fields: "
                f"{', '.join(names[:12])}…). Give an e-Stat boundary file (with KEY_CODE) or set KEY_FIELD.",
            )
        if care3_field and care3_field.upper() not in upper:
            raise InputError(
                ja=f"境界データ「{layer.name()}」に CARE3_FIELD のフィールド {care3_field} がありません。",
                en=f"The boundary input '{layer.name()}' has no field {care3_field} (CARE3_FIELD).",
            )
        item.layout = estat.detect_layout(upper)
        item.kind = estat.INPUT_KINDS.get(geometry_type(layer.wkbType()), "other")
        if item.kind == "other":
            raise InputError(
                ja=f"境界データ「{layer.name()}」は線のレイヤです。町丁の面、点、または "
                "X_CODE/Y_CODE を持つ表を指定してください。",
                en=f"The boundary input '{layer.name()}' is a line layer; give chōme polygons, points, or a "
                "table with X_CODE/Y_CODE.",
            )
        if item.kind == "table" and not ("X_CODE" in upper and "Y_CODE" in upper):
            raise InputError(
                ja=f"境界データ「{layer.name()}」は図形も X_CODE/Y_CODE もない表です。",
                en=f"The boundary input '{layer.name()}' has neither geometry nor X_CODE/Y_CODE.",
            )
        if item.kind == "table":
            item.crs = QgsCoordinateReferenceSystem(estat.point_crs_for_layout(item.layout))
        else:
            item.crs = layer.crs()
        return item

    def _read_layer(self, layer, key_field: str, care3_field: str | None, feedback) -> _Input:
        item = self._check_layer(layer, key_field, care3_field)
        names = [f.name() for f in layer.fields()]
        upper = {n.upper(): n for n in names}
        wanted = [w for w in (*_WANTED, key_field.upper(), (care3_field or "").upper()) if w and w in upper]
        wanted = list(dict.fromkeys(wanted))
        idx = [layer.fields().indexOf(upper[w]) for w in wanted]
        # Text: read the .dbf bytes ourselves when there is one, so that CP932 without .cpg/LDID decodes.
        dbf_cols, item.encoding_note = _dbf_columns(layer, wanted, feedback)
        request = QgsFeatureRequest().setSubsetOfAttributes(idx)
        if item.kind == "table":
            request.setFlags(QgsFeatureRequest.Flag.NoGeometry)
        read = _Reader(request, wanted, idx, key_field.upper(), item.kind == "table")
        records, geoms, mismatch, repaired, broken = read(layer, dbf_cols)
        if broken and layer.providerType() == "ogr":
            # Undecodable bytes and no .dbf we can read (e.g. inside a zip): let OGR decode them as CP932.
            clone = QgsVectorLayer(layer.source(), layer.name(), "ogr")
            clone.setProviderEncoding("CP932")
            if clone.isValid() and [f.name() for f in clone.fields()] == names:
                records2, geoms2, _m, repaired2, broken2 = read(clone, None)
                if broken2 < broken:
                    records, geoms, repaired, broken = records2, geoms2, repaired2, broken2
                    item.encoding_note = say("OGR プロバイダ経由で CP932", "CP932 through the OGR provider")
        item.records, item.geoms = records, geoms
        if mismatch:
            item.encoding_note = say(
                "属性は QGIS から（.dbf のレコードが地物と対応しませんでした）",
                "attributes from QGIS (the .dbf records did not line up with the features)",
            )
        if not item.encoding_note:
            item.encoding_note = say("属性は QGIS から（.dbf なし）", "attributes from QGIS (no .dbf)")
        if repaired:
            item.encoding_note += say(
                f"、文字化け {repaired:,} 件を CP932 として修復",
                f"; {repaired:,} mojibake values repaired as CP932",
            )
        if broken:
            feedback.pushWarning(
                f"{layer.name()}: {broken:,} 個の文字列が正しく読めません（文字コード不明）。/ "
                f"{broken:,} text values could not be decoded (unknown encoding)."
            )
        return item

    # ------------------------------------------------------------------------------------------------

    def process(self, parameters, context, feedback):
        layers = self.parameterAsLayerList(parameters, self.INPUT, context)
        if not layers:
            raise InputError(
                ja="境界データ（INPUT）が指定されていません。", en="No boundary input (INPUT) was given."
            )
        key_field = (self.parameterAsString(parameters, self.KEY_FIELD, context) or "KEY_CODE").strip()
        care3_field = (self.parameterAsString(parameters, self.CARE3_FIELD, context) or "").strip() or None
        care3_const = self.parameterAsDouble(parameters, self.CARE3_SHARE, context)
        rollup = self.parameterAsBoolean(parameters, self.ROLLUP_WARDS, context)
        # 1. the age tables first: a wrong CSV stops before the (slower) boundary read
        ages, care3_by_muni = self._read_tables(parameters, context, feedback)
        # 2. the boundaries
        inputs, out_kind = self._read_inputs(layers, key_field, care3_field, context, feedback)
        target_crs = inputs[0].crs
        schema = estat.ChomeSchema.of_inputs(i.fields for i in inputs)
        # 3. records and geometries in the target CRS
        records, geoms = _records(inputs, key_field, care3_field, target_crs, context, feedback)
        check_cancel(feedback)
        # 4. the join (raises when nothing matches)
        feedback.setProgressText(self.tr("Joining on KEY_CODE…"))
        result = estat.join_boundaries(
            records,
            ages,
            estat.Care3Spec(care3_const, care3_by_muni),
            rollup_wards=rollup,
            list_limit=_LOG_LIMIT,
        )
        feedback.setProgress(60)
        check_cancel(feedback)
        # 5. one geometry per key
        feedback.setProgressText(self.tr("Merging parts per key…"))
        out_geoms = _key_geometries(result.chome, records, geoms, out_kind, feedback)
        # 6. log
        _log_result(result, care3_const, feedback)
        check_cancel(feedback)
        # 7. write (only now)
        dest = self._write_chome(parameters, context, schema, out_kind, target_crs, result.chome, out_geoms)
        feedback.setProgress(95)
        rdest = self._write_report(parameters, context, result.report)
        feedback.setProgress(100)
        s = result.summary
        return {
            self.OUTPUT: dest,
            self.REPORT: rdest,
            "MATCHED": s["matched"],
            "MISSING": s["boundary_missing"],
            "MATCHED_LEVEL3": s["matched_level3"],
            "TABLE_ONLY": s["table_only"],
        }

    def _read_tables(self, parameters, context, feedback):
        """(the T001082 age tables, the CARE3_TABLE shares by municipality or None)."""
        feedback.setProgressText(self.tr("Reading the T001082 tables…"))
        ages = estat.read_age_tables(self._age_paths(parameters, context))
        for name, enc, n in ages.files:
            feedback.pushInfo(
                say(f"{name}: {n:,} 行、文字コード {enc}", f"{name}: {n:,} rows, encoding {enc}")
            )
        for ja, en in ages.notes:
            feedback.pushWarning(f"{ja}\n{en}")
        care3_table_path = self.parameterAsFile(parameters, self.CARE3_TABLE, context)
        care3_by_muni = (
            estat.read_care3_table(care3_table_path, self.CARE3_TABLE) if care3_table_path else None
        )
        feedback.setProgress(10)
        check_cancel(feedback)
        return ages, care3_by_muni

    def _read_inputs(self, layers, key_field, care3_field, context, feedback):
        """(the boundary inputs read, the kind of the output: polygon or point)."""
        inputs: list[_Input] = []
        for n, layer in enumerate(layers):
            feedback.setProgressText(self.tr("Reading boundaries: {}").format(layer.name()))
            item = self._read_layer(layer, key_field, care3_field, feedback)
            inputs.append(item)
            checks.boundary_input(layer, item.kind, item.records, context.transformContext())
            kind_ja = {"point": "点", "polygon": "ポリゴン", "table": "表"}.get(item.kind, item.kind)
            feedback.pushInfo(
                say(
                    f"{layer.name()}: 地物 {len(item.records):,} 件、{kind_ja}、"
                    f"{item.layout} 年のレイアウト、文字 {item.encoding_note}",
                    f"{layer.name()}: {len(item.records):,} features, {item.kind}, "
                    f"{item.layout} layout; text {item.encoding_note}",
                )
            )
            feedback.setProgress(10 + 40 * (n + 1) / len(layers))
            check_cancel(feedback)
        out_kind = estat.output_kind(i.kind for i in inputs)  # refuses a mix of polygons and points
        for i in inputs:
            if i.kind == "table":
                feedback.pushInfo(
                    say(
                        estat.table_points_text(i.name, i.crs.authid(), i.layout, "ja"),
                        estat.table_points_text(i.name, i.crs.authid(), i.layout, "en"),
                    )
                )
        return inputs, out_kind

    def _write_chome(self, parameters, context, schema, out_kind, target_crs, chome, out_geoms):
        fields = QgsFields()
        for name, kind, length in schema.columns():
            fields.append(make_field(name, kind, length))
        wkb = WKB_MULTIPOLYGON if out_kind == "polygon" else WKB_POINT
        sink, dest = self.parameterAsSink(parameters, self.OUTPUT, context, fields, wkb, target_crs)
        for c, g in zip(chome, out_geoms):
            f = QgsFeature(fields)
            f.setAttributes(schema.values(c))
            if g is not None:
                f.setGeometry(g)
            sink.addFeature(f, QgsFeatureSink.Flag.FastInsert)
        return dest

    def _write_report(self, parameters, context, report):
        rfields = QgsFields()
        for name in estat.REPORT_FIELDS:
            rfields.append(make_field(name, estat.REPORT_FIELD_TYPES.get(name, "string")))
        rsink, rdest = self.parameterAsSink(
            parameters, self.REPORT, context, rfields, WKB_NO_GEOMETRY, QgsCoordinateReferenceSystem()
        )
        lang = output_language()
        detail_at = list(estat.REPORT_FIELDS).index("detail")
        for row in report:
            f = QgsFeature(rfields)
            values = list(row.as_tuple())
            values[detail_at] = estat.detail_text(values[detail_at], lang)  # in the QGIS language
            f.setAttributes(values)
            rsink.addFeature(f, QgsFeatureSink.Flag.FastInsert)
        return rdest


def _dbf_columns(layer, wanted, feedback):
    """(the wanted columns read from the layer's .dbf, decoded, or None; the note on the encoding)."""
    dbf_path = _ogr_dbf_path(layer)
    if not dbf_path:
        return None, ""
    try:
        dbf = estat.read_dbf(dbf_path)
        enc, how = dbf.text_encoding()
        dbf_cols = {w: dbf.column(w, enc) for w in wanted if dbf.field(w) is not None}
        if len(dbf_cols) != len(wanted):
            dbf_cols = None
        note = say(
            f"{os.path.basename(dbf_path)}: 文字コード {enc}（{_how_ja(how)}）",
            f"{os.path.basename(dbf_path)}: {enc} ({how})",
        )
        return dbf_cols, note
    except (OSError, InputError, KeyError) as err:
        feedback.pushWarning(
            f"{dbf_path}: .dbf を直接読めないため、QGIS が読んだ属性を使います（{err}）。\n"
            f"{dbf_path}: the .dbf could not be read directly; the attributes as QGIS reads them are used "
            f"({err})."
        )
        return None, ""


class _Reader:
    """Reads the wanted attributes and the geometry of every feature of a boundary layer."""

    def __init__(self, request, wanted, idx, key_up, is_table):
        self.request, self.wanted, self.idx, self.key_up, self.is_table = (
            request,
            wanted,
            idx,
            key_up,
            is_table,
        )

    def __call__(self, source_layer, cols):
        """(records, geometries, dbf mismatch, values repaired, values with U+FFFD)."""
        records, geoms = [], []
        mismatch = False
        repaired = broken = 0
        for feat in source_layer.getFeatures(self.request):
            rec, from_dbf = self._record(feat, cols)
            if cols is not None and not from_dbf:
                mismatch = True
            if not from_dbf:
                for w, v in rec.items():
                    if isinstance(v, str):
                        fixed = estat.repair_mojibake(v)
                        if fixed != v:
                            repaired += 1
                            rec[w] = fixed
                        elif "\ufffd" in v:
                            broken += 1
            records.append(rec)
            if self.is_table:
                geoms.append(None)
            else:
                g = feat.geometry()
                geoms.append(None if g is None or g.isEmpty() else QgsGeometry(g))
        return records, geoms, mismatch, repaired, broken

    def _record(self, feat, cols):
        """(the feature's wanted attributes, True when they come from the .dbf: same key at the same row)."""
        attrs = feat.attributes()
        rec: dict[str, object] = {}
        for w, i in zip(self.wanted, self.idx):
            v = attrs[i]
            rec[w] = None if is_null(v) else v
        fid = feat.id()
        if cols is not None and 0 <= fid < len(cols[self.key_up]):
            dbf_rec = {w: cols[w][fid] for w in self.wanted}
            if estat.normalize_key(dbf_rec[self.key_up]) == estat.normalize_key(rec[self.key_up]):
                return dbf_rec, True
        return rec, False


def _records(inputs, key_field, care3_field, target_crs, context, feedback):
    """(boundary records of every input, their geometries in ``target_crs``); the inputs are emptied."""
    records: list[estat.BoundaryRecord] = []
    geoms: list[QgsGeometry | None] = []
    for inp in inputs:
        xform = None
        if inp.crs.isValid() and target_crs.isValid() and inp.crs != target_crs:
            xform = checked_transform(inp.crs, target_crs, context.transformContext())
            feedback.pushInfo(
                say(
                    f"{inp.name}: {inp.crs.authid()} から {target_crs.authid()} に座標変換",
                    f"{inp.name}: reprojected from {inp.crs.authid()} to {target_crs.authid()}",
                )
            )
        for rec, g in zip(inp.records, inp.geoms):
            r = estat.make_record(len(records), rec, key_field, inp.layout, care3_field, inp.name)
            if inp.kind == "table":
                g = (
                    QgsGeometry.fromPointXY(QgsPointXY(r.x, r.y))
                    if r.x is not None and r.y is not None
                    else None
                )
            if g is not None and xform is not None:
                g = QgsGeometry(g)
                g.transform(xform)
            records.append(r)
            geoms.append(g)
        inp.records, inp.geoms = [], []  # free memory early
    return records, geoms


def _key_geometries(chome, records, geoms, out_kind, feedback):
    """One geometry per key: the main part's point, or the union of the polygon parts (multi)."""
    out_geoms: list[QgsGeometry | None] = []
    total = max(1, len(chome))
    for n, c in enumerate(chome):
        if out_kind == "point":
            i = estat.point_part(c.parts, records, lambda i: geoms[i] is not None)
            g = geoms[i] if i is not None else None
        else:
            parts = [geoms[i] for i in c.parts if geoms[i] is not None]
            if not parts:
                g = None
            elif len(parts) == 1:
                g = QgsGeometry(parts[0])
            else:
                g = QgsGeometry.unaryUnion(parts)
                if g is None or g.isEmpty():
                    g = QgsGeometry.collectGeometry(parts)
            if g is not None:
                g.convertToMultiType()
        out_geoms.append(g)
        if n % 2000 == 0:
            feedback.setProgress(60 + 25 * n / total)
            check_cancel(feedback)
    return out_geoms


def _log_result(result, care3_const, feedback):
    for line in pair_lines(list(result.log), output_language()):  # a Japanese line, then its English
        feedback.pushInfo(line)
    for line in result.warnings:
        feedback.pushWarning(line)
    s = result.summary
    if s["care3_field"] or s["care3_table"]:
        feedback.pushInfo(
            say(
                f"要介護3以上の割合: 項目から {s['care3_field']:,}、表から {s['care3_table']:,}、"
                f"定数 {care3_const} で {s['care3_constant']:,} 町丁字",
                f"CARE3 share: field {s['care3_field']:,}, table {s['care3_table']:,}, "
                f"constant {care3_const} {s['care3_constant']:,} chōme",
            )
        )


def _how_ja(how: str) -> str:
    """core.estat's note on how the .dbf encoding was found, in Japanese."""
    if how == "cpg":
        return ".cpg の指定"
    if how == "ldid":
        return "言語バイトの指定"
    if how.startswith("bytes (the "):
        return (
            "バイト列から判定（"
            + how[len("bytes (the ") :].replace(" says ", " の指定は ").rstrip(")")
            + "）"
        )
    if how.startswith("bytes"):
        return "バイト列から判定（.cpg も言語バイトもなし）"
    return how

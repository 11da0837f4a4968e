"""kaigo:importestat — e-Stat boundary file(s) + T001082 CSV(s) → chōme layer with population, join report."""

from __future__ import annotations

import os

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
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
from . import checks
from .base import KaigoAlgorithm, check_cancel

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

    def _read_layer(self, layer, key_field: str, care3_field: str | None, feedback) -> _Input:
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
        gtype = geometry_type(layer.wkbType())
        item.kind = {0: "point", 2: "polygon"}.get(gtype, "table" if gtype == 4 else "other")
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

        wanted = [w for w in (*_WANTED, key_field.upper(), (care3_field or "").upper()) if w and w in upper]
        wanted = list(dict.fromkeys(wanted))
        idx = [layer.fields().indexOf(upper[w]) for w in wanted]

        # Text: read the .dbf bytes ourselves when there is one, so that CP932 without .cpg/LDID decodes.
        dbf_cols: dict[str, list[object]] | None = None
        dbf_path = _ogr_dbf_path(layer)
        if dbf_path:
            try:
                dbf = estat.read_dbf(dbf_path)
                enc, how = dbf.text_encoding()
                dbf_cols = {w: dbf.column(w, enc) for w in wanted if dbf.field(w) is not None}
                if len(dbf_cols) != len(wanted):
                    dbf_cols = None
                item.encoding_note = f"{os.path.basename(dbf_path)}: {enc} ({how})"
            except (OSError, InputError, KeyError) as err:
                feedback.pushWarning(
                    f"{dbf_path}: .dbf を直接読めないため、QGIS が読んだ属性を使います（{err}）。\n"
                    f"{dbf_path}: the .dbf could not be read directly; the attributes as QGIS reads them are used "
                    f"({err})."
                )
                dbf_cols = None

        request = QgsFeatureRequest().setSubsetOfAttributes(idx)
        if item.kind == "table":
            request.setFlags(QgsFeatureRequest.Flag.NoGeometry)
        key_up = key_field.upper()

        def collect(source_layer, cols):
            """(records, geometries, dbf mismatch, values repaired, values with U+FFFD)."""
            records, geoms = [], []
            mismatch = False
            repaired = broken = 0
            for feat in source_layer.getFeatures(request):
                fid = feat.id()
                attrs = feat.attributes()
                rec: dict[str, object] = {}
                for w, i in zip(wanted, idx):
                    v = attrs[i]
                    rec[w] = None if is_null(v) else v
                from_dbf = False
                if cols is not None and 0 <= fid < len(cols[key_up]):
                    dbf_rec = {w: cols[w][fid] for w in wanted}
                    if estat.normalize_key(dbf_rec[key_up]) == estat.normalize_key(rec[key_up]):
                        rec, from_dbf = dbf_rec, True
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
                if item.kind == "table":
                    geoms.append(None)
                else:
                    g = feat.geometry()
                    geoms.append(None if g is None or g.isEmpty() else QgsGeometry(g))
            return records, geoms, mismatch, repaired, broken

        records, geoms, mismatch, repaired, broken = collect(layer, dbf_cols)
        if broken and layer.providerType() == "ogr":
            # Undecodable bytes and no .dbf we can read (e.g. inside a zip): let OGR decode them as CP932.
            clone = QgsVectorLayer(layer.source(), layer.name(), "ogr")
            clone.setProviderEncoding("CP932")
            if clone.isValid() and [f.name() for f in clone.fields()] == names:
                records2, geoms2, _m, repaired2, broken2 = collect(clone, None)
                if broken2 < broken:
                    records, geoms, repaired, broken = records2, geoms2, repaired2, broken2
                    item.encoding_note = "CP932 through the OGR provider"
        item.records, item.geoms = records, geoms
        if mismatch:
            item.encoding_note = "attributes from QGIS (the .dbf records did not line up with the features)"
        if not item.encoding_note:
            item.encoding_note = "attributes from QGIS (no .dbf)"
        if repaired:
            item.encoding_note += f"; {repaired:,} mojibake values repaired as CP932"
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
        care3_table_path = self.parameterAsFile(parameters, self.CARE3_TABLE, context)
        rollup = self.parameterAsBoolean(parameters, self.ROLLUP_WARDS, context)
        age_paths = self._age_paths(parameters, context)

        # 1. the age tables first: a wrong CSV stops before the (slower) boundary read
        feedback.setProgressText(self.tr("Reading the T001082 tables…"))
        ages = estat.read_age_tables(age_paths)
        for name, enc, n in ages.files:
            feedback.pushInfo(f"{name}: {n:,} rows, encoding {enc}")
        for ja, en in ages.notes:
            feedback.pushWarning(f"{ja}\n{en}")
        care3_by_muni = (
            estat.read_care3_table(care3_table_path, self.CARE3_TABLE) if care3_table_path else None
        )
        feedback.setProgress(10)
        check_cancel(feedback)

        # 2. the boundaries
        inputs: list[_Input] = []
        for n, layer in enumerate(layers):
            feedback.setProgressText(self.tr("Reading boundaries: {}").format(layer.name()))
            inputs.append(self._read_layer(layer, key_field, care3_field, feedback))
            checks.boundary_input(layer, inputs[-1].kind, inputs[-1].records, context.transformContext())
            feedback.pushInfo(
                f"{layer.name()}: {len(inputs[-1].records):,} features, {inputs[-1].kind}, "
                f"{inputs[-1].layout} layout; text {inputs[-1].encoding_note}"
            )
            feedback.setProgress(10 + 40 * (n + 1) / len(layers))
            check_cancel(feedback)
        kinds = {i.kind for i in inputs}
        if "polygon" in kinds and len(kinds) > 1:
            raise InputError(
                ja="境界データに面と点（または表）が混ざっています。どちらか一方だけを指定してください。",
                en="The boundary inputs mix polygons with points or tables; give one kind only.",
            )
        out_kind = "polygon" if "polygon" in kinds else "point"
        target_crs = inputs[0].crs
        for i in inputs:
            if i.kind == "table":
                feedback.pushInfo(
                    f"{i.name}: no geometry; points from X_CODE/Y_CODE in {i.crs.authid()} "
                    f"({'JGD2000, 2015 layout' if i.layout == '2015' else 'JGD2011, 2020 layout'})"
                )

        # 3. records and geometries in the target CRS
        records: list[estat.BoundaryRecord] = []
        geoms: list[QgsGeometry | None] = []
        any_xy = any("X_CODE" in i.fields and "Y_CODE" in i.fields for i in inputs)
        any_hcode = any("HCODE" in i.fields for i in inputs)
        any_area = any("AREA" in i.fields or "AREA_M2" in i.fields for i in inputs)
        for inp in inputs:
            xform = None
            if inp.crs.isValid() and target_crs.isValid() and inp.crs != target_crs:
                xform = QgsCoordinateTransform(inp.crs, target_crs, context.transformContext())
                feedback.pushInfo(f"{inp.name}: reprojected from {inp.crs.authid()} to {target_crs.authid()}")
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
        out_geoms: list[QgsGeometry | None] = []
        total = max(1, len(result.chome))
        for n, c in enumerate(result.chome):
            parts = [geoms[i] for i in c.parts if geoms[i] is not None]
            if out_kind == "point":
                main = next((i for i in c.parts if records[i].main_part and geoms[i] is not None), None)
                g = geoms[main] if main is not None else (parts[0] if parts else None)
            elif not parts:
                g = None
            elif len(parts) == 1:
                g = QgsGeometry(parts[0])
            else:
                g = QgsGeometry.unaryUnion(parts)
                if g is None or g.isEmpty():
                    g = QgsGeometry.collectGeometry(parts)
            if g is not None and out_kind == "polygon":
                g.convertToMultiType()
            out_geoms.append(g)
            if n % 2000 == 0:
                feedback.setProgress(60 + 25 * n / total)
                check_cancel(feedback)

        # 6. log
        for line in result.log:
            feedback.pushInfo(line)
        for line in result.warnings:
            feedback.pushWarning(line)
        s = result.summary
        if s["care3_field"] or s["care3_table"]:
            feedback.pushInfo(
                f"CARE3 share: field {s['care3_field']:,}, table {s['care3_table']:,}, "
                f"constant {care3_const} {s['care3_constant']:,} chōme"
            )
        check_cancel(feedback)

        # 7. write (only now)
        fields = QgsFields()
        fields.append(make_field("KEY_CODE", "string", 16))
        fields.append(make_field("muni_code", "string", 5))
        fields.append(make_field("pref_name", "string", 20))
        fields.append(make_field("muni_name", "string", 40))
        fields.append(make_field("chome_name", "string", 100))
        fields.append(make_field("pop_total", "int"))
        fields.append(make_field("pop_75plus", "int"))
        fields.append(make_field("care3_share", "double"))
        fields.append(make_field("at_home_75plus", "double"))
        fields.append(make_field("age_level", "int"))
        fields.append(make_field("join_status", "string", 16))
        if any_hcode:
            fields.append(make_field("HCODE", "int"))
        if any_xy:
            fields.append(make_field("X_CODE", "double"))
            fields.append(make_field("Y_CODE", "double"))
        if any_area:
            fields.append(make_field("area_m2", "double"))
        wkb = WKB_MULTIPOLYGON if out_kind == "polygon" else WKB_POINT
        sink, dest = self.parameterAsSink(parameters, self.OUTPUT, context, fields, wkb, target_crs)
        for c, g in zip(result.chome, out_geoms):
            f = QgsFeature(fields)
            attrs = [
                c.key,
                c.muni_code,
                c.pref_name,
                c.muni_name,
                c.chome_name,
                c.pop_total,
                c.pop_75plus,
                c.care3_share,
                c.at_home_75plus,
                c.age_level,
                c.join_status,
            ]
            if any_hcode:
                attrs.append(c.hcode)
            if any_xy:
                attrs += [c.x, c.y]
            if any_area:
                attrs.append(c.area_m2)
            f.setAttributes(attrs)
            if g is not None:
                f.setGeometry(g)
            sink.addFeature(f, QgsFeatureSink.Flag.FastInsert)
        feedback.setProgress(95)

        rfields = QgsFields()
        kinds_r = {
            "count": "int",
            "value_boundary": "double",
            "value_table": "double",
        }
        for name in estat.REPORT_FIELDS:
            rfields.append(make_field(name, kinds_r.get(name, "string")))
        rsink, rdest = self.parameterAsSink(
            parameters,
            self.REPORT,
            context,
            rfields,
            WKB_NO_GEOMETRY,
            QgsCoordinateReferenceSystem(),
        )
        for row in result.report:
            f = QgsFeature(rfields)
            f.setAttributes(list(row.as_tuple()))
            rsink.addFeature(f, QgsFeatureSink.Flag.FastInsert)
        feedback.setProgress(100)
        return {
            self.OUTPUT: dest,
            self.REPORT: rdest,
            "MATCHED": s["matched"],
            "MISSING": s["boundary_missing"],
            "MATCHED_LEVEL3": s["matched_level3"],
            "TABLE_ONLY": s["table_only"],
        }

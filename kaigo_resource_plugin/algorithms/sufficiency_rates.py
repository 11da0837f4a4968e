"""kaigo:sufficiencyrates — chōme with access and elderly fields → one row per municipality (SPEC §2.5)."""

from __future__ import annotations

import os

import numpy as np
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsFeatureRequest,
    QgsFeatureSink,
    QgsFields,
    QgsGeometry,
    QgsProcessing,
    QgsProcessingFeatureSource,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsWkbTypes,
)

from ..compat import WKB_MULTIPOLYGON, WKB_NO_GEOMETRY, field_kind, geometry_type, is_null, make_field
from ..core.area import RingCollector
from ..core.codes import city_of_ward, muni_code_from_key, rollup_code, ward_city_name
from ..core.contract import DEFAULT_CARE3_SHARE, JGD2011_GEOGRAPHIC, WATER_HCODE, to_float
from ..core.dissolve import coverage_union_wkb
from ..core.errors import InputError
from ..core.rates import (
    ANY,
    ChomeArrays,
    MunicipalityTable,
    aggregate_municipalities,
    check_share,
    normalize_muni_code,
    parse_flag,
    read_care3_table,
    read_code_table,
    resource_types,
)
from ..i18n_loader import output_language
from . import checks
from .base import KaigoAlgorithm, check_cancel, threshold_parameters, threshold_values

AREA_UNITS = ("m2", "km2", "ha")
AREA_UNIT_TO_KM2 = {"m2": 1e-6, "km2": 1.0, "ha": 0.01}


# --- glue helpers shared with kaigo:densityclasses ----------------------------------------------


def find_field(fields: QgsFields, *names: str) -> str | None:
    """The first of ``names`` that the layer has (exact, then case-insensitive)."""
    existing = [f.name() for f in fields]
    for n in names:
        if n and n in existing:
            return n
    lower = {e.lower(): e for e in existing}
    for n in names:
        if n and n.lower() in lower:
            return lower[n.lower()]
    return None


def require_field(fields: QgsFields, name: str, param: str, numeric: bool) -> str:
    """The field ``name`` of the input; InputError when missing or, for numbers, stored as text."""
    found = find_field(fields, name)
    if found is None:
        raise InputError(
            ja=f"{param}：入力レイヤーに属性「{name}」がありません。",
            en=f"{param}: the input layer has no field '{name}'.",
        )
    if numeric:
        kind = field_kind(fields.field(found))
        if kind not in ("int", "double"):
            raise InputError(
                ja=f'{param}：属性「{found}」が数値ではなく文字列です。フィールド計算機で to_real("{found}") '
                "などにより数値の属性を作り、それを指定してください。",
                en=f"{param}: field '{found}' holds text, not numbers. Make a numeric field (e.g. with the "
                f'field calculator, to_real("{found}")) and choose that one.',
            )
    return found


def to_text(value) -> str | None:
    if type(value) is str:  # fast path
        return value.strip() or None
    if is_null(value):
        return None
    text = str(value).strip()
    return text or None


def area_crs_transform(source_crs, context) -> QgsCoordinateTransform | None:
    """Transform to geographic lon/lat for the ellipsoidal area (None when already geographic)."""
    if not source_crs.isValid():
        raise InputError(
            ja="入力レイヤーの座標参照系（CRS）が不明なため面積を計算できません。CRS を設定するか、"
            "面積の属性（AREA_FIELD）を指定してください。",
            en="The input layer has no valid CRS, so its area cannot be computed: set its CRS or give "
            "an area field (AREA_FIELD).",
        )
    checks.require_exact_transform(source_crs, context.transformContext(), "入力レイヤー", "the input layer")
    if source_crs.isGeographic():
        return None
    # JGD2011 lon/lat: any GRS80 geographic CRS gives the same ellipsoidal areas
    geographic = QgsCoordinateReferenceSystem(JGD2011_GEOGRAPHIC)
    return QgsCoordinateTransform(source_crs, geographic, context.transformContext())


def add_geometry_rings(rc: RingCollector, geom: QgsGeometry, group: int, transform) -> None:
    """Add the polygon rings of ``geom`` (lon/lat after ``transform``) to ``rc`` under ``group``."""
    if geom is None or geom.isEmpty():
        return
    g = QgsGeometry(geom)
    if QgsWkbTypes.isCurvedType(g.wkbType()):
        g = QgsGeometry(g.constGet().segmentize())
    if transform is not None:
        g.transform(transform)
    rc.add_wkb(bytes(g.asWkb()), group)


def dissolve(parts: list[QgsGeometry]) -> QgsGeometry | None:
    """Union of chōme polygons: GEOS coverage union when they tile cleanly, else a general union."""
    if not parts:
        return None
    collected = QgsGeometry.collectGeometry(parts)
    fast = coverage_union_wkb(bytes(collected.asWkb()))
    if fast is not None:
        g = QgsGeometry()
        g.fromWkb(fast)
    else:
        g = QgsGeometry.unaryUnion(parts)
        if g is None or g.isNull():  # GEOS refused an invalid part: repair, then retry
            g = QgsGeometry.unaryUnion([p.makeValid() for p in parts])
    if g is None or g.isNull():
        return None
    g.convertToMultiType()
    return g


def write_outputs(table: MunicipalityTable, csv_path: str, xlsx_path: str, feedback) -> None:
    lang = output_language()
    if csv_path:
        table.write_csv(csv_path)
        feedback.pushInfo(f"CSV: {csv_path}")
    if xlsx_path:
        table.write_xlsx(xlsx_path, lang)
        feedback.pushInfo(f"XLSX: {xlsx_path}")


def sink_fields(fields: list[tuple[str, str]], extra: QgsFields | None = None) -> QgsFields:
    out = QgsFields()
    if extra is not None:
        for f in extra:
            out.append(f)
    for name, kind in fields:
        out.append(make_field(name, kind))
    return out


# --- the algorithm ------------------------------------------------------------------------------


class SufficiencyRatesAlgorithm(KaigoAlgorithm):
    NAME = "sufficiencyrates"
    DISPLAY_NAME = "Sufficiency rates by municipality"

    INPUT = "INPUT"
    KEY_FIELD = "KEY_FIELD"
    MUNI_FIELD = "MUNI_FIELD"
    ELDERLY_FIELD = "ELDERLY_FIELD"
    CARE3_SHARE = "CARE3_SHARE"
    CARE3_TABLE = "CARE3_TABLE"
    CARE3_FIELD = "CARE3_FIELD"
    POPULATION_FIELD = "POPULATION_FIELD"
    AREA_FIELD = "AREA_FIELD"
    AREA_UNIT = "AREA_UNIT"
    AREA_TABLE = "AREA_TABLE"
    ROLLUP_WARDS = "ROLLUP_WARDS"
    OUTPUT = "OUTPUT"
    OUTPUT_CSV = "OUTPUT_CSV"
    OUTPUT_XLSX = "OUTPUT_XLSX"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.INPUT,
                self.tr("Chōme layer with access and elderly fields"),
                [QgsProcessing.SourceType.TypeVector],
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.KEY_FIELD,
                self.tr("Chōme key field"),
                "KEY_CODE",
                self.INPUT,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.MUNI_FIELD,
                self.tr("Municipality code field (default: first 5 digits of the key)"),
                None,
                self.INPUT,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.ELDERLY_FIELD,
                self.tr("Elderly field (default: at_home_75plus, else pop_75plus)"),
                None,
                self.INPUT,
                QgsProcessingParameterField.DataType.Numeric,
                optional=True,
            )
        )
        p = QgsProcessingParameterNumber(
            self.CARE3_SHARE,
            self.tr("Share of 75+ certified at care level 3 or above"),
            QgsProcessingParameterNumber.Type.Double,
            DEFAULT_CARE3_SHARE,
            minValue=0.0,
            maxValue=1.0,
        )
        self.addParameter(p)
        self.addParameter(
            QgsProcessingParameterFile(
                self.CARE3_TABLE,
                self.tr("Care-level-3+ share per municipality (CSV: code, share)"),
                QgsProcessingParameterFile.Behavior.File,
                fileFilter="CSV (*.csv *.txt)",
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.CARE3_FIELD,
                self.tr("Care-level-3+ share field per chōme"),
                None,
                self.INPUT,
                QgsProcessingParameterField.DataType.Numeric,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.POPULATION_FIELD,
                self.tr("Total population field (default: pop_total, else JINKO)"),
                None,
                self.INPUT,
                QgsProcessingParameterField.DataType.Numeric,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.AREA_FIELD,
                self.tr("Area field per chōme (default: area on the ellipsoid)"),
                None,
                self.INPUT,
                QgsProcessingParameterField.DataType.Numeric,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.AREA_UNIT,
                self.tr("Unit of the area field"),
                options=["m²", "km²", "ha"],
                defaultValue=0,
            )
        )
        self.addParameter(
            QgsProcessingParameterFile(
                self.AREA_TABLE,
                self.tr("Official area per municipality (CSV: code, km²)"),
                QgsProcessingParameterFile.Behavior.File,
                fileFilter="CSV (*.csv *.txt)",
                optional=True,
            )
        )
        for parameter in threshold_parameters():
            self.addParameter(parameter)
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.ROLLUP_WARDS,
                self.tr("Roll designated-city wards up to the city"),
                False,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT,
                self.tr("Municipality table"),
                QgsProcessing.SourceType.TypeVectorAnyGeometry,
            )
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.OUTPUT_CSV,
                self.tr("Municipality table as CSV (UTF-8 with BOM)"),
                "CSV (*.csv)",
                optional=True,
                createByDefault=False,
            )
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.OUTPUT_XLSX,
                self.tr("Municipality table as Excel workbook"),
                "Excel (*.xlsx)",
                optional=True,
                createByDefault=False,
            )
        )

    # -- parameters → plain values ------------------------------------------------------------

    def _field_param(self, parameters, name, context) -> str | None:
        value = self.parameterAsString(parameters, name, context)
        return value.strip() or None if value else None

    def process(self, parameters, context, feedback):
        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise InputError(ja="入力レイヤーを開けません。", en="Cannot open the input layer.")
        fields = source.fields()
        thresholds = threshold_values(self, parameters, context)
        rollup = self.parameterAsBoolean(parameters, self.ROLLUP_WARDS, context)
        csv_path = self.parameterAsFileOutput(parameters, self.OUTPUT_CSV, context)
        xlsx_path = self.parameterAsFileOutput(parameters, self.OUTPUT_XLSX, context)
        lang_ja = output_language() == "ja"

        def say(ja: str, en: str) -> str:
            return ja if lang_ja else en

        # key and municipality
        key_name = self._field_param(parameters, self.KEY_FIELD, context) or "KEY_CODE"
        muni_param = self._field_param(parameters, self.MUNI_FIELD, context)
        muni_field = require_field(fields, muni_param, self.MUNI_FIELD, False) if muni_param else None
        key_field = find_field(fields, key_name)
        if key_field is None:
            if muni_field is None:
                muni_field = find_field(fields, "muni_code")
            if muni_field is None or self._field_param(parameters, self.KEY_FIELD, context) not in (
                None,
                "KEY_CODE",
            ):
                raise InputError(
                    ja=f"KEY_FIELD：入力レイヤーに町丁字のキー「{key_name}」がありません。キーの属性を選ぶか、"
                    "市区町村コードの属性（MUNI_FIELD）を指定してください。",
                    en=f"KEY_FIELD: the input layer has no chōme key field '{key_name}': choose the key "
                    "field, or give the municipality code field (MUNI_FIELD).",
                )
        pref_code_field = find_field(fields, "PREF", "KEN")
        city_code_field = find_field(fields, "CITY")

        # care level 3+ share: per chōme field, per municipality table, constant
        care3_param = self._field_param(parameters, self.CARE3_FIELD, context)
        care3_field = require_field(fields, care3_param, self.CARE3_FIELD, True) if care3_param else None
        care3_table_path = self.parameterAsFile(parameters, self.CARE3_TABLE, context)
        care3_table = read_care3_table(care3_table_path, self.CARE3_TABLE) if care3_table_path else None
        care3_const = check_share(self.parameterAsDouble(parameters, self.CARE3_SHARE, context))

        # elderly weight: at_home_75plus (already at home), else pop_75plus; a share given as a table
        # or a field is meant to be applied, so it selects pop_75plus when the layer has both
        elderly_param = self._field_param(parameters, self.ELDERLY_FIELD, context)
        if elderly_param:
            elderly_field = require_field(fields, elderly_param, self.ELDERLY_FIELD, True)
        else:
            order = ("at_home_75plus", "pop_75plus")
            if care3_field or care3_table:
                order = ("pop_75plus", "at_home_75plus")
            elderly_field = find_field(fields, *order)
            if elderly_field is None:
                raise InputError(
                    ja="ELDERLY_FIELD：高齢者数の属性（at_home_75plus または pop_75plus）がありません。"
                    "kaigo:importestat で 75 歳以上人口を結合するか、"
                    "重みとする属性（例：JINKO）を指定してください。",
                    en="ELDERLY_FIELD: the layer has no elderly field (at_home_75plus or pop_75plus): "
                    "join the 75+ population with kaigo:importestat, or name the weight field (e.g. JINKO).",
                )
            elderly_field = require_field(fields, elderly_field, self.ELDERLY_FIELD, True)
        already_at_home = elderly_field.lower() == "at_home_75plus"
        p75_field = find_field(fields, "pop_75plus")
        if p75_field is not None and field_kind(fields.field(p75_field)) not in ("int", "double"):
            p75_field = None

        # population and area
        pop_param = self._field_param(parameters, self.POPULATION_FIELD, context)
        if pop_param:
            pop_field = require_field(fields, pop_param, self.POPULATION_FIELD, True)
        else:
            pop_field = find_field(fields, "pop_total", "JINKO")
            if pop_field is not None:
                pop_field = require_field(fields, pop_field, self.POPULATION_FIELD, True)
        area_param = self._field_param(parameters, self.AREA_FIELD, context)
        area_field = require_field(fields, area_param, self.AREA_FIELD, True) if area_param else None
        area_unit = AREA_UNITS[self.parameterAsEnum(parameters, self.AREA_UNIT, context)]
        area_table_path = self.parameterAsFile(parameters, self.AREA_TABLE, context)
        if area_field and area_table_path:
            raise InputError(
                ja="AREA_FIELD と AREA_TABLE はどちらか一方だけを指定してください。",
                en="Give either AREA_FIELD or AREA_TABLE, not both.",
            )
        area_table = read_code_table(area_table_path, self.AREA_TABLE, "km²") if area_table_path else None

        hcode_field = find_field(fields, "HCODE")
        pref_name_field = find_field(fields, "pref_name", "PREF_NAME", "KEN_NAME")
        muni_name_field = find_field(fields, "muni_name", "CITY_NAME")
        gst_field = find_field(fields, "GST_NAME")
        css_field = find_field(fields, "CSS_NAME")

        # access fields
        names = [f.name() for f in fields]
        types = resource_types(names)
        any_field = find_field(fields, "has_access")
        if any_field is None and not types:
            raise InputError(
                ja="入力レイヤーにアクセスの有無の属性（has_access）がありません。"
                "先に kaigo:blankareas を実行してください。",
                en="The input layer has no access field (has_access): run kaigo:blankareas first.",
            )
        access_fields = {ANY: any_field} if any_field else {}
        for t in types:
            access_fields[t] = (
                f"has_access_{t}" if f"has_access_{t}" in names else find_field(fields, f"has_access_{t}")
            )

        is_polygon = geometry_type(source.wkbType()) == 2
        need_ellipsoid = is_polygon and area_field is None and area_table is None
        transform = area_crs_transform(source.sourceCrs(), context) if need_ellipsoid else None
        if need_ellipsoid:
            checks.source_in_japan(source, context.transformContext(), "入力レイヤー", "the input layer")

        # -- read ---------------------------------------------------------------------------
        idx_of = {n: i for i, n in enumerate(names)}
        wanted = [
            f
            for f in [
                key_field,
                muni_field,
                elderly_field,
                p75_field,
                care3_field,
                pop_field,
                area_field,
                hcode_field,
                pref_name_field,
                muni_name_field,
                gst_field,
                css_field,
                pref_code_field,
                city_code_field,
                *access_fields.values(),
            ]
            if f
        ]
        request = QgsFeatureRequest()
        request.setSubsetOfAttributes([idx_of[f] for f in dict.fromkeys(wanted)])
        if not is_polygon:
            request.setFlags(QgsFeatureRequest.Flag.NoGeometry)

        n_total = source.featureCount()
        keys: list[str] = []
        munis: list[str] = []
        elderly: list[float] = []
        p75: list[float] = []
        care: list[float] = []
        pop: list[float] = []
        area: list[float] = []
        water: list[bool] = []
        prefs: list[str | None] = []
        mnames: list[str | None] = []
        access: dict[str, list[bool]] = {t: [] for t in access_fields}
        geoms: dict[str, list[QgsGeometry]] = {}
        named: set[str] = set()
        n_no_muni = 0
        n_rolled = 0
        key_restored: list[tuple[str, str]] = []
        step = max(1, n_total // 100) if n_total > 0 else 1000

        fi = {f: idx_of[f] for f in wanted}
        # No validity check: e-Stat files hold self-touching rings; dropping such a chōme would lose its
        # population, and neither the shoelace area nor the union needs strictly valid input.
        features = source.getFeatures(request, QgsProcessingFeatureSource.Flag.FlagSkipGeometryValidityChecks)
        for k, feat in enumerate(features):
            if k % step == 0:
                check_cancel(feedback)
                if n_total > 0:
                    feedback.setProgress(50.0 * k / n_total)
            attrs = feat.attributes()
            key = checks.chome_key(attrs[fi[key_field]], key_restored) if key_field else None
            if muni_field:
                code = normalize_muni_code(to_text(attrs[fi[muni_field]]))
            else:
                code = muni_code_from_key(key)
                if code is None and pref_code_field and city_code_field:
                    code = normalize_muni_code(
                        (to_text(attrs[fi[pref_code_field]]) or "")
                        + (to_text(attrs[fi[city_code_field]]) or "")
                    )
            if code is None:
                n_no_muni += 1
                continue
            if rollup:
                city = rollup_code(code, True)
                if city != code:
                    n_rolled += 1
                code_out = city
            else:
                code_out = code
            if key is None:
                key = f"#{feat.id()}"
            is_water = hcode_field is not None and to_float(attrs[fi[hcode_field]]) == WATER_HCODE
            keys.append(key)
            munis.append(code_out)
            water.append(is_water)
            elderly.append(to_float(attrs[fi[elderly_field]]))
            if p75_field:
                p75.append(to_float(attrs[fi[p75_field]]))
            if care3_field:
                care.append(to_float(attrs[fi[care3_field]]))
            if pop_field:
                pop.append(to_float(attrs[fi[pop_field]]))
            if area_field:
                area.append(to_float(attrs[fi[area_field]]))
            for t, f in access_fields.items():
                access[t].append(parse_flag(attrs[fi[f]]))
            if code_out in named:  # names are taken from the first feature that has them
                pname = mname = None
            else:
                pname = to_text(attrs[fi[pref_name_field]]) if pref_name_field else None
                if muni_name_field:
                    mname = to_text(attrs[fi[muni_name_field]])
                else:
                    gst = to_text(attrs[fi[gst_field]]) if gst_field else None
                    css = to_text(attrs[fi[css_field]]) if css_field else None
                    if css:
                        mname = (gst + css) if gst and gst.endswith("市") else css
                    else:
                        mname = gst
                if rollup and code_out != code:
                    mname = ward_city_name(mname, code_out)
                if (pname or not pref_name_field) and mname:
                    named.add(code_out)
            prefs.append(pname)
            mnames.append(mname)
            if is_polygon and not is_water:
                geom = feat.geometry()
                if not geom.isNull():
                    geoms.setdefault(code_out, []).append(geom)

        if not keys:
            raise InputError(
                ja="入力レイヤーに市区町村コードを決められる町丁字がありません。"
                "KEY_FIELD または MUNI_FIELD を確認してください。",
                en="No chōme of the input layer has a municipality code: check KEY_FIELD or MUNI_FIELD.",
            )
        water_a = np.array(water, dtype=bool)
        checks.report_keys(key_restored, None if muni_field else key_field, keys, feedback)
        for values, name in ((elderly, elderly_field), (p75, p75_field), (pop, pop_field)):
            if name:
                checks.check_counts(np.array(values, dtype=float), name)

        # -- validate numbers before any output ---------------------------------------------
        if area_field:
            a = np.array(area, dtype=float)
            bad = (~water_a) & (~(a > 0))
            if bad.any():
                first_bad = keys[int(np.nonzero(bad)[0][0])]
                raise InputError(
                    ja=f"AREA_FIELD：属性「{area_field}」に 0・負・空（NULL）の値が "
                    f"{int(bad.sum())} 件あります（例：{first_bad}）。"
                    "面積を補うか、AREA_FIELD を空にして楕円体面積を使ってください。",
                    en=f"AREA_FIELD: field '{area_field}' is zero, negative or NULL in {int(bad.sum())} "
                    f"chōme (e.g. {first_bad}). Fill in the areas, or leave AREA_FIELD empty to compute "
                    "them on the ellipsoid.",
                )

        # dissolved geometry per municipality (chōme polygons without water areas)
        out_geoms: dict[str, QgsGeometry] = {}
        n_geo = len(geoms)
        for j, code in enumerate(sorted(geoms)):
            check_cancel(feedback)
            g = dissolve(geoms[code])
            if g is not None:
                out_geoms[code] = g
            feedback.setProgress(50 + 40.0 * (j + 1) / max(1, n_geo))
        geoms.clear()

        area_m2 = None
        area_km2_by_muni = None
        area_source = None
        if area_field:
            a = np.array(area, dtype=float)
            area_m2 = a * (AREA_UNIT_TO_KM2[area_unit] * 1e6)
            area_source = f"field:{area_field}"
        elif area_table is not None:
            area_km2_by_muni = {}
            for code in sorted(set(munis)):
                v = area_table.get(code)
                if v is None and rollup:  # the table lists the wards: their sum is the city's area
                    wards = [a for c, a in area_table.items() if city_of_ward(c) == code]
                    v = float(sum(wards)) if wards else None
                area_km2_by_muni[code] = v
            missing = [c for c, v in area_km2_by_muni.items() if v is None]
            bad_vals = [c for c, v in area_km2_by_muni.items() if v is not None and not v > 0]
            if bad_vals:
                raise InputError(
                    ja=f"AREA_TABLE：面積が 0 以下の市区町村が {len(bad_vals)} 件あります"
                    f"（例：{bad_vals[0]}）。",
                    en=f"AREA_TABLE: {len(bad_vals)} municipalities have an area of 0 or less "
                    f"(e.g. {bad_vals[0]}).",
                )
            if missing:
                feedback.pushWarning(
                    say(
                        f"AREA_TABLE に {len(missing)} 市区町村の面積がありません（例：{missing[0]}）。"
                        "その人口密度は空（NULL）です。",
                        f"AREA_TABLE lacks {len(missing)} municipalities (e.g. {missing[0]}); "
                        "their density is NULL.",
                    )
                )
            area_km2_by_muni = {c: v for c, v in area_km2_by_muni.items() if v is not None}
            area_source = f"table:{os.path.basename(area_table_path)}"
        elif need_ellipsoid:
            # area of the dissolved municipality = Σ chōme areas for a coverage (water left out), with
            # far fewer vertices to transform; overlapping chōme are not counted twice
            rings = RingCollector()
            order = sorted(out_geoms)
            for j, code in enumerate(order):
                add_geometry_rings(rings, out_geoms[code], j, transform)
            areas = rings.group_areas_m2(len(order))
            area_km2_by_muni = {c: float(areas[j]) / 1e6 for j, c in enumerate(order)}
            area_source = "ellipsoid"
        else:
            feedback.pushWarning(
                say(
                    "点またはジオメトリなしの入力で面積の属性も表もないため、面積と人口密度は空（NULL）です。"
                    "AREA_FIELD か AREA_TABLE（面積調の市区町村面積）を指定してください。",
                    "Point or table input without an area field or table: area and density are NULL. "
                    "Give AREA_FIELD or AREA_TABLE (official municipal areas).",
                )
            )
        feedback.setProgress(92)

        # care level 3+ share per feature
        if already_at_home:
            care_a: np.ndarray | float = 0.0
            feedback.pushInfo(
                say(
                    f"高齢者の重み「{elderly_field}」は在宅高齢者数なので、要介護3以上の割合は再適用しません。",
                    f"The weight '{elderly_field}' is already at-home elderly: the care-level-3+ share "
                    "is not applied again.",
                )
            )
        elif care3_field:
            care_a = np.array(care, dtype=float)
            bad = ~np.isnan(care_a) & ((care_a < 0) | (care_a > 1))
            if bad.any():
                raise InputError(
                    ja=f"CARE3_FIELD：属性「{care3_field}」に 0〜1 の範囲外の値が "
                    f"{int(bad.sum())} 件あります。",
                    en=f"CARE3_FIELD: field '{care3_field}' has {int(bad.sum())} values outside 0–1.",
                )
            n_null = int(np.isnan(care_a).sum())
            if n_null:
                feedback.pushWarning(
                    say(
                        f"CARE3_FIELD が空の {n_null} 町丁字には定数 {care3_const} を使いました。",
                        f"CARE3_FIELD is NULL in {n_null} chōme: the constant {care3_const} was used.",
                    )
                )
            care_a = np.where(np.isnan(care_a), care3_const, care_a)
            feedback.pushInfo(f"CARE3: {care3_field}")
        elif care3_table is not None:
            missing = set()
            vals = []
            for code in munis:
                v = care3_table.get(code)
                if v is None:
                    missing.add(code)
                    v = care3_const
                vals.append(v)
            care_a = np.array(vals, dtype=float)
            if missing:
                feedback.pushWarning(
                    say(
                        f"CARE3_TABLE に {len(missing)} 市区町村がないため定数 {care3_const} を使いました"
                        f"（例：{sorted(missing)[0]}）。",
                        f"CARE3_TABLE lacks {len(missing)} municipalities (e.g. {sorted(missing)[0]}): "
                        f"the constant {care3_const} was used for them.",
                    )
                )
        else:
            care_a = care3_const
            feedback.pushInfo(
                say(
                    f"要介護3以上の割合：{care3_const}（市区町村内で一定なので充足率には影響しません）",
                    f"Care-level-3+ share: {care3_const} (uniform within a municipality, so the rates do "
                    "not depend on it)",
                )
            )

        chome = ChomeArrays(
            keys=keys,
            muni=munis,
            elderly=np.array(elderly, dtype=float),
            access={t: np.array(v, dtype=bool) for t, v in access.items()},
            care3=care_a,
            population=np.array(pop, dtype=float) if pop_field else None,
            pop_75plus=np.array(p75, dtype=float) if p75_field else None,
            water=water_a,
            area_m2=area_m2,
            pref_name=prefs,
            muni_name=mnames,
        )
        table = aggregate_municipalities(chome, area_km2_by_muni, area_source, thresholds, types)
        notes = table.notes
        feedback.setProgress(95)

        # -- report --------------------------------------------------------------------------
        feedback.pushInfo(
            say(
                f"{notes.n_features} 地物 → 町丁字 {notes.n_keys}（水面 {notes.n_water} を除外、"
                f"複数ポリゴンの町丁字 {notes.n_multipart_keys}）→ 市区町村 {len(table)}",
                f"{notes.n_features} features → {notes.n_keys} chōme ({notes.n_water} water areas dropped, "
                f"{notes.n_multipart_keys} multi-part chōme) → {len(table)} municipalities",
            )
        )
        feedback.pushInfo(
            say(
                f"高齢者の重み：{elderly_field}　人口：{pop_field or 'なし'}　面積：{area_source or 'なし'}",
                f"Elderly weight: {elderly_field}; population: {pop_field or 'none'}; "
                f"area: {area_source or 'none'}",
            )
        )
        if types:
            feedback.pushInfo(say("資源の種類：", "Resource types: ") + ", ".join(types))
        if rollup:
            feedback.pushInfo(
                say(
                    f"政令指定都市の区を市に集約しました（{n_rolled} 地物）。",
                    f"Designated-city wards rolled up to their city ({n_rolled} features).",
                )
            )
        if n_no_muni:
            feedback.pushWarning(
                say(
                    f"市区町村コードを決められない {n_no_muni} 地物を除外しました（キーが 5 桁未満）。",
                    f"{n_no_muni} features without a municipality code (key shorter than 5 digits) "
                    "were skipped.",
                )
            )
        if notes.n_conflicting_keys:
            feedback.pushWarning(
                say(
                    f"同じキーの複数ポリゴンで高齢者数が異なる町丁字が {notes.n_conflicting_keys} "
                    "あります（最大値を使用）。",
                    f"{notes.n_conflicting_keys} chōme have parts with different elderly counts "
                    "(the largest was used).",
                )
            )
        if notes.n_null_elderly:
            feedback.pushWarning(
                say(
                    f"高齢者数が空（NULL）の地物 {notes.n_null_elderly} 件は 0 として数えました。",
                    f"{notes.n_null_elderly} features with a NULL elderly count were counted as 0.",
                )
            )
        if notes.n_null_population:
            feedback.pushWarning(
                say(
                    f"人口が空（NULL）の地物 {notes.n_null_population} 件は 0 として数えました。",
                    f"{notes.n_null_population} features with a NULL population were counted as 0.",
                )
            )
        if notes.zero_elderly_munis:
            z = notes.zero_elderly_munis
            feedback.pushWarning(
                say(
                    f"在宅高齢者がいない {len(z)} 市区町村（例：{z[0]}）の充足率は空（NULL）です。",
                    f"{len(z)} municipalities (e.g. {z[0]}) have no at-home elderly: their rate is NULL.",
                )
            )
        check_cancel(feedback)

        # -- write (files, then the sink) ----------------------------------------------------
        write_outputs(table, csv_path, xlsx_path, feedback)
        out_fields = sink_fields(table.fields)
        wkb_type = WKB_MULTIPOLYGON if is_polygon else WKB_NO_GEOMETRY
        sink, dest_id = self.parameterAsSink(
            parameters, self.OUTPUT, context, out_fields, wkb_type, source.sourceCrs()
        )
        if sink is None:
            raise InputError(ja="出力を作成できません。", en="Cannot create the output layer.")
        for row in table.rows():
            f = QgsFeature(out_fields)
            f.setAttributes(row)
            g = out_geoms.get(row[0])
            if g is not None:
                f.setGeometry(g)
            sink.addFeature(f, QgsFeatureSink.Flag.FastInsert)
        feedback.setProgress(100)
        return {
            self.OUTPUT: dest_id,
            self.OUTPUT_CSV: csv_path or None,
            self.OUTPUT_XLSX: xlsx_path or None,
        }

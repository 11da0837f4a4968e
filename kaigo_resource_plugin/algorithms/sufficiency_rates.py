"""kaigo:sufficiencyrates — chōme with access and elderly fields → one row per municipality (SPEC §2.5)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
from qgis.core import (
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
)

from ..compat import WKB_MULTIPOLYGON, WKB_NO_GEOMETRY, field_kind, geometry_type
from ..core.area import RingCollector
from ..core.codes import muni_code_from_key, muni_name_from_estat, rollup_code, ward_city_name
from ..core.contract import (
    AT_HOME_75PLUS,
    DEFAULT_CARE3_SHARE,
    DEFAULT_KEY_FIELD,
    GEOMETRY_POLYGON,
    HAS_ACCESS,
    MUNI_CODE,
    MUNI_NAME,
    POP_75PLUS,
    POPULATION_CANDIDATES,
    PREF_NAME,
    WATER_HCODE,
    elderly_weight_order,
    to_float,
)
from ..core.errors import InputError
from ..core.rates import (
    ANY,
    ChomeArrays,
    MunicipalityTable,
    aggregate_municipalities,
    care3_from_table,
    check_share,
    municipal_areas_from_table,
    normalize_muni_code,
    parse_flag,
    read_care3_table,
    read_code_table,
    resource_types,
)
from ..i18n_loader import output_language
from . import checks, radii_io
from .base import KaigoAlgorithm, check_cancel, threshold_parameters, threshold_values
from .glue import (
    AREA_UNIT_TO_KM2,
    AREA_UNITS,
    add_geometry_rings,
    area_crs_transform,
    dissolve,
    find_field,
    require_field,
    sink_fields,
    to_text,
    write_outputs,
)

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
        for parameter in radii_io.radii_parameters():  # RADII, OUTPUT_RADII_CHART (SPEC §5)
            self.addParameter(parameter)

    # -- parameters → plain values ------------------------------------------------------------

    def _field_param(self, parameters, name, context) -> str | None:
        value = self.parameterAsString(parameters, name, context)
        return value.strip() or None if value else None

    def process(self, parameters, context, feedback):
        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise InputError(ja="入力レイヤを開けません。", en="Cannot open the input layer.")
        thresholds = threshold_values(self, parameters, context)
        rollup = self.parameterAsBoolean(parameters, self.ROLLUP_WARDS, context)
        csv_path = self.parameterAsFileOutput(parameters, self.OUTPUT_CSV, context)
        xlsx_path = self.parameterAsFileOutput(parameters, self.OUTPUT_XLSX, context)
        say = _say_in_output_language()

        c = self._choose_fields(parameters, context, source.fields())
        is_polygon = geometry_type(source.wkbType()) == GEOMETRY_POLYGON
        need_ellipsoid = is_polygon and c.area is None and c.area_table is None
        transform = area_crs_transform(source.sourceCrs(), context) if need_ellipsoid else None
        if need_ellipsoid:
            checks.source_in_japan(source, context.transformContext(), "入力レイヤ", "the input layer")

        rows = _read_rows(source, c, rollup, is_polygon, feedback)
        if not rows.keys:
            raise InputError(
                ja="入力レイヤに市区町村コードを決められる町丁字がありません。"
                "KEY_FIELD または MUNI_FIELD を確認してください。",
                en="No chōme of the input layer has a municipality code: check KEY_FIELD or MUNI_FIELD.",
            )
        water_a = np.array(rows.water, dtype=bool)
        checks.report_keys(rows.key_restored, None if c.muni else c.key, rows.keys, feedback)
        for values, name in ((rows.elderly, c.elderly), (rows.p75, c.p75), (rows.pop, c.pop)):
            if name:
                checks.check_counts(np.array(values, dtype=float), name)
        _check_area_field(c, rows, water_a)  # numbers are checked before any output

        out_geoms = _dissolve_municipalities(rows, feedback)

        area_m2, area_km2_by_muni, area_source = _areas(
            c, rows, rollup, need_ellipsoid, out_geoms, transform, feedback, say
        )
        feedback.setProgress(92)
        care_a = _care3_per_feature(c, rows, feedback, say)
        chome = _chome_arrays(c, rows, water_a, care_a, area_m2)
        table = aggregate_municipalities(chome, area_km2_by_muni, area_source, thresholds, c.types)
        radius_rates = radii_io.add_radii(
            self,
            parameters,
            context,
            feedback,
            source,
            c.key,
            chome,
            table,
            area_km2_by_muni,
            area_source,
            thresholds,
        )
        feedback.setProgress(95)
        _report(table, c, rows, area_source, rollup, feedback, say)
        check_cancel(feedback)

        # -- write (files, then the sink) ----------------------------------------------------
        write_outputs(table, csv_path, xlsx_path, feedback)
        chart_path = self.parameterAsFileOutput(parameters, radii_io.OUTPUT_RADII_CHART, context)
        radii_io.write_radii_chart(radius_rates, chart_path, output_language())
        dest_id = self._write_table(parameters, context, table, out_geoms, is_polygon, source.sourceCrs())
        feedback.setProgress(100)
        return {
            self.OUTPUT: dest_id,
            self.OUTPUT_CSV: csv_path or None,
            self.OUTPUT_XLSX: xlsx_path or None,
            radii_io.OUTPUT_RADII_CHART: (chart_path or None) if radius_rates else None,
        }

    def _write_table(self, parameters, context, table, out_geoms, is_polygon: bool, crs):
        """OUTPUT: one row per municipality, with its dissolved polygon when the input has polygons."""
        out_fields = sink_fields(table.fields)
        wkb_type = WKB_MULTIPOLYGON if is_polygon else WKB_NO_GEOMETRY
        sink, dest_id = self.parameterAsSink(parameters, self.OUTPUT, context, out_fields, wkb_type, crs)
        if sink is None:
            raise InputError(ja="出力を作成できません。", en="Cannot create the output layer.")
        for row in table.rows():
            f = QgsFeature(out_fields)
            f.setAttributes(row)
            g = out_geoms.get(row[0])
            if g is not None:
                f.setGeometry(g)
            sink.addFeature(f, QgsFeatureSink.Flag.FastInsert)
        return dest_id

    def _choose_fields(self, parameters, context, fields: QgsFields) -> _Fields:
        """The input fields the parameters name, or the defaults the layer has (InputError when missing)."""
        c = _Fields()
        c.names = [f.name() for f in fields]
        key_name = self._field_param(parameters, self.KEY_FIELD, context) or DEFAULT_KEY_FIELD
        muni_param = self._field_param(parameters, self.MUNI_FIELD, context)
        c.muni = require_field(fields, muni_param, self.MUNI_FIELD, False) if muni_param else None
        c.key = find_field(fields, key_name)
        if c.key is None:
            if c.muni is None:
                c.muni = find_field(fields, MUNI_CODE)
            if c.muni is None or self._field_param(parameters, self.KEY_FIELD, context) not in (
                None,
                DEFAULT_KEY_FIELD,
            ):
                raise InputError(
                    ja=f"KEY_FIELD：入力レイヤに町丁字のキー「{key_name}」がありません。キーの属性を選ぶか、"
                    "市区町村コードの属性（MUNI_FIELD）を指定してください。",
                    en=f"KEY_FIELD: the input layer has no chōme key field '{key_name}': choose the key "
                    "field, or give the municipality code field (MUNI_FIELD).",
                )
        c.pref_code = find_field(fields, "PREF", "KEN")
        c.city_code = find_field(fields, "CITY")

        self._care3_fields(parameters, context, fields, c)
        self._weight_fields(parameters, context, fields, c)
        self._area_fields(parameters, context, fields, c)
        c.hcode = find_field(fields, "HCODE")
        c.pref_name = find_field(fields, PREF_NAME, "PREF_NAME", "KEN_NAME")
        c.muni_name = find_field(fields, MUNI_NAME, "CITY_NAME")
        c.gst = find_field(fields, "GST_NAME")
        c.css = find_field(fields, "CSS_NAME")
        c.types = resource_types(c.names)
        any_field = find_field(fields, HAS_ACCESS)
        if any_field is None and not c.types:
            raise InputError(
                ja="入力レイヤにアクセスの有無の属性（has_access）がありません。"
                "先に kaigo:blankareas を実行してください。",
                en="The input layer has no access field (has_access): run kaigo:blankareas first.",
            )
        c.access = {ANY: any_field} if any_field else {}
        for t in c.types:
            name = f"{HAS_ACCESS}_{t}"
            c.access[t] = name if name in c.names else find_field(fields, name)
        return c

    def _care3_fields(self, parameters, context, fields, c: _Fields) -> None:
        """Care level 3+ share: per chōme field, per municipality table, constant."""
        care3_param = self._field_param(parameters, self.CARE3_FIELD, context)
        c.care3 = require_field(fields, care3_param, self.CARE3_FIELD, True) if care3_param else None
        care3_table_path = self.parameterAsFile(parameters, self.CARE3_TABLE, context)
        c.care3_table = read_care3_table(care3_table_path, self.CARE3_TABLE) if care3_table_path else None
        c.care3_const = check_share(self.parameterAsDouble(parameters, self.CARE3_SHARE, context))

    def _weight_fields(self, parameters, context, fields, c: _Fields) -> None:
        """The elderly weight (ELDERLY_FIELD, else the defaults in order), pop_75plus, the population."""
        elderly_param = self._field_param(parameters, self.ELDERLY_FIELD, context)
        if elderly_param:
            c.elderly = require_field(fields, elderly_param, self.ELDERLY_FIELD, True)
        else:
            c.elderly = find_field(fields, *elderly_weight_order(bool(c.care3 or c.care3_table)))
            if c.elderly is None:
                raise InputError(
                    ja="ELDERLY_FIELD：高齢者数の属性（at_home_75plus または pop_75plus）がありません。"
                    "kaigo:importestat で 75 歳以上人口を結合するか、"
                    "重みとする属性（例：JINKO）を指定してください。",
                    en="ELDERLY_FIELD: the layer has no elderly field (at_home_75plus or pop_75plus): "
                    "join the 75+ population with kaigo:importestat, or name the weight field (e.g. JINKO).",
                )
            c.elderly = require_field(fields, c.elderly, self.ELDERLY_FIELD, True)
        c.p75 = find_field(fields, POP_75PLUS)
        if c.p75 is not None and field_kind(fields.field(c.p75)) not in ("int", "double"):
            c.p75 = None

        pop_param = self._field_param(parameters, self.POPULATION_FIELD, context)
        if pop_param:
            c.pop = require_field(fields, pop_param, self.POPULATION_FIELD, True)
        else:
            c.pop = find_field(fields, *POPULATION_CANDIDATES)
            if c.pop is not None:
                c.pop = require_field(fields, c.pop, self.POPULATION_FIELD, True)

    def _area_fields(self, parameters, context, fields, c: _Fields) -> None:
        """AREA_FIELD and its unit, or AREA_TABLE (not both)."""
        area_param = self._field_param(parameters, self.AREA_FIELD, context)
        c.area = require_field(fields, area_param, self.AREA_FIELD, True) if area_param else None
        c.area_unit = AREA_UNITS[self.parameterAsEnum(parameters, self.AREA_UNIT, context)]
        c.area_table_path = self.parameterAsFile(parameters, self.AREA_TABLE, context)
        if c.area and c.area_table_path:
            raise InputError(
                ja="AREA_FIELD と AREA_TABLE はどちらか一方だけを指定してください。",
                en="Give either AREA_FIELD or AREA_TABLE, not both.",
            )
        if c.area_table_path:
            c.area_table = read_code_table(c.area_table_path, self.AREA_TABLE, "km²")


# --- the steps of process(), plain functions of what the parameters chose ------------------------


def _dissolve_municipalities(rows, feedback) -> dict:
    """Dissolved geometry per municipality (chōme polygons without water areas); ``rows.geoms`` emptied."""
    out_geoms: dict[str, QgsGeometry] = {}
    n_geo = len(rows.geoms)
    for j, code in enumerate(sorted(rows.geoms)):
        check_cancel(feedback)
        g = dissolve(rows.geoms[code])
        if g is not None:
            out_geoms[code] = g
        feedback.setProgress(50 + 40.0 * (j + 1) / max(1, n_geo))
    rows.geoms.clear()
    return out_geoms


def _chome_arrays(c, rows, water_a, care_a, area_m2) -> ChomeArrays:
    return ChomeArrays(
        keys=rows.keys,
        muni=rows.munis,
        elderly=np.array(rows.elderly, dtype=float),
        access={t: np.array(v, dtype=bool) for t, v in rows.access.items()},
        care3=care_a,
        population=np.array(rows.pop, dtype=float) if c.pop else None,
        pop_75plus=np.array(rows.p75, dtype=float) if c.p75 else None,
        water=water_a,
        area_m2=area_m2,
        pref_name=rows.prefs,
        muni_name=rows.mnames,
    )


def _say_in_output_language():
    lang_ja = output_language() == "ja"

    def say(ja: str, en: str) -> str:
        return ja if lang_ja else en

    return say


@dataclass
class _Fields:
    """The input fields that SufficiencyRatesAlgorithm reads (None: not given and not found)."""

    names: list[str] = field(default_factory=list)
    key: str | None = None
    muni: str | None = None
    pref_code: str | None = None
    city_code: str | None = None
    care3: str | None = None
    care3_table: dict[str, float] | None = None
    care3_const: float = DEFAULT_CARE3_SHARE
    elderly: str = ""
    p75: str | None = None
    pop: str | None = None
    area: str | None = None
    area_unit: str = "m2"
    area_table: dict[str, float] | None = None
    area_table_path: str = ""
    hcode: str | None = None
    pref_name: str | None = None
    muni_name: str | None = None
    gst: str | None = None
    css: str | None = None
    types: list[str] = field(default_factory=list)
    access: dict[str, str] = field(default_factory=dict)

    @property
    def already_at_home(self) -> bool:
        return self.elderly.lower() == AT_HOME_75PLUS

    def wanted(self) -> list[str]:
        """The fields to read, each once, in a fixed order."""
        chosen = [
            self.key,
            self.muni,
            self.elderly,
            self.p75,
            self.care3,
            self.pop,
            self.area,
            self.hcode,
            self.pref_name,
            self.muni_name,
            self.gst,
            self.css,
            self.pref_code,
            self.city_code,
            *self.access.values(),
        ]
        return [f for f in chosen if f]


@dataclass
class _Rows:
    """One entry per chōme feature that has a municipality code, as read by ``_read_rows``."""

    keys: list[str] = field(default_factory=list)
    munis: list[str] = field(default_factory=list)
    elderly: list[float] = field(default_factory=list)
    p75: list[float] = field(default_factory=list)
    care: list[float] = field(default_factory=list)
    pop: list[float] = field(default_factory=list)
    area: list[float] = field(default_factory=list)
    water: list[bool] = field(default_factory=list)
    prefs: list[str | None] = field(default_factory=list)
    mnames: list[str | None] = field(default_factory=list)
    access: dict[str, list[bool]] = field(default_factory=dict)
    geoms: dict[str, list[QgsGeometry]] = field(default_factory=dict)
    n_no_muni: int = 0
    n_rolled: int = 0
    key_restored: list[tuple[str, str]] = field(default_factory=list)


def _muni_code(attrs, fi: dict, c: _Fields, key: str | None) -> str | None:
    if c.muni:
        return normalize_muni_code(to_text(attrs[fi[c.muni]]))
    code = muni_code_from_key(key)
    if code is None and c.pref_code and c.city_code:
        code = normalize_muni_code(
            (to_text(attrs[fi[c.pref_code]]) or "") + (to_text(attrs[fi[c.city_code]]) or "")
        )
    return code


def _names(attrs, fi: dict, c: _Fields, code: str, code_out: str, rollup: bool) -> tuple:
    """(prefecture name, municipality name) of one feature: from its name fields, else e-Stat's
    GST_NAME + CSS_NAME; a rolled-up ward is named after its city (core.codes)."""
    pname = to_text(attrs[fi[c.pref_name]]) if c.pref_name else None
    if c.muni_name:
        mname = to_text(attrs[fi[c.muni_name]])
    else:
        gst = to_text(attrs[fi[c.gst]]) if c.gst else None
        css = to_text(attrs[fi[c.css]]) if c.css else None
        mname = muni_name_from_estat(gst, css)
    if rollup and code_out != code:
        mname = ward_city_name(mname, code_out)
    return pname, mname


def _read_rows(source, c: _Fields, rollup: bool, is_polygon: bool, feedback) -> _Rows:
    """Read the chosen fields (and the polygons) of every chōme feature that has a municipality code."""
    idx_of = {n: i for i, n in enumerate(c.names)}
    wanted = c.wanted()
    request = QgsFeatureRequest()
    request.setSubsetOfAttributes([idx_of[f] for f in dict.fromkeys(wanted)])
    if not is_polygon:
        request.setFlags(QgsFeatureRequest.Flag.NoGeometry)
    rows = _Rows(access={t: [] for t in c.access})
    named: set[str] = set()
    n_total = source.featureCount()
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
        key = checks.chome_key(attrs[fi[c.key]], rows.key_restored) if c.key else None
        code = _muni_code(attrs, fi, c, key)
        if code is None:
            rows.n_no_muni += 1
            continue
        code_out = rollup_code(code, True) if rollup else code
        if code_out != code:
            rows.n_rolled += 1
        is_water = c.hcode is not None and to_float(attrs[fi[c.hcode]]) == WATER_HCODE
        rows.keys.append(key if key is not None else f"#{feat.id()}")
        rows.munis.append(code_out)
        rows.water.append(is_water)
        rows.elderly.append(to_float(attrs[fi[c.elderly]]))
        for name, values in ((c.p75, rows.p75), (c.care3, rows.care), (c.pop, rows.pop), (c.area, rows.area)):
            if name:
                values.append(to_float(attrs[fi[name]]))
        for t, f in c.access.items():
            rows.access[t].append(parse_flag(attrs[fi[f]]))
        pname = mname = None
        if code_out not in named:  # names are taken from the first feature that has them
            pname, mname = _names(attrs, fi, c, code, code_out, rollup)
            if (pname or not c.pref_name) and mname:
                named.add(code_out)
        rows.prefs.append(pname)
        rows.mnames.append(mname)
        if is_polygon and not is_water:
            geom = feat.geometry()
            if not geom.isNull():
                rows.geoms.setdefault(code_out, []).append(geom)
    return rows


def _check_area_field(c: _Fields, rows: _Rows, water_a: np.ndarray) -> None:
    if not c.area:
        return
    a = np.array(rows.area, dtype=float)
    bad = (~water_a) & (~(a > 0))
    if bad.any():
        first_bad = rows.keys[int(np.nonzero(bad)[0][0])]
        raise InputError(
            ja=f"AREA_FIELD：属性「{c.area}」に 0・負・空（NULL）の値が "
            f"{int(bad.sum())} 件あります（例：{first_bad}）。"
            "面積を補うか、AREA_FIELD を空にして楕円体面積を使ってください。",
            en=f"AREA_FIELD: field '{c.area}' is zero, negative or NULL in {int(bad.sum())} "
            f"chōme (e.g. {first_bad}). Fill in the areas, or leave AREA_FIELD empty to compute "
            "them on the ellipsoid.",
        )


def _areas(c: _Fields, rows: _Rows, rollup, need_ellipsoid, out_geoms, transform, feedback, say) -> tuple:
    """(area per feature in m², area per municipality in km², area_source): from the area field, the
    area table, or the ellipsoid (dissolved polygons); all None for points without either."""
    if c.area:
        a = np.array(rows.area, dtype=float)
        return a * (AREA_UNIT_TO_KM2[c.area_unit] * 1e6), None, f"field:{c.area}"
    if c.area_table is not None:
        by_muni = municipal_areas_from_table(c.area_table, sorted(set(rows.munis)), rollup)
        missing = [code for code, v in by_muni.items() if v is None]
        bad_vals = [code for code, v in by_muni.items() if v is not None and not v > 0]
        if bad_vals:
            raise InputError(
                ja=f"AREA_TABLE：面積が 0 以下の市区町村が {len(bad_vals)} 件あります（例：{bad_vals[0]}）。",
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
        by_muni = {code: v for code, v in by_muni.items() if v is not None}
        return None, by_muni, f"table:{os.path.basename(c.area_table_path)}"
    if need_ellipsoid:
        # area of the dissolved municipality = Σ chōme areas for a coverage (water left out), with
        # far fewer vertices to transform; overlapping chōme are not counted twice
        rings = RingCollector()
        order = sorted(out_geoms)
        for j, code in enumerate(order):
            add_geometry_rings(rings, out_geoms[code], j, transform)
        areas = rings.group_areas_m2(len(order))
        return None, {code: float(areas[j]) / 1e6 for j, code in enumerate(order)}, "ellipsoid"
    feedback.pushWarning(
        say(
            "点またはジオメトリなしの入力で面積の属性も表もないため、面積と人口密度は空（NULL）です。"
            "AREA_FIELD か AREA_TABLE（面積調の市区町村面積）を指定してください。",
            "Point or table input without an area field or table: area and density are NULL. "
            "Give AREA_FIELD or AREA_TABLE (official municipal areas).",
        )
    )
    return None, None, None


def _care3_per_feature(c: _Fields, rows: _Rows, feedback, say) -> np.ndarray | float:
    """The care-level-3+ share of each feature: none for at-home weights, else field, table or constant."""
    const = c.care3_const
    if c.already_at_home:
        feedback.pushInfo(
            say(
                f"高齢者の重み「{c.elderly}」は在宅高齢者数なので、要介護3以上の割合は再適用しません。",
                f"The weight '{c.elderly}' is already at-home elderly: the care-level-3+ share "
                "is not applied again.",
            )
        )
        return 0.0
    if c.care3:
        care_a = np.array(rows.care, dtype=float)
        bad = ~np.isnan(care_a) & ((care_a < 0) | (care_a > 1))
        if bad.any():
            raise InputError(
                ja=f"CARE3_FIELD：属性「{c.care3}」に 0〜1 の範囲外の値が {int(bad.sum())} 件あります。",
                en=f"CARE3_FIELD: field '{c.care3}' has {int(bad.sum())} values outside 0–1.",
            )
        n_null = int(np.isnan(care_a).sum())
        if n_null:
            feedback.pushWarning(
                say(
                    f"CARE3_FIELD が空の {n_null} 町丁字には定数 {const} を使いました。",
                    f"CARE3_FIELD is NULL in {n_null} chōme: the constant {const} was used.",
                )
            )
        feedback.pushInfo(f"CARE3: {c.care3}")
        return np.where(np.isnan(care_a), const, care_a)
    if c.care3_table is not None:
        care_a, missing = care3_from_table(rows.munis, c.care3_table, const)
        if missing:
            feedback.pushWarning(
                say(
                    f"CARE3_TABLE に {len(missing)} 市区町村がないため定数 {const} を使いました"
                    f"（例：{missing[0]}）。",
                    f"CARE3_TABLE lacks {len(missing)} municipalities (e.g. {missing[0]}): "
                    f"the constant {const} was used for them.",
                )
            )
        return care_a
    feedback.pushInfo(
        say(
            f"要介護3以上の割合：{const}（市区町村内で一定なので充足率には影響しません）",
            f"Care-level-3+ share: {const} (uniform within a municipality, so the rates do not depend on it)",
        )
    )
    return const


def _report(table: MunicipalityTable, c: _Fields, rows: _Rows, area_source, rollup, feedback, say) -> None:
    notes = table.notes
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
            f"高齢者の重み：{c.elderly}　人口：{c.pop or 'なし'}　面積：{area_source or 'なし'}",
            f"Elderly weight: {c.elderly}; population: {c.pop or 'none'}; area: {area_source or 'none'}",
        )
    )
    if c.types:
        feedback.pushInfo(say("資源の種類：", "Resource types: ") + ", ".join(c.types))
    if rollup:
        feedback.pushInfo(
            say(
                f"政令指定都市の区を市に集約しました（{rows.n_rolled} 地物）。",
                f"Designated-city wards rolled up to their city ({rows.n_rolled} features).",
            )
        )
    warnings = [
        (
            rows.n_no_muni,
            f"市区町村コードを決められない {rows.n_no_muni} 地物を除外しました（キーが 5 桁未満）。",
            f"{rows.n_no_muni} features without a municipality code (key shorter than 5 digits) were skipped.",
        ),
        (
            notes.n_conflicting_keys,
            f"同じキーの複数ポリゴンで高齢者数が異なる町丁字が {notes.n_conflicting_keys} "
            "あります（最大値を使用）。",
            f"{notes.n_conflicting_keys} chōme have parts with different elderly counts (the largest was used).",
        ),
        (
            notes.n_null_elderly,
            f"高齢者数が空（NULL）の地物 {notes.n_null_elderly} 件は 0 として数えました。",
            f"{notes.n_null_elderly} features with a NULL elderly count were counted as 0.",
        ),
        (
            notes.n_null_population,
            f"人口が空（NULL）の地物 {notes.n_null_population} 件は 0 として数えました。",
            f"{notes.n_null_population} features with a NULL population were counted as 0.",
        ),
    ]
    z = notes.zero_elderly_munis
    if z:
        warnings.append(
            (
                len(z),
                f"在宅高齢者がいない {len(z)} 市区町村（例：{z[0]}）の充足率は空（NULL）です。",
                f"{len(z)} municipalities (e.g. {z[0]}) have no at-home elderly: their rate is NULL.",
            )
        )
    for count, ja, en in warnings:
        if count:
            feedback.pushWarning(say(ja, en))

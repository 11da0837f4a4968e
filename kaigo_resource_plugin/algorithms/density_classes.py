"""kaigo:densityclasses — municipality layer or table with population and area → density, class, label."""

from __future__ import annotations

import numpy as np
from qgis.core import (
    QgsFeature,
    QgsFeatureRequest,
    QgsFeatureSink,
    QgsProcessing,
    QgsProcessingFeatureSource,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
)

from ..compat import geometry_type
from ..core.area import RingCollector
from ..core.classes import CLASS_NUMBERS
from ..core.contract import POPULATION_CANDIDATES, to_float
from ..core.errors import InputError
from ..core.rates import DENSITY_FIELDS, check_areas, class_counts_text, density_columns
from ..i18n_loader import output_language, say
from . import checks
from .base import KaigoAlgorithm, check_cancel, threshold_parameters, threshold_values
from .glue import (
    AREA_UNIT_TO_KM2,
    AREA_UNITS,
    add_geometry_rings,
    area_crs_transform,
    find_field,
    require_field,
    sink_fields,
)


class DensityClassesAlgorithm(KaigoAlgorithm):
    NAME = "densityclasses"
    DISPLAY_NAME = "Density classes of municipalities"

    INPUT = "INPUT"
    POPULATION_FIELD = "POPULATION_FIELD"
    AREA_FIELD = "AREA_FIELD"
    AREA_UNIT = "AREA_UNIT"
    OUTPUT = "OUTPUT"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.INPUT,
                self.tr("Municipality layer or table with population"),
                [QgsProcessing.SourceType.TypeVector],
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
                self.tr("Area field (default: area of the polygons on the ellipsoid)"),
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
                defaultValue=1,
            )
        )
        for parameter in threshold_parameters():
            self.addParameter(parameter)
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT,
                self.tr("Municipalities with density class"),
                QgsProcessing.SourceType.TypeVectorAnyGeometry,
            )
        )

    def _fields(self, parameters, context, source):
        """(population field, area field or None, km² per unit of the area field, transform for the
        polygons' ellipsoidal area or None), refused when the layer has no population or no area."""
        fields = source.fields()
        pop_param = (self.parameterAsString(parameters, self.POPULATION_FIELD, context) or "").strip()
        if pop_param:
            pop_field = require_field(fields, pop_param, self.POPULATION_FIELD, True)
        else:
            pop_field = find_field(fields, *POPULATION_CANDIDATES)
            if pop_field is None:
                raise InputError(
                    ja="POPULATION_FIELD：人口の属性（pop_total または JINKO）がありません。"
                    "人口の属性を指定してください。",
                    en="POPULATION_FIELD: the layer has no population field (pop_total or JINKO): name one.",
                )
            pop_field = require_field(fields, pop_field, self.POPULATION_FIELD, True)
        area_param = (self.parameterAsString(parameters, self.AREA_FIELD, context) or "").strip()
        area_field = require_field(fields, area_param, self.AREA_FIELD, True) if area_param else None
        unit = AREA_UNITS[self.parameterAsEnum(parameters, self.AREA_UNIT, context)]
        if area_field is None and geometry_type(source.wkbType()) != 2:
            raise InputError(
                ja="AREA_FIELD：入力がポリゴンではないため面積を計算できません。面積の属性（km²）を指定してください。",
                en="AREA_FIELD: the input has no polygons to measure: give the area field (km²).",
            )
        transform = area_crs_transform(source.sourceCrs(), context) if area_field is None else None
        if area_field is None:
            checks.source_in_japan(source, context.transformContext(), "入力レイヤ", "the input layer")
        return pop_field, area_field, AREA_UNIT_TO_KM2[unit], transform

    def process(self, parameters, context, feedback):
        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise InputError(ja="入力レイヤを開けません。", en="Cannot open the input layer.")
        fields = source.fields()
        thresholds = threshold_values(self, parameters, context)
        pop_field, area_field, to_km2, transform = self._fields(parameters, context, source)
        # replace fields of the same name (e.g. a municipality table made by kaigo:sufficiencyrates)
        ours = {n for n, _k in DENSITY_FIELDS}
        keep_idx = [i for i, f in enumerate(fields) if f.name() not in ours]
        rows = _read(source, keep_idx, pop_field, area_field, to_km2, transform, feedback)
        check_areas(rows["area"], area_field)
        source_label = f"field:{area_field}" if area_field else "ellipsoid"
        pop_list = [None if np.isnan(p) else p for p in rows["pop"]]
        n_null = sum(p is None for p in pop_list)
        dens, cls, lab = density_columns(pop_list, [float(a) for a in rows["area"]], thresholds)
        if n_null:
            feedback.pushWarning(
                say(
                    f"人口が空（NULL）の {n_null} 行は人口密度も空です。",
                    f"{n_null} rows have a NULL population: their density is NULL.",
                )
            )
        check_cancel(feedback)
        all_fields = sink_fields([], extra=None)
        for i in keep_idx:
            all_fields.append(fields.at(i))
        for f in sink_fields(list(DENSITY_FIELDS), extra=None):
            all_fields.append(f)
        sink, dest_id = self.parameterAsSink(
            parameters, self.OUTPUT, context, all_fields, source.wkbType(), source.sourceCrs()
        )
        if sink is None:
            raise InputError(ja="出力を作成できません。", en="Cannot create the output layer.")
        counts = dict.fromkeys(CLASS_NUMBERS, 0)
        for k, (attrs, geom) in enumerate(zip(rows["attrs"], rows["geoms"])):
            f = QgsFeature(all_fields)
            f.setAttributes([*attrs, float(rows["area"][k]), source_label, dens[k], cls[k], lab[k]])
            if geom is not None:
                f.setGeometry(geom)
            sink.addFeature(f, QgsFeatureSink.Flag.FastInsert)
            if cls[k] is not None:
                counts[cls[k]] += 1
        feedback.pushInfo(class_counts_text(counts, thresholds, source_label, output_language()))
        feedback.setProgress(100)
        return {self.OUTPUT: dest_id}


def _read(source, keep_idx, pop_field, area_field, to_km2, transform, feedback) -> dict:
    """The kept attributes, geometry, population and area (km²) of every feature."""
    fields = source.fields()
    pop_i = fields.indexOf(pop_field)
    area_i = fields.indexOf(area_field) if area_field else -1
    request = QgsFeatureRequest()
    if area_field is not None:
        request.setFlags(QgsFeatureRequest.Flag.NoGeometry)
    n_total = source.featureCount()
    rows: dict = {"attrs": [], "geoms": [], "pop": []}
    areas: list[float] = []
    rings = RingCollector()
    features = source.getFeatures(request, QgsProcessingFeatureSource.Flag.FlagSkipGeometryValidityChecks)
    for k, feat in enumerate(features):
        if k % 1000 == 0:
            check_cancel(feedback)
            if n_total > 0:
                feedback.setProgress(80.0 * k / n_total)
        attrs = feat.attributes()
        rows["attrs"].append([attrs[i] for i in keep_idx])
        rows["geoms"].append(feat.geometry() if feat.hasGeometry() else None)
        rows["pop"].append(to_float(attrs[pop_i]))
        if area_field is not None:
            areas.append(to_float(attrs[area_i]) * to_km2)
        elif feat.hasGeometry():
            add_geometry_rings(rings, feat.geometry(), k, transform)
    if area_field is None:
        rows["area"] = rings.group_areas_m2(len(rows["pop"])) / 1e6
    else:
        rows["area"] = np.array(areas, dtype=float)
    return rows

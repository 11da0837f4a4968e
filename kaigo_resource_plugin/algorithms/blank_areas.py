"""kaigo:blankareas — which chōme have a resource within the radius (SPEC §1.2)."""

from __future__ import annotations

import numpy as np
from qgis.core import (
    QgsFeature,
    QgsFeatureRequest,
    QgsFeatureSink,
    QgsFields,
    QgsGeometry,
    QgsProcessing,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsWkbTypes,
)

from ..compat import geometry_type, make_field
from ..core.access import access_status, compute_access, safe_type_names
from ..core.errors import InputError
from .base import KaigoAlgorithm, check_cancel
from .layer_io import iterate, read_chome, read_resources


def result_field_names(type_names: list[str]) -> list[tuple[str, str]]:
    """(name, kind) of the fields added by blankareas: the "any" fields, then each type's."""
    out = []
    for suffix in [""] + [f"_{t}" for t in type_names]:
        out += [
            (f"has_access{suffix}", "int"),
            (f"n_within{suffix}", "int"),
            (f"nearest_m{suffix}", "double"),
            (f"status{suffix}", "string"),
        ]
    return out


class BlankAreasAlgorithm(KaigoAlgorithm):
    NAME = "blankareas"
    DISPLAY_NAME = "Blank areas (resources within a radius)"
    GROUP_ID = "analysis"
    GROUP = "Analysis"

    INPUT = "INPUT"
    RESOURCES = "RESOURCES"
    RADIUS = "RADIUS"
    KEY_FIELD = "KEY_FIELD"
    POINT_METHOD = "POINT_METHOD"
    CATEGORY_FIELD = "CATEGORY_FIELD"
    POPULATION_FIELD = "POPULATION_FIELD"
    TYPE_NAMES = "TYPE_NAMES"
    OUTPUT = "OUTPUT"

    def initAlgorithm(self, config=None):
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.INPUT,
                self.tr("Chōme layer (polygons, points, or a table with X_CODE/Y_CODE)"),
                [QgsProcessing.TypeVector],
            )
        )
        self.addParameter(
            QgsProcessingParameterMultipleLayers(
                self.RESOURCES,
                self.tr("Resource layers (one resource type per layer)"),
                QgsProcessing.TypeVectorAnyGeometry,
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.RADIUS,
                self.tr("Radius (metres, on the ellipsoid)"),
                QgsProcessingParameterNumber.Double,
                defaultValue=500.0,
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.KEY_FIELD,
                self.tr("Chōme key field"),
                defaultValue="KEY_CODE",
                parentLayerParameterName=self.INPUT,
                optional=True,  # QGIS 3.22 rejects a missing field parameter even with a default
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.POINT_METHOD,
                self.tr("Representative point"),
                options=[
                    self.tr("e-Stat X_CODE/Y_CODE (point on surface where missing)"),
                    self.tr("Point on surface"),
                    self.tr("Centroid"),
                ],
                defaultValue=0,
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.CATEGORY_FIELD,
                self.tr("Category field of the resource layers (splits them into types)"),
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.POPULATION_FIELD,
                self.tr("Population field (default pop_total, else JINKO)"),
                parentLayerParameterName=self.INPUT,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.TYPE_NAMES,
                self.tr("Type names for the field suffixes (comma-separated, optional)"),
                optional=True,
            )
        )
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, self.tr("Blank areas")))

    def run(self, parameters, context, feedback):
        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise InputError(
                ja="町丁字レイヤ INPUT を読み込めません。ファイルのパスと形式を確認してください。",
                en="The chōme layer INPUT cannot be read. Check its path and format.",
            )
        layers = self.parameterAsLayerList(parameters, self.RESOURCES, context)
        if not layers:
            raise InputError(
                ja="資源レイヤ RESOURCES を 1 つ以上指定してください"
                "（読み込めるファイルか確認してください）。",
                en="Give at least one readable resource layer in RESOURCES.",
            )
        radius = self.parameterAsDouble(parameters, self.RADIUS, context)
        if not (radius > 0.0) or not np.isfinite(radius):
            raise InputError(
                ja=f"半径 RADIUS は 0 より大きいメートル数にしてください（指定値: {radius:g}）。",
                en=f"RADIUS must be a number of metres greater than 0 (got {radius:g}).",
            )
        key_field = self.parameterAsString(parameters, self.KEY_FIELD, context) or "KEY_CODE"
        method = self.parameterAsEnum(parameters, self.POINT_METHOD, context)
        category = (self.parameterAsString(parameters, self.CATEGORY_FIELD, context) or "").strip() or None
        pop_field = self.parameterAsString(parameters, self.POPULATION_FIELD, context) or None
        type_names_param = self.parameterAsString(parameters, self.TYPE_NAMES, context) or ""

        tctx = context.transformContext()
        chome = read_chome(source, key_field, method, tctx, pop_field, feedback, (0.0, 30.0))
        check_cancel(feedback)
        res = read_resources(layers, tctx, category, feedback, (30.0, 45.0))
        check_cancel(feedback)
        for ja, en in chome.log + res.log:
            feedback.pushInfo(f"{ja} / {en}")

        safe = safe_type_names(res.type_names)
        if type_names_param.strip():
            given = [t.strip() for t in type_names_param.split(",")]
            if len(given) != len(safe):
                raise InputError(
                    ja=f"TYPE_NAMES の数（{len(given)}）が資源の種類の数（{len(safe)}: "
                    f"{', '.join(res.type_names)}）と一致しません。",
                    en=f"TYPE_NAMES has {len(given)} names but there are {len(safe)} resource types "
                    f"({', '.join(res.type_names)}).",
                )
            safe = safe_type_names(given)
        for raw, s in zip(res.type_names, safe):
            n_t = int((res.type_index == res.type_names.index(raw)).sum())
            feedback.pushInfo(f"資源の種類 / resource type: {raw} → _{s} ({n_t})")
        if chome.population_field:
            feedback.pushInfo(f"人口項目 / population field: {chome.population_field} (0 → no_population)")

        ok = np.isfinite(chome.lon) & np.isfinite(chome.lat)
        n_noxy = int((~ok).sum())
        if n_noxy:
            feedback.pushWarning(
                f"代表地点を決められない町丁字 {n_noxy} 件を除外しました / "
                f"{n_noxy} chōme without a representative point skipped."
            )
        if chome.method.size and (chome.method == 2).any() and chome.outside.any():
            feedback.pushWarning(
                f"重心がポリゴンの外にある町丁字: {int(chome.outside.sum())} 件 / "
                f"{int(chome.outside.sum())} centroids fall outside their chōme polygon."
            )

        def progress(frac: float) -> None:
            feedback.setProgress(45.0 + 35.0 * frac)

        result = compute_access(
            chome.lon[ok],
            chome.lat[ok],
            res.lon,
            res.lat,
            res.type_index,
            len(safe),
            radius,
            progress=progress,
            is_cancelled=feedback.isCanceled,
        )
        ng = len(chome.keys)
        n_types = len(safe)
        n_within = np.zeros((ng, n_types), dtype=np.int64)
        nearest = np.full((ng, n_types), np.nan)
        n_within[ok] = result.n_within
        nearest[ok] = result.nearest_m
        values = _result_rows(n_within, nearest, chome.population)
        check_cancel(feedback)

        # output: every input field (those named like a result field are replaced), then the results
        added = result_field_names(safe)
        added_lower = {n.lower() for n, _ in added}
        in_fields = source.fields()
        keep = [i for i, f in enumerate(in_fields) if f.name().lower() not in added_lower]
        replaced = [f.name() for i, f in enumerate(in_fields) if i not in keep]
        if replaced:
            feedback.pushInfo(f"上書きした項目 / replaced fields: {', '.join(replaced)}")
        out_fields = QgsFields()
        for i in keep:
            out_fields.append(in_fields[i])
        for name, kind in added:
            out_fields.append(make_field(name, kind))
        if chome.has_geometry:
            wkb = source.wkbType()
            if geometry_type(wkb) == 2:
                wkb = QgsWkbTypes.multiType(wkb)
        else:
            wkb = QgsWkbTypes.Point
        sink, dest_id = self.parameterAsSink(
            parameters, self.OUTPUT, context, out_fields, wkb, chome.point_crs
        )
        if sink is None:
            raise InputError(ja="出力 OUTPUT を作成できません。", en="The OUTPUT cannot be created.")
        _write(source, chome, ok, values, keep, out_fields, wkb, sink, feedback)
        n_blank = int(sum(1 for g in range(ng) if ok[g] and values[g][3] == "blank"))
        feedback.pushInfo(f"空白地域 / blank chōme: {n_blank} / {int(ok.sum())}")
        feedback.setProgress(100.0)
        return {self.OUTPUT: dest_id}


def _result_rows(n_within: np.ndarray, nearest: np.ndarray, population) -> list[list]:
    """Per chōme: [has_access, n_within, nearest_m, status] for "any", then for each type."""
    ng, n_types = n_within.shape
    cols = []
    any_n = n_within.sum(axis=1)
    with np.errstate(invalid="ignore"):
        near_fill = np.where(np.isnan(nearest), np.inf, nearest)
        any_near = near_fill.min(axis=1) if n_types else np.full(ng, np.inf)
    any_near[np.isinf(any_near)] = np.nan
    blocks = [(any_n, any_near)] + [(n_within[:, t], nearest[:, t]) for t in range(n_types)]
    for nw, nm in blocks:
        has = nw > 0
        cols.append(has.astype(int).tolist())
        cols.append(nw.tolist())
        nm_r = np.round(nm, 3)
        cols.append([None if v != v else v for v in nm_r.tolist()])
        cols.append(access_status(has, population).tolist())
    return [list(r) for r in zip(*cols)] if cols else [[] for _ in range(ng)]


def _write(source, chome, ok, values, keep, out_fields, wkb, sink, feedback) -> None:
    """Second pass over the chōme layer: one output feature per chōme (parts collected into one)."""
    group = chome.group
    fid_pos = {int(f): i for i, f in enumerate(chome.fids)}
    parts: dict[int, list] = {}
    is_multi_out = QgsWkbTypes.isMultiType(wkb) and geometry_type(wkb) == 2
    total = max(len(chome.fids), 1)
    req = QgsFeatureRequest()
    if not chome.has_geometry:
        req.setFlags(QgsFeatureRequest.NoGeometry)
    for k, f in enumerate(iterate(source, req)):
        if k % 5000 == 0:
            check_cancel(feedback)
            feedback.setProgress(80.0 + 20.0 * k / total)
        i = fid_pos.get(int(f.id()))
        if i is None:
            continue
        g = group[i]
        if g < 0 or not ok[g]:
            continue
        size = chome.size[g]
        if size > 1 and is_multi_out:
            geom = f.geometry()
            if geom is not None and not geom.isNull():
                parts.setdefault(g, []).append(geom)
        if chome.main[g] == i:
            attrs = f.attributes()
            parts.setdefault(-1 - g, [[attrs[j] for j in keep], f.geometry()])
        if i != chome.last[g]:
            continue  # a multi-part chōme is written at its last part
        head = parts.pop(-1 - g, None)
        if head is None:
            continue
        attrs, geom = head
        if size > 1 and is_multi_out:
            geoms = parts.pop(g, [])
            geom = QgsGeometry.collectGeometry(geoms) if geoms else geom
        out = QgsFeature(out_fields)
        out.setAttributes(attrs + values[g])
        if chome.has_geometry:
            if is_multi_out and geom is not None and not geom.isNull() and not geom.isMultipart():
                geom.convertToMultiType()
            out.setGeometry(geom)
        else:
            out.setGeometry(QgsGeometry.fromPointXY(_point(chome, g)))
        sink.addFeature(out, QgsFeatureSink.FastInsert)


def _point(chome, g: int):
    from qgis.core import QgsPointXY

    return QgsPointXY(float(chome.x[g]), float(chome.y[g]))

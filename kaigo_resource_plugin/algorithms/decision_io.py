"""Glue shared by kaigo:suggestsites and kaigo:resourceimpact: weighted chōme, resources, chōme output.

Parameters → plain arrays for ``core.covering``; nothing here decides an answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from qgis.core import (
    QgsFeatureRequest,
    QgsFeatureSink,
    QgsFields,
    QgsGeometry,
    QgsPointXY,
    QgsProcessing,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterNumber,
)
from qgis.PyQt.QtCore import QCoreApplication

from ..compat import WKB_NO_GEOMETRY, WKB_POINT, make_field
from ..core.codes import muni_code_from_key
from ..core.covering import check_weights, coverage_sets
from ..core.errors import InputError
from .base import check_cancel
from .layer_read import ChomePoints, iterate, plain_layer, read_chome, read_points

# ELDERLY_FIELD when none is given: the first of these that the layer has (SPEC §5).
WEIGHT_FIELDS = ("at_home_75plus", "pop_75plus", "JINKO")


def chome_parameters(resources_optional: bool = True) -> list:
    """INPUT, RESOURCES, RADIUS and ELDERLY_FIELD, the same in both algorithms."""
    return [
        QgsProcessingParameterFeatureSource(
            "INPUT",
            QCoreApplication.translate(
                "KaigoDecision", "Chōme layer with a weight (from kaigo:importestat or kaigo:blankareas)"
            ),
            [QgsProcessing.SourceType.TypeVector],
        ),
        QgsProcessingParameterMultipleLayers(
            "RESOURCES",
            QCoreApplication.translate("KaigoDecision", "Existing resources (one or more layers)"),
            QgsProcessing.SourceType.TypeVectorAnyGeometry,
            optional=resources_optional,
        ),
        QgsProcessingParameterNumber(
            "RADIUS",
            QCoreApplication.translate("KaigoDecision", "Radius (metres, on the ellipsoid)"),
            QgsProcessingParameterNumber.Type.Double,
            defaultValue=500.0,
            minValue=0.001,
        ),
        QgsProcessingParameterField(
            "ELDERLY_FIELD",
            QCoreApplication.translate(
                "KaigoDecision", "Weight field (default: at_home_75plus, else pop_75plus, else JINKO)"
            ),
            None,
            "INPUT",
            QgsProcessingParameterField.DataType.Numeric,
            optional=True,
        ),
    ]


def weight_field(names: list[str], given: str | None) -> str:
    """The ELDERLY_FIELD to use, or a bilingual refusal naming what to change."""
    if given:
        if given not in names:
            raise InputError(
                ja=f"ELDERLY_FIELD：重みの項目「{given}」が町丁字レイヤにありません。既存の数値項目を指定してください。",
                en=f"ELDERLY_FIELD: the chōme layer has no field '{given}'. Name one of its numeric fields.",
            )
        return given
    for name in WEIGHT_FIELDS:
        if name in names:
            return name
    raise InputError(
        ja="ELDERLY_FIELD：重みの項目（at_home_75plus、pop_75plus、JINKO のいずれか）がありません。"
        "kaigo:importestat で 75 歳以上人口を結合するか、重みとする数値項目を指定してください。",
        en="ELDERLY_FIELD: the layer has none of at_home_75plus, pop_75plus, JINKO. Join the 75+ "
        "population with kaigo:importestat, or name the numeric field to weigh the chōme by.",
    )


@dataclass
class WeightedChome:
    chome: ChomePoints
    ok: np.ndarray  # chōme with a representative point
    weights: np.ndarray  # per chōme, ≥ 0 (0 where unknown or without a point)
    weight_field: str
    muni: list[str | None]  # 5-digit municipality code per chōme (from the key)
    key_field: str


def read_weighted_chome(alg, parameters, context, feedback, progress_span=(0.0, 30.0)) -> WeightedChome:
    """Read INPUT: one representative point per chōme (as kaigo:blankareas does) and its weight."""
    source = alg.parameterAsSource(parameters, "INPUT", context)
    if source is None:
        raise InputError(
            ja="町丁字レイヤ INPUT を読み込めません。ファイルのパスと形式を確認してください。",
            en="The chōme layer INPUT cannot be read. Check its path and format.",
        )
    names = source.fields().names()
    given = (alg.parameterAsString(parameters, "ELDERLY_FIELD", context) or "").strip() or None
    wfield = weight_field(names, given)
    if not source.fields().field(wfield).isNumeric():
        raise InputError(
            ja=f"ELDERLY_FIELD：重みの項目「{wfield}」が数値ではありません。数値の項目を指定してください。",
            en=f"ELDERLY_FIELD: the weight field '{wfield}' is not numeric. Name a numeric field.",
        )
    key_field = (alg.parameterAsString(parameters, "KEY_FIELD", context) or "").strip() or "KEY_CODE"
    method = alg.parameterAsEnum(parameters, "POINT_METHOD", context)
    fast = plain_layer(parameters.get("INPUT"), alg.parameterAsVectorLayer(parameters, "INPUT", context))
    chome = read_chome(
        source, key_field, method, context.transformContext(), wfield, feedback, progress_span, fast
    )
    check_cancel(feedback)
    for ja, en in chome.log:
        feedback.pushInfo(f"{ja} / {en}")
    ok = np.isfinite(chome.lon) & np.isfinite(chome.lat)
    raw = chome.population if chome.population is not None else np.zeros(len(chome.keys))
    weights = check_weights(np.where(ok, raw, 0.0), "ELDERLY_FIELD " + wfield)
    n_unknown = int((ok & ~np.isfinite(raw)).sum())
    if n_unknown:
        feedback.pushWarning(
            f"重み {wfield} が空の町丁字 {n_unknown} 件は 0 として数えます。 / "
            f"{n_unknown} chōme without a value in {wfield} count as 0."
        )
    if not ok.any():
        raise InputError(
            ja="町丁字レイヤ INPUT に代表地点を決められる町丁字がありません。レイヤとフィルタを確認してください。",
            en="The chōme layer INPUT has no chōme with a representative point. Check the layer and its filter.",
        )
    feedback.pushInfo(f"重み / weight: {wfield}（合計 / total {weights.sum():,.0f}）")
    muni = [muni_code_from_key(k) for k in chome.keys]
    return WeightedChome(chome, ok, weights, wfield, muni, key_field)


@dataclass
class LayerFeaturesPoints:
    """Points of the features of several layers, with where each came from."""

    lon: np.ndarray
    lat: np.ndarray
    layer: np.ndarray  # index into ``layers``
    fid: np.ndarray  # feature id in its layer
    layers: list


def read_layers_points(layers, context, feedback, what: str) -> LayerFeaturesPoints:
    """One lon/lat point (JGD2011) per feature of each layer; refuses a layer without CRS."""
    lons, lats, lay, fids = [], [], [], []
    for li, layer in enumerate(layers):
        name = layer.name() if hasattr(layer, "name") else f"layer{li + 1}"
        if layer.featureCount() == 0:
            continue
        if layer.wkbType() == WKB_NO_GEOMETRY:
            raise InputError(
                ja=f"{what}「{name}」にジオメトリがありません。点（またはポリゴン）のレイヤを指定してください。",
                en=f"{what} '{name}' has no geometry. Use a point (or polygon) layer.",
            )
        crs = layer.crs() if hasattr(layer, "crs") else layer.sourceCrs()
        if not crs.isValid():
            raise InputError(
                ja=f"{what}「{name}」に座標参照系（CRS）が設定されていません。レイヤのプロパティで CRS を設定してください。",
                en=f"{what} '{name}' has no coordinate reference system (CRS). Set its CRS in the layer "
                "properties.",
            )
        pts = read_points(layer, [], "surface", to_geographic=context.transformContext(), feedback=feedback)
        good = np.isfinite(pts.x) & np.isfinite(pts.y)
        skipped = int((~good).sum())
        if skipped:
            feedback.pushWarning(
                f"{what}「{name}」のジオメトリが空または不正な地物 {skipped} 件を除外しました。 / "
                f"{skipped} features of {name} with NULL or invalid geometry skipped."
            )
        lons.append(pts.x[good])
        lats.append(pts.y[good])
        lay.append(np.full(int(good.sum()), li, dtype=np.int64))
        fids.append(pts.fids[good])
    cat = np.concatenate
    return LayerFeaturesPoints(
        cat(lons) if lons else np.zeros(0),
        cat(lats) if lats else np.zeros(0),
        cat(lay) if lay else np.zeros(0, dtype=np.int64),
        cat(fids) if fids else np.zeros(0, dtype=np.int64),
        list(layers),
    )


def write_chome(alg, parameters, context, feedback, wc: WeightedChome, added: list[tuple[str, str]], values):
    """OUTPUT_CHOME: every feature of INPUT with its fields and ``added`` fields (``values[chōme]``).

    Parts of a multi-part chōme each carry their chōme's values; water areas and features without a
    key get NULL. A table without geometry gets the representative point.
    """
    source = alg.parameterAsSource(parameters, "INPUT", context)
    in_fields = source.fields()
    added_lower = {n.lower() for n, _ in added}
    keep = [i for i, f in enumerate(in_fields) if f.name().lower() not in added_lower]
    out_fields = QgsFields()
    for i in keep:
        out_fields.append(in_fields[i])
    for name, kind in added:
        out_fields.append(make_field(name, kind))
    chome = wc.chome
    wkb = source.wkbType() if chome.has_geometry else WKB_POINT
    sink, dest_id = alg.parameterAsSink(parameters, "OUTPUT_CHOME", context, out_fields, wkb, chome.point_crs)
    if sink is None:
        raise InputError(ja="出力 OUTPUT_CHOME を作成できません。", en="The OUTPUT_CHOME cannot be created.")
    group_of = dict(zip(chome.fids.tolist(), chome.group.tolist()))
    nulls = [None] * len(added)
    req = QgsFeatureRequest()
    if not chome.has_geometry:
        req.setFlags(QgsFeatureRequest.Flag.NoGeometry)
    batch = []
    for k, f in enumerate(iterate(source, req)):
        if k % 5000 == 0:
            check_cancel(feedback)
        g = group_of.get(f.id(), -1)
        vals = values[g] if g >= 0 else nulls
        attrs = f.attributes()
        f.setFields(out_fields, False)
        f.setAttributes([attrs[i] for i in keep] + list(vals))
        if not chome.has_geometry:
            if g >= 0:
                f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(float(chome.x[g]), float(chome.y[g]))))
            else:
                f.setGeometry(QgsGeometry())
        batch.append(f)
        if len(batch) == 256:
            sink.addFeatures(batch, QgsFeatureSink.Flag.FastInsert)
            batch = []
    if batch:
        sink.addFeatures(batch, QgsFeatureSink.Flag.FastInsert)
    return dest_id


def chome_coverage(chome, ok, lon, lat, radius: float, feedback):
    """core.covering.coverage_sets of the points (``lon``, ``lat``) over the chōme with a point (``ok``),
    with the chōme numbered as in ``chome`` (all of them)."""
    idx_ok = np.flatnonzero(ok)
    cov = coverage_sets(chome.lon[ok], chome.lat[ok], lon, lat, radius, is_cancelled=feedback.isCanceled)
    cov.chome = idx_ok[cov.chome]
    near = cov.nearest_chome
    hit = near >= 0
    cov.nearest_chome = np.full(near.shape, -1, dtype=np.int64)
    cov.nearest_chome[hit] = idx_ok[near[hit]]
    cov.n_chome = len(chome.keys)
    return cov

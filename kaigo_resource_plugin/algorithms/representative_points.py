"""kaigo:representativepoints — one representative point (代表地点) per chōme key (SPEC §1.1)."""

from __future__ import annotations

import numpy as np
from qgis.core import (
    QgsFeature,
    QgsFeatureRequest,
    QgsFeatureSink,
    QgsFields,
    QgsGeometry,
    QgsPointXY,
    QgsProcessing,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
)

from ..compat import WKB_POINT, make_field
from ..core.errors import Cancelled, InputError
from ..core.repoints import METHOD_NAMES
from ..i18n_loader import say
from .base import KaigoAlgorithm, check_cancel, chome_point_parameters
from .layer_read import iterate, plain_layer, read_chome, unreadable_chome_message
from .outputs import gc_paused, remove_partial_output

ADDED_FIELDS = (
    ("rep_method", "string"),
    ("centroid_outside", "int"),
    ("n_parts", "int"),
    ("rep_lon", "double"),
    ("rep_lat", "double"),
)


class RepresentativePointsAlgorithm(KaigoAlgorithm):
    NAME = "representativepoints"
    DISPLAY_NAME = "Representative points of chōme"

    INPUT = "INPUT"
    KEY_FIELD = "KEY_FIELD"
    POINT_METHOD = "POINT_METHOD"
    OUTPUT = "OUTPUT"

    def initAlgorithm(self, config=None):
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.INPUT,
                self.tr("Chōme layer (polygons, points, or a table with X_CODE/Y_CODE)"),
                [QgsProcessing.SourceType.TypeVector],
            )
        )
        for parameter in chome_point_parameters(self.INPUT):
            self.addParameter(parameter)
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT, self.tr("Representative points"), QgsProcessing.SourceType.TypeVectorPoint
            )
        )

    def checkParameterValues(self, parameters, context):  # noqa: N802
        message = unreadable_chome_message(parameters, context, self.INPUT)
        if message:
            return False, message
        return super().checkParameterValues(parameters, context)

    def process(self, parameters, context, feedback):
        with gc_paused():
            return self._run(parameters, context, feedback)

    def _run(self, parameters, context, feedback):
        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise InputError(
                ja="町丁字レイヤ INPUT を読み込めません。ファイルのパスと形式を確認してください。",
                en="The chōme layer INPUT cannot be read. Check its path and format.",
            )
        key_field = self.parameterAsString(parameters, self.KEY_FIELD, context) or "KEY_CODE"
        method = self.parameterAsEnum(parameters, self.POINT_METHOD, context)
        fast_layer = plain_layer(
            parameters.get(self.INPUT), self.parameterAsVectorLayer(parameters, self.INPUT, context)
        )
        chome = read_chome(
            source, key_field, method, context.transformContext(), None, feedback, (0, 60), fast_layer
        )
        for ja, en in chome.log:
            feedback.pushInfo(say(ja, en))
        check_cancel(feedback)
        ok = np.isfinite(chome.x) & np.isfinite(chome.y) & np.isfinite(chome.lon)
        if (~ok).any():
            feedback.pushWarning(
                f"代表地点を決められない町丁字 {int((~ok).sum())} 件を除外しました / "
                f"{int((~ok).sum())} chōme without a representative point skipped."
            )
        n_out = int(chome.outside.sum())
        if n_out:
            feedback.pushWarning(
                f"重心がポリゴンの外にある町丁字が {n_out} 件あります（centroid_outside = 1）。"
                "「ポリゴン内の点」を使うと必ず内側になります。 / "
                f"{n_out} centroids fall outside their chōme (centroid_outside = 1); "
                "'Point on surface' is always inside."
            )

        in_fields = source.fields()
        added_names = {n.lower() for n, _ in ADDED_FIELDS}
        keep = [i for i, f in enumerate(in_fields) if f.name().lower() not in added_names]
        out_fields = QgsFields()
        for i in keep:
            out_fields.append(in_fields[i])
        for name, kind in ADDED_FIELDS:
            out_fields.append(make_field(name, kind))

        sink, dest_id = self.parameterAsSink(
            parameters, self.OUTPUT, context, out_fields, WKB_POINT, chome.point_crs
        )
        if sink is None:
            raise InputError(ja="出力 OUTPUT を作成できません。", en="The OUTPUT cannot be created.")
        try:
            _write_points(source, chome, ok, keep, out_fields, sink, feedback)
        except Cancelled:
            sink = None  # closes the file, so that it can be removed
            remove_partial_output(dest_id)
            raise
        feedback.pushInfo(say(f"代表地点: {int(ok.sum())}", f"representative points: {int(ok.sum())}"))
        return {self.OUTPUT: dest_id}


def _write_points(source, chome, ok, keep, out_fields, sink, feedback) -> None:
    """One point per chōme with a representative point, carrying the attributes of its main part."""
    main_fid = {int(chome.fids[m]): g for g, m in enumerate(chome.main) if ok[g]}  # main part → chōme
    req = QgsFeatureRequest().setFlags(QgsFeatureRequest.Flag.NoGeometry)
    req.setFilterFids(list(main_fid))
    total = max(len(main_fid), 1)
    method_names = [METHOD_NAMES[int(m)] for m in chome.method.tolist()]
    for k, f in enumerate(iterate(source, req)):
        if k % 2000 == 0:
            feedback.setProgress(60.0 + 40.0 * k / total)
            check_cancel(feedback)
        g = main_fid.get(int(f.id()))
        if g is None:
            continue
        attrs = f.attributes()
        out = QgsFeature(out_fields)
        out.setAttributes(
            [attrs[i] for i in keep]
            + [
                method_names[g],
                int(bool(chome.outside[g])),
                int(chome.size[g]),
                round(float(chome.lon[g]), 8),
                round(float(chome.lat[g]), 8),
            ]
        )
        out.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(float(chome.x[g]), float(chome.y[g]))))
        sink.addFeature(out, QgsFeatureSink.Flag.FastInsert)

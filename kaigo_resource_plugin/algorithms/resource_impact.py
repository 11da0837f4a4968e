"""kaigo:resourceimpact — what each resource is worth, and what closing some of them costs (SPEC §5)."""

from __future__ import annotations

import numpy as np
from qgis.core import (
    QgsExpression,
    QgsFeature,
    QgsFeatureRequest,
    QgsFeatureSink,
    QgsFields,
    QgsGeometry,
    QgsPointXY,
    QgsProcessing,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterString,
)

from ..compat import WKB_NO_GEOMETRY, WKB_POINT, make_field
from ..core.contract import MUNI_CODE
from ..core.covering import closure_rows, covered_mask, rates_by_group, resource_impact
from ..core.errors import InputError
from .base import KaigoAlgorithm, check_cancel, chome_point_parameters
from .crs import geographic_crs
from .decision_io import chome_coverage, chome_parameters, read_layers_points, read_weighted_chome
from .glue import check_metres
from .layer_read import iterate
from .outputs import gc_paused

RESOURCE_FIELDS = [
    ("layer", "string"),
    ("source_fid", "longlong"),
    ("n_chome_covered", "int"),
    ("elderly_covered", "double"),
    ("elderly_only_here", "double"),
    ("closed", "int"),
]
MUNI_FIELDS = [
    (MUNI_CODE, "string"),
    ("elderly_total", "double"),
    ("elderly_with_access_before", "double"),
    ("elderly_with_access_after", "double"),
    ("elderly_losing_access", "double"),
    ("rate_before_pct", "double"),
    ("rate_after_pct", "double"),
    ("rate_diff_pct", "double"),
]


class ResourceImpactAlgorithm(KaigoAlgorithm):
    NAME = "resourceimpact"
    DISPLAY_NAME = "Resource impact (what each resource covers alone; closures)"

    INPUT = "INPUT"
    RESOURCES = "RESOURCES"
    RADIUS = "RADIUS"
    ELDERLY_FIELD = "ELDERLY_FIELD"
    CLOSED = "CLOSED"
    CLOSED_SELECTED = "CLOSED_SELECTED"
    OUTPUT = "OUTPUT"
    OUTPUT_MUNICIPALITIES = "OUTPUT_MUNICIPALITIES"

    def initAlgorithm(self, config=None):  # noqa: N802
        for parameter in chome_parameters(resources_optional=False):
            self.addParameter(parameter)
        self.addParameter(
            QgsProcessingParameterString(
                self.CLOSED,
                self.tr("Resources that close: an expression on the resource layers (e.g. \"name\" = 'A')"),
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.CLOSED_SELECTED, self.tr("The selected resources close"), False
            )
        )
        for parameter in chome_point_parameters(self.INPUT):
            self.addParameter(parameter)
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT,
                self.tr("Resources with their coverage"),
                QgsProcessing.SourceType.TypeVectorPoint,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT_MUNICIPALITIES,
                self.tr("Rates per municipality before and after the closures"),
                QgsProcessing.SourceType.TypeVector,
            )
        )

    def process(self, parameters, context, feedback):
        with gc_paused():
            return self._run(parameters, context, feedback)

    def _closed_fids(self, layers, expression: str, selected: bool) -> list[set]:
        out = []
        expr = None
        if expression:
            expr = QgsExpression(expression)
            if expr.hasParserError():
                raise InputError(
                    ja=f"CLOSED の式を解釈できません: {expr.parserErrorString()}。式を確認してください"
                    f"（例: \"name\" = '店A'）。",
                    en=f"CLOSED is not a valid expression: {expr.parserErrorString()}. Check it "
                    "(e.g. \"name\" = 'Shop A').",
                )
        for layer in layers:
            fids: set = set()
            if selected and hasattr(layer, "selectedFeatureIds"):
                fids |= set(layer.selectedFeatureIds())
            if expr is not None:
                req = QgsFeatureRequest().setFilterExpression(expression)
                req.setFlags(QgsFeatureRequest.Flag.NoGeometry)
                fids |= {f.id() for f in iterate(layer, req)}
            out.append(fids)
        return out

    def _run(self, parameters, context, feedback):
        radius = self.parameterAsDouble(parameters, self.RADIUS, context)
        check_metres("RADIUS", radius, "半径 ")
        layers = self.parameterAsLayerList(parameters, self.RESOURCES, context) or []
        if not layers:
            raise InputError(
                ja="資源レイヤ RESOURCES を 1 つ以上指定してください（読み込めるファイルか確認してください）。",
                en="Give at least one readable resource layer in RESOURCES.",
            )
        expression = (self.parameterAsString(parameters, self.CLOSED, context) or "").strip()
        selected = self.parameterAsBoolean(parameters, self.CLOSED_SELECTED, context)
        closed_sets = self._closed_fids(layers, expression, selected)

        wc = read_weighted_chome(self, parameters, context, feedback, (0.0, 30.0))
        chome, ok, w = wc.chome, wc.ok, wc.weights
        res = read_layers_points(layers, context, feedback, "資源レイヤ / resource layer")
        if res.lon.size == 0:
            feedback.pushWarning(
                "資源レイヤに使える地物がありません。すべての町丁字が空白地域です。 / "
                "The resource layers have no usable feature: every chōme is blank."
            )
        check_cancel(feedback)
        cov = chome_coverage(chome, ok, res.lon, res.lat, radius, feedback)
        feedback.setProgress(60.0)
        imp = resource_impact(cov, w)
        closed = np.array(
            [int(f) in closed_sets[int(li)] for li, f in zip(res.layer.tolist(), res.fid.tolist())],
            dtype=bool,
        )
        before = covered_mask(cov)
        after = covered_mask(cov, ~closed)
        feedback.pushInfo(
            f"閉鎖する資源 / closing resources: {int(closed.sum())} / {res.lon.size}; "
            f"アクセスを失う重み / weight losing access: {w[before & ~after].sum():,.1f}"
        )
        if (expression or selected) and not closed.any():
            feedback.pushWarning(
                "CLOSED に当てはまる資源がありません。前後の充足率は同じです。 / "
                "No resource matches CLOSED: the rates before and after are the same."
            )
        rows = closure_rows(
            rates_by_group(wc.muni, np.where(ok, w, 0.0), before),
            rates_by_group(wc.muni, np.where(ok, w, 0.0), after),
        )
        check_cancel(feedback)
        dest = self._write_resources(parameters, context, layers, res, imp, closed, feedback)
        mdest = self._write_municipalities(parameters, context, rows, feedback)
        feedback.setProgress(100.0)
        return {self.OUTPUT: dest, self.OUTPUT_MUNICIPALITIES: mdest}

    def _write_resources(self, parameters, context, layers, res, imp, closed, feedback):
        """OUTPUT: every resource as a lon/lat point with its coverage, then the layers' own fields."""
        fields = QgsFields()
        for name, kind in RESOURCE_FIELDS:
            fields.append(make_field(name, kind))
        taken = {n for n, _ in RESOURCE_FIELDS}
        extra: list[str] = []  # names of the layers' own fields, first layer's spelling
        seen: set = set()
        for layer in layers:
            for f in layer.fields():
                if f.name().lower() in taken or f.name().lower() in seen:
                    continue
                seen.add(f.name().lower())
                fields.append(f)
                extra.append(f.name())
        sink, dest = self.parameterAsSink(
            parameters, self.OUTPUT, context, fields, WKB_POINT, geographic_crs()
        )
        if sink is None:
            raise InputError(ja="出力 OUTPUT を作成できません。", en="The OUTPUT cannot be created.")
        for li, layer in enumerate(layers):
            sel = np.flatnonzero(res.layer == li)
            if sel.size == 0:
                continue
            names = layer.fields().names()
            pos = [names.index(name) if name in names else -1 for name in extra]
            row_of = dict(zip(res.fid[sel].tolist(), sel.tolist()))
            req = QgsFeatureRequest().setFlags(QgsFeatureRequest.Flag.NoGeometry)
            for f in iterate(layer, req):
                k = row_of.get(f.id())
                if k is None:
                    continue
                attrs = f.attributes()
                out = QgsFeature(fields)
                out.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(float(res.lon[k]), float(res.lat[k]))))
                coverage = [
                    layer.name(),
                    int(f.id()),
                    int(imp.n_chome_covered[k]),
                    float(imp.elderly_covered[k]),
                    float(imp.elderly_only_here[k]),
                    int(closed[k]),
                ]
                out.setAttributes(coverage + [attrs[i] if i >= 0 else None for i in pos])
                sink.addFeature(out, QgsFeatureSink.Flag.FastInsert)
            check_cancel(feedback)
        sink = None
        return dest

    def _write_municipalities(self, parameters, context, rows, feedback):
        """OUTPUT_MUNICIPALITIES: the rates before and after the closures; the changes in the log."""
        mfields = QgsFields()
        for name, kind in MUNI_FIELDS:
            mfields.append(make_field(name, kind))
        msink, mdest = self.parameterAsSink(
            parameters, self.OUTPUT_MUNICIPALITIES, context, mfields, WKB_NO_GEOMETRY, geographic_crs()
        )
        if msink is None:
            raise InputError(
                ja="出力 OUTPUT_MUNICIPALITIES を作成できません。",
                en="The OUTPUT_MUNICIPALITIES cannot be created.",
            )
        for row in rows:
            out = QgsFeature(mfields)
            out.setAttributes(row)
            if not msink.addFeature(out, QgsFeatureSink.Flag.FastInsert):
                raise InputError(
                    ja=f"OUTPUT_MUNICIPALITIES に書き込めません: {msink.lastError()}",
                    en=f"Cannot write to OUTPUT_MUNICIPALITIES: {msink.lastError()}",
                )
            code, rate_b, rate_a, diff = row[0], row[5], row[6], row[7]
            if diff:
                feedback.pushInfo(f"{code}: {rate_b:.2f} % → {rate_a:.2f} % ({diff:+.2f})")
        msink = None
        return mdest

"""kaigo:suggestsites — where N more sites would reach the most uncovered weight (SPEC §5)."""

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
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterNumber,
)

from ..compat import WKB_POINT, make_field
from ..core.access import within_pairs
from ..core.covering import check_n_sites, greedy_cover, greedy_per_group, municipality_groups, site_rows
from ..core.errors import InputError
from .base import KaigoAlgorithm, check_cancel, chome_point_parameters
from .decision_io import (
    chome_coverage,
    chome_parameters,
    read_layers_points,
    read_weighted_chome,
    write_chome,
)
from .glue import check_metres
from .layer_read import iterate
from .outputs import gc_paused

SITE_FIELDS = [
    ("rank", "int"),
    ("gain", "double"),
    ("covered_total", "double"),
    ("rate_after_pct", "double"),
    ("muni_code", "string"),
]
CHOME_FIELDS = [("covered_by_rank", "int"), ("covered_before", "int")]


class SuggestSitesAlgorithm(KaigoAlgorithm):
    NAME = "suggestsites"
    DISPLAY_NAME = "Suggest sites (maximal covering, greedy)"

    INPUT = "INPUT"
    RESOURCES = "RESOURCES"
    CANDIDATES = "CANDIDATES"
    N_SITES = "N_SITES"
    RADIUS = "RADIUS"
    ELDERLY_FIELD = "ELDERLY_FIELD"
    PER_MUNICIPALITY = "PER_MUNICIPALITY"
    TARGET_RATE = "TARGET_RATE"
    OUTPUT = "OUTPUT"
    OUTPUT_CHOME = "OUTPUT_CHOME"

    def initAlgorithm(self, config=None):  # noqa: N802
        for parameter in chome_parameters():
            self.addParameter(parameter)
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.CANDIDATES,
                self.tr("Candidate sites (points; default: the representative points of the blank chōme)"),
                [QgsProcessing.SourceType.TypeVectorPoint],
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.N_SITES,
                self.tr("Number of sites to suggest"),
                QgsProcessingParameterNumber.Type.Integer,
                defaultValue=5,
                minValue=1,
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.PER_MUNICIPALITY, self.tr("N sites in each municipality (instead of N in all)"), False
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.TARGET_RATE,
                self.tr("Stop when the rate reaches (%, optional)"),
                QgsProcessingParameterNumber.Type.Double,
                defaultValue=None,
                optional=True,
                minValue=0.0,
                maxValue=100.0,
            )
        )
        for parameter in chome_point_parameters(self.INPUT):
            self.addParameter(parameter)
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT, self.tr("Suggested sites"), QgsProcessing.SourceType.TypeVectorPoint
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT_CHOME,
                self.tr("Chōme with the rank of the site that covers them"),
                QgsProcessing.SourceType.TypeVectorAnyGeometry,
            )
        )

    def process(self, parameters, context, feedback):
        with gc_paused():
            return self._run(parameters, context, feedback)

    def _run(self, parameters, context, feedback):
        n_sites = check_n_sites(self.parameterAsInt(parameters, self.N_SITES, context))
        radius = self.parameterAsDouble(parameters, self.RADIUS, context)
        check_metres("RADIUS", radius, "半径 ")
        per_muni = self.parameterAsBoolean(parameters, self.PER_MUNICIPALITY, context)
        target = None
        if parameters.get(self.TARGET_RATE) not in (None, ""):
            target = self.parameterAsDouble(parameters, self.TARGET_RATE, context)
        cand_source = self._candidate_source(parameters, context)
        wc = read_weighted_chome(self, parameters, context, feedback, (0.0, 25.0))
        chome, ok, w = wc.chome, wc.ok, wc.weights
        layers = self.parameterAsLayerList(parameters, self.RESOURCES, context) or []
        res = read_layers_points(layers, context, feedback, "資源レイヤ / resource layer")
        check_cancel(feedback)
        feedback.setProgress(30.0)
        # chōme covered now (any resource within the radius): the same test as kaigo:blankareas
        covered0 = np.zeros(len(chome.keys), dtype=bool)
        qi, _, _ = within_pairs(chome.lon[ok], chome.lat[ok], res.lon, res.lat, radius)
        covered0[np.flatnonzero(ok)[qi]] = True
        feedback.setProgress(40.0)
        cand = _candidates(cand_source, chome, ok & ~covered0 & (w > 0), context, feedback)
        check_cancel(feedback)
        # coverage sets: the chōme (with a point) within the radius of each candidate
        cov = chome_coverage(chome, ok, cand["lon"], cand["lat"], radius, feedback)
        feedback.setProgress(60.0)
        # a candidate's municipality: its own chōme (blank-chōme candidates), else the nearest chōme
        near = cand["chome"] if cand["chome"] is not None else cov.nearest_chome
        cand["muni"] = [wc.muni[i] if i >= 0 else None for i in near.tolist()]
        if per_muni:
            codes, cg, kg = municipality_groups(wc.muni, ok, cand["muni"])
            results = greedy_per_group(cov, w, n_sites, cg, kg, covered0, target, feedback.isCanceled)
            runs = [(codes[g], r) for g, r in results.items() if g < len(codes)]
        else:
            runs = [(None, greedy_cover(cov, w, n_sites, covered0, target, is_cancelled=feedback.isCanceled))]
        feedback.setProgress(75.0)
        # one row per site, in order; covered_by_rank per chōme (1-based rank; in per-municipality mode
        # the rank within the chōme's own municipality)
        rows = site_rows(runs)
        # covered_by is one array for all municipalities (each chōme is set by its own municipality's run)
        rank_of = runs[0][1].covered_by + 1 if runs else np.zeros(len(chome.keys), dtype=np.int64)
        _log_sites(rows, chome, cand, w, covered0, feedback)
        check_cancel(feedback)
        # outputs (only now: everything above may refuse)
        dest = self._write_sites(parameters, context, rows, cand_source, cand, wc)
        feedback.setProgress(85.0)
        values = [
            (int(rank_of[g]) if rank_of[g] > 0 else None, int(covered0[g]) if ok[g] else None)
            for g in range(len(chome.keys))
        ]
        dest_chome = write_chome(self, parameters, context, feedback, wc, CHOME_FIELDS, values)
        feedback.setProgress(100.0)
        return {self.OUTPUT: dest, self.OUTPUT_CHOME: dest_chome}

    def _candidate_source(self, parameters, context):
        """The CANDIDATES layer, or None (the representative points of the blank chōme are the candidates)."""
        if parameters.get(self.CANDIDATES) in (None, ""):
            return None
        cand_source = self.parameterAsSource(parameters, self.CANDIDATES, context)
        if cand_source is None:
            raise InputError(
                ja="候補地レイヤ CANDIDATES を読み込めません。ファイルのパスと形式を確認してください。",
                en="The candidate layer CANDIDATES cannot be read. Check its path and format.",
            )
        if cand_source.featureCount() == 0:
            raise InputError(
                ja="候補地レイヤ CANDIDATES に地物がありません。候補地の点を入れるか、"
                "CANDIDATES を空にして空白地域の代表地点を候補にしてください。",
                en="The candidate layer CANDIDATES has no feature. Add candidate points, or leave "
                "CANDIDATES empty to use the representative points of the blank chōme.",
            )
        if not cand_source.sourceCrs().isValid():
            raise InputError(
                ja="候補地レイヤ CANDIDATES に座標参照系（CRS）が設定されていません。"
                "レイヤのプロパティで CRS を設定してください。",
                en="The candidate layer CANDIDATES has no coordinate reference system (CRS). Set its CRS "
                "in the layer properties.",
            )
        return cand_source

    def _write_sites(self, parameters, context, rows, cand_source, cand, wc):
        """OUTPUT: one point per suggested site, with the candidate layer's fields (or the chōme key)."""
        chome = wc.chome
        site_fields = QgsFields()
        for name, kind in SITE_FIELDS:
            site_fields.append(make_field(name, kind))
        taken = {n for n, _ in SITE_FIELDS}
        if cand_source is None:
            site_fields.append(
                make_field(wc.key_field if wc.key_field not in taken else "chome_key", "string")
            )
            keep = []
            crs = chome.point_crs
        else:
            in_fields = cand_source.fields()
            keep = [i for i, f in enumerate(in_fields) if f.name().lower() not in taken]
            for i in keep:
                site_fields.append(in_fields[i])
            crs = cand_source.sourceCrs()
        sink, dest = self.parameterAsSink(parameters, self.OUTPUT, context, site_fields, WKB_POINT, crs)
        if sink is None:
            raise InputError(ja="出力 OUTPUT を作成できません。", en="The OUTPUT cannot be created.")
        feats = {}
        if cand_source is not None and rows:
            req = QgsFeatureRequest().setFilterFids([int(cand["fids"][row[0]]) for row in rows])
            feats = {f.id(): f for f in iterate(cand_source, req)}
        for j, rank, gain, tot, rate, code in rows:
            out = QgsFeature(site_fields)
            muni = code if code is not None else cand["muni"][j]
            head = [rank, gain, tot, rate if np.isfinite(rate) else None, muni]
            if cand_source is None:
                g = int(cand["chome"][j])
                out.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(float(chome.x[g]), float(chome.y[g]))))
                out.setAttributes(head + [chome.keys[g]])
            else:
                f = feats[int(cand["fids"][j])]
                attrs = f.attributes()
                out.setGeometry(f.geometry())
                out.setAttributes(head + [attrs[i] for i in keep])
            sink.addFeature(out, QgsFeatureSink.Flag.FastInsert)
        sink = None
        return dest


def _candidates(cand_source, chome, blank, context, feedback) -> dict:
    """The candidate sites: lon, lat, and their chōme (blank-chōme candidates) or feature ids (CANDIDATES)."""
    if cand_source is None:
        cand_chome = np.flatnonzero(blank)
        feedback.pushInfo(
            f"候補地: 空白地域の代表地点 {cand_chome.size} 件 / candidates: the representative points "
            f"of the {cand_chome.size} blank chōme"
        )
        return {"lon": chome.lon[cand_chome], "lat": chome.lat[cand_chome], "chome": cand_chome, "fids": None}
    pts = read_layers_points([cand_source], context, feedback, "候補地 / candidate")
    if pts.lon.size == 0:
        raise InputError(
            ja="候補地レイヤ CANDIDATES に使える点がありません（ジオメトリが空または不正）。",
            en="The candidate layer CANDIDATES has no usable point (NULL or invalid geometries).",
        )
    feedback.pushInfo(f"候補地 / candidates: {pts.lon.size}")
    return {"lon": pts.lon, "lat": pts.lat, "chome": None, "fids": pts.fid}


def _log_sites(rows, chome, cand, w, covered0, feedback) -> None:
    for j, rank, gain, tot, rate, code in rows:
        muni = code if code is not None else cand["muni"][j]
        where = chome.keys[cand["chome"][j]] if cand["chome"] is not None else f"fid {int(cand['fids'][j])}"
        feedback.pushInfo(
            f"{'[' + code + '] ' if code else ''}#{rank}: {where} ({cand['lon'][j]:.6f}, {cand['lat'][j]:.6f}) "
            f"muni {muni or '-'}: +{gain:,.1f} → {tot:,.1f} ({rate:.2f} %)"
        )
    total = float(w.sum())
    before = float(w[covered0].sum())
    after = before + sum(row[2] for row in rows)
    if total > 0:
        feedback.pushInfo(
            f"充足率 / rate: {100 * before / total:.2f} % → {100 * after / total:.2f} % （{len(rows)} 地点 / sites）"
        )
    if not rows:
        feedback.pushWarning(
            "新たに覆える重みのある候補地がありません（すべて資源の範囲内か、候補地の半径内に町丁字がありません）。 / "
            "No candidate reaches any uncovered weight: no site is suggested."
        )

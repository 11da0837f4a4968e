"""kaigo:blankareas — which chōme have a resource within the radius (SPEC §1.2)."""

from __future__ import annotations

import threading

import numpy as np
from qgis.core import (
    QgsFeatureRequest,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterNumber,
)

from ..compat import variant
from ..core.access import access_status, compute_access
from ..core.contract import HAS_ACCESS, N_WITHIN, NEAREST_M, STATUS
from ..core.errors import Cancelled, InputError
from ..i18n_loader import say
from . import access_io
from .base import KaigoAlgorithm, check_cancel, chome_point_parameters
from .glue import check_metres
from .layer_read import iterate, plain_layer, read_chome, read_resources
from .outputs import gc_paused, remove_partial_output


def result_field_names(type_names: list[str]) -> list[tuple[str, str]]:
    """(name, kind) of the fields added by blankareas: the "any" fields, then each type's."""
    return access_io.suffixed_fields(
        type_names, [(HAS_ACCESS, "int"), (N_WITHIN, "int"), (NEAREST_M, "double"), (STATUS, "string")]
    )


class BlankAreasAlgorithm(KaigoAlgorithm):
    NAME = "blankareas"
    DISPLAY_NAME = "Blank areas (resources within a radius)"

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
        """Pure declarations; INPUT, RESOURCES, CATEGORY_FIELD, POPULATION_FIELD and TYPE_NAMES are the
        same as kaigo:networkaccess's (access_io)."""
        for parameter in access_io.input_parameters(self.INPUT, self.RESOURCES):
            self.addParameter(parameter)
        self.addParameter(
            QgsProcessingParameterNumber(
                self.RADIUS,
                self.tr("Radius (metres, on the ellipsoid)"),
                QgsProcessingParameterNumber.Type.Double,
                defaultValue=500.0,
            )
        )
        for parameter in chome_point_parameters(self.INPUT) + access_io.category_population_parameters(
            self.INPUT
        ):
            self.addParameter(parameter)
        self.addParameter(access_io.type_names_parameter())
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, self.tr("Blank areas")))

    def checkParameterValues(self, parameters, context):  # noqa: N802
        """Name the layer that cannot be read, in both languages (QGIS says "Incorrect parameter value")."""
        message = access_io.unreadable_inputs_message(parameters, context, self.INPUT, self.RESOURCES)
        if message:
            return False, message
        return super().checkParameterValues(parameters, context)

    def process(self, parameters, context, feedback):
        with gc_paused():
            return self._run(parameters, context, feedback)

    def _run(self, parameters, context, feedback):
        clock = _Clock(feedback)
        source, layers = access_io.source_and_resources(self, parameters, context)
        clock.lap("source")
        radius = self.parameterAsDouble(parameters, self.RADIUS, context)
        check_metres("RADIUS", radius, "半径 ")
        tctx = context.transformContext()
        clock.lap("parameters")
        fast_layer = plain_layer(
            parameters.get(self.INPUT), self.parameterAsVectorLayer(parameters, self.INPUT, context)
        )
        key_field = self.parameterAsString(parameters, self.KEY_FIELD, context) or "KEY_CODE"
        method = self.parameterAsEnum(parameters, self.POINT_METHOD, context)
        pop_field = self.parameterAsString(parameters, self.POPULATION_FIELD, context) or None
        chome = read_chome(source, key_field, method, tctx, pop_field, feedback, (0.0, 30.0), fast_layer)
        check_cancel(feedback)
        clock.lap("read chome")
        category = (self.parameterAsString(parameters, self.CATEGORY_FIELD, context) or "").strip() or None
        res = read_resources(layers, tctx, category, feedback, (30.0, 45.0))
        clock.lap("read resources")
        check_cancel(feedback)
        for ja, en in chome.log + res.log:
            feedback.pushInfo(say(ja, en))
        type_names = self.parameterAsString(parameters, self.TYPE_NAMES, context) or ""
        safe = access_io.resource_type_names(res, type_names, feedback)
        ok = _log_chome(chome, feedback)
        # the output layer is read (prefetched) while the search runs
        req = QgsFeatureRequest()
        if not chome.has_geometry:
            req.setFlags(QgsFeatureRequest.Flag.NoGeometry)
        features = iterate(source, req)
        result, prefetched = _search_while_reading(chome, ok, res, len(safe), radius, features, feedback)
        ng = len(chome.keys)
        n_within = np.zeros((ng, len(safe)), dtype=np.int64)
        nearest = np.full((ng, len(safe)), np.nan)
        n_within[ok] = result.n_within
        nearest[ok] = result.nearest_m
        clock.lap("access")
        values = _result_rows(n_within, nearest, chome.population)
        clock.lap("result rows")
        check_cancel(feedback)

        # output: every input field (those named like a result field are replaced), then the results
        in_fields = source.fields()
        keep, out_fields = access_io.output_fields(in_fields, result_field_names(safe), feedback)
        wkb = access_io.output_wkb(source, chome)
        sink, dest_id = self.parameterAsSink(
            parameters, self.OUTPUT, context, out_fields, wkb, chome.point_crs
        )
        if sink is None:
            raise InputError(ja="出力 OUTPUT を作成できません。", en="The OUTPUT cannot be created.")
        try:
            access_io.write_chome(
                access_io.chain(prefetched, features),
                chome,
                ok,
                values,
                keep,
                in_fields.count(),
                wkb,
                sink,
                feedback,
            )
        except Cancelled:
            sink = None  # closes the file, so that it can be removed
            remove_partial_output(dest_id)
            raise
        clock.lap("write")
        sink = None  # closes the file (a GeoPackage builds its spatial index here)
        clock.lap("close")
        _log_blank(chome, ok, n_within, feedback)
        feedback.setProgress(100.0)
        return {self.OUTPUT: dest_id}


def _log_chome(chome, feedback) -> np.ndarray:
    """Log the population field and the chōme left out; the chōme with a representative point."""
    if chome.population_field:
        feedback.pushInfo(
            say(
                f"人口項目: {chome.population_field}（0 → no_population）",
                f"population field: {chome.population_field} (0 → no_population)",
            )
        )
    if chome.lon.size == 0:
        feedback.pushWarning(
            "町丁字レイヤ（INPUT）に地物がありません。出力は空になります。フィルタや選択を確認してください。 / "
            "The chōme layer (INPUT) has no feature: the output is empty. Check its filter or selection."
        )
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
    return ok


def _search_while_reading(chome, ok, res, n_types, radius, features, feedback):
    """(the access search's result, the features of ``features`` read meanwhile).

    The search (numpy, which releases the GIL) runs in a second thread while this one starts reading the
    chōme layer again for the output (QGIS releases the GIL while it reads): the features read meanwhile
    are kept and written first. Nothing is written before the search ends.
    """
    box: dict = {}

    def progress(frac: float) -> None:
        feedback.setProgress(45.0 + 35.0 * frac)

    def search() -> None:
        try:
            box["result"] = compute_access(
                chome.lon[ok],
                chome.lat[ok],
                res.lon,
                res.lat,
                res.type_index,
                n_types,
                radius,
                progress=progress,
                is_cancelled=feedback.isCanceled,
            )
        except BaseException as exc:  # noqa: BLE001 - raised again in this thread below
            box["error"] = exc

    worker = threading.Thread(target=search, name="kaigo-access-search", daemon=True)
    prefetched: list = []
    worker.start()
    try:
        if worker.is_alive():
            keep_f = prefetched.append
            alive = worker.is_alive
            for f in features:
                keep_f(f)
                if not len(prefetched) & 63 and not alive():
                    break
    finally:
        worker.join()
    if "error" in box:
        raise box["error"]
    return box["result"], prefetched


def _log_blank(chome, ok, n_within, feedback) -> None:
    any_has = n_within.sum(axis=1) > 0
    blank = ok & ~any_has
    if chome.population is not None:
        blank &= ~(chome.population == 0)
    n_blank, n_ok, n_without = int(blank.sum()), int(ok.sum()), int((ok & ~any_has).sum())
    feedback.pushInfo(
        say(
            f"空白地域: {n_blank} / {n_ok} 町丁字、資源なし（人口なしを含む）: {n_without}",
            f"blank chōme: {n_blank} / {n_ok}; without access (incl. no population): {n_without}",
        )
    )


def _as_variants(values: np.ndarray) -> list:
    """A column of small non-negative integers (flags, counts) as shared QVariant objects.

    Handing QGIS a ready QVariant instead of a Python int or str halves the cost of
    QgsFeature.setAttribute, the hot spot of the write pass. Falls back to plain values.
    """
    if values.size == 0:
        return values.tolist()
    top = int(values.max())
    if int(values.min()) < 0 or top > 65535:
        return values.tolist()
    table = np.empty(top + 1, dtype=object)
    for i in range(top + 1):
        table[i] = variant(i)
    return table[values].tolist()


def _status_column(has: np.ndarray, population) -> list:
    """``core.access.access_status`` as shared QVariant strings (see ``_as_variants``)."""
    names = access_status(np.array([False, True, False]), np.array([1.0, 1.0, 0.0])).tolist()
    code = has.astype(np.int64)
    if population is not None:
        code[np.asarray(population, dtype=np.float64) == 0] = 2
    table = np.empty(3, dtype=object)
    for i, name in enumerate(names):
        table[i] = variant(name)
    return table[code].tolist()


def _result_rows(n_within: np.ndarray, nearest: np.ndarray, population) -> list[tuple]:
    """Per chōme: (has_access, n_within, nearest_m, status) for "any", then for each type."""
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
        cols.append(_as_variants(has.astype(np.int64)))
        cols.append(_as_variants(nw.astype(np.int64)))
        nm_r = np.round(nm, 3).astype(object)
        nm_r[np.isnan(nm)] = None
        cols.append(nm_r.tolist())
        cols.append(_status_column(has, population))
    return list(zip(*cols))


class _Clock:
    """Step timings in the log when the environment variable KAIGO_TIMING is set (for `make bench`)."""

    def __init__(self, feedback):
        import os
        import time

        self.on = bool(os.environ.get("KAIGO_TIMING"))
        self.feedback = feedback
        self.wall = time.perf_counter
        self.cpu = time.process_time
        self.t = (self.wall(), self.cpu())

    def lap(self, what: str) -> None:
        if self.on:
            now = (self.wall(), self.cpu())
            import time

            self.feedback.pushInfo(
                f"timing {what}: {now[0] - self.t[0]:.2f} s wall, {now[1] - self.t[1]:.2f} s CPU"
                f" (at {time.time():.2f})"
            )
            self.t = now

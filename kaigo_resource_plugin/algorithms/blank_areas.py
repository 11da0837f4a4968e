"""kaigo:blankareas — which chōme have a resource within the radius (SPEC §1.2)."""

from __future__ import annotations

import operator
import threading

import numpy as np
from qgis.core import (
    QgsFeature,
    QgsFeatureRequest,
    QgsFeatureSink,
    QgsFields,
    QgsGeometry,
    QgsProcessing,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsWkbTypes,
)

from ..compat import WKB_POINT, geometry_type, make_field, variant
from ..core.access import access_status, compute_access, safe_type_names
from ..core.errors import Cancelled, InputError
from ..i18n_loader import say
from .base import KaigoAlgorithm, check_cancel, chome_point_parameters
from .layer_read import (
    iterate,
    plain_layer,
    read_chome,
    read_resources,
    unreadable_chome_message,
    unreadable_layers,
)
from .outputs import gc_paused, remove_partial_output


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
                [QgsProcessing.SourceType.TypeVector],
            )
        )
        self.addParameter(
            QgsProcessingParameterMultipleLayers(
                self.RESOURCES,
                self.tr("Resource layers (one resource type per layer)"),
                QgsProcessing.SourceType.TypeVectorAnyGeometry,
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.RADIUS,
                self.tr("Radius (metres, on the ellipsoid)"),
                QgsProcessingParameterNumber.Type.Double,
                defaultValue=500.0,
            )
        )
        for parameter in chome_point_parameters(self.INPUT):
            self.addParameter(parameter)
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

    def checkParameterValues(self, parameters, context):  # noqa: N802
        """Name the layer that cannot be read, in both languages (QGIS says "Incorrect parameter value")."""
        bad = unreadable_layers(parameters.get(self.RESOURCES), context)
        if bad:
            return False, (
                f"資源レイヤを読み込めません: {', '.join(bad)}。RESOURCES のパスと形式を確認してください。\n"
                f"Cannot read the resource layer(s) {', '.join(bad)}: check the paths and formats in RESOURCES."
            )
        message = unreadable_chome_message(parameters, context, self.INPUT)
        if message:
            return False, message
        return super().checkParameterValues(parameters, context)

    def process(self, parameters, context, feedback):
        with gc_paused():
            return self._run(parameters, context, feedback)

    def _run(self, parameters, context, feedback):
        clock = _Clock(feedback)
        source = self.parameterAsSource(parameters, self.INPUT, context)
        clock.lap("source")
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
        clock.lap("parameters")
        fast_layer = plain_layer(
            parameters.get(self.INPUT), self.parameterAsVectorLayer(parameters, self.INPUT, context)
        )
        chome = read_chome(source, key_field, method, tctx, pop_field, feedback, (0.0, 30.0), fast_layer)
        check_cancel(feedback)
        clock.lap("read chome")
        res = read_resources(layers, tctx, category, feedback, (30.0, 45.0))
        clock.lap("read resources")
        check_cancel(feedback)
        for ja, en in chome.log + res.log:
            feedback.pushInfo(say(ja, en))

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
            feedback.pushInfo(
                say(f"資源の種類: {raw} → _{s}（{n_t} 件）", f"resource type: {raw} → _{s} ({n_t})")
            )
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

        ng = len(chome.keys)
        n_types = len(safe)

        def progress(frac: float) -> None:
            feedback.setProgress(45.0 + 35.0 * frac)

        # The search (numpy, which releases the GIL) runs in a second thread while this one starts
        # reading the chōme layer again for the output (QGIS releases the GIL while it reads): the
        # features read meanwhile are kept and written first. Nothing is written before the search ends.
        req = QgsFeatureRequest()
        if not chome.has_geometry:
            req.setFlags(QgsFeatureRequest.Flag.NoGeometry)
        features = iterate(source, req)
        box: dict = {}

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
        result = box["result"]
        n_within = np.zeros((ng, n_types), dtype=np.int64)
        nearest = np.full((ng, n_types), np.nan)
        n_within[ok] = result.n_within
        nearest[ok] = result.nearest_m
        clock.lap("access")
        values = _result_rows(n_within, nearest, chome.population)
        clock.lap("result rows")
        check_cancel(feedback)

        # output: every input field (those named like a result field are replaced), then the results
        added = result_field_names(safe)
        added_lower = {n.lower() for n, _ in added}
        in_fields = source.fields()
        keep = [i for i, f in enumerate(in_fields) if f.name().lower() not in added_lower]
        replaced = [f.name() for i, f in enumerate(in_fields) if i not in keep]
        if replaced:
            feedback.pushInfo(say("上書きした項目: ", "replaced fields: ") + ", ".join(replaced))
        out_fields = QgsFields()
        for i in keep:
            out_fields.append(in_fields[i])
        for name, kind in added:
            out_fields.append(make_field(name, kind))
        multi_parts = bool((chome.size > 1).any())
        if chome.has_geometry:
            wkb = source.wkbType()
            if geometry_type(wkb) == 2 and multi_parts:
                wkb = QgsWkbTypes.multiType(wkb)
        else:
            wkb = WKB_POINT
        sink, dest_id = self.parameterAsSink(
            parameters, self.OUTPUT, context, out_fields, wkb, chome.point_crs
        )
        if sink is None:
            raise InputError(ja="出力 OUTPUT を作成できません。", en="The OUTPUT cannot be created.")
        try:
            _write(
                _chain(prefetched, features), chome, ok, values, keep, in_fields.count(), wkb, sink, feedback
            )
        except Cancelled:
            sink = None  # closes the file, so that it can be removed
            remove_partial_output(dest_id)
            raise
        clock.lap("write")
        sink = None  # closes the file (a GeoPackage builds its spatial index here)
        clock.lap("close")
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
        feedback.setProgress(100.0)
        return {self.OUTPUT: dest_id}


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


def _value_setter(n_in: int, n_added: int):
    """f(feature, values): widen the feature and set the result values, unrolled (the hot loop)."""
    lines = [
        "def append_values(f, v):",
        f"    f.resizeAttributes({n_in + n_added})",
        "    s = f.setAttribute",
    ]
    lines += [f"    s({n_in + j}, v[{j}])" for j in range(n_added)]
    namespace: dict = {}
    exec("\n".join(lines), namespace)  # noqa: S102 - code generated from two integers
    return namespace["append_values"]


def _chain(prefetched: list, rest):
    """The prefetched features (released as they are handed out), then the rest of the iterator."""
    prefetched.reverse()
    pop = prefetched.pop
    while prefetched:
        yield pop()
    yield from rest


def _write(features, chome, ok, values, keep, n_in, wkb, sink, feedback) -> None:
    """Second pass over the chōme layer (``features``, all of them): one output feature per chōme.

    A single-part chōme is the input feature itself with the result values appended (its attributes
    are never converted to Python: the fast path). The parts of a multi-part chōme are collected into
    one multi-geometry carrying the attributes of its main part, written when its last part is read.
    """
    group_a = chome.group
    size = chome.size.tolist()
    main = chome.main.tolist()
    promote = chome.has_geometry and QgsWkbTypes.isMultiType(wkb) and geometry_type(wkb) == 2
    all_kept = len(keep) == n_in
    simple_ok = all_kept and chome.has_geometry and not promote
    written = group_a >= 0
    written[written] = ok[group_a[written]]
    simple = written.copy()
    if simple_ok:
        simple[written] = chome.size[group_a[written]] == 1
    else:
        simple[:] = False
    rows: dict = {}  # fid → result values: the fast path
    if simple.any():
        picked = operator.itemgetter(*group_a[simple].tolist())(values)
        if int(simple.sum()) == 1:
            picked = (picked,)
        rows = dict(zip(chome.fids[simple].tolist(), picked))
    special_i = np.flatnonzero(written & ~simple)
    # fid → (feature index, chōme index): everything else
    special = dict(zip(chome.fids[special_i].tolist(), zip(special_i.tolist(), group_a[special_i].tolist())))
    fids = chome.fids
    seen = [0] * len(size)
    pending: dict[int, list] = {}
    n_added = len(values[0]) if values else 0
    width = n_in + n_added
    targets = list(range(n_in, width))
    append_values = _value_setter(n_in, n_added)
    total = max(len(fids), 1)
    fast_insert = QgsFeatureSink.Flag.FastInsert
    add_many = sink.addFeatures
    batch: list = []  # features are handed to the sink 64 at a time (fewer calls into QGIS)
    push = batch.append
    get_row = rows.get

    def add(feature, flags) -> None:
        if batch:
            add_many(batch, flags)
            batch.clear()
        sink.addFeature(feature, flags)

    k = 0
    for f in features:
        k += 1
        if k % 2000 == 0:
            feedback.setProgress(80.0 + 20.0 * k / total)
            check_cancel(feedback)
        vals = get_row(f.id())
        if vals is not None:
            append_values(f, vals)
            push(f)
            if len(batch) == 64:
                add_many(batch, fast_insert)
                batch.clear()
            continue
        where = special.get(f.id())
        if where is None:
            continue
        i, g = where
        if size[g] > 1:
            entry = pending.setdefault(g, [None, []])
            geom = f.geometry()
            if geom is not None and not geom.isNull():
                entry[1].append(geom)
            if main[g] == i:
                entry[0] = QgsFeature(f)
            seen[g] += 1
            if seen[g] < size[g]:
                continue
            del pending[g]
            f = entry[0]
            if f is None:
                continue
            if promote and entry[1]:
                f.setGeometry(QgsGeometry.collectGeometry(entry[1]))
        if promote:
            geom = f.geometry()
            if not geom.isNull() and not geom.isMultipart():
                geom.convertToMultiType()
                f.setGeometry(geom)
        if not chome.has_geometry:
            f.setGeometry(QgsGeometry.fromPointXY(_point(chome, g)))
        vals = values[g]
        if all_kept:
            f.resizeAttributes(width)
            for j, v in zip(targets, vals):
                f.setAttribute(j, v)
        else:
            attrs = f.attributes()
            f.setAttributes([attrs[j] for j in keep] + list(vals))
        add(f, fast_insert)
    if batch:
        add_many(batch, fast_insert)


def _point(chome, g: int):
    from qgis.core import QgsPointXY

    return QgsPointXY(float(chome.x[g]), float(chome.y[g]))

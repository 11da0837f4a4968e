"""kaigo:networkaccess — walking distance along the road network to the nearest resource (SPEC §6)."""

from __future__ import annotations

import numpy as np
from qgis.core import (
    QgsFeature,
    QgsFeatureRequest,
    QgsFeatureSink,
    QgsFields,
    QgsProcessing,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
)

from ..compat import WKB_NO_GEOMETRY, make_field
from ..core import network as core_net
from ..core.access import access_status, compute_access
from ..core.contract import DEFAULT_RADIUS_M, MUNI_CODE, STATUS_NO_POPULATION
from ..core.errors import Cancelled, InputError
from ..core.repoints import group_max
from ..i18n_loader import say
from . import access_io
from .base import KaigoAlgorithm, check_cancel, chome_point_parameters
from .glue import check_metres
from .layer_read import as_float_array, iterate, plain_layer, read_chome, read_points, read_resources
from .network_read import read_network
from .outputs import gc_paused, remove_partial_output


def result_field_names(type_names: list[str], with_minutes: bool) -> list[tuple[str, str]]:
    """(name, kind) of the fields added per chōme: the "any" fields, each type's, then the snap."""
    columns = [
        ("net_m", "double"),
        ("net_access", "int"),
        ("straight_m", "double"),
        ("detour_ratio", "double"),
        ("status_net", "string"),
    ]
    if with_minutes:
        columns.append(("net_min", "double"))
    return access_io.suffixed_fields(type_names, columns) + [("snap_m", "double")]


def comparison_field_names(type_names: list[str]) -> list[tuple[str, str]]:
    columns = [
        ("rate_straight_pct", "double"),
        ("rate_net_pct", "double"),
        ("rate_change_pct", "double"),
        ("n_lost", "int"),
        ("n_gained", "int"),
    ]
    head = [(MUNI_CODE, "string"), ("n_chome", "int"), ("n_on_network", "int"), ("weight_total", "double")]
    return head + access_io.suffixed_fields(type_names, columns)


class NetworkAccessAlgorithm(KaigoAlgorithm):
    NAME = "networkaccess"
    DISPLAY_NAME = "Network access (walking distance on the road network)"

    INPUT = "INPUT"
    RESOURCES = "RESOURCES"
    NETWORK = "NETWORK"
    RADIUS = "RADIUS"
    MAX_SNAP = "MAX_SNAP"
    COST_FIELD = "COST_FIELD"
    SPEED = "SPEED"
    KEY_FIELD = "KEY_FIELD"
    POINT_METHOD = "POINT_METHOD"
    CATEGORY_FIELD = "CATEGORY_FIELD"
    POPULATION_FIELD = "POPULATION_FIELD"
    ELDERLY_FIELD = "ELDERLY_FIELD"
    TYPE_NAMES = "TYPE_NAMES"
    OUTPUT = "OUTPUT"
    OUTPUT_COMPARISON = "OUTPUT_COMPARISON"

    def initAlgorithm(self, config=None):
        """Pure declarations; INPUT, RESOURCES, CATEGORY_FIELD, POPULATION_FIELD and TYPE_NAMES are the
        same as kaigo:blankareas's (access_io)."""
        for parameter in access_io.input_parameters(self.INPUT, self.RESOURCES):
            self.addParameter(parameter)
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.NETWORK,
                self.tr("Road network (line layer, e.g. OpenStreetMap highway=*)"),
                [QgsProcessing.SourceType.TypeVectorLine],
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.RADIUS,
                self.tr("Radius (metres along the network)"),
                QgsProcessingParameterNumber.Type.Double,
                defaultValue=DEFAULT_RADIUS_M,
                minValue=0.0,
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.MAX_SNAP,
                self.tr("Largest distance from a point to the network (metres; farther = off the network)"),
                QgsProcessingParameterNumber.Type.Double,
                defaultValue=200.0,
                minValue=0.0,
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.COST_FIELD,
                self.tr("Cost factor field of the network (multiplies the length; optional)"),
                parentLayerParameterName=self.NETWORK,
                type=QgsProcessingParameterField.DataType.Numeric,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.SPEED,
                self.tr("Walking speed (metres per minute, e.g. 80; optional: adds minutes)"),
                QgsProcessingParameterNumber.Type.Double,
                optional=True,
                minValue=0.0,
            )
        )
        for parameter in chome_point_parameters(self.INPUT) + access_io.category_population_parameters(
            self.INPUT
        ):
            self.addParameter(parameter)
        self.addParameter(
            QgsProcessingParameterField(
                self.ELDERLY_FIELD,
                self.tr("Weight of the rates (default at_home_75plus, else pop_75plus, else the population)"),
                parentLayerParameterName=self.INPUT,
                optional=True,
            )
        )
        self.addParameter(access_io.type_names_parameter())
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, self.tr("Network access")))
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT_COMPARISON,
                self.tr("Straight line vs network, per municipality"),
                QgsProcessing.SourceType.TypeVector,
                optional=True,
            )
        )

    def checkParameterValues(self, parameters, context):  # noqa: N802
        message = access_io.unreadable_inputs_message(parameters, context, self.INPUT, self.RESOURCES)
        if message:
            return False, message
        message = _output_over_input(self, parameters, context)
        if message:
            return False, message
        return super().checkParameterValues(parameters, context)

    def after_commit(self, results, parameters, context) -> None:
        """The chōme output, once at its final place, is styled like the blank areas when QGIS loads it."""
        dest = results.get(self.OUTPUT)
        if dest and context.willLoadLayerOnCompletion(dest):
            styler = NetworkStyler(self.parameterAsDouble(parameters, self.RADIUS, context))
            _STYLERS.append(styler)  # QGIS keeps no Python reference to it
            context.layerToLoadOnCompletionDetails(dest).setPostProcessor(styler)

    def process(self, parameters, context, feedback):
        with gc_paused():
            return self._run(parameters, context, feedback)

    def _distances(self, parameters, context):
        """(RADIUS, MAX_SNAP, SPEED or None), refused when not positive."""
        radius = self.parameterAsDouble(parameters, self.RADIUS, context)
        max_snap = self.parameterAsDouble(parameters, self.MAX_SNAP, context)
        for name, value in ((self.RADIUS, radius), (self.MAX_SNAP, max_snap)):
            check_metres(name, value)
        speed = None
        if parameters.get(self.SPEED) not in (None, ""):
            speed = self.parameterAsDouble(parameters, self.SPEED, context)
            if not (speed > 0.0):
                raise InputError(
                    ja=f"歩行速度 SPEED は 0 より大きい値（分速メートル、例: 80）にしてください（指定値: {speed:g}）。",
                    en=f"SPEED must be greater than 0 metres per minute, e.g. 80 (got {speed:g}).",
                )
        return radius, max_snap, speed

    def _network_source(self, parameters, context):
        net_source = self.parameterAsSource(parameters, self.NETWORK, context)
        if net_source is None:
            raise InputError(
                ja="道路網レイヤ NETWORK を読み込めません。ファイルのパスと形式を確認してください。",
                en="The road network NETWORK cannot be read. Check its path and format.",
            )
        return net_source

    def _network(self, parameters, context, net_source, feedback):
        """The road network read and built (core.network)."""
        cost_field = (self.parameterAsString(parameters, self.COST_FIELD, context) or "").strip() or None
        net_layer = plain_layer(
            parameters.get(self.NETWORK), self.parameterAsVectorLayer(parameters, self.NETWORK, context)
        )
        lines = read_network(net_source, cost_field, context.transformContext(), feedback, net_layer)
        for ja, en in lines.log:
            feedback.pushInfo(say(ja, en))
        feedback.setProgress(20.0)
        check_cancel(feedback)
        net = core_net.build_network(lines.lon, lines.lat, lines.line_start, lines.factor)
        feedback.pushInfo(
            say(
                f"道路網: {net.n_lines} 本の線、{net.n_nodes} 交点、{net.n_edges} 区間",
                f"network: {net.n_lines} lines, {net.n_nodes} nodes, {net.n_edges} edges",
            )
        )
        feedback.setProgress(30.0)
        check_cancel(feedback)
        return net

    def _chome_and_resources(self, parameters, context, source, layers, feedback):
        """(chōme points, resource points, field suffixes of the types, weight of the rates)."""
        tctx = context.transformContext()
        fast_layer = plain_layer(
            parameters.get(self.INPUT), self.parameterAsVectorLayer(parameters, self.INPUT, context)
        )
        key_field = self.parameterAsString(parameters, self.KEY_FIELD, context) or "KEY_CODE"
        method = self.parameterAsEnum(parameters, self.POINT_METHOD, context)
        pop_field = self.parameterAsString(parameters, self.POPULATION_FIELD, context) or None
        chome = read_chome(source, key_field, method, tctx, pop_field, feedback, (30.0, 40.0), fast_layer)
        check_cancel(feedback)
        category = (self.parameterAsString(parameters, self.CATEGORY_FIELD, context) or "").strip() or None
        res = read_resources(layers, tctx, category, feedback, (40.0, 45.0))
        check_cancel(feedback)
        for ja, en in chome.log + res.log:
            feedback.pushInfo(say(ja, en))
        type_names = self.parameterAsString(parameters, self.TYPE_NAMES, context) or ""
        safe = access_io.resource_type_names(res, type_names, feedback)
        elderly_field = self.parameterAsString(parameters, self.ELDERLY_FIELD, context) or None
        weight, weight_name = _weights(source, chome, elderly_field, fast_layer)
        feedback.pushInfo(say(f"充足率の重み: {weight_name}", f"weight of the rates: {weight_name}"))
        return chome, res, safe, weight

    def _run(self, parameters, context, feedback):
        source, layers = access_io.source_and_resources(self, parameters, context)
        net_source = self._network_source(parameters, context)
        radius, max_snap, speed = self._distances(parameters, context)
        # the network first: its mistakes are the new ones, and nothing has been read yet
        net = self._network(parameters, context, net_source, feedback)
        chome, res, safe, weight = self._chome_and_resources(parameters, context, source, layers, feedback)
        ok = np.isfinite(chome.lon) & np.isfinite(chome.lat)
        d = _access(net, chome, ok, res, len(safe), radius, max_snap, feedback)
        cols = _columns(d["net_m"], d["straight_m"], chome.population, speed, radius)
        values = list(zip(*(cols + [_nullable(d["snap_m"])])))
        check_cancel(feedback)
        in_fields = source.fields()
        keep, out_fields = access_io.output_fields(
            in_fields, result_field_names(safe, speed is not None), feedback
        )
        wkb = access_io.output_wkb(source, chome)
        # comparison per municipality (computed before anything is written)
        suffixes = [""] + [f"_{t}" for t in safe]
        comparison, net_any, st_any = _comparison(chome, ok, weight, d, radius, suffixes)
        sink, dest_id = self.parameterAsSink(
            parameters, self.OUTPUT, context, out_fields, wkb, chome.point_crs
        )
        if sink is None:
            raise InputError(ja="出力 OUTPUT を作成できません。", en="The OUTPUT cannot be created.")
        req = QgsFeatureRequest()
        if not chome.has_geometry:
            req.setFlags(QgsFeatureRequest.Flag.NoGeometry)
        try:
            access_io.write_chome(
                iterate(source, req), chome, ok, values, keep, in_fields.count(), wkb, sink, feedback
            )
        except Cancelled:
            sink = None  # closes the file, so that it can be removed
            remove_partial_output(dest_id)
            raise
        sink = None
        results = {self.OUTPUT: dest_id}
        comp_id = self._write_comparison(parameters, context, comparison, safe)
        if comp_id is not None:
            results[self.OUTPUT_COMPARISON] = comp_id
        _report(feedback, comparison, suffixes, ok, d["on_net"], net_any, st_any)
        feedback.setProgress(100.0)
        return results

    def _write_comparison(self, parameters, context, comparison, safe):
        """OUTPUT_COMPARISON when asked for: its id, else None."""
        comp_fields = QgsFields()
        names = comparison_field_names(safe)
        for name, kind in names:
            comp_fields.append(make_field(name, kind))
        comp_sink, comp_id = self.parameterAsSink(
            parameters, self.OUTPUT_COMPARISON, context, comp_fields, WKB_NO_GEOMETRY
        )
        if comp_sink is None:
            return None
        for row in zip(*(comparison[n] for n, _ in names)):
            f = QgsFeature(comp_fields)
            f.setAttributes(list(row))
            comp_sink.addFeature(f, QgsFeatureSink.Flag.FastInsert)
        comp_sink = None
        return comp_id


def _access(net, chome, ok, res, n_types, radius, max_snap, feedback) -> dict:
    """Distances per chōme and type along the network and in a straight line (NaN: none / not read)."""

    def progress(frac: float) -> None:
        feedback.setProgress(45.0 + 40.0 * frac)

    acc = core_net.network_access(
        net,
        chome.lon[ok],
        chome.lat[ok],
        res.lon,
        res.lat,
        res.type_index,
        n_types,
        radius,
        max_snap,
        progress=progress,
        is_cancelled=feedback.isCanceled,
    )
    straight = compute_access(chome.lon[ok], chome.lat[ok], res.lon, res.lat, res.type_index, n_types, radius)
    check_cancel(feedback)
    ng = len(chome.keys)
    d = {
        "net_m": np.full((ng, n_types), np.nan),
        "straight_m": np.full((ng, n_types), np.nan),
        "st_access": np.zeros((ng, n_types), dtype=bool),
        "snap_m": np.full(ng, np.nan),
    }
    d["net_m"][ok] = acc.net_m
    d["straight_m"][ok] = straight.nearest_m
    d["st_access"][ok] = straight.has_access
    d["snap_m"][ok] = acc.dest_snap.connector_m
    d["on_net"] = np.isfinite(d["snap_m"])
    _log_off_network(int((~acc.res_snap.ok).sum()), int((ok & ~d["on_net"]).sum()), max_snap, feedback)
    return d


def _log_off_network(n_res_off: int, n_off: int, max_snap: float, feedback) -> None:
    if n_res_off:
        feedback.pushWarning(
            f"道路網から MAX_SNAP（{max_snap:g} m）より離れた資源 {n_res_off} 件は、道路網での距離に使いません。 / "
            f"{n_res_off} resources lie farther than MAX_SNAP ({max_snap:g} m) from the network and are "
            "not used for network distances."
        )
    if n_off:
        feedback.pushWarning(
            f"道路網から MAX_SNAP（{max_snap:g} m）より離れた町丁字 {n_off} 件は道路網の外（net_m = NULL、"
            f"空白）とします。道路網の範囲か MAX_SNAP を確認してください。 / {n_off} chōme lie farther than "
            f"MAX_SNAP ({max_snap:g} m) from the network: off the network (net_m NULL, blank). Check the "
            "extent of the network or MAX_SNAP."
        )


def _comparison(chome, ok, weight, d, radius, suffixes):
    """(the straight-line vs network rates per municipality, network access of any type, straight-line)."""
    ng = len(chome.keys)
    n_types = len(suffixes) - 1
    with np.errstate(invalid="ignore"):
        net_acc = d["net_m"] <= radius + core_net.INCLUSIVE_EPS_M
    net_any = net_acc.any(axis=1) if n_types else np.zeros(ng, dtype=bool)
    st_access = d["st_access"]
    st_any = st_access.any(axis=1) if n_types else np.zeros(ng, dtype=bool)
    sel = np.flatnonzero(ok)
    comparison = core_net.compare_by_municipality(
        [chome.keys[i][:5] for i in sel],
        weight[sel],
        np.column_stack([st_any, st_access])[sel],
        np.column_stack([net_any, net_acc])[sel],
        d["on_net"][sel],
        suffixes,
    )
    return comparison, net_any, st_any


def _file_of(value, context) -> str | None:
    """The file behind a layer parameter value (path, layer id/name or layer object), or None."""
    import os

    from qgis.core import QgsProcessingFeatureSourceDefinition

    if isinstance(value, QgsProcessingFeatureSourceDefinition):
        value = value.source.staticValue()
    if hasattr(value, "source") and callable(value.source):
        value = value.source()
    if not isinstance(value, str) or not value.strip():
        return None
    path = value.split("|")[0].strip()
    return os.path.realpath(path) if os.path.exists(path) else None


def _output_over_input(alg, parameters, context) -> str | None:
    """A bilingual refusal when OUTPUT or OUTPUT_COMPARISON would be written over an input file (SPEC §8)."""
    import os

    from qgis.core import QgsProcessingOutputLayerDefinition

    inputs = {}
    for name in (alg.INPUT, alg.NETWORK, alg.RESOURCES):
        value = parameters.get(name)
        for item in value if isinstance(value, (list, tuple)) else [value]:
            path = _file_of(item, context)
            if path:
                inputs[path] = name
    for name in (alg.OUTPUT, alg.OUTPUT_COMPARISON):
        value = parameters.get(name)
        if isinstance(value, QgsProcessingOutputLayerDefinition):
            value = value.sink.staticValue()
        if not isinstance(value, str) or not value.strip() or value.startswith(("memory:", "TEMPORARY")):
            continue
        path = value.split("|")[0].strip()
        if path.startswith("ogr:"):
            continue
        real = os.path.realpath(path)
        if real in inputs:
            return (
                f"{name} の出力先 {path} は入力 {inputs[real]} のファイルです。上書きすると元のデータが失われるので"
                f"実行しません。別のファイル名を指定してください。\n"
                f"{name} would be written over {path}, the file of the input {inputs[real]}: the original data "
                "would be lost, so nothing is run. Choose another file name."
            )
    return None


def _weights(source, chome, elderly_field: str | None, fast_layer) -> tuple[np.ndarray, str]:
    """Per chōme weight of the rates: ELDERLY_FIELD, else at_home_75plus, pop_75plus, the population."""
    names = source.fields().names()
    if elderly_field and elderly_field not in names:
        raise InputError(
            ja=f"重みの項目「{elderly_field}」が町丁字レイヤにありません。ELDERLY_FIELD を空にするか既存の項目を"
            "指定してください。",
            en=f"The chōme layer has no field '{elderly_field}'. Leave ELDERLY_FIELD empty or name one of "
            "its fields.",
        )
    field = elderly_field or next((n for n in ("at_home_75plus", "pop_75plus") if n in names), None)
    if field is None:
        if chome.population is not None:
            return np.nan_to_num(chome.population, nan=0.0), str(chome.population_field)
        return np.ones(len(chome.keys)), "1 (各町丁字を 1 と数える / each chōme counts 1)"
    pts = read_points(source, [field], None, fast_layer=fast_layer)
    if pts.fids.size != chome.fids.size or not np.array_equal(pts.fids, chome.fids):
        raise InputError(
            ja="町丁字レイヤを2回読んだ結果が一致しません。レイヤを編集中なら保存してから実行してください。",
            en="The chōme layer changed between two reads. Save its edits and run again.",
        )
    values = as_float_array(pts.attributes[field])
    return np.nan_to_num(group_max(values, chome.group, len(chome.keys)), nan=0.0), field


def _nullable(a: np.ndarray, digits: int = 3) -> list:
    out = np.round(a, digits).astype(object)
    out[~np.isfinite(a)] = None
    return out.tolist()


def _columns(net_m: np.ndarray, straight_m: np.ndarray, population, speed, radius: float) -> list[list]:
    """Per chōme: the result columns for "any", then for each type (see result_field_names)."""
    blocks = [(core_net.nan_min(net_m), core_net.nan_min(straight_m))]
    blocks += [(net_m[:, t], straight_m[:, t]) for t in range(net_m.shape[1])]
    return [c for nm, sm in blocks for c in _block(nm, sm, population, speed, radius)]


def _block(nm, sm, population, speed, radius: float) -> list[list]:
    with np.errstate(invalid="ignore"):
        acc = nm <= radius + core_net.INCLUSIVE_EPS_M
    cols = [
        _nullable(nm),
        acc.astype(int).tolist(),
        _nullable(sm),
        _nullable(core_net.detour_ratio(nm, sm), 4),
        access_status(acc, population).tolist(),
    ]
    if speed is not None:
        cols.append(_nullable(nm / speed, 2))
    return cols


def _report(feedback, comparison, suffixes, ok, on_net, net_any, st_any) -> None:
    n = int(ok.sum())
    feedback.pushInfo(
        f"道路網上の町丁字 / chōme on the network: {int(on_net.sum())} / {n}; "
        f"直線で資源あり / covered by straight line: {int((st_any & ok).sum())}; "
        f"道路網で資源あり / covered along the network: {int((net_any & ok).sum())}"
    )
    for s in suffixes:
        lost = sum(comparison[f"n_lost{s}"])
        gained = sum(comparison[f"n_gained{s}"])
        feedback.pushInfo(
            f"種類 / type '{s.lstrip('_') or 'any'}': 直線では資源ありだが道路網では空白 / covered by straight "
            f"line but blank on the network: {lost}; 逆 / the reverse: {gained}"
        )
    for i, code in enumerate(comparison["muni_code"]):
        a, b = comparison["rate_straight_pct"][i], comparison["rate_net_pct"][i]
        if a is not None and b is not None:
            feedback.pushInfo(f"{code}: 充足率 直線 / rate straight {a:.1f} % → 道路網 / network {b:.1f} %")


_STYLERS: list = []


def style_network_layer(layer, lang: str | None = None, radius_m: float = 500.0) -> dict:
    """Network blank areas drawn like the straight-line ones: ``status_net`` red / blue / grey, the legend
    saying that the distance is along the network. Returns the counts per status."""
    from ..i18n_loader import output_language
    from ..styling import apply_status_style

    lang = lang or output_language()
    counts = apply_status_style(layer, lang, field="status_net", radius_m=radius_m)
    renderer = layer.renderer()
    tail = "（道路距離）" if lang != "en" else " (along the network)"
    for i, category in enumerate(renderer.categories()):
        if category.value() != STATUS_NO_POPULATION:
            renderer.updateCategoryLabel(i, category.label() + tail)
    layer.triggerRepaint()
    return counts


try:
    from qgis.core import QgsProcessingLayerPostProcessorInterface as _PostProcessor
except ImportError:  # pragma: no cover
    _PostProcessor = object


class NetworkStyler(_PostProcessor):
    """Styles the OUTPUT layer when Processing loads it into the project (toolbox, model)."""

    def __init__(self, radius_m: float):
        super().__init__()
        self.radius_m = radius_m

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802 (QGIS API)
        style_network_layer(layer, radius_m=self.radius_m)
        if self in _STYLERS:
            _STYLERS.remove(self)

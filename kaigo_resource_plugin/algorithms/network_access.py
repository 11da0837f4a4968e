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
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsWkbTypes,
)

from ..compat import WKB_NO_GEOMETRY, WKB_POINT, geometry_type, is_null, make_field
from ..core import network as core_net
from ..core.access import access_status, compute_access, safe_type_names
from ..core.contract import DEFAULT_RADIUS_M, STATUS_NO_POPULATION
from ..core.errors import Cancelled, InputError
from ..core.repoints import group_max
from .base import KaigoAlgorithm, check_cancel, chome_point_parameters
from .layer_io import (
    GEOGRAPHIC_AUTHID,
    as_float_array,
    gc_paused,
    geographic_crs,
    iterate,
    plain_layer,
    read_chome,
    read_points,
    read_resources,
    remove_partial_output,
    transform_xy,
    unreadable_chome_message,
    unreadable_layers,
)

# Vertices transformed to lon/lat per call (one multipoint geometry each).
_TRANSFORM_CHUNK = 1_000_000


def result_field_names(type_names: list[str], with_minutes: bool) -> list[tuple[str, str]]:
    """(name, kind) of the fields added per chōme: the "any" fields, each type's, then the snap."""
    out = []
    for suffix in [""] + [f"_{t}" for t in type_names]:
        out += [
            (f"net_m{suffix}", "double"),
            (f"net_access{suffix}", "int"),
            (f"straight_m{suffix}", "double"),
            (f"detour_ratio{suffix}", "double"),
            (f"status_net{suffix}", "string"),
        ]
        if with_minutes:
            out.append((f"net_min{suffix}", "double"))
    out.append(("snap_m", "double"))
    return out


def comparison_field_names(type_names: list[str]) -> list[tuple[str, str]]:
    out = [("muni_code", "string"), ("n_chome", "int"), ("n_on_network", "int"), ("weight_total", "double")]
    for suffix in [""] + [f"_{t}" for t in type_names]:
        out += [
            (f"rate_straight_pct{suffix}", "double"),
            (f"rate_net_pct{suffix}", "double"),
            (f"rate_change_pct{suffix}", "double"),
            (f"n_lost{suffix}", "int"),
            (f"n_gained{suffix}", "int"),
        ]
    return out


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
            QgsProcessingParameterField(
                self.ELDERLY_FIELD,
                self.tr("Weight of the rates (default at_home_75plus, else pop_75plus, else the population)"),
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
        bad = unreadable_layers(parameters.get(self.RESOURCES), context)
        if bad:
            return False, (
                f"資源レイヤを読み込めません: {', '.join(bad)}。RESOURCES のパスと形式を確認してください。\n"
                f"Cannot read the resource layer(s) {', '.join(bad)}: check the paths and formats in RESOURCES."
            )
        message = unreadable_chome_message(parameters, context, self.INPUT)
        if message:
            return False, message
        message = _output_over_input(self, parameters, context)
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
        layers = self.parameterAsLayerList(parameters, self.RESOURCES, context)
        if not layers:
            raise InputError(
                ja="資源レイヤ RESOURCES を 1 つ以上指定してください（読み込めるファイルか確認してください）。",
                en="Give at least one readable resource layer in RESOURCES.",
            )
        net_source = self.parameterAsSource(parameters, self.NETWORK, context)
        if net_source is None:
            raise InputError(
                ja="道路網レイヤ NETWORK を読み込めません。ファイルのパスと形式を確認してください。",
                en="The road network NETWORK cannot be read. Check its path and format.",
            )
        radius = self.parameterAsDouble(parameters, self.RADIUS, context)
        max_snap = self.parameterAsDouble(parameters, self.MAX_SNAP, context)
        for name, value in ((self.RADIUS, radius), (self.MAX_SNAP, max_snap)):
            if not (value > 0.0) or not np.isfinite(value):
                raise InputError(
                    ja=f"{name} は 0 より大きいメートル数にしてください（指定値: {value:g}）。",
                    en=f"{name} must be a number of metres greater than 0 (got {value:g}).",
                )
        speed = None
        if parameters.get(self.SPEED) not in (None, ""):
            speed = self.parameterAsDouble(parameters, self.SPEED, context)
            if not (speed > 0.0):
                raise InputError(
                    ja=f"歩行速度 SPEED は 0 より大きい値（分速メートル、例: 80）にしてください（指定値: {speed:g}）。",
                    en=f"SPEED must be greater than 0 metres per minute, e.g. 80 (got {speed:g}).",
                )
        cost_field = (self.parameterAsString(parameters, self.COST_FIELD, context) or "").strip() or None
        key_field = self.parameterAsString(parameters, self.KEY_FIELD, context) or "KEY_CODE"
        method = self.parameterAsEnum(parameters, self.POINT_METHOD, context)
        category = (self.parameterAsString(parameters, self.CATEGORY_FIELD, context) or "").strip() or None
        pop_field = self.parameterAsString(parameters, self.POPULATION_FIELD, context) or None
        elderly_field = self.parameterAsString(parameters, self.ELDERLY_FIELD, context) or None
        type_names_param = self.parameterAsString(parameters, self.TYPE_NAMES, context) or ""
        tctx = context.transformContext()

        # the network first: its mistakes are the new ones, and nothing has been read yet
        net_layer = plain_layer(
            parameters.get(self.NETWORK), self.parameterAsVectorLayer(parameters, self.NETWORK, context)
        )
        lines = read_network(net_source, cost_field, tctx, feedback, net_layer)
        for ja, en in lines.log:
            feedback.pushInfo(f"{ja} / {en}")
        feedback.setProgress(20.0)
        check_cancel(feedback)
        net = core_net.build_network(lines.lon, lines.lat, lines.line_start, lines.factor)
        feedback.pushInfo(
            f"道路網 / network: {net.n_lines} 本の線 / lines, {net.n_nodes} 交点 / nodes, "
            f"{net.n_edges} 区間 / edges"
        )
        feedback.setProgress(30.0)
        check_cancel(feedback)

        fast_layer = plain_layer(
            parameters.get(self.INPUT), self.parameterAsVectorLayer(parameters, self.INPUT, context)
        )
        chome = read_chome(source, key_field, method, tctx, pop_field, feedback, (30.0, 40.0), fast_layer)
        check_cancel(feedback)
        res = read_resources(layers, tctx, category, feedback, (40.0, 45.0))
        check_cancel(feedback)
        for ja, en in chome.log + res.log:
            feedback.pushInfo(f"{ja} / {en}")
        safe = _type_names(res, type_names_param, feedback)
        weight, weight_name = _weights(source, chome, elderly_field, fast_layer)
        feedback.pushInfo(f"充足率の重み / weight of the rates: {weight_name}")

        ok = np.isfinite(chome.lon) & np.isfinite(chome.lat)
        n_types = len(safe)
        ng = len(chome.keys)

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
        straight = compute_access(
            chome.lon[ok], chome.lat[ok], res.lon, res.lat, res.type_index, n_types, radius
        )
        check_cancel(feedback)
        net_m = np.full((ng, n_types), np.nan)
        net_m[ok] = acc.net_m
        straight_m = np.full((ng, n_types), np.nan)
        straight_m[ok] = straight.nearest_m
        st_access = np.zeros((ng, n_types), dtype=bool)
        st_access[ok] = straight.has_access
        snap_m = np.full(ng, np.nan)
        snap_m[ok] = acc.dest_snap.connector_m
        on_net = np.isfinite(snap_m)
        n_res_off = int((~acc.res_snap.ok).sum())
        if n_res_off:
            feedback.pushWarning(
                f"道路網から MAX_SNAP（{max_snap:g} m）より離れた資源 {n_res_off} 件は、道路網での距離に使いません。 / "
                f"{n_res_off} resources lie farther than MAX_SNAP ({max_snap:g} m) from the network and are "
                "not used for network distances."
            )
        n_off = int((ok & ~on_net).sum())
        if n_off:
            feedback.pushWarning(
                f"道路網から MAX_SNAP（{max_snap:g} m）より離れた町丁字 {n_off} 件は道路網の外（net_m = NULL、"
                f"空白）とします。道路網の範囲か MAX_SNAP を確認してください。 / {n_off} chōme lie farther than "
                f"MAX_SNAP ({max_snap:g} m) from the network: off the network (net_m NULL, blank). Check the "
                "extent of the network or MAX_SNAP."
            )

        cols = _columns(net_m, straight_m, chome.population, speed, radius)
        values = list(zip(*(cols + [_nullable(snap_m)])))
        check_cancel(feedback)

        added = result_field_names(safe, speed is not None)
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
            if geometry_type(wkb) == 2 and bool((chome.size > 1).any()):
                wkb = QgsWkbTypes.multiType(wkb)
        else:
            wkb = WKB_POINT

        # comparison per municipality (computed before anything is written)
        net_any = np.zeros(ng, dtype=bool)
        with np.errstate(invalid="ignore"):
            net_acc = net_m <= radius + core_net.INCLUSIVE_EPS_M
        net_any = net_acc.any(axis=1) if n_types else net_any
        st_any = st_access.any(axis=1) if n_types else np.zeros(ng, dtype=bool)
        suffixes = [""] + [f"_{t}" for t in safe]
        sel = np.flatnonzero(ok)
        muni = [chome.keys[i][:5] for i in sel]
        comparison = core_net.compare_by_municipality(
            muni,
            weight[sel],
            np.column_stack([st_any, st_access])[sel],
            np.column_stack([net_any, net_acc])[sel],
            on_net[sel],
            suffixes,
        )

        sink, dest_id = self.parameterAsSink(
            parameters, self.OUTPUT, context, out_fields, wkb, chome.point_crs
        )
        if sink is None:
            raise InputError(ja="出力 OUTPUT を作成できません。", en="The OUTPUT cannot be created.")
        from .blank_areas import _write  # the same write pass as kaigo:blankareas

        req = QgsFeatureRequest()
        if not chome.has_geometry:
            req.setFlags(QgsFeatureRequest.Flag.NoGeometry)
        try:
            _write(iterate(source, req), chome, ok, values, keep, in_fields.count(), wkb, sink, feedback)
        except Cancelled:
            sink = None
            remove_partial_output(dest_id)
            raise
        sink = None
        results = {self.OUTPUT: dest_id}
        if context.willLoadLayerOnCompletion(dest_id):
            styler = NetworkStyler(radius)
            _STYLERS.append(styler)  # QGIS keeps no Python reference to it
            context.layerToLoadOnCompletionDetails(dest_id).setPostProcessor(styler)

        comp_fields = QgsFields()
        names = comparison_field_names(safe)
        for name, kind in names:
            comp_fields.append(make_field(name, kind))
        comp_sink, comp_id = self.parameterAsSink(
            parameters, self.OUTPUT_COMPARISON, context, comp_fields, WKB_NO_GEOMETRY
        )
        if comp_sink is not None:
            for row in zip(*(comparison[n] for n, _ in names)):
                f = QgsFeature(comp_fields)
                f.setAttributes(list(row))
                comp_sink.addFeature(f, QgsFeatureSink.Flag.FastInsert)
            comp_sink = None
            results[self.OUTPUT_COMPARISON] = comp_id

        _report(feedback, comparison, suffixes, ok, on_net, net_any, st_any, chome.population)
        feedback.setProgress(100.0)
        return results


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


def _type_names(res, type_names_param: str, feedback) -> list[str]:
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
    return safe


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


def _report(feedback, comparison, suffixes, ok, on_net, net_any, st_any, population) -> None:
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


class NetworkLines:
    """Vertex arrays of a line layer in lon/lat (JGD2011), with the cost factor of each line."""

    def __init__(self, lon, lat, line_start, factor, log):
        self.lon = lon
        self.lat = lat
        self.line_start = line_start
        self.factor = factor
        self.log = log


def read_network(source, cost_field: str | None, transform_context, feedback=None, fast_layer=None):
    """Read every line of ``source`` into numpy arrays (WKB, parsed by core.network.lines_from_wkb).

    Refuses (InputError, bilingual) a layer that is not made of lines, has no CRS or no line at all,
    and a cost factor that is not positive.
    """
    name = source.sourceName() if hasattr(source, "sourceName") else "NETWORK"
    if geometry_type(source.wkbType()) != 1:
        raise InputError(
            ja=f"道路網 NETWORK（{name}）は線のレイヤではありません。道路の線（LineString）のレイヤを指定してください。",
            en=f"The road network NETWORK ({name}) is not a line layer. Give a layer of road lines "
            "(LineString).",
        )
    crs = source.sourceCrs()
    if not crs.isValid():
        raise InputError(
            ja=f"道路網 NETWORK（{name}）に座標参照系（CRS）が設定されていません。"
            "レイヤのプロパティで CRS を設定してください。",
            en=f"The road network NETWORK ({name}) has no coordinate reference system (CRS). Set its CRS in "
            "the layer properties.",
        )
    names = source.fields().names()
    if cost_field and cost_field not in names:
        raise InputError(
            ja=f"コストの項目「{cost_field}」が道路網レイヤにありません。COST_FIELD を空にするか既存の項目を"
            "指定してください。",
            en=f"The road network has no field '{cost_field}'. Leave COST_FIELD empty or name one of its "
            "fields.",
        )
    blobs, costs = _read_fast(fast_layer, cost_field)
    if blobs is None:
        blobs, costs = _read_slow(source, cost_field, feedback)
    x, y, line_start, line_feature, skipped = core_net.lines_from_wkb(blobs)
    del blobs
    log = []
    if skipped:
        log.append(
            (
                f"ジオメトリが空または線でない地物 {skipped} 件を除外しました。",
                f"{skipped} features with an empty or non-line geometry skipped.",
            )
        )
    if line_start.size < 2:
        raise InputError(
            ja=f"道路網 NETWORK（{name}）に線が 1 本もありません。道路の線があるレイヤ（範囲・フィルタ）を"
            "指定してください。",
            en=f"The road network NETWORK ({name}) has no line. Give a layer (extent, filter) that holds "
            "road lines.",
        )
    factor = None
    if cost_field:
        f = costs[line_feature]
        missing = ~np.isfinite(f)
        if (f[~missing] <= 0).any():
            raise InputError(
                ja=f"コストの項目「{cost_field}」に 0 以下の値があります。距離に掛ける正の係数（例: 1.0、坂道 1.5）"
                "にしてください。",
                en=f"The cost field '{cost_field}' holds values of 0 or less. It must be a positive factor "
                "that multiplies the length (e.g. 1.0, 1.5 on a slope).",
            )
        if missing.any():
            log.append(
                (
                    f"コストの項目が空の線 {int(missing.sum())} 本は係数 1 とします。",
                    f"{int(missing.sum())} lines with an empty cost field count with factor 1.",
                )
            )
        factor = np.where(missing, 1.0, f)
    if crs.authid() != GEOGRAPHIC_AUTHID:
        lon = np.empty_like(x)
        lat = np.empty_like(y)
        for i in range(0, x.size, _TRANSFORM_CHUNK):
            sl = slice(i, i + _TRANSFORM_CHUNK)
            lon[sl], lat[sl] = transform_xy(x[sl], y[sl], crs, geographic_crs(), transform_context)
        x, y = lon, lat
    bad = ~(np.isfinite(x) & np.isfinite(y))
    if bad.any():
        raise InputError(
            ja=f"道路網の頂点 {int(bad.sum())} 個を経緯度に変換できません。NETWORK の CRS を確認してください。",
            en=f"{int(bad.sum())} vertices of the network cannot be transformed to longitude/latitude. Check "
            "the CRS of NETWORK.",
        )
    return NetworkLines(x, y, line_start, factor, log)


def _read_fast(layer, cost_field):
    """(WKB blobs, cost per feature) through GDAL's Arrow interface, or (None, None)."""
    from .layer_io import _ogr_layer

    opened = _ogr_layer(layer) if layer is not None else None
    if opened is None:
        return None, None
    ds, lyr = opened
    defn = lyr.GetLayerDefn()
    all_names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    if cost_field and cost_field not in all_names:
        return None, None
    if lyr.SetIgnoredFields([n for n in all_names if n != cost_field]) != 0:
        return None, None
    geoms: list = []
    costs: list = []
    try:
        for batch in lyr.GetArrowStreamAsNumPy(options=["MAX_FEATURES_IN_BATCH=65536"]):
            geom_cols = [k for k in batch if k not in (cost_field, lyr.GetFIDColumn() or "OGC_FID")]
            if len(geom_cols) != 1:
                return None, None
            geoms.extend(batch[geom_cols[0]].tolist())
            if cost_field:
                costs.append(np.asarray(batch[cost_field], dtype=object))
    except Exception:  # noqa: BLE001 - any GDAL failure means: take the slow path
        return None, None
    finally:
        lyr.ResetReading()
    n_expected = lyr.GetFeatureCount()
    del ds
    if len(geoms) != n_expected:
        return None, None
    cost = (
        np.array([_number(v) for v in np.concatenate(costs).tolist()], dtype=np.float64)
        if cost_field and costs
        else np.ones(len(geoms))
    )
    return geoms, cost


def _read_slow(source, cost_field, feedback):
    req = QgsFeatureRequest()
    if cost_field:
        req.setSubsetOfAttributes([cost_field], source.fields())
    else:
        req.setNoAttributes()
    blobs = []
    costs = []
    total = max(source.featureCount(), 1)
    k = 0
    for f in iterate(source, req):
        g = f.geometry()
        blobs.append(bytes(g.asWkb()) if g is not None and not g.isNull() else b"")
        if cost_field:
            costs.append(_number(f[cost_field]))
        k += 1
        if feedback is not None and not k % 20000:
            feedback.setProgress(20.0 * k / total)
            check_cancel(feedback)
    return blobs, (np.array(costs, dtype=np.float64) if cost_field else np.ones(len(blobs)))


def _number(value) -> float:
    if value is None or is_null(value):
        return float("nan")
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


# ------------------------------------------------------------------ kaigo:fullanalysis with a NETWORK

NETWORK_CHOME_GPKG = "chome_network.gpkg"
NETWORK_COMPARISON_CSV = "network_comparison.csv"


def full_analysis_network_parameter():
    """The optional NETWORK of kaigo:fullanalysis (a line layer: then both rates are reported)."""
    from qgis.core import QgsProcessingParameterVectorLayer
    from qgis.PyQt.QtCore import QCoreApplication

    return QgsProcessingParameterVectorLayer(
        "NETWORK",
        QCoreApplication.translate(
            "NetworkAccessAlgorithm", "Road network for walking distances (optional line layer)"
        ),
        [QgsProcessing.SourceType.TypeVectorLine],
        optional=True,
    )


def full_analysis_network_outputs() -> list:
    from qgis.core import QgsProcessingOutputFile
    from qgis.PyQt.QtCore import QCoreApplication

    tr = QCoreApplication.translate
    return [
        QgsProcessingOutputFile(
            "CHOME_NETWORK_GPKG", tr("NetworkAccessAlgorithm", "Chōme with network distances (GeoPackage)")
        ),
        QgsProcessingOutputFile(
            "NETWORK_COMPARISON",
            tr("NetworkAccessAlgorithm", "Straight line vs network, per municipality (CSV)"),
        ),
    ]


def run_in_full_analysis(run_child, network, p: dict, chome_path: str, tmp: str, context, feedback) -> dict:
    """kaigo:networkaccess on the chōme of a full analysis; both rates to the log and a CSV (UTF-8 BOM).

    ``run_child``: FullAnalysisAlgorithm._child. Returns the file names written into ``tmp``.
    """
    import os

    from qgis.core import QgsVectorLayer

    from ..core.tables import write_csv

    table = os.path.join(tmp, ".network_comparison.gpkg")
    params = {
        "INPUT": chome_path,
        "RESOURCES": p["resources"],
        "NETWORK": network,
        "RADIUS": p["radius"],
        "KEY_FIELD": p["key_field"],
        "OUTPUT": os.path.join(tmp, NETWORK_CHOME_GPKG),
        "OUTPUT_COMPARISON": table,
    }
    if p.get("pop_field"):
        params["POPULATION_FIELD"] = p["pop_field"]
    if p.get("elderly_field"):
        params["ELDERLY_FIELD"] = p["elderly_field"]
    run_child("kaigo:networkaccess", params, context, feedback)
    layer = QgsVectorLayer(table, "comparison", "ogr")
    names = layer.fields().names()
    rows = [[None if is_null(v) else v for v in f.attributes()] for f in layer.getFeatures()]
    keep = [i for i, n in enumerate(names) if n != "fid"]
    write_csv(
        os.path.join(tmp, NETWORK_COMPARISON_CSV),
        [names[i] for i in keep],
        [[r[i] for i in keep] for r in rows],
    )
    i_code, i_st, i_net = (names.index(n) for n in ("muni_code", "rate_straight_pct", "rate_net_pct"))
    for r in rows:
        if r[i_st] is not None and r[i_net] is not None:
            feedback.pushInfo(
                f"{r[i_code]}: 充足率 直線 {r[i_st]:.1f} % / 道路網 {r[i_net]:.1f} % — "
                f"rate by straight line {r[i_st]:.1f} %, along the network {r[i_net]:.1f} %"
            )
    return {"CHOME_NETWORK_GPKG": NETWORK_CHOME_GPKG, "NETWORK_COMPARISON": NETWORK_COMPARISON_CSV}

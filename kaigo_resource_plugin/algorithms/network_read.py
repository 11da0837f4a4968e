"""Reading a road network (line layer) into vertex arrays in lon/lat, for kaigo:networkaccess."""

from __future__ import annotations

import numpy as np
from qgis.core import QgsFeatureRequest

from ..compat import geometry_type, is_null
from ..core import network as core_net
from ..core.errors import InputError
from .base import check_cancel
from .crs import GEOGRAPHIC_AUTHID, geographic_crs, transform_xy
from .layer_read import iterate, ogr_layer

# Vertices transformed to lon/lat per call (one multipoint geometry each).
_TRANSFORM_CHUNK = 1_000_000


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
    crs = _checked_crs(source, cost_field, name)
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
    factor = _cost_factor(costs[line_feature], cost_field, log) if cost_field else None
    x, y = _lonlat(x, y, crs, transform_context)
    return NetworkLines(x, y, line_start, factor, log)


def _checked_crs(source, cost_field: str | None, name: str):
    """The network's CRS; refused when the layer is not made of lines, has no CRS or no COST_FIELD."""
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
    if cost_field and cost_field not in source.fields().names():
        raise InputError(
            ja=f"コストの項目「{cost_field}」が道路網レイヤにありません。COST_FIELD を空にするか既存の項目を"
            "指定してください。",
            en=f"The road network has no field '{cost_field}'. Leave COST_FIELD empty or name one of its "
            "fields.",
        )
    return crs


def _cost_factor(f: np.ndarray, cost_field: str, log: list) -> np.ndarray:
    """The cost factor of each line: positive; an empty value counts 1 (the log says how many)."""
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
    return np.where(missing, 1.0, f)


def _lonlat(x: np.ndarray, y: np.ndarray, crs, transform_context):
    """The vertices in lon/lat (JGD2011), transformed in chunks; refused when some cannot be."""
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
    return x, y


def _read_fast(layer, cost_field):
    """(WKB blobs, cost per feature) through GDAL's Arrow interface, or (None, None)."""
    opened = ogr_layer(layer) if layer is not None else None
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

"""Reading chōme and resource layers into plain numpy arrays, with coordinates as GRS80 lon/lat.

Shared by the algorithms of the kaigo provider: one point per feature (``read_points``), one representative
point per chōme key (``read_chome``), the points of resource layers (``read_resources``). Coordinates go
to JGD2011 lon/lat through ``crs``; the e-Stat rules (water areas, layouts, default fields) come from core.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeatureRequest,
    QgsGeometry,
    QgsProcessingFeatureSource,
    QgsWkbTypes,
)

from ..compat import WKB_NO_GEOMETRY, geometry_type, is_null
from ..core.contract import POPULATION_CANDIDATES, first_present, to_float
from . import checks
from .crs import (
    GEOGRAPHIC_AUTHID,
    checked_transform,
    geographic_crs,
    has_xy_code,
    to_lonlat,
    transform_xy,
    xy_code_crs,
)


def as_float_array(values: np.ndarray) -> np.ndarray:
    """A column as float64 (NaN for NULL or text that is not a number)."""
    if values.dtype == np.float64:
        return values
    return np.array([to_float(v) for v in values.tolist()], dtype=np.float64)


def to_text(value) -> str | None:
    """An attribute as text; None for NULL."""
    if is_null(value):
        return None
    return str(value)


@dataclass
class LayerPoints:
    """One point per feature of a layer, as read by ``read_points``."""

    fids: np.ndarray  # feature ids, in the order of the layer
    x: np.ndarray  # in the layer CRS; NaN when the feature gave no point
    y: np.ndarray
    # requested fields: float64 (NaN for NULL) for numeric fields; text as a str array when it has no
    # NULL, else an object array of str / None
    attributes: dict[str, np.ndarray] = field(default_factory=dict)
    outside: np.ndarray | None = None  # centroids that fall outside their polygon (method "centroid")
    n_null_geometry: int = 0
    n_bad_geometry: int = 0
    fast: bool = False  # read through GDAL's Arrow interface rather than feature by feature


def unreadable_chome_message(parameters, context, name: str = "INPUT") -> str | None:
    """The bilingual message for a chōme layer parameter that cannot be loaded, or None."""
    bad = unreadable_layers([parameters.get(name)], context)
    if not bad:
        return None
    return (
        f"町丁字レイヤを読み込めません: {bad[0]}。{name} のパスと形式を確認してください。\n"
        f"Cannot read the chōme layer {bad[0]}: check the path and format of {name}."
    )


def unreadable_layers(values, context) -> list[str]:
    """The entries of a layer parameter value (a list, or one value) that cannot be loaded as layers."""
    from qgis.core import QgsMapLayer, QgsProcessingFeatureSourceDefinition, QgsProcessingUtils

    if values is None:
        return []
    if not isinstance(values, (list, tuple)):
        values = [values]
    bad = []
    for v in values:
        if v is None or isinstance(v, QgsMapLayer):
            continue
        if isinstance(v, QgsProcessingFeatureSourceDefinition):
            v = v.source.staticValue() if hasattr(v.source, "staticValue") else v.source
        if not isinstance(v, str) or not v:
            continue
        if QgsProcessingUtils.mapLayerFromString(v, context) is None:
            bad.append(v)
    return bad


def iterate(source, request: QgsFeatureRequest | None = None):
    """Features of a layer or a Processing source, without Processing's invalid-geometry check.

    Invalid geometries are the caller's business here (reduced to a point, or skipped and counted):
    Processing's default check would stop the whole run at the first one.
    """
    request = request if request is not None else QgsFeatureRequest()
    if isinstance(source, QgsProcessingFeatureSource):
        return source.getFeatures(request, QgsProcessingFeatureSource.Flag.FlagSkipGeometryValidityChecks)
    request.setInvalidGeometryCheck(QgsFeatureRequest.InvalidGeometryCheck.GeometryNoCheck)
    return source.getFeatures(request)


def point_of_geometry(geom: QgsGeometry, method: str = "surface") -> tuple[float, float, bool]:
    """(x, y, outside) of one geometry: its point (a point layer), a point on its surface, or its centroid.

    ``method``: "surface" or "centroid". ``outside`` is True for a centroid outside its polygon.
    NaN coordinates when the geometry is NULL, empty or cannot give a point.
    """
    nan = float("nan")
    if geom is None or geom.isNull() or geom.isEmpty():
        return nan, nan, False
    if geometry_type(geom.wkbType()) == 0 and not QgsWkbTypes.isMultiType(geom.wkbType()):
        p = geom.asPoint()
        return p.x(), p.y(), False
    if method == "centroid" and geometry_type(geom.wkbType()) == 2:
        c = geom.centroid()
        if c is None or c.isNull() or c.isEmpty():
            return nan, nan, False
        p = c.asPoint()
        return p.x(), p.y(), not geom.intersects(c)
    g = geom.pointOnSurface()
    if g is None or g.isNull() or g.isEmpty():
        fixed = geom.makeValid()
        g = fixed.pointOnSurface() if fixed is not None and not fixed.isNull() else None
        if g is None or g.isNull() or g.isEmpty():
            return nan, nan, False
    p = g.asPoint()
    return p.x(), p.y(), False


def plain_layer(parameter_value, layer):
    """``layer`` when a Processing input is the whole layer (no selection, limit or filter), else None.

    Only then may ``read_points`` read it straight from its file (``fast_ok``).
    """
    from qgis.core import QgsProcessingFeatureSourceDefinition

    if isinstance(parameter_value, QgsProcessingFeatureSourceDefinition):
        if parameter_value.selectedFeaturesOnly or parameter_value.featureLimit not in (-1, None):
            return None
        if getattr(parameter_value, "filterExpression", ""):
            return None
    return layer


def ogr_layer(layer):
    """(dataset, OGR layer) behind a QGIS "ogr" layer, or None when it cannot be opened that way."""
    try:
        from osgeo import gdal, ogr
        from qgis.core import QgsProviderRegistry
    except ImportError:  # pragma: no cover - GDAL's Python bindings ship with QGIS
        return None
    if layer is None or not hasattr(layer, "providerType") or layer.providerType() != "ogr":
        return None
    parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
    path = parts.get("path")
    if not path:
        return None
    gdal.PushErrorHandler("CPLQuietErrorHandler")
    try:
        ds = ogr.Open(path, 0)
    except Exception:  # noqa: BLE001 - any GDAL failure means: take the slow path
        return None
    finally:
        gdal.PopErrorHandler()
    if ds is None:
        return None
    name = parts.get("layerName")
    lid = parts.get("layerId")
    # With gdal/ogr.UseExceptions() in force (QGIS >= 3.40 turns them on process-wide) a failing call
    # raises instead of returning None or an error code: both mean "take the slow path".
    try:
        lyr = ds.GetLayerByName(name) if name else ds.GetLayer(int(lid) if lid not in (None, "") else 0)
        if lyr is None or not hasattr(lyr, "GetArrowStreamAsNumPy"):
            return None
        subset = layer.subsetString()
        # a QGIS subset string may be a whole SELECT statement, which OGR's attribute filter refuses
        if subset and lyr.SetAttributeFilter(subset) != 0:
            return None
    except Exception:  # noqa: BLE001
        return None
    return ds, lyr


_WKB_XY = {21: (1, 5), 29: (1001, 5)}  # record size → (WKB type, offset of x): Point, Point Z


def _read_fast(layer, field_names: list[str], numeric: list[bool], want_points: bool):
    """Columns and point coordinates through GDAL's Arrow interface; None when not possible."""
    opened = ogr_layer(layer)
    if opened is None:
        return None
    ds, lyr = opened
    defn = lyr.GetLayerDefn()
    all_names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    if any(n not in all_names for n in field_names):
        return None
    ignored = [n for n in all_names if n not in field_names]
    if not want_points:
        ignored.append("OGR_GEOMETRY")
    try:
        if lyr.SetIgnoredFields(ignored) != 0:
            return None
    except Exception:  # noqa: BLE001 - GDAL exceptions on: same as an error code
        return None
    fid_col = lyr.GetFIDColumn() or "OGC_FID"
    chunks: dict[str, list] = {}
    try:
        for batch in lyr.GetArrowStreamAsNumPy(options=["MAX_FEATURES_IN_BATCH=65536"]):
            for k, v in batch.items():
                chunks.setdefault(k, []).append(v)
    except Exception:  # noqa: BLE001
        return None
    finally:
        lyr.ResetReading()
    n_expected = lyr.GetFeatureCount()
    del ds
    if fid_col not in chunks:
        if n_expected == 0:
            empty = np.zeros(0)
            cols = {n: (empty if num else np.zeros(0, dtype=object)) for n, num in zip(field_names, numeric)}
            return np.zeros(0, dtype=np.int64), cols, empty, empty, 0
        return None
    fids = np.concatenate([np.asarray(c) for c in chunks.pop(fid_col)]).astype(np.int64)
    if fids.size != n_expected:
        return None
    cols = {}
    for name, num in zip(field_names, numeric):
        parts = chunks.pop(name, None)
        if parts is None:
            return None
        cols[name] = _column(parts, num)
    x = y = None
    n_null = 0
    if want_points:
        geom_parts = [v for k, v in chunks.items()]
        if len(geom_parts) != 1:
            return None
        parsed = _parse_points(geom_parts[0])
        if parsed is None:
            return None
        x, y, n_null = parsed
    return fids, cols, x, y, n_null


def _column(parts: list, numeric: bool) -> np.ndarray:
    if numeric:
        out = []
        for p in parts:
            if isinstance(p, np.ma.MaskedArray):
                out.append(np.ma.filled(p.astype(np.float64), np.nan))
            else:
                out.append(np.asarray(p, dtype=np.float64))
        return np.concatenate(out) if out else np.zeros(0)
    if all(not (isinstance(p, np.ma.MaskedArray) and np.ma.getmaskarray(p).any()) for p in parts) and all(
        np.asarray(p).dtype.kind == "S" for p in parts
    ):  # text without NULLs: decode in bulk into a str array
        joined = np.concatenate([np.asarray(p) for p in parts]) if parts else np.zeros(0, dtype="S1")
        try:
            return joined.astype(str)  # ASCII (keys, codes): decoded in C
        except UnicodeDecodeError:
            return np.array([b.decode("utf-8", errors="replace") for b in joined.tolist()], dtype=str)
    vals: list = []
    for p in parts:
        mask = np.ma.getmaskarray(p) if isinstance(p, np.ma.MaskedArray) else None
        data = p.data if isinstance(p, np.ma.MaskedArray) else p
        for i, v in enumerate(data.tolist()):
            if mask is not None and mask[i]:
                vals.append(None)
            elif isinstance(v, bytes):
                vals.append(v.decode("utf-8", errors="replace"))
            else:
                vals.append(None if v is None else str(v))
    return np.array(vals, dtype=object)


def _parse_points(parts: list):
    """x, y, number of NULL geometries from WKB points; None if any geometry is not a plain point."""
    xs, ys = [], []
    n_null = 0
    for p in parts:
        mask = np.ma.getmaskarray(p) if isinstance(p, np.ma.MaskedArray) else None
        data = p.data if isinstance(p, np.ma.MaskedArray) else p
        size = data.dtype.itemsize if data.dtype.kind == "V" else 0
        if size in _WKB_XY and mask is None:
            raw = np.frombuffer(data.tobytes(), dtype=np.uint8).reshape(-1, size)
            wkb_type, off = _WKB_XY[size]
            if not (raw[:, 0] == 1).all():
                return None
            t = raw[:, 1:5].copy().view("<u4").ravel()
            if not (t == wkb_type).all():
                return None
            xy = raw[:, off : off + 16].copy().view("<f8").reshape(-1, 2)
            xs.append(xy[:, 0])
            ys.append(xy[:, 1])
            continue
        px = np.full(len(data), np.nan)
        py = np.full(len(data), np.nan)
        for i, g in enumerate(data):
            if g is None or (mask is not None and mask[i]):
                n_null += 1
                continue
            b = bytes(g)
            if len(b) not in _WKB_XY or b[0] != 1:
                return None
            wkb_type, off = _WKB_XY[len(b)]
            if int.from_bytes(b[1:5], "little") != wkb_type:
                return None
            px[i], py[i] = np.frombuffer(b, dtype="<f8", count=2, offset=off)
        xs.append(px)
        ys.append(py)
    x = np.concatenate(xs) if xs else np.zeros(0)
    y = np.concatenate(ys) if ys else np.zeros(0)
    empty = np.isnan(x) & ~np.isnan(y)
    return x, y, n_null + int(empty.sum())


def _convert(values: list, numeric: bool) -> np.ndarray:
    if numeric:
        return np.array([to_float(v) for v in values], dtype=np.float64)
    return np.array([to_text(v) for v in values], dtype=object)


def read_points(
    source,
    field_names: list[str],
    geometry: str | None = "surface",
    fids: list | None = None,
    feedback=None,
    progress_span: tuple[float, float] = (0.0, 100.0),
    fast_layer=None,
    to_geographic=None,
) -> LayerPoints:
    """Read ``field_names`` and one point per feature from a QgsFeatureSource / QgsVectorLayer.

    ``geometry``: "surface" (points as they are, others reduced to a point on their surface),
    "centroid", or None to skip geometries altogether (x, y all NaN; much faster).
    ``fids``: restrict to these feature ids. Cancellation is checked every 5,000 features.
    ``fast_layer``: the QgsVectorLayer behind ``source`` when it is read whole (see ``plain_layer``);
    a file-based ("ogr") layer is then read in bulk through GDAL's Arrow interface (GDAL ≥ 3.6), which
    is many times faster; anything that path cannot do exactly falls back to the feature loop.
    ``to_geographic``: a transform context; the points are then lon/lat on JGD2011 (EPSG:6668), and
    points on surface / centroids are computed on the geometries transformed to EPSG:6668, so that
    they do not depend on the CRS the layer happens to be stored in.
    """
    ct = None
    if to_geographic is not None and geometry is not None:
        ct = checked_transform(source.sourceCrs(), geographic_crs(), to_geographic)
    src_fields = source.fields()
    numeric = [src_fields.field(n).isNumeric() for n in field_names]
    if fast_layer is not None and fids is None and geometry in (None, "surface", "centroid"):
        got = _read_points_fast(source, fast_layer, field_names, numeric, geometry, ct, to_geographic)
        if got is not None:
            return got
    return _read_points_loop(source, field_names, numeric, geometry, fids, feedback, progress_span, ct)


def _read_points_fast(source, fast_layer, field_names, numeric, geometry, ct, to_geographic):
    """``read_points`` of a whole layer in bulk through GDAL's Arrow interface: attributes only, or
    point layers; None when that path cannot do it exactly."""
    if not (geometry is None or geometry_type(source.wkbType()) == 0):
        return None
    got = _read_fast(fast_layer, field_names, numeric, geometry is not None)
    if got is None:
        return None
    f_ids, cols, x, y, n_null = got
    n = f_ids.size
    if x is None:
        x = np.full(n, np.nan)
        y = np.full(n, np.nan)
    elif ct is not None:
        x, y = to_lonlat(x, y, source.sourceCrs(), to_geographic)
    return LayerPoints(
        fids=f_ids,
        x=x,
        y=y,
        attributes=cols,
        outside=np.zeros(n, dtype=bool),
        n_null_geometry=n_null,
        fast=True,
    )


def _read_points_loop(
    source, field_names, numeric, geometry, fids, feedback, progress_span, ct
) -> LayerPoints:
    """``read_points`` feature by feature (any layer, any geometry, a subset of ``fids``)."""
    src_fields = source.fields()
    req = QgsFeatureRequest()
    all_names = src_fields.names()
    idx = [all_names.index(n) for n in field_names]
    req.setSubsetOfAttributes(idx)
    if geometry is None:
        req.setFlags(QgsFeatureRequest.Flag.NoGeometry)
    if fids is not None:
        req.setFilterFids(list(fids))
    total = source.featureCount() if fids is None else len(fids)
    total = max(total, 1)
    out_fids = []
    xs = []
    ys = []
    outs = []
    values: list[list] = [[] for _ in idx]
    n_null = 0
    n_bad = 0
    nan = float("nan")
    lo, hi = progress_span
    for k, f in enumerate(iterate(source, req)):
        if k % 5000 == 0 and feedback is not None:
            if feedback.isCanceled():
                from ..core.errors import Cancelled

                raise Cancelled()
            feedback.setProgress(lo + (hi - lo) * k / total)
        out_fids.append(f.id())
        if idx:
            attrs = f.attributes()
            for c, i in zip(values, idx):
                c.append(attrs[i])
        if geometry is None:
            xs.append(nan)
            ys.append(nan)
            outs.append(False)
            continue
        g = f.geometry()
        if g is None or g.isNull() or g.isEmpty():
            n_null += 1
            xs.append(nan)
            ys.append(nan)
            outs.append(False)
            continue
        if ct is not None:
            try:
                g.transform(ct)
            except Exception:  # noqa: BLE001 - QgsCsException: outside the CRS's area
                n_bad += 1
                xs.append(nan)
                ys.append(nan)
                outs.append(False)
                continue
        x, y, outside = point_of_geometry(g, geometry)
        if x != x:
            n_bad += 1
        xs.append(x)
        ys.append(y)
        outs.append(outside)
    return LayerPoints(
        fids=np.array(out_fids, dtype=np.int64),
        x=np.array(xs, dtype=np.float64),
        y=np.array(ys, dtype=np.float64),
        attributes={n: _convert(c, num) for n, c, num in zip(field_names, values, numeric)},
        outside=np.array(outs, dtype=bool),
        n_null_geometry=n_null,
        n_bad_geometry=n_bad,
    )


@dataclass
class ChomePoints:
    """Chōme of a layer grouped by key, with one representative point each (see ``read_chome``)."""

    keys: list[str]  # one per chōme, in the order of the layer
    fids: np.ndarray  # feature ids of the layer, in its order
    group: np.ndarray  # chōme index of each feature (-1: water, no key, or no usable point)
    main: np.ndarray  # index (into fids) of each chōme's main part
    size: np.ndarray  # number of parts of each chōme
    last: np.ndarray  # index (into fids) of each chōme's last part
    lon: np.ndarray  # representative point, JGD2011 lon/lat degrees
    lat: np.ndarray
    x: np.ndarray  # the same point in ``point_crs``
    y: np.ndarray
    point_crs: QgsCoordinateReferenceSystem  # the input's CRS (or the X_CODE/Y_CODE CRS of a table)
    method: np.ndarray  # per chōme: 0 X_CODE/Y_CODE, 1 point on surface, 2 centroid
    outside: np.ndarray  # per chōme: centroid outside its polygon
    population: np.ndarray | None  # per chōme: largest population of its parts (NaN: unknown)
    population_field: str | None
    has_geometry: bool
    log: list[tuple[str, str]] = field(default_factory=list)  # (ja, en) notes for the log


def _key_field_error(key_field: str, names) -> None:
    from ..core.errors import InputError

    shown = ", ".join(names[:12]) + (" …" if len(names) > 12 else "")
    raise InputError(
        ja=f"キー項目「{key_field}」が町丁字レイヤにありません。KEY_FIELD に既存の項目を指定してください"
        f"（項目: {shown}）。",
        en=f"The chōme layer has no field '{key_field}'. Set KEY_FIELD to one of its fields ({shown}).",
    )


def default_population_field(names) -> str | None:
    """``pop_total`` when present, else ``JINKO``, else None (core.contract.POPULATION_CANDIDATES)."""
    return first_present(POPULATION_CANDIDATES, names)


def _check_chome_source(source, key_field: str, population_field: str | None, transform_context):
    """(has geometry, has X_CODE/Y_CODE, population field): the chōme layer checked, refused when unfit."""
    from ..core.errors import InputError

    names = source.fields().names()
    if key_field not in names:
        _key_field_error(key_field, names)
    has_geom = source.wkbType() != WKB_NO_GEOMETRY
    layer_crs = source.sourceCrs()
    if has_geom and not layer_crs.isValid():
        raise InputError(
            ja="町丁字レイヤに座標参照系（CRS）が設定されていません。"
            "レイヤのプロパティで CRS を設定してください。",
            en="The chōme layer has no coordinate reference system (CRS). Set its CRS in the layer "
            "properties.",
        )
    if has_geom:
        checks.require_exact_transform(layer_crs, transform_context, "町丁字レイヤ", "the chōme layer")
        checks.source_in_japan(source, transform_context, "町丁字レイヤ", "the chōme layer")
    xy = has_xy_code(names)
    if not has_geom and not xy:
        raise InputError(
            ja="町丁字レイヤにジオメトリも X_CODE/Y_CODE 項目もありません。"
            "境界データか、X_CODE/Y_CODE のある表を指定してください。",
            en="The chōme layer has neither geometries nor X_CODE/Y_CODE fields. Use the boundary file, or "
            "a table that carries X_CODE/Y_CODE.",
        )
    if population_field and population_field not in names:
        raise InputError(
            ja=f"人口項目「{population_field}」が町丁字レイヤにありません。"
            "POPULATION_FIELD を空にするか既存の項目を指定してください。",
            en=f"The chōme layer has no field '{population_field}'. Leave POPULATION_FIELD empty or name "
            "one of its fields.",
        )
    if population_field and not source.fields().field(population_field).isNumeric():
        kind = source.fields().field(population_field).typeName()
        raise InputError(
            ja=f"人口項目「{population_field}」は数値ではなく文字列（{kind}）です。"
            "数値の項目を POPULATION_FIELD に指定するか、フィールド計算機で数値の項目に変換してください。",
            en=f"The population field '{population_field}' holds text ({kind}), not numbers. Name a numeric "
            "field in POPULATION_FIELD, or convert it to a number field with the field calculator.",
        )
    return has_geom, xy, population_field or default_population_field(names)


def read_chome(
    source,
    key_field: str,
    method: int,
    transform_context,
    population_field: str | None = None,
    feedback=None,
    progress_span: tuple[float, float] = (0.0, 40.0),
    fast_layer=None,
) -> ChomePoints:
    """Group the chōme of ``source`` by ``key_field`` and give each one representative point.

    ``method``: 0 e-Stat X_CODE/Y_CODE (features without them fall back to a point on the surface),
    1 point on surface, 2 centroid. Water areas (HCODE 8154) and features without a key are left out;
    multi-part chōme get the point of their main part (``core.repoints``). Raises InputError for a
    missing key field, a layer without CRS, or a table without geometry and without X_CODE/Y_CODE.
    ``fast_layer``: see ``read_points``.
    """
    from ..core import repoints

    has_geom, xy, population_field = _check_chome_source(
        source, key_field, population_field, transform_context
    )
    plan = repoints.plan_points(method, has_geom, xy)
    log: list[tuple[str, str]] = list(plan.notes)
    pts = read_points(
        source,
        repoints.wanted_fields(key_field, source.fields().names(), population_field, plan.use_xy),
        plan.geom_mode,
        feedback=feedback,
        progress_span=progress_span,
        fast_layer=fast_layer,
        to_geographic=transform_context,
    )
    attrs = pts.attributes
    keys, key_note = checks.chome_keys(repoints.normalise_keys(attrs[key_field]), key_field)
    if key_note:
        log.append(key_note)
    water = repoints.water_mask(attrs.get("HCODE"), pts.fids.size)
    pop_raw = as_float_array(attrs[population_field]) if population_field else None
    if pop_raw is not None:
        checks.check_counts(pop_raw, population_field or "")
    px, py, point_ok = _feature_points(pts, plan.use_xy, has_geom)
    area = as_float_array(attrs["AREA"]) if "AREA" in attrs else None
    kigo = attrs["KIGO_E"].tolist() if "KIGO_E" in attrs else None
    groups = repoints.group_chome(keys, pop_raw, kigo, area, ~water & point_ok)
    ng = len(groups.keys)
    main = groups.main
    meth = np.full(ng, plan.method, dtype=np.int64)
    gx = px[main].copy() if ng else np.zeros(0)
    gy = py[main].copy() if ng else np.zeros(0)
    outside = pts.outside[main].copy() if (pts.outside is not None and ng) else np.zeros(ng, dtype=bool)
    layer_crs = source.sourceCrs()
    if plan.use_xy:
        xy_crs, lon, lat = _lonlat_of_xy(source, pts, main, gx, gy, meth, has_geom, transform_context, log)
    else:
        xy_crs, (lon, lat) = layer_crs, (gx, gy)  # read_points gave lon/lat already
    point_crs = layer_crs if has_geom else xy_crs
    checks.require_in_japan(lon, lat, "町丁字の代表地点", "the chōme points")
    if point_crs.authid() == GEOGRAPHIC_AUTHID:
        gx, gy = lon.copy(), lat.copy()
    elif has_geom or not plan.use_xy:  # a table: the points stay in the CRS of X_CODE/Y_CODE
        gx, gy = transform_xy(lon, lat, geographic_crs(), point_crs, transform_context)
    log += repoints.dropped_notes(
        int(water.sum()),
        int((keys == "").sum()),
        int((~point_ok & ~water).sum()),
        int((groups.size > 1).sum()),
    )
    return ChomePoints(
        keys=groups.keys,
        fids=pts.fids,
        group=groups.group,
        main=main,
        size=groups.size,
        last=groups.last,
        lon=lon,
        lat=lat,
        x=gx,
        y=gy,
        point_crs=point_crs,
        method=meth,
        outside=outside,
        population=repoints.group_max(pop_raw, groups.group, ng) if pop_raw is not None else None,
        population_field=population_field,
        has_geometry=has_geom,
        log=log,
    )


def _feature_points(pts, use_xy: bool, has_geom: bool):
    """(x, y, usable) of each feature: X_CODE/Y_CODE checked and cleaned, or the points read."""
    from ..core import repoints

    if use_xy:
        px, py = as_float_array(pts.attributes["X_CODE"]), as_float_array(pts.attributes["Y_CODE"])
        checks.check_xy_code(px, py)
        return repoints.clean_xy(px, py, has_geom)
    return pts.x, pts.y, np.isfinite(pts.x)


def _lonlat_of_xy(source, pts, main, gx, gy, meth, has_geom, transform_context, log):
    """(CRS of X_CODE/Y_CODE, lon, lat) of the chōme points from X_CODE/Y_CODE; a chōme without them
    gets a point on the surface of its main part (``meth`` and ``log`` say so)."""
    from ..core import repoints

    names = source.fields().names()
    xy_crs, assumed = xy_code_crs(source.sourceCrs() if has_geom else None, names)
    if assumed:
        log.append(
            (
                f"X_CODE/Y_CODE を {xy_crs.authid()} の経緯度とみなしました。",
                f"X_CODE/Y_CODE were taken as longitude/latitude in {xy_crs.authid()}.",
            )
        )
    lon, lat = to_lonlat(gx, gy, xy_crs, transform_context)
    missing = np.flatnonzero(~np.isfinite(gx))
    if missing.size and has_geom:
        fb = read_points(
            source, [], "surface", fids=pts.fids[main[missing]].tolist(), to_geographic=transform_context
        )
        pos = {int(f): i for i, f in enumerate(fb.fids)}
        for g in missing:
            i = pos.get(int(pts.fids[main[g]]))
            if i is not None:
                lon[g], lat[g] = fb.x[i], fb.y[i]
        meth[missing] = repoints.METHOD_SURFACE
        log.append(
            (
                f"X_CODE/Y_CODE が空の町丁字 {missing.size} 件はポリゴン内の点を使いました。",
                f"{missing.size} chōme without X_CODE/Y_CODE use a point on surface instead.",
            )
        )
    return xy_crs, lon, lat


@dataclass
class ResourcePoints:
    """Resources of one or more layers as lon/lat points with a type index (see ``read_resources``)."""

    lon: np.ndarray
    lat: np.ndarray
    type_index: np.ndarray  # index into type_names
    type_names: list[str]  # raw names: layer names, or category values
    log: list[tuple[str, str]] = field(default_factory=list)


def read_resources(
    layers,
    transform_context,
    category_field: str | None = None,
    feedback=None,
    progress_span: tuple[float, float] = (40.0, 55.0),
) -> ResourcePoints:
    """Read resource layers: one type per layer (named after the layer), or per value of ``category_field``.

    Points are taken as they are; lines and polygons are reduced to a point on their surface. Features
    with NULL or invalid geometry are skipped and counted in ``log``. A layer without CRS raises InputError.
    """
    type_names: list[str] = []
    type_of: dict[str, int] = {}
    lons, lats, types = [], [], []
    log: list[tuple[str, str]] = []
    lo, hi = progress_span
    layer_names, renamed = checks.distinct_names(
        [
            lyr.name() if lyr is not None and hasattr(lyr, "name") else f"layer{i + 1}"
            for i, lyr in enumerate(layers)
        ]
    )
    if renamed:
        log.append(renamed)
    for li, layer in enumerate(layers):
        name = layer_names[li]
        cat = _checked_resource_layer(layer, name, category_field, transform_context, log)
        span = (lo + (hi - lo) * li / len(layers), lo + (hi - lo) * (li + 1) / len(layers))
        pts = checks.resource_parts(layer, cat, transform_context, feedback) or read_points(
            layer,
            [cat] if cat else [],
            "surface",
            feedback=feedback,
            progress_span=span,
            fast_layer=layer,
            to_geographic=transform_context,
        )
        if geometry_type(layer.wkbType()) in (1, 2):
            log.append(
                (
                    f"資源レイヤ「{name}」の線・ポリゴンは"
                    "ポリゴン内の点（point on surface）に置き換えました。",
                    f"Lines/polygons of resource layer '{name}' were reduced to a point on their surface.",
                )
            )
        skipped = pts.n_null_geometry + pts.n_bad_geometry
        if skipped:
            log.append(
                (
                    f"資源レイヤ「{name}」のジオメトリが空または不正な地物 {skipped} 件を除外しました。",
                    f"{skipped} features of resource layer '{name}' with NULL or invalid geometry skipped.",
                )
            )
        lon, lat = pts.x, pts.y
        ok = np.isfinite(lon) & np.isfinite(lat)
        outside = checks.require_in_japan(
            lon, lat, f"資源レイヤ「{name}」", f"the resource layer '{name}'", True
        )
        if outside:
            log.append(outside)
        t = _type_indexes(pts, cat, name, type_of, type_names)
        lons.append(lon[ok])
        lats.append(lat[ok])
        types.append(t[ok])
    checks.check_categories(category_field, len(type_names))
    cat_lon = np.concatenate(lons) if lons else np.zeros(0)
    cat_lat = np.concatenate(lats) if lats else np.zeros(0)
    cat_t = np.concatenate(types) if types else np.zeros(0, dtype=np.int64)
    return ResourcePoints(cat_lon, cat_lat, cat_t, type_names, log)


def _checked_resource_layer(
    layer, name: str, category_field: str | None, transform_context, log
) -> str | None:
    """The category field of a resource layer (None: the layer is one type); refused (InputError) when
    the layer cannot be read, has no geometry or no CRS, or lies outside Japan. Notes go to ``log``."""
    from ..core.errors import InputError

    if layer is None or (hasattr(layer, "isValid") and not layer.isValid()):
        raise InputError(
            ja=f"資源レイヤ「{name}」を読み込めません。ファイルのパスと形式を確認してください。",
            en=f"The resource layer '{name}' cannot be read. Check its path and format.",
        )
    # An empty layer is valid (every chōme blank) even when, like an empty GeoJSON, it has no
    # geometry type and no CRS to check.
    empty = layer.featureCount() == 0
    if layer.wkbType() == WKB_NO_GEOMETRY and not empty:
        raise InputError(
            ja=f"資源レイヤ「{name}」にジオメトリがありません。点（またはポリゴン）のレイヤを指定してください。",
            en=f"The resource layer '{name}' has no geometry. Use a point (or polygon) layer.",
        )
    crs = layer.crs() if hasattr(layer, "crs") else layer.sourceCrs()
    if not crs.isValid() and not empty:
        raise InputError(
            ja=f"資源レイヤ「{name}」に座標参照系（CRS）が設定されていません。"
            "レイヤのプロパティで CRS を設定してください。",
            en=f"The resource layer '{name}' has no coordinate reference system (CRS). "
            "Set its CRS in the layer properties.",
        )
    if empty:
        log.append(
            (
                f"資源レイヤ「{name}」は空（0 件）です。この種類についてはすべての町丁字が空白地域になります。",
                f"The resource layer '{name}' is empty (0 features): every chōme is blank for this type.",
            )
        )
    cat = category_field if category_field and category_field in layer.fields().names() else None
    if category_field and cat is None:
        log.append(
            (
                f"資源レイヤ「{name}」には項目「{category_field}」がないので、"
                "レイヤ全体を 1 種類とします。",
                f"Resource layer '{name}' has no field '{category_field}': the whole layer is one type.",
            )
        )
    if not empty:
        checks.source_in_japan(
            layer, transform_context, f"資源レイヤ「{name}」", f"the resource layer '{name}'", True
        )
        checks.require_exact_transform(
            crs, transform_context, f"資源レイヤ「{name}」", f"the resource layer '{name}'"
        )
    return cat


def _type_indexes(pts, cat: str | None, name: str, type_of: dict, type_names: list) -> np.ndarray:
    """The type index of each point: the layer's (its name), or its category value's; new types are
    appended to ``type_names`` in the order met."""
    t = np.empty(pts.fids.size, dtype=np.int64)
    if not cat:
        if name not in type_of:
            type_of[name] = len(type_names)
            type_names.append(name)
        t[:] = type_of[name]
        return t
    for i, v in enumerate(pts.attributes[cat].tolist()):
        lab = _label(to_text(v), name)
        if lab not in type_of:
            type_of[lab] = len(type_names)
            type_names.append(lab)
        t[i] = type_of[lab]
    return t


def _label(value: str | None, layer_name: str) -> str:
    """A category value as a type name: numbers like 1.0 lose ".0"; NULL/empty → the layer's name."""
    if value is None:
        return layer_name
    text = value.strip()
    if text.endswith(".0") and text[:-2].lstrip("-").isdigit():
        text = text[:-2]
    return text or layer_name

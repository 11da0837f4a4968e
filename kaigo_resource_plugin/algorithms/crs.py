"""CRS helpers of the algorithms: coordinates to JGD2011 lon/lat in bulk, and the CRS of e-Stat X_CODE/Y_CODE.

Every coordinate handed to ``core`` is longitude/latitude in degrees on JGD2011 geographic (EPSG:6668,
GRS80), whatever the CRS of the source: the transform goes through QGIS (the project's transform context),
in bulk: one multipoint geometry per call, built from and read back into numpy through WKB, so 200,000
points take a fraction of a second.

e-Stat's ``X_CODE``/``Y_CODE`` are longitude/latitude in the datum of the file (JGD2000 for 2015, JGD2011
for 2020): they are read as coordinates of the geographic CRS of the layer's datum (``xy_code_crs``), or,
for a table without any CRS, of the datum of its layout (``core.contract.detect_layout``).
"""

from __future__ import annotations

import numpy as np
from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsGeometry, QgsPointXY

from ..compat import WKT_PREFERRED
from ..core.contract import JGD2011_GEOGRAPHIC as GEOGRAPHIC_AUTHID
from ..core.contract import detect_layout, point_crs_for_layout
from ..core.errors import InputError

_WKB_POINT = np.dtype([("order", "u1"), ("type", "<u4"), ("x", "<f8"), ("y", "<f8")])


def geographic_crs() -> QgsCoordinateReferenceSystem:
    """JGD2011 geographic (EPSG:6668): the CRS of every lon/lat array handed to core."""
    return QgsCoordinateReferenceSystem(GEOGRAPHIC_AUTHID)


def _lost(crs: QgsCoordinateReferenceSystem) -> bool:
    """A CRS that says it is valid but has no definition left (see ``proj_threads``). The preferred WKT
    (WKT2): every CRS PROJ knows has one, while some (Equal Earth) have no WKT1."""
    return crs.isValid() and not crs.toWkt(WKT_PREFERRED)


def _does_nothing(ct: QgsCoordinateTransform) -> bool:
    """Degrees to metres (or back) that come out unchanged: the transform does nothing."""
    src, dst = ct.sourceCrs(), ct.destinationCrs()
    if not (src.isValid() and dst.isValid()) or src.isGeographic() == dst.isGeographic():
        return False  # same kind of units: an unchanged point can be right (JGD2000 → JGD2011 lon/lat)
    probe = QgsPointXY(136.0, 36.0) if src.isGeographic() else QgsPointXY(100000.0, 100000.0)
    try:
        out = ct.transform(probe)
    except Exception:  # noqa: BLE001 - a point this CRS cannot transform: nothing to judge by
        return False
    return out.x() == probe.x() and out.y() == probe.y()


def checked_transform(source_crs, dest_crs, transform_context) -> QgsCoordinateTransform:
    """``QgsCoordinateTransform(source_crs, dest_crs, transform_context)``, refused (InputError, ja/en)
    when QGIS has lost the definition of one of the CRSs: such a transform returns its input unchanged,
    without an error, and every figure computed from it would be wrong (a QGIS bug; ``proj_threads``
    keeps it from happening to our own runs)."""
    ct = QgsCoordinateTransform(source_crs, dest_crs, transform_context)
    lost = [c for c in (source_crs, dest_crs, ct.sourceCrs(), ct.destinationCrs()) if _lost(c)]
    if lost or _does_nothing(ct):
        name = (lost[0] if lost else source_crs).authid() or "?"
        raise InputError(
            ja=f"QGIS が座標参照系 {name} の定義を失っているため、座標変換ができません（QGIS の不具合で、"
            "バックグラウンド処理のスレッドが終わった後に起こります）。QGIS を再起動してから、もう一度実行してください。",
            en=f"QGIS has lost the definition of the coordinate reference system {name}, so coordinates "
            "cannot be transformed (a QGIS bug that follows the end of a background thread). Restart QGIS "
            "and run again.",
        )
    return ct


def transform_xy(
    x: np.ndarray,
    y: np.ndarray,
    source_crs: QgsCoordinateReferenceSystem,
    dest_crs: QgsCoordinateReferenceSystem,
    transform_context,
) -> tuple[np.ndarray, np.ndarray]:
    """Transform coordinate arrays in bulk (one multipoint geometry); NaN stays NaN.

    ``transform_context``: ``context.transformContext()`` of the Processing context (or the project's).
    Axis order is QGIS's: x = easting / longitude, y = northing / latitude.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    out_x = np.full(x.shape, np.nan)
    out_y = np.full(y.shape, np.nan)
    ok = np.isfinite(x) & np.isfinite(y)
    n = int(ok.sum())
    if n == 0:
        return out_x, out_y
    if source_crs == dest_crs:
        out_x[ok], out_y[ok] = x[ok], y[ok]
        return out_x, out_y
    buf = np.empty(n, dtype=_WKB_POINT)
    buf["order"] = 1
    buf["type"] = 1
    buf["x"] = x[ok]
    buf["y"] = y[ok]
    header = np.array([1], dtype="u1").tobytes() + np.array([4, n], dtype="<u4").tobytes()
    geom = QgsGeometry()
    geom.fromWkb(header + buf.tobytes())
    geom.transform(checked_transform(source_crs, dest_crs, transform_context))
    back = np.frombuffer(bytes(geom.asWkb())[9:], dtype=_WKB_POINT, count=n)
    out_x[ok] = back["x"]
    out_y[ok] = back["y"]
    return out_x, out_y


def to_lonlat(x, y, source_crs, transform_context) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates in ``source_crs`` → lon/lat degrees on JGD2011 geographic (EPSG:6668)."""
    return transform_xy(x, y, source_crs, geographic_crs(), transform_context)


def has_xy_code(field_names) -> bool:
    names = set(field_names)
    return "X_CODE" in names and "Y_CODE" in names


def xy_code_crs(layer_crs: QgsCoordinateReferenceSystem | None, field_names) -> tuple:
    """(CRS of the X_CODE/Y_CODE lon/lat values, True when it was assumed for a table without CRS)."""
    if layer_crs is not None and layer_crs.isValid():
        if layer_crs.isGeographic():
            return layer_crs, False
        auth = layer_crs.geographicCrsAuthId()
        if auth:
            return QgsCoordinateReferenceSystem(auth), False
        return geographic_crs(), True
    return QgsCoordinateReferenceSystem(point_crs_for_layout(detect_layout(field_names))), True

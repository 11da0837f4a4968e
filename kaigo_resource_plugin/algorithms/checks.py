"""QGIS side of the plausibility checks (``core.plausibility``): CRS, datum transforms, Japan's extent,
keys, counts, resource parts and names. Small functions called from each algorithm."""

from __future__ import annotations

import numpy as np
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsDatumTransform,
    QgsPointXY,
)

from ..core import plausibility as pl
from ..core.errors import InputError
from .crs import checked_transform

GEOGRAPHIC = "EPSG:6668"


def require_crs(crs, what_ja: str, what_en: str) -> None:
    """Refuse a layer with geometry but no CRS (every later figure would be in unknown units)."""
    if crs is None or not crs.isValid():
        raise InputError(
            ja=f"{what_ja}に座標参照系（CRS）が設定されていません（.prj がない など）。"
            "レイヤのプロパティで正しい CRS を設定してください。",
            en=f"{what_en} has no coordinate reference system (CRS; e.g. the .prj is missing). Set the right "
            "CRS in the layer properties.",
        )


def _missing_grids(src, dst) -> list[str]:
    names = []
    try:
        for op in QgsDatumTransform.operations(src, dst):
            for g in op.grids:
                if not g.isAvailable and g.shortName not in names:
                    names.append(g.shortName)
            if op.isAvailable:
                break
    except Exception:  # noqa: BLE001 - older QGIS: no details, no names
        return names
    return names


def approximate_transform(crs, transform_context, dest=None) -> list[str] | None:
    """None when ``crs`` → JGD2011 (or ``dest``) is an exact transform; else the grids QGIS lacks
    (possibly empty) because it fell back to a "ballpark" approximation."""
    dest = dest or QgsCoordinateReferenceSystem(GEOGRAPHIC)
    if crs is None or not crs.isValid() or crs == dest:
        return None
    try:
        ct = QgsCoordinateTransform(dest, crs, transform_context)
        ct.transform(QgsPointXY(136.0, 36.0))
        details = ct.instantiatedCoordinateOperationDetails()
    except Exception:  # noqa: BLE001 - a point outside the CRS's area: nothing to judge
        return None
    if "ballpark" not in (details.name or "").lower():
        return None  # an exact operation, or no datum change at all (unit/axis conversions only)
    return _missing_grids(crs, dest)


def require_exact_transform(crs, transform_context, what_ja: str, what_en: str, dest=None) -> None:
    grids = approximate_transform(crs, transform_context, dest)
    if grids is None:
        return
    shown = ", ".join(grids) if grids else "?"
    raise InputError(
        ja=f"{what_ja}の座標参照系 {crs.authid()} から JGD2011 への変換に必要な測地系変換グリッド（{shown}）が"
        "ありません。QGIS は近似変換（数百 m ずれる）しかできず、結果が正しくなりません。"
        f"設定 → オプション → 座標変換 から {shown} をインストール（PROJ データ）するか、"
        "レイヤを JGD2000/JGD2011 に変換してから使ってください。",
        en=f"Transforming {what_en} from {crs.authid()} to JGD2011 needs the datum grid {shown}, which is "
        "not installed: QGIS could only use an approximation (hundreds of metres off), so the results would "
        f"be wrong. Install {shown} (PROJ data; Settings → Options → Transformations), or convert the layer "
        "to JGD2000/JGD2011 first.",
    )


def require_in_japan(
    lon, lat, what_ja: str, what_en: str, allow_some: bool = False
) -> tuple[str, str] | None:
    """Refuse points outside Japan (all of them, or — ``allow_some`` — only when none is inside, with a
    warning (ja, en) returned for some outside)."""
    n_bad, n, first = pl.outside_japan(lon, lat)
    if not n_bad:
        return None
    if allow_some and n_bad < n:
        return (
            f"{what_ja}の {n_bad:,} / {n:,} 地点は日本の範囲外にあります（結果には影響しませんが、データを確認してください）。",
            f"{n_bad:,} of {n:,} points of {what_en} lie outside Japan (they do not change the results; check "
            "the data).",
        )
    raise pl.outside_japan_error(what_ja, what_en, n_bad, n, first)


def check_xy_code(x, y) -> None:
    problem = pl.xy_code_problem(x, y)
    if problem:
        raise pl.xy_code_error(problem, pl.first_bad_xy(x, y))


def chome_keys(keys: np.ndarray, key_field: str, prefs=None) -> tuple[np.ndarray, tuple[str, str] | None]:
    """Keys with lost leading zeros restored (and a note saying so); refuse a field of non-keys."""
    texts = [str(k) for k in np.asarray(keys).tolist()]
    fixed, n = pl.restore_leading_zeros(texts, prefs)
    note = None
    if n:
        i = next(i for i, (a, b) in enumerate(zip(texts, fixed)) if a != b)
        note = pl.leading_zero_note(n, texts[i], fixed[i])
    share, n_keys, first_bad = pl.key_share(fixed)
    if n_keys and share < 0.5 and first_bad is not None:
        raise pl.not_a_key_error(key_field, first_bad)
    return np.array(fixed, dtype=str), note


def check_counts(values: np.ndarray, field: str, raw=None) -> None:
    """Refuse negative or infinite counts; with ``raw`` (the values as read), text that is not a number."""
    n_neg, n_inf, first = pl.bad_counts(values)
    if n_neg or n_inf:
        raise pl.negative_count_error(field, n_neg + n_inf, first)
    if raw is not None:
        arr = np.asarray(raw, dtype=object)
        bad = [v for v in arr.tolist() if isinstance(v, str) and v.strip() and not _is_number(v)]
        if bad:
            raise pl.non_numeric_error(field, len(bad), bad[0])


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
        return True
    except ValueError:
        return False


def explode_parts(layer, category_field, transform_context, feedback=None):
    """Every part of a multi-part resource layer as one point (lon/lat on JGD2011), with its category.

    Returns (lon, lat, categories or None, n_skipped) or None for a single-part layer (read as usual).
    """
    from qgis.core import QgsFeatureRequest, QgsWkbTypes

    from ..compat import is_null
    from ..core.errors import Cancelled
    from .layer_read import point_of_geometry

    if not QgsWkbTypes.isMultiType(layer.wkbType()):
        return None
    ct = checked_transform(layer.crs(), QgsCoordinateReferenceSystem(GEOGRAPHIC), transform_context)
    req = QgsFeatureRequest()
    req.setInvalidGeometryCheck(QgsFeatureRequest.InvalidGeometryCheck.GeometryNoCheck)
    names = layer.fields().names()
    if category_field:
        req.setSubsetOfAttributes([names.index(category_field)])
    else:
        req.setSubsetOfAttributes([])
    lons, lats, cats = [], [], []
    skipped = 0
    for k, f in enumerate(layer.getFeatures(req)):
        if k % 5000 == 0 and feedback is not None and feedback.isCanceled():
            raise Cancelled()
        g = f.geometry()
        if g is None or g.isNull() or g.isEmpty():
            skipped += 1
            continue
        try:
            g.transform(ct)
        except Exception:  # noqa: BLE001 - outside the CRS's area
            skipped += 1
            continue
        cat = None
        if category_field:
            v = f[category_field]
            cat = None if is_null(v) else str(v)
        for part in g.asGeometryCollection():
            x, y, _ = point_of_geometry(part, "surface")
            if x != x:
                continue
            lons.append(x)
            lats.append(y)
            cats.append(cat)
    return (
        np.array(lons, dtype=np.float64),
        np.array(lats, dtype=np.float64),
        cats if category_field else None,
        skipped,
    )


def resource_parts(layer, category_field, transform_context, feedback=None):
    """A multi-part resource layer read part by part (a ``layer_read.LayerPoints`` in lon/lat), or None."""
    from .layer_read import LayerPoints

    got = explode_parts(layer, category_field, transform_context, feedback)
    if got is None:
        return None
    lon, lat, cats, skipped = got
    attrs = {category_field: np.array(cats, dtype=object)} if category_field else {}
    return LayerPoints(
        fids=np.arange(lon.size, dtype=np.int64),
        x=lon,
        y=lat,
        attributes=attrs,
        outside=np.zeros(lon.size, dtype=bool),
        n_null_geometry=skipped,
    )


def distinct_names(names):
    """Type names made distinct, and the (ja, en) note when some were renamed (else None)."""
    out, renamed = pl.distinct_names(list(names))
    return out, (pl.duplicate_names_note(renamed) if renamed else None)


def check_categories(category_field, n_types: int) -> None:
    if category_field and n_types > pl.MAX_CATEGORIES:
        raise pl.too_many_categories_error(category_field, n_types)


def chome_key(value, restored: list) -> str | None:
    """One key as text; a key that lost its leading zero gets it back (recorded in ``restored``)."""
    from ..core.repoints import normalise_key

    key = normalise_key(None if _null(value) else value)
    if key is None:
        return None
    fixed, n = pl.restore_leading_zeros([key])
    if n:
        restored.append((key, fixed[0]))
        return fixed[0]
    return key


def _null(value) -> bool:
    from ..compat import is_null

    return is_null(value)


def report_keys(restored: list, key_field: str | None, keys: list, feedback) -> None:
    """Say how many keys got their leading zero back; refuse a key field that holds no chōme keys."""
    if restored and feedback is not None:
        ja, en = pl.leading_zero_note(len(restored), restored[0][0], restored[0][1])
        feedback.pushWarning(f"{ja}\n{en}")
    if key_field:
        share, n, first_bad = pl.key_share(k for k in keys if not k.startswith("#"))
        if n and share < 0.5 and first_bad is not None:
            raise pl.not_a_key_error(key_field, first_bad)


def boundary_input(layer, kind: str, records: list, transform_context) -> None:
    """importestat's boundary input: a CRS, an exact transform to JGD2011, inside Japan; X_CODE/Y_CODE
    of a table in degrees, not swapped."""
    name = layer.name()
    what_ja, what_en = f"境界データ「{name}」", f"the boundary input '{name}'"
    if kind == "table":
        x = np.array([_num(r.get("X_CODE")) for r in records], dtype=np.float64)
        y = np.array([_num(r.get("Y_CODE")) for r in records], dtype=np.float64)
        check_xy_code(x, y)
        return
    if layer.featureCount() == 0:
        return
    require_crs(layer.crs(), what_ja, f"The boundary input '{name}'")
    require_exact_transform(layer.crs(), transform_context, what_ja, what_en)
    source_in_japan(layer, transform_context, what_ja, what_en)


def source_in_japan(source, transform_context, what_ja: str, what_en: str, allow_some: bool = False) -> None:
    """Refuse a layer (or Processing source) whose extent, on JGD2011, is not inside Japan (with
    ``allow_some``: does not reach Japan at all): a wrong .prj, or coordinates in other units than its
    CRS says (degrees in a CRS of metres)."""
    crs = source.crs() if hasattr(source, "crs") else source.sourceCrs()
    if not crs.isValid() or source.featureCount() == 0:
        return
    extent = source.extent() if hasattr(source, "extent") else source.sourceExtent()
    if extent.isNull():
        return
    if not crs.isGeographic() and (
        -180 <= extent.xMinimum() <= extent.xMaximum() <= 180
        and -90 <= extent.yMinimum() <= extent.yMaximum() <= 90
    ):
        raise InputError(
            ja=f"{what_ja}の座標は経緯度（度）の値ですが、CRS {crs.authid()} はメートル単位です（.prj が違います）。"
            "レイヤのプロパティで正しい CRS（例: EPSG:6668）を設定してください。",
            en=f"The coordinates of {what_en} are degrees, but its CRS {crs.authid()} is in metres (wrong .prj): "
            "set the right CRS (e.g. EPSG:6668) in the layer properties.",
        )
    ct = checked_transform(crs, QgsCoordinateReferenceSystem(GEOGRAPHIC), transform_context)
    try:
        box = ct.transformBoundingBox(extent)
    except Exception:  # noqa: BLE001 - coordinates the CRS cannot even transform: not in Japan
        raise pl.outside_japan_error(
            what_ja, what_en, 1, 1, (extent.center().x(), extent.center().y())
        ) from None
    lon = np.array([box.xMinimum(), box.xMaximum()])
    lat = np.array([box.yMinimum(), box.yMaximum()])
    if allow_some:
        reaches = (
            np.isfinite(lon).all()
            and np.isfinite(lat).all()
            and lon[1] >= pl.JAPAN_LON[0]
            and lon[0] <= pl.JAPAN_LON[1]
            and lat[1] >= pl.JAPAN_LAT[0]
            and lat[0] <= pl.JAPAN_LAT[1]
        )
        if not reaches:
            raise pl.outside_japan_error(what_ja, what_en, 1, 1, (float(lon.mean()), float(lat.mean())))
        return
    require_in_japan(lon, lat, what_ja, what_en)


def _num(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def sink_field_names(value, param: str, fields) -> None:
    """Refuse a shapefile output whose field names would be cut to 10 bytes (they would no longer be
    found by the next step: has_access_shops and has_access_shop… collide or vanish)."""
    from qgis.core import QgsProcessingOutputLayerDefinition, QgsProperty

    if isinstance(value, QgsProcessingOutputLayerDefinition):
        value = value.sink
    if isinstance(value, QgsProperty):
        value = value.staticValue()
    if not isinstance(value, str) or not value.strip().lower().endswith((".shp", ".dbf")):
        return
    names = [f.name() for f in fields]
    long_names = pl.long_field_names(names)
    if long_names:
        raise pl.shapefile_names_error(param, long_names)


def not_vector_message(value, name: str, label: str) -> str | None:
    """The bilingual message for a layer parameter given a file that is no vector layer (a raster, a
    PDF, any binary file), else None."""
    if not isinstance(value, str) or not value.strip():
        return None
    path = value.split("|")[0].strip()
    import os

    if not os.path.isfile(path):
        return None
    try:
        from osgeo import gdal, ogr
    except ImportError:  # pragma: no cover
        return None
    gdal.PushErrorHandler("CPLQuietErrorHandler")
    try:
        try:
            vec = ogr.Open(path, 0)
        except Exception:  # noqa: BLE001 - GDAL exceptions on
            vec = None
        if vec is not None and vec.GetLayerCount() > 0:
            return None
        try:
            ras = gdal.Open(path)
        except Exception:  # noqa: BLE001
            ras = None
    finally:
        gdal.PopErrorHandler()
    if ras is not None:
        return (
            f"{name}（{label}）のファイル {path} はラスタ（画像）です。ベクタレイヤ（シェープファイル、GeoPackage など）"
            "を指定してください。\n"
            f"{name} ({label}): {path} is a raster (an image): give a vector layer (shapefile, GeoPackage, …)."
        )
    return (
        f"{name}（{label}）のファイル {path} はベクタレイヤとして読めません。形式を確認し、"
        "シェープファイルや GeoPackage などを指定してください。\n"
        f"{name} ({label}): {path} cannot be read as a vector layer: check its format and give a shapefile, "
        "GeoPackage or similar."
    )


def wrong_extension_message(value, definition, name: str, label: str) -> str | None:
    """A bilingual message for a file parameter given a file of another kind than it takes (an Excel
    workbook where a CSV belongs): QGIS's own check would only say "Incorrect parameter value"."""
    import os
    import re

    if not isinstance(value, str) or not value.strip():
        return None
    path = value.strip()
    wanted: list[str] = []
    ext = definition.extension() if hasattr(definition, "extension") else ""
    if ext:
        wanted = [ext.lower().lstrip(".")]
    elif hasattr(definition, "fileFilter") and definition.fileFilter():
        wanted = [e.lower() for e in re.findall(r"\*\.([A-Za-z0-9]+)", definition.fileFilter())]
    got = os.path.splitext(path)[1].lower().lstrip(".")
    if not wanted or got in wanted:
        return None
    shown = ", ".join("." + w for w in wanted)
    excel = got in ("xlsx", "xls", "ods")
    hint_ja = "Excel のブックは CSV 形式で保存してから指定してください。" if excel else ""
    hint_en = " Save an Excel workbook as CSV first." if excel else ""
    return (
        f"{name}（{label}）には {shown} のファイルを指定してください（指定: {os.path.basename(path)}）。{hint_ja}\n"
        f"{name} ({label}) takes a {shown} file (got {os.path.basename(path)}).{hint_en}"
    )

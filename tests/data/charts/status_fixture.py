"""Make a chōme layer with `status` (blank / covered / no_population) the way kaigo:blankareas would,
with a plain distance test, so that kaigo:exportmap can be tried before blankareas exists.

Representative point = X_CODE / Y_CODE (lon/lat); distance = haversine on a 6,371,008.8 m sphere
(good to ~0.3 %, enough for a test picture); population = JINKO; water areas (HCODE 8154) dropped.
Used by tests/qgis/test_exportmap.py and scripts/render_samples.py. Needs GDAL's Python bindings.
"""

from __future__ import annotations

import json
import math

import numpy as np
from osgeo import gdal, ogr, osr

R = 6371008.8


def load_points(geojson_path: str, bbox: tuple[float, float, float, float] | None = None) -> np.ndarray:
    with open(geojson_path, encoding="utf-8") as fh:
        data = json.load(fh)
    pts = []
    for f in data["features"]:
        g = f.get("geometry") or {}
        if g.get("type") != "Point":
            continue
        x, y = g["coordinates"][:2]
        if bbox is None or (bbox[0] <= x <= bbox[2] and bbox[1] <= y <= bbox[3]):
            pts.append((x, y))
    return np.array(pts, dtype=float).reshape(-1, 2)


def nearest_m(lon: float, lat: float, pts: np.ndarray) -> float | None:
    if len(pts) == 0:
        return None
    p1, p2 = math.radians(lat), np.radians(pts[:, 1])
    dphi = p2 - p1
    dl = np.radians(pts[:, 0] - lon)
    a = np.sin(dphi / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return float((2 * R * np.arcsin(np.sqrt(np.minimum(1.0, a)))).min())


def make_status_layer(chome_path: str, resources_geojson: str, out_gpkg: str, radius: float = 500.0,
                      muni_codes: tuple[str, ...] | None = None) -> dict[str, int]:
    # QGIS empties SHAPE_ENCODING (it decodes itself): decode the CP932 attributes here
    old = gdal.GetConfigOption("SHAPE_ENCODING")
    gdal.SetConfigOption("SHAPE_ENCODING", "CP932")
    try:
        src = ogr.Open(chome_path)
    finally:
        gdal.SetConfigOption("SHAPE_ENCODING", old)
    lyr = src.GetLayer()
    defn = lyr.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    xmin, xmax, ymin, ymax = 122.0, 154.0, 20.0, 46.0
    rows = []
    for f in lyr:
        if "HCODE" in names and f.GetField("HCODE") == 8154:
            continue
        key = str(f.GetField("KEY_CODE"))
        code = key[:5]
        if muni_codes and code not in muni_codes:
            continue
        pref = f.GetField("PREF_NAME") if "PREF_NAME" in names else f.GetField("KEN_NAME")
        muni = (f.GetField("CITY_NAME") if "CITY_NAME" in names else None) or f.GetField("GST_NAME")
        ward = f.GetField("CSS_NAME") if "CSS_NAME" in names else None
        rows.append((key, code, pref, f"{muni}{ward or ''}", f.GetField("JINKO") or 0,
                     f.GetField("X_CODE"), f.GetField("Y_CODE"), f.GetGeometryRef().Clone()))
    lons = [r[5] for r in rows]
    lats = [r[6] for r in rows]
    pad = 0.05
    pts = load_points(resources_geojson, (min(lons) - pad, min(lats) - pad, max(lons) + pad, max(lats) + pad))
    drv = ogr.GetDriverByName("GPKG")
    out = drv.CreateDataSource(out_gpkg)
    srs = lyr.GetSpatialRef() or osr.SpatialReference()
    ol = out.CreateLayer("chome", srs, ogr.wkbMultiPolygon)
    for name, kind in (("KEY_CODE", ogr.OFTString), ("muni_code", ogr.OFTString), ("pref_name", ogr.OFTString),
                       ("muni_name", ogr.OFTString), ("pop_total", ogr.OFTInteger), ("nearest_m", ogr.OFTReal),
                       ("has_access", ogr.OFTInteger), ("status", ogr.OFTString)):
        ol.CreateField(ogr.FieldDefn(name, kind))
    counts = {"blank": 0, "covered": 0, "no_population": 0}
    for key, code, pref, muni, pop, x, y, geom in sorted(rows, key=lambda r: r[0]):
        d = nearest_m(x, y, pts)
        access = d is not None and d <= radius
        status = "no_population" if not pop else ("covered" if access else "blank")
        counts[status] += 1
        of = ogr.Feature(ol.GetLayerDefn())
        for name, value in (("KEY_CODE", key), ("muni_code", code), ("pref_name", pref), ("muni_name", muni),
                            ("pop_total", int(pop)), ("has_access", int(access)), ("status", status)):
            if value is not None:
                of.SetField(name, value)
        if d is not None:
            of.SetField("nearest_m", d)
        of.SetGeometry(ogr.ForceToMultiPolygon(geom))
        ol.CreateFeature(of)
    out = None
    return counts

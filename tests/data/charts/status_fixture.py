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


def municipality_table(
    chome_paths: list[str],
    resources: dict[str, str],
    out_csv: str,
    radius: float = 500.0,
) -> list[dict]:
    """A municipality table like kaigo:sufficiencyrates writes, from 2015 chōme files (polygons or the
    .dbf of points): weight = JINKO (total population, standing in for the at-home elderly, which
    these files do not have), area = Σ AREA of the non-water chōme, rate per resource type and for
    any type. For pictures and tests of the charts only."""
    import csv

    rows = []
    for path in chome_paths:
        old = gdal.GetConfigOption("SHAPE_ENCODING")
        gdal.SetConfigOption("SHAPE_ENCODING", "CP932")
        try:
            src = ogr.Open(path)
        finally:
            gdal.SetConfigOption("SHAPE_ENCODING", old)
        lyr = src.GetLayer()
        for f in lyr:
            if f.GetField("HCODE") == 8154:
                continue
            rows.append(
                (
                    str(f.GetField("KEY_CODE"))[:5],
                    f.GetField("KEN_NAME"),
                    (f.GetField("GST_NAME") or "") + (f.GetField("CSS_NAME") or ""),
                    f.GetField("JINKO") or 0,
                    (f.GetField("AREA") or 0.0) / 1e6,
                    f.GetField("X_CODE"),
                    f.GetField("Y_CODE"),
                )
            )
        src = None
    lons = [r[5] for r in rows]
    lats = [r[6] for r in rows]
    bbox = (min(lons) - 0.05, min(lats) - 0.05, max(lons) + 0.05, max(lats) + 0.05)
    pts = {kind: load_points(path, bbox) for kind, path in resources.items()}
    munis: dict[str, dict] = {}
    for code, pref, name, pop, area, x, y in rows:
        m = munis.setdefault(code, {"pref": pref, "name": name, "pop": 0, "area": 0.0, "with": {}, "any": 0})
        m["pop"] += pop
        m["area"] += area
        hit_any = False
        for kind, p in pts.items():
            d = nearest_m(x, y, p)
            hit = d is not None and d <= radius
            m["with"][kind] = m["with"].get(kind, 0) + (pop if hit else 0)
            hit_any = hit_any or hit
        m["any"] += pop if hit_any else 0

    def band(rate):
        if rate is None:
            return None
        for lo, label in ((80, "80-100"), (60, "60-80"), (40, "40-60"), (20, "20-40"), (0, "0-20")):
            if rate >= lo:
                return label
        return None

    kinds = sorted(pts)
    out = []
    for code in sorted(munis):
        m = munis[code]
        dens = m["pop"] / m["area"] if m["area"] else None
        cls = None if dens is None else (1 if dens < 200 else (2 if dens < 2000 else 3))
        rate = 100.0 * m["any"] / m["pop"] if m["pop"] else None
        row = {
            "muni_code": code,
            "pref_name": m["pref"],
            "muni_name": m["name"],
            "pop_total": m["pop"],
            "area_km2": round(m["area"], 3),
            "density": dens,
            "density_class": cls,
            "class_label": {1: "中山間地域", 2: "一般都市（中間）", 3: "大都市", None: None}[cls],
            "rate_pct": rate,
            "rate_band": band(rate),
        }
        for kind in kinds:
            r = 100.0 * m["with"][kind] / m["pop"] if m["pop"] else None
            row[f"rate_pct_{kind}"] = r
            row[f"rate_band_{kind}"] = band(r)
        out.append(row)
    with open(out_csv, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, list(out[0]), lineterminator="\r\n")
        w.writeheader()
        for r in out:
            w.writerow({k: ("" if v is None else v) for k, v in r.items()})
    return out

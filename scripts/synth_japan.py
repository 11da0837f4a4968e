"""Japan-size synthetic inputs for `make bench`, generated with a fixed seed.

- chōme points (GeoPackage, EPSG:6668) with e-Stat-like fields: KEY_CODE, PREF_NAME, CITY_NAME, S_NAME,
  HCODE, AREA (m²), JINKO, X_CODE, Y_CODE; towns clustered along the Japanese archipelago, urban
  municipalities compact and dense, rural ones spread out and sparse;
- a T001082-like age table (CSV in CP932, code row + label row, HYOSYO 1 and 4 rows);
- resources (GeoPackage points, EPSG:6668) clustered near populated chōme.

Usage: synth_japan.py OUT_DIR [--chome 231668] [--resources 100000] [--munis 1896] [--seed 20250401]
"""

from __future__ import annotations

import argparse
import csv
import os
import sys

import numpy as np

# A rough spine of the archipelago (lon, lat): Kyushu → Honshu → Hokkaido.
SPINE = np.array(
    [
        (130.3, 31.5),
        (130.6, 32.8),
        (130.9, 33.8),
        (132.5, 34.4),
        (133.9, 34.7),
        (135.5, 34.7),
        (136.9, 35.2),
        (138.4, 35.2),
        (139.7, 35.7),
        (140.3, 36.8),
        (140.9, 38.3),
        (141.1, 39.7),
        (140.7, 40.8),
        (141.3, 42.0),
        (142.4, 43.1),
        (143.2, 43.0),
        (144.4, 43.4),
    ]
)


def _spine_points(rng: np.random.Generator, n: int) -> np.ndarray:
    seg = np.diff(SPINE, axis=0)
    lengths = np.hypot(seg[:, 0], seg[:, 1])
    which = rng.choice(len(seg), size=n, p=lengths / lengths.sum())
    t = rng.random(n)
    pts = SPINE[which] + seg[which] * t[:, None]
    return pts + rng.normal(0.0, 0.35, size=(n, 2))


def generate(n_chome: int, n_res: int, n_munis: int, seed: int):
    rng = np.random.default_rng(seed)
    centres = _spine_points(rng, n_munis)
    # urbanness: 0 rural … 1 metropolitan; about 18 % large cities, 33 % general, 49 % rural (cf. 334/629/933)
    urban = rng.beta(0.7, 1.3, size=n_munis)
    weights = 0.3 + 3.0 * urban**2 + rng.gamma(1.0, 0.3, size=n_munis)
    counts = np.maximum(1, np.floor(weights / weights.sum() * n_chome)).astype(int)
    counts[np.argmax(counts)] += n_chome - counts.sum()
    muni_of = np.repeat(np.arange(n_munis), counts)
    spread_km = 2.0 + 9.0 * (1.0 - urban) ** 2  # town radius
    sigma_deg = spread_km[muni_of] / 111.0
    lat = centres[muni_of, 1] + rng.normal(0.0, 1.0, n_chome) * sigma_deg
    lon = centres[muni_of, 0] + rng.normal(0.0, 1.0, n_chome) * sigma_deg / np.cos(np.radians(lat))
    pop = np.round(rng.lognormal(np.log(120 + 500 * urban[muni_of] ** 1.5), 0.9)).astype(int)
    pop[rng.random(n_chome) < 0.03] = 0  # chōme without population
    area_m2 = np.round(
        (np.pi * (spread_km[muni_of] * 1000.0) ** 2 / counts[muni_of]) * rng.uniform(0.5, 1.5, n_chome), 1
    )
    share75 = np.clip(rng.normal(0.16 + 0.08 * (1 - urban[muni_of]), 0.04), 0.02, 0.6)
    pop75 = np.round(pop * share75).astype(int)

    # resources: near populated chōme, more where the town is urban
    p = (pop + 1.0) * (0.15 + urban[muni_of] ** 2)
    host = rng.choice(n_chome, size=n_res, p=p / p.sum())
    r_lat = lat[host] + rng.normal(0.0, 0.004, n_res)
    r_lon = lon[host] + rng.normal(0.0, 0.004, n_res) / np.cos(np.radians(r_lat))

    pref_of_muni = np.clip(
        (np.argsort(np.argsort(centres[:, 0] + 0.8 * centres[:, 1])) * 47) // n_munis + 1, 1, 47
    )
    muni_codes = []
    seen: dict[int, int] = {}
    for m in range(n_munis):
        pref = int(pref_of_muni[m])
        seen[pref] = seen.get(pref, 0) + 1
        muni_codes.append(f"{pref:02d}{200 + seen[pref]:03d}")
    return {
        "lon": lon,
        "lat": lat,
        "pop": pop,
        "pop75": pop75,
        "area_m2": area_m2,
        "muni_of": muni_of,
        "muni_codes": muni_codes,
        "pref_of_muni": pref_of_muni,
        "r_lon": r_lon,
        "r_lat": r_lat,
    }


def write(out_dir: str, data: dict) -> dict:
    from osgeo import ogr, osr

    os.makedirs(out_dir, exist_ok=True)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(6668)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    driver = ogr.GetDriverByName("GPKG")
    paths = {
        "chome": os.path.join(out_dir, "chome_points.gpkg"),
        "resources": os.path.join(out_dir, "resources.gpkg"),
        "ages": os.path.join(out_dir, "tblT001082_synthetic.csv"),
    }
    for p in paths.values():
        if os.path.exists(p):
            os.remove(p)

    ds = driver.CreateDataSource(paths["chome"])
    layer = ds.CreateLayer("chome", srs, ogr.wkbPoint)
    for name, kind in (
        ("KEY_CODE", ogr.OFTString),
        ("PREF_NAME", ogr.OFTString),
        ("CITY_NAME", ogr.OFTString),
        ("S_NAME", ogr.OFTString),
        ("HCODE", ogr.OFTInteger),
        ("AREA", ogr.OFTReal),
        ("JINKO", ogr.OFTInteger),
        ("X_CODE", ogr.OFTReal),
        ("Y_CODE", ogr.OFTReal),
    ):
        layer.CreateField(ogr.FieldDefn(name, kind))
    defn = layer.GetLayerDefn()
    keys = []
    local = {}
    layer.StartTransaction()
    for i in range(len(data["lon"])):
        m = int(data["muni_of"][i])
        local[m] = local.get(m, 0) + 1
        key = f"{data['muni_codes'][m]}{local[m]:06d}"
        keys.append(key)
        f = ogr.Feature(defn)
        f.SetField(0, key)
        f.SetField(1, f"県{int(data['pref_of_muni'][m]):02d}")
        f.SetField(2, f"市{data['muni_codes'][m]}")
        f.SetField(3, f"町{local[m]}")
        f.SetField(4, 8101)
        f.SetField(5, float(data["area_m2"][i]))
        f.SetField(6, int(data["pop"][i]))
        f.SetField(7, round(float(data["lon"][i]), 5))
        f.SetField(8, round(float(data["lat"][i]), 5))
        f.SetGeometry(ogr.CreateGeometryFromWkt(f"POINT ({data['lon'][i]:.7f} {data['lat'][i]:.7f})"))
        layer.CreateFeature(f)
    layer.CommitTransaction()
    ds = None

    ds = driver.CreateDataSource(paths["resources"])
    layer = ds.CreateLayer("shops", srs, ogr.wkbPoint)
    layer.CreateField(ogr.FieldDefn("name", ogr.OFTString))
    defn = layer.GetLayerDefn()
    layer.StartTransaction()
    for i in range(len(data["r_lon"])):
        f = ogr.Feature(defn)
        f.SetField(0, f"shop {i}")
        f.SetGeometry(ogr.CreateGeometryFromWkt(f"POINT ({data['r_lon'][i]:.7f} {data['r_lat'][i]:.7f})"))
        layer.CreateFeature(f)
    layer.CommitTransaction()
    ds = None

    codes = [f"T001082{i:03d}" for i in range(1, 21)]
    with open(paths["ages"], "w", encoding="cp932", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow(["KEY_CODE", "HYOSYO", "CITYNAME", "NAME", "HTKSYORI", "HTKSAKI", "GASSAN", *codes])
        labels = ["総数、年齢「不詳」含む"] + [f"総数{a}～{a + 4}歳" for a in range(0, 75, 5)]
        labels += ["総数１５歳未満", "総数１５～６４歳", "総数６５歳以上", "総数７５歳以上"]
        w.writerow(["", "", "", "", "", "", "", *labels])
        totals: dict[int, list[int]] = {}
        for i in range(len(keys)):
            m = int(data["muni_of"][i])
            t = totals.setdefault(m, [0, 0])
            t[0] += int(data["pop"][i])
            t[1] += int(data["pop75"][i])
        for m in sorted(totals):
            w.writerow(
                [
                    data["muni_codes"][m],
                    1,
                    f"市{data['muni_codes'][m]}",
                    "",
                    0,
                    "",
                    "",
                    totals[m][0],
                    *([0] * 18),
                    totals[m][1],
                ]
            )
        for i, key in enumerate(keys):
            m = int(data["muni_of"][i])
            w.writerow(
                [
                    key,
                    4,
                    f"市{data['muni_codes'][m]}",
                    f"町{i}",
                    0,
                    "",
                    "",
                    int(data["pop"][i]),
                    *([0] * 18),
                    int(data["pop75"][i]),
                ]
            )
    return paths


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out_dir")
    ap.add_argument("--chome", type=int, default=231668)
    ap.add_argument("--resources", type=int, default=100000)
    ap.add_argument("--munis", type=int, default=1896)
    ap.add_argument("--seed", type=int, default=20250401)
    args = ap.parse_args()
    data = generate(args.chome, args.resources, args.munis, args.seed)
    for k, v in write(args.out_dir, data).items():
        print(f"{k}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

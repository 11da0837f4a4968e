"""Bench of kaigo:sufficiencyrates at the scale of all of Japan (target: under 30 s).

Generates once, with a fixed seed, a synthetic chōme layer under bench-output/: 231,668 chōme
polygons in 1,896 municipalities over Japan's lon/lat range (JGD2011, EPSG:6668). Each chōme is a
grid cell with 25 vertices per side (100 per ring as Tottori, shared exactly with its neighbours, as in e-Stat
files); 0.5 % are water areas (HCODE 8154), 0.5 % are split in two parts with the same KEY_CODE;
fields as kaigo:blankareas and kaigo:importestat produce them, two resource types. Then runs the
algorithm through scripts/qgis_process.sh (a fresh process, as a user would) writing the GeoPackage,
CSV and XLSX, and prints the wall time and the peak memory.

Usage: bench_rates.py [--small] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench-output"
N_CHOME = 231_668
N_MUNI = 1_896
TARGET_S = 30.0
SEED = 20250101
PER_SIDE = 25  # vertices per cell side: 100 per ring, as the Tottori 2015 chōme (99.5 on average)


def _cell_ring(bx: float, by: float, step: float, ix0: int, ix1: int, iy0: int, iy1: int) -> np.ndarray:
    """Ring of the cell between grid lines ix0..ix1, iy0..iy1 (in vertex steps), counter-clockwise.

    Every vertex is bx + i·step from integer i, so neighbouring cells share their vertices exactly,
    as e-Stat chōme do (a clean polygon coverage).
    """
    xs = np.arange(ix0, ix1)
    ys = np.arange(iy0, iy1)
    ix = np.concatenate([xs, np.full(len(ys), ix1), xs[::-1] + 1, np.full(len(ys), ix0)])
    iy = np.concatenate([np.full(len(xs), iy0), ys, np.full(len(xs), iy1), ys[::-1] + 1])
    ring = np.column_stack([bx + ix * step, by + iy * step])
    return np.vstack([ring, ring[:1]])


def _polygon_wkb(rings: list[np.ndarray]) -> bytes:
    parts = [np.array([1], "<u1").tobytes(), np.array([3, len(rings)], "<u4").tobytes()]
    for r in rings:
        parts.append(np.array([len(r)], "<u4").tobytes())
        parts.append(np.ascontiguousarray(r, "<f8").tobytes())
    return b"".join(parts)


def generate(path: Path, n_chome: int, n_muni: int) -> None:
    from osgeo import ogr, osr

    rng = np.random.default_rng(SEED)
    # chōme per municipality: skewed like Japan (many small towns, a few big cities), at least 3
    weights = rng.lognormal(0.0, 1.0, n_muni)
    counts = 3 + rng.multinomial(n_chome - 3 * n_muni, weights / weights.sum())
    cols = int(np.ceil(np.sqrt(n_muni * 1.2)))
    block = 0.25  # degrees per municipality block
    tmp = path.with_suffix(".part.gpkg")
    if tmp.exists():
        tmp.unlink()
    drv = ogr.GetDriverByName("GPKG")
    ds = drv.CreateDataSource(str(tmp))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(6668)
    layer = ds.CreateLayer("chome", srs, ogr.wkbPolygon, ["SPATIAL_INDEX=NO"])
    specs = [
        ("KEY_CODE", ogr.OFTString),
        ("muni_code", ogr.OFTString),
        ("pref_name", ogr.OFTString),
        ("muni_name", ogr.OFTString),
        ("HCODE", ogr.OFTInteger),
        ("pop_total", ogr.OFTInteger),
        ("pop_75plus", ogr.OFTInteger),
        ("at_home_75plus", ogr.OFTReal),
        ("has_access", ogr.OFTInteger),
        ("n_within", ogr.OFTInteger),
        ("nearest_m", ogr.OFTReal),
        ("status", ogr.OFTString),
        ("has_access_conv", ogr.OFTInteger),
        ("n_within_conv", ogr.OFTInteger),
        ("nearest_m_conv", ogr.OFTReal),
        ("has_access_lib", ogr.OFTInteger),
        ("n_within_lib", ogr.OFTInteger),
        ("nearest_m_lib", ogr.OFTReal),
    ]
    for name, kind in specs:
        layer.CreateField(ogr.FieldDefn(name, kind))
    defn = layer.GetLayerDefn()
    ds.StartTransaction()
    for m in range(n_muni):
        pref = 1 + m * 47 // n_muni
        code = f"{pref:02d}{201 + m % 700:03d}"
        bx = 128.0 + (m % cols) * block
        by = 30.0 + (m // cols) * block
        n = int(counts[m])
        side = int(np.ceil(np.sqrt(n)))
        d = block / side
        pop = rng.integers(0, 3000, n)
        p75 = np.floor(pop * rng.uniform(0.08, 0.3, n)).astype(int)
        conv = rng.random(n) < rng.uniform(0.1, 1.0)
        lib = rng.random(n) < rng.uniform(0.0, 0.6)
        water = rng.random(n) < 0.005
        split = rng.random(n) < 0.005
        step = d / PER_SIDE
        for i in range(n):
            cx, cy = (i % side) * PER_SIDE, (i // side) * PER_SIDE
            key = f"{code}{i:06d}"
            hcode = 8154 if water[i] else 8101
            ppl = 0 if water[i] else int(pop[i])
            old = 0 if water[i] else int(p75[i])
            anyacc = int(conv[i] or lib[i])
            h = PER_SIDE // 2
            parts = [(cx, cx + PER_SIDE)] if not split[i] else [(cx, cx + h), (cx + h, cx + PER_SIDE)]
            for j, (ix0, ix1) in enumerate(parts):
                f = ogr.Feature(defn)
                vals = {
                    "KEY_CODE": key,
                    "muni_code": code,
                    "pref_name": f"県{pref:02d}",
                    "muni_name": f"市{code}",
                    "HCODE": hcode,
                    "pop_total": ppl if j == 0 else 0,
                    "pop_75plus": old if j == 0 else 0,
                    "at_home_75plus": old * (1 - 0.109) if j == 0 else 0.0,
                    "has_access": anyacc,
                    "n_within": anyacc * 2,
                    "nearest_m": 300.0 if anyacc else 900.0,
                    "status": "covered" if anyacc else ("blank" if ppl else "no_population"),
                    "has_access_conv": int(conv[i]),
                    "n_within_conv": int(conv[i]),
                    "nearest_m_conv": 300.0 if conv[i] else 900.0,
                    "has_access_lib": int(lib[i]),
                    "n_within_lib": int(lib[i]),
                    "nearest_m_lib": 300.0 if lib[i] else 1900.0,
                }
                for name, value in vals.items():
                    f.SetField(name, value)
                ring = _cell_ring(bx, by, step, ix0, ix1, cy, cy + PER_SIDE)
                f.SetGeometry(ogr.CreateGeometryFromWkb(_polygon_wkb([ring])))
                layer.CreateFeature(f)
    ds.CommitTransaction()
    ds = None
    os.replace(tmp, path)


def run_once(src: Path, tag: str) -> tuple[float, float, dict]:
    out = OUT / f"rates_{tag}"
    out.mkdir(parents=True, exist_ok=True)
    for name in ("municipalities.gpkg", "municipalities.csv", "municipalities.xlsx"):
        p = out / name
        if p.exists():
            p.unlink()
    cmd = [
        "/usr/bin/time",
        "-v",
        str(ROOT / "scripts" / "qgis_process.sh"),
        "--json",
        "run",
        "kaigo:sufficiencyrates",
        "--",
        f"INPUT={src}",
        f"OUTPUT={out / 'municipalities.gpkg'}",
        f"OUTPUT_CSV={out / 'municipalities.csv'}",
        f"OUTPUT_XLSX={out / 'municipalities.xlsx'}",
    ]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        print(proc.stdout[-3000:], proc.stderr[-3000:])
        raise SystemExit(f"qgis_process failed ({proc.returncode})")
    peak_kb = 0.0
    cpu = 0.0
    for line in proc.stderr.splitlines():
        if "Maximum resident set size" in line:
            peak_kb = float(line.split(":")[1])
        elif "User time (seconds)" in line or "System time (seconds)" in line:
            cpu += float(line.split(":")[1])
    text = proc.stdout
    result = json.loads(text[text.index("{") :])
    return wall, cpu, peak_kb / 1024.0, result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--small", action="store_true", help="10,000 chōme in 100 municipalities")
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    n_chome, n_muni = (10_000, 100) if args.small else (N_CHOME, N_MUNI)
    OUT.mkdir(exist_ok=True)
    src = OUT / f"rates_japan_{n_chome}_v3.gpkg"
    if not src.exists():
        t0 = time.perf_counter()
        generate(src, n_chome, n_muni)
        print(f"generated {src.name} in {time.perf_counter() - t0:.1f} s", flush=True)
    print(f"input: {n_chome:,} chōme, {n_muni:,} municipalities, {os.path.getsize(src) / 1e6:.0f} MB GPKG")
    walls = []
    for k in range(args.runs):
        wall, cpu, peak_mb, result = run_once(src, "small" if args.small else "japan")
        walls.append(wall)
        rows = None
        csv_path = result.get("results", {}).get("OUTPUT_CSV")
        if csv_path and os.path.exists(csv_path):
            with open(csv_path, encoding="utf-8-sig") as fh:
                rows = sum(1 for _ in fh) - 1
        print(
            f"run {k + 1}: wall {wall:.1f} s (qgis_process start included), CPU {cpu:.1f} s, "
            f"peak RSS {peak_mb:.0f} MB, "
            f"{rows} municipality rows",
            flush=True,
        )
    best = min(walls)
    print(f"sufficiencyrates best wall {best:.1f} s; target {TARGET_S:.0f} s; ratio {best / TARGET_S:.2f}")
    print(
        f"load average during the runs: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall time suffers)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

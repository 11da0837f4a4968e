"""Benchmark of kaigo:suggestsites and kaigo:resourceimpact, side by side with kaigo:blankareas on the same data.

The national workload of bench_access (scripts/synth_japan.py, fixed seed: 231,668 chōme points, 100,000
resources, 1,896 municipalities) plus 100,000 candidate sites drawn near the chōme (fixed seed), all
GeoPackage under bench-output/. Through qgis_process (qgis_process.bin, the plugin enabled once), alternately:

  A. kaigo:blankareas       chōme × resources, radius 500 m
  B. kaigo:suggestsites     chōme × resources × 100,000 candidates, N_SITES = 1,000   (target < 60 s, < 3 GB)
  C. kaigo:resourceimpact   chōme × resources
  D. kaigo:suggestsites     one municipality (the one with the most chōme), default candidates, N_SITES = 5

and, in one QGIS process, the time of processing.run for D alone (target < 1 s; qgis_process itself spends
about 2 s starting QGIS), with the time of its core (coverage sets + greedy).

Usage: bench_decide.py [--small] [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import bench_access  # noqa: E402


def candidates(out_dir: Path, chome_gpkg: Path, n: int, seed: int) -> Path:
    """``n`` candidate points near chōme (normal offsets of about 600 m), EPSG:6668, cached."""
    from osgeo import ogr, osr

    path = out_dir / f"candidates_{n}_{seed}.gpkg"
    if path.exists():
        return path
    ds = ogr.Open(str(chome_gpkg))
    layer = ds.GetLayer(0)
    lon, lat = [], []
    for f in layer:
        g = f.GetGeometryRef()
        lon.append(g.GetX())
        lat.append(g.GetY())
    ds = None
    lon, lat = np.array(lon), np.array(lat)
    rng = np.random.default_rng(seed)
    host = rng.choice(lon.size, n)
    c_lat = lat[host] + rng.normal(0.0, 0.006, n)
    c_lon = lon[host] + rng.normal(0.0, 0.006, n) / np.cos(np.radians(c_lat))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(6668)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    out = ds.CreateLayer("candidates", srs, ogr.wkbPoint)
    out.CreateField(ogr.FieldDefn("site", ogr.OFTString))
    defn = out.GetLayerDefn()
    out.StartTransaction()
    for i in range(n):
        f = ogr.Feature(defn)
        f.SetField(0, f"cand {i}")
        f.SetGeometry(ogr.CreateGeometryFromWkt(f"POINT ({c_lon[i]:.7f} {c_lat[i]:.7f})"))
        out.CreateFeature(f)
    out.CommitTransaction()
    ds = None
    return path


def one_municipality(out_dir: Path, chome_gpkg: Path) -> tuple[Path, str, int]:
    """The chōme of the municipality with the most chōme, as their own GeoPackage."""
    from osgeo import gdal

    ds = gdal.OpenEx(str(chome_gpkg))
    sql = "SELECT substr(KEY_CODE, 1, 5) AS m, count(*) AS n FROM chome GROUP BY m ORDER BY n DESC LIMIT 1"
    res = ds.ExecuteSQL(sql)
    feat = res.GetNextFeature()
    code, count = feat.GetField(0), feat.GetField(1)
    ds.ReleaseResultSet(res)
    ds = None
    path = out_dir / f"muni_{code}.gpkg"
    if not path.exists():
        gdal.VectorTranslate(str(path), str(chome_gpkg), where=f"substr(KEY_CODE, 1, 5) = '{code}'")
    return path, code, int(count)


IN_PROCESS = r"""
import sys, time, json
from qgis.core import QgsApplication
app = QgsApplication([], False); app.initQgis()
sys.path.insert(0, {root!r})
sys.path.insert(0, "/usr/share/qgis/python/plugins")
import processing
from processing.core.Processing import Processing
Processing.initialize()
import kaigo_resource_plugin
class _Iface: pass
plugin = kaigo_resource_plugin.classFactory(_Iface()); plugin.initProcessing()
params = json.loads(sys.argv[1])
times = []
for _ in range(5):
    t = time.perf_counter()
    processing.run("kaigo:suggestsites", params)
    times.append(time.perf_counter() - t)
# the core alone: coverage sets + greedy on the arrays the algorithm reads
from kaigo_resource_plugin.core.covering import coverage_sets, greedy_cover
from kaigo_resource_plugin.core.access import within_pairs
from osgeo import ogr
import numpy as np
def pts(p):
    ds = ogr.Open(p); lay = ds.GetLayer(0); out = []
    for f in lay:
        g = f.GetGeometryRef(); out.append((g.GetX(), g.GetY(), f.GetField("JINKO") if "JINKO" in f.keys() else 0))
    return np.array(out, dtype=float)
c = pts(params["INPUT"]); r = pts(params["RESOURCES"][0])
t = time.perf_counter()
qi, _, _ = within_pairs(c[:, 0], c[:, 1], r[:, 0], r[:, 1], 500.0)
before = np.zeros(len(c), bool); before[qi] = True
blank = np.flatnonzero(~before & (c[:, 2] > 0))
cov = coverage_sets(c[:, 0], c[:, 1], c[blank, 0], c[blank, 1], 500.0)
greedy_cover(cov, c[:, 2], 5, before)
core = time.perf_counter() - t
print("RESULT", json.dumps({{"runs": times, "core": core}}))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--small", action="store_true", help="20,000 chōme × 10,000 resources × 10,000 candidates"
    )
    ap.add_argument("--rounds", type=int, default=None, help="rounds (default 3, small 1)")
    ap.add_argument("--seed", type=int, default=20250401)
    args = ap.parse_args()
    n_chome = 20000 if args.small else 231668
    n_res = 10000 if args.small else 100000
    n_cand = 10000 if args.small else 100000
    n_sites = 100 if args.small else 1000
    rounds = args.rounds or (1 if args.small else 3)
    out_dir = ROOT / "bench-output" / f"access_{n_chome}_{n_res}"
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = bench_access.generate(out_dir, n_chome, n_res, args.seed)
    cand = candidates(out_dir, paths["chome"], n_cand, args.seed + 1)
    muni, code, muni_n = one_municipality(out_dir, paths["chome"])
    env = bench_access._env()
    qp = bench_access._qgis_process()
    subprocess.run([qp, "plugins", "enable", "kaigo_resource_plugin"], env=env, capture_output=True)
    common = [f"INPUT={paths['chome']}", f"RESOURCES={paths['resources']}", "RADIUS=500"]
    cmds = {
        "A blankareas": [
            qp,
            "run",
            "kaigo:blankareas",
            "--",
            *common,
            f"OUTPUT={out_dir / 'dec_blank.gpkg'}",
        ],
        f"B suggestsites N={n_sites}": [
            qp,
            "run",
            "kaigo:suggestsites",
            "--",
            *common,
            f"CANDIDATES={cand}",
            f"N_SITES={n_sites}",
            f"OUTPUT={out_dir / 'dec_sites.gpkg'}",
            f"OUTPUT_CHOME={out_dir / 'dec_sites_chome.gpkg'}",
        ],
        "C resourceimpact": [
            qp,
            "run",
            "kaigo:resourceimpact",
            "--",
            *common,
            f"OUTPUT={out_dir / 'dec_impact.gpkg'}",
            f"OUTPUT_MUNICIPALITIES={out_dir / 'dec_impact_m.gpkg'}",
        ],
        "D suggestsites 1 muni": [
            qp,
            "run",
            "kaigo:suggestsites",
            "--",
            f"INPUT={muni}",
            f"RESOURCES={paths['resources']}",
            "N_SITES=5",
            f"OUTPUT={out_dir / 'dec_muni_sites.gpkg'}",
            f"OUTPUT_CHOME={out_dir / 'dec_muni_chome.gpkg'}",
        ],
    }
    print(
        f"workload: {n_chome:,} chōme × {n_res:,} resources × {n_cand:,} candidates, N = {n_sites:,}; "
        f"one municipality {code} ({muni_n:,} chōme); {rounds} rounds",
        flush=True,
    )
    got: dict[str, list[tuple[float, int, float]]] = {k: [] for k in cmds}
    for r in range(rounds):
        for name, cmd in cmds.items():
            wall, rss, cpu = bench_access.run_timed(cmd, env, out_dir / f"log_{name.split()[0]}.txt")
            got[name].append((wall, rss, cpu))
            print(f"round {r + 1} {name}: {wall:.2f} s wall, {cpu:.2f} s CPU, {rss:,} MB", flush=True)
    med = {k: statistics.median(w for w, _, _ in v) for k, v in got.items()}
    peak = {k: max(m for _, m, _ in v) for k, v in got.items()}
    base = med["A blankareas"]
    print("\nmedian wall time (ratio to blankareas on the same data), peak memory:")
    for k in cmds:
        print(f"  {k:24s} {med[k]:7.2f} s  ({med[k] / base:.2f} ×)  {peak[k]:,} MB")
    # one municipality inside one QGIS process: the algorithm's own time
    params = {
        "INPUT": str(muni),
        "RESOURCES": [str(paths["resources"])],
        "N_SITES": 5,
        "OUTPUT": "TEMPORARY_OUTPUT",
        "OUTPUT_CHOME": "TEMPORARY_OUTPUT",
    }
    proc = subprocess.run(
        ["/usr/bin/python3", "-c", IN_PROCESS.format(root=str(ROOT)), json.dumps(params)],
        env=env,
        capture_output=True,
        text=True,
    )
    line = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
    if proc.returncode != 0 or not line:
        sys.stderr.write(proc.stderr[-3000:])
        return 1
    res = json.loads(line[0][7:])
    print(
        f"one municipality ({muni_n:,} chōme) in one QGIS process: processing.run median "
        f"{statistics.median(res['runs']):.3f} s (runs {', '.join(f'{t:.3f}' for t in res['runs'])}); "
        f"core (coverage + greedy) {res['core']:.3f} s"
    )
    b = f"B suggestsites N={n_sites}"
    ok = med[b] < 60.0 and peak[b] < 3072 and statistics.median(res["runs"]) < 1.0
    print("targets (national < 60 s and < 3 GB, one municipality < 1 s):", "met" if ok else "NOT met")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.exit(main())

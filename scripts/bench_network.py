"""Benchmark of kaigo:networkaccess (walking distance on the road network), through qgis_process.

Two workloads, each run alternately with a trivial QGIS pass over the same data (so that the ratio, not
the absolute time of a shared machine, is what is compared):

1. Ube (宇部市): the OpenStreetMap walking network of tests/data/ube-35202 (30,750 lines), all 471 rows
   of the 2015 chōme table, the 42 shelters. Target: under 2 s end to end.
     A. qgis_process run native:fieldcalculator on the network (reads and writes every line once)
     B. qgis_process run kaigo:networkaccess
2. Prefecture size: the Ube network tiled 6 × 6 (36 towns, 1.1 million lines, generated once under
   bench-output/network/), 10,000 chōme points and 1,000 resources of two types near its roads (fixed
   seed). Target: under 60 s and 4 GB.
     A. qgis_process run native:fieldcalculator on the network
     B. qgis_process run kaigo:networkaccess

Peak memory is the child process's (os.wait4 rusage). Both sides call qgis_process.bin itself.

Usage: bench_network.py [--small] [--rounds N] [--tiles N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

from bench_access import _env, _qgis_process, run_timed  # noqa: E402

UBE = ROOT / "tests" / "data" / "ube-35202"


def tiled_network(out_dir: Path, tiles: int, n_chome: int, n_res: int, seed: int) -> dict:
    """The Ube network repeated on a tiles × tiles grid, with chōme and resources near its roads (cached)."""
    import numpy as np
    from osgeo import ogr, osr

    from kaigo_resource_plugin.core.network import lines_from_wkb

    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = out_dir / "stamp.json"
    want = {"tiles": tiles, "chome": n_chome, "resources": n_res, "seed": seed, "version": 1}
    paths = {k: out_dir / f"{k}.gpkg" for k in ("roads", "chome", "resources")}
    if stamp.exists() and json.loads(stamp.read_text()) == want and all(p.exists() for p in paths.values()):
        return paths
    t0 = time.perf_counter()
    ds = ogr.Open(str(UBE / "roads.gpkg"))
    blobs = [bytes(f.GetGeometryRef().ExportToIsoWkb(ogr.wkbNDR)) for f in ds.GetLayer(0)]
    del ds
    x, y, starts, _, _ = lines_from_wkb(blobs)
    counts = np.diff(starts)
    w = float(x.max() - x.min()) + 0.002  # tiles 0.002° apart: separate towns
    h = float(y.max() - y.min()) + 0.002
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(6668)
    drv = ogr.GetDriverByName("GPKG")
    for p in paths.values():
        if p.exists():
            drv.DeleteDataSource(str(p))
    rng = np.random.default_rng(seed)
    out = drv.CreateDataSource(str(paths["roads"]))
    lyr = out.CreateLayer("roads", srs, ogr.wkbLineString, ["SPATIAL_INDEX=NO"])
    defn = lyr.GetLayerDefn()
    header = np.zeros(counts.size, dtype=[("o", "u1"), ("t", "<u4"), ("n", "<u4")])
    header["o"], header["t"], header["n"] = 1, 2, counts
    all_x, all_y = [], []
    for i in range(tiles):
        for j in range(tiles):
            tx, ty = x + i * w, y + j * h
            all_x.append(tx[::7])
            all_y.append(ty[::7])
            xy = np.column_stack([tx, ty]).astype("<f8")
            lyr.StartTransaction()
            for k in range(counts.size):
                wkb = header[k].tobytes() + xy[starts[k] : starts[k + 1]].tobytes()
                f = ogr.Feature(defn)
                f.SetGeometryDirectly(ogr.CreateGeometryFromWkb(wkb))
                lyr.CreateFeature(f)
            lyr.CommitTransaction()
    del out
    vx, vy = np.concatenate(all_x), np.concatenate(all_y)

    def points(path: Path, n: int, fields: dict) -> None:
        pick = rng.integers(0, vx.size, n)
        px = vx[pick] + rng.normal(0, 40, n) / 92_000.0
        py = vy[pick] + rng.normal(0, 40, n) / 111_000.0
        d = drv.CreateDataSource(str(path))
        layer = d.CreateLayer(path.stem, srs, ogr.wkbPoint)
        for name, kind in fields.items():
            layer.CreateField(ogr.FieldDefn(name, kind))
        layer.StartTransaction()
        for k in range(n):
            f = ogr.Feature(layer.GetLayerDefn())
            f.SetGeometryDirectly(ogr.CreateGeometryFromWkt(f"POINT ({px[k]!r} {py[k]!r})"))
            if "KEY_CODE" in fields:
                f["KEY_CODE"] = f"{35201 + k % 36:05d}{k:06d}"
                f["JINKO"] = int(rng.integers(0, 3000))
            else:
                f["kind"] = "shop" if k % 2 else "clinic"
            layer.CreateFeature(f)
        layer.CommitTransaction()
        del d

    points(paths["chome"], n_chome, {"KEY_CODE": ogr.OFTString, "JINKO": ogr.OFTInteger})
    points(paths["resources"], n_res, {"kind": ogr.OFTString})
    stamp.write_text(json.dumps(want))
    n_lines = counts.size * tiles * tiles
    print(
        f"generated {n_lines:,} lines, {n_chome:,} chōme, {n_res:,} resources in {time.perf_counter() - t0:.0f} s"
    )
    return paths


def compare(label: str, a_cmd: list, b_cmd: list, rounds: int, env: dict, logs: Path) -> dict:
    a, b = [], []
    for r in range(rounds):
        a.append(run_timed(a_cmd, env, logs / f"{label}_a{r}.log"))
        b.append(run_timed(b_cmd, env, logs / f"{label}_b{r}.log"))
    wa = statistics.median(x[0] for x in a)
    wb = statistics.median(x[0] for x in b)
    res = {
        "fieldcalculator_s": round(wa, 2),
        "networkaccess_s": round(wb, 2),
        "ratio": round(wb / wa, 2),
        "networkaccess_cpu_s": round(statistics.median(x[2] for x in b), 2),
        "peak_mb": max(x[1] for x in b),
        "fieldcalculator_peak_mb": max(x[1] for x in a),
    }
    print(label, json.dumps(res), flush=True)
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--small", action="store_true", help="Ube only, one round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--tiles", type=int, default=6)
    ap.add_argument("--seed", type=int, default=17)
    args = ap.parse_args()
    qp = _qgis_process()
    env = _env()
    out = ROOT / "bench-output" / "network"
    out.mkdir(parents=True, exist_ok=True)
    os.system(f"{qp} plugins enable kaigo_resource_plugin >/dev/null 2>&1")
    rounds = 1 if args.small else args.rounds

    def field_calc(src: Path, dest: Path) -> list:
        return [qp, "run", "native:fieldcalculator", "--", f"INPUT={src}", "FIELD_NAME=one", "FIELD_TYPE=1",
                "FORMULA=1", f"OUTPUT={dest}"]  # fmt: skip

    def network(chome, res, roads, dest: Path, extra=()) -> list:
        return [qp, "run", "kaigo:networkaccess", "--", f"INPUT={chome}", f"RESOURCES={res}", f"NETWORK={roads}",
                f"OUTPUT={dest}", *extra]  # fmt: skip

    figures = {}
    figures["ube"] = compare(
        "ube",
        field_calc(UBE / "roads.gpkg", out / "ube_fc.gpkg"),
        network(
            UBE / "35202-chome-2015.dbf", UBE / "shelters.gpkg", UBE / "roads.gpkg", out / "ube_net.gpkg"
        ),
        rounds,
        env,
        out,
    )
    if not args.small:
        paths = tiled_network(out / "tiled", args.tiles, 10_000, 1_000, args.seed)
        figures["prefecture"] = compare(
            "prefecture",
            field_calc(paths["roads"], out / "pref_fc.gpkg"),
            network(
                paths["chome"],
                paths["resources"],
                paths["roads"],
                out / "pref_net.gpkg",
                ["CATEGORY_FIELD=kind"],
            ),  # fmt: skip
            max(1, rounds - 1),
            env,
            out,
        )
    ok = figures["ube"]["networkaccess_s"] < 2.0
    print(
        f"Ube end to end: {figures['ube']['networkaccess_s']} s (target < 2 s){'' if ok else '  ** over **'}"
    )
    if "prefecture" in figures:
        p = figures["prefecture"]
        print(f"prefecture: {p['networkaccess_s']} s, {p['peak_mb']} MB (targets < 60 s, < 4096 MB)")
    (out / "figures.json").write_text(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

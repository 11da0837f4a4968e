"""Coverage union (core/dissolve.py) against a general union (shapely unary_union), side by side.

Dissolves the chōme of each municipality of the Tottori 2015 boundaries (shared data; 2,504 polygons,
19 municipalities, about 100 vertices a ring) both ways, alternately, and checks that the two give the
same polygons (topologically equal, areas within 1e-9). Prints the median time of each and the ratio.
Without the shared data it dissolves a synthetic grid coverage instead.

Usage: bench_dissolve.py [--small] [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def tottori_groups(path: Path) -> dict[str, list]:
    from osgeo import ogr
    from shapely import wkb

    ds = ogr.Open(str(path))
    groups: dict[str, list] = {}
    for feat in ds.GetLayer(0):
        geom = feat.GetGeometryRef()
        if geom is None:
            continue
        g = wkb.loads(bytes(geom.ExportToWkb()))
        groups.setdefault(str(feat.GetField("KEY_CODE"))[:5], []).extend(getattr(g, "geoms", [g]))
    return groups


def grid_groups(n_munis: int, side: int, k: int = 32) -> dict[str, list]:
    """``n_munis`` square municipalities of side × side cells, each cell edge with ``k`` vertices (k a power
    of two, so that neighbours share their vertices exactly, as e-Stat chōme do)."""
    import numpy as np
    from shapely.geometry import Polygon

    t = np.linspace(0.0, 1.0, k, endpoint=False)
    groups: dict[str, list] = {}
    for m in range(n_munis):
        ox = m * (side + 1)
        cells = []
        for i in range(side):
            for j in range(side):
                x0, y0 = ox + i, j
                ring = (
                    [(x0 + s, y0) for s in t]
                    + [(x0 + 1, y0 + s) for s in t]
                    + [(x0 + 1 - s, y0 + 1) for s in t]
                    + [(x0, y0 + 1 - s) for s in t]
                )
                cells.append(Polygon(ring))
        groups[f"{m:05d}"] = cells
    return groups


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--small", action="store_true", help="a synthetic grid of 4 municipalities")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    from shapely import wkb
    from shapely.geometry import MultiPolygon
    from shapely.ops import unary_union

    from kaigo_resource_plugin.core.dissolve import available, coverage_union_wkb

    tottori = ROOT / "sample_data" / "tottori-2015" / "31-tottori-all.shp"
    if args.small or not tottori.exists():
        groups, what = grid_groups(4 if args.small else 19, 10), "synthetic grid"
    else:
        groups, what = tottori_groups(tottori), "Tottori 2015"
    if not available():
        print("coverage union unavailable")
        return 1
    blobs = {code: MultiPolygon(polys).wkb for code, polys in groups.items()}
    n_polys = sum(len(p) for p in groups.values())
    print(f"{what}: {len(blobs)} municipalities, {n_polys:,} polygons; {args.rounds} rounds")

    times: dict[str, list[float]] = {"coverage": [], "general": []}
    results: dict[str, dict] = {}
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        results["coverage"] = {c: coverage_union_wkb(b) for c, b in blobs.items()}
        times["coverage"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        results["general"] = {c: unary_union(wkb.loads(b).geoms).wkb for c, b in blobs.items()}
        times["general"].append(time.perf_counter() - t0)
    refused = [c for c, r in results["coverage"].items() if r is None]
    differ = []
    for code, cov in results["coverage"].items():
        if cov is None:
            continue
        a, b = wkb.loads(cov), wkb.loads(results["general"][code])
        if not (a.equals(b) and abs(a.area - b.area) <= 1e-9 * max(b.area, 1e-300)):
            differ.append(code)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"coverage union {med['coverage']:.3f} s, general union {med['general']:.3f} s (medians)")
    print(f"ratio coverage / general: {med['coverage'] / med['general']:.2f}")
    print(f"same result: {len(blobs) - len(refused) - len(differ)}; differ: {differ}; refused: {refused}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())

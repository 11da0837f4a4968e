"""Benchmark of issue 8: the whole of Japan end to end through qgis_process, charts included.

Japan-size synthetic inputs (scripts/synth_japan.py, fixed seed): 231,668 chōme points with e-Stat-like
fields, a T001082-like age table and 100,000 resources, 1,896 municipalities. Runs
`qgis_process run kaigo:fullanalysis` and prints the wall time of each run and the peak memory of the
qgis_process child against the targets (2 minutes, 3 GB).

Usage: bench_full.py [--small] [--runs N]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import synth_japan  # noqa: E402

TARGET_S = 120.0
TARGET_MB = 3 * 1024


def ensure_data(out: Path, n_chome: int, n_res: int, n_munis: int) -> dict:
    tag = f"{n_chome}_{n_res}_{n_munis}"
    folder = out / f"synth_{tag}"
    paths = {
        "chome": folder / "chome_points.gpkg",
        "resources": folder / "resources.gpkg",
        "ages": folder / "tblT001082_synthetic.csv",
    }
    if not all(p.exists() for p in paths.values()):
        t0 = time.time()
        data = synth_japan.generate(n_chome, n_res, n_munis, 20250401)
        synth_japan.write(str(folder), data)
        print(
            f"generated {n_chome:,} chōme, {n_res:,} resources, {n_munis:,} municipalities in {time.time() - t0:.1f} s"
        )
    return {k: str(v) for k, v in paths.items()}


def run_once(paths: dict, out_folder: Path) -> tuple[float, int, str]:
    if out_folder.exists():
        shutil.rmtree(out_folder)
    cmd = [
        str(HERE / "qgis_process.sh"),
        "run",
        "kaigo:fullanalysis",
        "--",
        f"CHOME={paths['chome']}",
        f"AGES={paths['ages']}",
        f"RESOURCES={paths['resources']}",
        "HIGHLIGHT=01201,13101",
        f"OUTPUT_FOLDER={out_folder}",
    ]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        print(proc.stdout[-2000:])
        print(proc.stderr[-4000:])
        raise SystemExit(f"kaigo:fullanalysis failed with exit code {proc.returncode}")
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, peak_kb, proc.stdout


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument(
        "--small", action="store_true", help="20,000 chōme × 10,000 resources, 200 municipalities"
    )
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    out = ROOT / "bench-output"
    out.mkdir(exist_ok=True)
    sizes = (20000, 10000, 200) if args.small else (231668, 100000, 1896)
    paths = ensure_data(out, *sizes)
    walls = []
    peak_kb = 0
    for i in range(args.runs):
        wall, peak_kb, stdout = run_once(paths, out / "full_run")
        walls.append(wall)
        print(f"run {i + 1}: {wall:.1f} s wall")
    n_files = sum(len(f) for _, _, f in os.walk(out / "full_run"))
    med = statistics.median(walls)
    print(
        f"kaigo:fullanalysis, {sizes[0]:,} chōme × {sizes[1]:,} resources, {sizes[2]:,} municipalities, "
        f"through qgis_process: median {med:.1f} s over {len(walls)} runs (min {min(walls):.1f}, max {max(walls):.1f}); "
        f"{n_files} files written"
    )
    print(f"peak memory (largest child process): {peak_kb / 1024:.0f} MB")
    if not args.small:
        print(
            f"targets: time {med:.1f} s / {TARGET_S:.0f} s = {med / TARGET_S:.2f}; "
            f"memory {peak_kb / 1024:.0f} MB / {TARGET_MB} MB = {peak_kb / 1024 / TARGET_MB:.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

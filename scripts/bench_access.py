"""Benchmark of kaigo:blankareas against a trivial QGIS pass over the same chōme layer.

Generates (fixed seed, scripts/synth_japan.py) the national workload — 231,668 chōme points clustered
like towns along the archipelago and 100,000 resources — as GeoPackage under bench-output/, then runs,
alternately, several rounds of

  A. qgis_process run native:fieldcalculator  (adds one constant field; GPKG in, GPKG out)
  B. qgis_process run kaigo:blankareas         (radius 500 m; GPKG in, GPKG out)

and prints the median wall time of each, the ratio B/A (target ≤ 1.3), the CPU time of each and the
peak resident memory of each process (target for B: < 2 GB).

Both commands call qgis_process.bin itself (the plugin enabled once beforehand): the stricter comparison.
``--wrapper`` goes through scripts/qgis_process.sh instead, which spends about 1 s enabling the plugin on
every call, on both sides, and so flatters the ratio.

Usage: bench_access.py [--small] [--rounds N] [--wrapper] [--chome N] [--resources N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))


def _qgis_process() -> str:
    return shutil.which("qgis_process.bin") or shutil.which("qgis_process") or "qgis_process"


def _env() -> dict:
    env = dict(os.environ)
    env["QGIS_PLUGINPATH"] = str(ROOT) + (":" + env["QGIS_PLUGINPATH"] if env.get("QGIS_PLUGINPATH") else "")
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.pop("KAIGO_TIMING", None)
    return env


def generate(out_dir: Path, n_chome: int, n_res: int, seed: int) -> dict:
    """The synthetic inputs (cached: regenerated only when the sizes or the seed change)."""
    import synth_japan

    stamp = out_dir / "stamp.json"
    want = {"chome": n_chome, "resources": n_res, "seed": seed, "version": 1}
    paths = {"chome": out_dir / "chome_points.gpkg", "resources": out_dir / "resources.gpkg"}
    if stamp.exists() and json.loads(stamp.read_text()) == want and all(p.exists() for p in paths.values()):
        return paths
    t = time.perf_counter()
    n_munis = max(20, round(1896 * n_chome / 231668))
    data = synth_japan.generate(n_chome, n_res, n_munis, seed)
    synth_japan.write(str(out_dir), data)
    stamp.write_text(json.dumps(want))
    print(f"generated {n_chome:,} chōme × {n_res:,} resources in {time.perf_counter() - t:.1f} s", flush=True)
    return paths


def run_timed(cmd: list[str], env: dict, log: Path) -> tuple[float, int, float]:
    """(wall seconds, peak resident memory in MB, CPU seconds) of one run of ``cmd`` (os.wait4's rusage)."""
    with open(log, "wb") as fh:
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=fh, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.stderr.write(log.read_text(errors="replace")[-3000:])
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}")
    return wall, usage.ru_maxrss // 1024, usage.ru_utime + usage.ru_stime  # ru_maxrss: kB on Linux


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--small", action="store_true", help="20,000 chōme × 10,000 resources, 2 rounds")
    ap.add_argument("--rounds", type=int, default=None, help="rounds of A then B (default 5, small 2)")
    ap.add_argument("--chome", type=int, default=None)
    ap.add_argument("--resources", type=int, default=None)
    ap.add_argument("--seed", type=int, default=20250401)
    ap.add_argument("--radius", type=float, default=500.0)
    ap.add_argument(
        "--direct",
        action="store_true",
        help="call qgis_process.bin (the default; kept for old command lines)",
    )
    ap.add_argument(
        "--wrapper",
        action="store_true",
        help="call scripts/qgis_process.sh instead (adds about 1 s to both sides: flatters the ratio)",
    )
    args = ap.parse_args()
    args.direct = not args.wrapper
    n_chome = args.chome or (20000 if args.small else 231668)
    n_res = args.resources or (10000 if args.small else 100000)
    rounds = args.rounds or (2 if args.small else 5)

    out_dir = ROOT / "bench-output" / f"access_{n_chome}_{n_res}"
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = generate(out_dir, n_chome, n_res, args.seed)
    env = _env()
    if args.direct:
        qp = _qgis_process()
        subprocess.run([qp, "plugins", "enable", "kaigo_resource_plugin"], env=env, capture_output=True)
    else:
        qp = str(ROOT / "scripts" / "qgis_process.sh")

    out_a = out_dir / "out_fieldcalculator.gpkg"
    out_b = out_dir / "out_blankareas.gpkg"
    cmd_a = [
        qp,
        "run",
        "native:fieldcalculator",
        "--",
        f"INPUT={paths['chome']}",
        "FIELD_NAME=flag",
        "FIELD_TYPE=1",
        "FIELD_LENGTH=10",
        "FIELD_PRECISION=0",
        "FORMULA=1",
        f"OUTPUT={out_a}",
    ]
    cmd_b = [
        qp,
        "run",
        "kaigo:blankareas",
        "--",
        f"INPUT={paths['chome']}",
        f"RESOURCES={paths['resources']}",
        f"RADIUS={args.radius}",
        f"OUTPUT={out_b}",
    ]
    print(
        f"workload: {n_chome:,} chōme points × {n_res:,} resources, radius {args.radius:g} m, {rounds} rounds, "
        f"via {'qgis_process.bin' if args.direct else 'scripts/qgis_process.sh'}"
    )
    times_a, times_b, mem_a, mem_b, cpu_a, cpu_b = [], [], [], [], [], []
    for r in range(rounds):
        for out in (out_a, out_b):
            if out.exists():
                out.unlink()
        ta, ma, ca = run_timed(cmd_a, env, out_dir / "log_fieldcalculator.txt")
        tb, mb, cb = run_timed(cmd_b, env, out_dir / "log_blankareas.txt")
        cpu_a.append(ca)
        cpu_b.append(cb)
        times_a.append(ta)
        times_b.append(tb)
        mem_a.append(ma)
        mem_b.append(mb)
        print(
            f"  round {r + 1}: fieldcalculator {ta:6.2f} s (CPU {ca:5.2f} s, {ma} MB)   "
            f"blankareas {tb:6.2f} s (CPU {cb:5.2f} s, {mb} MB)   ratio {tb / ta:.2f}",
            flush=True,
        )
    rss_a = max(mem_a)
    rss_b = max(mem_b)
    med_a = statistics.median(times_a)
    med_b = statistics.median(times_b)
    ratio = med_b / med_a
    print(
        f"median native:fieldcalculator: {med_a:.2f} s  (CPU {statistics.median(cpu_a):.2f} s, peak RSS {rss_a} MB)"
    )
    print(
        f"median kaigo:blankareas:       {med_b:.2f} s  (CPU {statistics.median(cpu_b):.2f} s, peak RSS {rss_b} MB)"
    )
    print(
        f"CPU-time ratio (less sensitive to other load on the machine): "
        f"{statistics.median(cpu_b) / statistics.median(cpu_a):.2f}"
    )
    print(
        f"ratio blankareas / fieldcalculator: {ratio:.2f}  (target ≤ 1.30: {'OK' if ratio <= 1.3 else 'MISSED'})"
    )
    print(
        f"peak memory of blankareas: {rss_b} MB  (target < 2048 MB: {'OK' if 0 <= rss_b < 2048 else 'MISSED'})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

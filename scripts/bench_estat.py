"""Benchmark of kaigo:importestat: a Japan-size synthetic 2015-layout chōme table (.dbf in CP932, no .cpg,
language byte 0) and a T001082 table (CP932), generated with a fixed seed under bench-output/estat/.

Prints the time of the pure-Python core (dBASE read + T001082 read + join) and of the whole algorithm run
through qgis_process (points from X_CODE/Y_CODE), with its peak memory, and
the same for the real Osaka prefecture files of sample_data/ (8,897 rows).

Usage: bench_estat.py [--small] [--chome N]
"""

from __future__ import annotations

import argparse
import random
import resource
import struct
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kaigo_resource_plugin.core import estat  # noqa: E402

OUT = ROOT / "bench-output" / "estat"
FIELDS = [
    ("KEN", "C", 2),
    ("CITY", "C", 3),
    ("KEN_NAME", "C", 12),
    ("GST_NAME", "C", 14),
    ("CSS_NAME", "C", 14),
    ("HCODE", "N", 4),
    ("AREA_MAX_F", "C", 1),
    ("MOJI", "C", 96),
    ("X_CODE", "N", 19),
    ("Y_CODE", "N", 19),
    ("KEY_CODE", "C", 11),
]
KANJI = "北南東西中本新大小上下川山田町森谷原野宮島寺井石松"
DIGITS = "１２３４５６７８９"


def write_dbf(path: Path, rows: list[list[object]]) -> None:
    record_len = 1 + sum(f[2] for f in FIELDS)
    header_len = 32 + 32 * len(FIELDS) + 1
    with open(path, "wb") as fh:
        fh.write(struct.pack("<BBBBIHH", 3, 117, 7, 12, len(rows), header_len, record_len))
        fh.write(b"\x00" * 20)  # byte 29 (language driver) stays 0
        for name, ftype, length in FIELDS:
            fh.write(name.encode().ljust(11, b"\x00") + ftype.encode() + b"\x00" * 4 + bytes([length, 0]))
            fh.write(b"\x00" * 14)
        fh.write(b"\x0d")
        buf = bytearray()
        for row in rows:
            buf += b" "
            for (_n, ftype, length), v in zip(FIELDS, row):
                raw = b"" if v is None else (f"{v:.5f}" if isinstance(v, float) else str(v)).encode("cp932")
                buf += raw.rjust(length) if ftype == "N" else raw[:length].ljust(length)
        fh.write(bytes(buf))
        fh.write(b"\x1a")


def generate(n_chome: int, seed: int = 20250401) -> tuple[Path, Path]:
    """~n_chome keys in municipalities of ~120 keys; towns of 1–6 chōme (levels 3+4) or none (level 2)."""
    rnd = random.Random(seed)
    OUT.mkdir(parents=True, exist_ok=True)
    dbf_path, csv_path = OUT / f"chome_{n_chome}.dbf", OUT / f"tblT001082_{n_chome}.csv"
    if dbf_path.exists() and csv_path.exists():
        return dbf_path, csv_path
    rows: list[list[object]] = []
    table: list[list[str]] = []
    n_munis = max(1, n_chome // 120)
    per = n_chome // n_munis
    for m in range(n_munis):
        pref = 1 + m * 47 // n_munis
        city = 201 + m % 700
        muni = f"{pref:02d}{city:03d}"
        city_name = "".join(rnd.choice(KANJI) for _ in range(2)) + "市"
        lon, lat = 130.0 + 15.0 * rnd.random(), 31.0 + 13.0 * rnd.random()
        muni_rows: list[list[str]] = []
        tot = [0, 0]
        keys = 0
        town = 0
        while keys < per:
            town += 1
            tname = "".join(rnd.choice(KANJI) for _ in range(rnd.randint(2, 3)))
            n_ch = rnd.choice((0, 0, 1, 2, 3, 4, 5, 6))
            tkey = f"{muni}{town:03d}0"
            kids = [f"{muni}{town:03d}{c:03d}" for c in range(1, n_ch + 1)] if n_ch else [tkey]
            t_sum = [0, 0]
            for c, key in enumerate(kids):
                p = rnd.randint(0, 3000)
                e = rnd.randint(0, p // 4)
                name = tname + (DIGITS[c % 9] + "丁目" if n_ch else "")
                parts = 2 if rnd.random() < 0.02 else 1
                for part in range(parts):
                    x, y = lon + rnd.random() * 0.1, lat + rnd.random() * 0.1
                    rows.append(
                        [
                            muni[:2],
                            muni[2:],
                            "某県",
                            city_name,
                            None,
                            8101,
                            "M" if part == 0 else None,
                            name,
                            x,
                            y,
                            key,
                        ]
                    )
                level = "4" if n_ch else "2"
                muni_rows.append([key, level, city_name, name, "0", "", "", str(p)] + _ages(rnd, p, e))
                t_sum = [t_sum[0] + p, t_sum[1] + e]
                keys += 1
            if n_ch:
                muni_rows.insert(
                    len(muni_rows) - n_ch,
                    [tkey, "3", city_name, tname, "0", "", "", str(t_sum[0])]
                    + _ages(rnd, t_sum[0], t_sum[1]),
                )
            tot = [tot[0] + t_sum[0], tot[1] + t_sum[1]]
            if rnd.random() < 0.01:
                x, y = lon + rnd.random() * 0.1, lat + rnd.random() * 0.1
                wkey = f"{muni}{900 + town % 99:03d}0"
                rows.append([muni[:2], muni[2:], "某県", city_name, None, 8154, "M", "水面", x, y, wkey])
        table.append([muni, "1", city_name, "", "0", "", "", str(tot[0])] + _ages(rnd, tot[0], tot[1]))
        table.extend(muni_rows)
    write_dbf(dbf_path, rows)
    codes = ["KEY_CODE", "HYOSYO", "CITYNAME", "NAME", "HTKSYORI", "HTKSAKI", "GASSAN"] + [
        f"T001082{i:03d}" for i in range(1, 61)
    ]
    labels = (
        ["", "", "", "", "", "", "", "総数、年齢「不詳」含む"]
        + ["総数"] * 18
        + ["総数７５歳以上"]
        + ["男"] * 20
        + ["女"] * 20
    )
    with open(csv_path, "w", encoding="cp932", newline="") as fh:
        fh.write(",".join(codes) + "\r\n" + ",".join(labels) + "\r\n")
        for r in table:
            fh.write(",".join(r) + "\r\n")
    return dbf_path, csv_path


def _ages(rnd: random.Random, p: int, e: int) -> list[str]:
    # T001082002 … T001082060: filler figures, with T001082020 = 75+
    vals = [str(rnd.randint(0, max(1, p // 10))) for _ in range(59)]
    vals[18] = str(e) if e else "-"
    return vals


def core_run(dbf_path: Path, csv_path: Path) -> tuple[float, dict]:
    t0 = time.perf_counter()
    dbf = estat.read_dbf(str(dbf_path))
    enc, _ = dbf.text_encoding()
    cols = {f.name.upper(): dbf.column(f.name, enc) for f in dbf.fields}
    layout = estat.detect_layout(cols)
    names = list(cols)
    records = [
        estat.make_record(i, dict(zip(names, vals)), "KEY_CODE", layout)
        for i, vals in enumerate(zip(*cols.values()))
    ]
    ages = estat.read_age_tables([str(csv_path)])
    res = estat.join_boundaries(records, ages, list_limit=50)
    return time.perf_counter() - t0, res.summary


def qgis_run(dbf_path: Path, csv_path: Path, tag: str) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.run(
        [
            str(ROOT / "scripts" / "qgis_process.sh"),
            "--json",
            "run",
            "kaigo:importestat",
            f"--INPUT={dbf_path}",
            f"--AGES={csv_path}",
            f"--OUTPUT={OUT / f'out_{tag}.gpkg'}",
            f"--REPORT={OUT / f'report_{tag}.gpkg'}",
        ],
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode != 0:
        print(proc.stderr[-2000:])
        raise SystemExit(f"qgis_process failed on {tag}")
    return wall, max(peak, before) / 1024.0, proc.stdout


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--small", action="store_true")
    ap.add_argument("--chome", type=int, default=None)
    args = ap.parse_args()
    n = args.chome or (20000 if args.small else 231668)
    t0 = time.perf_counter()
    dbf_path, csv_path = generate(n)
    print(
        f"synthetic data: {n:,} chōme keys ({dbf_path.stat().st_size / 1e6:.1f} MB .dbf, "
        f"{csv_path.stat().st_size / 1e6:.1f} MB CSV) ready in {time.perf_counter() - t0:.1f} s"
    )
    t_core, summary = core_run(dbf_path, csv_path)
    print(
        f"core (dBASE + T001082 + join): {t_core:.2f} s; matched {summary['matched']:,} of "
        f"{summary['boundary_keys']:,} keys, {summary['multipart_merged']:,} multi-part, "
        f"{summary['water_dropped']:,} water, {summary['munis_not_equal']} municipalities not equal"
    )
    wall, peak, _ = qgis_run(dbf_path, csv_path, f"synthetic_{n}")
    print(f"qgis_process kaigo:importestat, synthetic {n:,}: {wall:.2f} s wall, peak RSS {peak:.0f} MB")
    sample = ROOT / "sample_data"
    osaka_dbf = sample / "osaka-2015-points" / "27-oosaka-all.dbf"
    osaka_csv = sample / "osaka-2020-ages" / "tblT001082C27.csv"
    if osaka_dbf.exists() and osaka_csv.exists():
        t_osaka, s = core_run(osaka_dbf, osaka_csv)
        w_osaka, p_osaka, _ = qgis_run(osaka_dbf, osaka_csv, "osaka")
        print(
            f"Osaka (8,897 rows): core {t_osaka:.2f} s, qgis_process {w_osaka:.2f} s wall "
            f"(matched {s['matched']:,}, level 3 {s['matched_level3']}, missing {s['boundary_missing']})"
        )
        print(
            f"ratio synthetic/Osaka keys {summary['boundary_keys'] / s['boundary_keys']:.1f}x, "
            f"core time {t_core / t_osaka:.1f}x, qgis_process time {wall / w_osaka:.1f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

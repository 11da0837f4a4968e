"""SPEC §8 cases, as data: algorithm, parameters, and the exact behaviour expected.

``Refuse(ja, en)``: the run stops with a message holding both sentences' fragments, writes nothing,
and every input (and whatever the case put in its output folder) stays byte for byte as it was.
``Ok(check)``: the run succeeds and ``check(result, log, files, out)`` asserts the figures.

Run through ``processing.run`` (test_safety_processing.py) and ``qgis_process`` (test_safety_qgis_process.py).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from safety_data import SAPPORO, copy_shp, features, layer_names


@dataclass
class Refuse:
    ja: str
    en: str


@dataclass
class Ok:
    check: Callable


@dataclass
class Case:
    id: str
    alg: str
    params: Callable  # (files, out: Path) -> {name: value}
    expect: Refuse | Ok
    setup: Callable | None = None  # (files, out) -> an object to keep alive during the run (a lock)
    qgis_process: bool = True
    tags: tuple = field(default_factory=tuple)


SAME_INPUT = Refuse("は入力", "is the same data as the input")
SAME_OUTPUT = Refuse("書き込み先が同じ", "go to the same place")
READ_ONLY = Refuse("読み取り専用", "read-only")
LOCKED = Refuse("ロックしています", "has locked it")
OPEN_ELSEWHERE = Refuse("開いています", "has it open")
A_FOLDER = Refuse("フォルダがあります", "a folder of that name exists")
A_FILE = Refuse("フォルダではなくファイル", "it is a file, not a folder")
NO_CRS = Refuse("座標参照系（CRS）が設定されていません", "no coordinate reference system")
OUTSIDE = Refuse("日本の範囲", "outside Japan")
DEGREES = Refuse("メートル単位です", "are degrees, but its CRS")
GRID = Refuse("tky2jgd", "tky2jgd")
METRES = Refuse("メートル単位", "look like metres")
SWAPPED = Refuse("入れ替わって", "look swapped")
NOT_KEY = Refuse("キーコード", "are not chōme keys")
NEGATIVE = Refuse("負", "negative")
NOT_COUNT = Refuse("人数ではありません", "is not a count")
FINITE = Refuse("有限の数", "must be a finite number")
CUT = Refuse("途中で切れています", "stops in the middle")
XLSX = Refuse("Excel", "Excel workbook")
BINARY = Refuse("バイナリ", "binary data")
RASTER = Refuse("ラスタ", "is a raster")
CATEGORIES = Refuse("種類あります", "distinct values")
SHAPEFILE = Refuse("シェープファイル", "shapefile (.shp)")


def _read_only(path: Path) -> None:
    os.chmod(path, 0o444)


def existing(out: Path, name: str, content: bytes = b"keep me\n") -> Path:
    p = out / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(content)
    return p


def read_only_file(name: str, content: bytes = b"keep me\n"):
    def setup(f, out):
        _read_only(existing(out, name, content))

    return setup


def read_only_copy(src_key: str, name: str):
    def setup(f, out):
        p = out / name
        shutil.copy(f[src_key], p)
        _read_only(p)

    return setup


def office_lock(name: str):
    def setup(f, out):
        path = existing(out, name)
        existing(path.parent, f".~lock.{path.name}#", b",user,host,01.12.2026 10:00,file:///;")

    return setup


def flock_held(name: str):
    def setup(f, out):
        import fcntl

        fh = open(existing(out, name), "rb")  # noqa: SIM115 - kept open (and locked) during the run
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        return fh

    return setup


# Another program holding an SQLite write transaction open. It must be another process: SQLite's write lock
# is a POSIX record lock, which belongs to the process and is dropped as soon as that process closes ANY
# descriptor of the file. Held in the test process, the lock was gone once the test had read the output
# folder to compare it afterwards (safety_data.snapshot), so a qgis_process child saw an unlocked file; only
# processing.run, in the same process, still saw it (through SQLite's own bookkeeping of its connections).
_HOLD_SQLITE_LOCK = """
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()
con.execute("ROLLBACK")
con.close()
"""


class SqliteLockHolder:
    """A child process that holds the write lock on ``path`` until close()."""

    def __init__(self, path: Path):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _HOLD_SQLITE_LOCK, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        line = self.proc.stdout.readline().strip()
        if line != "locked":
            self.close()
            raise RuntimeError(f"the lock holder did not lock {path}: {line!r}")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None and not pipe.closed:
                pipe.close()


def sqlite_write_lock(src_key: str, name: str):
    def setup(f, out):
        p = out / name
        shutil.copy(f[src_key], p)
        holder = SqliteLockHolder(p)
        con = sqlite3.connect(f"file:{p}?mode=rw", uri=True, timeout=0)
        try:  # the fixture itself: the file is locked for another process
            try:
                con.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:
                pass
            else:
                holder.close()
                raise RuntimeError(f"{p} is not locked")
        finally:
            con.close()
        return holder

    return setup


def folder_named(name: str):
    def setup(f, out):
        (out / name).mkdir(parents=True)
        existing(out / name, "inside.txt")

    return setup


def copy_in(src_key: str, rel: str):
    def setup(f, out):
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        src = Path(f[src_key])
        if src.suffix == ".shp":
            copy_shp(src, target.parent, target.stem)
        else:
            shutil.copy(src, target)

    return setup


# -- checks of successful runs --------------------------------------------------------------------


def _key_figures(path, layer=None) -> dict:
    return {r["KEY_CODE"]: (r["has_access"], r["n_within"]) for r in features(path, layer)}


def _multi_kept(f, out):
    """The user's layers of multi.gpkg are still there, with their features."""
    names = layer_names(out / "multi.gpkg")
    assert {"chome", "keepme"} <= set(names), names
    assert len(features(out / "multi.gpkg", "chome")) == 124
    assert len(features(out / "multi.gpkg", "keepme")) == len(features(f["shops"]))
    return names


def check_gpkg_layer_added(layer: str, n: int):
    def check(result, log, f, out):
        names = _multi_kept(f, out)
        assert layer in names, names
        assert len(features(out / "multi.gpkg", layer)) == n

    return check


def setup_multi(f, out):
    shutil.copy(f["multi"], out / "multi.gpkg")


def check_multipart_counts(result, log, f, out):
    figures = _key_figures(result["OUTPUT"])
    # the resource's two parts lie in the two chōme farthest apart: both have a resource within 500 m
    assert figures[f["key_a"]] == (1, 1) and figures[f["key_b"]] == (1, 1), figures


def check_same_as(ref_key: str):
    """The chōme figures equal those of a run with the reference resources (a clean twin)."""

    def check(result, log, f, out):
        import processing

        ref = processing.run(
            "kaigo:blankareas",
            {"INPUT": f["daito"], "RESOURCES": [f[ref_key]], "OUTPUT": str(out / "ref.gpkg")},
        )
        got = {k: v for k, v in _key_figures(result["OUTPUT"]).items()}
        want = {k: v for k, v in _key_figures(ref["OUTPUT"]).items()}
        assert got == want

    return check


def check_distinct_types(result, log, f, out):
    names = set(features(result["OUTPUT"])[0])
    assert {"has_access_shops", "has_access_shops_2"} <= names, sorted(names)
    assert "shops → shops_2" in log


def said(log: str, ja: str, en: str) -> bool:
    """A warning is logged in the QGIS language only (one language per line, issue #15): the Japanese or the
    English sentence, whichever the run's locale picks. Refusals stay bilingual and are checked for both."""
    return ja in log or en in log


def check_sapporo_keys(result, log, f, out):
    # the user's own key field is kept as it was; the chōme are told apart by the restored keys, and
    # the log says so (sufficiencyrates then finds 01101, not 11010 in Saitama)
    rows = features(result["OUTPUT"])
    assert sorted(r["KEY_CODE"] for r in rows) == [k for k, *_ in SAPPORO], rows
    assert said(
        log,
        "先頭の 0 が失われたキー 3 件を復元しました",
        "3 keys had lost their leading zero and were restored (e.g. 1101001001 → 01101001001)",
    ), log


def check_sapporo_munis(result, log, f, out):
    rows = features(result["OUTPUT"])
    assert [r["muni_code"] for r in rows] == ["01101"], rows
    assert abs(rows[0]["rate_pct"] - 120 / (120 + 80 + 50) * 100) < 1e-9, rows
    assert said(log, "先頭の 0", "leading zero"), log


def check_import_equals(ref_key: str):
    def check(result, log, f, out):
        import processing

        ref = processing.run(
            "kaigo:importestat",
            {
                "INPUT": f["daito"],
                "AGES": [f[ref_key]],
                "OUTPUT": str(out / "ref.gpkg"),
                "REPORT": str(out / "r.gpkg"),
            },
        )
        got = {r["KEY_CODE"]: (r["pop_total"], r["pop_75plus"]) for r in features(result["OUTPUT"])}
        want = {r["KEY_CODE"]: (r["pop_total"], r["pop_75plus"]) for r in features(ref["OUTPUT"])}
        assert got == want and len(got) > 50

    return check


def check_warned(ja: str, en: str, then=None):
    def check(result, log, f, out):
        assert said(log, ja, en), log[-2000:]
        if then:
            then(result, log, f, out)

    return check


def check_outside_warned(result, log, f, out):
    assert said(log, "日本の範囲外", "outside Japan"), log


# -- the table ------------------------------------------------------------------------------------

D = "kaigo:blankareas"
R = "kaigo:representativepoints"
I = "kaigo:importestat"  # noqa: E741
S = "kaigo:sufficiencyrates"
C = "kaigo:densityclasses"
H = "kaigo:committeecharts"
M = "kaigo:exportmap"
F = "kaigo:fullanalysis"


def blank(inp="daito", res=("shops",), **extra):
    def params(f, o):
        p = {
            "INPUT": f[inp] if inp in f else inp,
            "RESOURCES": [f[r] for r in res],
            "OUTPUT": str(o / "b.gpkg"),
        }
        p.update({k: (v(f, o) if callable(v) else v) for k, v in extra.items()})
        return p

    return params


def imp(inp="daito", ages="ages_small", **extra):
    def params(f, o):
        p = {"INPUT": [f[inp]], "AGES": [f[ages]], "OUTPUT": str(o / "c.gpkg"), "REPORT": str(o / "r.gpkg")}
        p.update({k: (v(f, o) if callable(v) else v) for k, v in extra.items()})
        return p

    return params


def rates(inp="blank", **extra):
    def params(f, o):
        p = {"INPUT": f[inp], "ELDERLY_FIELD": "JINKO", "OUTPUT": str(o / "m.gpkg")}
        p.update({k: (v(f, o) if callable(v) else v) for k, v in extra.items()})
        return p

    return params


def full(chome="daito", ages="ages_small", res=("shops",), folder="full", **extra):
    def params(f, o):
        p = {
            "CHOME": [f[chome] if chome in f else str(o / chome)],
            "RESOURCES": [f[r] for r in res],
            "MAPS": False,
            "OUTPUT_FOLDER": str(o / folder),
        }
        if ages:
            p["AGES"] = [f[ages] if ages in f else str(o / ages)]
        p.update({k: (v(f, o) if callable(v) else v) for k, v in extra.items()})
        return p

    return params


def simple(alg_params):
    def value(v, f, o):
        if isinstance(v, list):
            return [value(x, f, o) for x in v]
        return v(f, o) if callable(v) else v

    def params(f, o):
        return {k: value(v, f, o) for k, v in alg_params.items()}

    return params


def fk(key):
    return lambda f, o: f[key]


def ok(name):
    return lambda f, o: str(o / name)


CASES: list[Case] = [
    # ---- an output that is an input (or another output) of the same run ---------------------------
    Case("blank_output_is_input_shp", D, blank(OUTPUT=fk("daito")), SAME_INPUT),
    Case("blank_output_is_resource", D, blank(OUTPUT=fk("shops")), SAME_INPUT),
    Case("blank_output_is_input_dbf", D, blank(OUTPUT=lambda f, o: f["daito"][:-4] + ".dbf"), SAME_INPUT),
    Case("blank_output_same_gpkg_layer", D, blank(inp="blank", OUTPUT=fk("blank")), SAME_INPUT),
    Case(
        "blank_output_ogr_uri_same_layer",
        D,
        blank(
            inp=None,
            INPUT=lambda f, o: f"{f['multi']}|layername=chome",
            OUTPUT=lambda f, o: f"ogr:dbname='{f['multi']}' table=\"chome\" (geom)",
        ),
        SAME_INPUT,
    ),
    Case("reppoints_output_is_input", R, simple({"INPUT": fk("daito"), "OUTPUT": fk("daito")}), SAME_INPUT),
    Case(
        "reppoints_output_is_input_gpkg",
        R,
        # blank.gpkg holds one layer, "blank": a plain path names that layer (QGIS names it after the file)
        simple({"INPUT": fk("blank"), "OUTPUT": fk("blank")}),
        SAME_INPUT,
    ),
    Case("import_output_is_input", I, imp(OUTPUT=fk("daito")), SAME_INPUT),
    Case("import_report_is_ages_csv", I, imp(REPORT=fk("ages_small")), SAME_INPUT),
    Case("import_output_is_report", I, imp(REPORT=ok("c.gpkg")), SAME_OUTPUT),
    Case("rates_output_is_input", S, rates(OUTPUT=fk("blank")), SAME_INPUT),
    Case("rates_csv_is_area_table", S, rates(AREA_TABLE=fk("areas"), OUTPUT_CSV=fk("areas")), SAME_INPUT),
    Case("rates_csv_is_xlsx", S, rates(OUTPUT_CSV=ok("m.csv"), OUTPUT_XLSX=ok("m.csv")), SAME_OUTPUT),
    Case("rates_output_is_csv", S, rates(OUTPUT=ok("m.csv"), OUTPUT_CSV=ok("m.csv")), SAME_OUTPUT),
    Case("density_output_is_input", C, simple({"INPUT": fk("muni"), "OUTPUT": fk("muni")}), SAME_INPUT),
    Case(
        "charts_folder_is_input_file", H, simple({"INPUT": fk("muni"), "OUTPUT_FOLDER": fk("muni")}), A_FILE
    ),
    Case(
        "map_folder_is_input_file",
        M,
        simple({"INPUT": fk("blank"), "RESOURCES": [], "OUTPUT_FOLDER": fk("blank")}),
        A_FILE,
    ),
    Case(
        "full_chome_in_output_folder",
        F,
        full(chome="full/chome.gpkg"),
        SAME_INPUT,
        copy_in("daito_ll", "full/chome.gpkg"),
    ),
    Case(
        "full_ages_in_output_folder",
        F,
        full(ages="full/municipalities.csv"),
        SAME_INPUT,
        copy_in("ages_small", "full/municipalities.csv"),
    ),
    Case(
        "full_resource_in_output_folder",
        F,
        full(res=(), RESOURCES=lambda f, o: [str(o / "full" / "municipalities.gpkg")]),
        SAME_INPUT,
        copy_in("daito_ll", "full/municipalities.gpkg"),
    ),
    Case(
        "network_output_is_network",
        "kaigo:networkaccess",
        simple(
            {"INPUT": fk("daito"), "RESOURCES": [fk("shops")], "NETWORK": fk("roads"), "OUTPUT": fk("roads")}
        ),
        # networkaccess's own check (issue #17) answers before the guard, in its own words
        Refuse(ja="は入力 NETWORK のファイルです", en="the file of the input NETWORK"),
    ),
    Case(
        "network_raster_as_network",
        "kaigo:networkaccess",
        simple(
            {
                "INPUT": fk("daito"),
                "RESOURCES": [fk("shops")],
                "NETWORK": fk("raster"),
                "OUTPUT": ok("n.gpkg"),
            }
        ),
        RASTER,
    ),
    # ---- an existing GeoPackage keeps its other layers ----------------------------------------------
    Case(
        "blank_into_gpkg_keeps_layers",
        D,
        blank(inp=None, INPUT=lambda f, o: f"{o / 'multi.gpkg'}|layername=chome", OUTPUT=ok("multi.gpkg")),
        Ok(check_gpkg_layer_added("multi", 124)),
        setup_multi,
    ),
    Case(
        "blank_into_gpkg_table_keeps_layers",
        D,
        blank(OUTPUT=lambda f, o: f"ogr:dbname='{o / 'multi.gpkg'}' table=\"access\" (geom)"),
        Ok(check_gpkg_layer_added("access", 124)),
        setup_multi,
    ),
    Case(
        "reppoints_into_gpkg_keeps_layers",
        R,
        simple({"INPUT": fk("daito"), "OUTPUT": ok("multi.gpkg")}),
        Ok(check_gpkg_layer_added("multi", 124)),
        setup_multi,
    ),
    Case(
        "import_into_gpkg_keeps_layers",
        I,
        imp(OUTPUT=ok("multi.gpkg"), REPORT=lambda f, o: f"ogr:dbname='{o / 'multi.gpkg'}' table=\"report\""),
        Ok(check_gpkg_layer_added("multi", 124)),
        setup_multi,
    ),
    Case(
        "rates_into_gpkg_keeps_layers",
        S,
        rates(OUTPUT=ok("multi.gpkg")),
        Ok(check_gpkg_layer_added("multi", 1)),
        setup_multi,
    ),
    Case(
        "density_into_gpkg_keeps_layers",
        C,
        simple({"INPUT": fk("muni"), "OUTPUT": ok("multi.gpkg")}),
        Ok(check_gpkg_layer_added("multi", 1)),
        setup_multi,
    ),
    # ---- outputs that cannot be written are refused before the work ---------------------------------
    Case("blank_read_only_gpkg", D, blank(), READ_ONLY, read_only_copy("blank", "b.gpkg")),
    Case(
        "reppoints_read_only_shp",
        R,
        simple({"INPUT": fk("daito"), "OUTPUT": ok("p.shp")}),
        READ_ONLY,
        read_only_file("p.dbf"),
    ),
    Case("import_read_only_report", I, imp(), READ_ONLY, read_only_copy("blank", "r.gpkg")),
    Case("rates_read_only_csv", S, rates(OUTPUT_CSV=ok("m.csv")), READ_ONLY, read_only_file("m.csv")),
    Case(
        "rates_xlsx_open_in_office", S, rates(OUTPUT_XLSX=ok("m.xlsx")), OPEN_ELSEWHERE, office_lock("m.xlsx")
    ),
    Case("rates_csv_os_locked", S, rates(OUTPUT_CSV=ok("m.csv")), LOCKED, flock_held("m.csv")),
    Case("blank_gpkg_write_locked", D, blank(), LOCKED, sqlite_write_lock("blank", "b.gpkg")),
    Case(
        "density_output_is_a_folder",
        C,
        simple({"INPUT": fk("muni"), "OUTPUT": ok("d.gpkg")}),
        A_FOLDER,
        folder_named("d.gpkg"),
    ),
    Case("blank_output_is_a_folder", D, blank(), A_FOLDER, folder_named("b.gpkg")),
    Case("full_output_name_is_a_folder", F, full(), A_FOLDER, folder_named("full/municipalities.csv")),
    Case("full_xlsx_read_only", F, full(), READ_ONLY, read_only_file("full/municipalities.xlsx")),
    Case("full_xlsx_open_in_office", F, full(), OPEN_ELSEWHERE, office_lock("full/municipalities.xlsx")),
    Case(
        "charts_folder_is_a_file",
        H,
        simple({"INPUT": fk("muni"), "OUTPUT_FOLDER": ok("charts")}),
        A_FILE,
        lambda f, o: existing(o, "charts") and None,
    ),
    # ---- no CRS, a wrong CRS, an approximate datum transform ---------------------------------------
    Case("import_no_prj", I, imp(inp="nocrs"), NO_CRS),
    Case("full_no_prj", F, full(chome="nocrs"), NO_CRS),
    Case("full_no_prj_without_ages", F, full(chome="nocrs", ages=None, ELDERLY_FIELD="JINKO"), NO_CRS),
    Case("blank_wrong_prj", D, blank(inp="wrongprj"), OUTSIDE),
    Case("reppoints_wrong_prj", R, simple({"INPUT": fk("wrongprj"), "OUTPUT": ok("p.gpkg")}), OUTSIDE),
    Case("import_wrong_prj", I, imp(inp="wrongprj"), OUTSIDE),
    Case("rates_wrong_prj_area", S, rates(inp="blank_wrongprj"), OUTSIDE),
    Case(
        "density_wrong_prj_area",
        C,
        simple({"INPUT": fk("wrongprj"), "POPULATION_FIELD": "JINKO", "OUTPUT": ok("d.gpkg")}),
        OUTSIDE,
    ),
    Case("full_wrong_prj", F, full(chome="wrongprj"), OUTSIDE),
    Case("blank_resource_wrong_crs", D, blank(res=("res_wrongcrs",)), DEGREES),
    Case("blank_resources_all_abroad", D, blank(res=("all_abroad",)), OUTSIDE),
    Case(
        "blank_some_resources_abroad",
        D,
        blank(res=("abroad",)),
        Ok(check_warned("日本の範囲外", "outside Japan", check_same_as("singlepoint"))),
    ),
    Case("blank_tokyo_datum", D, blank(inp="tokyo"), GRID),
    Case("reppoints_tokyo_datum", R, simple({"INPUT": fk("tokyo"), "OUTPUT": ok("p.gpkg")}), GRID),
    Case("import_tokyo_datum", I, imp(inp="tokyo"), GRID),
    Case("blank_resource_tokyo_datum", D, blank(res=("res_tokyo",)), GRID),
    Case("rates_tokyo_datum_area", S, rates(inp="blank_tokyo"), GRID),
    Case("full_tokyo_datum", F, full(chome="tokyo"), GRID),
    # ---- X_CODE/Y_CODE that are not lon/lat ------------------------------------------------------------
    Case("reppoints_xy_metres", R, simple({"INPUT": fk("xy_metres"), "OUTPUT": ok("p.gpkg")}), METRES),
    Case("blank_xy_metres", D, blank(inp="xy_metres"), METRES),
    Case("blank_xy_swapped", D, blank(inp="xy_swapped"), SWAPPED),
    Case("reppoints_xy_swapped", R, simple({"INPUT": fk("xy_swapped"), "OUTPUT": ok("p.gpkg")}), SWAPPED),
    Case("import_xy_swapped", I, imp(inp="xy_swapped"), SWAPPED),
    Case("import_xy_metres", I, imp(inp="xy_metres"), METRES),
    Case("full_xy_swapped", F, full(chome="xy_swapped"), SWAPPED),
    # ---- keys ----------------------------------------------------------------------------------------
    Case(
        "blank_keys_lost_leading_zero",
        D,
        blank(inp="sapporo", res=("sapporo_shops",), POPULATION_FIELD="JINKO"),
        Ok(check_sapporo_keys),
    ),
    Case(
        "reppoints_keys_lost_leading_zero",
        R,
        simple({"INPUT": fk("sapporo"), "OUTPUT": ok("p.gpkg")}),
        Ok(check_sapporo_keys),
    ),
    Case(
        "rates_keys_lost_leading_zero", S, rates(inp="sapporo_blank", CARE3_SHARE=0), Ok(check_sapporo_munis)
    ),
    Case("blank_key_field_not_a_key", D, blank(KEY_FIELD="S_NAME"), NOT_KEY),
    Case("blank_key_field_hcode", D, blank(KEY_FIELD="HCODE"), NOT_KEY),
    Case(
        "reppoints_key_field_not_a_key",
        R,
        simple({"INPUT": fk("daito"), "KEY_FIELD": "S_NAME", "OUTPUT": ok("p.gpkg")}),
        NOT_KEY,
    ),
    Case("rates_key_field_not_a_key", S, rates(KEY_FIELD="S_NAME"), NOT_KEY),
    Case("full_key_field_not_a_key", F, full(ages=None, ELDERLY_FIELD="JINKO", KEY_FIELD="S_NAME"), NOT_KEY),
    # ---- counts --------------------------------------------------------------------------------------
    Case("blank_negative_population", D, blank(inp="negpop", POPULATION_FIELD="JINKO"), NEGATIVE),
    Case("rates_negative_elderly", S, rates(inp="negelderly", ELDERLY_FIELD="eld"), NEGATIVE),
    Case("rates_negative_population", S, rates(inp="negelderly", POPULATION_FIELD="eld"), NEGATIVE),
    Case("import_negative_count", I, imp(ages="ages_negative"), NEGATIVE),
    Case("import_text_count", I, imp(ages="ages_text"), NOT_COUNT),
    Case("full_negative_count", F, full(ages="ages_negative"), NEGATIVE),
    Case("full_negative_elderly_field", F, full(chome="negpop", ages=None, ELDERLY_FIELD="JINKO"), NEGATIVE),
    # ---- NaN / inf parameters ----------------------------------------------------------------------
    Case("import_care3_nan", I, imp(CARE3_SHARE="nan"), FINITE),
    Case("import_care3_inf", I, imp(CARE3_SHARE="inf"), FINITE),
    Case("rates_care3_nan", S, rates(CARE3_SHARE="nan"), FINITE),
    Case("blank_radius_inf", D, blank(RADIUS="inf"), FINITE),
    Case("blank_radius_nan", D, blank(RADIUS="nan"), FINITE),
    Case("rates_threshold_inf", S, rates(THRESHOLD_HIGH="inf"), FINITE),
    Case(
        "density_threshold_nan",
        C,
        simple({"INPUT": fk("muni"), "THRESHOLD_LOW": "nan", "OUTPUT": ok("d.gpkg")}),
        FINITE,
    ),
    Case(
        "charts_threshold_inf",
        H,
        simple({"INPUT": fk("muni"), "THRESHOLD_HIGH": "inf", "OUTPUT_FOLDER": ok("c")}),
        FINITE,
    ),
    Case("full_radius_inf", F, full(RADIUS="inf"), FINITE),
    Case("full_care3_nan", F, full(CARE3_SHARE="nan"), FINITE),
    Case("full_radius_minus_inf", F, full(RADIUS="-inf"), FINITE),
    # ---- tables cut off, binary, Excel, stray CR ------------------------------------------------------
    Case("import_table_cut_in_a_number", I, imp(ages="ages_cut"), CUT),
    Case("full_table_cut_in_a_number", F, full(ages="ages_cut"), CUT),
    Case(
        "import_table_without_final_newline",
        I,
        imp(ages="ages_nonl"),
        Ok(check_warned("改行がありません", "has no line end", check_import_equals("ages_small"))),
    ),
    Case("import_ages_binary", I, imp(ages="ages_binary"), BINARY),
    Case("import_ages_xlsx", I, imp(ages="ages_xlsx"), XLSX),
    Case("import_ages_xls", I, imp(ages="ages_xls"), XLSX),
    Case("full_ages_xlsx", F, full(ages="ages_xlsx"), XLSX),
    Case("import_stray_cr", I, imp(ages="ages_cr"), Ok(check_import_equals("ages_small"))),
    Case("import_cr_line_ends", I, imp(ages="ages_cronly"), Ok(check_import_equals("ages_small"))),
    Case("import_care3_table_xlsx", I, imp(CARE3_TABLE=fk("ages_xlsx")), XLSX),
    Case("rates_area_table_binary", S, rates(AREA_TABLE=fk("ages_binary")), BINARY),
    # ---- a raster where a vector layer belongs ---------------------------------------------------------
    Case("blank_raster_as_chome", D, blank(inp="raster"), RASTER),
    Case("blank_raster_as_resource", D, blank(res=("raster",)), RASTER),
    Case("reppoints_raster", R, simple({"INPUT": fk("raster"), "OUTPUT": ok("p.gpkg")}), RASTER),
    Case("import_raster", I, imp(inp="raster"), RASTER),
    Case("rates_raster", S, rates(inp="raster"), RASTER),
    Case("density_raster", C, simple({"INPUT": fk("raster"), "OUTPUT": ok("d.gpkg")}), RASTER),
    Case("charts_raster", H, simple({"INPUT": fk("raster"), "OUTPUT_FOLDER": ok("c")}), RASTER),
    Case("map_raster", M, simple({"INPUT": fk("raster"), "RESOURCES": [], "OUTPUT_FOLDER": ok("m")}), RASTER),
    Case("full_raster", F, full(chome="raster"), RASTER),
    # ---- a title no chart can hold ---------------------------------------------------------------------
    Case(
        "charts_title_2800_chars",
        H,
        simple({"INPUT": fk("muni"), "TITLE": "大東市の空白地域" * 350, "OUTPUT_FOLDER": ok("c")}),
        Refuse("長すぎます", "is too long"),
    ),
    Case(
        "map_title_2800_chars",
        M,
        simple({"INPUT": fk("blank"), "RESOURCES": [], "TITLE": "空白" * 1400, "OUTPUT_FOLDER": ok("m")}),
        Refuse("長すぎます", "is too long"),
    ),
    # ---- resources: parts, names, categories ---------------------------------------------------------
    Case("blank_multipoint_every_part", D, blank(res=("multipoint",)), Ok(check_same_as("twopoints"))),
    Case("blank_multipolygon_every_part", D, blank(res=("multipolygon",)), Ok(check_multipart_counts)),
    Case("blank_same_layer_names", D, blank(res=("same1", "same2")), Ok(check_distinct_types)),
    Case("blank_too_many_categories", D, blank(res=("res_manycats",), CATEGORY_FIELD="name"), CATEGORIES),
    Case(
        "blank_too_many_categories_in_second_layer",
        D,
        blank(res=("shops", "res_manycats"), CATEGORY_FIELD="name"),
        CATEGORIES,
    ),
    # ---- shapefile outputs that would cut field names ---------------------------------------------------
    Case("blank_shp_long_names", D, blank(res=("shops", "libraries"), OUTPUT=ok("b.shp")), SHAPEFILE),
    Case("rates_shp_long_names", S, rates(OUTPUT=ok("m.shp")), SHAPEFILE),
    Case("import_shp_long_names", I, imp(OUTPUT=ok("c.shp")), SHAPEFILE),
    Case("density_shp_long_names", C, simple({"INPUT": fk("muni"), "OUTPUT": ok("d.shp")}), SHAPEFILE),
    Case("reppoints_shp_long_names", R, simple({"INPUT": fk("daito"), "OUTPUT": ok("pts.shp")}), SHAPEFILE),
]

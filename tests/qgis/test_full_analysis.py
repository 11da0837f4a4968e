"""kaigo:fullanalysis end to end, the shipped model, batch runs and qgis_process --json."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import zipfile

import pytest
from kaigo_paths import ROOT, SAMPLE

DAITO = str(SAMPLE / "daito-27218" / "chome.shp")
AGES = str(SAMPLE / "osaka-2020-ages" / "tblT001082C27.csv")
OSAKA_POINTS = str(SAMPLE / "osaka-2015-points" / "27-oosaka-all.dbf")
SHOPS = str(SAMPLE / "osm-2014" / "convenience_osaka.geojson")
LIBRARIES = str(SAMPLE / "osm-2014" / "library_osaka.geojson")
QP = str(ROOT / "scripts" / "qgis_process.sh")

RATE_FIELDS = (
    "muni_code",
    "pop_75plus",
    "at_home_75plus",
    "at_home_with_access",
    "at_home_without_access",
    "rate_pct",
)


def _rows(path_or_layer):
    from qgis.core import QgsVectorLayer

    layer = path_or_layer if not isinstance(path_or_layer, str) else QgsVectorLayer(path_or_layer, "t", "ogr")
    assert layer.isValid(), path_or_layer
    names = layer.fields().names()
    return {f["muni_code"]: {n: f[n] for n in names} for f in layer.getFeatures()}


def _csv_rows(path):
    raw = open(path, "rb").read()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV must carry a BOM for Excel"
    return list(csv.DictReader(io.StringIO(raw[3:].decode("utf-8"))))


def _check_file_opens(path):
    data = open(path, "rb").read()
    if path.endswith(".png"):
        assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    elif path.endswith(".pdf"):
        assert data[:5] == b"%PDF-" and b"%%EOF" in data[-1024:], path
    elif path.endswith(".svg"):
        assert b"<svg" in data[:4096], path
    elif path.endswith(".xlsx"):
        with zipfile.ZipFile(path) as zf:
            assert "xl/workbook.xml" in zf.namelist(), path
    elif path.endswith(".csv"):
        assert data.startswith(b"\xef\xbb\xbf"), path
        data[3:].decode("utf-8")
    elif path.endswith(".gpkg"):
        from qgis.core import QgsVectorLayer

        assert QgsVectorLayer(path, "x", "ogr").isValid(), path
    elif path.endswith((".txt", ".json")):
        text = data.decode("utf-8")
        assert text.strip(), path
        if path.endswith(".json"):
            json.loads(text)


@pytest.fixture(scope="module")
def daito_full(plugin, tmp_path_factory):
    import processing

    out = tmp_path_factory.mktemp("full") / "out"
    res = processing.run(
        "kaigo:fullanalysis",
        {
            "CHOME": [DAITO],
            "AGES": [AGES],
            "RESOURCES": [SHOPS],
            "RADIUS": 500,
            "CARE3_SHARE": 0.109,
            "HIGHLIGHT": "27218",
            "OUTPUT_FOLDER": str(out),
        },
    )
    return res, out


def test_fullanalysis_writes_every_output_and_they_open(daito_full):
    res, out = daito_full
    for name in (
        "chome.gpkg",
        "municipalities.gpkg",
        "municipalities.csv",
        "municipalities.xlsx",
        "join_report.csv",
        "run_summary.txt",
        "run_summary.json",
    ):
        assert (out / name).is_file(), name
    files = res["FILES"].splitlines()
    assert files and all(os.path.isfile(f) for f in files)
    for f in files:
        _check_file_opens(f)
    charts = sorted(p.name for p in (out / "charts").iterdir())
    for stem in ("crosstab", "topn", "scatter_rate_pct"):
        for ext in (".png", ".svg", ".pdf"):
            assert stem + ext in charts, (stem, ext)
    assert {"map_27218.png", "map_27218.pdf"} <= {p.name for p in (out / "maps").iterdir()}
    # nothing temporary left behind
    # nothing half-written is left; the only hidden file is the manifest of what the run wrote
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [".kaigo-manifest.json"]


def test_fullanalysis_daito_figures(daito_full):
    res, out = daito_full
    rows = _csv_rows(out / "municipalities.csv")
    assert [r["muni_code"] for r in rows] == ["27218"]
    daito = rows[0]
    assert int(daito["pop_75plus"]) == 15784
    assert float(daito["at_home_75plus"]) == pytest.approx(15784 * (1 - 0.109))
    assert float(daito["rate_pct"]) == pytest.approx(30.7, abs=0.05)  # shared data README figure
    assert res["N_MUNICIPALITIES"] == 1
    summary = (out / "run_summary.txt").read_text(encoding="utf-8")
    assert "e-Stat" in summary and "© OpenStreetMap contributors" in summary  # sample lies in osm-2014/
    assert "convenience_osaka" in summary
    assert "令和2年国勢調査" in summary and "0.109" in summary and "QGIS" in summary


def test_shipped_model_gives_the_same_table_as_fullanalysis(daito_full, tmp_path):
    import processing

    _, out = daito_full
    res = processing.run(
        "kaigo:analysismodel",
        {
            "CHOME": [DAITO],
            "AGES": [AGES],
            "RESOURCES": [SHOPS],
            "RADIUS": 500,
            "CARE3_SHARE": 0.109,
            "rates:municipalities": str(tmp_path / "muni.gpkg"),
            "blank:chome": str(tmp_path / "chome.gpkg"),
            "import:join_report": str(tmp_path / "report.gpkg"),
            "charts:charts": str(tmp_path / "charts"),
        },
    )
    model_rows = _rows(res["rates:municipalities"])
    full_rows = _rows(str(out / "municipalities.gpkg"))
    assert set(model_rows) == set(full_rows) == {"27218"}
    for code in full_rows:
        for field in RATE_FIELDS:
            assert model_rows[code][field] == full_rows[code][field], field
    assert (tmp_path / "charts" / "crosstab.png").is_file()


def test_batch_runs_per_municipality_equal_one_run_over_all(plugin, tmp_path):
    """What QGIS batch processing does: one fresh run per input. Results equal a single run."""
    import processing
    from qgis.core import QgsVectorLayer

    src = QgsVectorLayer(OSAKA_POINTS, "osaka", "ogr")
    codes = ["27218", "27210", "27229"]  # 大東市, 枚方市, 四條畷市
    parts = []
    for code in codes:
        sub = processing.run(
            "native:extractbyexpression",
            {
                "INPUT": src,
                "EXPRESSION": f"left(\"KEY_CODE\", 5) = '{code}'",
                "OUTPUT": str(tmp_path / f"in_{code}.gpkg"),
            },
        )["OUTPUT"]
        parts.append(sub)
    whole_in = processing.run(
        "native:extractbyexpression",
        {
            "INPUT": src,
            "EXPRESSION": "left(\"KEY_CODE\", 5) IN ('27218','27210','27229')",
            "OUTPUT": str(tmp_path / "in_all.gpkg"),
        },
    )["OUTPUT"]

    def rates(chome, tag):
        blank = processing.run(
            "kaigo:blankareas",
            {
                "INPUT": chome,
                "RESOURCES": [SHOPS, LIBRARIES],
                "POPULATION_FIELD": "JINKO",
                "OUTPUT": str(tmp_path / f"b_{tag}.gpkg"),
            },
        )["OUTPUT"]
        muni = processing.run(
            "kaigo:sufficiencyrates",
            {
                "INPUT": blank,
                "ELDERLY_FIELD": "JINKO",
                "CARE3_SHARE": 0.0,
                "OUTPUT": str(tmp_path / f"r_{tag}.gpkg"),
            },
        )["OUTPUT"]
        return blank, _rows(muni)

    single = {}
    per_key = {}
    for code, part in zip(codes, parts):
        blank, rows = rates(part, code)
        single.update(rows)
        for f in QgsVectorLayer(blank, "b", "ogr").getFeatures():
            per_key[f["KEY_CODE"]] = (f["has_access"], f["n_within"], f["nearest_m"], f["status"])
    whole_blank, whole = rates(whole_in, "all")
    assert set(single) == set(whole) == set(codes)
    for code in codes:
        for field in (
            "rate_pct",
            "rate_pct_convenience_osaka",
            "rate_pct_library_osaka",
            "at_home_with_access",
        ):
            assert single[code][field] == pytest.approx(whole[code][field], rel=1e-12), (code, field)
    whole_key = {
        f["KEY_CODE"]: (f["has_access"], f["n_within"], f["nearest_m"], f["status"])
        for f in QgsVectorLayer(whole_blank, "b", "ogr").getFeatures()
    }
    assert whole_key == per_key


def test_qgis_process_json_run_lists_every_output(plugin, tmp_path):
    out = tmp_path / "qp"
    proc = subprocess.run(
        [
            QP,
            "--json",
            "run",
            "kaigo:fullanalysis",
            "--",
            f"CHOME={DAITO}",
            f"AGES={AGES}",
            f"RESOURCES={SHOPS}",
            f"RESOURCES={LIBRARIES}",
            f"OUTPUT_FOLDER={out}",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads(proc.stdout)
    results = data["results"]
    for key in (
        "CHOME_GPKG",
        "MUNICIPALITIES_GPKG",
        "MUNICIPALITIES_CSV",
        "MUNICIPALITIES_XLSX",
        "JOIN_REPORT",
        "SUMMARY",
        "CHARTS_FOLDER",
        "MAPS_FOLDER",
        "FILES",
        "OUTPUT_FOLDER",
    ):
        assert results.get(key), key
    files = results["FILES"].splitlines()
    assert len(files) >= 20
    for f in files:
        assert os.path.isfile(f), f
        _check_file_opens(f)
    rows = _csv_rows(out / "municipalities.csv")
    assert "rate_pct_library_osaka" in rows[0] and "rate_pct_convenience_osaka" in rows[0]


def test_muni_codes_gives_the_figures_of_that_municipality_alone(run_alg, tmp_path):
    """Issue #15 item 10: MUNI_CODES=27218 on the whole prefecture = a run on 大東市's chōme alone."""
    from qgis.core import QgsVectorLayer

    alone = run_alg(
        "native:extractbyexpression",
        {
            "INPUT": OSAKA_POINTS,
            "EXPRESSION": "left(\"KEY_CODE\", 5) = '27218'",
            "OUTPUT": str(tmp_path / "daito.gpkg"),
        },
    )["OUTPUT"]
    assert (
        0
        < QgsVectorLayer(alone, "a", "ogr").featureCount()
        < QgsVectorLayer(OSAKA_POINTS, "o", "ogr").featureCount()
    )
    common = {"RESOURCES": [SHOPS, LIBRARIES], "ELDERLY_FIELD": "JINKO", "MAPS": False}
    ref = run_alg(
        "kaigo:fullanalysis", {**common, "CHOME": [alone], "OUTPUT_FOLDER": str(tmp_path / "alone")}
    )
    for token in ("27218", "大東市"):
        out = tmp_path / f"filtered_{token}"
        res = run_alg(
            "kaigo:fullanalysis",
            {**common, "CHOME": [OSAKA_POINTS], "MUNI_CODES": token, "OUTPUT_FOLDER": str(out)},
        )
        assert res["N_MUNICIPALITIES"] == ref["N_MUNICIPALITIES"] == 1
        got, want = (
            _csv_rows(out / "municipalities.csv"),
            _csv_rows(tmp_path / "alone" / "municipalities.csv"),
        )
        assert got == want  # every field of every row, as written
        assert got[0]["muni_code"] == "27218" and float(got[0]["rate_pct"]) > 0


def test_muni_codes_naming_nothing_is_refused(run_alg, tmp_path):
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException, match="99999"):
        run_alg(
            "kaigo:fullanalysis",
            {
                "CHOME": [DAITO],
                "RESOURCES": [SHOPS],
                "ELDERLY_FIELD": "JINKO",
                "MUNI_CODES": "99999",
                "OUTPUT_FOLDER": str(tmp_path / "x"),
            },
        )
    assert not (tmp_path / "x" / "municipalities.csv").exists()


def test_fullanalysis_from_the_toolbox_adds_layers_reports_final_paths_and_ends_at_100(run_alg, tmp_path):
    """Issue #15 item 8: the toolbox adds the chōme and municipality layers, the log names the files where
    they are after the run (not the temporary folder), and the progress ends at 100 %."""
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback, QgsProject

    class Recorder(QgsProcessingFeedback):
        def __init__(self):
            super().__init__()
            self.lines, self.progress_values = [], []
            self.progressChanged.connect(self.progress_values.append)

        def pushInfo(self, info):  # noqa: N802
            super().pushInfo(info)
            self.lines.append(info)

    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    feedback = Recorder()
    out = tmp_path / "out"
    run_alg(
        "kaigo:fullanalysis",
        {"CHOME": [DAITO], "AGES": [AGES], "RESOURCES": [SHOPS], "OUTPUT_FOLDER": str(out)},
        context=context,
        feedback=feedback,
    )
    to_load = {os.path.normpath(p): d.name for p, d in context.layersToLoadOnCompletion().items()}
    assert os.path.normpath(str(out / "chome.gpkg")) in to_load
    assert os.path.normpath(str(out / "municipalities.gpkg")) in to_load
    assert ".kaigo-run-" not in "\n".join(feedback.lines)
    assert any(str(out) in line for line in feedback.lines)  # the CSV/XLSX lines name the final files
    assert feedback.progress_values and max(feedback.progress_values) == pytest.approx(100.0)
    assert feedback.progress_values[-1] == pytest.approx(100.0)


def _dark_pixels(png_path, box_mm):
    """Pixels darker than mid grey inside a box of the page (mm), every 2nd pixel."""
    from qgis.PyQt.QtGui import QImage

    img = QImage(png_path)
    mm = img.width() / 297.0
    x0, y0, x1, y1 = (int(v * mm) for v in box_mm)
    return sum(
        1 for y in range(y0, y1, 2) for x in range(x0, x1, 2) if img.pixelColor(x, y).lightness() < 128
    )


def test_fullanalysis_as_a_task_logs_no_html_label_warning_and_keeps_the_map_texts(plugin, tmp_path):
    """Issue #15 item 8c: run as the toolbox runs it (a QgsProcessingAlgRunnerTask, i.e. outside the main
    thread), fullanalysis used to log 「HTML型ラベルをロードできません」 (Cannot load HTML based item label in
    background threads) once per map text on QGIS 3.22. The log must be free of it and the map must still
    show its title, its summary and its sources."""
    import time

    from qgis.core import (
        QgsApplication,
        QgsProcessingAlgRunnerTask,
        QgsProcessingContext,
        QgsProcessingFeedback,
        QgsProject,
    )

    messages = []

    def record(message, tag, level):
        messages.append(message)

    log = QgsApplication.messageLog()
    log.messageReceived.connect(record)
    out = tmp_path / "out"
    alg = QgsApplication.processingRegistry().createAlgorithmById("kaigo:fullanalysis")
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    feedback = QgsProcessingFeedback()
    params = {"CHOME": [DAITO], "AGES": [AGES], "RESOURCES": [SHOPS], "OUTPUT_FOLDER": str(out)}
    task = QgsProcessingAlgRunnerTask(alg, params, context, feedback)
    done = []
    task.executed.connect(lambda ok, results: done.append(ok))
    try:
        QgsApplication.taskManager().addTask(task)
        deadline = time.monotonic() + 600
        while not done and time.monotonic() < deadline:
            QgsApplication.processEvents()
            time.sleep(0.02)
        QgsApplication.processEvents()
    finally:
        log.messageReceived.disconnect(record)
    assert done == [True]
    png = out / "maps" / "map_27218.png"
    assert png.exists()
    html_warnings = [m for m in messages if "HTML" in m]
    assert html_warnings == [], html_warnings
    # the texts are on the page: title (top band), summary beside the map, sources (bottom band);
    # the same boxes of an empty page have no dark pixel at all
    assert _dark_pixels(str(png), (10, 8, 200, 19)) > 2000  # title, 16 pt bold
    assert _dark_pixels(str(png), (214, 150, 287, 175)) > 300  # summary and note, 8 pt
    assert _dark_pixels(str(png), (10, 192, 200, 202)) > 300  # sources, 7.5 pt


def test_fullanalysis_dialog_offers_the_chome_fields_and_opens_with_layers(tmp_path):
    """Issue #15 item 10: KEY_FIELD and AREA_FIELD are field pickers fed by CHOME (a multiple-layer
    parameter). The dialog is opened in a child process (a crash there must not end this session) with
    one project layer, a file path, two layers, nothing, and typed values."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-s",
            "-p",
            "no:cacheprovider",
            str(ROOT / "tests" / "qgis" / "dialog_probe_fullanalysis.py"),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(ROOT),
        timeout=600,
    )
    assert proc.returncode == 0, (proc.returncode, proc.stdout[-3000:], proc.stderr[-3000:])
    assert "PROBE DONE" in proc.stdout
    seen = {}
    for line in proc.stdout.splitlines():
        if line.startswith("PROBE ") and "|" in line:
            case, name, kind, value, items = (x.strip() for x in line[6:].split("|"))
            seen[(case, name)] = (kind, value, items)
    for case in ("one project layer", "a file path", "two layers"):
        kind, value, items = seen[(case, "KEY_FIELD")]
        assert kind != "QLineEdit" and "'KEY_CODE'" in items and value == "'KEY_CODE'", (case, kind, items)
        kind, value, items = seen[(case, "AREA_FIELD")]
        assert "'AREA'" in items and "'CITY_NAME'" not in items, (case, items)  # numeric fields only
    assert seen[("typed key field", "AREA_FIELD")][1] == "'AREA'"  # a given value is shown selected


def test_typed_key_and_area_fields_still_work(run_alg, tmp_path):
    """qgis_process and models give KEY_FIELD / AREA_FIELD as text: the same figures as the default key
    and the given area field, a missing field named in the error."""
    from qgis.core import QgsProcessingException

    base = {"CHOME": [DAITO], "AGES": [AGES], "RESOURCES": [SHOPS]}
    typed = run_alg(
        "kaigo:fullanalysis",
        {
            **base,
            "KEY_FIELD": "KEY_CODE",
            "AREA_FIELD": "AREA",
            "MAPS": False,
            "OUTPUT_FOLDER": str(tmp_path / "a"),
        },
    )
    rows = _csv_rows(typed["MUNICIPALITIES_CSV"])
    assert [r["muni_code"] for r in rows] == ["27218"]
    assert rows[0]["area_source"] not in ("", "ellipsoid"), rows[0]["area_source"]  # e-Stat's AREA (m²)
    default = _csv_rows(
        run_alg("kaigo:fullanalysis", {**base, "MAPS": False, "OUTPUT_FOLDER": str(tmp_path / "c")})[
            "MUNICIPALITIES_CSV"
        ]
    )
    assert rows[0]["rate_pct"] == default[0]["rate_pct"]  # the same key: the same chōme, the same rate
    with pytest.raises(QgsProcessingException, match="NO_SUCH_KEY"):
        run_alg(
            "kaigo:fullanalysis",
            {**base, "KEY_FIELD": "NO_SUCH_KEY", "MAPS": False, "OUTPUT_FOLDER": str(tmp_path / "b")},
        )

"""Never a half-written file, never a different answer: cancel from a background task, rerun, determinism."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time

import pytest
from kaigo_paths import SAMPLE

OSAKA_POINTS = str(SAMPLE / "osaka-2015-points" / "27-oosaka-all.dbf")
SHOPS = str(SAMPLE / "osm-2014" / "convenience_osaka.geojson")
LIBRARIES = str(SAMPLE / "osm-2014" / "library_osaka.geojson")
DAITO = str(SAMPLE / "daito-27218" / "chome.shp")
AGES = str(SAMPLE / "osaka-2020-ages" / "tblT001082C27.csv")


def _run_task(alg_id, params, cancel_at=None, timeout=120):
    """Run an algorithm as the dock and the toolbox do (QgsProcessingAlgRunnerTask on the task manager);
    press Cancel when the progress first reaches ``cancel_at``. Returns (ok, results, progress seen)."""
    from qgis.core import (
        QgsApplication,
        QgsProcessingAlgRunnerTask,
        QgsProcessingContext,
        QgsProcessingFeedback,
        QgsProject,
    )

    alg = QgsApplication.processingRegistry().createAlgorithmById(alg_id)
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    feedback = QgsProcessingFeedback()
    seen = []
    state = {"done": False, "ok": None, "results": None}

    def on_progress(value):
        seen.append(value)
        if cancel_at is not None and value >= cancel_at and not feedback.isCanceled():
            feedback.cancel()

    feedback.progressChanged.connect(on_progress)
    task = QgsProcessingAlgRunnerTask(alg, params, context, feedback)

    def on_executed(ok, results):
        state.update(done=True, ok=ok, results=results)

    task.executed.connect(on_executed)
    QgsApplication.taskManager().addTask(task)
    start = time.time()
    while not state["done"] and time.time() - start < timeout:
        QgsApplication.processEvents()
        time.sleep(0.01)
    assert state["done"], "task did not finish"
    return state["ok"], state["results"], seen


def _attribute_digest(path, table=None):
    """Everything a GeoPackage holds for its features (attributes and geometry blobs), order included."""
    con = sqlite3.connect(path)
    try:
        if table is None:
            table = con.execute(
                "select table_name from gpkg_contents where data_type in ('features','attributes')"
            ).fetchone()[0]
        rows = con.execute(f'select * from "{table}" order by fid').fetchall()
        cols = [d[1] for d in con.execute(f'pragma table_info("{table}")')]
    finally:
        con.close()
    return cols, hashlib.sha256(repr(rows).encode()).hexdigest(), len(rows)


def test_cancel_blankareas_half_way_from_a_task_then_rerun_gives_the_right_result(plugin, tmp_path):
    import processing

    out = tmp_path / "blank.gpkg"
    params = {
        "INPUT": OSAKA_POINTS,
        "RESOURCES": [SHOPS, LIBRARIES],
        "POPULATION_FIELD": "JINKO",
        "OUTPUT": str(out),
    }
    ok, _results, seen = _run_task("kaigo:blankareas", params, cancel_at=30)
    assert not ok
    assert seen and max(seen) < 100  # stopped part-way
    assert not out.exists(), "a cancelled run must leave nothing at the output path"
    assert [p.name for p in tmp_path.iterdir()] == []

    ok, results, _ = _run_task("kaigo:blankareas", params)
    assert ok and out.exists()
    reference = processing.run("kaigo:blankareas", dict(params, OUTPUT=str(tmp_path / "ref.gpkg")))["OUTPUT"]
    assert _attribute_digest(str(out))[1:] == _attribute_digest(reference)[1:]


def test_cancel_fullanalysis_leaves_the_folder_as_it_was(plugin, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "notes.txt").write_text("the user's own file", encoding="utf-8")
    params = {"CHOME": [OSAKA_POINTS], "AGES": [AGES], "RESOURCES": [SHOPS], "OUTPUT_FOLDER": str(folder)}
    ok, _results, seen = _run_task("kaigo:fullanalysis", params, cancel_at=20)
    assert not ok and seen
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]


@pytest.fixture(scope="module")
def two_full_runs(plugin, tmp_path_factory):
    import processing

    outs = []
    for i in range(2):
        folder = tmp_path_factory.mktemp(f"det{i}")
        processing.run(
            "kaigo:fullanalysis",
            {
                "CHOME": [DAITO],
                "AGES": [AGES],
                "RESOURCES": [SHOPS, LIBRARIES],
                "OUTPUT_FOLDER": str(folder),
                "MAPS": False,
            },
        )
        outs.append(folder)
    return outs


def test_same_inputs_give_byte_identical_tables(two_full_runs):
    a, b = two_full_runs
    for rel in (
        "municipalities.csv",
        "municipalities.xlsx",
        "join_report.csv",
        "charts/crosstab.csv",
        "charts/topn.csv",
        "charts/crosstab.xlsx",
        "charts/topn.xlsx",
    ):
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def test_same_inputs_give_byte_identical_pdfs(two_full_runs):
    """The committee charts' PDFs of fullanalysis (fixed creation date and object order): byte for byte."""
    a, b = two_full_runs
    pdfs = sorted(p.relative_to(a) for p in a.rglob("*.pdf"))
    assert pdfs, "fullanalysis wrote no PDF"
    assert pdfs == sorted(p.relative_to(b) for p in b.rglob("*.pdf"))
    for rel in pdfs:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def test_same_inputs_give_identical_geopackage_content(two_full_runs):
    a, b = two_full_runs
    for name in ("chome.gpkg", "municipalities.gpkg"):
        da, db = _attribute_digest(str(a / name)), _attribute_digest(str(b / name))
        assert da == db, name
        assert da[2] > 0


def test_no_temporary_files_are_left_behind(two_full_runs):
    for folder in two_full_runs:
        leftovers = [p for p in folder.rglob("*") if p.name.startswith(".") or ".part" in p.name]
        # the manifest of what the run wrote (so that a rerun removes only its own files) stays
        assert [p.name for p in leftovers] == [".kaigo-manifest.json"]
        assert not any(str(p).endswith(("-wal", "-shm")) for p in folder.rglob("*")), os.listdir(folder)

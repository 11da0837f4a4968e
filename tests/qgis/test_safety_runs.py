"""SPEC §8 for whole runs: cancel late, reruns into the same folder, two runs at once, PDFs byte for byte."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
from safety_data import bad, features, layer_names, snapshot  # noqa: F401 - the session fixture
from test_safety_processing import Feedback
from test_safety_qgis_process import QP, arguments


def _run(alg, params, feedback=None):
    import processing

    return processing.run(alg, params, feedback=feedback or Feedback())


@pytest.mark.parametrize("cancel_at", [50, 96, 99.9])
def test_importestat_cancelled_late_writes_nothing(bad, tmp_path, cancel_at):  # noqa: F811
    from qgis.core import QgsProcessingException

    out = tmp_path / "out"
    out.mkdir()
    params = {
        "INPUT": [bad["daito"]],
        "AGES": [bad["ages_small"]],
        "OUTPUT": str(out / "c.gpkg"),
        "REPORT": str(out / "r.gpkg"),
    }
    with pytest.raises(QgsProcessingException) as err:
        _run("kaigo:importestat", params, Feedback(cancel_at=cancel_at))
    assert "取り消されました" in str(err.value) and "cancelled" in str(err.value)
    assert list(out.iterdir()) == []


def test_blankareas_cancelled_at_the_end_writes_nothing(bad, tmp_path):  # noqa: F811
    from qgis.core import QgsProcessingException

    out = tmp_path / "out"
    out.mkdir()
    (out / "b.gpkg").write_bytes(b"the user's earlier file")
    params = {"INPUT": bad["daito"], "RESOURCES": [bad["shops"]], "OUTPUT": str(out / "b.gpkg")}
    with pytest.raises(QgsProcessingException):
        _run("kaigo:blankareas", params, Feedback(cancel_at=99.5))
    assert [p.name for p in out.iterdir()] == ["b.gpkg"]
    assert (out / "b.gpkg").read_bytes() == b"the user's earlier file"


def _pdfs(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.pdf"))}


def test_chart_and_map_pdfs_are_byte_identical_on_rerun(bad, tmp_path):  # noqa: F811
    runs = []
    for k in ("a", "b"):
        _run("kaigo:committeecharts", {"INPUT": bad["muni"], "OUTPUT_FOLDER": str(tmp_path / k / "charts")})
        _run(
            "kaigo:exportmap",
            {"INPUT": bad["blank"], "RESOURCES": [bad["shops"]], "OUTPUT_FOLDER": str(tmp_path / k / "maps")},
        )
        runs.append(_pdfs(tmp_path / k))
        time.sleep(1.1)  # a creation date in seconds would differ
    assert len(runs[0]) >= 4 and "maps/map_27218.pdf" in runs[0]
    assert runs[0] == runs[1]
    assert b"/CreationDate (D:2000" in runs[0]["maps/map_27218.pdf"]


def test_fullanalysis_rerun_removes_only_its_own_earlier_files(bad, tmp_path):  # noqa: F811
    folder = tmp_path / "full"
    base = {
        "CHOME": [bad["daito"]],
        "AGES": [bad["ages_small"]],
        "RESOURCES": [bad["shops"]],
        "OUTPUT_FOLDER": str(folder),
    }
    first = _run("kaigo:fullanalysis", {**base, "MAPS": True})
    assert (folder / "maps" / "map_27218.pdf").is_file()
    (folder / "notes.txt").write_text("the planner's own notes", encoding="utf-8")
    (folder / "maps" / "map_27218.png").write_bytes(b"edited by the user")
    second = _run("kaigo:fullanalysis", {**base, "MAPS": False})
    assert first["N_MUNICIPALITIES"] == second["N_MUNICIPALITIES"] == 1
    assert not (folder / "maps" / "map_27218.pdf").exists()  # the first run's, not written again: removed
    assert (folder / "maps" / "map_27218.png").read_bytes() == b"edited by the user"  # changed: kept
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "the planner's own notes"
    assert (folder / "municipalities.csv").is_file() and (folder / "chome.gpkg").is_file()
    assert second["MAPS_FOLDER"] is None
    assert not list(folder.rglob(".kaigo-staging-*"))


def test_fullanalysis_result_paths_are_the_final_ones(bad, tmp_path):  # noqa: F811
    folder = tmp_path / "full"
    res = _run(
        "kaigo:fullanalysis",
        {
            "CHOME": [bad["daito"]],
            "AGES": [bad["ages_small"]],
            "RESOURCES": [bad["shops"]],
            "MAPS": False,
            "OUTPUT_FOLDER": str(folder),
        },
    )
    files = res["FILES"].split("\n")
    assert files and all(Path(f).is_file() and ".kaigo-staging" not in f for f in files)
    assert res["MUNICIPALITIES_GPKG"] == str(folder / "municipalities.gpkg")


def _popen(alg, params):
    return subprocess.Popen(
        [QP, "--json", "run", alg, "--", *arguments(params)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _access(path, layer=None):
    return sorted((r["KEY_CODE"], r["has_access"], r["n_within"]) for r in features(path, layer))


def test_two_runs_at_once_into_one_file_leave_one_whole_result(bad, tmp_path):  # noqa: F811
    out = tmp_path / "b.gpkg"
    refs = {}
    for radius in (300, 1000):
        _run(
            "kaigo:blankareas",
            {
                "INPUT": bad["daito"],
                "RESOURCES": [bad["shops"]],
                "RADIUS": radius,
                "OUTPUT": str(tmp_path / f"ref{radius}.gpkg"),
            },
        )
        refs[radius] = _access(tmp_path / f"ref{radius}.gpkg")
    procs = [
        _popen(
            "kaigo:blankareas",
            {"INPUT": bad["daito"], "RESOURCES": [bad["shops"]], "RADIUS": radius, "OUTPUT": str(out)},
        )
        for radius in (300, 1000)
    ]
    for p in procs:
        p.communicate(timeout=600)
    got = _access(out)
    assert got in (refs[300], refs[1000])
    assert refs[300] != refs[1000]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.gpkg", "ref1000.gpkg", "ref300.gpkg"]


def test_two_runs_at_once_into_one_geopackage_keep_both_layers(bad, tmp_path):  # noqa: F811
    target = tmp_path / "multi.gpkg"
    shutil.copy(bad["multi"], target)
    procs = [
        _popen(
            "kaigo:blankareas",
            {
                "INPUT": bad["daito"],
                "RESOURCES": [bad["shops"]],
                "RADIUS": radius,
                "OUTPUT": f"ogr:dbname='{target}' table=\"r{radius}\" (geom)",
            },
        )
        for radius in (300, 1000)
    ]
    for p in procs:
        _stdout, stderr = p.communicate(timeout=600)
        assert p.returncode == 0, stderr[-2000:]
    assert layer_names(target) == ["chome", "keepme", "r1000", "r300"]
    assert len(features(target, "r300")) == len(features(target, "r1000")) == 124
    assert len(features(target, "chome")) == 124


def test_shipped_model_refuses_inf_in_both_languages(bad, tmp_path):  # noqa: F811
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException) as err:
        _run(
            "kaigo:analysismodel",
            {
                "CHOME": [bad["daito"]],
                "AGES": [bad["ages_small"]],
                "RESOURCES": [bad["shops"]],
                "RADIUS": "inf",
                "rates:municipalities": str(tmp_path / "muni.gpkg"),
                "blank:chome": str(tmp_path / "chome.gpkg"),
                "import:join_report": str(tmp_path / "report.gpkg"),
                "charts:charts": str(tmp_path / "charts"),
            },
        )
    assert "有限の数" in str(err.value) and "must be a finite number" in str(err.value)
    assert not (tmp_path / "muni.gpkg").exists()

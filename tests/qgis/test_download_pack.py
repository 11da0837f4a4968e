"""Done-when of issue #18: from a town's name to the committee pack, against the local server — through
kaigo:fullanalysis MUNICIPALITIES (processing and qgis_process) and through the dock's button — equals the
pack made from the same files given by hand."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time

import pytest
from kaigo_paths import ROOT, SAMPLE

sys.path.insert(0, str(ROOT / "tests"))
from local_server import Server  # noqa: E402

DAITO_SHP = SAMPLE / "daito-27218" / "chome.shp"
OSAKA_AGES = SAMPLE / "osaka-2020-ages" / "tblT001082C27.csv"
QP = str(ROOT / "scripts" / "qgis_process.sh")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("server"))
    yield srv
    srv.close()


@pytest.fixture()
def env(server, monkeypatch, tmp_path):
    values = {
        "KAIGO_ESTAT_URL": server.url("ok", "estat"),
        "KAIGO_OVERPASS_URL": server.url("ok", "overpass"),
        "KAIGO_KSJ_URL": server.url("ok", "ksj"),
    }
    for k, v in values.items():
        monkeypatch.setenv(k, v)
    return values


def _csv_rows(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _by_hand(run_alg, resources, folder):
    return run_alg(
        "kaigo:fullanalysis",
        {
            "CHOME": [str(DAITO_SHP)],
            "AGES": [str(OSAKA_AGES)],
            "RESOURCES": [str(p) for p in resources],
            "MAPS": False,
            "OUTPUT_FOLDER": str(folder),
        },
    )


def _chome_rows(path):
    from qgis.core import QgsVectorLayer

    from kaigo_resource_plugin.compat import is_null

    layer = QgsVectorLayer(str(path), "c", "ogr")
    names = [f.name() for f in layer.fields() if f.name() != "fid"]
    rows = sorted(
        (tuple(None if is_null(f[n]) else f[n] for n in names) for f in layer.getFeatures()),
        key=lambda r: str(r),
    )
    return names, rows


def _resource_layers(folder):
    """The downloaded layers in the order the download gives them (the order of the study group's types)."""
    order = ["shopping", "sports", "leisure", "public"]
    return sorted((folder / "resources").glob("*.gpkg"), key=lambda p: order.index(p.stem))


def test_fullanalysis_municipalities_equals_the_pack_from_files(plugin, run_alg, server, env, tmp_path):
    town = tmp_path / "town"
    res = run_alg(
        "kaigo:fullanalysis", {"MUNICIPALITIES": "大東市", "MAPS": False, "OUTPUT_FOLDER": str(town)}
    )
    assert res["N_MUNICIPALITIES"] == 1
    resources = _resource_layers(town)
    assert [p.name for p in resources] == ["shopping.gpkg", "sports.gpkg", "leisure.gpkg", "public.gpkg"]
    assert (town / "resources" / "download_summary.txt").is_file()
    hand = tmp_path / "hand"
    _by_hand(run_alg, resources, hand)
    got, want = _csv_rows(town / "municipalities.csv"), _csv_rows(hand / "municipalities.csv")
    assert got == want and len(got) == 1
    assert got[0]["muni_code"] == "27218"
    assert float(got[0]["rate_pct_shopping"]) > 0
    assert _chome_rows(town / "chome.gpkg") == _chome_rows(hand / "chome.gpkg")
    charts = sorted(os.listdir(res["CHARTS_FOLDER"]))
    assert charts == sorted(os.listdir(os.path.join(hand, os.path.basename(res["CHARTS_FOLDER"]))))
    assert any(c.endswith(".png") for c in charts) and any(c.endswith(".pdf") for c in charts)


def test_qgis_process_fullanalysis_municipalities(plugin, run_alg, server, env, tmp_path):
    """The done-when, literally: qgis_process run kaigo:fullanalysis -- MUNICIPALITIES=大東市 (local server)."""
    out = tmp_path / "qp"
    proc = subprocess.run(
        [QP, "--json", "run", "kaigo:fullanalysis", "--", "MUNICIPALITIES=大東市", f"OUTPUT_FOLDER={out}"],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, **env},
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    result = json.loads(proc.stdout)["results"]
    assert result["N_MUNICIPALITIES"] == 1
    hand = tmp_path / "hand"
    _by_hand(run_alg, _resource_layers(out), hand)
    assert _csv_rows(out / "municipalities.csv") == _csv_rows(hand / "municipalities.csv")
    assert (out / "municipalities.xlsx").is_file() and (out / "chome.gpkg").is_file()
    assert any(name.endswith(".png") for name in os.listdir(result["MAPS_FOLDER"]))  # the map of 大東市


def test_dock_button_downloads_and_runs(plugin, qgis_iface, qgis_new_project, server, env, tmp_path):
    from qgis.core import QgsApplication, QgsProject, QgsSettings

    from kaigo_resource_plugin.ui.dock import SETTINGS, KaigoDock

    QgsSettings().remove(SETTINGS.rstrip("/"))
    dock = KaigoDock(qgis_iface)
    try:
        row = dock.download_row
        row.edit.setText("だいと")
        row.update_suggestions("だいと")
        suggestions = row.model.stringList()
        assert suggestions[0] == "大東市（だいとうし）大阪府 27218"
        row.edit.setText(suggestions[0])  # the user picks it from the list
        dock.folder_widget.setFilePath(str(tmp_path / "dock"))
        row.start()
        deadline = time.monotonic() + 300
        while (dock.is_running() or dock.result is None) and time.monotonic() < deadline:
            QgsApplication.processEvents()
            time.sleep(0.02)
        assert dock.result, dock.last_message()
        names = {lyr.name() for lyr in QgsProject.instance().mapLayers().values()}
        assert {"買い物 (shopping)", "公共施設 (public)"} <= names
        row0 = dock.table_model.row_dict(0)
        assert row0["muni_code"] == "27218" and row0["pop_75plus"] == 15784
        assert dock.ages_path().endswith("T001082_27218.csv")
    finally:
        dock.shutdown()
        dock.deleteLater()
        QgsSettings().remove(SETTINGS.rstrip("/"))
        QgsProject.instance().removeAllMapLayers()

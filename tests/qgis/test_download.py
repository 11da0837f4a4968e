"""kaigo:downloadestat and kaigo:downloadresources against a local HTTP server (127.0.0.1, started here)
that serves the repository's real files in the sources' formats. No test touches the network."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import sys

import pytest
from kaigo_paths import ROOT, SAMPLE

sys.path.insert(0, str(ROOT / "tests"))
from local_server import OSM, Server  # noqa: E402

DAITO_SHP = SAMPLE / "daito-27218" / "chome.shp"
OSAKA_AGES = SAMPLE / "osaka-2020-ages" / "tblT001082C27.csv"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("server"))
    yield srv
    srv.close()


@pytest.fixture()
def point_to(server, monkeypatch):
    """Point the plugin at the local server in a given mode (env vars, as a user behind a mirror would)."""

    def _set(mode: str = "ok", estat: str | None = None, overpass: str | None = None, ksj: str | None = None):
        monkeypatch.setenv("KAIGO_ESTAT_URL", server.url(estat or mode, "estat"))
        monkeypatch.setenv("KAIGO_OVERPASS_URL", server.url(overpass or mode, "overpass"))
        monkeypatch.setenv("KAIGO_KSJ_URL", server.url(ksj or mode, "ksj"))

    server.reset()
    _set()
    return _set


def _layer(path):
    from qgis.core import QgsVectorLayer

    layer = QgsVectorLayer(str(path), "out", "ogr")
    assert layer.isValid(), path
    return layer


def _rows(path, key="KEY_CODE"):
    from kaigo_resource_plugin.compat import is_null

    layer = _layer(path)
    names = [f.name() for f in layer.fields() if f.name() != "fid"]
    out = {}
    for f in layer.getFeatures():
        rec = {n: (None if is_null(f[n]) else f[n]) for n in names}
        out[rec[key]] = (rec, f.geometry())
    return out


def _fails(run_alg, alg, params):
    import gc

    from qgis.core import QgsProcessingException

    try:
        run_alg(alg, params)
    except QgsProcessingException as err:
        msg = str(err)
    else:
        pytest.fail(f"{alg} did not fail")
    # the traceback's frames hold the run's context and its layers: free them now, not at interpreter exit
    # (after GDAL has shut down, where QGIS 3.22 crashes closing them)
    gc.collect()
    return msg


def _estat(tmp_path, **kw):
    params = {
        "MUNICIPALITIES": "大東市",
        "CACHE_FOLDER": str(tmp_path / "cache"),
        "OUTPUT": str(tmp_path / "chome.gpkg"),
        "OUTPUT_AGES": str(tmp_path / "ages.csv"),
    }
    params.update(kw)
    return params


# ---------------------------------------------------------------------------------------------------
# e-Stat


def test_downloaded_then_imported_equals_the_files_given_by_hand(plugin, run_alg, server, point_to, tmp_path):
    res = run_alg("kaigo:downloadestat", _estat(tmp_path, MUNICIPALITIES="だいとうし"))
    assert res["CODES"] == "27218" and res["N_MUNICIPALITIES"] == 1
    by_hand = run_alg(
        "kaigo:importestat",
        {
            "INPUT": [str(DAITO_SHP)],
            "AGES": [str(OSAKA_AGES)],
            "OUTPUT": str(tmp_path / "hand.gpkg"),
            "REPORT": "TEMPORARY_OUTPUT",
        },
    )
    got, want = _rows(res["OUTPUT"]), _rows(by_hand["OUTPUT"])
    assert len(got) == len(want) == 124
    assert got.keys() == want.keys()
    for key, (rec, geom) in want.items():
        assert got[key][0] == rec, key
        assert got[key][1].equals(geom), key
    assert sum(r["pop_75plus"] or 0 for r, _g in got.values()) == 15784  # the city total of the 2020 table
    # the age table is the server's file, unchanged
    assert (tmp_path / "ages.csv").read_bytes() == OSAKA_AGES.read_bytes()
    # e-Stat's URL pattern was asked, with the 2020 survey id and the municipality's code
    assert server.count("GET", "dlserveyId=A002005212020&code=27218") == 1


def test_boundaries_without_import_are_decoded_and_cached(plugin, run_alg, server, point_to, tmp_path):
    params = _estat(tmp_path, IMPORT=False)
    res = run_alg("kaigo:downloadestat", params)
    layer = _layer(res["OUTPUT"])
    hand = _layer(DAITO_SHP)
    assert layer.featureCount() == hand.featureCount()
    names = sorted(str(f["S_NAME"]) for f in layer.getFeatures())
    assert names == sorted(str(f["S_NAME"]) for f in hand.getFeatures())
    assert any("丁目" in n for n in names)  # CP932 without .cpg decoded, not mojibake
    gets = server.count("GET")
    assert gets == 2  # the boundary zip and the table zip

    # a re-run downloads nothing: it asks the server (HEAD) whether the files changed
    res2 = run_alg("kaigo:downloadestat", dict(params, OUTPUT=str(tmp_path / "again.gpkg")))
    assert server.count("GET") == gets and server.count("HEAD") == 2
    assert _layer(res2["OUTPUT"]).featureCount() == hand.featureCount()
    cache = tmp_path / "cache"
    assert sorted(p.name for p in cache.iterdir() if p.is_file()) == [
        "estat-T001082-27.zip",
        "estat-T001082-27.zip.json",
        "estat-boundary-2020-27218.zip",
        "estat-boundary-2020-27218.zip.json",
    ]
    meta = json.loads((cache / "estat-boundary-2020-27218.zip.json").read_text(encoding="utf-8"))
    assert meta["server_name"] == "A002005212020DDSWC27218.zip" and meta["size"] == os.path.getsize(
        cache / "estat-boundary-2020-27218.zip"
    )

    # the server's file changed (other size): downloaded again
    server.boundary_version = 1
    run_alg("kaigo:downloadestat", dict(params, OUTPUT=str(tmp_path / "third.gpkg")))
    assert server.count("GET", "code=27218&coordSys") == 2
    assert server.count("GET", "statsId=T001082") == 1

    # CLEAR_CACHE: everything again
    run_alg("kaigo:downloadestat", dict(params, OUTPUT=str(tmp_path / "fourth.gpkg"), CLEAR_CACHE=True))
    assert server.count("GET") == gets + 1 + 2


def test_the_request_urls_follow_the_patterns(plugin, run_alg, server, point_to, tmp_path):
    run_alg("kaigo:downloadestat", _estat(tmp_path, IMPORT=False))
    assert (
        server.count(
            "GET", "dlserveyId=A002005212020&code=27218&coordSys=1&format=shape&downloadType=5&datum=2011"
        )
        == 1
    )
    assert server.count("GET", "statsId=T001082&code=27&downloadType=2") == 1


@pytest.mark.parametrize(
    ("mode", "params", "ja", "en"),
    [
        ("noshp", {}, "シェープファイル", "no shapefile"),
        ("badtable", {}, "T001082", "is not table T001082"),
        ("html", {}, "HTML", "HTML page"),
        ("e500", {}, "HTTP 500", "HTTP 500"),
        ("ok", {"YEAR": 2015}, "HTTP 404", "HTTP 404"),  # our server has no 2015 files
    ],
)
def test_every_failure_has_its_message_and_nothing_is_written(
    plugin, run_alg, point_to, tmp_path, mode, params, ja, en
):
    point_to(mode)
    msg = _fails(run_alg, "kaigo:downloadestat", _estat(tmp_path, **params))
    assert ja in msg and en in msg, msg
    assert not (tmp_path / "chome.gpkg").exists() and not (tmp_path / "ages.csv").exists()
    # a bad file is not kept in the cache: the next run asks again
    cache = tmp_path / "cache"
    assert (
        not [p for p in cache.iterdir() if p.name.startswith("estat-boundary")]
        if mode != "badtable"
        else True
    )


def test_no_network_and_timeout(plugin, run_alg, point_to, monkeypatch, tmp_path):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    monkeypatch.setenv("KAIGO_ESTAT_URL", f"http://127.0.0.1:{port}/estat")
    msg = _fails(run_alg, "kaigo:downloadestat", _estat(tmp_path))
    assert "接続できません" in msg and "Cannot connect" in msg and "proxy" in msg
    point_to("slow")
    monkeypatch.setenv("KAIGO_NETWORK_TIMEOUT", "1")
    msg = _fails(run_alg, "kaigo:downloadestat", _estat(tmp_path))
    assert "タイムアウト" in msg and "timeout" in msg and "KAIGO_NETWORK_TIMEOUT" in msg
    assert not (tmp_path / "chome.gpkg").exists()


def test_cancel_during_a_download_leaves_nothing(plugin, point_to, tmp_path):
    """As in QGIS: the algorithm runs in a task (another thread), the user cancels from the main thread."""
    import time

    from qgis.core import (
        QgsApplication,
        QgsProcessingAlgRunnerTask,
        QgsProcessingContext,
        QgsProcessingFeedback,
    )

    class Recorder(QgsProcessingFeedback):
        def __init__(self):
            super().__init__()
            self.errors = []

        def reportError(self, error, fatalError=False):  # noqa: N802
            self.errors.append(error)

    point_to("drip")  # the boundary zip arrives 64 bytes every 50 ms
    alg = QgsApplication.processingRegistry().createAlgorithmById("kaigo:downloadestat")
    context, feedback = QgsProcessingContext(), Recorder()
    task = QgsProcessingAlgRunnerTask(alg, _estat(tmp_path), context, feedback)
    done = {}
    task.executed.connect(lambda ok, res: done.update(ok=ok))
    QgsApplication.taskManager().addTask(task)
    start = time.monotonic()
    while time.monotonic() - start < 0.8:
        QgsApplication.processEvents()
        time.sleep(0.02)
    feedback.cancel()
    while "ok" not in done and time.monotonic() - start < 30:
        QgsApplication.processEvents()
        time.sleep(0.02)
    assert done == {"ok": False}
    assert time.monotonic() - start < 8  # cancelled, not waited out (the whole drip takes 10 s)
    assert any("取り消" in e and "cancelled" in e for e in feedback.errors), feedback.errors
    assert not (tmp_path / "chome.gpkg").exists() and not (tmp_path / "ages.csv").exists()
    cache = tmp_path / "cache"
    assert [p.name for p in cache.iterdir()] == []  # no half-downloaded zip in the cache


def test_unknown_or_ambiguous_names_are_refused(plugin, run_alg, point_to, tmp_path):
    msg = _fails(run_alg, "kaigo:downloadestat", _estat(tmp_path, MUNICIPALITIES="府中市"))
    assert "13206" in msg and "34208" in msg
    msg = _fails(run_alg, "kaigo:downloadestat", _estat(tmp_path, MUNICIPALITIES="だいとうしx"))
    assert "見つかりません" in msg and "No municipality" in msg


# ---------------------------------------------------------------------------------------------------
# resources


def _in_box(name, box):
    s, w, n, e = box
    feats = json.loads((OSM / name).read_text(encoding="utf-8"))["features"]
    return [
        f
        for f in feats
        if s <= f["geometry"]["coordinates"][1] <= n and w <= f["geometry"]["coordinates"][0] <= e
    ]


def _read(path) -> dict:
    """What a written resource layer holds, as plain data (no layer object outlives this call)."""
    from kaigo_resource_plugin.compat import is_null

    layer = _layer(path)
    names = [f.name() for f in layer.fields()]
    rows = [{n: (None if is_null(f[n]) else f[n]) for n in names} for f in layer.getFeatures()]
    md = layer.metadata()
    return {"rows": rows, "rights": list(md.rights()), "abstract": md.abstract()}


def _lonlat_extent(path):
    from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsProject

    layer = _layer(path)
    wgs = QgsCoordinateReferenceSystem("EPSG:4326")
    ext = QgsCoordinateTransform(layer.crs(), wgs, QgsProject.instance()).transformBoundingBox(layer.extent())
    return ext.yMinimum(), ext.xMinimum(), ext.yMaximum(), ext.xMaximum()


def test_resources_one_layer_per_type_with_ways_as_centres(plugin, run_alg, server, point_to, tmp_path):
    out = tmp_path / "resources"
    res = run_alg(
        "kaigo:downloadresources",
        {
            "EXTENT": str(DAITO_SHP),
            "TYPES": [0, 3, 4],
            "KSJ_PREFECTURES": "大阪府",
            "OUTPUT_FOLDER": str(out),
            "CACHE_FOLDER": str(tmp_path / "cache"),
        },
    )
    summary = json.loads((out / "download_summary.json").read_text(encoding="utf-8"))
    box = summary["extent_s_w_n_e"]
    # the extent is 大東市's, widened by 500 m (about 0.0045° of latitude) on every side
    s, _w, n, _e = _lonlat_extent(DAITO_SHP)
    assert box[0] == pytest.approx(s - 500 / 111132, abs=1e-9)
    assert box[2] == pytest.approx(n + 500 / 111132, abs=1e-9)

    shop = _read(res["SHOPPING"])
    want = _in_box("convenience_osaka.geojson", box)
    assert len(shop["rows"]) == len(want) > 10
    assert {r["osm_type"] for r in shop["rows"]} == {"node", "way"}
    assert {r["osm_tag"] for r in shop["rows"]} == {"shop=convenience"}
    assert sorted(r["name"] for r in shop["rows"] if r["name"]) == sorted(
        f["properties"]["name"] for f in want if f["properties"].get("name")
    )
    assert any("OpenStreetMap contributors" in r for r in shop["rights"])
    assert summary["downloaded_at"][:10] in shop["abstract"]
    db = sqlite3.connect(res["SHOPPING"])
    try:
        (desc,) = db.execute("select description from gpkg_contents where table_name='shopping'").fetchone()
    finally:
        db.close()
    assert "OpenStreetMap contributors" in desc

    libs = _in_box("library_osaka.geojson", box)
    assert len(_read(res["PUBLIC"])["rows"]) == len(libs)
    p04 = _read(res["P04"])
    assert len(p04["rows"]) == len(libs)
    # CP932 without .cpg read right: the names are the facilities' own
    assert sorted(r["name"] or "" for r in p04["rows"]) == sorted(
        f["properties"].get("name") or "" for f in libs
    )
    assert any("国土数値情報" in r for r in p04["rights"])
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".kaigo-manifest")) == [
        "P04.gpkg",
        "download_summary.json",
        "download_summary.txt",
        "public.gpkg",
        "shopping.gpkg",
    ]
    assert "© OpenStreetMap contributors" in res["SUMMARY"]

    # without KSJ_PREFECTURES, the prefectures of the extent: 大東市 borders 奈良県, whose file our server lacks
    msg = _fails(
        run_alg,
        "kaigo:downloadresources",
        {
            "EXTENT": str(DAITO_SHP),
            "TYPES": [4],
            "OUTPUT_FOLDER": str(tmp_path / "n"),
            "CACHE_FOLDER": str(tmp_path / "cache"),
        },
    )
    assert "奈良県" in msg and "HTTP 404" in msg and "P04-20_29_GML.zip" in msg
    assert server.count("GET", "P04-20_27_GML.zip") == 1  # 大阪府's came from the cache (HEAD only)
    assert server.count("HEAD", "P04-20_27_GML.zip") == 1


def test_resource_margin_catches_shops_across_the_border(plugin, run_alg, point_to, tmp_path):
    counts = {}
    for radius in (0, 500, 2000):
        out = tmp_path / f"r{radius}"
        res = run_alg(
            "kaigo:downloadresources",
            {"EXTENT": str(DAITO_SHP), "TYPES": [0], "RADIUS": radius, "OUTPUT_FOLDER": str(out)},
        )
        counts[radius] = _layer(res["SHOPPING"]).featureCount()
    assert counts[0] < counts[500] < counts[2000]


def test_edited_tags_and_errors(plugin, run_alg, server, point_to, tmp_path):
    out = tmp_path / "o"
    run_alg(
        "kaigo:downloadresources",
        {"EXTENT": str(DAITO_SHP), "TYPES": [0], "TAGS_SHOPPING": "shop=bakery", "OUTPUT_FOLDER": str(out)},
    )
    assert _layer(out / "shopping.gpkg").featureCount() == 0  # our server has no bakeries
    assert server.count("POST", 'nwr["shop"~"^(bakery)$"]') == 1

    msg = _fails(
        run_alg,
        "kaigo:downloadresources",
        {
            "EXTENT": str(DAITO_SHP),
            "TYPES": [0],
            "TAGS_SHOPPING": 'shop="x',
            "OUTPUT_FOLDER": str(tmp_path / "bad"),
        },
    )
    assert "TAGS_SHOPPING" in msg and "key=value" in msg

    point_to("remark")
    target = tmp_path / "remark"
    msg = _fails(
        run_alg,
        "kaigo:downloadresources",
        {"EXTENT": str(DAITO_SHP), "TYPES": [0, 3], "OUTPUT_FOLDER": str(target)},
    )
    assert "Query timed out" in msg and "不完全" in msg and "incomplete" in msg
    assert (
        not target.exists()
        or [p.name for p in target.iterdir() if not p.name.startswith(".kaigo-manifest")] == []
    )

    point_to("html")
    msg = _fails(
        run_alg,
        "kaigo:downloadresources",
        {"EXTENT": str(DAITO_SHP), "TYPES": [0], "OUTPUT_FOLDER": str(target)},
    )
    assert "JSON" in msg
    point_to("e500")
    msg = _fails(
        run_alg,
        "kaigo:downloadresources",
        {"EXTENT": str(DAITO_SHP), "TYPES": [0], "OUTPUT_FOLDER": str(target)},
    )
    assert "HTTP 500" in msg
    assert (
        not target.exists()
        or [p.name for p in target.iterdir() if not p.name.startswith(".kaigo-manifest")] == []
    )

    msg = _fails(
        run_alg,
        "kaigo:downloadresources",
        {"EXTENT": "0,1,0,1 [EPSG:4326]", "TYPES": [0], "OUTPUT_FOLDER": str(target)},
    )
    assert "日本の外" in msg and "outside Japan" in msg

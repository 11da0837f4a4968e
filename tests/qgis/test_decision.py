"""kaigo:suggestsites and kaigo:resourceimpact through processing.run, on 大東市 with OSM 2014 shops."""

from __future__ import annotations

import json
import math
import subprocess

import numpy as np
import pytest
from kaigo_paths import ROOT, SAMPLE

QP = str(ROOT / "scripts" / "qgis_process.sh")


def _layer(path, name=None):
    from qgis.core import QgsVectorLayer

    uri = f"{path}|layername={name}" if name else str(path)
    layer = QgsVectorLayer(uri, "out", "ogr")
    assert layer.isValid(), uri
    return layer


def data_path(rel: str):
    """A file of the bundled sample data."""
    if (SAMPLE / rel).exists():
        return SAMPLE / rel
    pytest.fail(f"test data not found: {rel} (in {SAMPLE})")


@pytest.fixture(scope="module")
def daito():
    return data_path("daito-27218/chome.shp")


@pytest.fixture(scope="module")
def shops():
    return data_path("osm-2014/convenience_osaka.geojson")


@pytest.fixture(scope="module")
def daito_blank(plugin, daito, shops, tmp_path_factory):
    """blankareas on 大東市 (JINKO as the weight): the reference for the decision algorithms."""
    import processing

    out = tmp_path_factory.mktemp("blank") / "blank.gpkg"
    processing.run("kaigo:blankareas", {"INPUT": str(daito), "RESOURCES": [str(shops)], "OUTPUT": str(out)})
    feats = list(_layer(out).getFeatures())
    return {f["KEY_CODE"]: (f["has_access"], float(f["JINKO"] or 0)) for f in feats}


def test_suggestsites_default_candidates(run_alg, daito, shops, daito_blank, tmp_path):
    out = tmp_path / "sites.gpkg"
    out_c = tmp_path / "chome.gpkg"
    res = run_alg(
        "kaigo:suggestsites",
        {
            "INPUT": str(daito),
            "RESOURCES": [str(shops)],
            "N_SITES": 4,
            "ELDERLY_FIELD": "JINKO",
            "OUTPUT": str(out),
            "OUTPUT_CHOME": str(out_c),
        },
    )
    sites = sorted(_layer(res["OUTPUT"]).getFeatures(), key=lambda f: f["rank"])
    assert [f["rank"] for f in sites] == [1, 2, 3, 4]
    gains = [f["gain"] for f in sites]
    assert all(a >= b for a, b in zip(gains, gains[1:])) and gains[-1] > 0
    total = sum(w for _, w in daito_blank.values())
    before = sum(w for a, w in daito_blank.values() if a)
    assert sites[0]["covered_total"] == pytest.approx(before + gains[0])
    assert sites[-1]["rate_after_pct"] == pytest.approx(100 * (before + sum(gains)) / total)
    assert {f["muni_code"] for f in sites} == {"27218"}
    # default candidates are blank chōme: each site carries the key of one
    assert all(daito_blank[f["KEY_CODE"]][0] == 0 for f in sites)
    chome = list(_layer(res["OUTPUT_CHOME"]).getFeatures())
    assert len(chome) == 124  # every feature of the input kept
    by_rank: dict = {}
    from kaigo_resource_plugin.compat import is_null

    for f in chome:
        if not is_null(f["covered_by_rank"]):
            by_rank.setdefault(int(f["covered_by_rank"]), set()).add(f["KEY_CODE"])
        assert f["covered_before"] == daito_blank[f["KEY_CODE"]][0]
    assert sorted(by_rank) == [1, 2, 3, 4]
    # the weight newly covered by rank k is the gain of site k (exact same coverage as blankareas)
    for k, site in enumerate(sites, start=1):
        assert sum(daito_blank[key][1] for key in by_rank[k]) == pytest.approx(site["gain"])
        assert all(daito_blank[key][0] == 0 for key in by_rank[k])


def test_suggestsites_candidate_layer_target_and_per_municipality(run_alg, shops, tmp_path):
    from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsVectorLayer

    # Osaka 2015 chōme points (a table with X_CODE/Y_CODE) of 大東市 and 四條畷市, candidates in EPSG:3857
    table = data_path("osaka-2015-points/27-oosaka-all.dbf")
    sub = tmp_path / "two.gpkg"
    run_alg(
        "native:extractbyexpression",
        {
            "INPUT": str(table),
            "EXPRESSION": "left(\"KEY_CODE\", 5) IN ('27218', '27229')",
            "OUTPUT": str(sub),
        },
    )
    cand = QgsVectorLayer("Point?crs=EPSG:3857&field=name:string", "cand", "memory")
    src = _layer(sub)
    from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsProject

    ct = QgsCoordinateTransform(
        QgsCoordinateReferenceSystem("EPSG:4612"),
        QgsCoordinateReferenceSystem("EPSG:3857"),
        QgsProject.instance(),
    )
    feats = []
    for i, f in enumerate(src.getFeatures()):
        if i % 3:
            continue
        p = ct.transform(QgsPointXY(float(f["X_CODE"]) + 0.001, float(f["Y_CODE"])))
        g = QgsFeature(cand.fields())
        g.setGeometry(QgsGeometry.fromPointXY(p))
        g.setAttributes([f"c{i}"])
        feats.append(g)
    cand.dataProvider().addFeatures(feats)
    common = {"INPUT": str(sub), "RESOURCES": [str(shops)], "CANDIDATES": cand, "ELDERLY_FIELD": "JINKO"}
    res = run_alg(
        "kaigo:suggestsites",
        dict(
            common,
            N_SITES=50,
            TARGET_RATE=60.0,
            OUTPUT=str(tmp_path / "a.gpkg"),
            OUTPUT_CHOME="TEMPORARY_OUTPUT",
        ),
    )
    sites = sorted(_layer(res["OUTPUT"]).getFeatures(), key=lambda f: f["rank"])
    rates = [f["rate_after_pct"] for f in sites]
    assert rates[-1] >= 60.0 and (len(rates) == 1 or rates[-2] < 60.0)  # stopped at the target
    assert all(f["name"].startswith("c") for f in sites)  # the candidate's own fields
    res = run_alg(
        "kaigo:suggestsites",
        dict(
            common,
            N_SITES=2,
            PER_MUNICIPALITY=True,
            OUTPUT=str(tmp_path / "b.gpkg"),
            OUTPUT_CHOME="TEMPORARY_OUTPUT",
        ),
    )
    sites = list(_layer(res["OUTPUT"]).getFeatures())
    per = {}
    for f in sites:
        per.setdefault(f["muni_code"], []).append(f["rank"])
    assert {k: sorted(v) for k, v in per.items()} == {"27218": [1, 2], "27229": [1, 2]}


def test_resourceimpact_against_removal(run_alg, daito, shops, daito_blank, tmp_path):
    """elderly_only_here = what a separate blankareas run without that shop loses (independent recount)."""
    import processing
    from qgis.core import QgsVectorLayer

    res = run_alg(
        "kaigo:resourceimpact",
        {
            "INPUT": str(daito),
            "RESOURCES": [str(shops)],
            "ELDERLY_FIELD": "JINKO",
            "OUTPUT": str(tmp_path / "imp.gpkg"),
            "OUTPUT_MUNICIPALITIES": str(tmp_path / "m.gpkg"),
        },
    )
    rows = [f for f in _layer(res["OUTPUT"]).getFeatures() if f["n_chome_covered"] > 0]
    assert 5 <= len(rows) <= 200
    covered = sum(w for a, w in daito_blank.values() if a)
    shops_layer = QgsVectorLayer(str(shops), "shops", "ogr")
    for f in sorted(rows, key=lambda r: -r["elderly_only_here"])[:3]:
        one = QgsVectorLayer("Point?crs=EPSG:4326", "others", "memory")
        others = [g for g in shops_layer.getFeatures() if g.id() != f["source_fid"]]
        one.dataProvider().addFeatures(others)
        out = tmp_path / f"without{f['source_fid']}.gpkg"
        processing.run("kaigo:blankareas", {"INPUT": str(daito), "RESOURCES": [one], "OUTPUT": str(out)})
        after = sum(float(g["JINKO"] or 0) for g in _layer(out).getFeatures() if g["has_access"])
        assert covered - after == pytest.approx(f["elderly_only_here"])
    m = list(_layer(res["OUTPUT_MUNICIPALITIES"]).getFeatures())
    assert len(m) == 1 and m[0]["rate_diff_pct"] == pytest.approx(0.0)


def test_resourceimpact_closed_expression(run_alg, daito, shops, daito_blank, tmp_path):
    res = run_alg(
        "kaigo:resourceimpact",
        {
            "INPUT": str(daito),
            "RESOURCES": [str(shops)],
            "ELDERLY_FIELD": "JINKO",
            "CLOSED": "\"name\" LIKE '%ローソン%' OR \"name\" LIKE '%Lawson%'",
            "OUTPUT": str(tmp_path / "imp.gpkg"),
            "OUTPUT_MUNICIPALITIES": str(tmp_path / "m.gpkg"),
        },
    )
    rows = list(_layer(res["OUTPUT"]).getFeatures())
    closed = [r for r in rows if r["closed"] == 1 and r["n_chome_covered"] > 0]
    assert closed and all("ローソン" in r["name"] or "Lawson" in r["name"] for r in closed)
    m = list(_layer(res["OUTPUT_MUNICIPALITIES"]).getFeatures())[0]
    total = sum(w for _, w in daito_blank.values())
    assert m["rate_before_pct"] == pytest.approx(100 * sum(w for a, w in daito_blank.values() if a) / total)
    assert m["rate_after_pct"] <= m["rate_before_pct"]
    assert m["rate_diff_pct"] == pytest.approx(m["rate_after_pct"] - m["rate_before_pct"])
    assert m["elderly_losing_access"] == pytest.approx(
        m["elderly_with_access_before"] - m["elderly_with_access_after"]
    )


@pytest.mark.parametrize(
    "change,needle",
    [
        ({"N_SITES": 0}, "N_SITES"),
        ({"N_SITES": -2}, "N_SITES"),
        ({"ELDERLY_FIELD": "nope"}, "ELDERLY_FIELD"),
        ({"CANDIDATES": "EMPTY"}, "CANDIDATES"),
        ({"CANDIDATES": "NOCRS"}, "CRS"),
        ({"ELDERLY_FIELD": "NEG"}, "'w'"),  # the negative weight field is named (by the input checks)
    ],
)
def test_suggestsites_refuses_bad_input(run_alg, daito, shops, tmp_path, change, needle):
    from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsProcessingException, QgsVectorLayer

    params = {
        "INPUT": str(daito),
        "RESOURCES": [str(shops)],
        "OUTPUT": str(tmp_path / "s.gpkg"),
        "OUTPUT_CHOME": str(tmp_path / "c.gpkg"),
        "ELDERLY_FIELD": "JINKO",
    }
    params.update(change)
    if params.get("CANDIDATES") == "EMPTY":
        params["CANDIDATES"] = QgsVectorLayer("Point?crs=EPSG:6668", "empty", "memory")
    elif params.get("CANDIDATES") == "NOCRS":
        layer = QgsVectorLayer("Point?crs=", "nocrs", "memory")
        assert not layer.crs().isValid()
        f = QgsFeature()
        f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(135.62, 34.71)))
        layer.dataProvider().addFeatures([f])
        params["CANDIDATES"] = layer
    if params.get("ELDERLY_FIELD") == "NEG":
        neg = tmp_path / "neg.gpkg"
        run_alg(
            "native:fieldcalculator",
            {
                "INPUT": str(daito),
                "FIELD_NAME": "w",
                "FIELD_TYPE": 0,
                "FORMULA": 'if("KEY_CODE" = \'272180010\', -1, "JINKO")',
                "OUTPUT": str(neg),
            },
        )
        params["INPUT"] = str(neg)
        params["ELDERLY_FIELD"] = "w"
    with pytest.raises(QgsProcessingException) as err:
        run_alg("kaigo:suggestsites", params)
    text = str(err.value)
    assert needle in text
    assert any("\u3040" <= ch <= "\u30ff" for ch in text) and any("a" <= ch <= "z" for ch in text)  # ja + en
    assert not (tmp_path / "s.gpkg").exists() and not (tmp_path / "c.gpkg").exists()


def test_suggestsites_through_qgis_process(daito, shops, tmp_path):
    out = tmp_path / "sites.gpkg"
    cmd = [
        QP,
        "--json",
        "run",
        "kaigo:suggestsites",
        "--",
        f"INPUT={daito}",
        f"RESOURCES={shops}",
        "N_SITES=3",
        "ELDERLY_FIELD=JINKO",
        f"OUTPUT={out}",
        f"OUTPUT_CHOME={tmp_path / 'c.gpkg'}",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    start = proc.stdout.index("{")
    result = json.loads(proc.stdout[start:])
    assert result["results"]["OUTPUT"].startswith(str(out))
    assert _layer(out).featureCount() == 3
    assert not math.isnan(np.mean([f["gain"] for f in _layer(out).getFeatures()]))


def test_fullanalysis_with_sites_and_radii(run_alg, tmp_path):
    out = tmp_path / "full"
    res = run_alg(
        "kaigo:fullanalysis",
        {
            "CHOME": [str(SAMPLE / "daito-27218" / "chome.shp")],
            "AGES": [str(SAMPLE / "osaka-2020-ages" / "tblT001082C27.csv")],
            "RESOURCES": [str(SAMPLE / "osm-2014" / "convenience_osaka.geojson")],
            "N_SITES": 3,
            "RADII": "300,500,1000",
            "MAPS": False,
            "OUTPUT_FOLDER": str(out),
        },
    )
    sites = sorted(_layer(res["SITES_GPKG"]).getFeatures(), key=lambda f: f["rank"])
    assert [f["rank"] for f in sites] == [1, 2, 3]
    import csv
    import io

    raw = open(res["SITES_TABLE"], "rb").read()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw[3:].decode("utf-8"))))
    assert [r["muni_code"] for r in rows] == ["27218"]
    muni = next(iter(_layer(res["MUNICIPALITIES_GPKG"]).getFeatures()))
    # the table's rate before = the rate of the analysis (at-home 75+), after = the last site's rate
    assert float(rows[0]["rate_before_pct"]) == pytest.approx(muni["rate_pct"])
    assert float(rows[0]["rate_after_pct"]) == pytest.approx(sites[-1]["rate_after_pct"])
    assert muni["rate_pct_r500"] == pytest.approx(muni["rate_pct"])
    assert muni["rate_pct_r300"] <= muni["rate_pct"] <= muni["rate_pct_r1000"]
    assert (out / "charts" / "radius_rates.png").stat().st_size > 1000

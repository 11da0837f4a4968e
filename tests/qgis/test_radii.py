"""RADII of kaigo:sufficiencyrates: one run gives the rate at each radius, as separate runs do."""

from __future__ import annotations

import pytest
from kaigo_paths import SAMPLE


def _tottori_and_shops():
    """Tottori's 2015 boundaries and every OSM 2014 convenience-store file (bundled clips or national)."""
    table = SAMPLE / "tottori-2015" / "31-tottori-all.shp"
    shops = sorted(SAMPLE.glob("osm-2014-osaka-tottori/convenience*.geojson"))
    if not table.exists() or not shops:
        pytest.fail(f"Tottori boundaries or OSM convenience stores not found in {SAMPLE}")
    return table, [str(p) for p in shops]


def _rows(path):
    from qgis.core import QgsVectorLayer

    layer = QgsVectorLayer(str(path), "t", "ogr")
    assert layer.isValid()
    return {f["muni_code"]: f for f in layer.getFeatures()}


def test_radii_equal_separate_runs(run_alg, tmp_path):
    table, shops = _tottori_and_shops()
    blank = tmp_path / "blank500.gpkg"
    run_alg("kaigo:blankareas", {"INPUT": str(table), "RESOURCES": shops, "OUTPUT": str(blank)})
    chart = tmp_path / "radii.png"
    out = tmp_path / "rates.gpkg"
    res = run_alg(
        "kaigo:sufficiencyrates",
        {
            "INPUT": str(blank),
            "ELDERLY_FIELD": "JINKO",
            "RADII": "300,500,1000,2000",
            "OUTPUT": str(out),
            "OUTPUT_RADII_CHART": str(chart),
        },
    )
    got = _rows(res["OUTPUT"])
    assert len(got) == 19
    for r in (300, 1000, 2000):
        sep_blank = tmp_path / f"blank{r}.gpkg"
        run_alg(
            "kaigo:blankareas",
            {"INPUT": str(table), "RESOURCES": shops, "RADIUS": r, "OUTPUT": str(sep_blank)},
        )
        sep = run_alg(
            "kaigo:sufficiencyrates",
            {"INPUT": str(sep_blank), "ELDERLY_FIELD": "JINKO", "OUTPUT": str(tmp_path / f"rates{r}.gpkg")},
        )
        want = _rows(sep["OUTPUT"])
        for code, f in want.items():
            a, b = got[code][f"rate_pct_r{r}"], f["rate_pct"]
            assert (a is None and b is None) or a == pytest.approx(b), (code, r)
    for f in got.values():
        assert f["rate_pct_r500"] == pytest.approx(f["rate_pct"])
        vals = [f[f"rate_pct_r{r}"] for r in (300, 500, 1000, 2000)]
        assert all(x <= y + 1e-9 for x, y in zip(vals, vals[1:]))
    assert any(f["rate_pct_r2000"] > f["rate_pct_r500"] for f in got.values())  # the radius matters
    for ext in ("png", "svg", "pdf"):
        assert (tmp_path / f"radii.{ext}").stat().st_size > 1000


def test_radii_chart_is_byte_identical_on_rerun(run_alg, tmp_path):
    """OUTPUT_RADII_CHART (PNG, SVG, PDF) written twice from the same input: the same bytes."""
    import time

    table, shops = _tottori_and_shops()
    blank = tmp_path / "blank.gpkg"
    run_alg("kaigo:blankareas", {"INPUT": str(table), "RESOURCES": shops, "OUTPUT": str(blank)})
    for k in ("a", "b"):
        run_alg(
            "kaigo:sufficiencyrates",
            {
                "INPUT": str(blank),
                "ELDERLY_FIELD": "JINKO",
                "RADII": "300,500,1000",
                "OUTPUT": str(tmp_path / f"rates_{k}.gpkg"),
                "OUTPUT_RADII_CHART": str(tmp_path / k / "radii.png"),
            },
        )
        time.sleep(1.1)  # a creation date in seconds would differ
    for ext in ("png", "svg", "pdf"):
        a, b = (tmp_path / k / f"radii.{ext}" for k in ("a", "b"))
        assert a.stat().st_size > 1000
        assert a.read_bytes() == b.read_bytes(), ext


def test_radii_refused_without_nearest_or_bad_text(run_alg, tmp_path):
    from qgis.core import QgsProcessingException, QgsVectorLayer

    table, shops = _tottori_and_shops()
    blank = tmp_path / "blank.gpkg"
    run_alg("kaigo:blankareas", {"INPUT": str(table), "RESOURCES": shops, "OUTPUT": str(blank)})
    with pytest.raises(QgsProcessingException) as err:
        run_alg(
            "kaigo:sufficiencyrates",
            {
                "INPUT": str(blank),
                "ELDERLY_FIELD": "JINKO",
                "RADII": "300,abc",
                "OUTPUT": str(tmp_path / "a.gpkg"),
            },
        )
    assert "RADII" in str(err.value)
    assert not (tmp_path / "a.gpkg").exists()
    no_near = tmp_path / "nonear.gpkg"
    near = [n for n in QgsVectorLayer(str(blank), "b", "ogr").fields().names() if n.startswith("nearest_m")]
    assert near
    run_alg("native:deletecolumn", {"INPUT": str(blank), "COLUMN": near, "OUTPUT": str(no_near)})
    with pytest.raises(QgsProcessingException) as err:
        run_alg(
            "kaigo:sufficiencyrates",
            {
                "INPUT": str(no_near),
                "ELDERLY_FIELD": "JINKO",
                "RADII": "300",
                "OUTPUT": str(tmp_path / "b.gpkg"),
            },
        )
    assert "nearest_m" in str(err.value)
    assert not (tmp_path / "b.gpkg").exists()

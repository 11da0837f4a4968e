"""kaigo:committeecharts through processing.run: files, their content, highlight, errors, canExecute."""

from __future__ import annotations

import csv
import importlib.util
import struct
import sys
import zipfile

import pytest
from kaigo_paths import ROOT

_spec = importlib.util.spec_from_file_location(
    "slides_fixture", ROOT / "tests" / "data" / "charts" / "slides_fixture.py"
)
slides = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(slides)

EXPECTED_FILES = {
    *(
        f"scatter_{f}.{e}"
        for f in ("rate_pct", "rate_pct_convenience", "rate_pct_library")
        for e in ("png", "svg", "pdf")
    ),
    "crosstab.png",
    "crosstab.svg",
    "crosstab.pdf",
    "crosstab.csv",
    "crosstab.xlsx",
    "topn.png",
    "topn.svg",
    "topn.pdf",
    "topn.csv",
    "topn.xlsx",
}


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    return slides.write_csv(str(tmp_path_factory.mktemp("charts") / "municipalities.csv"))


def _read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_every_file_with_the_slides_numbers(run_alg, table, tmp_path):
    out = tmp_path / "out"
    res = run_alg(
        "kaigo:committeecharts",
        {"INPUT": table, "HIGHLIGHT": "13203, 大東市, 28464", "LANGUAGE": 1, "OUTPUT_FOLDER": str(out)},
    )
    # the manifest of what the run wrote lets a rerun remove its own stale files (guard.py)
    assert {p.name for p in out.iterdir()} == EXPECTED_FILES | {".kaigo-manifest.json"}
    assert sorted(res["FILES"]) == sorted(str(out / n) for n in EXPECTED_FILES)
    assert res["N_MUNICIPALITIES"] == 1896
    assert res["N_EXCLUDED"] == 3
    assert res["N_HIGHLIGHTED"] == 3
    assert res["FONT"]
    assert res["SCATTER_RATE_PCT_PNG"] == str(out / "scatter_rate_pct.png")

    rows = _read_csv(res["CROSSTAB_CSV"])
    assert rows[0][0] == "充足率カテゴリ"
    counts = {r[0]: [int(r[i]) for i in (1, 3, 5, 7)] for r in rows[1:]}
    assert counts["80-100%"] == [21, 80, 302, 403]
    assert counts["0-20%"] == [409, 46, 3, 458]
    assert counts["総計"] == [933, 629, 334, 1896]
    assert float(rows[1][6]) == pytest.approx(100 * 302 / 334)

    with zipfile.ZipFile(res["CROSSTAB_XLSX"]) as zf:
        sheet2 = zf.read("xl/worksheets/sheet2.xml").decode("utf-8")
    assert "302（90.4％）" in sheet2 and "1896（100％）" in sheet2

    top = _read_csv(res["TOPN_CSV"])
    class2 = [r for r in top[1:] if r[0] == "2"]
    assert len(class2) == 10
    assert [r[5] for r in class2] == [t[2] for t in slides.SLIDE_TOP2]
    assert class2[2][3:10] == ["28464", "兵庫県", "加古郡播磨町", "99.9", "33604", "22.0", "1525.7"]

    png = (out / "scatter_rate_pct.png").read_bytes()
    assert struct.unpack(">II", png[16:24]) == (3300, 2100)  # 11 x 7 in at 300 dpi
    assert (out / "crosstab.pdf").read_bytes().startswith(b"%PDF")


def test_highlight_expression_and_english(run_alg, table, tmp_path):
    res = run_alg(
        "kaigo:committeecharts",
        {
            "INPUT": table,
            "HIGHLIGHT_EXPRESSION": "\"muni_code\" IN ('13203', '27218') OR \"muni_name\" = '厚真町'",
            "RATE_FIELDS": ["rate_pct_convenience"],
            "TOP_N": 3,
            "LANGUAGE": 2,
            "OUTPUT_FOLDER": str(tmp_path),
        },
    )
    assert res["N_HIGHLIGHTED"] == 3
    names = {p.name for p in tmp_path.iterdir()}
    assert "scatter_rate_pct_convenience.png" in names and "scatter_rate_pct.png" not in names
    rows = _read_csv(res["CROSSTAB_CSV"])
    assert rows[0][0] == "rate band" and rows[-1][0] == "Total"
    assert sum(int(r[7]) for r in rows[1:-1]) == int(rows[-1][7]) == 1896
    top = _read_csv(res["TOPN_CSV"])
    assert top[0][:3] == ["density_class", "class_label", "rank"]
    assert len(top) == 1 + 3 * 3


def test_bad_inputs_write_nothing(run_alg, table, tmp_path):
    from qgis.core import QgsProcessingException

    out = tmp_path / "out"
    with pytest.raises(QgsProcessingException, match="HIGHLIGHT_EXPRESSION"):
        run_alg(
            "kaigo:committeecharts",
            {"INPUT": table, "HIGHLIGHT_EXPRESSION": '"muni_code" = ', "OUTPUT_FOLDER": str(out)},
        )
    bare = tmp_path / "bare.csv"
    bare.write_text("muni_code,muni_name,density\n31201,鳥取市,250\n", encoding="utf-8")
    with pytest.raises(QgsProcessingException, match="rate_pct"):
        run_alg("kaigo:committeecharts", {"INPUT": str(bare), "OUTPUT_FOLDER": str(out)})
    assert not out.exists() or list(out.iterdir()) == []


def test_null_rates_and_missing_class_are_handled(run_alg, tmp_path):
    src = tmp_path / "small.csv"
    src.write_text(
        "muni_code,pref_name,muni_name,pop_total,area_km2,rate_pct\n"
        "31201,鳥取県,鳥取市,188000,765.3,55.5\n"
        "31202,鳥取県,米子市,147000,132.4,81.0\n"
        "31203,鳥取県,倉吉市,46000,272.1,\n"  # no rate
        "31302,鳥取県,岩美町,11000,122.3,12.0\n",
        encoding="utf-8",
    )
    res = run_alg(
        "kaigo:committeecharts",
        {
            "INPUT": str(src),
            "HIGHLIGHT": "31201",
            "THRESHOLD_LOW": 200,
            "THRESHOLD_HIGH": 2000,
            "OUTPUT_FOLDER": str(tmp_path / "o"),
        },
    )
    assert res["N_MUNICIPALITIES"] == 3 and res["N_EXCLUDED"] == 1
    rows = _read_csv(res["CROSSTAB_CSV"])
    counts = {r[0]: [int(r[i]) for i in (1, 3, 5, 7)] for r in rows[1:]}
    # densities 245.7 (class 2), 1110.3 (class 2), 89.9 (class 1)
    assert counts["総計"] == [1, 2, 0, 3]
    assert counts["80-100%"] == [0, 1, 0, 1]
    assert counts["40-60%"] == [0, 1, 0, 1]
    assert counts["0-20%"] == [1, 0, 0, 1]


def test_can_execute_without_matplotlib(plugin, monkeypatch):
    from kaigo_resource_plugin.algorithms.committee_charts import CommitteeChartsAlgorithm

    alg = CommitteeChartsAlgorithm()
    assert alg.canExecute() == (True, "")
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    ok, message = alg.canExecute()
    assert ok is False and "matplotlib" in message


def test_real_osaka_and_tottori_table(run_alg, shared_data, tmp_path):
    """A municipality table built from the real 2015 chōme of Osaka and Tottori with the OSM 2014 stores;
    the cross-tab and top-N must agree with an independent count over that table."""
    spec = importlib.util.spec_from_file_location(
        "status_fixture", ROOT / "tests" / "data" / "charts" / "status_fixture.py"
    )
    status = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(status)
    table = str(tmp_path / "munis.csv")
    rows = status.municipality_table(
        [
            str(shared_data / "osaka-2015-points" / "27-oosaka-all.dbf"),
            str(shared_data / "tottori-2015" / "31-tottori-all.shp"),
        ],
        {"convenience": str(shared_data / "osm-2014-osaka-tottori" / "convenience.geojson")},
        table,
    )
    res = run_alg(
        "kaigo:committeecharts",
        {
            "INPUT": table,
            "HIGHLIGHT": "大東市, 鳥取市, 日南町",
            "TOP_N": 5,
            "OUTPUT_FOLDER": str(tmp_path / "o"),
        },
    )
    valid = [r for r in rows if r["rate_pct"] is not None and r["density_class"] is not None]
    assert res["N_MUNICIPALITIES"] == len(valid) and res["N_EXCLUDED"] == len(rows) - len(valid)
    assert res["N_HIGHLIGHTED"] == 3
    assert {r["density_class"] for r in valid} == {1, 2, 3}  # Tottori towns, cities, Osaka wards
    got = {r[0]: [int(r[i]) for i in (1, 3, 5, 7)] for r in _read_csv(res["CROSSTAB_CSV"])[1:]}
    for band, lo, hi in (
        ("80-100", 80, 101),
        ("60-80", 60, 80),
        ("40-60", 40, 60),
        ("20-40", 20, 40),
        ("0-20", 0, 20),
    ):
        want = [
            sum(1 for r in valid if r["density_class"] == c and lo <= r["rate_pct"] < hi) for c in (1, 2, 3)
        ]
        assert got[f"{band}%"] == [*want, sum(want)], band
    top = _read_csv(res["TOPN_CSV"])[1:]
    for c in (1, 2, 3):
        mine = [r for r in top if r[0] == str(c)]
        best = sorted(
            (r for r in valid if r["density_class"] == c), key=lambda r: (-r["rate_pct"], r["muni_code"])
        )
        assert [r[3] for r in mine] == [r["muni_code"] for r in best[:5]]

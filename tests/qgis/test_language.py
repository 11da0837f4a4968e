"""One language at a time in the log (issue #15 item 5): in Japanese QGIS every line our algorithms log is
Japanese, in English QGIS every line is English; both only in files that leave the machine."""

from __future__ import annotations

import re

import pytest
from kaigo_paths import SAMPLE
from qgis.core import QgsProcessingFeedback

DAITO = str(SAMPLE / "daito-27218" / "chome.shp")
AGES = str(SAMPLE / "osaka-2020-ages" / "tblT001082C27.csv")
SHOPS = str(SAMPLE / "osm-2014" / "convenience_osaka.geojson")
LIBRARIES = str(SAMPLE / "osm-2014" / "library_osaka.geojson")

KANA = re.compile(r"[\u3040-\u30ff\u3000-\u303f]")  # hiragana, katakana, 。、「」
# an English phrase: three lower-case Latin words in a row ("without access (incl. no population)")
ENGLISH = re.compile(r"\b[a-zōū]{2,}[ ,.(]+[a-zōū]{2,}[ ,.(]+[a-zōū]{2,}\b")
GLOSS = re.compile(r"（[^）]*）")  # a Japanese sentence may gloss a term in English: （point on surface）


class Recorder(QgsProcessingFeedback):
    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def pushInfo(self, info):  # noqa: N802
        super().pushInfo(info)
        self.lines += [x for x in info.split("\n") if x.strip()]

    def pushWarning(self, warning):  # noqa: N802
        super().pushWarning(warning)
        self.lines += [x for x in warning.split("\n") if x.strip()]


def _log_of_a_whole_analysis(run_alg, tmp_path) -> list[str]:
    feedback = Recorder()
    out = tmp_path / "out"
    run_alg(
        "kaigo:fullanalysis",
        {
            "CHOME": [DAITO],
            "AGES": [AGES],
            "RESOURCES": [SHOPS, LIBRARIES],
            "OUTPUT_FOLDER": str(out),
        },
        feedback=feedback,
    )
    run_alg(
        "kaigo:representativepoints", {"INPUT": DAITO, "OUTPUT": str(tmp_path / "p.gpkg")}, feedback=feedback
    )
    run_alg(
        "kaigo:densityclasses",
        {"INPUT": str(out / "municipalities.gpkg"), "OUTPUT": str(tmp_path / "d.gpkg")},
        feedback=feedback,
    )
    assert feedback.lines
    return feedback.lines


def _ours(lines: list[str]) -> list[str]:
    # QGIS's own lines about the child runs are not ours to translate
    return [x for x in lines if not x.startswith(("Results:", "Input parameters:", "Execution completed"))]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_log_lines_are_in_the_qgis_language_only(run_alg, tmp_path, monkeypatch, lang):
    monkeypatch.setenv("KAIGO_LANG", lang)
    lines = _ours(_log_of_a_whole_analysis(run_alg, tmp_path))
    if lang == "ja":
        english = [x for x in lines if ENGLISH.search(GLOSS.sub("", x))]
        english += [x for x in lines if re.search(r"[一-龯ぁ-んァ-ン] ?/ [a-zA-Z]", x)]  # "日本語 / English"
        english += [x for x in lines if ", encoding" in x or " rows" in x]
        assert english == [], "\n".join(english)
        assert any(KANA.search(x) for x in lines)
    else:
        japanese = [x for x in lines if KANA.search(x)]
        assert japanese == [], "\n".join(japanese)
        assert any(ENGLISH.search(x) for x in lines)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_join_report_details_in_the_qgis_language(run_alg, tmp_path, monkeypatch, lang):
    from qgis.core import QgsVectorLayer

    monkeypatch.setenv("KAIGO_LANG", lang)
    res = run_alg(
        "kaigo:importestat",
        {
            "INPUT": [DAITO],
            "AGES": [AGES],
            "OUTPUT": str(tmp_path / "c.gpkg"),
            "REPORT": str(tmp_path / "r.gpkg"),
        },
    )
    details = [f["detail"] for f in QgsVectorLayer(res["REPORT"], "r", "ogr").getFeatures() if f["detail"]]
    assert len(details) >= 5
    if lang == "ja":
        english = [d for d in details if ENGLISH.search(GLOSS.sub("", d)) or re.search(r"\b[a-z]{4,}\b", d)]
        assert english == [], english
    else:
        assert [d for d in details if KANA.search(d)] == []


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_threshold_labels_name_the_classes_in_the_qgis_language(plugin, monkeypatch, lang):
    """Issue #15: English dialogs said "Density threshold 中山間地域 / 一般都市"."""
    from qgis.core import QgsApplication

    monkeypatch.setenv("KAIGO_LANG", lang)
    for alg_id in ("kaigo:fullanalysis", "kaigo:sufficiencyrates", "kaigo:densityclasses"):
        alg = QgsApplication.processingRegistry().createAlgorithmById(alg_id)  # a new instance: labels now
        low = alg.parameterDefinition("THRESHOLD_LOW").description()
        high = alg.parameterDefinition("THRESHOLD_HIGH").description()
        if lang == "en":
            assert "Rural / General city" in low and "General city / Large city" in high, (low, high)
            assert not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", low + high), (low, high)
        else:
            assert "中山間地域" in low and "一般都市" in low and "大都市" in high, (low, high)


def test_log_names_the_final_files_not_the_staging_folder(run_alg, tmp_path):
    """Issue #15 item 8, for every algorithm: the outputs are written into a staging folder and moved into
    place at the end, and the log used to name the staging copies (「CSV: …/.kaigo-staging-…/x.csv」), which
    are gone when the user reads it. The panel's chain (blankareas → sufficiencyrates) as an example."""
    feedback = Recorder()
    chome = tmp_path / "chome.gpkg"
    run_alg(
        "kaigo:blankareas",
        {"INPUT": DAITO, "RESOURCES": [SHOPS], "OUTPUT": str(chome)},
        feedback=feedback,
    )
    csv_path, xlsx_path = tmp_path / "rates.csv", tmp_path / "rates.xlsx"
    run_alg(
        "kaigo:sufficiencyrates",
        {
            "INPUT": str(chome),
            "ELDERLY_FIELD": "JINKO",
            "OUTPUT": str(tmp_path / "rates.gpkg"),
            "OUTPUT_CSV": str(csv_path),
            "OUTPUT_XLSX": str(xlsx_path),
        },
        feedback=feedback,
    )
    log = "\n".join(feedback.lines)
    assert ".kaigo-staging-" not in log
    assert f"CSV: {csv_path}" in log and f"XLSX: {xlsx_path}" in log
    assert csv_path.exists() and xlsx_path.exists()

"""Package structure rules that keep the plugin portable (no QGIS needed)."""

from __future__ import annotations

import ast
import configparser
import subprocess
import sys

from kaigo_paths import ROOT

PKG = ROOT / "kaigo_resource_plugin"


def _imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield ("." * node.level) + node.module


def test_core_never_imports_qgis_or_qt():
    offenders = []
    for path in sorted((PKG / "core").rglob("*.py")):
        for name in _imports(path):
            if name.split(".")[0] in {"qgis", "PyQt5", "PyQt6", "processing"} or name.startswith(".."):
                offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert offenders == []


def test_qt_only_through_qgis_pyqt():
    offenders = []
    for path in sorted(PKG.rglob("*.py")):
        for name in _imports(path):
            if name.split(".")[0] in {"PyQt5", "PyQt6", "PySide2", "PySide6"}:
                offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert offenders == []


def test_algorithms_do_not_import_the_dock():
    offenders = []
    for path in sorted((PKG / "algorithms").rglob("*.py")):
        for name in _imports(path):
            if name.lstrip(".").startswith("ui"):
                offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert offenders == []


def test_metadata_declares_what_qgis_needs():
    cfg = configparser.ConfigParser()
    cfg.read(PKG / "metadata.txt", encoding="utf-8")
    g = cfg["general"]
    assert g["qgisMinimumVersion"] == "3.22"
    assert g["qgisMaximumVersion"] == "4.99"
    assert g["supportsQt6"] == "True"
    assert g["hasProcessingProvider"] == "yes"
    assert g["category"] == "Analysis"
    for key in (
        "name",
        "description",
        "about",
        "version",
        "author",
        "email",
        "homepage",
        "tracker",
        "repository",
    ):
        assert g[key].strip(), key
    assert any("\u3040" <= ch <= "\u30ff" for ch in g["about"]), "about needs its Japanese text"
    assert (PKG / g["icon"]).is_file()


def test_every_algorithm_has_help_in_both_languages():
    from kaigo_resource_plugin.algorithms import ALGORITHM_MODULES

    missing = []
    for module, _cls in ALGORITHM_MODULES:
        alg_name = module.replace("_", "")
        for lang in ("en", "ja"):
            path = PKG / "help" / f"{alg_name}_{lang}.html"
            if not path.is_file() or len(path.read_text(encoding="utf-8")) < 200:
                missing.append(str(path.relative_to(ROOT)))
    assert missing == []


def test_translations_cover_every_tr_string_and_ts_is_current():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_ts.py"), "--check"], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr

"""The plugin as QGIS and qgis_process load it: classFactory + initProcessing, the provider, the zip."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile

import pytest
from kaigo_paths import ROOT

QP = str(ROOT / "scripts" / "qgis_process.sh")


def _kaigo_ids():
    from qgis.core import QgsApplication

    return sorted(
        a.id() for a in QgsApplication.processingRegistry().algorithms() if a.provider().id() == "kaigo"
    )


# The Processing contract (SPEC §4): ids are stored by models and scripts and never renamed.
EXPECTED_IDS = [
    "kaigo:analysismodel",  # the graphical model shipped in models/
    "kaigo:blankareas",
    "kaigo:committeecharts",
    "kaigo:densityclasses",
    "kaigo:exportmap",
    "kaigo:fullanalysis",
    "kaigo:importestat",
    "kaigo:networkaccess",
    "kaigo:representativepoints",
    "kaigo:sufficiencyrates",
]


def _expected_ids():
    return EXPECTED_IDS


def test_provider_is_registered_by_init_processing(plugin):
    from qgis.core import QgsApplication

    provider = QgsApplication.processingRegistry().providerById("kaigo")
    assert provider is not None
    assert provider.id() == "kaigo"
    assert not provider.icon().isNull()
    assert _kaigo_ids() == _expected_ids()


def test_algorithm_ids_are_ascii_lower_case_and_instances_are_fresh(plugin):
    from qgis.core import QgsApplication, QgsProcessingModelAlgorithm

    for alg in QgsApplication.processingRegistry().providerById("kaigo").algorithms():
        assert alg.name().isascii() and alg.name() == alg.name().lower() and alg.name().isalnum()
        clone = alg.createInstance()
        assert type(clone) is type(alg) and clone is not alg
        assert alg.shortHelpString().strip(), alg.id()
        # the dialog makes one paragraph of every line of shortHelpString(): none inside a paragraph
        assert "\n" not in alg.shortHelpString(), alg.id()
        if isinstance(alg, QgsProcessingModelAlgorithm):
            continue  # a model's destinations are named "child:output" by QGIS itself
        for p in alg.parameterDefinitions():
            assert p.name() == p.name().upper(), (alg.id(), p.name())


def test_unload_removes_the_provider_and_init_processing_is_idempotent(qgis_app, qgis_processing):
    from qgis.core import QgsApplication

    import kaigo_resource_plugin

    registry = QgsApplication.processingRegistry()
    had = registry.providerById("kaigo") is not None
    other = kaigo_resource_plugin.classFactory(None)
    if had:  # the session fixture's provider is there: a second instance must not double-register
        other.initProcessing()
        other.initProcessing()
        other.unload()
        assert registry.providerById("kaigo") is not None
    else:
        other.initProcessing()
        assert registry.providerById("kaigo") is not None
        other.unload()
        assert registry.providerById("kaigo") is None


def test_compat_fields_work_on_this_qgis(qgis_app):
    from kaigo_resource_plugin.compat import field_kind, make_field

    for kind in ("int", "double", "string"):
        field = make_field(f"f_{kind}", kind)
        assert field.name() == f"f_{kind}"
        assert field_kind(field) == kind


def test_japanese_translation_is_loaded_when_qgis_runs_in_japanese(qgis_app, monkeypatch):
    from qgis.PyQt.QtCore import QCoreApplication

    from kaigo_resource_plugin import i18n_loader

    if not (ROOT / "kaigo_resource_plugin" / "i18n" / "kaigo_resource_plugin_ja.qm").exists():
        pytest.fail(".qm not built: `make transcompile` (make test runs it)")
    monkeypatch.setenv("KAIGO_LANG", "ja")
    translator = i18n_loader.install_translator()
    try:
        assert translator is not None
        assert (
            QCoreApplication.translate("KaigoProvider", "Kaigo resources (地域資源充足率)")
            == "介護・生活資源（地域資源充足率）"
        )
    finally:
        QCoreApplication.removeTranslator(translator)
    monkeypatch.setenv("KAIGO_LANG", "en")
    assert i18n_loader.output_language() == "en"
    monkeypatch.setenv("KAIGO_LANG", "ja")
    assert i18n_loader.output_language() == "ja"


def _qgis_process(args, env=None):
    return subprocess.run([QP, *args], capture_output=True, text=True, env=env, timeout=300)


def test_qgis_process_lists_the_provider_and_every_algorithm(plugin):
    proc = _qgis_process(["--json", "list"])
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert "kaigo" in data["providers"]
    listed = sorted(data["providers"]["kaigo"]["algorithms"])
    assert listed == _expected_ids()


def test_package_zip_installs_into_a_fresh_profile_and_loads(tmp_path, plugin):
    build = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "package.py"), "--output", str(tmp_path / "dist")],
        capture_output=True,
        text=True,
        check=True,
    )
    zip_path = build.stdout.strip().splitlines()[-1]
    with zipfile.ZipFile(zip_path) as zf:
        names = zf.namelist()
        assert all(n.startswith("kaigo_resource_plugin/") for n in names)
        assert "kaigo_resource_plugin/metadata.txt" in names
        assert "kaigo_resource_plugin/i18n/kaigo_resource_plugin_ja.qm" in names
        assert not [
            n
            for n in names
            if "__pycache__" in n or n.endswith(".pyc") or "/tests/" in n or n.endswith(".tsv")
        ]
        plugins_dir = tmp_path / "config" / "profiles" / "default" / "python" / "plugins"
        plugins_dir.mkdir(parents=True)
        zf.extractall(plugins_dir)
    env = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=str(tmp_path / "config"), QT_QPA_PLATFORM="offscreen")
    env.pop("QGIS_PLUGINPATH", None)
    qp = (
        "qgis_process.bin"
        if subprocess.run(["which", "qgis_process.bin"], capture_output=True).returncode == 0
        else "qgis_process"
    )
    subprocess.run(
        [qp, "plugins", "enable", "kaigo_resource_plugin"], env=env, capture_output=True, timeout=300
    )
    proc = subprocess.run([qp, "--json", "list"], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert sorted(data["providers"]["kaigo"]["algorithms"]) == _expected_ids()

"""Habits of the house: one version, a changelog, the pre-commit hook, no import error hidden."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "kaigo_resource_plugin"


def _metadata() -> configparser.SectionProxy:
    cfg = configparser.ConfigParser()
    cfg.read(PKG / "metadata.txt", encoding="utf-8")
    return cfg["general"]


def test_the_version_is_written_only_in_metadata():
    version = _metadata()["version"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    assert not re.search(r"^version\s*=", (ROOT / "pyproject.toml").read_text(encoding="utf-8"), re.M)
    for path in PKG.rglob("*.py"):
        assert f'"{version}"' not in path.read_text(encoding="utf-8"), path


def test_changelog_and_metadata_changelog():
    meta = _metadata()
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {meta['version']}" in text
    assert meta["version"] in meta.get("changelog", "")


def test_pre_commit_runs_the_pinned_ruff():
    config = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    pinned = re.search(r"ruff==([\d.]+)", (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8"))
    assert pinned and f"rev: v{pinned.group(1)}" in config
    assert "id: ruff" in config


def test_plugin_does_not_hide_an_import_error_of_the_dock():
    source = (PKG / "plugin.py").read_text(encoding="utf-8")
    assert "except ImportError" not in source

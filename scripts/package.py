"""Builds the plugin zip for plugins.qgis.org / "Install from ZIP": the package folder only,
with compiled translations, without tests, caches or development files."""

from __future__ import annotations

import argparse
import configparser
import os
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLUGIN = "kaigo_resource_plugin"
EXCLUDE_DIRS = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis"}
EXCLUDE_SUFFIXES = {".pyc", ".pyo", ".ts", ".tsv", ".pro", ".orig", ".rej", ".swp"}


def version() -> str:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / PLUGIN / "metadata.txt", encoding="utf-8")
    return cfg["general"]["version"]


def files() -> list[Path]:
    out = []
    for dirpath, dirnames, filenames in os.walk(ROOT / PLUGIN):
        dirnames[:] = sorted(d for d in dirnames if d not in EXCLUDE_DIRS and not d.startswith("."))
        for name in sorted(filenames):
            p = Path(dirpath) / name
            if p.suffix in EXCLUDE_SUFFIXES or name.startswith("."):
                continue
            out.append(p)
    return out


def build(output: Path) -> Path:
    output.mkdir(parents=True, exist_ok=True)
    target = output / f"{PLUGIN}-{version()}.zip"
    tmp = target.with_suffix(".zip.part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in files():
            info = zipfile.ZipInfo(str(p.relative_to(ROOT)), date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, p.read_bytes())
    os.replace(tmp, target)
    return target


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--output", default="dist")
    print(build(Path(ap.parse_args().output)))

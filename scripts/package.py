"""Builds the plugin zip for plugins.qgis.org / "Install from ZIP": the package folder only,
with compiled translations, without tests, caches or development files."""

from __future__ import annotations

import argparse
import configparser
import os
import sys
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


# domains reserved for examples (RFC 2606 / RFC 6761): an address there reaches nobody
EXAMPLE_DOMAINS = ("example.org", "example.com", "example.net")
RESERVED_TLDS = ("example", "invalid", "test", "localhost")


def _reserved(domain: str) -> bool:
    domain = domain.lower().rstrip(".")
    if any(domain == d or domain.endswith("." + d) for d in EXAMPLE_DOMAINS):
        return True
    return domain.rsplit(".", 1)[-1] in RESERVED_TLDS


def metadata_problems(path: Path | None = None) -> list[str]:
    """What metadata.txt still lacks before a release: an e-mail address that reaches the maintainer.

    plugins.qgis.org shows it to users and writes to it about the plugin; the repository knows no real
    address (none is in the spec either), so the maintainer sets ``email=`` (README, "Releasing")."""
    cfg = configparser.ConfigParser()
    cfg.read(path or ROOT / PLUGIN / "metadata.txt", encoding="utf-8")
    email = cfg["general"].get("email", "").strip()
    local, at, domain = email.rpartition("@")
    if not (local and at and "." in domain):
        return [f"metadata.txt has no usable e-mail address (email={email})"]
    if _reserved(domain):
        return [
            f"metadata.txt email={email} is a placeholder (a reserved example domain): nobody gets mail there"
        ]
    return []


def warn(problems: list[str]) -> None:
    bar = "!" * 78
    lines = [
        bar,
        "WARNING: this zip is not ready for plugins.qgis.org:",
        *(f"  - {p}" for p in problems),
        "  Set email= in kaigo_resource_plugin/metadata.txt to the maintainer's address (README: Releasing).",
        "  `scripts/package.py --release` refuses to build until it is set.",
        bar,
    ]
    print("\n".join(lines), file=sys.stderr)


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
    ap.add_argument(
        "--release", action="store_true", help="refuse to build while metadata.txt has placeholders"
    )
    args = ap.parse_args()
    problems = metadata_problems()
    if problems:
        warn(problems)  # on stderr: stdout carries only the zip's path (scripts read it)
        if args.release:
            sys.exit(2)
    print(build(Path(args.output)))

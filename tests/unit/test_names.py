"""One spelling in Japanese (issue #15 item 9): レイヤ, as in QGIS's own Japanese interface."""

from __future__ import annotations

from kaigo_paths import ROOT


def test_layer_is_spelled_one_way():
    package = ROOT / "kaigo_resource_plugin"
    files = [p for p in package.rglob("*") if p.suffix in (".py", ".html", ".tsv", ".txt", ".model3")]
    files += [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]
    long_form = [str(p.relative_to(ROOT)) for p in files if "レイヤー" in p.read_text(encoding="utf-8")]
    assert long_form == []

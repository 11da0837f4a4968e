"""Help as the Processing dialog shows it: one paragraph per <p>, not one per source line (issue #15 item 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kaigo_resource_plugin.core.helptext import flow

HELP = Path(__file__).resolve().parents[2] / "kaigo_resource_plugin" / "help"


def test_japanese_lines_join_without_a_space_and_english_with_one():
    assert (
        flow("<p>半径内に資源がない町丁字が\n空白地域です。</p>")
        == "<p>半径内に資源がない町丁字が空白地域です。</p>"
    )
    assert flow("<p>the chōme that have\n   no resource</p>") == "<p>the chōme that have no resource</p>"
    assert flow("<p>500 m 以内の\n<code>KEY_CODE</code>\nを使います</p>") == (
        "<p>500 m 以内の<code>KEY_CODE</code>を使います</p>"
    )
    assert flow("<ul>\n<li>a</li>\n<li>b</li>\n</ul>") == "<ul><li>a</li><li>b</li></ul>"
    assert flow("JINKO\n（総人口）") == "JINKO（総人口）"
    assert flow("(default 500)\nand") == "(default 500) and"


@pytest.mark.parametrize("path", sorted(HELP.glob("*.html")), ids=lambda p: p.name)
def test_every_help_file_flows_as_one_line_and_keeps_its_text(path):
    source = path.read_text(encoding="utf-8")
    shown = flow(source)
    # QGIS's dialog: shortHelpString().split("\n") → one <p> each; one piece means no broken paragraph
    assert "\n" not in shown and "\r" not in shown
    # nothing lost: the same characters apart from the whitespace at the line breaks
    assert "".join(shown.split()) == "".join(source.split())

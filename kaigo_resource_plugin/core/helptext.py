"""Help texts as the Processing dialog shows them.

QGIS's algorithm dialog cuts ``shortHelpString()`` at every line break and wraps each piece in its own
paragraph, so a help source wrapped at 110 columns reads as fragments («…資源がない町丁字が» / «空白地域です。»).
The help files stay wrapped for editing; :func:`flow` joins the lines the way a browser would: a space
between Latin words, nothing between Japanese characters (a browser would otherwise show a stray space).
"""

from __future__ import annotations

import re
import unicodedata

_BREAK = re.compile(r"[ \t]*\r?\n\s*")


def is_wide(ch: str) -> bool:
    """A character written without spaces around it: kana, kanji, full-width punctuation and forms."""
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _joiner(before: str, after: str) -> str:
    if not before or not after:
        return ""
    if before == ">" and after == "<":  # between two tags: no text node
        return ""
    if is_wide(before) and is_wide(after):
        return ""
    if any(is_wide(c) and unicodedata.category(c).startswith("P") for c in (before, after)):
        return ""  # full-width brackets and commas carry their own spacing: JINKO（総人口）
    if is_wide(before) and after == "<" or before == ">" and is_wide(after):
        return ""  # 町丁字<b>… / …</b>です: the tag sits inside a Japanese sentence
    return " "


def flow(html: str) -> str:
    """``html`` on one line: every line break (with its indentation) joined as a browser would."""
    text = html.strip()
    out: list[str] = []
    pos = 0
    for match in _BREAK.finditer(text):
        out.append(text[pos : match.start()])
        before = text[match.start() - 1] if match.start() > 0 else ""
        after = text[match.end()] if match.end() < len(text) else ""
        out.append(_joiner(before, after))
        pos = match.end()
    out.append(text[pos:])
    return "".join(out)

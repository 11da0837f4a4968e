"""Find an installed Japanese (CJK) font for the charts, so that Japanese text never renders as empty boxes.

The fonts a Japanese Windows, macOS or Linux QGIS install has are tried in a fixed order of preference;
the first one matplotlib's font manager knows is used. The choice is cached for the process.

PDF embedding: matplotlib embeds TrueType-outline fonts (IPAexGothic, Yu Gothic, Meiryo, MS Gothic …)
as Type 42 (real font, searchable text). Fonts with PostScript/CFF outlines (Noto Sans CJK, Source Han
Sans, Hiragino .otf) cannot be embedded as Type 42 by matplotlib without producing a malformed PDF
(matplotlib issues #20870 and #2869), so for those the glyphs are embedded as Type 3 procedures: still
embedded, identical on every viewer and printer, but the text is not selectable.
"""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass

LOG = logging.getLogger(__name__)

# Family names as matplotlib's font manager reports them, best first.
PREFERRED_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK JP",
    "IPAexGothic",
    "IPAGothic",
    "IPAPGothic",
    "Yu Gothic",
    "YuGothic",
    "Meiryo",
    "Hiragino Sans",
    "Hiragino Kaku Gothic ProN",
    "Hiragino Kaku Gothic Pro",
    "Hiragino Maru Gothic Pro",
    "TakaoGothic",
    "TakaoPGothic",
    "VL Gothic",
    "VL PGothic",
    "Source Han Sans JP",
    "Source Han Sans",
    "Noto Sans JP",
    "MS Gothic",
    "MS PGothic",
    "BIZ UDGothic",
    "BIZ UDPGothic",
    "Osaka",
    "Droid Sans Japanese",
    "Noto Sans CJK SC",
    "Noto Sans CJK TC",
    "Noto Sans CJK KR",
)

# Characters every chart needs: kana, kanji of the labels, full-width brackets and percent, ² of km².
PROBE_TEXT = "中山間地域一般都市大都市総計充足率人口密度（）％²ー市町村"


@dataclass(frozen=True)
class CjkFont:
    """An installed font able to render Japanese."""

    family: str
    path: str
    truetype_outlines: bool  # glyf outlines (Type 42 in PDF) as opposed to CFF outlines

    @property
    def pdf_fonttype(self) -> int:
        """42 (embedded TrueType) when matplotlib can embed the font as such, else 3 (embedded glyphs)."""
        return 42 if self.truetype_outlines else 3


def _has_truetype_outlines(path: str) -> bool:
    try:
        from fontTools.ttLib import TTFont
    except ImportError:  # pragma: no cover - matplotlib >= 3.5 depends on fontTools
        return path.lower().endswith((".ttf", ".ttc"))
    try:
        kwargs = {"fontNumber": 0} if path.lower().endswith((".ttc", ".otc")) else {}
        font = TTFont(path, lazy=True, **kwargs)
        try:
            return "glyf" in font
        finally:
            font.close()
    except Exception:  # noqa: BLE001 - an unreadable file is simply not a TrueType font
        return False


def _covers(path: str, text: str) -> bool:
    """True when the font file (face 0) has a glyph for every character of ``text``."""
    try:
        from matplotlib.ft2font import FT2Font

        font = FT2Font(path)
        return all(font.get_char_index(ord(ch)) != 0 for ch in text)
    except Exception:  # noqa: BLE001
        return False


def _candidates() -> list[tuple[str, str, int]]:
    from matplotlib import font_manager

    found = []
    for entry in font_manager.fontManager.ttflist:
        found.append((entry.name, entry.fname, int(entry.weight) if str(entry.weight).isdigit() else 400))
    return found


@functools.lru_cache(maxsize=1)
def find_cjk_font() -> CjkFont | None:
    """The first font of PREFERRED_FAMILIES that is installed and covers Japanese; None if none is.

    A family missing from the list but covering Japanese is used as a last resort.
    """
    entries = _candidates()
    by_family: dict[str, list[tuple[str, int]]] = {}
    for name, path, weight in entries:
        by_family.setdefault(name, []).append((path, weight))
    for family in PREFERRED_FAMILIES:
        files = by_family.get(family)
        if not files:
            continue
        # the regular weight's file (the one matplotlib picks for normal text)
        files.sort(key=lambda fw: (abs(fw[1] - 400), fw[0]))
        path = files[0][0]
        if _covers(path, PROBE_TEXT):
            font = CjkFont(family, path, _has_truetype_outlines(path))
            LOG.info("Japanese chart font: %s (%s)", font.family, font.path)
            return font
    for name, path, _weight in sorted(entries):
        if name in PREFERRED_FAMILIES:
            continue
        if os.path.splitext(path)[1].lower() in (".ttf", ".ttc", ".otf", ".otc") and _covers(
            path, PROBE_TEXT
        ):
            font = CjkFont(name, path, _has_truetype_outlines(path))
            LOG.info("Japanese chart font (fallback): %s (%s)", font.family, font.path)
            return font
    LOG.warning("No Japanese font found: install Noto Sans CJK JP or IPAexGothic")
    return None


def font_description(font: CjkFont | None) -> str:
    """One line for the log, e.g. 'Noto Sans CJK JP (/usr/share/…/NotoSansCJK-Regular.ttc), PDF Type 3'."""
    if font is None:
        return "no Japanese font installed (DejaVu Sans; Japanese text will show as boxes)"
    return f"{font.family} ({font.path}), PDF Type {font.pdf_fonttype}"


def font_families(font: CjkFont | None) -> list[str]:
    """The font.family list for matplotlib: the CJK font first, DejaVu Sans as fallback."""
    return [font.family, "DejaVu Sans"] if font is not None else ["DejaVu Sans"]

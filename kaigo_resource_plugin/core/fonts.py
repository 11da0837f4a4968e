"""Find an installed Japanese (CJK) font for the charts, so that Japanese text never renders as empty boxes.

The fonts a Japanese Windows, macOS or Linux QGIS install has are tried in a fixed order of preference;
the first one matplotlib's font manager knows is used. The choice is cached for the process.

PDF embedding: every PDF embeds its font as TrueType (Type 42: real font, text selectable and
searchable). matplotlib can embed only TrueType outlines that way; for fonts with PostScript/CFF
outlines (Noto Sans CJK, Source Han Sans, Hiragino .otf) it would write a malformed PDF (matplotlib
issues #20870, #2869), so ``truetype_family_for`` converts the glyphs a figure uses (fontTools:
subset, then cubic → quadratic curves) into a small TrueType font registered under a family name of
its own, used only while the PDF is written. Should that fail, the glyphs are embedded as Type 3
procedures (still embedded and identical in every viewer, but not selectable).
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import logging
import os
import shutil
import tempfile
import threading
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
PROBE_TEXT = "中山間地域一般都市大都市総計充足率人口密度（）％²ー市区町村"


@dataclass(frozen=True)
class CjkFont:
    """An installed font able to render Japanese."""

    family: str
    path: str
    truetype_outlines: bool  # glyf outlines (Type 42 in PDF) as opposed to CFF outlines

    @property
    def pdf_fonttype(self) -> int:
        """42: embedded TrueType (CFF fonts through a TrueType copy of the glyphs used)."""
        return 42


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


def font_description(font: CjkFont | None, lang: str = "en") -> str:
    """One line for the log, e.g. 'Noto Sans CJK JP (/usr/share/…/NotoSansCJK-Regular.ttc), …'."""
    ja = lang == "ja"
    if font is None:
        if ja:
            return "日本語フォントがありません（DejaVu Sans。日本語は四角で表示されます）"
        return "no Japanese font installed (DejaVu Sans; Japanese text will show as boxes)"
    if font.truetype_outlines:
        how = "TrueType"
    elif ja:
        how = "CFF アウトライン。PDF には使った字形を TrueType に写して埋め込みます"
    else:
        how = "CFF outlines, embedded in PDF as a TrueType copy of the glyphs used"
    return f"{font.family}（{font.path}、{how}）" if ja else f"{font.family} ({font.path}; {how})"


def font_families(font: CjkFont | None) -> list[str]:
    """The font.family list for matplotlib: the CJK font first, DejaVu Sans as fallback."""
    return [font.family, "DejaVu Sans"] if font is not None else ["DejaVu Sans"]


# ---------------------------------------------------------------- TrueType copies of CFF glyphs

_TT_DIR: list[str] = []
_TT_FAMILIES: dict[tuple[str, str], str | None] = {}
_TT_LOCK = threading.Lock()


def _bold_path(font: CjkFont) -> str | None:
    best = None
    for name, path, weight in _candidates():
        if name == font.family and weight >= 600 and path != font.path:
            if best is None or abs(weight - 700) < abs(best[1] - 700):
                best = (path, weight)
    return best[0] if best else None


def _cff_to_truetype(path: str, text: str, family: str, target: str) -> None:
    """Subset face 0 of ``path`` to the glyphs of ``text`` and write it with TrueType outlines."""
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    opts = subset.Options()
    opts.font_number = 0
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.layout_features = []
    opts.notdef_outline = True
    opts.desubroutinize = True
    font = subset.load_font(path, opts)
    try:
        sub = subset.Subsetter(opts)
        sub.populate(text=text)
        sub.subset(font)
        order = font.getGlyphOrder()
        glyphset = font.getGlyphSet()
        glyf = newTable("glyf")
        glyf.glyphOrder = order
        glyf.glyphs = {}
        for name in order:
            pen = TTGlyphPen(glyphset)
            glyphset[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
            glyf.glyphs[name] = pen.glyph()
        font["loca"] = newTable("loca")
        font["glyf"] = glyf
        del font["CFF "]
        for tag in ("VORG", "GPOS", "GSUB", "GDEF", "BASE"):
            if tag in font:
                del font[tag]
        maxp = newTable("maxp")
        maxp.tableVersion = 0x00010000
        for attr in (
            "maxTwilightPoints",
            "maxStorage",
            "maxFunctionDefs",
            "maxInstructionDefs",
            "maxStackElements",
            "maxSizeOfInstructions",
            "maxComponentElements",
        ):
            setattr(maxp, attr, 0)
        maxp.maxZones = 1
        font["maxp"] = maxp
        post = font["post"]
        post.formatType = 2.0
        post.extraNames = []
        post.mapping = {}
        post.glyphOrder = order
        font.sfntVersion = "\x00\x01\x00\x00"
        font.recalcBBoxes = True
        for rec in font["name"].names:
            if rec.nameID in (1, 4, 16):
                rec.string = family
            elif rec.nameID == 6:
                rec.string = family.replace(" ", "")
        font.save(target)
    finally:
        font.close()


def truetype_family_for(font: CjkFont, text: str) -> str | None:
    """A family name under which matplotlib finds the glyphs of ``text`` (and ASCII) of ``font`` with
    TrueType outlines, regular and bold, so that a PDF can embed them as Type 42. The font's own
    family for TrueType fonts; None when the copy cannot be made (then use Type 3)."""
    if font.truetype_outlines:
        return font.family
    chars = "".join(sorted(set(text) | {chr(c) for c in range(0x20, 0x7F)}))
    key = (font.path, chars)
    with _TT_LOCK:
        if key in _TT_FAMILIES:
            return _TT_FAMILIES[key]
        digest = hashlib.sha1(f"{font.path}\n{chars}".encode()).hexdigest()[:12]
        family = f"Kaigo TT {digest}"
        try:
            from matplotlib import font_manager

            if not _TT_DIR:
                folder = tempfile.mkdtemp(prefix="kaigo_fonts_")
                atexit.register(shutil.rmtree, folder, True)
                _TT_DIR.append(folder)
            for path, suffix in ((font.path, "regular"), (_bold_path(font), "bold")):
                if path is None:
                    continue
                target = os.path.join(_TT_DIR[0], f"{digest}-{suffix}.ttf")
                _cff_to_truetype(path, chars, family, target)
                font_manager.fontManager.addfont(target)
        except Exception as err:  # noqa: BLE001 - any failure: fall back to Type 3, never fail the chart
            LOG.warning("TrueType copy of %s failed (%s): PDF text embedded as Type 3", font.family, err)
            _TT_FAMILIES[key] = None
            return None
        _TT_FAMILIES[key] = family
        return family

"""What a blank-area map says and where it looks, from plain data (the drawing is algorithms/export_map.py).

The municipality code of a chōme row, the municipalities a MUNI_CODES text names, the map's extent on the
page, the scale-bar segment, the title, the summary under the legend and the name of a resource layer in
the legend. Attribute values come in as plain Python values, None for NULL. Pure Python: no QGIS.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

from .codes import muni_code_from_key
from .contract import MUNI_CODE, MUNI_NAME, PREF_NAME

NAME_FIELDS = (MUNI_NAME, "CITY_NAME", "GST_NAME")
WARD_FIELDS = ("CSS_NAME",)
PREF_FIELDS = (PREF_NAME, "PREF_NAME", "KEN_NAME")


def utm_epsg(lon: float, lat: float) -> int:
    """JGD2011 / UTM zone of a longitude (zones 51-55 cover Japan), for maps of geographic layers."""
    zone = int(math.floor((lon + 180.0) / 6.0)) + 1
    zone = min(55, max(51, zone))
    return 6688 + (zone - 51)


def nice_segment(length: float) -> float:
    """1, 2 or 5 × 10^k not above ``length`` (metres)."""
    if length <= 0:
        return 100.0
    exp = math.floor(math.log10(length))
    for m in (5, 2, 1):
        if m * 10**exp <= length:
            return float(m * 10**exp)
    return float(10**exp)


def _muni_code_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text.zfill(5) if text.isdigit() else text


def code_getter(names: Sequence[str]) -> Callable[[Sequence[object]], str | None] | None:
    """A function from a row's attributes to its municipality code, or None when the layer has none.

    muni_code first (zero-padded to five digits), then the first five digits of KEY_CODE, then the
    prefecture (PREF or KEN) and CITY columns of the e-Stat boundaries.
    """
    idx = {n: i for i, n in enumerate(names)}
    if MUNI_CODE in idx:
        i = idx[MUNI_CODE]
        return lambda attrs: _muni_code_text(attrs[i])
    for key in ("KEY_CODE", "key_code"):
        if key in idx:
            k = idx[key]
            return lambda attrs: muni_code_from_key(attrs[k])
    for pref in ("PREF", "KEN"):
        if pref in idx and "CITY" in idx:
            a, b = idx[pref], idx["CITY"]
            return lambda attrs: (
                None
                if attrs[a] is None or attrs[b] is None
                else f"{attrs[a]}".zfill(2) + f"{attrs[b]}".zfill(3)
            )
    return None


def first_text(attrs: Sequence[object], idx: Mapping[str, int], fields: Sequence[str]) -> str:
    """The first non-empty text among ``fields`` of a row, stripped; "" when none."""
    for f in fields:
        if f in idx:
            v = attrs[idx[f]]
            if v is not None and str(v).strip():
                return str(v).strip()
    return ""


def place_names(attrs: Sequence[object], idx: Mapping[str, int]) -> dict[str, str]:
    """Municipality, ward and prefecture names of a chōme row ("" where the layer has none)."""
    return {
        "name": first_text(attrs, idx, NAME_FIELDS),
        "ward": first_text(attrs, idx, WARD_FIELDS),
        "pref": first_text(attrs, idx, PREF_FIELDS),
    }


def choose_codes(
    tokens: Sequence[str], groups: Mapping[str, Mapping[str, str]]
) -> tuple[list[str], list[str]]:
    """(codes of the municipalities named by ``tokens``, tokens that name none), in the order given.

    A token of digits is a code (its first five digits, zero-padded); any other token is a name, matched
    against the municipality name or name + ward. No token at all means every municipality, by code.
    """
    if not tokens:
        return sorted(groups), []
    codes: list[str] = []
    missing: list[str] = []
    for t in tokens:
        code = t[:5].zfill(5) if t.isdigit() else None
        if code is None:
            code = next(
                (c for c, g in sorted(groups.items()) if t in (g["name"], g["name"] + g["ward"])),
                None,
            )
        if code is not None and code in groups:
            if code not in codes:
                codes.append(code)
        else:
            missing.append(t)
    return codes, missing


def fit_extent(
    xmin: float, ymin: float, xmax: float, ymax: float, aspect: float, radius: float
) -> tuple[float, float, float, float]:
    """The map extent around a bounding box: a margin of 4 %, then grown to the map item's ``aspect``.

    A box of no width or no height (one point) is first widened by max(radius, 500) map units.
    """
    if xmax - xmin == 0 or ymax - ymin == 0:
        d = max(radius, 500.0)
        xmin, ymin, xmax, ymax = xmin - d, ymin - d, xmax + d, ymax + d
    d = max(xmax - xmin, ymax - ymin) * 0.04
    xmin, ymin, xmax, ymax = xmin - d, ymin - d, xmax + d, ymax + d
    width, height = xmax - xmin, ymax - ymin
    if width / height < aspect:
        grow = (height * aspect - width) / 2
        return xmin - grow, ymin, xmax + grow, ymax
    grow = (width / aspect - height) / 2
    return xmin, ymin - grow, xmax, ymax + grow


def scale_bar(extent_width: float) -> tuple[bool, float]:
    """(kilometres?, units per segment) of the scale bar of a map ``extent_width`` metres wide."""
    km = extent_width > 4000
    seg = nice_segment(extent_width / 8.0)
    return km, (seg / 1000.0 if km else seg)


def map_title(title: str, place: str, code: str, several: bool, radius: float, lang: str) -> str:
    """The map's title: the user's (``{muni}`` and ``{code}`` filled in), else the default sentence.

    A user title without placeholders gets the place appended when several maps are written.
    """
    en = lang == "en"
    if title:
        out = title.replace("{muni}", place).replace("{code}", code)
        if several and out == title:
            out = f"{title}（{place}）" if not en else f"{title} ({place})"
        return out
    if en:
        return f"{place}: resources and blank areas (chōme with no resource within {radius:g} m)"
    return f"{place}　地域資源の位置と空白地域（半径{radius:g}m以内に資源のない町丁・字）"


def map_summary(counts: Mapping[str, int], radius: float, n_resource_layers: int, lang: str) -> str:
    """The two paragraphs under the legend: chōme counts by status, then what red and the pins mean."""
    total = sum(counts.values())
    if lang != "en":
        summary = (
            f"町丁・字 {total:,}（空白 {counts['blank']:,}・資源あり {counts['covered']:,}・"
            f"人口なし {counts['no_population']:,}）"
        )
        note = (
            f"※赤色は代表地点から半径{radius:g}m以内に資源のない町丁・字、ピンは資源の位置を示す"
            f"{'（種類ごとに色分け）' if n_resource_layers > 1 else ''}。"
        )
    else:
        summary = (
            f"{total:,} chōme: {counts['blank']:,} blank, {counts['covered']:,} covered, "
            f"{counts['no_population']:,} without population"
        )
        note = f"Red: chōme whose representative point has no resource within {radius:g} m. " + (
            "Pins: resources, one colour per type." if n_resource_layers > 1 else "Blue pins: resources."
        )
    return summary + "\n" + note


def resource_legend_name(readable: str, n: int, lang: str) -> str:
    """A resource layer's name in the legend, with its count: コンビニ（12件） / Convenience stores (12)."""
    return f"{readable}（{n:,}件）" if lang != "en" else f"{readable} ({n:,})"

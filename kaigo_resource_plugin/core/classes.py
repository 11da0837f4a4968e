"""Density classes (地域分類) and sufficiency bands (充足率カテゴリ) of the METI 2025 method — as data.

``DENSITY_CLASSES`` is the one table of the classes: every table, chart, check, dock control and
Processing parameter iterates it. To add a class, add a row (its number, names, the default lower bound
of its density and the name of the Processing parameter that sets that bound); see docs/DEVELOPING.md.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class DensityClass:
    """One density class: people/km² from ``lower`` (inclusive) up to the next class's ``lower``."""

    number: int  # the value of the density_class output field
    label_ja: str  # class_label (Japanese, the output field's value)
    label_en: str
    short_ja: str  # chart and table headings
    short_en: str
    lower: float = 0.0  # default lower bound (people/km²); the first class starts at 0
    parameter: str | None = None  # Processing parameter of the lower bound (None for the first class)


DENSITY_CLASSES: tuple[DensityClass, ...] = (
    DensityClass(1, "中山間地域", "Rural / hilly (中山間地域)", "中山間地域", "Rural"),
    DensityClass(
        2, "一般都市（中間）", "General city (一般都市)", "一般都市", "General city", 200.0, "THRESHOLD_LOW"
    ),
    DensityClass(3, "大都市", "Large city (大都市)", "大都市", "Large city", 2000.0, "THRESHOLD_HIGH"),
)

CLASS_NUMBERS: tuple[int, ...] = tuple(c.number for c in DENSITY_CLASSES)
# the boundaries between the classes: one less than the classes, each with its Processing parameter
DEFAULT_THRESHOLDS: tuple[float, ...] = tuple(c.lower for c in DENSITY_CLASSES[1:])
THRESHOLD_PARAMETERS: tuple[str, ...] = tuple(str(c.parameter) for c in DENSITY_CLASSES[1:])

CLASS_LABELS = {
    "ja": {c.number: c.label_ja for c in DENSITY_CLASSES},
    "en": {c.number: c.label_en for c in DENSITY_CLASSES},
}
CLASS_SHORT = {
    "ja": {c.number: c.short_ja for c in DENSITY_CLASSES},
    "en": {c.number: c.short_en for c in DENSITY_CLASSES},
}

# (label, lower bound inclusive, upper bound exclusive; 100 % belongs to the top band)
BANDS: tuple[tuple[str, float, float], ...] = (
    ("0-20", 0.0, 20.0),
    ("20-40", 20.0, 40.0),
    ("40-60", 40.0, 60.0),
    ("60-80", 60.0, 80.0),
    ("80-100", 80.0, 100.0),
)


def density_class(density: float | None, thresholds: Sequence[float] = DEFAULT_THRESHOLDS) -> int | None:
    """The class number of a density: the first class below the first threshold, the next from it (inclusive)
    up to the next one, and so on; None when the density is unknown."""
    if density is None or (isinstance(density, float) and math.isnan(density)):
        return None
    return CLASS_NUMBERS[bisect.bisect_right(list(thresholds), density)]


def threshold_text(value: float) -> str:
    return f"{value:g}" if value < 1e6 else f"{value:,.0f}"


def class_range_text(
    cls: int, thresholds: Sequence[float], lang: str, words: bool = False, wave: bool = False
) -> str:
    """The density range of class ``cls`` for people: ``< 200 /km²``, ``200-2000 /km²``, ``≥ 2000 /km²``.

    ``words``: English in words (``below 200 /km²``, ``2000 /km² and above``); ``wave``: a Japanese range
    with ～ (``200～2000人/km²``) instead of a hyphen.
    """
    i = CLASS_NUMBERS.index(cls)
    texts = [threshold_text(t) for t in thresholds]
    if lang == "en":
        if i == 0:
            return f"below {texts[0]} /km²" if words else f"< {texts[0]} /km²"
        if i == len(texts):
            return f"{texts[-1]} /km² and above" if words else f"≥ {texts[-1]} /km²"
        return f"{texts[i - 1]}-{texts[i]} /km²"
    if i == 0:
        return f"{texts[0]}人/km²未満"
    if i == len(texts):
        return f"{texts[-1]}人/km²以上"
    return f"{texts[i - 1]}{'～' if wave else '-'}{texts[i]}人/km²"


def rate_band(rate_pct: float | None) -> str | None:
    """Band label of a rate in percent: lower bound inclusive, 100 % in the top band."""
    if rate_pct is None or (isinstance(rate_pct, float) and math.isnan(rate_pct)):
        return None
    for label, lo, hi in BANDS:
        if lo <= rate_pct < hi:
            return label
    if rate_pct >= 100.0 - 1e-9:
        return BANDS[-1][0]
    return None  # below 0: not a rate

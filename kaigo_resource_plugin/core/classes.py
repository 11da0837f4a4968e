"""Density classes (地域分類) and sufficiency bands (充足率カテゴリ) of the METI 2025 method."""

from __future__ import annotations

import math

DEFAULT_THRESHOLDS = (200.0, 2000.0)

CLASS_LABELS = {
    "ja": {1: "中山間地域", 2: "一般都市（中間）", 3: "大都市"},
    "en": {1: "Rural / hilly (中山間地域)", 2: "General city (一般都市)", 3: "Large city (大都市)"},
}
CLASS_SHORT = {
    "ja": {1: "中山間地域", 2: "一般都市", 3: "大都市"},
    "en": {1: "Rural", 2: "General city", 3: "Large city"},
}

# (label, lower bound inclusive, upper bound exclusive; 100 % belongs to the top band)
BANDS: tuple[tuple[str, float, float], ...] = (
    ("0-20", 0.0, 20.0),
    ("20-40", 20.0, 40.0),
    ("40-60", 40.0, 60.0),
    ("60-80", 60.0, 80.0),
    ("80-100", 80.0, 100.0),
)


def density_class(density: float | None, thresholds: tuple[float, float] = DEFAULT_THRESHOLDS) -> int | None:
    """1 (< t1), 2 (t1 ≤ d < t2), 3 (≥ t2); None when the density is unknown."""
    if density is None or (isinstance(density, float) and math.isnan(density)):
        return None
    t1, t2 = thresholds
    if density < t1:
        return 1
    if density < t2:
        return 2
    return 3


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

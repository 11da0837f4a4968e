"""Representative points of chōme: which feature (part) of a multi-part chōme carries the chōme.

A chōme stored as several features (same KEY_CODE: 飛び地, KIGO_E = E1, E2 …) is one chōme. Its
representative point is taken from its *main part*: the part with the largest population (e-Stat puts the
whole population of the chōme on one part, the others have 0), then the lowest KIGO_E number (E1), then
the largest area, then the first in the layer. Water areas (HCODE 8154, 水面調査区) are not chōme.

Pure numpy; no QGIS.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

WATER_HCODE = 8154

METHOD_ESTAT = 0  # X_CODE / Y_CODE of the e-Stat file
METHOD_SURFACE = 1  # a point on the polygon's surface
METHOD_CENTROID = 2  # the centroid (may fall outside a concave polygon)
METHOD_NAMES = {METHOD_ESTAT: "estat_xy", METHOD_SURFACE: "point_on_surface", METHOD_CENTROID: "centroid"}


def normalise_key(value: object) -> str | None:
    """The key as text ("27218002001"); None for NULL/empty. Integers and floats like 1.0 lose ".0"."""
    if value is None:
        return None
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        if value.is_integer():
            return str(int(value))
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text or None


def part_rank(kigo: object) -> int:
    """Order of a KIGO_E value: "" (a single part) 0, "E1" 1, "E2" 2 …, anything else 999."""
    if kigo is None:
        return 0
    text = str(kigo).strip()
    if not text:
        return 0
    m = re.fullmatch(r"[Ee]\s*(\d+)", text)
    return int(m.group(1)) if m else 999


def is_water(hcode: object) -> bool:
    """True for HCODE 8154 (水面調査区), whether read as a number or as text."""
    if hcode is None:
        return False
    try:
        return int(float(str(hcode).strip())) == WATER_HCODE
    except ValueError:
        return False


@dataclass
class ChomeGroups:
    """Features grouped into chōme (one group per distinct key)."""

    keys: list[str]  # the distinct keys, in the order of their first feature in the layer
    group: np.ndarray  # (n_features,) group index of each feature, -1 when it is not a chōme
    main: np.ndarray  # (n_groups,) index of the main feature of each group
    size: np.ndarray  # (n_groups,) number of features (parts) of each group
    last: np.ndarray  # (n_groups,) index of the last feature of each group in the layer


def group_chome(
    keys: Sequence[str | None],
    population: np.ndarray | None = None,
    kigo: Sequence[object] | None = None,
    area: np.ndarray | None = None,
    usable: np.ndarray | None = None,
) -> ChomeGroups:
    """Group features by key and pick each group's main part.

    ``keys``: normalised keys (None: no key, the feature is left out). ``population``/``area``: numbers per
    feature, NaN when unknown. ``usable``: False for features to leave out (water, no geometry …).
    """
    n = len(keys)
    ok = np.array([k is not None for k in keys], dtype=bool)
    if usable is not None:
        ok &= np.asarray(usable, dtype=bool)
    idx = np.flatnonzero(ok)
    group = np.full(n, -1, dtype=np.int64)
    if idx.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return ChomeGroups([], group, empty, empty, empty)
    karr = np.array([keys[i] for i in idx], dtype=object).astype(str)
    ukeys, first, inv = np.unique(karr, return_index=True, return_inverse=True)
    # renumber groups by first appearance
    order = np.argsort(first, kind="stable")
    rank_of = np.empty_like(order)
    rank_of[order] = np.arange(order.size)
    ginv = rank_of[inv.ravel()]
    group[idx] = ginv
    n_groups = order.size
    pop = np.full(idx.size, -np.inf)
    if population is not None:
        p = np.asarray(population, dtype=np.float64)[idx]
        pop = np.where(np.isnan(p), -np.inf, p)
    rank = np.zeros(idx.size, dtype=np.int64)
    if kigo is not None:
        rank = np.array([part_rank(kigo[i]) for i in idx], dtype=np.int64)
    ar = np.zeros(idx.size)
    if area is not None:
        a = np.asarray(area, dtype=np.float64)[idx]
        ar = np.where(np.isnan(a), -np.inf, a)
    # lexsort: last key is primary → group, then -pop, rank, -area, position
    srt = np.lexsort((np.arange(idx.size), -ar, rank, -pop, ginv))
    gs = np.flatnonzero(np.r_[True, ginv[srt][1:] != ginv[srt][:-1]])
    main = np.empty(n_groups, dtype=np.int64)
    main[ginv[srt][gs]] = idx[srt[gs]]
    size = np.bincount(ginv, minlength=n_groups)
    last = np.full(n_groups, -1, dtype=np.int64)
    np.maximum.at(last, ginv, idx)
    return ChomeGroups([str(k) for k in ukeys[order]], group, main, size, last)


def group_max(values: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Largest non-NaN value per group (NaN when all values of the group are NaN); group -1 ignored."""
    v = np.asarray(values, dtype=np.float64)
    sel = (group >= 0) & ~np.isnan(v)
    out = np.full(n_groups, -np.inf)
    if sel.any():
        g = group[sel]
        vv = v[sel]
        srt = np.lexsort((vv, g))
        ends = np.r_[np.flatnonzero(g[srt][1:] != g[srt][:-1]), srt.size - 1]
        out[g[srt][ends]] = vv[srt][ends]
    out[np.isinf(out)] = np.nan
    return out

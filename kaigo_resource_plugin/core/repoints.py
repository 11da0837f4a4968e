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

from .contract import WATER_HCODE, is_water_hcode  # noqa: F401  (WATER_HCODE re-exported)

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


def normalise_keys(values) -> np.ndarray:
    """``normalise_key`` over a column, vectorised for text: a str array, "" where there is no key."""
    arr = np.asarray(values)
    if arr.dtype.kind == "U":
        texts = [k.strip() for k in arr.tolist()]
        if not "".join(texts).isdigit() and any(k.endswith(".0") for k in texts):
            texts = [normalise_key(k) or "" for k in texts]
        return np.array(texts, dtype=str)
    out = [normalise_key(v) for v in arr.tolist()]
    return np.array(["" if k is None else k for k in out], dtype=str)


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
    return is_water_hcode(hcode)


@dataclass
class ChomeGroups:
    """Features grouped into chōme (one group per distinct key)."""

    keys: list[str]  # the distinct keys, in the order of their first feature in the layer
    group: np.ndarray  # (n_features,) group index of each feature, -1 when it is not a chōme
    main: np.ndarray  # (n_groups,) index of the main feature of each group
    size: np.ndarray  # (n_groups,) number of features (parts) of each group
    last: np.ndarray  # (n_groups,) index of the last feature of each group in the layer


def group_chome(
    keys: Sequence[str | None] | np.ndarray,
    population: np.ndarray | None = None,
    kigo: Sequence[object] | None = None,
    area: np.ndarray | None = None,
    usable: np.ndarray | None = None,
) -> ChomeGroups:
    """Group features by key and pick each group's main part.

    ``keys``: normalised keys (None or "": no key, the feature is left out), a list or a str array.
    ``population``/``area``: numbers per feature, NaN when unknown. ``usable``: False for features to leave out (water, no geometry …).
    """
    if isinstance(keys, np.ndarray) and keys.dtype.kind == "U":
        kall = keys
    else:
        kall = np.array(["" if k is None else str(k) for k in keys], dtype=str)
    n = kall.size
    ok = kall != ""
    if usable is not None:
        ok &= np.asarray(usable, dtype=bool)
    idx = np.flatnonzero(ok)
    group = np.full(n, -1, dtype=np.int64)
    if idx.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return ChomeGroups([], group, empty, empty, empty)
    karr = kall[idx]
    _, first, inv = np.unique(_sortable(karr), return_index=True, return_inverse=True)
    # renumber groups by first appearance
    order = np.argsort(first, kind="stable")
    rank_of = np.empty_like(order)
    rank_of[order] = np.arange(order.size)
    ginv = rank_of[inv.ravel()]
    group[idx] = ginv
    n_groups = order.size
    group_keys = karr[first[order]].tolist()
    if n_groups == idx.size:  # every key once: nothing to choose
        main = idx[first[order]]
        return ChomeGroups(group_keys, group, main, np.ones(n_groups, dtype=np.int64), main.copy())
    pop = np.full(idx.size, -np.inf)
    if population is not None:
        p = np.asarray(population, dtype=np.float64)[idx]
        pop = np.where(np.isnan(p), -np.inf, p)
    rank = np.zeros(idx.size, dtype=np.int64)
    if kigo is not None:
        kv = np.array(["" if k is None else str(k) for k in kigo], dtype=str)[idx]
        uk, kinv = np.unique(kv, return_inverse=True)
        rank = np.array([part_rank(k) for k in uk.tolist()], dtype=np.int64)[kinv.ravel()]
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
    srt_last = np.argsort(ginv, kind="stable")  # within a group, features stay in layer order
    ends = np.r_[np.flatnonzero(ginv[srt_last][1:] != ginv[srt_last][:-1]), srt_last.size - 1]
    last[ginv[srt_last][ends]] = idx[srt_last][ends]
    return ChomeGroups(group_keys, group, main, size, last)


def _sortable(keys: np.ndarray) -> np.ndarray:
    """Keys as int64 when they are all digit strings of at most 17 characters (sorting numbers is much
    faster than sorting text); the length is kept in the low bits so that "0123" ≠ "123". Else as is."""
    if keys.size == 0 or keys.dtype.kind != "U" or keys.dtype.itemsize // 4 > 17:
        return keys
    # the characters as code points, a shorter key padded with NUL: digits only, then only padding
    cp = np.ascontiguousarray(keys).view(np.uint32).reshape(keys.size, -1).astype(np.int64)
    used = cp != 0
    if not (((cp >= 48) & (cp <= 57)) | ~used).all() or not used[:, 0].all():
        return keys
    if cp.shape[1] > 1 and (used[:, 1:] & ~used[:, :-1]).any():
        return keys  # a NUL inside a key
    value = np.zeros(keys.size, dtype=np.int64)
    for j in range(cp.shape[1]):
        value = np.where(used[:, j], value * 10 + (cp[:, j] - 48), value)
    return value * 32 + used.sum(axis=1)


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


# ---------------------------------------------------------------- the e-Stat rules of reading a chōme layer


@dataclass(frozen=True)
class PointPlan:
    """How the representative points of a chōme layer are taken (see ``plan_points``)."""

    method: int  # METHOD_* actually used
    use_xy: bool  # X_CODE/Y_CODE are read
    geom_mode: str | None  # the geometry's point: "surface", "centroid", or None (X_CODE/Y_CODE)
    notes: tuple[tuple[str, str], ...]  # (ja, en) for the log


def plan_points(method: int, has_geometry: bool, has_xy: bool) -> PointPlan:
    """The method asked for, corrected: a table without geometry uses X_CODE/Y_CODE; without X_CODE/Y_CODE
    the e-Stat method falls back to a point on the surface."""
    notes = []
    if not has_geometry and method != METHOD_ESTAT:
        notes.append(
            (
                "ジオメトリのない表なので X_CODE/Y_CODE を代表地点に使います。",
                "The chōme layer is a table without geometry: X_CODE/Y_CODE are used as points.",
            )
        )
        method = METHOD_ESTAT
    use_xy = method == METHOD_ESTAT and has_xy
    if method == METHOD_ESTAT and not has_xy:
        notes.append(
            (
                "X_CODE/Y_CODE 項目がないため、ポリゴン内の点（point on surface）を代表地点にします。",
                "No X_CODE/Y_CODE fields: points on surface are used as representative points.",
            )
        )
        method = METHOD_SURFACE
    geom_mode = None if use_xy else ("centroid" if method == METHOD_CENTROID else "surface")
    return PointPlan(method, use_xy, geom_mode, tuple(notes))


def wanted_fields(
    key_field: str, names: Sequence[str], population_field: str | None, use_xy: bool
) -> list[str]:
    """Fields read from a chōme layer: the key, then HCODE, KIGO_E, AREA and the population when present,
    then X_CODE/Y_CODE when they give the points."""
    wanted = [key_field]
    for extra in ("HCODE", "KIGO_E", "AREA", population_field):
        if extra and extra in names and extra not in wanted:
            wanted.append(extra)
    if use_xy:
        wanted += [n for n in ("X_CODE", "Y_CODE") if n not in wanted]
    return wanted


def water_mask(hcode: np.ndarray | None, n: int) -> np.ndarray:
    """True for water areas (HCODE 8154): not chōme. ``hcode`` None: no HCODE field, no water."""
    if hcode is None:
        return np.zeros(n, dtype=bool)
    if hcode.dtype == np.float64:
        return hcode == WATER_HCODE
    return np.array([is_water(v) for v in hcode.tolist()], dtype=bool)


def clean_xy(px: np.ndarray, py: np.ndarray, has_geometry: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X_CODE, Y_CODE with empty, infinite and (0, 0) points as NaN, usable features).

    On a layer with geometries every feature stays usable: a feature without X_CODE/Y_CODE gets a point
    on its surface later. On a table a feature without them has no point.
    """
    px, py = px.copy(), py.copy()
    bad = ~np.isfinite(px) | ~np.isfinite(py) | ((px == 0) & (py == 0))
    px[bad] = np.nan
    py[bad] = np.nan
    point_ok = ~bad if not has_geometry else np.ones(px.size, dtype=bool)
    return px, py, point_ok


def dropped_notes(n_water: int, n_no_key: int, n_no_point: int, n_multi: int) -> list[tuple[str, str]]:
    """(ja, en) log lines on the features left out and the multi-part chōme; none for a count of 0."""
    notes = []
    if n_water:
        notes.append(
            (
                f"水面調査区（HCODE 8154）{n_water} 件を除外しました。",
                f"{n_water} water areas (HCODE 8154) dropped.",
            )
        )
    if n_no_key:
        notes.append(
            (f"キーが空の地物 {n_no_key} 件を除外しました。", f"{n_no_key} features without a key skipped.")
        )
    if n_no_point:
        notes.append(
            (
                f"ジオメトリが空または不正な地物 {n_no_point} 件を除外しました。",
                f"{n_no_point} features with a NULL or invalid geometry skipped.",
            )
        )
    if n_multi:
        notes.append(
            (
                f"複数の地物からなる町丁字（飛び地など）{n_multi} 件は、"
                "主たる部分の代表地点で 1 町丁字として扱います。",
                f"{n_multi} chōme stored as several features (exclaves) count once, at the point of their "
                "main part.",
            )
        )
    return notes

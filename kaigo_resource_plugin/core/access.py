"""Access of chōme to resources: counts within a radius and the nearest distance, on the GRS80 ellipsoid.

The search is exact, not an approximation: candidate pairs come from a 3-D grid of Earth-centred
(ECEF) coordinates, the test uses the straight chord (never longer than the geodesic), and the few pairs
whose chord lies within ``geodesy.chord_excess`` of the radius are decided with Vincenty's geodesic.
``nearest_m`` is always the geodesic distance to the truly nearest resource of the type, however far:
queries with nothing nearby are searched again on coarser grids (cell size doubling) until found.

Only numpy; nothing here imports QGIS.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .contract import STATUS_BLANK, STATUS_COVERED, STATUS_NO_POPULATION
from .errors import Cancelled, InputError
from .geodesy import chord_excess, ecef, geodesic_distance, sphere_arc

# Pairs examined at once (bounds the memory: about 60 bytes a pair).
MAX_PAIRS = 3_000_000
# "Within the radius" is inclusive: a resource at exactly the radius counts. Distances that differ from
# the radius by less than this (far below the accuracy of any coordinate) count as equal to it.
INCLUSIVE_EPS_M = 1e-6
_DEBUG = False
# Below this chord the nearest distance is taken as the arc of the chord on a mean sphere (see
# geodesy.sphere_arc: within 0.01 mm of the geodesic); beyond it Vincenty's formula is used.
SHORT_CHORD_M = 5000.0
_EARTH_SPAN = 2.0 * 6378137.0 + 1.0


@dataclass
class AccessResult:
    """Per query point and resource type (columns in the order of the types)."""

    n_within: np.ndarray  # (n, T) int64: resources of the type within the radius (inclusive)
    nearest_m: np.ndarray  # (n, T) float64: geodesic metres to the nearest one; NaN if the type is empty

    @property
    def has_access(self) -> np.ndarray:
        return self.n_within > 0

    @property
    def n_within_any(self) -> np.ndarray:
        return self.n_within.sum(axis=1)

    @property
    def nearest_any_m(self) -> np.ndarray:
        """Nearest resource of any type (NaN when there is no resource at all)."""
        if self.nearest_m.shape[1] == 0:
            return np.full(self.nearest_m.shape[0], np.nan)
        with np.errstate(invalid="ignore"):
            all_nan = np.isnan(self.nearest_m).all(axis=1)
            filled = np.where(np.isnan(self.nearest_m), np.inf, self.nearest_m)
            out = filled.min(axis=1)
        out[all_nan] = np.nan
        return out


class _Grid:
    """Resources of one type binned in cubic cells of side ≥ ``h`` metres (ECEF), for given queries.

    Cells are numbered row by row (x, then y, then z) over a box that holds the resources and the
    queries with one spare cell on every side, so the 3 cells z−1, z, z+1 of a row are 3 consecutive
    numbers: the 27 cells around a query are 9 ranges of the sorted resources, found by 18 binary searches.
    """

    def __init__(self, r_cols, r_lo, r_hi, q_cols, h: float):
        """``r_cols`` / ``q_cols``: the x, y, z columns (contiguous) of the resources / queries;
        ``r_lo`` / ``r_hi``: the per-axis minimum / maximum of the resources (the same at every level)."""
        lo_xyz = np.array([min(r_lo[k], float(q_cols[k].min())) for k in range(3)])
        hi_xyz = np.array([max(r_hi[k], float(q_cols[k].max())) for k in range(3)])
        # keep the cell numbers within int64: at most 2**19 cells along an axis
        h = max(float(h), float((hi_xyz - lo_xyz).max()) / 2.0**19)
        self.h = h
        # floor(x / h) is monotonic in x: the cell bounds follow from the coordinate bounds
        self.lo = np.floor(lo_xyz / h).astype(np.int64) - 1
        self.dims = np.floor(hi_xyz / h).astype(np.int64) - self.lo + 2
        r_keys = self._encode([np.floor(c / h).astype(np.int64) for c in r_cols])
        self.order = np.argsort(r_keys)  # the order within a cell does not matter
        self.skeys = r_keys[self.order]
        self.q_keys = self._encode([np.floor(c / h).astype(np.int64) for c in q_cols])

    def _encode(self, cells: list[np.ndarray]) -> np.ndarray:
        lo, dims = self.lo, self.dims
        return ((cells[0] - lo[0]) * dims[1] + (cells[1] - lo[1])) * dims[2] + (cells[2] - lo[2])

    def neighbours(self) -> tuple[np.ndarray, np.ndarray]:
        """(start, count) of the resources (positions in ``order``) around each query: (n, 9) arrays."""
        ukeys, inv = np.unique(self.q_keys, return_inverse=True)
        inv = inv.ravel()
        m = ukeys.size
        start = np.empty((m, 9), dtype=np.int64)
        count = np.empty((m, 9), dtype=np.int64)
        d1, d2 = int(self.dims[1]), int(self.dims[2])
        o = 0
        for di in (-1, 0, 1):
            for dj in (-1, 0, 1):
                base = ukeys + (di * d1 + dj) * d2
                a = np.searchsorted(self.skeys, base - 1, side="left")
                b = np.searchsorted(self.skeys, base + 1, side="right")
                start[:, o] = a
                count[:, o] = b - a
                o += 1
        return start[inv], count[inv]


def _positions(start: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Expand (start, count) ranges, row by row, into the positions they cover (grouped by query)."""
    st = start.ravel()
    cn = count.ravel()
    nz = cn > 0
    st, cn = st[nz], cn[nz]
    total = int(cn.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    shift = st - (np.cumsum(cn) - cn)
    return np.arange(total, dtype=np.int64) + np.repeat(shift, cn)


def _chunks(per_query: np.ndarray, max_pairs: int) -> list[tuple[int, int]]:
    """Split queries [0, n) into consecutive slices of at most ``max_pairs`` pairs (at least one query)."""
    n = per_query.size
    out = []
    csum = np.cumsum(per_query)
    a = 0
    while a < n:
        base = csum[a - 1] if a else 0
        b = int(np.searchsorted(csum, base + max_pairs, side="right"))
        b = max(b, a + 1)
        out.append((a, min(b, n)))
        a = b
    return out


def _group_starts(sorted_ids: np.ndarray) -> np.ndarray:
    if sorted_ids.size == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, sorted_ids[1:] != sorted_ids[:-1]])


def _within_by_chord(d2: np.ndarray, surely_in2: float, r2: float) -> tuple[np.ndarray, np.ndarray]:
    """The "within the radius" decision (inclusive) for pairs with squared chords ``d2``, part 1.

    A chord no longer than ``radius − chord_excess(radius)`` is within for sure; one longer than the
    radius is outside for sure (the chord never exceeds the geodesic). Returns (within for sure, positions
    of the few in between), which ``_within_by_geodesic`` decides on their Vincenty distance. Used by the
    counts of ``compute_access`` and by the pairs of ``within_pairs``: both answer alike for every pair.
    """
    inside = d2 <= surely_in2
    return inside, np.flatnonzero(~inside & (d2 <= r2))


def _within_by_geodesic(s: np.ndarray, radius: float) -> np.ndarray:
    """Part 2: the pairs in between are within when their geodesic is (inclusive)."""
    return s <= radius + INCLUSIVE_EPS_M


def _radius_bounds(radius: float) -> tuple[float, float]:
    """(surely_in², r²) of ``_within_by_chord`` for a radius."""
    surely_in = max(radius - float(chord_excess(radius)), 0.0)
    return surely_in * surely_in, (radius + INCLUSIVE_EPS_M) ** 2


def _one_type(
    q_xyz: np.ndarray,
    q_lon: np.ndarray,
    q_lat: np.ndarray,
    r_lon: np.ndarray,
    r_lat: np.ndarray,
    radius: float,
    step: Callable[[float], None],
) -> tuple[np.ndarray, np.ndarray]:
    """n_within and nearest geodesic distance of every query to resources of one type."""
    n = q_xyz.shape[0]
    n_within = np.zeros(n, dtype=np.int64)
    nearest = np.full(n, np.nan)
    if r_lon.size == 0 or n == 0:
        step(1.0)
        return n_within, nearest
    r_xyz = ecef(r_lon, r_lat)
    r_cols = [np.ascontiguousarray(r_xyz[:, k]) for k in range(3)]
    r_lo = [float(c.min()) for c in r_cols]
    r_hi = [float(c.max()) for c in r_cols]
    surely_in2, r2 = _radius_bounds(radius)

    todo = np.arange(n)
    h = float(radius)
    first = True
    while todo.size:
        qx, qy, qz = q_cols = [np.ascontiguousarray(q_xyz[todo, k]) for k in range(3)]
        grid = _Grid(r_cols, r_lo, r_hi, q_cols, h)
        h = grid.h
        rx, ry, rz = (c[grid.order] for c in r_cols)
        r_lon_s, r_lat_s = r_lon[grid.order], r_lat[grid.order]
        start, count = grid.neighbours()
        per_q = count.sum(axis=1)
        if _DEBUG:
            print("level h", h, "queries", todo.size, "pairs", int(per_q.sum()))
        unresolved = []
        for a, b in _chunks(per_q, MAX_PAIRS):
            sizes = per_q[a:b]
            pos = _positions(start[a:b], count[a:b])
            d2 = (np.repeat(qx[a:b], sizes) - rx[pos]) ** 2
            d2 += (np.repeat(qy[a:b], sizes) - ry[pos]) ** 2
            d2 += (np.repeat(qz[a:b], sizes) - rz[pos]) ** 2
            has = sizes > 0
            gq = np.flatnonzero(has)  # local indices (in a:b) of queries with candidates
            gs = (np.cumsum(sizes) - sizes)[has]  # where their pairs start
            if first:
                inside, amb = _within_by_chord(d2, surely_in2, r2)
                if amb.size:
                    qa = todo[a + gq[np.searchsorted(gs, amb, side="right") - 1]]
                    s = geodesic_distance(q_lon[qa], q_lat[qa], r_lon_s[pos[amb]], r_lat_s[pos[amb]])
                    inside[amb] = _within_by_geodesic(s, radius)
                csum = np.r_[0, np.cumsum(inside)]
                n_within[todo[a + gq]] = csum[gs + sizes[has]] - csum[gs]
            # nearest: the chord minimum of each query, then exact geodesics of the near-ties
            resolved_local = np.zeros(b - a, dtype=bool)
            if gs.size:
                dmin2 = np.minimum.reduceat(d2, gs)
                ok = dmin2 <= h * h
                resolved_local[gq[ok]] = True
                cmin = np.sqrt(dmin2)
                # short: the geodesic from the chord (error < 0.01 mm up to 5 km); far: Vincenty on the
                # chord minimum and every pair that could still be shorter on the ellipsoid
                short = ok & (cmin <= SHORT_CHORD_M)
                nearest[todo[a + gq[short]]] = sphere_arc(cmin[short])
                far = ok & ~short
                if far.any():
                    thr = cmin + chord_excess(cmin * (np.pi / 2.0))
                    thr2 = np.where(far, thr * thr, -1.0)
                    sel = np.flatnonzero(d2 <= np.repeat(thr2, sizes[has]))
                    owner = np.searchsorted(gs, sel, side="right") - 1  # index into gq
                    qs = todo[a + gq[owner]]
                    s = geodesic_distance(q_lon[qs], q_lat[qs], r_lon_s[pos[sel]], r_lat_s[pos[sel]])
                    sgs = _group_starts(owner)
                    nearest[qs[sgs]] = np.minimum.reduceat(s, sgs)
            unresolved.append(todo[a:b][~resolved_local])
            step((b - a) / n if first else 0.0)
        todo = np.concatenate(unresolved) if unresolved else todo[:0]
        first = False
        if h > _EARTH_SPAN:
            break  # cannot happen: at this size every resource is a neighbour of every query
        h *= 2.0
    return n_within, nearest


def _checked_points(radius: float, *coords) -> list[np.ndarray]:
    """The coordinate arrays as float64; refused: a radius that is not a positive number of metres
    (InputError), a coordinate that is not finite (ValueError: the callers drop those first)."""
    if not (radius > 0.0) or not np.isfinite(radius):
        raise InputError(
            ja=f"半径 RADIUS は正の数（メートル）にしてください（指定値: {radius}）。",
            en=f"RADIUS must be a positive number of metres (got {radius}).",
        )
    arrays = [np.asarray(c, dtype=np.float64) for c in coords]
    for name, arr in zip(("query", "query", "resource", "resource"), arrays):
        if not np.isfinite(arr).all():
            raise ValueError(f"{name} coordinates must be finite")
    return arrays


def compute_access(
    q_lon: np.ndarray,
    q_lat: np.ndarray,
    r_lon: np.ndarray,
    r_lat: np.ndarray,
    r_type: np.ndarray,
    n_types: int,
    radius: float,
    progress: Callable[[float], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> AccessResult:
    """Count resources within ``radius`` metres (inclusive, geodesic on GRS80) and the nearest distance.

    ``q_*``: query (representative) points; ``r_*``: resources with their type index ``r_type`` in
    ``[0, n_types)``. All coordinates are degrees on GRS80 and must be finite.
    ``progress(fraction)`` is called along the way; ``is_cancelled()`` returning True raises Cancelled.
    """
    q_lon, q_lat, r_lon, r_lat = _checked_points(radius, q_lon, q_lat, r_lon, r_lat)
    r_type = np.asarray(r_type, dtype=np.int64)
    n = q_lon.size
    q_xyz = ecef(q_lon, q_lat)
    n_within = np.zeros((n, n_types), dtype=np.int64)
    nearest = np.full((n, n_types), np.nan)
    done = [0.0]

    def step(frac: float) -> None:
        if is_cancelled is not None and is_cancelled():
            raise Cancelled()
        done[0] += frac / max(n_types, 1)
        if progress is not None:
            progress(min(done[0], 1.0))

    for t in range(n_types):
        sel = r_type == t
        n_within[:, t], nearest[:, t] = _one_type(q_xyz, q_lon, q_lat, r_lon[sel], r_lat[sel], radius, step)
    return AccessResult(n_within=n_within, nearest_m=nearest)


def within_pairs(
    q_lon: np.ndarray,
    q_lat: np.ndarray,
    r_lon: np.ndarray,
    r_lat: np.ndarray,
    radius: float,
    progress: Callable[[float], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (query, resource) pair within ``radius`` metres (inclusive, geodesic on GRS80).

    The same grid and the same decision (``_within_by_chord`` / ``_by_geodesic``) as the counts of ``compute_access``: the number of
    pairs of query ``i`` equals its ``n_within`` there. Returns ``(qi, rj, chord_m)`` (int64, int64,
    float64), sorted by ``qi``; ``chord_m`` is the straight chord (for choosing the nearest of a few).
    """
    q_lon, q_lat, r_lon, r_lat = _checked_points(radius, q_lon, q_lat, r_lon, r_lat)
    empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
    n = q_lon.size
    if n == 0 or r_lon.size == 0:
        if progress is not None:
            progress(1.0)
        return empty
    q_xyz = ecef(q_lon, q_lat)
    r_xyz = ecef(r_lon, r_lat)
    q_cols = [np.ascontiguousarray(q_xyz[:, k]) for k in range(3)]
    r_cols = [np.ascontiguousarray(r_xyz[:, k]) for k in range(3)]
    r_lo = [float(c.min()) for c in r_cols]
    r_hi = [float(c.max()) for c in r_cols]
    surely_in2, r2 = _radius_bounds(radius)
    grid = _Grid(r_cols, r_lo, r_hi, q_cols, float(radius))
    order = grid.order
    rx, ry, rz = (c[order] for c in r_cols)
    r_lon_s, r_lat_s = r_lon[order], r_lat[order]
    qx, qy, qz = q_cols
    start, count = grid.neighbours()
    per_q = count.sum(axis=1)
    out_q, out_r, out_c = [], [], []
    for a, b in _chunks(per_q, MAX_PAIRS):
        if is_cancelled is not None and is_cancelled():
            raise Cancelled()
        sizes = per_q[a:b]
        pos = _positions(start[a:b], count[a:b])
        owner = np.repeat(np.arange(a, b, dtype=np.int64), sizes)
        d2 = (qx[owner] - rx[pos]) ** 2
        d2 += (qy[owner] - ry[pos]) ** 2
        d2 += (qz[owner] - rz[pos]) ** 2
        within, amb = _within_by_chord(d2, surely_in2, r2)
        if amb.size:
            qa = owner[amb]
            s = geodesic_distance(q_lon[qa], q_lat[qa], r_lon_s[pos[amb]], r_lat_s[pos[amb]])
            within[amb] = _within_by_geodesic(s, radius)
        inside = np.flatnonzero(within)
        out_q.append(owner[inside])
        out_r.append(order[pos[inside]])
        out_c.append(np.sqrt(d2[inside]))
        if progress is not None:
            progress(b / n)
    if not out_q:
        return empty
    return np.concatenate(out_q), np.concatenate(out_r).astype(np.int64), np.concatenate(out_c)


def access_status(has_access: np.ndarray, population: np.ndarray | None) -> np.ndarray:
    """``covered`` / ``blank``, or ``no_population`` where the population is exactly 0 (NaN = unknown)."""
    out = np.where(has_access, STATUS_COVERED, STATUS_BLANK).astype("<U13")
    if population is not None:
        pop = np.asarray(population, dtype=np.float64)
        out[pop == 0] = STATUS_NO_POPULATION
    return out


def safe_type_names(names: Sequence[str]) -> list[str]:
    """ASCII lower-case identifiers for resource type names, unique, in the same order.

    Full-width letters and digits become ASCII; anything else becomes ``_``. A name with no ASCII
    letter or digit left (e.g. コンビニ, 図書館) becomes ``t1``, ``t2``… by its position.
    """
    out: list[str] = []
    used: set[str] = set()
    for i, name in enumerate(names, start=1):
        text = unicodedata.normalize("NFKC", str(name or "")).lower()
        text = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
        if not re.search(r"[a-z0-9]", text):
            text = f"t{i}"
        elif text[0].isdigit():
            text = f"t{text}"
        base, k = text, 2
        while text in used:
            text = f"{base}_{k}"
            k += 1
        used.add(text)
        out.append(text)
    return out

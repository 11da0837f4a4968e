"""Fast dissolve of a polygon coverage (chōme tiling a municipality), through public APIs only.

e-Stat chōme polygons form a coverage: neighbours share their vertices exactly and do not overlap. For
such input the union is the set of edges that belong to one polygon only: the shared edges cancel. That
is linear work, several times faster than a general union, which must intersect every pair of edges.

- shapely ≥ 2: GEOS CoverageUnion through ``shapely.coverage_union_all``.
- shapely 1.8 (Debian 12, QGIS 3.22): the same idea in numpy. Every ring's edges are counted
  (undirected, by their exact end points); edges seen once are the boundary; they are chained into lines
  and ``shapely.ops.polygonize`` builds the faces, of which those inside the input are kept.

When the input is not a clean coverage (overlaps, edges noded differently) the result is refused —
GEOS raises, an edge is shared by more than two polygons, the result is invalid, or its area differs
from the sum of the parts — and the caller falls back to a general union.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

_IMPL: Any = None  # callable(shapely geometry) -> shapely geometry or None; False when unavailable


def _boundary_edges(rings: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray] | None:
    """(points, edges): the edges that belong to one ring only, as pairs of indices into ``points``
    (vertices compared exactly); None when an edge belongs to three rings or more (not a coverage)."""
    rings = [r for r in rings if len(r) >= 4]
    if not rings:
        return np.empty(0, dtype=np.complex128), np.empty((0, 2), dtype=np.intp)
    xy = np.vstack(rings)
    z = xy[:, 0] + 1j * xy[:, 1]
    # edges join consecutive vertices of a ring: not the last vertex of one ring and the first of the next
    last = np.cumsum([len(r) for r in rings]) - 1
    is_edge = np.ones(len(z) - 1, dtype=bool)
    is_edge[last[:-1]] = False
    points, ids = np.unique(z, return_inverse=True)
    a, b = ids[:-1][is_edge], ids[1:][is_edge]
    keep = a != b  # a repeated vertex is no edge
    lo, hi = np.minimum(a[keep], b[keep]), np.maximum(a[keep], b[keep])
    keys, first, counts = np.unique(
        lo.astype(np.int64) * len(points) + hi, return_index=True, return_counts=True
    )
    if counts.max(initial=0) > 2:
        return None
    once = first[counts == 1]
    return points, np.stack([lo[once], hi[once]], axis=1)


def _chains(points: np.ndarray, edges: np.ndarray) -> list[np.ndarray]:
    """The boundary edges joined into lines (x, y) that meet only where more than two edges meet, or loops."""
    n_nodes = len(points)
    degree_a = np.bincount(edges.ravel(), minlength=n_nodes)
    degree = degree_a.tolist()
    # edges at each node (CSR)
    order = np.argsort(edges.ravel(), kind="stable")
    start = np.concatenate([[0], np.cumsum(degree_a)])
    incident = (order // 2).tolist()
    start_l = start.tolist()
    ends_l = edges.tolist()
    used = [False] * len(ends_l)
    chains: list[np.ndarray] = []

    def walk(node: int, edge: int) -> None:
        path = [node]
        while True:
            used[edge] = True
            a, b = ends_l[edge]
            node = b if a == node else a
            path.append(node)
            if degree[node] != 2:
                break
            e1, e2 = incident[start_l[node]], incident[start_l[node] + 1]
            edge = e2 if e1 == edge else e1
            if used[edge]:
                break  # a closed loop
        z = points[path]
        chains.append(np.stack([z.real, z.imag], axis=1))

    for node in np.flatnonzero(degree_a != 2).tolist():
        if degree[node] == 0:
            continue
        for k in range(start_l[node], start_l[node + 1]):
            if not used[incident[k]]:
                walk(node, incident[k])
    for edge in range(len(ends_l)):  # loops made of degree-2 nodes only
        if not used[edge]:
            walk(ends_l[edge][0], edge)
    return chains


def _crossings(ring: np.ndarray, x: float, y: float) -> int:
    """How many edges of ``ring`` a ray from (x, y) towards +x crosses (even-odd rule)."""
    x1, y1, x2, y2 = ring[:-1, 0], ring[:-1, 1], ring[1:, 0], ring[1:, 1]
    straddle = (y1 > y) != (y2 > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        xs = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
    return int(np.count_nonzero(straddle & (xs > x)))


def _polygon_rings(rings: list[tuple[np.ndarray, bool]]) -> list[list[np.ndarray]]:
    """Rings grouped by polygon: each exterior ring followed by its holes (the order of the WKB)."""
    polygons: list[list[np.ndarray]] = []
    for ring, is_hole in rings:
        if is_hole and polygons:
            polygons[-1].append(ring)
        else:
            polygons.append([ring])
    return polygons


def _inside(face, polygons: list[list[np.ndarray]], bounds: np.ndarray) -> bool:
    """True when a face of the boundary lines lies inside the input (a hole or a gap lies outside)."""
    pt = face.representative_point()
    x, y = pt.x, pt.y
    near = np.flatnonzero(
        (bounds[:, 0] <= x) & (x <= bounds[:, 2]) & (bounds[:, 1] <= y) & (y <= bounds[:, 3])
    )
    return any(sum(_crossings(r, x, y) for r in polygons[i]) % 2 == 1 for i in near.tolist())


def _coverage_union_numpy(geom, wkb: bytes):
    """Coverage union for shapely 1.8: the edges used once, chained, polygonized; faces inside kept."""
    from shapely.geometry import LineString, MultiPolygon
    from shapely.ops import polygonize

    from .area import rings_from_wkb

    rings = [(np.asarray(r, dtype=np.float64), hole) for r, hole in rings_from_wkb(wkb)]
    if not rings:
        return None
    boundary = _boundary_edges([r for r, _hole in rings])
    if boundary is None or len(boundary[1]) == 0:
        return None
    polygons = _polygon_rings(rings)
    bounds = np.array([(*p[0].min(axis=0), *p[0].max(axis=0)) for p in polygons], dtype=np.float64)
    faces = list(polygonize([LineString(c) for c in _chains(*boundary)]))
    kept = [f for f in faces if _inside(f, polygons, bounds)]
    if not kept:
        return None
    # noded as a coverage: every boundary edge bounds exactly one kept face (a T-junction, where a vertex
    # of one chōme lies on an edge of its neighbour, leaves edges over that bound no face: GEOS refuses it)
    points, edges = boundary
    length = float(np.abs(points[edges[:, 0]] - points[edges[:, 1]]).sum())
    if abs(sum(f.length for f in kept) - length) > 1e-9 * length:
        return None
    return kept[0] if len(kept) == 1 else MultiPolygon(kept)


def _init() -> None:
    global _IMPL
    if _IMPL is not None:
        return
    try:
        import shapely

        if hasattr(shapely, "coverage_union_all"):  # shapely >= 2.0

            def impl2(geom, _wkb):
                return shapely.coverage_union_all(shapely.get_parts(geom))

            _IMPL = impl2
            return
        from shapely.ops import polygonize  # noqa: F401  (shapely 1.8: the numpy coverage union needs it)

        _IMPL = _coverage_union_numpy
    except Exception as err:  # no shapely
        log.info("coverage union unavailable: %s", err)
        _IMPL = False


def available() -> bool:
    _init()
    return bool(_IMPL)


def coverage_union_wkb(wkb: bytes, parts_area: float | None = None, rel_tol: float = 1e-6) -> bytes | None:
    """Union of the polygons of a (Multi)Polygon/collection WKB that form a coverage, as WKB.

    None when not available or when the input is not a clean coverage (the caller then uses a
    general union). ``parts_area`` (planar area of the input parts in the same units) guards
    against overlapping parts: the union of a coverage has exactly that area.
    """
    _init()
    if not _IMPL:
        return None
    try:
        from shapely import wkb as shp_wkb

        geom = shp_wkb.loads(bytes(wkb))
        out = _IMPL(geom, bytes(wkb))
        if out is None or out.is_empty or not out.is_valid:
            return None
        area = parts_area if parts_area is not None else geom.area
        if area > 0 and abs(out.area - area) > rel_tol * area:
            return None
        return out.wkb
    except Exception as err:  # GEOS TopologyException: "incorrectly noded", overlaps
        log.debug("coverage union refused: %s", err)
        return None

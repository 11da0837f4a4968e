"""Area on the GRS80 ellipsoid of polygons given in longitude / latitude degrees (numpy only).

Method: every vertex is mapped to the cylindrical equal-area projection of the ellipsoid,
x = a·λ, y = a·q(φ)/2, where q is the authalic function (Snyder 1987, eq. 3-12). The map is
equal-area, so the shoelace area of a ring in (x, y) is its area on the ellipsoid when the ring's
edges are straight in that projection. Meridians and parallels are straight there, so a cell
bounded by meridians and parallels is exact; for other edges the difference from a geodesic edge
is of the order L²·tanφ / (8R) per edge of length L (about 1 cm for a 1 km edge at 35°N, a relative
area error below 1e-5 for chōme polygons). Shoelace sums are taken relative to each ring's first
vertex, so precision does not suffer from the large absolute longitude.

Rings are fed as flat vertex arrays with ring offsets, so a whole country is one numpy pass.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable, Sequence

import numpy as np

GRS80_A = 6378137.0
GRS80_F = 1.0 / 298.257222101
GRS80_E2 = GRS80_F * (2.0 - GRS80_F)
GRS80_E = math.sqrt(GRS80_E2)


def authalic_q(lat_deg: np.ndarray | float, e: float = GRS80_E) -> np.ndarray:
    """q(φ) of Snyder (3-12): (1−e²)[sinφ/(1−e²sin²φ) − 1/(2e)·ln((1−e sinφ)/(1+e sinφ))]."""
    s = np.sin(np.radians(np.asarray(lat_deg, dtype=float)))
    e2 = e * e
    return (1.0 - e2) * (s / (1.0 - e2 * s * s) - (0.5 / e) * np.log((1.0 - e * s) / (1.0 + e * s)))


def ellipsoid_surface_area(a: float = GRS80_A, f: float = GRS80_F) -> float:
    """Total surface area (m²) of the ellipsoid: 2πa²·q(90°)."""
    e = math.sqrt(f * (2.0 - f))
    return float(2.0 * math.pi * a * a * authalic_q(90.0, e))


def cell_area_m2(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Area (m²) of the cell between two meridians and two parallels on GRS80 (exact)."""
    dq = float(authalic_q(max(lat1, lat2)) - authalic_q(min(lat1, lat2)))
    return GRS80_A * GRS80_A / 2.0 * abs(math.radians(lon2 - lon1)) * dq


def ring_areas_m2(lon: np.ndarray, lat: np.ndarray, ring_starts: np.ndarray) -> np.ndarray:
    """Signed area (m²) of each ring; ring r is vertices ring_starts[r] … ring_starts[r+1]-1.

    Counter-clockwise rings (in lon/lat) are positive. A ring need not repeat its first vertex.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    starts = np.asarray(ring_starts, dtype=np.int64)
    n_rings = len(starts)
    if n_rings == 0:
        return np.zeros(0)
    n = len(lon)
    lengths = np.diff(np.append(starts, n))
    if np.any(lengths < 0):
        raise ValueError("ring_starts must be increasing")
    x = np.radians(lon)
    y = authalic_q(lat)
    ring_of = np.repeat(np.arange(n_rings), lengths)
    x = x - x[starts][ring_of]
    y = y - y[starts][ring_of]
    # cross product of consecutive vertices inside a ring; with coordinates relative to the ring's
    # first vertex the closing edge (last → first) contributes 0, so open and closed rings agree.
    cross = np.zeros(n)
    if n > 1:
        c = x[:-1] * y[1:] - x[1:] * y[:-1]
        same = ring_of[:-1] == ring_of[1:]
        cross[:-1] = np.where(same, c, 0.0)
    sums = np.zeros(n_rings)
    nonempty = lengths > 0
    if np.any(nonempty):
        sums[nonempty] = np.add.reduceat(cross, starts[nonempty])
    return 0.5 * sums * GRS80_A * GRS80_A / 2.0


class RingCollector:
    """Accumulates polygon rings (lon/lat) tagged with a group index, then sums areas per group.

    Exterior rings add their absolute area, holes subtract theirs, whatever their orientation.
    """

    def __init__(self) -> None:
        self._coords: list[np.ndarray] = []
        self._group: list[int] = []
        self._hole: list[bool] = []

    def add_ring(self, coords: np.ndarray, group: int, hole: bool) -> None:
        self._coords.append(np.asarray(coords, dtype=float)[:, :2])
        self._group.append(group)
        self._hole.append(hole)

    def add_wkb(self, wkb: bytes, group: int) -> None:
        for coords, hole in rings_from_wkb(wkb):
            self.add_ring(coords, group, hole)

    def __len__(self) -> int:
        return len(self._coords)

    def group_areas_m2(self, n_groups: int) -> np.ndarray:
        out = np.zeros(n_groups)
        if not self._coords:
            return out
        lengths = np.array([len(c) for c in self._coords], dtype=np.int64)
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        xy = np.concatenate(self._coords) if self._coords else np.zeros((0, 2))
        areas = np.abs(ring_areas_m2(xy[:, 0], xy[:, 1], starts))
        sign = np.where(np.array(self._hole), -1.0, 1.0)
        np.add.at(out, np.array(self._group, dtype=np.int64), sign * areas)
        return out


def polygons_area_m2(polygons: Iterable[Sequence[np.ndarray]]) -> np.ndarray:
    """Area (m²) of each polygon given as [exterior, hole, hole, ...] arrays of (lon, lat)."""
    rc = RingCollector()
    n = 0
    for i, rings in enumerate(polygons):
        n = i + 1
        for k, ring in enumerate(rings):
            rc.add_ring(np.asarray(ring, dtype=float), i, k > 0)
    return rc.group_areas_m2(n)


# --- WKB ----------------------------------------------------------------------------------------

_POLYGON, _MULTIPOLYGON, _COLLECTION = 3, 6, 7
_MULTISURFACE, _CURVEPOLYGON = 12, 10


def _dims(type_code: int) -> tuple[int, int]:
    """(base type, number of ordinates) from an ISO or EWKB geometry type code."""
    ndim = 2
    if type_code & 0x80000000:  # EWKB Z
        ndim += 1
    if type_code & 0x40000000:  # EWKB M
        ndim += 1
    type_code &= 0x0FFFFFFF
    thousands, base = divmod(type_code, 1000)
    if thousands == 1 or thousands == 2:  # ISO Z or M
        ndim += 1
    elif thousands == 3:  # ISO ZM
        ndim += 2
    return base, ndim


def rings_from_wkb(wkb: bytes) -> list[tuple[np.ndarray, bool]]:
    """Rings of the polygons in a WKB geometry as [(n×2 array of x, y), is_hole]; other parts ignored.

    Handles Polygon, MultiPolygon and GeometryCollection, 2D/Z/M/ZM (ISO and EWKB), both byte orders.
    Curved types are not decoded: segmentize them first.
    """
    buf = memoryview(bytes(wkb))
    out: list[tuple[np.ndarray, bool]] = []

    def read(pos: int) -> int:
        order = buf[pos]
        bo = "<" if order == 1 else ">"
        (code,) = struct.unpack_from(bo + "I", buf, pos + 1)
        if code & 0x20000000:  # EWKB SRID
            pos += 4
        base, ndim = _dims(code)
        pos += 5
        if base == _POLYGON:
            (n_rings,) = struct.unpack_from(bo + "I", buf, pos)
            pos += 4
            for r in range(n_rings):
                (n_pts,) = struct.unpack_from(bo + "I", buf, pos)
                pos += 4
                arr = np.frombuffer(buf, dtype=bo + "f8", count=n_pts * ndim, offset=pos)
                out.append((arr.reshape(n_pts, ndim)[:, :2], r > 0))
                pos += 8 * n_pts * ndim
            return pos
        if base in (_MULTIPOLYGON, _COLLECTION, _MULTISURFACE):
            (n_parts,) = struct.unpack_from(bo + "I", buf, pos)
            pos += 4
            for _ in range(n_parts):
                pos = read(pos)
            return pos
        if base == 1:  # point
            return pos + 8 * ndim
        if base == 2:  # linestring
            (n_pts,) = struct.unpack_from(bo + "I", buf, pos)
            return pos + 4 + 8 * n_pts * ndim
        if base in (4, 5):  # multipoint, multilinestring
            (n_parts,) = struct.unpack_from(bo + "I", buf, pos)
            pos += 4
            for _ in range(n_parts):
                pos = read(pos)
            return pos
        raise ValueError(f"unsupported WKB geometry type {code}")

    if len(buf):
        read(0)
    return out

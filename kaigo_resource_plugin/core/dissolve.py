"""Fast dissolve of a polygon coverage (chōme tiling a municipality) with GEOS CoverageUnion.

e-Stat chōme polygons form a coverage: neighbours share their vertices exactly and do not overlap.
For such input GEOS CoverageUnion (GEOS ≥ 3.8) cancels the shared edges in linear time, several
times faster than a general union (measured: Tottori 0.12 s vs 0.55 s, identical result). When the
input is not a clean coverage (overlaps, edges noded differently) GEOS raises, the result is invalid,
or its area differs from the sum of the parts: the caller then falls back to a general union.

Works with shapely 2 (``coverage_union_all``) and shapely 1.8 (the GEOS C API through ctypes).
"""

from __future__ import annotations

import ctypes
import logging
from typing import Any

log = logging.getLogger(__name__)

_IMPL: Any = None  # callable(shapely geometry) -> shapely geometry or None; False when unavailable


def _init() -> None:
    global _IMPL
    if _IMPL is not None:
        return
    try:
        import shapely

        if hasattr(shapely, "coverage_union_all"):  # shapely >= 2.0

            def impl2(geom):
                return shapely.coverage_union_all(shapely.get_parts(geom))

            _IMPL = impl2
            return
        from shapely.geometry.base import geom_factory
        from shapely.geos import lgeos

        fn = lgeos._lgeos.GEOSCoverageUnion_r
        fn.restype = ctypes.c_void_p
        fn.argtypes = [ctypes.c_void_p, ctypes.c_void_p]

        def impl18(geom):
            ptr = fn(lgeos.geos_handle, geom._geom)
            return geom_factory(ptr) if ptr else None

        _IMPL = impl18
    except Exception as err:  # no shapely, or a GEOS without CoverageUnion
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
        out = _IMPL(geom)
        if out is None or out.is_empty or not out.is_valid:
            return None
        area = parts_area if parts_area is not None else geom.area
        if area > 0 and abs(out.area - area) > rel_tol * area:
            return None
        return out.wkb
    except Exception as err:  # GEOS TopologyException: "incorrectly noded", overlaps
        log.debug("coverage union refused: %s", err)
        return None

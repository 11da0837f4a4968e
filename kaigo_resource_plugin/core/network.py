"""Walking distance along a line network (SPEC §6): graph, snapping and a multi-source Dijkstra.

Only numpy and the standard library (``heapq``); nothing here imports QGIS, and scipy is not needed
(it is not part of every QGIS install).

* The graph is built from the vertex arrays of all lines at once (numpy, no loop over features).
  Its nodes are the vertices where lines meet: the two ends of every line and every vertex that
  several lines (or one line twice) share, with exactly the same coordinates. Lines that only cross,
  without a shared vertex, are not connected (bridges, tunnels). The vertices in between are folded
  into the edges, whose length is the sum of their segments on the GRS80 ellipsoid.
* A point (chōme or resource) joins the network at the nearest point of the nearest segment. The
  connector counts, and so does the part of the edge from that point to each of its two end nodes:
  the edge is split at the snap point (a chōme and a resource on the same edge also reach each other
  directly along it). A point farther than ``max_snap`` metres from every line is off the network.
* One Dijkstra per resource type, started from all its resources at once (a virtual source joined to
  each resource's snap point by its connector), gives the distance of every chōme in one pass.

Lengths: a segment's length is the arc on the mean sphere of its 3-D chord (``geodesy.sphere_arc``,
within 0.01 mm of the geodesic up to 5 km), and Vincenty's geodesic beyond 5 km. An optional cost
factor per line multiplies the length of its edges (e.g. a slope or a per-highway factor); the
connector is always walked at its length.
"""

from __future__ import annotations

import heapq
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .errors import Cancelled
from .geodesy import A, ecef, geodesic_distance, sphere_arc

# Segments longer than this (chord, metres) are measured with Vincenty's formula (see module doc).
SHORT_CHORD_M = 5000.0
# "Within the radius" is inclusive, as for the straight line (core.access).
INCLUSIVE_EPS_M = 1e-6
# First cell size of the snapping search (metres); doubled until MAX_SNAP.
FIRST_CELL_M = 50.0
# Point–segment pairs examined at once (bounds memory: about 200 bytes a pair).
MAX_PAIRS = 2_000_000
# Metres of one degree of latitude, at least (meridian radius of curvature at the equator).
_MIN_M_PER_DEG_LAT = np.pi / 180.0 * A * (1.0 - 0.0066943800229)


@dataclass
class Network:
    """A line network as a graph (see ``build_network``). Vertex arrays are in the order of the lines."""

    lon: np.ndarray  # vertex longitudes (degrees, GRS80)
    lat: np.ndarray
    xyz: np.ndarray  # (n_vertices, 3) ECEF metres
    line_of: np.ndarray  # line index of each vertex
    seg_len: np.ndarray  # length (m) of the segment from vertex i to i + 1 (0 at the last vertex of a line)
    cum: np.ndarray  # cumulative length at each vertex (differences within a line are lengths along it)
    factor: np.ndarray  # cost factor of each line (1.0 without COST_FIELD)
    node_of: np.ndarray  # graph node of each vertex, -1 for a vertex inside an edge
    prev_node: np.ndarray  # index of the nearest node vertex at or before each vertex (same line)
    next_node: np.ndarray  # index of the nearest node vertex at or after each vertex (same line)
    n_nodes: int
    n_edges: int
    indptr: list  # CSR adjacency (Python lists: the Dijkstra loop reads them element by element)
    indices: list
    weights: list
    n_lines: int
    n_components: int = 0


@dataclass
class Snap:
    """Where points join the network (arrays, one entry per point)."""

    ok: np.ndarray  # bool: within max_snap of a line
    connector_m: np.ndarray  # metres from the point to the network (NaN when off the network)
    segment: np.ndarray  # start vertex of the segment joined (-1 when off the network)
    t: np.ndarray  # position on that segment, 0 … 1
    node_u: np.ndarray  # the two end nodes of the edge joined
    node_v: np.ndarray
    cost_u: np.ndarray  # cost from the snap point along the edge to node_u / node_v
    cost_v: np.ndarray
    edge: np.ndarray  # an id of the edge joined (its first vertex)
    pos: np.ndarray  # cost position of the snap point along its line (for points on the same edge)


def segment_lengths(xyz: np.ndarray, lon: np.ndarray, lat: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Ellipsoidal length of the segments from vertex ``starts`` to ``starts + 1``."""
    d = xyz[starts + 1] - xyz[starts]
    chord = np.sqrt(np.einsum("ij,ij->i", d, d))
    out = sphere_arc(chord)
    far = chord > SHORT_CHORD_M
    if far.any():
        s = starts[far]
        out[far] = geodesic_distance(lon[s], lat[s], lon[s + 1], lat[s + 1])
    return out


def build_network(
    lon: np.ndarray,
    lat: np.ndarray,
    line_start: np.ndarray,
    factor: np.ndarray | None = None,
) -> Network:
    """Graph of the lines whose vertices are ``lon[line_start[k]:line_start[k + 1]]`` (and ``lat``).

    ``factor``: optional cost factor per line (> 0). Lines with fewer than 2 vertices are ignored.
    """
    lon = np.asarray(lon, dtype=np.float64)
    lat = np.asarray(lat, dtype=np.float64)
    line_start = np.asarray(line_start, dtype=np.int64)
    n_lines = line_start.size - 1
    counts = np.diff(line_start)
    fac = np.ones(n_lines) if factor is None else np.asarray(factor, dtype=np.float64)
    keep_line = counts >= 2
    if not keep_line.all():
        keep_v = np.repeat(keep_line, counts)
        lon, lat = lon[keep_v], lat[keep_v]
        counts = counts[keep_line]
        fac = fac[keep_line]
        line_start = np.concatenate([[0], np.cumsum(counts)])
    n_l = counts.size
    n_v = lon.size
    line_of = np.repeat(np.arange(n_l, dtype=np.int64), counts)
    xyz = ecef(lon, lat)
    is_first = np.zeros(n_v, dtype=bool)
    is_last = np.zeros(n_v, dtype=bool)
    is_first[line_start[:-1]] = True
    is_last[line_start[1:] - 1] = True
    seg_len = np.zeros(n_v)
    starts = np.flatnonzero(~is_last)
    if starts.size:
        seg_len[starts] = segment_lengths(xyz, lon, lat, starts)
    cum = np.zeros(n_v)
    if n_v > 1:
        np.cumsum(seg_len[:-1], out=cum[1:])

    # vertices with identical coordinates are one place
    order = np.lexsort((lat, lon))
    slon, slat = lon[order], lat[order]
    new = np.ones(n_v, dtype=bool)
    if n_v > 1:
        new[1:] = (slon[1:] != slon[:-1]) | (slat[1:] != slat[:-1])
    gid_sorted = np.cumsum(new) - 1
    gid = np.empty(n_v, dtype=np.int64)
    gid[order] = gid_sorted
    n_groups = int(gid_sorted[-1]) + 1 if n_v else 0
    # A place is a node when a line ends there or when it does not have exactly two neighbouring
    # places (a junction, or a dead end within a line). A vertex that two lines share while running
    # along each other (e.g. the same street digitised twice, once in each direction) is no junction.
    sa, sb = gid[starts], gid[starts + 1]
    moving = sa != sb
    sa, sb = sa[moving], sb[moving]
    pair_keys = np.unique(np.concatenate([sa * n_groups + sb, sb * n_groups + sa]))
    n_neighbours = np.bincount(pair_keys // n_groups, minlength=n_groups) if n_groups else np.zeros(0, int)
    end_group = np.zeros(n_groups, dtype=bool)
    end_group[gid[is_first | is_last]] = True
    group_is_node = end_group | (n_neighbours != 2)
    is_node = group_is_node[gid] | is_first | is_last
    node_of_group = np.full(n_groups, -1, dtype=np.int64)
    node_of_group[group_is_node] = np.arange(int(group_is_node.sum()))
    node_of = np.where(is_node, node_of_group[gid], -1)
    n_nodes = int(group_is_node.sum())

    idx = np.arange(n_v, dtype=np.int64)
    prev_node = np.maximum.accumulate(np.where(is_node, idx, -1)) if n_v else idx
    next_node = np.minimum.accumulate(np.where(is_node, idx, n_v)[::-1])[::-1] if n_v else idx

    # edges: consecutive node vertices of the same line
    nv = np.flatnonzero(is_node)
    a, b = nv[:-1], nv[1:]
    same = line_of[a] == line_of[b]
    a, b = a[same], b[same]
    cost = (cum[b] - cum[a]) * fac[line_of[a]]
    u, v = node_of[a], node_of[b]
    loop = u == v
    u, v, cost = u[~loop], v[~loop], cost[~loop]
    src = np.concatenate([u, v])
    dst = np.concatenate([v, u])
    w = np.concatenate([cost, cost])
    # parallel edges (the same street twice): keep the cheapest
    o = np.lexsort((w, dst, src))
    src, dst, w = src[o], dst[o], w[o]
    first = np.ones(src.size, dtype=bool)
    first[1:] = (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])
    src, dst, w = src[first], dst[first], w[first]
    o = np.arange(src.size)
    indptr = np.zeros(n_nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n_nodes), out=indptr[1:])
    return Network(
        lon=lon,
        lat=lat,
        xyz=xyz,
        line_of=line_of,
        seg_len=seg_len,
        cum=cum,
        factor=fac,
        node_of=node_of,
        prev_node=prev_node,
        next_node=next_node,
        n_nodes=n_nodes,
        n_edges=int(src.size // 2),
        indptr=indptr.tolist(),
        indices=dst[o].tolist(),
        weights=w[o].tolist(),
        n_lines=n_l,
    )


def _segment_table(net: Network) -> tuple[np.ndarray, ...]:
    """Start vertex and lon/lat bounding box of every segment."""
    last = np.zeros(net.lon.size, dtype=bool)
    if net.lon.size:
        last[-1] = True
        last[:-1] = net.line_of[1:] != net.line_of[:-1]
    s = np.flatnonzero(~last)
    lo_lon = np.minimum(net.lon[s], net.lon[s + 1])
    hi_lon = np.maximum(net.lon[s], net.lon[s + 1])
    lo_lat = np.minimum(net.lat[s], net.lat[s + 1])
    hi_lat = np.maximum(net.lat[s], net.lat[s + 1])
    return s, lo_lon, hi_lon, lo_lat, hi_lat


def _point_segment(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(chord distance, t) from points ``p`` to segments ``a``–``b`` (ECEF rows)."""
    ab = b - a
    ap = p - a
    den = np.einsum("ij,ij->i", ab, ab)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(den > 0.0, np.einsum("ij,ij->i", ap, ab) / den, 0.0)
    t = np.clip(t, 0.0, 1.0)
    q = a + t[:, None] * ab
    d = p - q
    return np.sqrt(np.einsum("ij,ij->i", d, d)), t


def snap_points(
    net: Network,
    lon: np.ndarray,
    lat: np.ndarray,
    max_snap: float,
    is_cancelled: Callable[[], bool] | None = None,
) -> Snap:
    """Join each point to the nearest point of the nearest segment (within ``max_snap`` metres).

    Exact: candidates come from a lon/lat grid whose cells are at least ``h`` metres wide everywhere in
    the data, so every segment within ``h`` of a point lies in the 3 × 3 cells around it; a point whose
    nearest candidate is farther than ``h`` is searched again with ``h`` doubled, up to ``max_snap``.
    Ties go to the segment that comes first in the layer.
    """
    lon = np.asarray(lon, dtype=np.float64)
    lat = np.asarray(lat, dtype=np.float64)
    n = lon.size
    best_d = np.full(n, np.inf)
    best_s = np.full(n, -1, dtype=np.int64)
    best_t = np.zeros(n)
    finite = np.isfinite(lon) & np.isfinite(lat)
    seg, lo_lon, hi_lon, lo_lat, hi_lat = _segment_table(net)
    if n and seg.size and max_snap > 0:
        pxyz = ecef(np.where(finite, lon, 0.0), np.where(finite, lat, 0.0))
        lat_max = float(max(np.abs(net.lat).max(), np.abs(lat[finite]).max() if finite.any() else 0.0))
        cos_min = np.cos(np.radians(min(lat_max + 0.05, 89.0)))
        todo = np.flatnonzero(finite)
        h = min(FIRST_CELL_M, max_snap)
        while todo.size:
            if is_cancelled is not None and is_cancelled():
                raise Cancelled()
            cell_lat = h * 1.02 / _MIN_M_PER_DEG_LAT
            cell_lon = h * 1.02 / (np.pi / 180.0 * A * cos_min)
            _search_level(
                net,
                seg,
                lo_lon,
                hi_lon,
                lo_lat,
                hi_lat,
                lon,
                lat,
                pxyz,
                todo,
                cell_lon,
                cell_lat,
                best_d,
                best_s,
                best_t,
            )
            settled = best_d[todo] <= h
            if h >= max_snap:
                break
            todo = todo[~settled]
            h = min(2.0 * h, max_snap)
    connector = sphere_arc(best_d)
    ok = np.isfinite(best_d) & (connector <= max_snap + INCLUSIVE_EPS_M)
    connector[~ok] = np.nan
    s = np.where(ok, best_s, 0)
    t = np.where(ok, best_t, 0.0)
    nv = net.lon.size
    if nv == 0:
        z = np.zeros(n, dtype=np.int64)
        return Snap(ok, connector, np.full(n, -1), t, z, z, np.zeros(n), np.zeros(n), z, np.zeros(n))
    f = net.factor[net.line_of[s]]
    pos_len = net.cum[s] + t * net.seg_len[s]
    a = net.prev_node[s]
    b = net.next_node[np.minimum(s + 1, nv - 1)]
    cost_u = (pos_len - net.cum[a]) * f
    cost_v = (net.cum[b] - pos_len) * f
    return Snap(
        ok=ok,
        connector_m=connector,
        segment=np.where(ok, best_s, -1),
        t=t,
        node_u=net.node_of[a],
        node_v=net.node_of[b],
        cost_u=np.maximum(cost_u, 0.0),
        cost_v=np.maximum(cost_v, 0.0),
        edge=a,
        pos=pos_len * f,
    )


def _search_level(
    net, seg, lo_lon, hi_lon, lo_lat, hi_lat, lon, lat, pxyz, todo, cell_lon, cell_lat, best_d, best_s, best_t
) -> None:
    """Update best_* of the points ``todo`` with the segments in the 3 × 3 cells around each."""
    qx = np.floor((lon[todo] + 180.0) / cell_lon).astype(np.int64)
    qy = np.floor((lat[todo] + 90.0) / cell_lat).astype(np.int64)
    # only segments whose box comes within one cell of some query
    x0 = np.floor((lo_lon + 180.0) / cell_lon).astype(np.int64)
    x1 = np.floor((hi_lon + 180.0) / cell_lon).astype(np.int64)
    y0 = np.floor((lo_lat + 90.0) / cell_lat).astype(np.int64)
    y1 = np.floor((hi_lat + 90.0) / cell_lat).astype(np.int64)
    near = (x1 >= qx.min() - 1) & (x0 <= qx.max() + 1) & (y1 >= qy.min() - 1) & (y0 <= qy.max() + 1)
    cand = np.flatnonzero(near)
    if cand.size == 0:
        return
    x0, x1, y0, y1 = x0[cand], x1[cand], y0[cand], y1[cand]
    ky = int(max(y1.max(), qy.max())) + 3
    # each query registered in its 9 surrounding cells
    dx = np.repeat(np.arange(-1, 2), 3)
    dy = np.tile(np.arange(-1, 2), 3)
    qkeys = ((qx[:, None] + dx[None, :]) * ky + (qy[:, None] + dy[None, :])).ravel()
    qpoint = np.repeat(todo, 9)
    o = np.argsort(qkeys, kind="stable")
    qkeys, qpoint = qkeys[o], qpoint[o]
    nx_ = x1 - x0 + 1
    ny_ = y1 - y0 + 1
    ncell = nx_ * ny_
    # segments in chunks whose cell expansion stays bounded
    csum = np.cumsum(ncell)
    start = 0
    while start < cand.size:
        base = csum[start - 1] if start else 0
        stop = int(np.searchsorted(csum, base + MAX_PAIRS, side="right"))
        stop = max(stop, start + 1)
        sl = slice(start, stop)
        nc = ncell[sl]
        rep = np.repeat(np.arange(start, stop), nc)
        k = np.arange(rep.size) - np.repeat(np.cumsum(nc) - nc, nc)
        cx = x0[rep] + k // ny_[rep]
        cy = y0[rep] + k % ny_[rep]
        keys = cx * ky + cy
        lo = np.searchsorted(qkeys, keys, side="left")
        hi = np.searchsorted(qkeys, keys, side="right")
        cnt = hi - lo
        has = cnt > 0
        rep, lo, cnt = rep[has], lo[has], cnt[has]
        if rep.size:
            _pairs(
                net, seg[cand[np.repeat(rep, cnt)]], qpoint[_ranges(lo, cnt)], pxyz, best_d, best_s, best_t
            )
        start = stop


def _ranges(start: np.ndarray, count: np.ndarray) -> np.ndarray:
    total = int(count.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offs = np.cumsum(count) - count
    return np.repeat(start - offs, count) + np.arange(total)


def _pairs(net, segs, points, pxyz, best_d, best_s, best_t) -> None:
    for i in range(0, segs.size, MAX_PAIRS):
        s = segs[i : i + MAX_PAIRS]
        p = points[i : i + MAX_PAIRS]
        d, t = _point_segment(pxyz[p], net.xyz[s], net.xyz[s + 1])
        o = np.lexsort((s, d, p))
        p, s, d, t = p[o], s[o], d[o], t[o]
        first = np.ones(p.size, dtype=bool)
        first[1:] = p[1:] != p[:-1]
        p, s, d, t = p[first], s[first], d[first], t[first]
        better = (d < best_d[p]) | ((d == best_d[p]) & (s < best_s[p]))
        p, s, d, t = p[better], s[better], d[better], t[better]
        best_d[p] = d
        best_s[p] = s
        best_t[p] = t


def dijkstra(
    net: Network,
    seed_nodes: Sequence[int],
    seed_cost: Sequence[float],
    targets: np.ndarray | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> np.ndarray:
    """Cost from the nearest seed to every node (inf where unreachable); several seeds at once.

    Stops as soon as every node of ``targets`` is settled (the rest keep an upper bound or inf).
    """
    n = net.n_nodes
    dist = [float("inf")] * n
    heap = []
    for node, c in zip(seed_nodes, seed_cost):
        if c < dist[node]:
            dist[node] = c
            heap.append((c, node))
    heapq.heapify(heap)
    done = bytearray(n)
    if targets is not None:
        want = bytearray(n)
        tl = np.unique(np.asarray(targets, dtype=np.int64))
        tl = tl[tl >= 0].tolist()
        for t in tl:
            want[t] = 1
        remaining = len(tl)
    else:
        want = None
        remaining = -1
    indptr, indices, weights = net.indptr, net.indices, net.weights
    pop, push = heapq.heappop, heapq.heappush
    k = 0
    while heap:
        d, u = pop(heap)
        if done[u]:
            continue
        done[u] = 1
        if want is not None and want[u]:
            remaining -= 1
            if remaining == 0:
                break
        k += 1
        if not k & 0xFFFF and is_cancelled is not None and is_cancelled():
            raise Cancelled()
        a, b = indptr[u], indptr[u + 1]
        for v, w in zip(indices[a:b], weights[a:b]):
            nd = d + w
            if nd < dist[v]:
                dist[v] = nd
                push(heap, (nd, v))
    return np.array(dist, dtype=np.float64)


def network_distance(
    net: Network,
    res: Snap,
    res_mask: np.ndarray,
    dest: Snap,
    is_cancelled: Callable[[], bool] | None = None,
) -> np.ndarray:
    """Network cost from every destination point to the nearest resource of ``res_mask`` (one pass).

    NaN for destinations off the network; inf when no resource can be reached.
    """
    n = dest.ok.size
    out = np.full(n, np.inf)
    r = np.flatnonzero(res_mask & res.ok)
    if r.size:
        seeds = np.concatenate([res.node_u[r], res.node_v[r]])
        costs = np.concatenate([res.connector_m[r] + res.cost_u[r], res.connector_m[r] + res.cost_v[r]])
        q = np.flatnonzero(dest.ok)
        targets = np.concatenate([dest.node_u[q], dest.node_v[q]])
        dist = dijkstra(net, seeds.tolist(), costs.tolist(), targets, is_cancelled)
        via_u = dest.connector_m[q] + dest.cost_u[q] + dist[dest.node_u[q]]
        via_v = dest.connector_m[q] + dest.cost_v[q] + dist[dest.node_v[q]]
        best = np.minimum(via_u, via_v)
        # a resource on the same edge is reached directly along it
        re = res.edge[r]
        o = np.argsort(re, kind="stable")
        re, r_sorted = re[o], r[o]
        lo = np.searchsorted(re, dest.edge[q], side="left")
        hi = np.searchsorted(re, dest.edge[q], side="right")
        cnt = hi - lo
        if cnt.any():
            qi = np.repeat(np.arange(q.size), cnt)
            ri = r_sorted[_ranges(lo, cnt)]
            qq = q[qi]
            direct = res.connector_m[ri] + np.abs(res.pos[ri] - dest.pos[qq]) + dest.connector_m[qq]
            np.minimum.at(best, qi, direct)
        out[q] = best
    out[~dest.ok] = np.nan
    return out


@dataclass
class NetworkAccess:
    """Per destination point and resource type (columns in the order of the types)."""

    net_m: np.ndarray  # (n, T) network cost; NaN off the network or when no resource is reachable
    net_access: np.ndarray  # (n, T) bool: net_m ≤ radius
    dest_snap: Snap
    res_snap: Snap


def network_access(
    net: Network,
    dest_lon: np.ndarray,
    dest_lat: np.ndarray,
    res_lon: np.ndarray,
    res_lat: np.ndarray,
    res_type: np.ndarray,
    n_types: int,
    radius: float,
    max_snap: float,
    progress: Callable[[float], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> NetworkAccess:
    """Snap chōme and resources, then one multi-source search per resource type."""
    # one snapping pass for chōme and resources together (each level scans every segment once)
    n_dest = np.asarray(dest_lon).size
    both = snap_points(
        net,
        np.concatenate([np.asarray(dest_lon, dtype=np.float64), np.asarray(res_lon, dtype=np.float64)]),
        np.concatenate([np.asarray(dest_lat, dtype=np.float64), np.asarray(res_lat, dtype=np.float64)]),
        max_snap,
        is_cancelled,
    )
    dest = _subset(both, slice(0, n_dest))
    res = _subset(both, slice(n_dest, None))
    if progress:
        progress(0.4)
    n = dest.ok.size
    net_m = np.full((n, n_types), np.nan)
    res_type = np.asarray(res_type, dtype=np.int64)
    for k in range(n_types):
        d = network_distance(net, res, res_type == k, dest, is_cancelled)
        d[np.isinf(d)] = np.nan
        net_m[:, k] = d
        if progress:
            progress(0.4 + 0.6 * (k + 1) / max(n_types, 1))
    with np.errstate(invalid="ignore"):
        acc = net_m <= radius + INCLUSIVE_EPS_M
    return NetworkAccess(net_m, acc, dest, res)


def _subset(snap: Snap, sl: slice) -> Snap:
    return Snap(**{k: getattr(snap, k)[sl] for k in Snap.__dataclass_fields__})


def nan_min(a: np.ndarray) -> np.ndarray:
    """Row minimum ignoring NaN (NaN when the whole row is NaN or there is no column)."""
    if a.shape[1] == 0:
        return np.full(a.shape[0], np.nan)
    filled = np.where(np.isnan(a), np.inf, a)
    out = filled.min(axis=1)
    out[np.isinf(out)] = np.nan
    return out


def detour_ratio(net_m: np.ndarray, straight_m: np.ndarray) -> np.ndarray:
    """net_m / straight_m; NaN where either is missing or the straight line is 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        out = net_m / straight_m
    out[~np.isfinite(out)] = np.nan
    return out


# ---------------------------------------------------------------- WKB lines → vertex arrays


_LINE = 2
_MULTILINE = 5


def _wkb_kind(code: int) -> tuple[int, int]:
    """(base type, coordinate dimension) of a WKB type code (ISO and EWKB flags)."""
    dims = 2
    if code & 0x80000000:
        dims += 1
        code &= ~0x80000000
    if code & 0x40000000:
        dims += 1
        code &= ~0x40000000
    code &= 0x0FFFFFFF
    base = code % 1000
    flag = code // 1000
    dims += {0: 0, 1: 1, 2: 1, 3: 2}.get(flag, 0)
    return base, dims


def lines_from_wkb(blobs: Sequence) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """(x, y, line_start, line_feature, n_skipped) of (multi)line WKB geometries, X/Y only.

    Each part of a multi-line is one line; ``line_feature`` gives the index of the geometry it came
    from. Geometries that are not lines (or NULL/empty) are skipped and counted. The common case
    (every geometry a little-endian 2-D LineString) is parsed without a Python loop.
    """
    blobs = [b if isinstance(b, (bytes, bytearray)) else (bytes(b) if b is not None else b"") for b in blobs]
    n = len(blobs)
    if n == 0:
        z = np.zeros(0)
        return z, z, np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int64), 0
    sizes = np.fromiter((len(b) for b in blobs), dtype=np.int64, count=n)
    buf = np.frombuffer(b"".join(blobs), dtype=np.uint8)
    offs = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    fast = False
    if (sizes >= 9).all():
        head = offs[:, None] + np.arange(9)[None, :]
        h = buf[head]
        order = h[:, 0]
        code = h[:, 1:5].copy().view("<u4").ravel()
        npts = h[:, 5:9].copy().view("<u4").ravel().astype(np.int64)
        fast = bool((order == 1).all() and (code == _LINE).all() and (sizes == 9 + 16 * npts).all())
    if fast:
        mask = np.ones(buf.size, dtype=bool)
        mask[head.ravel()] = False
        xy = buf[mask].view("<f8").reshape(-1, 2)
        line_start = np.concatenate([[0], np.cumsum(npts)])
        return xy[:, 0].copy(), xy[:, 1].copy(), line_start, np.arange(n, dtype=np.int64), 0
    xs: list = []
    ys: list = []
    starts = [0]
    feature: list[int] = []
    skipped = 0
    total = 0
    for i, blob in enumerate(blobs):
        parts = _parse_lines(blob)
        if not parts:
            skipped += 1
            continue
        for x, y in parts:
            xs.append(x)
            ys.append(y)
            total += x.size
            starts.append(total)
            feature.append(i)
    x = np.concatenate(xs) if xs else np.zeros(0)
    y = np.concatenate(ys) if ys else np.zeros(0)
    return x, y, np.array(starts, dtype=np.int64), np.array(feature, dtype=np.int64), skipped


def _parse_lines(blob: bytes) -> list[tuple[np.ndarray, np.ndarray]]:
    """The line parts of one WKB geometry ([] for anything else, or a malformed blob)."""
    try:
        parts, _ = _parse_geometry(blob, 0)
    except (struct.error, ValueError, IndexError):
        return []
    return parts


def _parse_geometry(blob: bytes, at: int) -> tuple[list, int]:
    if len(blob) < at + 5:
        return [], len(blob)
    endian = "<" if blob[at] == 1 else ">"
    (code,) = struct.unpack_from(endian + "I", blob, at + 1)
    base, dims = _wkb_kind(code)
    at += 5
    if code & 0x20000000:  # EWKB with SRID
        at += 4
    if base == _LINE:
        (npts,) = struct.unpack_from(endian + "I", blob, at)
        at += 4
        arr = np.frombuffer(blob, dtype=endian + "f8", count=npts * dims, offset=at).reshape(npts, dims)
        at += 8 * npts * dims
        return [(arr[:, 0].astype(np.float64), arr[:, 1].astype(np.float64))], at
    if base in (_MULTILINE, 7):  # multi-line, or a collection holding lines
        (nparts,) = struct.unpack_from(endian + "I", blob, at)
        at += 4
        out = []
        for _ in range(nparts):
            parts, at = _parse_geometry(blob, at)
            out += parts
        return out, at
    return [], len(blob)


# ---------------------------------------------------------------- straight line vs network, per municipality


def compare_by_municipality(
    muni: Sequence[str],
    weight: np.ndarray,
    straight: np.ndarray,
    network: np.ndarray,
    on_network: np.ndarray,
    suffixes: Sequence[str],
) -> dict[str, list]:
    """Rates by straight line and by network per municipality, and the chōme whose answer changes.

    ``straight`` / ``network``: (n, len(suffixes)) bool access per chōme; ``suffixes`` name the columns
    ("" = any type, "_<type>"). ``weight``: at-home elderly (or the chosen weight) per chōme, NaN = 0.
    rate = Σ weight with access / Σ weight × 100, None when Σ weight is 0 (SPEC §1.4).
    ``n_lost``: chōme covered by the straight line but blank on the network; ``n_gained``: the reverse.
    Rows are sorted by municipality code.
    """
    muni_arr = np.asarray(list(muni), dtype=object)
    w = np.nan_to_num(np.asarray(weight, dtype=np.float64), nan=0.0)
    codes = sorted(set(muni_arr.tolist()))
    index = {c: i for i, c in enumerate(codes)}
    g = np.array([index[c] for c in muni_arr.tolist()], dtype=np.int64)
    m = len(codes)
    cols: dict[str, list] = {"muni_code": codes}
    cols["n_chome"] = np.bincount(g, minlength=m).astype(int).tolist()
    cols["n_on_network"] = (
        np.bincount(g, weights=np.asarray(on_network, bool), minlength=m).astype(int).tolist()
    )
    total = np.bincount(g, weights=w, minlength=m)
    cols["weight_total"] = total.tolist()

    def rate(mask: np.ndarray) -> list:
        num = np.bincount(g, weights=w * mask, minlength=m)
        return [None if t <= 0 else float(100.0 * a / t) for a, t in zip(num, total)]

    for k, s in enumerate(suffixes):
        st = np.asarray(straight[:, k], dtype=bool)
        nt = np.asarray(network[:, k], dtype=bool)
        r_st, r_nt = rate(st), rate(nt)
        cols[f"rate_straight_pct{s}"] = r_st
        cols[f"rate_net_pct{s}"] = r_nt
        cols[f"rate_change_pct{s}"] = [None if a is None or b is None else b - a for a, b in zip(r_st, r_nt)]
        cols[f"n_lost{s}"] = np.bincount(g, weights=st & ~nt, minlength=m).astype(int).tolist()
        cols[f"n_gained{s}"] = np.bincount(g, weights=~st & nt, minlength=m).astype(int).tolist()
    return cols

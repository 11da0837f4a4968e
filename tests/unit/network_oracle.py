"""Independent oracle for core.network (tests only): networkx on the vertex graph, brute-force snapping in
an azimuthal equidistant plane centred on each point, and pyproj geodesics on GRS80."""

import networkx as nx
import numpy as np
from pyproj import Geod, Proj

GEOD = Geod(ellps="GRS80")


def glen(a, b):
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


def oracle(lines, dest, res, max_snap, factors=None):
    """lines: list of [(lon,lat),...]; dest/res: lists of (lon,lat). Returns list of distances (None off network)."""
    segs = []  # (line, i, A, B)
    for li, pts in enumerate(lines):
        for i in range(len(pts) - 1):
            segs.append((li, pts[i], pts[i + 1]))
    ax = np.array([s[1][0] for s in segs])
    ay = np.array([s[1][1] for s in segs])
    bx = np.array([s[2][0] for s in segs])
    by = np.array([s[2][1] for s in segs])
    splits = {}  # seg index -> list of (t, key, S)
    conn = []
    for kind, pts in (("q", dest), ("r", res)):
        for j, (lon, lat) in enumerate(pts):
            dl = 2 * max_snap / 90000.0
            cand = np.flatnonzero(
                (np.minimum(ax, bx) < lon + dl)
                & (np.maximum(ax, bx) > lon - dl)
                & (np.minimum(ay, by) < lat + dl)
                & (np.maximum(ay, by) > lat - dl)
            )
            if cand.size == 0:
                continue
            p = Proj(proj="aeqd", lat_0=lat, lon_0=lon, ellps="GRS80")
            pax, pay = p(ax[cand], ay[cand])
            pbx, pby = p(bx[cand], by[cand])
            dx, dy = pbx - pax, pby - pay
            den = dx * dx + dy * dy
            t = np.where(den > 0, -(pax * dx + pay * dy) / np.where(den > 0, den, 1), 0.0)
            t = np.clip(t, 0, 1)
            fx, fy = pax + t * dx, pay + t * dy
            d = np.hypot(fx, fy)
            k = int(np.lexsort((cand, d))[0])
            if d[k] > max_snap:
                continue
            slon, slat = p(fx[k], fy[k], inverse=True)
            key = (kind, j)
            splits.setdefault(int(cand[k]), []).append((float(t[k]), key, (slon, slat)))
            conn.append((key, (kind, "s", j), glen((lon, lat), (slon, slat))))
    G = nx.Graph()

    def add(a, b, w):
        if a == b:
            return
        if G.has_edge(a, b):
            w = min(w, G[a][b]["weight"])
        G.add_edge(a, b, weight=w)

    for si, (li, A, B) in enumerate(segs):
        f = 1.0 if factors is None else factors[li]
        chain = [A] + [("split", key) for _, key, _ in sorted(splits.get(si, []))] + [B]
        coords = [A] + [S for _, _, S in sorted(splits.get(si, []))] + [B]
        for c0, c1, k0, k1 in zip(coords[:-1], coords[1:], chain[:-1], chain[1:]):
            add(k0, k1, glen(c0, c1) * f)
    for key, _, w in conn:
        G.add_edge(key, ("split", key), weight=w)
    sources = [("r", j) for j in range(len(res)) if G.has_node(("r", j))]
    if not sources:
        return [None] * len(dest)
    dist = nx.multi_source_dijkstra_path_length(G, sources)
    return [dist.get(("q", j)) if G.has_node(("q", j)) else None for j in range(len(dest))]

"""Where to add sites, and what each existing resource is worth: maximal covering on exact coverage sets.

Coverage sets come from ``core.access.within_pairs``: a candidate covers a chōme when the chōme's
representative point lies within the radius of it, by the same exact ellipsoidal test as
``kaigo:blankareas`` (no polygon buffers).

``greedy_cover`` solves the maximal covering location problem (choose N sites that cover the most
weight) by the greedy rule: repeatedly add the candidate that covers the most still-uncovered weight.
Coverage is a monotone submodular function, so the greedy choice covers at least ``1 − (1 − 1/N)^N >
1 − 1/e ≈ 63.2 %`` of what the best N sites cover (Nemhauser, Wolsey & Fisher 1978). Its evaluation is
lazy: a candidate's gain can only shrink as sites are added, so the stored gains are upper bounds and a
candidate's gain is recomputed only when it reaches the top of the heap; when the recomputed gain is still
at the top, it is the best (ties: the lowest candidate index).

Only numpy and the standard library; nothing here imports QGIS.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .access import within_pairs
from .errors import Cancelled, InputError

# Gains below this (in weight units) count as nothing: the greedy stops instead of adding a useless site.
ZERO_GAIN = 1e-12


@dataclass
class Coverage:
    """Which chōme each candidate covers (CSR: ``chome[indptr[j]:indptr[j + 1]]`` for candidate ``j``)."""

    indptr: np.ndarray  # (n_candidates + 1,) int64
    chome: np.ndarray  # chōme indices, grouped by candidate, ascending within a candidate
    n_chome: int
    nearest_chome: np.ndarray  # (n_candidates,) int64: the chōme nearest the candidate within radius, −1

    @property
    def n_candidates(self) -> int:
        return int(self.indptr.size - 1)

    def of(self, j: int) -> np.ndarray:
        return self.chome[self.indptr[j] : self.indptr[j + 1]]

    def restricted(self, keep_pair: np.ndarray) -> Coverage:
        """The same coverage with only the pairs where ``keep_pair`` (aligned with ``chome``) is True."""
        counts = np.add.reduceat(keep_pair.astype(np.int64), self.indptr[:-1]) if self.chome.size else None
        if counts is None:
            counts = np.zeros(self.n_candidates, dtype=np.int64)
        else:
            counts[np.diff(self.indptr) == 0] = 0
        indptr = np.zeros(self.n_candidates + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        return Coverage(indptr, self.chome[keep_pair], self.n_chome, self.nearest_chome)


def coverage_from_pairs(
    qi: np.ndarray, cj: np.ndarray, n_chome: int, n_candidates: int, dist=None
) -> Coverage:
    """CSR coverage from (chōme, candidate) pairs; ``dist`` (optional) picks each candidate's nearest chōme."""
    qi = np.asarray(qi, dtype=np.int64)
    cj = np.asarray(cj, dtype=np.int64)
    dist = None if dist is None else np.asarray(dist, dtype=np.float64)
    order = np.lexsort((qi, cj))
    # a pair given twice counts once
    dup = np.zeros(order.size, dtype=bool)
    dup[1:] = (qi[order][1:] == qi[order][:-1]) & (cj[order][1:] == cj[order][:-1])
    order = order[~dup]
    qi, cj = qi[order], cj[order]
    dist = None if dist is None else dist[order]
    chome = qi
    counts = np.bincount(cj, minlength=n_candidates) if cj.size else np.zeros(n_candidates, dtype=np.int64)
    indptr = np.zeros(n_candidates + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    nearest = np.full(n_candidates, -1, dtype=np.int64)
    if cj.size:
        d = np.zeros(cj.size) if dist is None else dist
        by = np.lexsort((d, cj))  # per candidate, nearest first
        first = np.r_[True, cj[by][1:] != cj[by][:-1]]
        nearest[cj[by][first]] = qi[by][first]
    return Coverage(indptr, chome, int(n_chome), nearest)


def coverage_sets(
    chome_lon: np.ndarray,
    chome_lat: np.ndarray,
    cand_lon: np.ndarray,
    cand_lat: np.ndarray,
    radius: float,
    progress: Callable[[float], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> Coverage:
    """Which chōme (representative points) lie within ``radius`` of each candidate (exact, GRS80)."""
    qi, cj, chord = within_pairs(chome_lon, chome_lat, cand_lon, cand_lat, radius, progress, is_cancelled)
    return coverage_from_pairs(qi, cj, len(chome_lon), len(cand_lon), chord)


def check_weights(weights: np.ndarray, field: str = "ELDERLY_FIELD") -> np.ndarray:
    """Weights as float64; NaN (unknown) counts as 0; a negative weight is refused."""
    w = np.asarray(weights, dtype=np.float64)
    neg = np.flatnonzero(w < 0)
    if neg.size:
        raise InputError(
            ja=f"重み（{field}）に負の値が {neg.size} 件あります（例: {w[neg[0]]:g}）。"
            "0 以上の人数の項目を指定してください。",
            en=f"The weight ({field}) is negative in {neg.size} chōme (e.g. {w[neg[0]]:g}). "
            "Choose a field of non-negative counts.",
        )
    return np.where(np.isfinite(w), w, 0.0)


@dataclass
class GreedyResult:
    sites: np.ndarray  # candidate indices in the order chosen
    gains: np.ndarray  # weight newly covered by each
    covered_total: np.ndarray  # weight covered after each (including what was covered before)
    covered_by: np.ndarray  # per chōme: 0-based position in ``sites`` of the first site covering it, −1
    covered_before: float  # weight covered before any site
    total: float  # weight of all chōme considered
    evaluations: int  # gains computed (initial ones included): the measure of the lazy evaluation

    @property
    def rate_after_pct(self) -> np.ndarray:
        if self.total <= 0:
            return np.full(self.sites.size, np.nan)
        return 100.0 * self.covered_total / self.total


def _initial_gains(cov: Coverage, cand: np.ndarray, w: np.ndarray, covered: np.ndarray) -> np.ndarray:
    """Uncovered weight of each candidate of ``cand`` (touches only their pairs)."""
    lo = cov.indptr[cand]
    counts = cov.indptr[cand + 1] - lo
    total = int(counts.sum())
    if total == 0:
        return np.zeros(cand.size)
    shift = lo - (np.cumsum(counts) - counts)
    owner = np.repeat(np.arange(cand.size), counts)
    members = cov.chome[np.arange(total, dtype=np.int64) + np.repeat(shift, counts)]
    values = np.where(covered[members], 0.0, w[members])
    return np.bincount(owner, weights=values, minlength=cand.size)


def _greedy(
    cov: Coverage,
    w: np.ndarray,
    cand: np.ndarray,
    covered: np.ndarray,
    covered_by: np.ndarray,
    n_sites: int,
    target: float | None,
    is_cancelled: Callable[[], bool] | None,
) -> tuple[list[int], list[float], int]:
    """The lazy greedy loop; updates ``covered`` / ``covered_by`` in place. (sites, gains, evaluations)."""
    gains0 = _initial_gains(cov, cand, w, covered)
    heap = [(-g, j) for g, j in zip(gains0.tolist(), cand.tolist()) if g > ZERO_GAIN]
    heapq.heapify(heap)
    evaluations = int(cand.size)
    fresh: dict[int, int] = {}  # candidate → round in which its stored gain was computed
    sites: list[int] = []
    gains: list[float] = []
    done = 0.0
    indptr, members = cov.indptr, cov.chome
    while heap and len(sites) < n_sites:
        if target is not None and done >= target:
            break
        if is_cancelled is not None and is_cancelled():
            raise Cancelled()
        rnd = len(sites)
        j = heap[0][1]
        idx = members[indptr[j] : indptr[j + 1]]
        new = idx[~covered[idx]]
        if fresh.get(j) == rnd:  # its exact gain is at least every other (upper bound): take it
            heapq.heappop(heap)
            gain = float(w[new].sum())
            covered[new] = True
            covered_by[new] = rnd
            done += gain
            sites.append(j)
            gains.append(gain)
            continue
        g = float(w[new].sum())
        evaluations += 1
        fresh[j] = rnd
        if g > ZERO_GAIN:
            heapq.heapreplace(heap, (-g, j))
        else:
            heapq.heappop(heap)
    return sites, gains, evaluations


def greedy_cover(
    cov: Coverage,
    weights: np.ndarray,
    n_sites: int,
    covered0: np.ndarray | None = None,
    target_rate_pct: float | None = None,
    candidates: np.ndarray | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> GreedyResult:
    """Greedy maximal covering with lazy evaluation (see the module doc).

    ``weights``: per chōme, ≥ 0. ``covered0``: chōme covered before (by existing resources): they add
    nothing. ``candidates``: indices of the candidates that may be chosen (default all). Stops after
    ``n_sites`` sites, when nothing uncovered can be reached any more, or when the rate (covered weight
    over the weight of all chōme, in %) reaches ``target_rate_pct``.
    """
    check_n_sites(n_sites)
    n = cov.n_chome
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (n,):
        raise ValueError("one weight per chōme")
    covered = np.zeros(n, dtype=bool) if covered0 is None else np.asarray(covered0, dtype=bool).copy()
    total = float(w.sum())
    before = float(w[covered].sum())
    cand = np.arange(cov.n_candidates) if candidates is None else np.asarray(candidates, dtype=np.int64)
    target = None
    if target_rate_pct is not None and total > 0:
        target = total * float(target_rate_pct) / 100.0 - before - 1e-9 * total
    covered_by = np.full(n, -1, dtype=np.int64)
    sites, gains, evaluations = _greedy(cov, w, cand, covered, covered_by, n_sites, target, is_cancelled)
    return GreedyResult(
        sites=np.array(sites, dtype=np.int64),
        gains=np.array(gains, dtype=np.float64),
        covered_total=before + np.cumsum(np.array(gains, dtype=np.float64)),
        covered_by=covered_by,
        covered_before=before,
        total=total,
        evaluations=evaluations,
    )


def check_n_sites(n_sites: int) -> int:
    if not n_sites >= 1:
        raise InputError(
            ja=f"提案する地点の数 N_SITES は 1 以上にしてください（指定値: {n_sites}）。",
            en=f"N_SITES must be at least 1 (got {n_sites}).",
        )
    return int(n_sites)


def greedy_per_group(
    cov: Coverage,
    weights: np.ndarray,
    n_sites: int,
    chome_group: np.ndarray,
    cand_group: np.ndarray,
    covered0: np.ndarray | None = None,
    target_rate_pct: float | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> dict[int, GreedyResult]:
    """``n_sites`` sites in each group (municipality), each group on its own.

    ``chome_group`` / ``cand_group``: group number (≥ 0; −1 = none) of each chōme and candidate. A
    candidate serves only the chōme of its own group, and a group's rate is over its own chōme. Returns
    group → result; the results share one ``covered_by`` array, whose entry for a chōme is the position
    of the site of the chōme's own group that covers it first (−1: none).
    """
    check_n_sites(n_sites)
    cg = np.asarray(chome_group, dtype=np.int64)
    kg = np.asarray(cand_group, dtype=np.int64)
    w = np.asarray(weights, dtype=np.float64)
    owner = np.repeat(np.arange(cov.n_candidates), np.diff(cov.indptr))
    same = (cg[cov.chome] == kg[owner]) & (kg[owner] >= 0)
    sub = cov.restricted(same)
    covered = (
        np.zeros(cov.n_chome, dtype=bool) if covered0 is None else np.asarray(covered0, dtype=bool).copy()
    )
    covered_by = np.full(cov.n_chome, -1, dtype=np.int64)
    n_groups = int(max(cg.max(initial=-1), kg.max(initial=-1))) + 1
    ok = cg >= 0
    tot = np.bincount(cg[ok], weights=w[ok], minlength=n_groups)
    bef = np.bincount(cg[ok & covered], weights=w[ok & covered], minlength=n_groups)
    cand_order = np.argsort(kg, kind="stable")
    starts = np.searchsorted(kg[cand_order], np.arange(n_groups + 1))
    out: dict[int, GreedyResult] = {}
    for g in range(n_groups):
        cand = cand_order[starts[g] : starts[g + 1]]
        total, before = float(tot[g]), float(bef[g])
        target = None
        if target_rate_pct is not None and total > 0:
            target = total * float(target_rate_pct) / 100.0 - before - 1e-9 * total
        sites, gains, ev = _greedy(sub, w, cand, covered, covered_by, n_sites, target, is_cancelled)
        garr = np.array(gains, dtype=np.float64)
        out[g] = GreedyResult(
            sites=np.array(sites, dtype=np.int64),
            gains=garr,
            covered_total=before + np.cumsum(garr),
            covered_by=covered_by,
            covered_before=before,
            total=total,
            evaluations=ev,
        )
    return out


def covered_weight(cov: Coverage, weights: np.ndarray, sites: Sequence[int], covered0=None) -> float:
    """Weight covered by ``sites`` (and by ``covered0``): the objective, for checks and oracles."""
    mask = np.zeros(cov.n_chome, dtype=bool) if covered0 is None else np.asarray(covered0, dtype=bool).copy()
    for j in sites:
        mask[cov.of(int(j))] = True
    return float(np.asarray(weights, dtype=np.float64)[mask].sum())


# -- the value of each existing resource -------------------------------------------------------------


@dataclass
class ResourceImpact:
    n_chome_covered: np.ndarray  # per resource: chōme within the radius
    elderly_covered: np.ndarray  # their weight
    elderly_only_here: np.ndarray  # weight of the chōme that no other resource covers
    n_covering: np.ndarray  # per chōme: resources within the radius


def resource_impact(cov: Coverage, weights: np.ndarray) -> ResourceImpact:
    """Per resource (a "candidate" of ``cov``): what it covers and what only it covers."""
    w = np.asarray(weights, dtype=np.float64)
    m = cov.n_candidates
    n_covering = (
        np.bincount(cov.chome, minlength=cov.n_chome) if cov.chome.size else np.zeros(cov.n_chome, int)
    )
    owner = np.repeat(np.arange(m), np.diff(cov.indptr))
    n_cov = np.diff(cov.indptr).astype(np.int64)
    elderly = np.bincount(owner, weights=w[cov.chome], minlength=m) if owner.size else np.zeros(m)
    alone = n_covering[cov.chome] == 1
    only = np.bincount(owner[alone], weights=w[cov.chome[alone]], minlength=m) if owner.size else np.zeros(m)
    return ResourceImpact(n_cov, elderly, only, n_covering.astype(np.int64))


def covered_mask(cov: Coverage, keep: np.ndarray | None = None) -> np.ndarray:
    """Chōme covered by the resources where ``keep`` is True (default all)."""
    mask = np.zeros(cov.n_chome, dtype=bool)
    if cov.chome.size == 0:
        return mask
    owner = np.repeat(np.arange(cov.n_candidates), np.diff(cov.indptr))
    sel = np.ones(owner.size, dtype=bool) if keep is None else np.asarray(keep, dtype=bool)[owner]
    mask[cov.chome[sel]] = True
    return mask


def rates_by_group(
    groups: Sequence[str | None], weights: np.ndarray, covered: np.ndarray
) -> dict[str | None, tuple[float, float, float | None]]:
    """Per group (municipality): (total weight, covered weight, rate in % or None when the total is 0)."""
    w = np.asarray(weights, dtype=np.float64)
    cov = np.asarray(covered, dtype=bool)
    keys = list(groups)
    uniq = sorted({k for k in keys if k is not None}) + ([None] if None in set(keys) else [])
    pos = {k: i for i, k in enumerate(uniq)}
    inv = np.array([pos[k] for k in keys], dtype=np.int64) if keys else np.zeros(0, dtype=np.int64)
    tot = np.bincount(inv, weights=w, minlength=len(uniq))
    got = np.bincount(inv, weights=np.where(cov, w, 0.0), minlength=len(uniq))
    out: dict[str | None, tuple[float, float, float | None]] = {}
    for k, i in pos.items():
        out[k] = (float(tot[i]), float(got[i]), float(100.0 * got[i] / tot[i]) if tot[i] > 0 else None)
    return out


# ---------------------------------------------------------------- what kaigo:suggestsites / resourceimpact report


def municipality_groups(
    chome_muni: Sequence[str | None], ok: np.ndarray, cand_muni: Sequence[str | None]
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(municipality codes in order, group number of each chōme, of each candidate) for
    ``greedy_per_group``: −1 for no municipality and for a chōme without a point."""
    codes = sorted({m for m in chome_muni if m is not None})
    num = {m: i for i, m in enumerate(codes)}
    cg = np.array([num.get(m, -1) if m is not None else -1 for m in chome_muni], dtype=np.int64)
    cg[~np.asarray(ok, dtype=bool)] = -1
    kg = np.array([num.get(m, -1) if m is not None else -1 for m in cand_muni], dtype=np.int64)
    return codes, cg, kg


def site_rows(
    runs: Sequence[tuple[str | None, GreedyResult]],
) -> list[tuple[int, int, float, float, float, str | None]]:
    """One row per suggested site, in order: (candidate, rank from 1, gain, covered total, rate after %,
    municipality of the run or None when all municipalities are one run)."""
    rows = []
    for code, r in runs:
        rates = r.rate_after_pct
        for k, j in enumerate(r.sites.tolist()):
            rows.append((int(j), k + 1, float(r.gains[k]), float(r.covered_total[k]), float(rates[k]), code))
    return rows


def closure_rows(
    before: dict[str | None, tuple[float, float, float | None]],
    after: dict[str | None, tuple[float, float, float | None]],
) -> list[list]:
    """Per municipality of ``rates_by_group`` before and after closures: [code, total weight, covered
    before, covered after, losing access, rate before %, rate after %, difference (None without a rate)]."""
    rows = []
    for code in before:
        tot, got_b, rate_b = before[code]
        _, got_a, rate_a = after[code]
        diff = None if rate_b is None or rate_a is None else rate_a - rate_b
        rows.append([code, tot, got_b, got_a, got_b - got_a, rate_b, rate_a, diff])
    return rows

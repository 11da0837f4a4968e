"""How the sufficiency rate depends on the radius (RADII of kaigo:sufficiencyrates / kaigo:fullanalysis).

A chōme has access at radius r exactly when its nearest resource (``nearest_m`` of kaigo:blankareas, the
geodesic on GRS80) lies within r, inclusive. So one blank-area run at any radius gives the rates at every
radius: for each r the access flags become ``nearest_m ≤ r`` and the municipality table is aggregated by
the same ``core.rates.aggregate_municipalities`` as the rates themselves; the tests compare the result
with separate runs at each radius. The chart (rate against radius, one line per density class, plus all
municipalities) is drawn here once for the algorithm and the dock alike, like the charts of core.charts.

Nothing here imports QGIS.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping, Sequence

import numpy as np

from .access import INCLUSIVE_EPS_M
from .classes import CLASS_SHORT, DEFAULT_THRESHOLDS
from .errors import InputError
from .rates import ANY, ChomeArrays, MunicipalityTable, aggregate_municipalities

MAX_RADII = 20


def parse_radii(text: str | None) -> list[float]:
    """``"300,500,800,1000"`` → [300.0, 500.0, 800.0, 1000.0] (sorted, unique); empty → []."""
    if text is None or not str(text).strip():
        return []
    out: list[float] = []
    for part in re.split(r"[,、，\s]+", str(text).strip()):
        if not part:
            continue
        try:
            value = float(part.replace("ｍ", "").replace("m", ""))
        except ValueError:
            value = float("nan")
        if not (value > 0) or not math.isfinite(value):
            raise InputError(
                ja=f"RADII は正のメートル数をカンマで区切って指定してください（例: 300,500,800,1000。"
                f"解釈できない値: {part}）。",
                en=f"RADII must be positive metres separated by commas (e.g. 300,500,800,1000; "
                f"cannot read {part!r}).",
            )
        out.append(value)
    out = sorted(set(out))
    if len(out) > MAX_RADII:
        raise InputError(
            ja=f"RADII は {MAX_RADII} 個までにしてください（指定: {len(out)} 個）。",
            en=f"Give at most {MAX_RADII} radii in RADII (got {len(out)}).",
        )
    return out


def radius_label(radius: float) -> str:
    """500.0 → "500", 250.5 → "250_5" (field names stay ASCII identifiers)."""
    if float(radius).is_integer():
        return str(int(radius))
    return f"{radius:g}".replace(".", "_")


def radius_field(radius: float, rtype: str = ANY) -> str:
    """``rate_pct_r<radius>``, with ``_<type>`` for a resource type (SPEC §4 suffix rule)."""
    return f"rate_pct_r{radius_label(radius)}" + (f"_{rtype}" if rtype else "")


def access_at(nearest_m: np.ndarray, radius: float) -> np.ndarray:
    """Access at ``radius``: nearest resource within it (inclusive); NaN (no resource) → False."""
    d = np.asarray(nearest_m, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return d <= radius + INCLUSIVE_EPS_M


@dataclasses.dataclass
class RadiusRates:
    radii: list[float]
    fields: list[str]  # added to the table, in order
    # per radius: (Σ at-home with access, Σ at-home) per density class (None = no class) and overall
    class_sums: list[dict[int | None, tuple[float, float]]]


def add_radius_rates(
    table: MunicipalityTable,
    chome: ChomeArrays,
    nearest: Mapping[str, np.ndarray],
    radii: Sequence[float],
    area_km2: Mapping[str, float] | None = None,
    area_source: str | None = None,
    thresholds: tuple[float, ...] = DEFAULT_THRESHOLDS,
) -> RadiusRates:
    """Append ``rate_pct_r<radius>`` (and ``_<type>``) columns to ``table``, aggregated like ``table``.

    ``nearest``: per resource type ("" = any), the nearest distance (m) of each feature of ``chome``.
    """
    types = [t for t in table.types if t in nearest]
    fields: list[str] = []
    sums: list[dict[int | None, tuple[float, float]]] = []
    for r in radii:
        access = {t: access_at(nearest[t], r) for t in [ANY, *types] if t in nearest}
        sub = dataclasses.replace(chome, access=access)
        got = aggregate_municipalities(sub, area_km2, area_source, thresholds, types)
        if got.columns["muni_code"] != table.columns["muni_code"]:
            raise ValueError("the municipalities differ between radii")
        for t in [ANY, *types]:
            if t not in access:
                continue
            name = radius_field(r, t)
            table.columns[name] = got.columns["rate_pct" + (f"_{t}" if t else "")]
            table.fields.append((name, "double"))
            fields.append(name)
        per: dict[int | None, tuple[float, float]] = {}
        for cls, w, tot in zip(
            table.columns["density_class"], got.columns["at_home_with_access"], got.columns["at_home_75plus"]
        ):
            a, b = per.get(cls, (0.0, 0.0))
            per[cls] = (a + w, b + tot)
        sums.append(per)
    return RadiusRates(list(radii), fields, sums)


def class_rate_series(rr: RadiusRates) -> dict[int | str, list[float | None]]:
    """Rate (%) per radius of each density class (Σ with access / Σ at-home elderly) and of "all"."""
    out: dict[int | str, list[float | None]] = {}
    classes = sorted({c for per in rr.class_sums for c in per if c is not None})
    for cls in classes:
        vals: list[float | None] = []
        for per in rr.class_sums:
            a, b = per.get(cls, (0.0, 0.0))
            vals.append(100.0 * a / b if b > 0 else None)
        out[cls] = vals
    overall: list[float | None] = []
    for per in rr.class_sums:
        a = sum(v[0] for v in per.values())
        b = sum(v[1] for v in per.values())
        overall.append(100.0 * a / b if b > 0 else None)
    out["all"] = overall
    return out


CLASS_COLORS = {1: "#1b9e77", 2: "#d95f02", 3: "#7570b3", "all": "#333333"}


def radius_figure(
    radii: Sequence[float], series: Mapping[int | str, Sequence[float | None]], lang: str = "ja"
):
    """Line chart: x = radius (m), y = rate (%), one line per density class and one for all."""
    from .charts import _apply_font, _families, _new_figure

    fig = _new_figure(7.0, 4.6)
    families = _families(None)
    ax = fig.add_subplot(1, 1, 1)
    labels = CLASS_SHORT["ja" if lang == "ja" else "en"]
    for key, values in series.items():
        xs = [r for r, v in zip(radii, values) if v is not None]
        ys = [v for v in values if v is not None]
        if not xs:
            continue
        if isinstance(key, int):
            name = labels.get(key, str(key))
        else:
            name = "全体" if lang == "ja" else "All"
        ax.plot(
            xs,
            ys,
            marker="o",
            color=CLASS_COLORS.get(key, "#999999"),
            linewidth=2.4 if key == "all" else 1.6,
            linestyle="-" if key == "all" else "--",
            label=name,
        )
        for x, y in zip(xs, ys):
            ax.annotate(
                f"{y:.1f}", (x, y), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=7
            )
    ax.set_xticks(list(radii))
    ax.set_xticklabels([f"{r:g}" for r in radii])
    ax.set_ylim(0, 105)
    ax.set_xlabel("半径 (m)" if lang == "ja" else "Radius (m)")
    ax.set_ylabel("充足率 (%)" if lang == "ja" else "Sufficiency rate (%)")
    ax.set_title(
        "半径と充足率（地域分類別）" if lang == "ja" else "Sufficiency rate against radius, by density class"
    )
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.legend(loc="lower right", fontsize=8)
    _apply_font(fig, families)
    fig.tight_layout()
    return fig


def radius_chart_points(fig) -> dict[str, list[tuple[float, float]]]:
    """The plotted (radius, rate) points of each line, by legend label (for tests)."""
    ax = fig.axes[0]
    return {line.get_label(): list(zip(*(list(map(float, d)) for d in line.get_data()))) for line in ax.lines}

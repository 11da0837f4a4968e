"""Glue of RADII (kaigo:sufficiencyrates, kaigo:fullanalysis): parameters, nearest_m columns, the chart.

The work is in ``core.sensitivity``; this module only reads the layer and writes the chart.
"""

from __future__ import annotations

import os

import numpy as np
from qgis.core import (
    QgsFeatureRequest,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterString,
)
from qgis.PyQt.QtCore import QCoreApplication

from ..compat import is_null
from ..core.errors import InputError
from ..core.rates import ANY
from ..core.sensitivity import add_radius_rates, class_rate_series, parse_radii, radius_figure
from .layer_read import iterate

RADII = "RADII"
OUTPUT_RADII_CHART = "OUTPUT_RADII_CHART"


def radii_parameters() -> list:
    tr = QCoreApplication.translate
    return [
        QgsProcessingParameterString(
            RADII,
            tr("KaigoDecision", "Rates at other radii too (metres, comma-separated, e.g. 300,500,800,1000)"),
            optional=True,
        ),
        QgsProcessingParameterFileDestination(
            OUTPUT_RADII_CHART,
            tr("KaigoDecision", "Chart of the rate against the radius (PNG; SVG and PDF beside it)"),
            "PNG (*.png)",
            optional=True,
            createByDefault=False,
        ),
    ]


def radii_of(alg, parameters, context) -> list[float]:
    return parse_radii(alg.parameterAsString(parameters, RADII, context) if RADII in parameters else "")


def nearest_columns(source, key_field: str | None, types: list[str]) -> tuple[str, dict[str, dict]]:
    """Per type ("" = any) a dict chōme key → nearest_m (the smallest over the parts; NaN = none).

    Features without a key are keyed ``#<fid>``, as kaigo:sufficiencyrates keys them.
    """
    names = source.fields().names()
    fields = {t: (f"nearest_m_{t}" if t else "nearest_m") for t in [ANY, *types]}
    fields = {t: f for t, f in fields.items() if f in names}
    if not fields:
        raise InputError(
            ja="RADII には kaigo:blankareas の最寄り距離（nearest_m）が必要ですが、入力レイヤにありません。"
            "kaigo:blankareas の出力を入力にするか、RADII を空にしてください。",
            en="RADII needs the nearest distance (nearest_m) of kaigo:blankareas, which the input layer lacks. "
            "Use the output of kaigo:blankareas as input, or leave RADII empty.",
        )
    idx = {t: names.index(f) for t, f in fields.items()}
    k_idx = names.index(key_field) if key_field and key_field in names else None
    req = QgsFeatureRequest().setFlags(QgsFeatureRequest.Flag.NoGeometry)
    sub = list(idx.values()) + ([k_idx] if k_idx is not None else [])
    req.setSubsetOfAttributes(sub)
    out: dict[str, dict] = {t: {} for t in idx}
    for f in iterate(source, req):
        attrs = f.attributes()
        key = None if k_idx is None or is_null(attrs[k_idx]) else str(attrs[k_idx])
        key = key if key is not None else f"#{f.id()}"
        for t, i in idx.items():
            v = attrs[i]
            d = float("nan") if is_null(v) else float(v)
            old = out[t].get(key)
            if old is None or (d == d and not (old <= d)):
                out[t][key] = d
    if ANY not in out:  # the smallest over the types
        anyd: dict = {}
        for t in out:
            for k, d in out[t].items():
                old = anyd.get(k)
                if old is None or (d == d and not (old <= d)):
                    anyd[k] = d
        out[ANY] = anyd
    return names[k_idx] if k_idx is not None else "", out


def add_radii(
    alg, parameters, context, feedback, source, key_field, chome, table, area_km2, area_source, thresholds
):
    """Add the rate_pct_r<radius> columns to ``table`` when RADII is given; returns the RadiusRates or None."""
    radii = radii_of(alg, parameters, context)
    if not radii:
        return None
    _, near = nearest_columns(source, key_field, list(table.types))
    nearest = {t: np.array([d.get(k, np.nan) for k in chome.keys], dtype=np.float64) for t, d in near.items()}
    rr = add_radius_rates(table, chome, nearest, radii, area_km2, area_source, thresholds)
    feedback.pushInfo(
        "半径ごとの充足率 / rates per radius: "
        + ", ".join(f for f in rr.fields if "_" not in f[len("rate_pct_r") :])
    )
    series = class_rate_series(rr)
    for r, v in zip(radii, series["all"]):
        feedback.pushInfo(f"  r = {r:g} m: {'-' if v is None else f'{v:.1f} %'}")
    return rr


def write_radii_chart(rr, path: str | None, lang: str) -> dict[str, str]:
    """The chart of rate against radius as PNG/SVG/PDF (``path`` is the PNG; the others beside it)."""
    if rr is None or not path:
        return {}
    from ..core.charts import save_figure

    base = path[:-4] if path.lower().endswith(".png") else path
    folder = os.path.dirname(os.path.abspath(base))
    os.makedirs(folder, exist_ok=True)
    fig = radius_figure(rr.radii, class_rate_series(rr), lang)
    return save_figure(fig, base)

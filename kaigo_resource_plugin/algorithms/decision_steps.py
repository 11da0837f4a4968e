"""The decision steps of kaigo:fullanalysis: RADII for the rates, N_SITES for suggested sites.

kaigo:fullanalysis calls these few functions; the work is done by kaigo:sufficiencyrates (RADII) and
kaigo:suggestsites, run as child algorithms, and ``core.covering.rates_by_group`` for the table.
"""

from __future__ import annotations

import os

import numpy as np
from qgis.core import QgsProcessingParameterNumber, QgsProcessingParameterString, QgsVectorLayer
from qgis.PyQt.QtCore import QCoreApplication

from ..compat import is_null
from ..core.codes import muni_code_from_key
from ..core.covering import check_n_sites, rates_by_group
from ..core.sensitivity import parse_radii
from ..core.tables import write_csv

SITES_GPKG = "sites.gpkg"
SITES_TABLE = "sites_before_after.csv"
RADII_CHART = "radius_rates"  # in charts/, .png/.svg/.pdf


def parameters() -> list:
    tr = QCoreApplication.translate
    return [
        QgsProcessingParameterString(
            "RADII",
            tr("KaigoDecision", "Rates at other radii too (metres, comma-separated, e.g. 300,500,800,1000)"),
            optional=True,
        ),
        QgsProcessingParameterNumber(
            "N_SITES",
            tr("KaigoDecision", "Suggest this many new sites (kaigo:suggestsites; empty: none)"),
            QgsProcessingParameterNumber.Type.Integer,
            defaultValue=None,
            optional=True,
            minValue=1,
        ),
    ]


def outputs() -> list:
    from qgis.core import QgsProcessingOutputFile

    tr = QCoreApplication.translate
    return [
        QgsProcessingOutputFile("SITES_GPKG", tr("KaigoDecision", "Suggested sites (GeoPackage)")),
        QgsProcessingOutputFile(
            "SITES_TABLE", tr("KaigoDecision", "Rates before and after the suggested sites (CSV)")
        ),
    ]


def read(alg, params, context) -> dict:
    """``radii`` (list) and ``n_sites`` (int or None), checked before anything runs."""
    radii = parse_radii(alg.parameterAsString(params, "RADII", context) if params.get("RADII") else "")
    n_sites = None
    if params.get("N_SITES") not in (None, ""):
        n_sites = check_n_sites(alg.parameterAsInt(params, "N_SITES", context))
    return {"radii": radii, "n_sites": n_sites}


def add_radii(rate_params: dict, p: dict, tmp: str) -> None:
    """RADII and the chart for the kaigo:sufficiencyrates child."""
    if p.get("radii"):
        os.makedirs(os.path.join(tmp, "charts"), exist_ok=True)
        rate_params["RADII"] = ",".join(f"{r:g}" for r in p["radii"])
        rate_params["OUTPUT_RADII_CHART"] = os.path.join(tmp, "charts", RADII_CHART + ".png")


def suggest(child, context, feedback, p: dict, chome_path: str, tmp: str) -> None:
    """kaigo:suggestsites on the analysed chōme → sites.gpkg and the rates before/after per municipality."""
    if not p.get("n_sites"):
        return
    params = {
        "INPUT": chome_path,
        "RESOURCES": p["resources"],
        "RADIUS": p["radius"],
        "KEY_FIELD": p["key_field"],
        "N_SITES": p["n_sites"],
        "OUTPUT": os.path.join(tmp, SITES_GPKG),
        "OUTPUT_CHOME": os.path.join(tmp, "sites_chome.gpkg"),
    }
    if p.get("elderly_field"):
        params["ELDERLY_FIELD"] = p["elderly_field"]
    out = child("kaigo:suggestsites", params, context, feedback)
    write_before_after(out["OUTPUT_CHOME"], p.get("elderly_field"), os.path.join(tmp, SITES_TABLE))


def write_before_after(chome_path: str, elderly_field: str | None, path: str) -> None:
    """Per municipality: weight, rate before the sites, after them, and the difference (CSV, UTF-8 BOM)."""
    layer = QgsVectorLayer(chome_path, "chome", "ogr")
    names = layer.fields().names()
    wfield = elderly_field or next(n for n in ("at_home_75plus", "pop_75plus", "JINKO") if n in names)
    seen: set = set()
    munis, w, before, after = [], [], [], []
    for f in layer.getFeatures():
        key = f["KEY_CODE"] if "KEY_CODE" in names else None
        if is_null(f["covered_before"]) or key in seen:
            continue  # water, or another part of the same chōme
        seen.add(key)
        munis.append(muni_code_from_key(key))
        w.append(0.0 if is_null(f[wfield]) else float(f[wfield]))
        before.append(bool(f["covered_before"]))
        after.append(bool(f["covered_before"]) or not is_null(f["covered_by_rank"]))
    wa = np.array(w, dtype=np.float64)
    rb = rates_by_group(munis, wa, np.array(before, dtype=bool))
    ra = rates_by_group(munis, wa, np.array(after, dtype=bool))
    rows = []
    for code in rb:
        tot, got_b, rate_b = rb[code]
        _, got_a, rate_a = ra[code]
        diff = None if rate_b is None or rate_a is None else rate_a - rate_b
        rows.append([code, tot, got_b, got_a, rate_b, rate_a, diff])
    header = [
        "muni_code",
        "elderly_total",
        "elderly_with_access_before",
        "elderly_with_access_after",
        "rate_before_pct",
        "rate_after_pct",
        "rate_diff_pct",
    ]
    write_csv(path, header, rows)


def results(folder: str, p: dict) -> dict:
    out = {}
    if p.get("n_sites"):
        out["SITES_GPKG"] = os.path.join(folder, SITES_GPKG)
        out["SITES_TABLE"] = os.path.join(folder, SITES_TABLE)
    return out

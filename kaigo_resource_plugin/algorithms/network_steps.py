"""kaigo:fullanalysis with a NETWORK: its parameter and outputs, and the kaigo:networkaccess step.

Glue of the full analysis (like decision_steps): it runs kaigo:networkaccess as a child by its id and
never imports that algorithm's module.
"""

from __future__ import annotations

from qgis.core import QgsProcessing

from ..compat import is_null

NETWORK_CHOME_GPKG = "chome_network.gpkg"
NETWORK_COMPARISON_CSV = "network_comparison.csv"


def full_analysis_network_parameter():
    """The optional NETWORK of kaigo:fullanalysis (a line layer: then both rates are reported)."""
    from qgis.core import QgsProcessingParameterVectorLayer
    from qgis.PyQt.QtCore import QCoreApplication

    return QgsProcessingParameterVectorLayer(
        "NETWORK",
        QCoreApplication.translate(
            "NetworkAccessAlgorithm", "Road network for walking distances (optional line layer)"
        ),
        [QgsProcessing.SourceType.TypeVectorLine],
        optional=True,
    )


def full_analysis_network_outputs() -> list:
    from qgis.core import QgsProcessingOutputFile
    from qgis.PyQt.QtCore import QCoreApplication

    tr = QCoreApplication.translate
    return [
        QgsProcessingOutputFile(
            "CHOME_NETWORK_GPKG", tr("NetworkAccessAlgorithm", "Chōme with network distances (GeoPackage)")
        ),
        QgsProcessingOutputFile(
            "NETWORK_COMPARISON",
            tr("NetworkAccessAlgorithm", "Straight line vs network, per municipality (CSV)"),
        ),
    ]


def run_in_full_analysis(run_child, network, p: dict, chome_path: str, tmp: str, context, feedback) -> dict:
    """kaigo:networkaccess on the chōme of a full analysis; both rates to the log and a CSV (UTF-8 BOM).

    ``run_child``: FullAnalysisAlgorithm._child. Returns the file names written into ``tmp``.
    """
    import os

    from qgis.core import QgsVectorLayer

    from ..core.tables import write_csv

    table = os.path.join(tmp, ".network_comparison.gpkg")
    params = {
        "INPUT": chome_path,
        "RESOURCES": p["resources"],
        "NETWORK": network,
        "RADIUS": p["radius"],
        "KEY_FIELD": p["key_field"],
        "OUTPUT": os.path.join(tmp, NETWORK_CHOME_GPKG),
        "OUTPUT_COMPARISON": table,
    }
    if p.get("pop_field"):
        params["POPULATION_FIELD"] = p["pop_field"]
    if p.get("elderly_field"):
        params["ELDERLY_FIELD"] = p["elderly_field"]
    run_child("kaigo:networkaccess", params, context, feedback)
    layer = QgsVectorLayer(table, "comparison", "ogr")
    names = layer.fields().names()
    rows = [[None if is_null(v) else v for v in f.attributes()] for f in layer.getFeatures()]
    keep = [i for i, n in enumerate(names) if n != "fid"]
    write_csv(
        os.path.join(tmp, NETWORK_COMPARISON_CSV),
        [names[i] for i in keep],
        [[r[i] for i in keep] for r in rows],
    )
    i_code, i_st, i_net = (names.index(n) for n in ("muni_code", "rate_straight_pct", "rate_net_pct"))
    for r in rows:
        if r[i_st] is not None and r[i_net] is not None:
            feedback.pushInfo(
                f"{r[i_code]}: 充足率 直線 {r[i_st]:.1f} % / 道路網 {r[i_net]:.1f} % — "
                f"rate by straight line {r[i_st]:.1f} %, along the network {r[i_net]:.1f} %"
            )
    return {"CHOME_NETWORK_GPKG": NETWORK_CHOME_GPKG, "NETWORK_COMPARISON": NETWORK_COMPARISON_CSV}

"""Processing algorithms of the kaigo provider, one module each."""

from __future__ import annotations

import importlib

# Module name -> class name. The order is the order in the toolbox listing of qgis_process.
ALGORITHM_MODULES = (
    ("import_estat", "ImportEstatAlgorithm"),
    ("representative_points", "RepresentativePointsAlgorithm"),
    ("blank_areas", "BlankAreasAlgorithm"),
    ("network_access", "NetworkAccessAlgorithm"),
    ("sufficiency_rates", "SufficiencyRatesAlgorithm"),
    ("density_classes", "DensityClassesAlgorithm"),
    ("committee_charts", "CommitteeChartsAlgorithm"),
    ("export_map", "ExportMapAlgorithm"),
    ("full_analysis", "FullAnalysisAlgorithm"),
)


def algorithm_classes() -> list:
    """The algorithm classes that this build ships."""
    classes = []
    for module_name, class_name in ALGORITHM_MODULES:
        try:
            module = importlib.import_module(f"{__name__}.{module_name}")
        except ModuleNotFoundError as err:
            if err.name == f"{__name__}.{module_name}":
                continue  # not part of this build yet
            raise
        classes.append(getattr(module, class_name))
    return classes

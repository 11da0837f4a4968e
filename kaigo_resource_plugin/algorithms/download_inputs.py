"""kaigo:fullanalysis with MUNICIPALITIES: the inputs it would otherwise be given (CHOME, AGES, RESOURCES)
downloaded first, through kaigo:downloadestat's and kaigo:downloadresources' own code."""

from __future__ import annotations

import os
import shutil

from qgis.core import QgsCoordinateReferenceSystem, QgsProcessingUtils, QgsRectangle, QgsVectorLayer

from ..core import municipalities as munis
from ..core import sources
from . import net
from .estat_files import download_estat_files, merge_tables

PARAMETER = "MUNICIPALITIES"
RESOURCES_SUBFOLDER = "resources"


class Downloaded:
    def __init__(self, parameters: dict, resources_folder: str | None):
        self.parameters = parameters
        self.resources_folder = resources_folder


def _extent_text(paths: list[str]) -> str:
    """The union of the layers' extents as a Processing extent string, in the first layer's CRS."""
    rect = QgsRectangle()
    crs = QgsCoordinateReferenceSystem()
    for n, path in enumerate(paths):
        layer = QgsVectorLayer(path, "chome", "ogr")
        if n == 0:
            crs = layer.crs()
            rect = QgsRectangle(layer.extent())
        else:
            rect.combineExtentWith(layer.extent())
    return f"{rect.xMinimum()!r},{rect.xMaximum()!r},{rect.yMinimum()!r},{rect.yMaximum()!r} [{crs.authid()}]"


def prepare(alg, parameters: dict, context, feedback) -> Downloaded | None:
    """None without MUNICIPALITIES; else the parameters with CHOME, AGES and RESOURCES filled in from the
    downloads (what the user gave for any of them is kept)."""
    text = (alg.parameterAsString(parameters, PARAMETER, context) or "").strip()
    if not text:
        return None
    import processing

    places = munis.registry().resolve(text)
    feedback.pushInfo("MUNICIPALITIES: " + "、".join(f"{m.name} ({m.code})" for m in places))
    cache = net.default_cache_folder()
    shapefiles, tables, log = download_estat_files(places, sources.DEFAULT_YEAR, cache, feedback)
    for line in log:
        feedback.pushInfo(line)
    params = dict(parameters)
    if not parameters.get("CHOME"):
        params["CHOME"] = shapefiles
    if not parameters.get("AGES"):
        ages = QgsProcessingUtils.generateTempFilename("T001082.csv")
        merge_tables(tables, ages)
        params["AGES"] = [ages]
    folder = None
    if not parameters.get("RESOURCES"):
        folder = QgsProcessingUtils.generateTempFilename("resources")
        res = processing.run(
            "kaigo:downloadresources",
            {
                "EXTENT": _extent_text(shapefiles),
                "RADIUS": alg.parameterAsDouble(parameters, "RADIUS", context),
                "CACHE_FOLDER": cache,
                "OUTPUT_FOLDER": folder,
            },
            context=context,
            feedback=feedback,
            is_child_algorithm=True,
        )
        params["RESOURCES"] = list(res["LAYERS"])
    return Downloaded(params, folder)


def keep_resources(downloaded: Downloaded | None, output_folder: str) -> None:
    """After a successful run: the downloaded resource layers (with their attribution) join the pack."""
    if (
        downloaded is None
        or not downloaded.resources_folder
        or not os.path.isdir(downloaded.resources_folder)
    ):
        return
    target = os.path.join(output_folder, RESOURCES_SUBFOLDER)
    os.makedirs(target, exist_ok=True)
    for name in sorted(os.listdir(downloaded.resources_folder)):
        src = os.path.join(downloaded.resources_folder, name)
        if os.path.isfile(src):
            shutil.copyfile(src, os.path.join(target, name))

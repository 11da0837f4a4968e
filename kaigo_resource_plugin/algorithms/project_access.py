"""A run of ours in a background thread never touches the QGIS project (a QGIS race, measured).

QGIS 3.22's ``QgsProject::layerStore()`` forgets the project's cached expression scope each time it is
called, and Processing calls it for every layer parameter it resolves (``QgsProcessingUtils::
mapLayerFromString``, also for a plain file path). A run in a background thread does this while the main
thread may be rebuilding that scope (the map canvas does on every refresh): the main thread then writes
into a scope that is gone and QGIS crashes (caught in gdb: a hardware watchpoint on the scope pointer hit
in the worker in ``layerStore()`` just before the GUI thread died in
``QgsProject::createExpressionContextScope``; the panel's rare segfault).

So, as QGIS's own C++ algorithms do, the layers of the project are resolved in the main thread, when
the run is prepared (``prepareAlgorithm``): a parameter that names a project layer gets the layer itself.
In the background thread the run's Processing context then has no project at all; files are opened as
files. A value only the project can resolve later (a "selected features only" source, an expression)
keeps the project, as before.
"""

from __future__ import annotations

import contextlib

from qgis.core import (
    QgsMapLayer,
    QgsProcessingDestinationParameter,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterMapLayer,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterVectorLayer,
    QgsProcessingUtils,
)

LAYER_PARAMETERS = (
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterVectorLayer,
    QgsProcessingParameterMapLayer,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterMultipleLayers,
)


def project_layers(alg, parameters: dict, context) -> tuple[dict, bool]:
    """(the layer parameters that name a layer of the context's project, each with the layer object instead
    of its id, name or source; whether the run still needs the project). Main thread only."""
    project = context.project()
    if project is None:
        return {}, False
    resolved: dict = {}
    needs_project = False
    for definition in alg.parameterDefinitions():
        if isinstance(definition, QgsProcessingDestinationParameter):
            continue
        name = definition.name()
        value = parameters.get(name)
        if value is None or not isinstance(definition, LAYER_PARAMETERS):
            continue
        items = list(value) if isinstance(value, (list, tuple)) else [value]
        out, changed = [], False
        for item in items:
            if isinstance(item, QgsMapLayer) or item is None or item == "":
                out.append(item)
                continue
            if not isinstance(item, str):
                needs_project = True  # a feature source definition, an expression: Processing resolves it
                out.append(item)
                continue
            layer = QgsProcessingUtils.mapLayerFromString(item, context, False)
            if layer is not None and project.mapLayer(layer.id()) is not None:
                out.append(layer)
                changed = True
            else:
                out.append(item)
        if changed:
            resolved[name] = out if isinstance(value, (list, tuple)) else out[0]
    return resolved, needs_project


class HiddenProject:
    """The project of a background run's context, taken away for the run and given back for the end."""

    def __init__(self, context):
        self.context = context
        self.project = context.project()
        if self.project is not None:
            context.setProject(None)

    def restore(self) -> None:
        if self.project is not None and self.context.project() is None:
            self.context.setProject(self.project)


@contextlib.contextmanager
def without_project(context, needed: bool):
    """The run in a background thread, without the project (unless ``needed``)."""
    hidden = None if needed or context is None else HiddenProject(context)
    try:
        yield hidden
    finally:
        if hidden is not None:
            hidden.restore()

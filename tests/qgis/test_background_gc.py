"""In a background thread, a run of ours never runs Python's cyclic garbage collector (base.processAlgorithm).

A collection in the worker would destroy, in that thread, whatever main-thread objects happen to be
unreachable at that moment: an earlier panel run's Processing context with the layers QGIS moved into it,
its feedback. The main thread may still be using what they refer to (seen as rare crashes of the panel
in the GUI thread while a second run started).
"""

from __future__ import annotations

import gc
import threading
import time


def _probe_algorithm():
    from kaigo_resource_plugin.algorithms.base import KaigoAlgorithm

    class Probe(KaigoAlgorithm):
        NAME = "gcprobe"
        DISPLAY_NAME = "gc probe"
        seen: list = []

        def initAlgorithm(self, config=None):  # noqa: N802
            pass

        def process(self, parameters, context, feedback):
            type(self).seen.append((threading.current_thread() is threading.main_thread(), gc.isenabled()))
            return {}

    return Probe


def _run_as_task(alg, parameters, context, feedback) -> list:
    """Run ``alg`` as the panel and the toolbox do (a QgsProcessingAlgRunnerTask); the ``executed`` flags."""
    from qgis.core import QgsApplication, QgsProcessingAlgRunnerTask

    done = []
    task = QgsProcessingAlgRunnerTask(alg, parameters, context, feedback)
    task.executed.connect(lambda ok, _results: done.append(ok))
    QgsApplication.taskManager().addTask(task)
    deadline = time.monotonic() + 60
    while not done and time.monotonic() < deadline:
        QgsApplication.processEvents()
        time.sleep(0.01)
    return done


def test_the_collector_is_off_during_a_background_run_and_back_on_after(plugin):
    from qgis.core import (
        QgsProcessingContext,
        QgsProcessingFeedback,
    )

    probe = _probe_algorithm()
    assert gc.isenabled()
    context, feedback = QgsProcessingContext(), QgsProcessingFeedback()
    probe().processAlgorithm({}, context, feedback)  # in the main thread: left alone
    assert _run_as_task(probe(), {}, context, feedback) == [True]
    assert probe.seen == [(True, True), (False, False)]
    assert gc.isenabled()


def test_pauses_nest_and_overlap_between_threads():
    from kaigo_resource_plugin.algorithms.outputs import gc_paused

    inside, release, states = threading.Event(), threading.Event(), []

    def other():
        with gc_paused():
            inside.set()
            release.wait(10)

    t = threading.Thread(target=other)
    with gc_paused():
        t.start()
        inside.wait(10)
    states.append(gc.isenabled())  # this pause ended, the other thread's has not
    release.set()
    t.join(10)
    states.append(gc.isenabled())
    assert states == [False, True]


def test_a_background_run_gets_the_project_layer_itself_and_no_project(plugin, sample_data):
    """The layers of the project are resolved when the run is prepared (main thread); in the worker the
    context has no project, so that QGIS never calls QgsProject::layerStore() there (project_access.py)."""
    from qgis.core import (
        QgsMapLayer,
        QgsProcessing,
        QgsProcessingContext,
        QgsProcessingFeedback,
        QgsProcessingParameterFeatureSource,
        QgsProject,
        QgsVectorLayer,
    )

    from kaigo_resource_plugin.algorithms.base import KaigoAlgorithm

    class SourceProbe(KaigoAlgorithm):
        NAME = "sourceprobe"
        DISPLAY_NAME = "source probe"
        seen: list = []

        def initAlgorithm(self, config=None):  # noqa: N802
            self.addParameter(
                QgsProcessingParameterFeatureSource("INPUT", "input", [QgsProcessing.SourceType.TypeVector])
            )

        def process(self, parameters, context, feedback):
            source = self.parameterAsSource(parameters, "INPUT", context)
            type(self).seen.append(
                (
                    threading.current_thread() is threading.main_thread(),
                    context.project() is None,
                    isinstance(parameters["INPUT"], QgsMapLayer),
                    source.featureCount(),
                )
            )
            return {}

    project = QgsProject.instance()
    layer = QgsVectorLayer(str(sample_data / "daito-27218" / "chome.shp"), "daito", "ogr")
    assert layer.isValid()
    project.addMapLayer(layer)
    try:
        context, feedback = QgsProcessingContext(), QgsProcessingFeedback()
        context.setProject(project)
        assert _run_as_task(SourceProbe(), {"INPUT": layer.id()}, context, feedback) == [True]
        n = layer.featureCount()
        assert SourceProbe.seen == [(False, True, True, n)]
        assert context.project() is project  # the caller's context keeps its project
    finally:
        project.removeMapLayer(layer.id())

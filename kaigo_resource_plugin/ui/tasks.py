"""Background run of the Processing algorithms for the panel.

The panel never re-implements the analysis: it chains ``kaigo:blankareas`` → ``kaigo:sufficiencyrates``
as two ``QgsProcessingAlgRunnerTask`` (the task the Processing dialog itself uses), each in the QGIS task
manager, so QGIS stays responsive. Cancel goes to the running task's feedback.
"""

from __future__ import annotations

from qgis.core import (
    QgsApplication,
    QgsMessageLog,
    QgsProcessingAlgRunnerTask,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProject,
)
from qgis.PyQt.QtCore import QObject, QTimer, pyqtSignal

LOG_TAG = "Kaigo"
INFO, WARNING, ERROR = 0, 1, 2


class RecordingFeedback(QgsProcessingFeedback):
    """Feedback that forwards the algorithm's log to the panel (signals are queued to the GUI thread)."""

    message = pyqtSignal(str, int)

    def __init__(self):
        super().__init__()
        self.errors: list[str] = []

    def pushInfo(self, info):  # noqa: N802
        super().pushInfo(info)
        self.message.emit(info, INFO)

    def pushWarning(self, warning):  # noqa: N802
        super().pushWarning(warning)
        self.message.emit(warning, WARNING)

    def reportError(self, error, fatalError=False):  # noqa: N802, N803
        super().reportError(error, fatalError)
        self.errors.append(error)
        self.message.emit(error, ERROR)


def filter_parameters(alg, params: dict) -> tuple[dict, list[str]]:
    """Keep the parameters ``alg`` declares; return them and the names it does not know."""
    known = {p.name() for p in alg.parameterDefinitions()}
    kept = {k: v for k, v in params.items() if k in known}
    return kept, sorted(set(params) - known)


class AlgorithmChain(QObject):
    """Runs a list of (algorithm id, parameters-builder, progress share) steps one after the other.

    Each builder receives the results of the previous steps (a list of dicts) and returns the parameters.
    Signals: ``progress(percent)``, ``message(text, level)``, ``step_started(index, alg_id)``,
    ``finished(ok, results, error, cancelled)`` (results: list of result dicts, one per step).
    """

    progress = pyqtSignal(float)
    message = pyqtSignal(str, int)
    step_started = pyqtSignal(int, str)
    finished = pyqtSignal(bool, list, str, bool)

    def __init__(self, steps, project=None, parent=None):
        super().__init__(parent)
        self._steps = list(steps)
        self._project = project or QgsProject.instance()
        self._results: list[dict] = []
        self._index = -1
        self._task = None
        self._context = None
        self._feedback = None
        self._cancelled = False
        self._done = False
        self._offset = 0.0
        self._share = 0.0
        # contexts and feedbacks of every step stay alive until the chain ends, and are released here, in
        # the GUI thread: never left to Python's cyclic GC, which may run in a worker thread
        self._kept: list = []

    # -- public --------------------------------------------------------------------------------------
    def start(self) -> None:
        self._next()

    def cancel(self) -> None:
        self._cancelled = True
        if self._feedback is not None:
            self._feedback.cancel()
        if self._task is not None:
            self._task.cancel()

    def is_running(self) -> bool:
        return not self._done and self._index >= 0

    def current_task(self):
        return self._task

    # -- steps ----------------------------------------------------------------------------------------
    def _finish(self, ok: bool, error: str = "") -> None:
        if self._done:
            return
        self._done = True
        self._task = None
        self._steps = []  # the builders may refer to the panel: no reference cycle through the chain
        self.finished.emit(ok, list(self._results), error, self._cancelled)
        QTimer.singleShot(0, self._release)

    def _release(self) -> None:
        self._context = None
        self._feedback = None
        self._kept = []

    def _next(self) -> None:
        self._index += 1
        if self._cancelled:
            self._finish(False, "")
            return
        if self._index >= len(self._steps):
            self.progress.emit(100.0)
            self._finish(True)
            return
        alg_id, build, share = self._steps[self._index]
        alg = QgsApplication.processingRegistry().algorithmById(alg_id)
        if alg is None:
            self._finish(False, f"missing:{alg_id}")
            return
        try:
            params = build(self._results)
        except Exception as err:  # noqa: BLE001 - becomes a message, never a traceback
            self._finish(False, str(err))
            return
        params, unknown = filter_parameters(alg, params)
        if unknown:
            QgsMessageLog.logMessage(
                f"{alg_id}: parameters not declared by this version, not passed: {', '.join(unknown)}",
                LOG_TAG,
            )
        context = QgsProcessingContext()
        context.setProject(self._project)
        feedback = RecordingFeedback()
        feedback.message.connect(self.message)
        context.setFeedback(feedback)
        ok, msg = alg.checkParameterValues(params, context)
        if not ok:
            self._finish(False, msg)
            return
        self._context, self._feedback = context, feedback
        self._kept.append((context, feedback))
        task = QgsProcessingAlgRunnerTask(alg, params, context, feedback)
        self._offset += 100.0 * self._share
        self._share = share
        task.progressChanged.connect(self._task_progress)
        task.executed.connect(self._executed)
        self._task = task
        self.step_started.emit(self._index, alg_id)
        if task.isCanceled():  # prepare() failed
            self._executed(False, {})
            return
        QgsApplication.taskManager().addTask(task)

    def _task_progress(self, percent: float) -> None:
        self.progress.emit(self._offset + percent * self._share)

    def _executed(self, ok: bool, results: dict) -> None:
        feedback = self._feedback
        if not ok:
            if self._cancelled or (feedback is not None and feedback.isCanceled()):
                self._cancelled = True
                self._finish(False, "")
            else:
                errors = feedback.errors if feedback is not None else []
                self._finish(False, "\n".join(e for e in errors if e) or "")
            return
        self._results.append(dict(results))
        self._next()

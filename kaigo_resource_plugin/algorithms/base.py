"""Thin base class shared by every algorithm of the kaigo provider."""

from __future__ import annotations

import math
import os

from qgis.core import QgsProcessingAlgorithm, QgsProcessingException, QgsProcessingMultiStepFeedback
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtGui import QIcon

from ..compat import in_main_thread
from ..core.errors import Cancelled, InputError
from ..core.language import one_language
from ..i18n_loader import output_language, qgis_locale
from .outputs import gc_paused
from .project_access import project_layers, without_project

PLUGIN_DIR = os.path.dirname(os.path.dirname(__file__))
HELP_DIR = os.path.join(PLUGIN_DIR, "help")


# Toolbox groups, in the order of the work: one place decides where each algorithm shows.
GROUPS = {
    "preparation": "1 · Data preparation",
    "analysis": "2 · Analysis",
    "outputs": "3 · Charts and maps",
}
GROUP_OF = {
    "importestat": "preparation",
    "downloadestat": "preparation",
    "downloadresources": "preparation",
    "representativepoints": "preparation",
    "blankareas": "analysis",
    "networkaccess": "analysis",
    "sufficiencyrates": "analysis",
    "densityclasses": "analysis",
    "fullanalysis": "analysis",
    "suggestsites": "analysis",
    "resourceimpact": "analysis",
    "committeecharts": "outputs",
    "exportmap": "outputs",
}


def help_text(name: str, lang: str | None = None) -> str:
    """Help of algorithm ``name`` in the QGIS language (Japanese or English), from help/, on one line:
    the Processing dialog makes a paragraph of every line (core.helptext.flow)."""
    from ..core.helptext import flow

    lang = lang or qgis_locale()
    order = ["ja", "en"] if lang == "ja" else ["en", "ja"]
    for code in order:
        path = os.path.join(HELP_DIR, f"{name}_{code}.html")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as fh:
                return flow(fh.read())
    return ""


def decimals_for(value) -> int:
    """Digits after the point that ``value`` needs (500 → 0, 0.109 → 3, 0.5 → 1), at most 6."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0
    text = f"{number:.6f}".rstrip("0").rstrip(".")
    return len(text.split(".")[1]) if "." in text else 0


def _set_decimals(definition) -> None:
    from qgis.core import QgsProcessingParameterNumber

    if not isinstance(definition, QgsProcessingParameterNumber):
        return
    if definition.dataType() != QgsProcessingParameterNumber.Type.Double:
        return
    metadata = dict(definition.metadata() or {})
    wrapper = dict(metadata.get("widget_wrapper") or {})
    if "decimals" in wrapper:
        return
    top = definition.maximum()
    wrapper["decimals"] = max(decimals_for(definition.defaultValue()), decimals_for(top) if top < 1e6 else 0)
    metadata["widget_wrapper"] = wrapper
    definition.setMetadata(metadata)


class ForwardingFeedback(QgsProcessingMultiStepFeedback):
    """Forwards everything to the caller's ``feedback``: progress and Cancel straight through (one step of
    100 %), and every log line (info, warning, command, debug, error) through ``rewrite(text, kind)`` first.
    Subclasses say only how a line is rewritten."""

    def __init__(self, feedback):
        super().__init__(1, feedback)
        self._parent = feedback
        if feedback.isCanceled():
            self.cancel()
        self.setCurrentStep(0)

    def rewrite(self, text, kind: str):
        return text

    def isCanceled(self):  # noqa: N802
        # a caller's feedback may answer isCanceled() itself (tests, scripts) without emitting canceled()
        return super().isCanceled() or self._parent.isCanceled()

    def setProgress(self, progress):  # noqa: N802
        # straight to the caller's feedback (its own setProgress, if it has one, sees every value)
        self._parent.setProgress(progress)

    def pushInfo(self, info):  # noqa: N802
        super().pushInfo(self.rewrite(info, "info"))

    def pushWarning(self, warning):  # noqa: N802
        super().pushWarning(self.rewrite(warning, "warning"))

    def pushCommandInfo(self, info):  # noqa: N802
        super().pushCommandInfo(self.rewrite(info, "command"))

    def pushDebugInfo(self, info):  # noqa: N802
        super().pushDebugInfo(self.rewrite(info, "debug"))

    def reportError(self, error, fatalError=False):  # noqa: N802, N803
        super().reportError(self.rewrite(error, "error"), fatalError)


class OneLanguageFeedback(ForwardingFeedback):
    """The feedback an algorithm of ours writes to: a bilingual log line ("ja\nen", "ja / en") reaches the
    user in the QGIS language only (core.language.one_language). Commands and debug lines stay as they are."""

    def __init__(self, feedback, lang: str):
        super().__init__(feedback)
        self.lang = lang

    def rewrite(self, text, kind: str):
        return one_language(text, self.lang) if kind in ("info", "warning", "error") else text


class FinalPlacesFeedback(OneLanguageFeedback):
    """One language, and a path inside a run's staging folder shown where the file will be after the run
    (the guard moves every output out of staging only once all succeeded): the log never names a folder
    that is gone by the time the user reads it."""

    def __init__(self, feedback, lang: str, final):
        super().__init__(feedback, lang)
        self._final = final

    def rewrite(self, text, kind: str):
        return super().rewrite(self._final(text), kind)


def _forget_wrappers(context, wrappers, caller_feedback) -> None:
    """The feedback wrappers of a run (one language, final places) live only as long as the run that made
    them: a child run through processing.run(context=context, feedback=wrapper) sets one as the context's
    feedback when the context had none, and the context would then point at a deleted feedback after this
    run. Give the context back the caller's feedback (or none)."""
    if context is None:
        return
    try:
        current = context.feedback()
        if current is not None and current is not caller_feedback and any(current is w for w in wrappers):
            context.setFeedback(caller_feedback)
    except RuntimeError:  # pragma: no cover - a deleted context
        pass


def one_language_feedback(feedback):
    if feedback is None or isinstance(feedback, OneLanguageFeedback):
        return feedback
    return OneLanguageFeedback(feedback, output_language())


class KaigoAlgorithm(QgsProcessingAlgorithm):
    """Subclasses set NAME and DISPLAY_NAME and implement initAlgorithm() and process(); GROUP_OF places them."""

    NAME = ""
    DISPLAY_NAME = ""
    GROUP_ID = "analysis"
    GROUP = "Analysis"

    def tr(self, text: str) -> str:
        return QCoreApplication.translate(type(self).__name__, text)

    def createInstance(self):  # noqa: N802 (QGIS API)
        return type(self)()

    def name(self) -> str:
        return self.NAME

    def displayName(self) -> str:  # noqa: N802
        return self.tr(self.DISPLAY_NAME)

    def group(self) -> str:
        group_id = self.groupId()
        if group_id in GROUPS:
            return QCoreApplication.translate("KaigoAlgorithm", GROUPS[group_id])
        return QCoreApplication.translate("KaigoAlgorithm", self.GROUP)

    def groupId(self) -> str:  # noqa: N802
        return GROUP_OF.get(self.NAME, self.GROUP_ID)

    def shortHelpString(self) -> str:  # noqa: N802
        return help_text(self.NAME)

    def addParameter(self, parameterDefinition, createOutput=True):  # noqa: N802, N803
        """A decimal number shows the digits its default needs (500 m, 0.109), not QGIS's 500.000000."""
        _set_decimals(parameterDefinition)
        return super().addParameter(parameterDefinition, createOutput)

    def icon(self):
        return QIcon(os.path.join(PLUGIN_DIR, "icons", "icon.svg"))

    def checkParameterValues(self, parameters, context):  # noqa: N802
        """QGIS's own checks answer in English only ("Incorrect parameter value for X"): check the usual
        mistakes first and say in Japanese and English what to change."""
        message = _first_bad_parameter(self, parameters, context)
        if message:
            return False, message
        from . import guard

        try:
            guard.check(self, parameters, context)
        except InputError as err:
            return False, str(err)
        return super().checkParameterValues(parameters, context)

    def prepareAlgorithm(self, parameters, context, feedback):  # noqa: N802
        # QGIS prepares a background run in the main thread (the task is made there): the project's layers
        # are resolved now, so that the run itself never touches the project (project_access.py)
        self._project_layers = project_layers(self, parameters, context) if in_main_thread() else ({}, True)
        return True

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        if in_main_thread():
            return self._run_with_guard(parameters, context, feedback)
        # In a background thread (Processing dialog, task, panel):
        # - no QGIS project in the run's context: the layers of the project were resolved when the run was
        #   prepared, and QGIS's lookups of layers in the project race with the main thread (project_access);
        # - Python's cyclic garbage collector stays off for the whole run: a collection here would destroy,
        #   in this thread, whatever objects of the main thread happen to be unreachable then (an earlier
        #   run's Processing context with its layers, a feedback). The main thread collects them;
        #   reference counting still frees everything this run makes.
        resolved, needs_project = getattr(self, "_project_layers", None) or ({}, True)
        with gc_paused(), without_project(context, needs_project) as hidden:
            self._hidden_project = hidden
            try:
                return self._run_with_guard({**parameters, **resolved}, context, feedback)
            finally:
                self._hidden_project = None

    def _run_with_guard(self, parameters, context, feedback):
        caller_feedback = feedback
        feedback = one_language_feedback(feedback)
        wrappers = [feedback]
        from . import guard

        run_guard = None
        try:
            run_guard = guard.RunGuard(self, parameters, context)
            run_guard.check()
            staged = run_guard.staged_parameters()
            if feedback is not None:
                feedback = FinalPlacesFeedback(feedback, output_language(), run_guard.final_text)
                wrappers.append(feedback)
            results = self.process(staged, context, feedback)
            check_cancel(feedback)
            final = run_guard.commit(results, feedback)
            if getattr(self, "_hidden_project", None) is not None:
                self._hidden_project.restore()  # after_commit registers layers for the project
            self.after_commit(final, parameters, context)
            return final
        except InputError as err:
            raise QgsProcessingException(str(err)) from None
        except Cancelled:
            raise QgsProcessingException(
                "処理が取り消されました。出力は書き込まれていません。\n"
                "The run was cancelled; no output was written."
            ) from None
        except QgsProcessingException:
            raise
        except Exception as err:  # a defect of ours: say so plainly, keep the details for the report
            import traceback

            feedback.pushDebugInfo(traceback.format_exc())
            raise QgsProcessingException(
                f"予期しないエラーが起きました（{type(err).__name__}: {err}）。出力は書き込まれていません。"
                "入力データとログを添えて不具合として報告してください。\n"
                f"Unexpected error ({type(err).__name__}: {err}); no output was written. "
                "Please report it as a bug with the input data and the log."
            ) from None
        finally:
            if run_guard is not None:
                run_guard.cleanup()
            _forget_wrappers(context, wrappers, caller_feedback)
            wrappers.clear()
            feedback = run_guard = None  # a traceback that keeps this frame no longer keeps them

    def after_commit(self, results: dict, parameters: dict, context) -> None:
        """Called with the results at their final places (the guard moved them out of staging). Layers an
        algorithm adds to the map are registered here, never in process(): a layer registered under its staged
        path would have to be renamed, and QgsProcessingContext.setLayersToLoadOnCompletion then deletes the
        renamed entry's post-processor while the entry still points at it (a segfault when the context ends)."""

    def parameterAsSink(self, parameters, name, context, fields, *args, **kwargs):  # noqa: N802
        """QGIS's own, refusing first a shapefile that would cut the field names (so that no per-type
        rate is silently dropped downstream)."""
        from . import checks

        checks.sink_field_names(parameters.get(name), name, fields)
        return super().parameterAsSink(parameters, name, context, fields, *args, **kwargs)

    def process(self, parameters, context, feedback):  # pragma: no cover - abstract
        """The algorithm's work: parameters → core → outputs. Named so as not to shadow
        QgsProcessingAlgorithm.run(), which processing.run() and qgis_process call."""
        raise NotImplementedError


_FILE_SUFFIXES = (
    ".shp",
    ".dbf",
    ".gpkg",
    ".geojson",
    ".json",
    ".csv",
    ".txt",
    ".sqlite",
    ".kml",
    ".gml",
    ".tab",
    ".xlsx",
    ".xls",
    ".ods",
    ".zip",
    ".fgb",
    ".parquet",
)


def _missing_file(value, context) -> str | None:
    """The path of a file that does not exist, for a layer/file parameter value given as a path."""
    if not isinstance(value, str) or not value.strip():
        return None
    path = value.split("|")[0].strip()
    if path.startswith(("/vsi", "memory:", "postgres", "dbname=")) or not path.lower().endswith(
        _FILE_SUFFIXES
    ):
        return None
    if os.path.exists(path):
        return None
    from qgis.core import QgsProcessingUtils

    if context is not None and QgsProcessingUtils.mapLayerFromString(value, context, False) is not None:
        return None  # a layer of the project with that name
    return path


def _unwritable(value) -> str | None:
    """The output path when its folder cannot be created or written, else None."""
    from qgis.core import QgsProcessingOutputLayerDefinition

    if isinstance(value, QgsProcessingOutputLayerDefinition):
        value = value.sink.staticValue()
    if not isinstance(value, str) or not value.strip():
        return None
    path = value.strip()
    if (
        path.startswith(("memory:", "ogr:", "postgis:", "postgres:", "spatialite:", "/vsi"))
        or path == "TEMPORARY_OUTPUT"
    ):
        return None
    folder = os.path.dirname(os.path.abspath(path))
    while folder and not os.path.exists(folder):
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    if not (os.path.isdir(folder) and os.access(folder, os.W_OK)):
        return path
    target_dir = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(target_dir):
        try:  # QGIS writers do not create missing folders: do it, as a user would expect
            os.makedirs(target_dir, exist_ok=True)
        except OSError:
            return path
    return None


MAX_TITLE = 200  # characters of a chart/map title: longer ones cannot be drawn (matplotlib overflows)


def _first_bad_parameter(alg, parameters, context) -> str | None:
    from qgis.core import (
        QgsProcessingDestinationParameter,
        QgsProcessingParameterFeatureSource,
        QgsProcessingParameterFile,
        QgsProcessingParameterMultipleLayers,
        QgsProcessingParameterNumber,
        QgsProcessingParameterVectorLayer,
    )

    layer_kinds = (
        QgsProcessingParameterFeatureSource,
        QgsProcessingParameterVectorLayer,
        QgsProcessingParameterMultipleLayers,
        QgsProcessingParameterFile,
    )
    for d in alg.parameterDefinitions():
        name = d.name()
        value = parameters.get(name)
        if value is None or value == "":
            continue
        label = d.description()
        if name == "TITLE" and isinstance(value, str) and len(value) > MAX_TITLE:
            return (
                f"{name}（{label}）が長すぎます（{len(value):,} 文字）。図の題は {MAX_TITLE} 文字以内にしてください。\n"
                f"{name} ({label}) is too long ({len(value):,} characters): keep a chart or map title within "
                f"{MAX_TITLE} characters."
            )
        if isinstance(d, QgsProcessingDestinationParameter):
            bad = _unwritable(value)
            if bad:
                return (
                    f"{name}（{label}）に書き込めません: {bad}。書き込みできるフォルダのパスを指定してください。\n"
                    f"{name} ({label}): cannot write to {bad}. Choose a path in a folder you can write to."
                )
            continue
        message = None
        if isinstance(d, QgsProcessingParameterNumber):
            message = _bad_number(d, name, label, value)
        if message is None and isinstance(d, layer_kinds):
            message = _bad_layer_value(d, name, label, value, context)
        if message:
            return message
    return None


def _bad_number(d, name: str, label: str, value) -> str | None:
    """The bilingual message for a number parameter that is not a finite number within its bounds."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return f"{name}（{label}）は数値で指定してください（指定値: {value}）。\n{name} ({label}) must be a number (got {value})."
    if not math.isfinite(number):
        return (
            f"{name}（{label}）が有限の数ではありません（指定値: {value}）。通常の数値を指定してください。\n"
            f"{name} ({label}) must be a finite number (got {value}): give an ordinary number."
        )
    low, high = d.minimum(), d.maximum()
    if number < low or number > high:
        bounds_ja = f"{low:g}〜{high:g}" if high < 1e300 else f"{low:g} 以上"
        bounds_en = f"between {low:g} and {high:g}" if high < 1e300 else f"at least {low:g}"
        return (
            f"{name}（{label}）は {bounds_ja} の値にしてください（指定値: {number:g}）。\n"
            f"{name} ({label}) must be {bounds_en} (got {number:g})."
        )
    return None


def _bad_layer_value(d, name: str, label: str, value, context) -> str | None:
    """The bilingual message for a layer or file parameter naming a missing file, a file of the wrong
    kind (by extension) or a file that is not a vector layer."""
    from qgis.core import QgsProcessing, QgsProcessingParameterFile, QgsProcessingParameterMultipleLayers

    from .checks import not_vector_message, wrong_extension_message

    for item in value if isinstance(value, (list, tuple)) else [value]:
        missing = _missing_file(item, context)
        if missing:
            return (
                f"{name}（{label}）のファイルが見つかりません: {missing}。パスを確認してください。\n"
                f"{name} ({label}): file not found: {missing}. Check the path."
            )
        files_only = isinstance(d, QgsProcessingParameterMultipleLayers) and d.layerType() == getattr(
            QgsProcessing.SourceType, "TypeFile", 6
        )
        if isinstance(d, QgsProcessingParameterFile) or files_only:
            wrong = wrong_extension_message(item, d, name, label)
        else:
            wrong = not_vector_message(item, name, label)
        if wrong:
            return wrong
    return None


def threshold_parameters() -> list:
    """One parameter per boundary between density classes (THRESHOLD_LOW / THRESHOLD_HIGH for the METI
    classes), people/km², the same in every algorithm: built from core.classes.DENSITY_CLASSES."""
    from qgis.core import QgsProcessingParameterNumber

    from ..core.classes import DENSITY_CLASSES

    tr = QCoreApplication.translate
    ja = output_language() == "ja"  # the class names in the dialog's language (Rural / General city …)
    return [
        QgsProcessingParameterNumber(
            upper.parameter,
            tr("KaigoAlgorithm", "Density threshold {below} / {above} (people/km²)").format(
                below=lower.short_ja if ja else lower.short_en, above=upper.short_ja if ja else upper.short_en
            ),
            QgsProcessingParameterNumber.Type.Double,
            upper.lower,
            minValue=0.0,
        )
        for lower, upper in zip(DENSITY_CLASSES, DENSITY_CLASSES[1:])
    ]


def threshold_values(alg, parameters, context) -> tuple:
    """The density thresholds given to ``alg`` (one per threshold parameter), checked: InputError when they
    are not positive and increasing."""
    from ..core.classes import THRESHOLD_PARAMETERS
    from ..core.rates import check_thresholds

    return check_thresholds(
        *(alg.parameterAsDouble(parameters, name, context) for name in THRESHOLD_PARAMETERS)
    )


def threshold_arguments(thresholds) -> dict:
    """{THRESHOLD_LOW: …, THRESHOLD_HIGH: …}: the thresholds as parameters of another kaigo algorithm."""
    from ..core.classes import THRESHOLD_PARAMETERS

    return dict(zip(THRESHOLD_PARAMETERS, thresholds))


def chome_point_parameters(parent: str = "INPUT") -> list:
    """KEY_FIELD and POINT_METHOD of the algorithms that place one representative point per chōme."""
    from qgis.core import QgsProcessingParameterEnum, QgsProcessingParameterField

    tr = QCoreApplication.translate
    return [
        QgsProcessingParameterField(
            "KEY_FIELD",
            tr("KaigoAlgorithm", "Chōme key field"),
            defaultValue="KEY_CODE",
            parentLayerParameterName=parent,
            optional=True,  # QGIS 3.22 rejects a missing field parameter even with a default
        ),
        QgsProcessingParameterEnum(
            "POINT_METHOD",
            tr("KaigoAlgorithm", "Representative point"),
            options=[
                tr("KaigoAlgorithm", "e-Stat X_CODE/Y_CODE (point on surface where missing)"),
                tr("KaigoAlgorithm", "Point on surface"),
                tr("KaigoAlgorithm", "Centroid"),
            ],
            defaultValue=0,
        ),
    ]


def check_cancel(feedback) -> None:
    """Raise Cancelled when the user pressed Cancel (call between steps, before writing)."""
    if feedback is not None and feedback.isCanceled():
        raise Cancelled()

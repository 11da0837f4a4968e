"""The Processing provider "kaigo"."""

from __future__ import annotations

import os

from qgis.core import QgsProcessingModelAlgorithm, QgsProcessingProvider
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtGui import QIcon

from .algorithms import algorithm_classes

PLUGIN_DIR = os.path.dirname(__file__)


class KaigoProvider(QgsProcessingProvider):
    def id(self) -> str:
        return "kaigo"

    def name(self) -> str:
        return QCoreApplication.translate("KaigoProvider", "Kaigo resources – sufficiency rate")

    def longName(self) -> str:  # noqa: N802
        return self.name()

    def icon(self):
        return QIcon(os.path.join(PLUGIN_DIR, "icons", "icon.svg"))

    def svgIconPath(self) -> str:  # noqa: N802
        return os.path.join(PLUGIN_DIR, "icons", "icon.svg")

    def load(self) -> bool:
        # in the main thread, before any run: QGIS 3.22 loses a CRS made in a background thread once that
        # thread ends, and then transforms without a word (proj_threads.py)
        from .proj_threads import keep_crs_of_background_runs

        keep_crs_of_background_runs()
        return super().load()

    def loadAlgorithms(self):  # noqa: N802
        for cls in algorithm_classes():
            self.addAlgorithm(cls())
        # Graphical models shipped with the plugin (open them in the Model Designer to adapt them).
        # Their child algorithms are ours: a model can only resolve them once this provider is in the
        # registry, so the plugin refreshes the provider right after registering it.
        from qgis.core import QgsApplication

        if QgsApplication.processingRegistry().providerById(self.id()) is None:
            return
        models = os.path.join(PLUGIN_DIR, "models")
        for name in sorted(os.listdir(models)) if os.path.isdir(models) else []:
            if name.endswith(".model3"):
                model = KaigoModel()
                if model.fromFile(os.path.join(models, name)):
                    model.localize()
                    self.addAlgorithm(model)


_MODEL_TITLES = {
    "analysismodel": "Model: e-Stat import → blank areas → rates → charts",
}


class KaigoModel(QgsProcessingModelAlgorithm):
    """A shipped model whose id stays ASCII ("kaigo:analysismodel") while its title and group are translated."""

    def displayName(self):  # noqa: N802
        return QCoreApplication.translate("KaigoModel", _MODEL_TITLES.get(self.name(), self.name()))

    def group(self):
        return QCoreApplication.translate("KaigoModel", "4 · Models")

    def groupId(self):  # noqa: N802
        return "models"

    def localize(self) -> None:
        """The .model3 names its inputs, steps and outputs "English / 日本語": keep the QGIS language's half."""
        from .i18n_loader import output_language

        lang = output_language()

        def one_language(text: str, lang: str) -> str:
            english, sep, japanese = text.partition(" / ")
            return (japanese if lang == "ja" else english).strip() if sep else text

        for definition in self.parameterDefinitions():
            definition.setDescription(one_language(definition.description(), lang))
        for child_id in self.childAlgorithms():
            child = self.childAlgorithm(child_id)
            child.setDescription(one_language(child.description(), lang))
            outputs = child.modelOutputs()
            for output in outputs.values():
                output.setDescription(one_language(output.description(), lang))
            child.setModelOutputs(outputs)

    def checkParameterValues(self, parameters, context):  # noqa: N802
        """QGIS's own model checks answer in English only: the usual mistakes first, in both languages."""
        from .algorithms.base import _first_bad_parameter

        message = _first_bad_parameter(self, parameters, context)
        if message:
            return False, message
        return super().checkParameterValues(parameters, context)

    def shortHelpString(self):  # noqa: N802
        """The model's description in the QGIS language, on one line (the dialog makes a paragraph of
        every line): the .model3 keeps an English and a Japanese paragraph, one per line."""
        from .core.helptext import flow, is_wide
        from .i18n_loader import output_language

        text = str(self.helpContent().get("ALG_DESC") or "")
        parts = [p for p in text.split("\n") if p.strip()]
        japanese = [p for p in parts if any(is_wide(c) and not c.isspace() for c in p[:40])]
        english = [p for p in parts if p not in japanese]
        chosen = (japanese if output_language() == "ja" else english) or parts
        return flow("\n".join(f"<p>{p}</p>" for p in chosen))

    def createInstance(self):  # noqa: N802
        clone = KaigoModel()
        clone.loadVariant(self.toVariant())
        clone.setSourceFilePath(self.sourceFilePath())
        return clone

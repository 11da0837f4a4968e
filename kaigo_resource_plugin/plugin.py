"""Plugin lifecycle: Processing provider (also for qgis_process) and the dock panel (desktop only)."""

from __future__ import annotations

from qgis.core import QgsApplication

from .provider import KaigoProvider


class KaigoResourcePlugin:
    def __init__(self, iface):
        self.iface = iface
        self.provider: KaigoProvider | None = None
        self.dock = None
        self.action = None
        self.translator = None

    # -- Processing (qgis_process calls only this) ---------------------------------------------
    def initProcessing(self):  # noqa: N802 (QGIS API name)
        from .i18n_loader import install_translator

        self.translator = install_translator()
        if self.provider is None:
            provider = KaigoProvider()
            # addProvider() takes ownership and refuses a second "kaigo" (another instance of the plugin)
            if QgsApplication.processingRegistry().addProvider(provider):
                self.provider = provider
                provider.refreshAlgorithms()  # now the shipped models can resolve our algorithms

    # -- Desktop ---------------------------------------------------------------------------------
    def initGui(self):  # noqa: N802 (QGIS API name)
        self.initProcessing()
        if self.iface is None:
            return
        from .ui.dock import install_dock  # an error here is a bug to see, not a dock to hide

        self.dock, self.action = install_dock(self.iface)

    def unload(self):
        if self.dock is not None and self.iface is not None:
            from .ui.dock import remove_dock

            remove_dock(self.iface, self.dock, self.action)
            self.dock = None
            self.action = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        if self.translator is not None:
            from qgis.PyQt.QtCore import QCoreApplication

            QCoreApplication.removeTranslator(self.translator)
            self.translator = None

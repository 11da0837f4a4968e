"""kaigo_resource_plugin: blank areas and sufficiency rates of daily-life resources (QGIS plugin)."""


def classFactory(iface):  # noqa: N802 (QGIS API name)
    """QGIS entry point. Imports the plugin lazily so that core/ stays importable without QGIS."""
    from .plugin import KaigoResourcePlugin

    return KaigoResourcePlugin(iface)

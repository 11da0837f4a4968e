"""pytest-qgis: the plugin loaded through classFactory(iface) + initProcessing(), as qgis_process loads it."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def plugin(qgis_app, qgis_iface, qgis_processing):
    import kaigo_resource_plugin

    instance = kaigo_resource_plugin.classFactory(qgis_iface)
    instance.initProcessing()
    yield instance
    instance.unload()


@pytest.fixture()
def run_alg(plugin):
    """processing.run with the plugin loaded; returns the result dict."""
    import processing

    def _run(alg_id: str, params: dict, **kwargs):
        return processing.run(alg_id, params, **kwargs)

    return _run

"""Start a headless QGIS with Processing and this checkout's plugin loaded (for demo and bench scripts)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

_APP = None
_PLUGIN = None


def start():
    """Return (QgsApplication, plugin instance); idempotent."""
    global _APP, _PLUGIN
    if _APP is not None:
        return _APP, _PLUGIN
    from qgis.core import QgsApplication

    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    for p in ("/usr/share/qgis/python/plugins", "/usr/lib/qgis/python/plugins"):
        if os.path.isdir(p) and p not in sys.path:
            sys.path.append(p)
    from processing.core.Processing import Processing

    Processing.initialize()
    import kaigo_resource_plugin

    plugin = kaigo_resource_plugin.classFactory(None)
    plugin.initProcessing()
    _APP, _PLUGIN = app, plugin
    return app, plugin


def run(alg_id: str, params: dict, feedback=None):
    import processing
    from qgis.core import QgsProcessingFeedback

    return processing.run(alg_id, params, feedback=feedback or QgsProcessingFeedback())

"""Coordinate reference systems that survive the end of a background thread (a QGIS bug, measured here).

QGIS gives every thread its own PROJ context, and a CRS remembers the PROJ objects of the thread that
first made it (QGIS's CRS and transform caches share them with every later user of the same EPSG code).
Once that thread has ended, the CRS still says it is valid but has lost its definition (``toWkt()`` is
empty), and a coordinate transform with it returns its input unchanged, without an error: a road network
in EPSG:6671 is then read as degrees, the points of EPSG:2448 stay in metres, and a later use of the freed
PROJ objects can crash QGIS. Measured with ``scripts/proj_thread_probe.py`` on QGIS 3.22, 3.40 and 3.44
alike (and seen as the order-dependent wrong distances of test_networkaccess, which this module ends).

Our algorithms run in background threads (the Processing dialog, the task manager, the panel), and their
thread pool ends a thread after 30 s without work: the first run that needs EPSG:6668 often makes it in a
thread that ends soon after, and every later run in the same QGIS session computes with it.

Two measures, taken in the main thread when the provider is registered:

- the thread pools keep their threads (no expiry): a thread that never ends never takes its CRSs with
  it. An idle pool thread costs only its stack; QGIS's own map rendering keeps the pool busy anyway;
- the CRSs the plugin itself names are made once here, in the main thread, which lives as long as QGIS.

And ``algorithms.crs.checked_transform`` refuses, in Japanese and English, a transform whose CRS has lost
its definition (made by another plugin's thread, say), instead of writing figures that cannot be right.
The pool setting is left in place when the plugin unloads: the CRSs our runs made are still in QGIS's
caches then, and would break as soon as their threads ended.
"""

from __future__ import annotations

from qgis.core import QgsCoordinateReferenceSystem
from qgis.PyQt.QtCore import QThreadPool

from .compat import in_main_thread
from .core.contract import JGD2000_GEOGRAPHIC, JGD2011_GEOGRAPHIC

# Every CRS the plugin names: JGD2011 and JGD2000 geographic, WGS 84, the old Tokyo datum, the 19 plane
# rectangular zones of JGD2011 (6669-6687) and JGD2000 (2443-2461), JGD2011 / UTM 51-55 (the maps).
PLUGIN_CRS = (
    JGD2011_GEOGRAPHIC,
    JGD2000_GEOGRAPHIC,
    "EPSG:4326",
    "EPSG:4301",
    *(f"EPSG:{code}" for code in range(6669, 6688)),
    *(f"EPSG:{code}" for code in range(2443, 2462)),
    *(f"EPSG:{code}" for code in range(6688, 6693)),
)


def worker_pools() -> list:
    """The thread pools our runs go to: Qt's global pool (map rendering; the task manager up to QGIS
    3.3x) and the task manager's own pool (QGIS 3.44 has one, ``QgsTaskManager.threadPool()``)."""
    from qgis.core import QgsApplication

    pools = [QThreadPool.globalInstance()]
    manager = QgsApplication.taskManager()
    own = getattr(manager, "threadPool", None) if manager is not None else None
    if own is not None and own() is not None and own() is not pools[0]:
        pools.append(own())
    return pools


def keep_crs_of_background_runs() -> bool:
    """Take both measures (see the module's docstring); True when they were taken (main thread only)."""
    if not in_main_thread():
        return False
    for pool in worker_pools():
        pool.setExpiryTimeout(-1)
    for authid in PLUGIN_CRS:
        QgsCoordinateReferenceSystem(authid).toWkt()
    return True

"""Does QGIS keep a CRS made in a background thread once that thread has ended? (see proj_threads.py)

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 scripts/proj_thread_probe.py [--measure]

A task of the QGIS task manager (a pool thread, as for every Processing run in the background) makes
EPSG:6671, EPSG:6668 and a memory layer in EPSG:6674 and transforms a point. The pools are told to end
idle threads after 0.1 s; once the thread has ended, the main thread and a new task transform
the same point again. With ``--measure`` the plugin's measure (``keep_crs_of_background_runs``) is taken
first, in the main thread, as the provider takes it when it is registered. With ``--checked`` the
plugin's ``checked_transform`` is tried on the kept CRS: it must refuse a CRS that QGIS lost.

Prints one line per check and exits 0 when every transform gave the same answer as in the first thread,
1 when QGIS lost a CRS (QGIS 3.22, 3.40 and 3.44 without the measure), 2 when the probe itself could not run.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

POINT = (-37519.0, -144631.0)  # EPSG:6671 (zone III): near Ube


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measure", action="store_true", help="take the plugin's measure first")
    parser.add_argument(
        "--checked", action="store_true", help="also try the plugin's checked_transform on the kept CRS"
    )
    args = parser.parse_args()

    from qgis.core import (
        QgsApplication,
        QgsCoordinateReferenceSystem,
        QgsCoordinateTransform,
        QgsCoordinateTransformContext,
        QgsPointXY,
        QgsTask,
        QgsVectorLayer,
    )
    from qgis.PyQt.QtCore import QThread

    app = QgsApplication([], False)
    app.initQgis()
    from kaigo_resource_plugin.proj_threads import worker_pools

    for pool in worker_pools():
        pool.setExpiryTimeout(100)
    if args.measure:
        from kaigo_resource_plugin.proj_threads import keep_crs_of_background_runs

        if not keep_crs_of_background_runs():
            print("the measure was not taken")
            return 2

    kept: dict = {}
    ended = []

    def transform(src, dst) -> tuple[float, float]:
        ct = QgsCoordinateTransform(src, dst, QgsCoordinateTransformContext())
        p = ct.transform(QgsPointXY(*POINT))
        return round(p.x(), 9), round(p.y(), 9)

    def make(_task):
        QThread.currentThread().finished.connect(lambda: ended.append(True))
        kept["6671"] = QgsCoordinateReferenceSystem("EPSG:6671")
        kept["6668"] = QgsCoordinateReferenceSystem("EPSG:6668")
        kept["memory"] = QgsVectorLayer("Point?crs=EPSG:6674", "probe", "memory")
        kept["first"] = transform(kept["6671"], kept["6668"])
        return True

    def checks() -> dict:
        lonlat = QgsCoordinateReferenceSystem("EPSG:6668")
        return {
            "kept EPSG:6671": transform(kept["6671"], lonlat),
            "new EPSG:6671": transform(QgsCoordinateReferenceSystem("EPSG:6671"), lonlat),
            "memory layer EPSG:6674": transform(kept["memory"].crs(), lonlat)[1],
            "new EPSG:6674": transform(QgsCoordinateReferenceSystem("EPSG:6674"), lonlat)[1],
            "definition of the kept CRS": len(kept["6671"].toWkt()) > 0,
        }

    def run(function) -> None:
        done = []
        task = QgsTask.fromFunction("probe", lambda t: done.append(function(t)) or True)
        QgsApplication.taskManager().addTask(task)
        deadline = time.monotonic() + 60
        while not done:
            if time.monotonic() > deadline:
                raise TimeoutError("the probe's task did not run")
            app.processEvents()
            time.sleep(0.01)

    run(make)
    first = kept["first"]
    expected = {
        "kept EPSG:6671": first,
        "new EPSG:6671": first,
        "memory layer EPSG:6674": first[1],  # zones III and VI share the latitude of origin (36 N)
        "new EPSG:6674": first[1],
        "definition of the kept CRS": True,
    }
    time.sleep(1.0)
    app.processEvents()
    print(f"first thread: {first}; a pool thread ended since: {'yes' if ended else 'no'}")
    results = {"main thread": checks()}
    run(lambda _t: results.__setitem__("new task", checks()))
    if args.checked:
        from kaigo_resource_plugin.algorithms.crs import checked_transform
        from kaigo_resource_plugin.core.errors import InputError

        for what, src in (("kept", kept["6671"]), ("new", QgsCoordinateReferenceSystem("EPSG:6671"))):
            dst = QgsCoordinateReferenceSystem("EPSG:6668")
            try:
                checked_transform(src, dst, QgsCoordinateTransformContext())
                print(f"checked_transform of the {what} EPSG:6671: accepted")
            except InputError as err:
                print(f"checked_transform of the {what} EPSG:6671: refused: " + str(err).replace("\n", " | "))
    lost = 0
    for where, got in results.items():
        for name, value in got.items():
            ok = value == expected[name]
            lost += not ok
            print(f"{'ok  ' if ok else 'LOST'} {where}: {name} = {value}")
    return 1 if lost else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as err:  # noqa: BLE001 - the probe could not run: say so, exit 2
        print(f"probe failed: {err}")
        sys.exit(2)
